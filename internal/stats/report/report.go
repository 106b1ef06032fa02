// Package report builds the annual science-popularization report of a unit for a year in the
// seed report's structure (a literacy lead, then infrastructure, talent, informatization and
// activities), each section's sentences made from the indicators of package stats, with the
// field's customary rounding (Approx), national ranks entered by the operator (Ranks) and
// comparisons to the year before; as an HTML document that prints cleanly to PDF (Render) and a
// .xlsx data appendix with every figure, its definition and its exact value (Appendix).
//
// It reads figures only through stats.Registry and owns no table (national ranks are kept in
// the settings table, see Ranks).
package report

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
)

// Sections are the report's sections in the seed's order, with the seed's headings. The
// literacy section is written as the report's lead paragraph.
var Sections = []struct{ Code, Heading string }{
	{stats.SectionInfrastructure, "加强科普基础设施建设 持续提升科普公共服务能力"},
	{stats.SectionTalent, "加强科普人才培养 打造专业化的科普工作队伍"},
	{stats.SectionInformatization, "加强信息化平台建设 着力打通科普工作“最后一公里”"},
	{stats.SectionActivities, "加强科普品牌活动开展 努力推动形成讲科学、爱科学、学科学、用科学的良好氛围"},
}

// RunningYearText is the lead's sentence when the report's year has not ended: its flows
// (activities held, views, clicks) count up to today and are not compared with the whole year
// before (a comparison would say only how much of the year has passed).
const RunningYearText = "%d年尚未结束：年内发生的数字截至%s，不与上年全年比较。"

// NoSurveyText is the lead's sentence when the unit has no civic scientific literacy survey
// estimate up to the report's year (arguments: the year, the area as Area names it).
const NoSurveyText = "截至%d年，%s尚无公民科学素质抽样调查结果。"

// TrendYears is how many years (the report's year included) the trend table covers.
const TrendYears = 5

// Part is a piece of a sentence: plain text, or a figure linked to its records.
type Part struct {
	Text string
	Href string // the records behind the figure; "" for plain text
}

// Sentence is one sentence of a section, ending in its own punctuation.
type Sentence []Part

// Figure is one indicator's value as the report states it.
type Figure struct {
	Code, Name, Unit, Definition, Section, Basis string
	Value                                        float64 // the figure (yuan for money, percent for shares)
	Exact                                        int64   // the exact count (fen for money); 0 for ratios
	Text                                         string  // as written in the sentences: Approx of the count, or the share with 2 decimals
	Floor                                        int64   // what Text states before 多 (counts)
	Known                                        bool
	Prev                                         *stats.Value // the year before (nil when not known)
	Change                                       string       // "较2020年增长12.5%" etc.; "" without a comparable year
	Rank                                         int          // national rank entered by the operator; 0 = none
	Records                                      string       // URL of the records behind the figure
	// MeasuredIn is, for a latest-value figure (a survey's share) carried from an earlier
	// year's measurement, that year; 0 when the value was measured in the report's year.
	MeasuredIn int
	IsCount    bool // Exact is the figure (counts and money)
	indicator  *stats.Indicator
}

// Section is one section of the report.
type Section struct {
	Code, Heading string
	Sentences     []Sentence
	Figures       []*Figure
}

// Trend is one indicator over the TrendYears years up to the report's year.
type Trend struct {
	Code, Name, Unit string
	Years            []int
	Values           []string // exact, with thousands separators
}

// Report is a unit's annual report.
type Report struct {
	Unit      region.Unit
	Year      int
	Title     string // e.g. "内蒙古自治区2021年科普工作报告"
	Area      string // how sentences name the unit's area: 全区, 全盟, 全市, 全旗, 全县
	Lead      []Sentence
	Sections  []Section
	Figures   []*Figure // every figure in the report (sections, lead), in order
	Trends    []Trend
	RankCount int // how many figures carry a national rank
	// Through is, while the report's year runs (China date), the day its flows count up to
	// ("11月29日"); "" for an ended year.
	Through string
}

