package survey

import (
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/survey/estimate"
)

// Suppression rules of the reports: a cell is not shown when fewer than MinCell respondents
// fall in it or its coefficient of variation (SE / share) is above MaxCV. These are the usual
// rules of official statistics for survey tables (the same thresholds Statistics Canada and
// the US NCHS use for proportions' reliability flags).
const (
	MinCell = 30
	MaxCV   = 0.30
	// CILevel is the level of the confidence intervals.
	CILevel = 0.95
)

// Report groups, in display order.
const (
	GroupOverall = "overall"
	GroupLeague  = "league"
	GroupUrban   = "urban"
	GroupSex     = "sex"
	GroupAge     = "age_group"
)

// Groups lists the report's groups in order.
var Groups = []string{GroupOverall, GroupLeague, GroupUrban, GroupSex, GroupAge}

// GroupLabel names a report group in Chinese.
func GroupLabel(g string) string {
	switch g {
	case GroupOverall:
		return "总体"
	case GroupLeague:
		return "盟市"
	case GroupUrban:
		return "城乡"
	case GroupSex:
		return "性别"
	case GroupAge:
		return "年龄组"
	}
	return g
}

// Cell is the literacy share of one group of respondents: a proportion (0–1) with its
// standard error, 95% confidence interval (logit method, t quantiles on the design's degrees
// of freedom: R's svyciprop(method = "logit")), coefficient of variation and design effect.
// A suppressed cell keeps its N and says why in Reason; its numbers must not be shown.
type Cell struct {
	Group      string
	Key        string // the category code (league code, "1"/"0", "male", "18-29"; "" overall)
	Label      string
	N          int     // respondents in the cell
	Share      float64 // 0–1
	SE         float64
	Lo, Hi     float64
	CV         float64
	DEff       float64
	Suppressed bool
	Reason     string // why a cell is suppressed, in Chinese
}

// Report is a survey's estimates.
type Report struct {
	Survey     Survey
	N          int     // respondents in the caller's scope
	Unanswered int     // of them, how many left at least one item unanswered
	WeightSum  float64 // estimated population (sum of the weights used)
	Raked      bool    // weights were raked to the census margins
	RakeNote   string  // why margins were not used, when there are some
	Cells      []Cell  // overall first, then by group in Groups order
}

// Group returns the report's cells of one group.
func (r Report) Group(g string) []Cell {
	var out []Cell
	for _, c := range r.Cells {
		if c.Group == g {
			out = append(out, c)
		}
	}
	return out
}

// Overall returns the overall cell (zero Cell when the report has none).
func (r Report) Overall() Cell {
	for _, c := range r.Cells {
		if c.Group == GroupOverall {
			return c
		}
	}
	return Cell{}
}

// ErrNoResponses says a report has nothing to estimate from.
var ErrNoResponses = errors.New("还没有答卷，无法估计")

