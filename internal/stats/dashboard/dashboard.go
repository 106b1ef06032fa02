// Package dashboard serves the statistics dashboard: for a chosen unit and year, the headline
// indicators grouped in the seed report's sections (infrastructure, talent, informatization,
// activities, literacy), each with the year before and the change, trends by month, the unit's
// rank among its siblings, its child units side by side and an optional map layer from an
// operator-supplied GeoJSON boundary file (Kepu ships none: maps published in China need
// official approval). Every number links to the records behind it. Charts are drawn by Apache
// ECharts (npm echarts, embedded as internal/web/static/stats-echarts.min.js by
// scripts/stats-echarts.sh); without JavaScript the page reads as tables.
//
// It reads figures only through the indicator registry of package stats and keeps the boundary
// file in the settings table; it never reads another domain's tables.
package dashboard

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
)

// EChartsAsset is the static file name of the embedded ECharts build.
const EChartsAsset = "stats-echarts.min.js"

// Sections are the dashboard's sections, in the seed's order.
var Sections = []string{stats.SectionInfrastructure, stats.SectionTalent, stats.SectionInformatization,
	stats.SectionActivities, stats.SectionLiteracy}

// Row is one headline figure: this year, the year before, the change and the unit's rank among
// its siblings.
type Row struct {
	Ind      *stats.Indicator
	Cur      stats.Value
	Prev     stats.Value
	Change   float64 // Cur − Prev (counts: exact; money: yuan; ratios: points)
	Percent  float64 // relative change in percent; valid when HasPct
	HasPct   bool
	Partial  bool // a flow of a running year: no change against the whole year before
	Rank     int  // 1 = largest among the siblings; 0 = not ranked (no parent in scope, not known)
	Siblings int  // how many siblings (the unit included) were ranked
}

// Section is one group of rows.
type Section struct {
	Code, Name string // Name in Chinese
	NameEn     string
	Rows       []*Row
}

// NameIn is the section's name in a page language (English for "en…").
func (s Section) NameIn(lang string) string {
	if strings.HasPrefix(lang, "en") && s.NameEn != "" {
		return s.NameEn
	}
	return s.Name
}

// Trend is one flow indicator month by month in the year.
type Trend struct {
	Ind    *stats.Indicator
	Months [12]stats.Value
}

// Child is a child unit of the chosen unit with its headline values (in Data.Codes order).
type Child struct {
	Code, Name string
	Values     []stats.Value
}

// Data is the dashboard of one unit and year.
type Data struct {
	Unit     region.Unit
	Parent   *region.Unit // nil when the parent is outside the caller's scope (no ranks)
	Year     int
	Sections []Section
	Trends   []Trend
	Codes    []string // headline codes, the columns of Children
	Children []Child
	// Through is, while the year runs (China date), the day its flows count up to
	// ("2006-01-02"); "" for an ended year. Flows of a running year are not compared with the
	// whole year before (Row.Partial), as the annual report does not compare them.
	Through string
}