// Build computes the report of q.Unit for q.Year within q.Scope (q.Month is ignored). ranks
// maps indicator codes to the national ranks the operator entered (nil for none). Errors are
// the registry's (stats.ErrOutOfScope, stats.ErrBadQuery, …) and the region store's.
func Build(ctx context.Context, reg *stats.Registry, regions *region.Store, q stats.Query, ranks map[string]int) (*Report, error) {
	q.Month = 0
	if q.Unit == "" {
		if roots := q.Scope.Roots(); len(roots) == 1 {
			q.Unit = roots[0]
		}
	}
	if c, err := region.Normalize(q.Unit); err == nil {
		q.Unit = c
	}
	var inds []*stats.Indicator
	var codes []string
	for _, sec := range append([]string{stats.SectionLiteracy}, sectionCodes()...) {
		for _, ind := range reg.Section(sec) {
			inds = append(inds, ind)
			codes = append(codes, ind.Code)
		}
	}
	if len(codes) == 0 {
		return nil, fmt.Errorf("report.Build: the registry has no indicator in the report's sections")
	}
	var cur, prev []stats.Value
	pq := q
	pq.Year--
	var wg sync.WaitGroup
	var perr error
	wg.Add(1)
	go func() { // the year before, beside this year's figures
		defer wg.Done()
		prev, perr = reg.Values(ctx, pq, codes...)
	}()
	cur, err := reg.Values(ctx, q, codes...)
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("report.Build: %w", err)
	}
	if perr != nil {
		return nil, fmt.Errorf("report.Build: year before: %w", perr)
	}
	u, err := regions.Get(ctx, q.Unit)
	if err != nil {
		return nil, fmt.Errorf("report.Build: %w", err)
	}
	rep := &Report{Unit: u, Year: q.Year, Area: Area(u)}
	rep.Title = fmt.Sprintf("%s%d年科普工作报告", u.Name, q.Year)
	if today, ok := reg.Running(q.Year); ok {
		rep.Through = today.Format("1月2日")
	}
	bySection := map[string][]*Figure{}
	for i, ind := range inds {
		f := figureOf(ind, cur[i], prev[i], q.Year, ranks[ind.Code])
		if rep.Through != "" && ind.Period == stats.Flow {
			// A year still running holds part of its flows: against the whole year before,
			// the change says only how much of the year has passed.
			f.Prev, f.Change = nil, ""
		}
		if f.Rank > 0 {
			rep.RankCount++
		}
		rep.Figures = append(rep.Figures, f)
		bySection[ind.Section] = append(bySection[ind.Section], f)
	}
	rep.Lead = leadSentences(rep, bySection[stats.SectionLiteracy])
	for _, s := range Sections {
		sec := Section{Code: s.Code, Heading: s.Heading, Figures: bySection[s.Code]}
		for _, f := range sec.Figures {
			if f.Known {
				sec.Sentences = append(sec.Sentences, sentence(rep, f))
			}
		}
		if len(sec.Sentences) == 0 {
			sec.Sentences = []Sentence{{{Text: fmt.Sprintf("%d年%s本项暂无记录。", q.Year, rep.Area)}}}
		}
		rep.Sections = append(rep.Sections, sec)
	}
	if err := rep.trends(ctx, reg, q); err != nil {
		return nil, err
	}
	return rep, nil
}

func sectionCodes() []string {
	out := make([]string, len(Sections))
	for i, s := range Sections {
		out[i] = s.Code
	}
	return out
}