// Estimate computes the report of responses: the design has the strata and PSUs of the
// responses (PSU codes nested in strata), their weights, one stage with replacement
// (ultimate-cluster variance), and a stratum with a single PSU centred at the grand mean
// (estimate.LonelyAdjust, R's "adjust"). When margins are given the weights are first raked to
// them (estimate.Design.Rake, default stopping rule); margins of a league apply to the
// respondents of that league, margins of the survey's unit to all. names names the leagues.
// Errors (in Chinese): ErrNoResponses; a margin category with no respondent, or respondents
// in a category or a unit the margins lack, naming it; raking that does not converge.
func Estimate(sv Survey, rs []Response, margins []MarginRow, names map[string]string) (Report, error) {
	rep := Report{Survey: sv, N: len(rs)}
	if len(rs) == 0 {
		return rep, ErrNoResponses
	}
	n := len(rs)
	w, strata, psu, y := make([]float64, n), make([]string, n), make([]string, n), make([]float64, n)
	league, urban, sex, age := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, r := range rs {
		w[i], strata[i], psu[i] = r.Weight, r.Stratum, r.PSU
		if r.Literate {
			y[i] = 1
		}
		league[i], sex[i], age[i] = LeagueOf(r.RegionCode), r.Sex, r.AgeGroup
		urban[i] = "0"
		if r.Urban {
			urban[i] = "1"
		}
		if r.Unanswered > 0 {
			rep.Unanswered++
		}
	}
	d, err := estimate.NewDesign(estimate.Spec{Weights: w, Stages: []estimate.Stage{{Cluster: psu, Strata: strata}}, Nest: true, Lonely: estimate.LonelyAdjust})
	if err != nil {
		return rep, fmt.Errorf("抽样设计有误：%w", err)
	}
	if len(margins) > 0 {
		ms, err := rakeMargins(rs, sv, margins, map[string][]string{BySex: sex, ByAge: age, ByUrban: urban}, names)
		if err != nil {
			return rep, err
		}
		d, err = d.Rake(ms, estimate.RakeControl{})
		if errors.Is(err, estimate.ErrNotConverged) {
			return rep, errors.New("按人口边际加权调整（raking）100 轮内没有收敛，没有给出结果：请核对各边际的人口总数是否一致")
		}
		if err != nil {
			return rep, fmt.Errorf("按人口边际加权调整失败：%w", err)
		}
		if err := checkMet(d.Weights(), ms, sv, names); err != nil {
			return rep, err
		}
		rep.Raked = true
	}
	for _, x := range d.Weights() {
		rep.WeightSum += x
	}
	cell := func(group, key, label string, dd *estimate.Design, count int) Cell {
		c := Cell{Group: group, Key: key, Label: label, N: count}
		pi, err := dd.PropCI(y, estimate.PropLogit, CILevel)
		switch {
		case count < MinCell:
			c.Suppressed, c.Reason = true, fmt.Sprintf("样本量 %d 少于 %d", count, MinCell)
		case err != nil:
			c.Suppressed, c.Reason = true, "无法估计："+err.Error()
		default:
			c.Share, c.SE, c.Lo, c.Hi, c.DEff = pi.Value, pi.SE, pi.Lo, pi.Hi, pi.DEff
			c.CV = pi.SE / pi.Value
			if pi.Value == 0 || math.IsNaN(c.CV) || c.CV > MaxCV {
				c.Suppressed = true
				if pi.Value == 0 {
					c.Reason = "样本中没有具备科学素质的受访者，变异系数无法计算"
				} else {
					c.Reason = fmt.Sprintf("变异系数 %.1f%% 超过 %.0f%%", c.CV*100, MaxCV*100)
				}
			}
		}
		return c
	}
	rep.Cells = append(rep.Cells, cell(GroupOverall, "", cellLabel(GroupOverall, "", names), d, n))
	for _, g := range []struct {
		group string
		by    []string
	}{
		{GroupLeague, league},
		{GroupUrban, urban},
		{GroupSex, sex},
		{GroupAge, age},
	} {
		counts := map[string]int{}
		for _, k := range g.by {
			counts[k]++
		}
		doms, err := d.Domains(g.by)
		if err != nil {
			return rep, err
		}
		for _, dm := range doms {
			k := dm.Key[0]
			rep.Cells = append(rep.Cells, cell(g.group, k, cellLabel(g.group, k, names), dm.Design, counts[k]))
		}
	}
	return rep, nil
}

// cellLabel names a report cell of a group and category key: a league by its name in names
// (its code when names lacks it), urban/rural, sex, an age group in years, the overall cell.
func cellLabel(group, key string, names map[string]string) string {
	switch group {
	case GroupOverall:
		return "总体"
	case GroupLeague:
		if nm := names[key]; nm != "" {
			return nm
		}
		return key
	case GroupUrban:
		return UrbanLabel(key == "1")
	case GroupSex:
		return SexLabel(key)
	case GroupAge:
		return key + " 岁"
	}
	return key
}

// MarginTolerance is how far (relative) the margins' grand totals may differ: census tables by
// sex, age group and urban/rural of one unit add up to the same population; a larger gap is a
// typing or import error, refused rather than raked to whichever margin comes last.
const MarginTolerance = 0.005

// checkMet checks that the raked weights meet every margin (relative 1e-6): raking reaches a
// fixed point even when the margins cannot all hold together (a category combination the
// sample lacks, totals a little apart), and then matches only the last margin. Such a result is
// refused, naming the category that is off.
func checkMet(w []float64, ms []estimate.Margin, sv Survey, names map[string]string) error {
	for _, m := range ms {
		got := map[string]float64{}
		for i, c := range m.Var {
			got[c] += w[i]
		}
		keys := make([]string, 0, len(m.Totals))
		for k := range m.Totals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			want := m.Totals[k]
			if math.Abs(got[k]-want) > 1e-6*want {
				unit, cat, _ := strings.Cut(k, "|")
				name := names[unit]
				if name == "" {
					name = unit
					if unit == sv.RegionCode && sv.RegionName != "" {
						name = sv.RegionName
					}
				}
				return fmt.Errorf("加权调整后%s“%s”（%s）为 %.0f 人，人口边际为 %.0f 人：各边际不能同时满足（样本中缺少某些类别组合，或各边际总数不一致），没有给出结果",
					VariableLabel(m.Name), CategoryLabel(m.Name, cat), name, got[k], want)
			}
		}
	}
	return nil
}

