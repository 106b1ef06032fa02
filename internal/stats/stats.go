// Package stats is the one registry of indicators: every figure the network reports (the seed
// annual report's figures and the national science-popularization statistics groups), each
// defined once with its code, names, unit, definition, how it aggregates up the division tree,
// whether it is verified or declared, and how it is computed from the other domains' exported
// functions (never their tables). Values exist at any unit of the tree, for a year or a month,
// for the unit's children (ranks, maps) and by month (trends), and every value carries the URL
// of the records behind it.
//
// Sub-packages (forms, assess, dashboard, report) read figures only through Registry.
package stats

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/region"
)

// Aggregation says how an indicator's values of child units combine into their parent's.
type Aggregation int

const (
	// Sum: the parent's value is the sum over its children plus what is recorded at the parent
	// itself (counts of records, sessions, person-times, fen).
	Sum Aggregation = iota + 1
	// DistinctCount: things counted once however many units they touch (people in several
	// teams); the parent's value is at most the sum over its children.
	DistinctCount
	// Latest: the most recent value recorded (a survey share, a stock read at a date); not
	// additive.
	Latest
	// RatioOfSums: Numerator's sum over Denominator's sum (times Scale), never an average of
	// ratios.
	RatioOfSums
)

// String is the aggregation's name in the API: "sum", "distinct", "latest", "ratio".
func (a Aggregation) String() string {
	switch a {
	case Sum:
		return "sum"
	case DistinctCount:
		return "distinct"
	case Latest:
		return "latest"
	case RatioOfSums:
		return "ratio"
	}
	return "unknown"
}

// Basis says how a figure was obtained; verified and declared figures are never added together.
type Basis int

const (
	// Verified: counted by the system from evidence (tickets checked in, counted clicks,
	// registered records).
	Verified Basis = iota + 1
	// Declared: reported by people (declared attendance, ledger entries, hand-entered figures).
	Declared
)

// String is "verified" or "declared".
func (b Basis) String() string {
	if b == Verified {
		return "verified"
	}
	return "declared"
}

// PeriodKind says whether a figure is a stock (how many exist on a date: the end of the year or
// month asked for) or a flow (how many happened within the year or month).
type PeriodKind int

const (
	Stock PeriodKind = iota + 1 // as of the end of the period
	Flow                        // within the period
)

// String is "stock" or "flow".
func (p PeriodKind) String() string {
	if p == Stock {
		return "stock"
	}
	return "flow"
}

// Sections, in the seed report's order, then the national statistics' own groups.
const (
	SectionInfrastructure  = "infrastructure"  // 基础设施: venues, mobile museums, caravans, bases
	SectionTalent          = "talent"          // 人才队伍: associations, staff, experts, volunteers
	SectionInformatization = "informatization" // 信息化: e-stations, platform, officers, shares, clicks
	SectionActivities      = "activities"      // 科普活动
	SectionLiteracy        = "literacy"        // 公民科学素质
	SectionPersonnel       = "personnel"       // 全国科普统计 科普人员 (KR…)
	SectionVenues          = "venues"          // 全国科普统计 场地 (KC…)
	SectionFunds           = "funds"           // 全国科普统计 经费 (KJ…)
	SectionMedia           = "media"           // 全国科普统计 传媒 (KM…)
)

// Sections lists every section in display order.
var Sections = []Section{
	{SectionInfrastructure, "基础设施", "Infrastructure"},
	{SectionTalent, "人才队伍", "Talent"},
	{SectionInformatization, "信息化", "Informatization"},
	{SectionActivities, "科普活动", "Activities"},
	{SectionLiteracy, "公民科学素质", "Civic scientific literacy"},
	{SectionPersonnel, "科普人员", "Personnel"},
	{SectionVenues, "科普场地", "Venues and sites"},
	{SectionFunds, "科普经费", "Funds"},
	{SectionMedia, "科普传媒", "Media"},
}

// Section is one group of indicators with its names.
type Section struct{ Code, NameZh, NameEn string }

// english says whether a page language (web.Lang: "zh-Hans", "en" …) is English.
func english(lang string) bool { return strings.HasPrefix(lang, "en") }

// Name is the indicator's name in a page language: English for "en…", else Chinese.
func (i *Indicator) Name(lang string) string {
	if english(lang) && i.NameEn != "" {
		return i.NameEn
	}
	return i.NameZh
}

// UnitIn is the indicator's unit in a page language: English for "en…", else Chinese.
func (i *Indicator) UnitIn(lang string) string {
	if english(lang) && i.UnitEn != "" {
		return i.UnitEn
	}
	return i.Unit
}