// trends fills the table of the headline indicators of the report's sections over the last
// TrendYears years.
func (rep *Report) trends(ctx context.Context, reg *stats.Registry, q stats.Query) error {
	var codes []string
	for _, f := range rep.Figures {
		if f.indicator.Headline {
			codes = append(codes, f.Code)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	years := make([]int, TrendYears)
	vals := make([][]stats.Value, TrendYears)
	errs := make([]error, TrendYears)
	var wg sync.WaitGroup
	for i := range years {
		yq := q
		yq.Year = q.Year - TrendYears + 1 + i
		years[i] = yq.Year
		if yq.Year == q.Year {
			// Already computed: take them from the figures.
			row := make([]stats.Value, len(codes))
			for j, c := range codes {
				for _, f := range rep.Figures {
					if f.Code == c {
						row[j] = stats.Value{Value: f.Value, Exact: f.Exact, Known: f.Known, Indicator: f.indicator}
					}
				}
			}
			vals[i] = row
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			vals[i], errs[i] = reg.Values(ctx, yq, codes...)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("report.Build: trends: %w", err)
	}
	for j, c := range codes {
		ind, _ := reg.Get(c)
		t := Trend{Code: c, Name: ind.NameZh, Unit: unitOf(ind), Years: years}
		for i := range years {
			t.Values = append(t.Values, exactText(ind, vals[i][j]))
		}
		rep.Trends = append(rep.Trends, t)
	}
	return nil
}

// isCount: the figure is an integer count (or money in fen).
func isCount(ind *stats.Indicator) bool {
	return ind.Agg == stats.Sum || ind.Agg == stats.DistinctCount || (ind.Agg == stats.Latest && ind.Money)
}

// unitOf is the unit a sentence writes after the number: money is written in 元.
func unitOf(ind *stats.Indicator) string {
	if ind.Money {
		return "元"
	}
	return ind.Unit
}

// countOf is the whole number a count figure states: yuan (rounded down) for money, the exact
// count otherwise.
func countOf(ind *stats.Indicator, v stats.Value) int64 {
	if ind.Money {
		return v.Exact / 100
	}
	return v.Exact
}

// exactText writes a value exactly: counts with thousands separators (money in yuan with two
// decimals), shares with two decimals; "—" when not known.
func exactText(ind *stats.Indicator, v stats.Value) string {
	if !v.Known {
		return "—"
	}
	if ind.Money {
		return fmt.Sprintf("%s.%02d", Thousands(v.Exact/100), v.Exact%100)
	}
	if isCount(ind) {
		return Thousands(v.Exact)
	}
	return strconv.FormatFloat(v.Value, 'f', 2, 64)
}

func figureOf(ind *stats.Indicator, v, p stats.Value, year, rank int) *Figure {
	f := &Figure{Code: ind.Code, Name: ind.NameZh, Unit: unitOf(ind), Definition: ind.Definition,
		Section: ind.Section, Basis: ind.Basis.String(), Value: v.Value, Exact: v.Exact, Known: v.Known,
		Rank: rank, Records: v.Records, IsCount: isCount(ind), indicator: ind}
	if f.IsCount {
		r := Approx(countOf(ind, v))
		f.Text, f.Floor = r.Text, r.Floor
	} else {
		f.Text = strconv.FormatFloat(v.Value, 'f', 2, 64)
	}
	if ind.Agg == stats.Latest && len(v.AsOf) == 4 {
		if y, err := strconv.Atoi(v.AsOf); err == nil && y != year {
			f.MeasuredIn = y
		}
	}
	// The same measurement carried into both years is no comparison.
	sameMeasurement := ind.Agg == stats.Latest && v.AsOf != "" && v.AsOf == p.AsOf
	if p.Known && v.Known && !sameMeasurement {
		pc := p
		f.Prev = &pc
		f.Change = change(ind, v, p, year-1)
	}
	return f
}

// change compares a figure with the year before: counts by relative change ("较2020年增长
// 12.5%", "下降3.0%", "与2020年持平"; nothing when the year before recorded none, since a
// comparison with an empty year says only that recording began), shares by percentage points
// ("提高0.52个百分点").
func change(ind *stats.Indicator, v, p stats.Value, prevYear int) string {
	if !isCount(ind) {
		d := v.Value - p.Value
		switch {
		case math.Abs(d) < 0.005:
			return fmt.Sprintf("与%d年持平", prevYear)
		case d > 0:
			return fmt.Sprintf("较%d年提高%.2f个百分点", prevYear, d)
		default:
			return fmt.Sprintf("较%d年降低%.2f个百分点", prevYear, -d)
		}
	}
	c, pc := countOf(ind, v), countOf(ind, p)
	switch {
	case c == pc:
		return fmt.Sprintf("与%d年持平", prevYear)
	case pc == 0:
		return ""
	}
	pct := float64(c-pc) / float64(pc) * 100
	if pct > 0 {
		return fmt.Sprintf("较%d年增长%.1f%%", prevYear, pct)
	}
	return fmt.Sprintf("较%d年下降%.1f%%", prevYear, -pct)
}

// Area is how the report's sentences name the whole of a unit: 全区 for the region (and a
// district), 全盟, 全市, 全旗, 全县, 全镇 … from the last character of the unit's name.
func Area(u region.Unit) string {
	if u.Level == region.LevelRegion {
		return "全区"
	}
	r := []rune(u.Name)
	if len(r) == 0 {
		return "全区"
	}
	switch last := string(r[len(r)-1]); last {
	case "盟", "市", "旗", "县", "区", "镇", "乡", "木":
		if last == "木" {
			return "全苏木"
		}
		return "全" + last
	}
	return u.Name
}

// sentence writes one figure: stocks "全区科技馆达到90多座", flows "全年科普活动1,300多场次",
// then the national rank and the comparison with the year before.
func sentence(rep *Report, f *Figure) Sentence {
	var s Sentence
	if f.indicator.Period == stats.Stock {
		s = append(s, Part{Text: rep.Area + f.Name + "达到"})
	} else {
		s = append(s, Part{Text: fmt.Sprintf("%d年%s%s", rep.Year, rep.Area, f.Name)})
	}
	s = append(s, Part{Text: f.Text + f.Unit, Href: f.Records})
	if f.Rank > 0 {
		s = append(s, Part{Text: fmt.Sprintf("，排在全国第%d位", f.Rank)})
	}
	if f.Change != "" {
		s = append(s, Part{Text: "，" + f.Change})
	}
	s = append(s, Part{Text: "。"})
	return s
}

// leadSentences opens the report with the literacy figures, as the seed does: "2021年，全区
// 公民具备科学素质比例8.73%，较2020年提高0.52个百分点。"; when the unit has no survey estimate
// (no verified literacy figure: no survey of the unit up to the year, or its estimate
// suppressed), a sentence saying so; then a sentence naming the report's sources.
func leadSentences(rep *Report, lit []*Figure) []Sentence {
	var out []Sentence
	surveyed := false
	for _, f := range lit {
		if !f.Known {
			continue
		}
		if f.Basis == stats.Verified.String() {
			surveyed = true
		}
		s := Sentence{{Text: fmt.Sprintf("%d年，%s%s", rep.Year, rep.Area, f.Name)}, {Text: f.Text + f.Unit, Href: f.Records}}
		if f.MeasuredIn != 0 {
			s = append(s, Part{Text: fmt.Sprintf("（%d年调查结果，%d年未再调查）", f.MeasuredIn, rep.Year)})
		}
		if f.Rank > 0 {
			s = append(s, Part{Text: fmt.Sprintf("，排在全国第%d位", f.Rank)})
		}
		if f.Change != "" {
			s = append(s, Part{Text: "，" + f.Change})
		}
		out = append(out, append(s, Part{Text: "。"}))
	}
	if !surveyed {
		out = append(out, Sentence{{Text: fmt.Sprintf(NoSurveyText, rep.Year, rep.Area)}})
	}
	if rep.Through != "" {
		out = append(out, Sentence{{Text: fmt.Sprintf(RunningYearText, rep.Year, rep.Through)}})
	}
	out = append(out, Sentence{{Text: fmt.Sprintf("本报告各项数字均由科普平台%d年的记录汇总生成，数字链接至其背后的记录；约数按两位有效数字向下取整，“多”表示实际数大于所写之数，精确值见数据附表。", rep.Year)}})
	return out
}

// ExactText writes the figure's exact value: a count with thousands separators, money in yuan
// with fen, a share with two decimals; "—" when not known.
func (f *Figure) ExactText() string {
	return exactText(f.indicator, stats.Value{Exact: f.Exact, Value: f.Value, Known: f.Known})
}

// Text returns a sentence as plain text.
func (s Sentence) Text() string {
	var b strings.Builder
	for _, p := range s {
		b.WriteString(p.Text)
	}
	return b.String()
}