// rakeMargins builds the raking margins: for each variable, each respondent's category is
// "unit|category" where unit is the margin unit (the survey's unit or a league) holding the
// respondent. Categories are checked both ways so that the error names the category.
func rakeMargins(rs []Response, sv Survey, margins []MarginRow, cols map[string][]string, names map[string]string) ([]estimate.Margin, error) {
	byVar := map[string]map[string]float64{}
	units := map[string]map[string]bool{}
	for _, m := range margins {
		if byVar[m.Variable] == nil {
			byVar[m.Variable], units[m.Variable] = map[string]float64{}, map[string]bool{}
		}
		byVar[m.Variable][m.RegionCode+"|"+m.Category] = float64(m.Population)
		units[m.Variable][m.RegionCode] = true
	}
	unitName := func(c string) string {
		if nm := names[c]; nm != "" {
			return nm
		}
		if c == sv.RegionCode && sv.RegionName != "" {
			return sv.RegionName
		}
		return c
	}
	var out []estimate.Margin
	first, firstSum := "", 0.0
	for _, v := range MarginVariables {
		totals := byVar[v]
		if totals == nil {
			continue
		}
		cats := make([]string, len(rs))
		seen := map[string]bool{}
		whole := units[v][sv.RegionCode]
		// keyOf holds each (unit, category)'s key string once, so that 300,000 rows share a
		// few dozen strings instead of allocating one each.
		type pair struct{ unit, cat string }
		keyOf := map[pair]string{}
		for i, r := range rs {
			unit := sv.RegionCode
			if !whole {
				unit = LeagueOf(r.RegionCode)
				if !units[v][unit] {
					return nil, fmt.Errorf("人口边际“%s”没有受访者所在的 %s 的数据：请补齐各盟市的人口数，或录入本调查区划的总数", VariableLabel(v), unitName(unit))
				}
			}
			pk := pair{unit, cols[v][i]}
			k, ok := keyOf[pk]
			if !ok {
				k = unit + "|" + cols[v][i]
				if _, ok := totals[k]; !ok {
					return nil, fmt.Errorf("样本中有%s为“%s”的受访者（%s），人口边际里没有这一类别", VariableLabel(v), CategoryLabel(v, cols[v][i]), unitName(unit))
				}
				keyOf[pk] = k
				seen[k] = true
			}
			cats[i] = k
		}
		keys := make([]string, 0, len(totals))
		for k := range totals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !seen[k] {
				unit, cat, _ := strings.Cut(k, "|")
				return nil, fmt.Errorf("人口边际中%s的类别“%s”（%s）在样本中没有受访者，无法加权调整：请删去这一类别或与相邻类别合并", VariableLabel(v), CategoryLabel(v, cat), unitName(unit))
			}
		}
		sum := 0.0
		for _, x := range totals {
			sum += x
		}
		if first == "" {
			first, firstSum = v, sum
		} else if math.Abs(sum-firstSum) > MarginTolerance*firstSum {
			return nil, fmt.Errorf("人口边际的总数不一致：按%s合计 %.0f 人，按%s合计 %.0f 人；请核对后再加权调整", VariableLabel(first), firstSum, VariableLabel(v), sum)
		}
		out = append(out, estimate.Margin{Name: v, Var: cats, Totals: totals})
	}
	return out, nil
}

// Report estimates a survey visible to scope from the responses in scope, raked to the
// survey's margins when rake is true and margins exist. Margins are used only when their
// units all lie in scope (a banner admin looking at a league survey sees the unraked domain).
// The estimate is stored (survey_estimates) and served again while the survey's Version
// stays the same (see Store.report). Errors: *ReportError (ErrNoResponses and Estimate's
// errors), db.ErrNotFound, database errors.
func (s *Store) Report(ctx context.Context, scope region.Scope, id int64, rake bool) (Report, error) {
	sv, err := s.Get(ctx, scope, id)
	if err != nil {
		return Report{}, err
	}
	return s.report(ctx, scope, sv, rake, true)
}