// Indicator is one figure defined once. Codes are stable: forms, assessment, dashboard, report
// and the open-data API refer to indicators by code.
type Indicator struct {
	Code       string // stable code, e.g. "museums", "KR01", "KJ11"
	NameZh     string // 中文名称
	NameEn     string // English name (GLOSSARY terms)
	Unit       string // unit in Chinese as the seed writes it: 座, 人, 人次, 场次, 元 …
	UnitEn     string // unit in English: venues, people, person-times, sessions, yuan …
	Definition string // what is counted, from which records, in Chinese
	Section    string // one of the Section* constants
	Agg        Aggregation
	Basis      Basis
	Period     PeriodKind
	Source     string // the domain whose records it counts: activity, registry, content, share, quiz, survey, funds, declared
	Seed       string // the seed-indicators.csv "indicator" it answers to ("" = none)
	// Numerator and Denominator are the codes of two Sum indicators when Agg is RatioOfSums;
	// Scale multiplies the ratio (100 for percent).
	Numerator, Denominator string
	Scale                  float64
	// Money is true when the value is in fen (integer hundredths of a yuan): Exact holds fen,
	// Value holds yuan.
	Money bool
	// Headline marks the dashboard's headline figures.
	Headline bool

	fetch *fetcher // computes this indicator (and others of the same fetch) at a unit
	key   string   // this indicator's key within the fetch result
}

// Additive reports whether a unit's value equals the sum over its children plus what is
// recorded at the unit itself (the property tests check every additive indicator).
func (ind *Indicator) Additive() bool { return ind.Agg == Sum }

// Query names a unit, a period and the caller's scope.
type Query struct {
	Unit  string       // canonical division code; "" = the scope's single root
	Year  int          // calendar year (China time)
	Month int          // 1–12; 0 = the whole year
	Scope region.Scope // the caller's scope; the unit must be inside it
}

// Value is an indicator's figure at one unit for one period.
type Value struct {
	Indicator *Indicator `json:"-"`
	Code      string     `json:"code"`
	Unit      string     `json:"region"`      // division code
	UnitName  string     `json:"region_name"` // filled by Children and the API
	Year      int        `json:"year"`
	Month     int        `json:"month,omitempty"`
	Value     float64    `json:"value"`                 // the figure (yuan for money, percent for shares)
	Exact     int64      `json:"exact"`                 // the exact integer for counts and money (fen); 0 for ratios
	Own       int64      `json:"own,omitempty"`         // of Exact, recorded at the unit itself (not below); Sum indicators only
	Num       float64    `json:"numerator,omitempty"`   // RatioOfSums: the numerator's sum
	Den       float64    `json:"denominator,omitempty"` // RatioOfSums: the denominator's sum
	Low       float64    `json:"ci_low,omitempty"`      // a survey estimate's 95% confidence interval
	High      float64    `json:"ci_high,omitempty"`
	Known     bool       `json:"known"`           // false when nothing is recorded that could give the figure (no survey run, no ledger)
	AsOf      string     `json:"as_of,omitempty"` // Latest and stock figures: the date the value holds for
	Records   string     `json:"records"`         // URL of the list of records behind the figure ("" when none is listable)
}

// Errors of Registry.
var (
	ErrUnknownIndicator = errors.New("stats: unknown indicator")
	ErrOutOfScope       = errors.New("stats: unit outside the caller's scope")
	ErrBadQuery         = errors.New("stats: bad query")
)

// normalize fills the query's unit from a single-root scope, checks the year, month and scope.
func (q Query) normalize() (Query, error) {
	if q.Unit == "" {
		roots := q.Scope.Roots()
		if len(roots) != 1 {
			return q, fmt.Errorf("%w: no unit given", ErrBadQuery)
		}
		q.Unit = roots[0]
	}
	c, err := region.Normalize(q.Unit)
	if err != nil {
		return q, fmt.Errorf("%w: unit %q: %v", ErrBadQuery, q.Unit, err)
	}
	q.Unit = c
	if q.Year < 2000 || q.Year > 2100 {
		return q, fmt.Errorf("%w: year %d", ErrBadQuery, q.Year)
	}
	if q.Month < 0 || q.Month > 12 {
		return q, fmt.Errorf("%w: month %d", ErrBadQuery, q.Month)
	}
	if !q.Scope.Contains(q.Unit) {
		return q, ErrOutOfScope
	}
	return q, nil
}

// Bounds gives the first and last China calendar date of the query's period ("2006-01-02").
func (q Query) Bounds() (from, to string) {
	if q.Month == 0 {
		return fmt.Sprintf("%04d-01-01", q.Year), fmt.Sprintf("%04d-12-31", q.Year)
	}
	first := time.Date(q.Year, time.Month(q.Month), 1, 0, 0, 0, 0, time.UTC)
	return first.Format("2006-01-02"), first.AddDate(0, 1, -1).Format("2006-01-02")
}

// Span gives the period as a half-open interval of instants in China time [start, end).
func (q Query) Span() (start, end time.Time) {
	if q.Month == 0 {
		start = time.Date(q.Year, 1, 1, 0, 0, 0, 0, china)
		return start, start.AddDate(1, 0, 0)
	}
	start = time.Date(q.Year, time.Month(q.Month), 1, 0, 0, 0, 0, china)
	return start, start.AddDate(0, 1, 0)
}

var china = time.FixedZone("CST", 8*3600)

// ctxKey, to keep a fetch cache for one request.
type ctxKey struct{}

// dummy use of context to keep the import stable across files.
var _ context.Context
