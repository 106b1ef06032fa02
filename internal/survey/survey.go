// Package survey runs civic scientific literacy surveys (公民科学素质调查): the questionnaire
// and its items in Chinese and traditional Mongolian, the scoring schemes (scoring.go, pure),
// collection (online by invitation link and QR, interviewer entry, spreadsheet import), the
// population margins for raking, and the reports: the literacy share with its 95% CI overall
// and by league, urban/rural, sex and age group, with small or unreliable cells suppressed,
// the trend beside the published figures, and the .xlsx export.
//
// The statistics themselves (designs, Taylor-linearized variances, raking, intervals) are in
// survey/estimate, which has no web and no SQL; this package only feeds it rows. Every query is
// limited to the caller's region scope: a banner admin sees the surveys of its subtree and,
// of surveys that cover it, only the responses of its subtree. It reads no other domain's
// tables.
//
// A report's estimate is stored (survey_estimates, estimates.go) per survey, scope and raking,
// and served again only while the survey's version (bumped by database triggers with every
// write to its responses, margins, unit or scoring) is the one it was computed at.
package survey

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kepu/kepu/internal/web"
)

// Survey is one survey: its owning unit, year and scoring scheme.
type Survey struct {
	ID         int64
	RegionCode string // the unit that runs it: the region, a league or a banner
	RegionName string
	Title      string
	TitleMn    string
	Year       int
	Scheme     string // National2024, Benchmark or Custom
	SchemeJSON string // Custom: the scheme as Scheme.JSON writes it
	// DemoTrueShare is the true literacy share (0–1) of the synthetic population the demo drew
	// this survey from; nil for real surveys.
	DemoTrueShare *float64
	CreatedAt     time.Time
	Responses     int // responses in the caller's scope (List only)
	// Version counts the writes that can change the survey's estimates (a response or a census
	// margin added, changed or deleted; the unit or scoring changed). The database's triggers
	// bump it in the same transaction as the write (migration 0021); a stored estimate is
	// served only for the version it was computed at.
	Version int64
}

// ScoringScheme returns the survey's scheme with its numbers.
func (s Survey) ScoringScheme() (Scheme, error) {
	switch s.Scheme {
	case National2024:
		return NationalScheme2024(), nil
	case Benchmark:
		return BenchmarkScheme(), nil
	case Custom:
		return ParseCustom(s.SchemeJSON)
	}
	return Scheme{}, fmt.Errorf("评分方案 %q 不存在", s.Scheme)
}

// SchemeLabel is the scheme's Chinese name.
func SchemeLabel(name string) string {
	switch name {
	case National2024:
		return "2024 年全国百分制测评"
	case Benchmark:
		return "基准测评（50 题，26 条基准）"
	case Custom:
		return "自定义评分"
	}
	return name
}

// Input is a new survey as the form gives it.
type Input struct {
	RegionCode, Title, TitleMn string
	Year                       int
	Scheme                     string
	// Custom scheme: points per dimension and the pass mark in percent.
	Points  map[string]float64
	PassPct float64
	// Sample loads the sample bank (SampleBank) as the questionnaire.
	Sample bool
}