// compute is Report's estimation from the rows: the responses in scope, their leagues' names
// and the margins (when rake), read now. Errors as Report's.
func (s *Store) compute(ctx context.Context, scope region.Scope, sv Survey, rake bool) (Report, error) {
	rs, err := s.estimationRows(ctx, scope, sv.ID)
	if err != nil {
		return Report{}, err
	}
	names, err := s.leagueNames(ctx, rs)
	if err != nil {
		return Report{}, err
	}
	var use []MarginRow
	note := ""
	if rake {
		ms, err := s.Margins(ctx, sv.ID)
		if err != nil {
			return Report{}, err
		}
		for _, m := range ms {
			if !scope.Contains(m.RegionCode) {
				use, note = nil, "人口边际属于您管辖范围以外的区划，本报告未作加权调整"
				break
			}
			use = append(use, m)
		}
	}
	rep, err := Estimate(sv, rs, use, names)
	rep.RakeNote = note
	if err != nil {
		return rep, &ReportError{err}
	}
	return rep, nil
}

// estimationRows returns the responses of a survey whose unit lies in scope, in id order, with
// only what Estimate reads (unit, design, classes, unanswered count, literacy): the rows of
// Responses without their mode, probabilities, score, level and time.
func (s *Store) estimationRows(ctx context.Context, scope region.Scope, id int64) ([]Response, error) {
	where, args := scope.Where("region_code", 2)
	return db.QueryAll(ctx, s.DB, func(row db.Scanner) (Response, error) {
		var r Response
		err := row.Scan(&r.RegionCode, &r.Stratum, &r.PSU, &r.Weight, &r.Urban, &r.Sex, &r.AgeGroup, &r.Unanswered, &r.Literate)
		return r, err
	}, `SELECT region_code, stratum, psu, weight, urban, sex, age_group, unanswered, literate
		FROM survey_responses WHERE survey_id = `+s.ph(1)+` AND `+where+` ORDER BY id`, append([]any{id}, args...)...)
}

func (s *Store) leagueNames(ctx context.Context, rs []Response) (map[string]string, error) {
	seen := map[string]bool{}
	var codes []string
	for _, r := range rs {
		if l := LeagueOf(r.RegionCode); l != "" && !seen[l] {
			seen[l] = true
			codes = append(codes, l)
		}
	}
	return s.Regions.Names(ctx, codes)
}

// Published is one published literacy figure (/work/shared/reference/literacy-published.csv,
// copied into this package): the area ("China", "Inner Mongolia"), the survey year, the share
// in percent and a note.
type Published struct {
	Area  string
	Year  int
	Share float64 // percent
	Note  string
}

//go:embed reference/literacy-published.csv
var publishedCSV string

// PublishedFigures returns the published literacy shares: China 2007–2024 and Inner Mongolia
// 2015, 2018 and 2020 (CAST's national surveys, as the seed report and the national releases
// give them).
func PublishedFigures() []Published {
	recs, _ := csv.NewReader(strings.NewReader(publishedCSV)).ReadAll()
	var out []Published
	for _, r := range recs[1:] {
		y, _ := strconv.Atoi(r[1])
		v, _ := strconv.ParseFloat(r[2], 64)
		out = append(out, Published{Area: r[0], Year: y, Share: v, Note: r[3]})
	}
	return out
}

// TrendPoint is one year of the trend: the platform's estimate (nil when no survey of the unit
// that year) beside the published figures of the region and of China.
type TrendPoint struct {
	Year     int
	SurveyID int64
	Estimate *Cell
	Error    string     // why a year's survey gave no estimate
	Region   *Published // Inner Mongolia's published share (only for a region-wide trend)
	China    *Published
}