// Indicators returns the dashboard's indicators: the registry's headline indicators of the
// dashboard's sections, or every indicator of those sections when none is marked headline.
func Indicators(reg *stats.Registry) []*stats.Indicator {
	in := map[string]bool{}
	for _, s := range Sections {
		in[s] = true
	}
	var out []*stats.Indicator
	for _, ind := range reg.Headline() {
		if in[ind.Section] {
			out = append(out, ind)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, s := range Sections {
		out = append(out, reg.Section(s)...)
	}
	return out
}

// number is a value as a comparable number: the exact count for counts and money, the value
// for ratios and shares.
func number(v stats.Value) float64 {
	if v.Indicator != nil && (v.Indicator.Agg == stats.Sum || v.Indicator.Agg == stats.DistinctCount) {
		return float64(v.Exact)
	}
	if v.Indicator != nil && v.Indicator.Money {
		return float64(v.Exact) / 100
	}
	return v.Value
}

// Build computes the dashboard of q.Unit for q.Year within q.Scope: the headline values of
// the year and the year before, the rank among siblings (when the caller's scope covers the
// parent), trends by month of the flow indicators and the child units' values. Errors are the
// registry's (stats.ErrOutOfScope, stats.ErrBadQuery …) and the region store's.
func Build(ctx context.Context, reg *stats.Registry, regions *region.Store, q stats.Query) (*Data, error) {
	q.Month = 0
	if q.Unit == "" {
		if roots := q.Scope.Roots(); len(roots) == 1 {
			q.Unit = roots[0]
		}
	}
	if c, err := region.Normalize(q.Unit); err == nil {
		q.Unit = c
	}
	if !q.Scope.Contains(q.Unit) {
		return nil, stats.ErrOutOfScope
	}
	inds := Indicators(reg)
	codes := make([]string, len(inds))
	for i, ind := range inds {
		codes[i] = ind.Code
	}
	u, err := regions.Get(ctx, q.Unit)
	if err != nil {
		return nil, fmt.Errorf("dashboard.Build: %w", err)
	}
	var flows []int
	var flowCodes []string
	for i, ind := range inds {
		if ind.Period == stats.Flow {
			flows = append(flows, i)
			flowCodes = append(flowCodes, ind.Code)
		}
	}
	// The batches are independent: run them side by side (the registry is safe for concurrent
	// use; SQLite in WAL mode and PostgreSQL serve readers in parallel), at most parallel at once.
	var (
		cur, prev  []stats.Value
		sibs, kids [][]stats.Value
		months     [12][]stats.Value
		parent     *region.Unit
	)
	pq := q
	pq.Year--
	jobs := []func() error{
		func() (err error) { cur, err = reg.Values(ctx, q, codes...); return },
		func() (err error) { prev, err = reg.Values(ctx, pq, codes...); return },
		func() (err error) { kids, err = reg.ChildrenValues(ctx, q, codes...); return },
	}
	// Ranks among siblings: only when the caller may see the parent's other children.
	if u.ParentCode != "" && q.Scope.Contains(u.ParentCode) {
		jobs = append(jobs, func() error {
			p, err := regions.Get(ctx, u.ParentCode)
			if err != nil {
				return err
			}
			parent = &p
			sq := q
			sq.Unit = p.Code
			sibs, err = reg.ChildrenValues(ctx, sq, codes...)
			return err
		})
	}
	if len(flowCodes) > 0 {
		for m := 1; m <= 12; m++ {
			jobs = append(jobs, func() (err error) {
				mq := q
				mq.Month = m
				months[m-1], err = reg.Values(ctx, mq, flowCodes...)
				return
			})
		}
	}
	if err := runAll(jobs); err != nil {
		return nil, fmt.Errorf("dashboard.Build: %w", err)
	}
	d := &Data{Unit: u, Year: q.Year, Codes: codes, Parent: parent}
	if today, ok := reg.Running(q.Year); ok {
		d.Through = today.Format("2006-01-02")
	}
	rows := make([]*Row, len(inds))
	for i, ind := range inds {
		r := &Row{Ind: ind, Cur: cur[i], Prev: prev[i], Partial: d.Through != "" && ind.Period == stats.Flow}
		if r.Cur.Known && r.Prev.Known && !r.Partial {
			c, p := number(r.Cur), number(r.Prev)
			r.Change = c - p
			if p != 0 && ind.Agg != stats.RatioOfSums && ind.Agg != stats.Latest {
				r.Percent, r.HasPct = (c-p)/p*100, true
			}
		}
		if parent != nil {
			r.Rank, r.Siblings = rank(sibs, i, u.Code)
		}
		rows[i] = r
	}
	for _, vs := range kids {
		if len(vs) == 0 {
			continue
		}
		d.Children = append(d.Children, Child{Code: vs[0].Unit, Name: vs[0].UnitName, Values: vs})
	}
	if len(flowCodes) > 0 {
		d.Trends = make([]Trend, len(flows))
		for j, i := range flows {
			d.Trends[j].Ind = inds[i]
			for m := range 12 {
				d.Trends[j].Months[m] = months[m][j]
			}
		}
	}
	for _, s := range Sections {
		sec := Section{Code: s}
		for _, st := range stats.Sections {
			if st.Code == s {
				sec.Name, sec.NameEn = st.NameZh, st.NameEn
			}
		}
		for _, r := range rows {
			if r.Ind.Section == s {
				sec.Rows = append(sec.Rows, r)
			}
		}
		if len(sec.Rows) > 0 {
			d.Sections = append(d.Sections, sec)
		}
	}
	return d, nil
}

// parallel is how many registry batches Build runs at once.
const parallel = 4

// runAll runs the jobs, at most parallel at a time, and returns the first error.
func runAll(jobs []func() error) error {
	sem := make(chan struct{}, parallel)
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = job()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// rank gives the rank (1 = largest; ties share the better rank) of unit among the siblings'
// values of indicator column i, and how many siblings had a known value. A unit whose value
// is not known is not ranked.
func rank(sibs [][]stats.Value, i int, unit string) (int, int) {
	var mine *stats.Value
	var nums []float64
	for _, vs := range sibs {
		v := vs[i]
		if !v.Known {
			continue
		}
		nums = append(nums, number(v))
		if v.Unit == unit {
			vv := v
			mine = &vv
		}
	}
	if mine == nil {
		return 0, len(nums)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(nums)))
	x := number(*mine)
	for k, n := range nums {
		if n == x {
			return k + 1, len(nums)
		}
	}
	return 0, len(nums)
}

// Codes returns the codes of Indicators(reg).
func Codes(reg *stats.Registry) []string {
	var out []string
	for _, ind := range Indicators(reg) {
		out = append(out, ind.Code)
	}
	return out
}