// Validate checks the fields; problems come back per field, in Chinese.
func (in *Input) Validate() error {
	errs := web.FieldErrors{}
	in.Title, in.TitleMn = strings.TrimSpace(in.Title), strings.TrimSpace(in.TitleMn)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 200 {
		errs["title"] = "请填写调查名称（不超过 200 字）"
	}
	if utf8.RuneCountInString(in.TitleMn) > 400 {
		errs["title_mn"] = "蒙古文名称过长"
	}
	if in.Year < 2000 || in.Year > 2100 {
		errs["year"] = "请填写调查年份（2000–2100）"
	}
	if in.RegionCode == "" {
		errs["region_code"] = "请选择组织调查的区划"
	}
	switch in.Scheme {
	case National2024, Benchmark:
	case Custom:
		if _, err := in.CustomScheme(); err != nil {
			errs["scheme"] = err.Error()
		}
	default:
		errs["scheme"] = "请选择评分方案"
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// CustomScheme returns the custom scheme the input defines.
func (in Input) CustomScheme() (Scheme, error) {
	sc := Scheme{Name: Custom, Points: map[string]float64{}, Pass: in.PassPct / 100}
	for d, p := range in.Points {
		if p != 0 {
			sc.Points[d] = p
		}
	}
	return sc, sc.validate()
}

// Classes of respondents in reports.
var (
	// AgeGroups are the national survey's age groups (18–69 years).
	AgeGroups = []string{"18-29", "30-39", "40-49", "50-59", "60-69"}
	// Sexes are the sex codes.
	Sexes = []string{"male", "female"}
)

// SexLabel is a sex code's Chinese name.
func SexLabel(s string) string {
	switch s {
	case "male":
		return "男"
	case "female":
		return "女"
	}
	return s
}

// UrbanLabel names urban (城镇) and rural (乡村) residence.
func UrbanLabel(urban bool) string {
	if urban {
		return "城镇"
	}
	return "乡村"
}

// Respondent is who answered: the design variables and the classes reports group by.
type Respondent struct {
	RegionCode string // banner or a unit below it
	Stratum    string
	PSU        string
	// Weight is the sampling weight (> 0); when 0, it is derived as 1/(Prob1 × Prob2) from the
	// selection probabilities of the two stages.
	Weight       float64
	Prob1, Prob2 float64
	Urban        bool
	Sex          string // "male" or "female"
	AgeGroup     string // one of AgeGroups
}

// Validate checks the design variables and classes and fills Weight from the probabilities
// when it is not given. Problems come back per field, in Chinese.
func (p *Respondent) Validate() web.FieldErrors {
	errs := web.FieldErrors{}
	p.Stratum, p.PSU = strings.TrimSpace(p.Stratum), strings.TrimSpace(p.PSU)
	if p.RegionCode == "" {
		errs["region_code"] = "请填写受访者所在旗县的区划代码"
	}
	if p.Stratum == "" || len(p.Stratum) > 100 {
		errs["stratum"] = "请填写抽样层"
	}
	if p.PSU == "" || len(p.PSU) > 100 {
		errs["psu"] = "请填写初级抽样单元（PSU）"
	}
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	switch {
	case bad(p.Weight) || p.Weight < 0:
		errs["weight"] = "权数须为正数"
	case p.Weight > 0:
	case p.Prob1 > 0 && p.Prob1 <= 1 && p.Prob2 > 0 && p.Prob2 <= 1:
		p.Weight = 1 / (p.Prob1 * p.Prob2)
	case p.Prob1 != 0 || p.Prob2 != 0:
		errs["prob1"] = "两阶段入样概率须在 0 和 1 之间（大于 0）"
	default:
		errs["weight"] = "请填写权数，或两阶段的入样概率"
	}
	if p.Sex != "male" && p.Sex != "female" {
		errs["sex"] = "性别须为男或女"
	}
	if !contains(AgeGroups, p.AgeGroup) {
		errs["age_group"] = "年龄组须为 " + strings.Join(AgeGroups, "、") + " 之一"
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// LeagueOf returns the league code (6 digits, "1525 00") of a canonical code of a banner or a
// unit below it; "" for the region itself or a code too short.
func LeagueOf(code string) string {
	if len(code) < 6 || code[2:4] == "00" {
		return ""
	}
	return code[:4] + "00"
}

// ReportError is why a report has no numbers (no responses, margins that do not fit the
// sample, raking that does not meet them), in Chinese and safe to show; the page says it
// instead of the tables. Errors of the database are never ReportErrors.
type ReportError struct{ Err error }

func (e *ReportError) Error() string { return e.Err.Error() }
func (e *ReportError) Unwrap() error { return e.Err }

// Errors of collection, in Chinese.
var (
	ErrUsedCode   = errors.New("这个邀请码已经提交过答卷，每个邀请码只能作答一次")
	ErrNoCode     = errors.New("邀请码不存在，请核对链接")
	ErrHasAnswers = errors.New("已有答卷，不能再修改题目：改题会使已收答卷的得分失效")
)