// Trend returns, year by year, the overall estimate of each survey of the unit visible to
// scope (raked when it has margins; the latest survey of a year), beside the published
// figures. Years with only a published figure are included.
func (s *Store) Trend(ctx context.Context, scope region.Scope, unit string) ([]TrendPoint, error) {
	svs, err := s.List(ctx, scope)
	if err != nil {
		return nil, err
	}
	points := map[int]*TrendPoint{}
	at := func(y int) *TrendPoint {
		if points[y] == nil {
			points[y] = &TrendPoint{Year: y}
		}
		return points[y]
	}
	for _, sv := range svs { // newest id first within a year
		if sv.RegionCode != unit || at(sv.Year).SurveyID != 0 {
			continue
		}
		p := at(sv.Year)
		p.SurveyID = sv.ID
		rep, err := s.report(ctx, scope, sv, true, false)
		if err != nil {
			p.Error = err.Error()
			continue
		}
		c := rep.Overall()
		p.Estimate = &c
	}
	for _, f := range PublishedFigures() {
		f := f
		switch {
		case f.Area == "China":
			at(f.Year).China = &f
		case f.Area == "Inner Mongolia" && strings.HasPrefix(unit, "15") && region.LevelOf(unit) == region.LevelRegion:
			at(f.Year).Region = &f
		}
	}
	out := make([]TrendPoint, 0, len(points))
	for _, p := range points {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, nil
}

// Headline is one survey's overall literacy share, for the statistics domain's dashboard and
// report. Share, Lo and Hi are in percent; Suppressed cells carry no numbers.
type Headline struct {
	SurveyID   int64
	RegionCode string
	Year       int
	Title      string
	N          int
	Share      float64 // percent
	Lo, Hi     float64 // 95% CI, percent
	Raked      bool
	Suppressed bool
	Reason     string
}

// Headlines returns the overall literacy share of every survey visible to scope, estimated
// from the responses in scope (raked to the survey's margins when it has them), newest year
// first; year 0 means every year. Surveys without responses are left out. This is the query
// function the statistics domain reads survey results through.
func (s *Store) Headlines(ctx context.Context, scope region.Scope, year int) ([]Headline, error) {
	svs, err := s.List(ctx, scope)
	if err != nil {
		return nil, err
	}
	var out []Headline
	for _, sv := range svs {
		if (year != 0 && sv.Year != year) || sv.Responses == 0 {
			continue
		}
		h, err := s.headline(ctx, scope, sv)
		if err != nil {
			return nil, fmt.Errorf("survey.Headlines: survey %d: %w", sv.ID, err)
		}
		out = append(out, h)
	}
	return out, nil
}

// headline is the Headline of a survey read with its Version (List, Get) from the responses
// in scope; errors are the database's (a report that cannot be estimated is a suppressed
// headline saying why).
func (s *Store) headline(ctx context.Context, scope region.Scope, sv Survey) (Headline, error) {
	rep, err := s.report(ctx, scope, sv, true, false)
	var re *ReportError
	if err != nil && !errors.As(err, &re) {
		return Headline{}, err
	}
	return headlineOf(sv, rep, err), nil
}

// headlineOf is the Headline of a survey's report, or of the *ReportError that says why it has
// none (suppressed, the error as the reason).
func headlineOf(sv Survey, rep Report, err error) Headline {
	c := rep.Overall()
	if err != nil { // a survey whose margins do not fit: say why, give no number
		c = Cell{N: rep.N, Suppressed: true, Reason: err.Error()}
	}
	h := Headline{SurveyID: sv.ID, RegionCode: sv.RegionCode, Year: sv.Year, Title: sv.Title, N: c.N, Raked: rep.Raked, Suppressed: c.Suppressed, Reason: c.Reason}
	if !c.Suppressed {
		h.Share, h.Lo, h.Hi = c.Share*100, c.Lo*100, c.Hi*100
	}
	return h
}

// LatestHeadline returns the headline (as Headlines gives it) of the latest survey of exactly
// unit, visible to scope, whose year is not after year, that has responses in scope and whose
// overall share is shown (not suppressed): the newest year first, the highest id within a
// year. ok is false when there is none. This is what the statistics domain's "share"
// indicator shows (a survey's figure holds until the next one); it estimates only the surveys
// of unit, newest first, and stops at the first shown. Errors: the database's.
func (s *Store) LatestHeadline(ctx context.Context, scope region.Scope, unit string, year int) (Headline, bool, error) {
	where, args := visible(scope, 3)
	svs, err := db.QueryAll(ctx, s.DB, scanSurvey, `SELECT `+surveyCols+` FROM survey_surveys v LEFT JOIN regions r ON r.code = v.region_code
		WHERE v.region_code = `+s.ph(1)+` AND v.year <= `+s.ph(2)+` AND `+where+` ORDER BY v.year DESC, v.id DESC`, append([]any{unit, year}, args...)...)
	if err != nil {
		return Headline{}, false, fmt.Errorf("survey.LatestHeadline: %w", err)
	}
	for _, sv := range svs {
		h, err := s.headline(ctx, scope, sv)
		if err != nil {
			return Headline{}, false, fmt.Errorf("survey.LatestHeadline: survey %d: %w", sv.ID, err)
		}
		if h.N == 0 || h.Suppressed {
			continue
		}
		return h, true, nil
	}
	return Headline{}, false, nil
}
