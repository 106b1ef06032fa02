package stats

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/quiz"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share"
	"github.com/kepu/kepu/internal/survey"
)

// Deps are the stores the indicators read through (each domain's exported functions only) and
// the database of the funds ledger, which stats owns.
type Deps struct {
	DB       *db.DB
	Regions  *region.Store
	Registry *registry.Store
	Activity *activity.Store
	Content  *content.Store
	Survey   *survey.Store // nil: literacy figures unknown
	Share    *share.Store  // nil: sharing figures unknown
	Quiz     *quiz.Store   // nil: quiz figures unknown
	Forms    AcceptedForms // the accepted annual statistics forms (stats/forms.Store); nil: declared figures unknown
}

// Registry holds every indicator and computes their values. It is safe for concurrent use.
type Registry struct {
	deps  Deps
	list  []*Indicator
	byKey map[string]*Indicator
	Funds *Funds           // the funds ledger (income and spending entries per unit)
	Now   func() time.Time // nil = time.Now; the date stock figures are read at
	// MaxAge is how long a computed source's figures for a unit and period are reused from
	// stats_snapshots; 0 (New's default) computes every figure live from the domains.
	MaxAge time.Duration
}

// New builds the registry of every indicator over the given stores.
func New(d Deps) *Registry {
	r := &Registry{deps: d, byKey: map[string]*Indicator{}, Funds: &Funds{DB: d.DB, Regions: d.Regions}}
	r.Funds.Changed = func(ctx context.Context, code string) { r.Forget(ctx, code, "funds") }
	for _, ind := range r.define() {
		if _, dup := r.byKey[ind.Code]; dup {
			panic("stats: indicator defined twice: " + ind.Code)
		}
		r.byKey[ind.Code] = ind
		r.list = append(r.list, ind)
	}
	for _, ind := range r.list {
		if ind.Agg == RatioOfSums {
			n, d := r.byKey[ind.Numerator], r.byKey[ind.Denominator]
			if n == nil || d == nil || n.Agg != Sum || d.Agg != Sum {
				panic("stats: ratio " + ind.Code + " needs two Sum indicators")
			}
		} else if ind.fetch == nil {
			panic("stats: indicator without a computation: " + ind.Code)
		}
	}
	return r
}

// All returns every indicator in display order (by section, then definition order). The
// slice is shared: do not modify it.
func (r *Registry) All() []*Indicator { return r.list }

// Get returns the indicator with the code.
func (r *Registry) Get(code string) (*Indicator, bool) {
	ind, ok := r.byKey[code]
	return ind, ok
}

// Section returns the indicators of one section in display order.
func (r *Registry) Section(code string) []*Indicator {
	var out []*Indicator
	for _, ind := range r.list {
		if ind.Section == code {
			out = append(out, ind)
		}
	}
	return out
}

// Headline returns the dashboard's headline indicators in display order.
func (r *Registry) Headline() []*Indicator {
	var out []*Indicator
	for _, ind := range r.list {
		if ind.Headline {
			out = append(out, ind)
		}
	}
	return out
}

// cell is one computed figure before it becomes a Value.
type cell struct {
	exact     int64
	value     float64 // used when the figure is not an integer count (survey shares)
	float     bool
	own       int64
	low, high float64
	known     bool
	asOf      string
	records   string
}

// fetcher computes, with as few queries as it can, every indicator of one source at a unit
// (and optionally at each of its children): results are keyed by Indicator.key.
type fetcher struct {
	name string
	// unit computes the figures at q.Unit (its whole subtree), own included for Sum figures.
	unit func(ctx context.Context, q Query) (map[string]cell, error)
	// children computes the figures at each child unit of q.Unit (child code → key → cell);
	// nil means unit is called once per child.
	children func(ctx context.Context, q Query, kids []region.Unit) (map[string]map[string]cell, error)
	// own computes the Sum figures recorded at exactly q.Unit (not below it), independently of
	// unit, for the "本级" row and the additivity property; nil = nothing is recorded at a unit
	// that its children do not hold.
	own func(ctx context.Context, q Query) (map[string]cell, error)
}

// today is the China date of now.
func (r *Registry) today() string {
	return r.now().In(china).Format("2006-01-02")
}

// Running returns, while year has not ended (China time, on the registry's clock), today's
// date: the day that year's flows count up to, so that they are not compared with a whole
// year (report and dashboard). ok is false for an ended (or future) year.
func (r *Registry) Running(year int) (today time.Time, ok bool) {
	t := r.now().In(china)
	return t, t.Year() == year
}

// Value computes one indicator at q.Unit for q.Year (and q.Month when not 0). Errors:
// ErrUnknownIndicator, ErrBadQuery, ErrOutOfScope, and the sources' own.
func (r *Registry) Value(ctx context.Context, code string, q Query) (Value, error) {
	vs, err := r.Values(ctx, q, code)
	if err != nil {
		return Value{}, err
	}
	return vs[0], nil
}

// Values computes many indicators at q.Unit at once, in the order asked (every indicator when
// no code is given), calling each source once (or reading its snapshot younger than MaxAge).
// q.Scope is required: the unit must lie inside it (ErrOutOfScope otherwise). UnitName is
// filled.
func (r *Registry) Values(ctx context.Context, q Query, codes ...string) ([]Value, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, err
	}
	inds, err := r.resolve(codes)
	if err != nil {
		return nil, err
	}
	cells, err := r.compute(ctx, q, inds)
	if err != nil {
		return nil, err
	}
	name := ""
	if r.deps.Regions != nil {
		if u, err := r.deps.Regions.Get(ctx, q.Unit); err == nil {
			name = u.Name
		}
	}
	out := make([]Value, len(inds))
	for i, ind := range inds {
		out[i] = r.valueOf(ind, q, cells)
		out[i].UnitName = name
	}
	return out, nil
}

// Children computes one indicator at each child unit of q.Unit that the scope covers, in code
// order (for ranks among siblings and maps). UnitName is filled.
func (r *Registry) Children(ctx context.Context, code string, q Query) ([]Value, error) {
	all, err := r.ChildrenValues(ctx, q, code)
	if err != nil {
		return nil, err
	}
	out := make([]Value, len(all))
	for i, vs := range all {
		out[i] = vs[0]
	}
	return out, nil
}

// ChildrenValues computes many indicators at each child unit of q.Unit: one slice per child
// (code order), each in the order of codes.
func (r *Registry) ChildrenValues(ctx context.Context, q Query, codes ...string) ([][]Value, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, err
	}
	inds, err := r.resolve(codes)
	if err != nil {
		return nil, err
	}
	kids, err := r.deps.Regions.Children(ctx, q.Unit)
	if err != nil {
		return nil, fmt.Errorf("stats.Children: %w", err)
	}
	var in []region.Unit
	for _, k := range kids {
		if q.Scope.Contains(k.Code) {
			in = append(in, k)
		}
	}
	per := make([]map[string]map[string]cell, len(in)) // child → fetch → key → cell
	for i := range per {
		per[i] = map[string]map[string]cell{}
	}
	kidCodes := make([]string, len(in))
	for i, k := range in {
		kidCodes[i] = k.Code
	}
	snaps, err := r.snapshots(ctx, kidCodes, q)
	if err != nil {
		return nil, err
	}
	var ks []kept // computed here, stored at the end in one statement
	for _, f := range fetchersOf(expand(r, inds)) {
		missing := false
		for i, k := range in {
			if m, ok := snaps[k.Code][f.name]; ok {
				per[i][f.name] = m
			} else {
				missing = true
			}
		}
		if !missing {
			continue
		}
		if f.children != nil {
			m, err := f.children(ctx, q, in)
			if err != nil {
				return nil, err
			}
			for i, k := range in {
				per[i][f.name] = m[k.Code]
				ks = append(ks, kept{k.Code, f.name, m[k.Code]})
			}
			continue
		}
		for i, k := range in {
			if _, ok := snaps[k.Code][f.name]; ok {
				continue
			}
			cq := q
			cq.Unit = k.Code
			m, err := f.unit(ctx, cq)
			if err != nil {
				return nil, err
			}
			per[i][f.name] = m
			ks = append(ks, kept{k.Code, f.name, m})
		}
	}
	if err := r.keepAll(ctx, q, ks); err != nil {
		return nil, err
	}
	out := make([][]Value, len(in))
	for i, k := range in {
		cq := q
		cq.Unit = k.Code
		out[i] = make([]Value, len(inds))
		for j, ind := range inds {
			v := r.valueOf(ind, cq, per[i])
			v.UnitName = k.Name
			out[i][j] = v
		}
	}
	return out, nil
}

// Monthly computes one indicator at q.Unit for each month of q.Year (q.Month is ignored):
// flows within each month, stocks at each month's end.
func (r *Registry) Monthly(ctx context.Context, code string, q Query) ([12]Value, error) {
	var out [12]Value
	for m := 1; m <= 12; m++ {
		mq := q
		mq.Month = m
		v, err := r.Value(ctx, code, mq)
		if err != nil {
			return out, err
		}
		out[m-1] = v
	}
	return out, nil
}

func (r *Registry) resolve(codes []string) ([]*Indicator, error) {
	if len(codes) == 0 {
		return r.list, nil
	}
	inds := make([]*Indicator, len(codes))
	for i, c := range codes {
		ind, ok := r.byKey[c]
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownIndicator, c)
		}
		inds[i] = ind
	}
	return inds, nil
}

// expand adds the numerators and denominators of ratios.
func expand(r *Registry, inds []*Indicator) []*Indicator {
	out := append([]*Indicator(nil), inds...)
	for _, ind := range inds {
		if ind.Agg == RatioOfSums {
			out = append(out, r.byKey[ind.Numerator], r.byKey[ind.Denominator])
		}
	}
	return out
}

// fetchersOf lists the distinct fetchers of the indicators in a stable order.
func fetchersOf(inds []*Indicator) []*fetcher {
	seen := map[*fetcher]bool{}
	var out []*fetcher
	for _, ind := range inds {
		if ind.fetch != nil && !seen[ind.fetch] {
			seen[ind.fetch] = true
			out = append(out, ind.fetch)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// compute runs each needed fetcher once for q.Unit (concurrently: they read different
// domains), giving fetch name → key → cell.
func (r *Registry) compute(ctx context.Context, q Query, inds []*Indicator) (map[string]map[string]cell, error) {
	fs := fetchersOf(expand(r, inds))
	snaps, err := r.snapshots(ctx, []string{q.Unit}, q)
	if err != nil {
		return nil, err
	}
	res := make([]map[string]cell, len(fs))
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		if m, ok := snaps[q.Unit][f.name]; ok {
			res[i] = m
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i], errs[i] = f.unit(ctx, q)
		}()
	}
	wg.Wait()
	out := map[string]map[string]cell{}
	var ks []kept
	for i, f := range fs {
		if errs[i] != nil {
			return nil, fmt.Errorf("stats: %s: %w", f.name, errs[i])
		}
		out[f.name] = res[i]
		if _, ok := snaps[q.Unit][f.name]; !ok {
			ks = append(ks, kept{q.Unit, f.name, res[i]})
		}
	}
	if err := r.keepAll(ctx, q, ks); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *Registry) valueOf(ind *Indicator, q Query, cells map[string]map[string]cell) Value {
	v := Value{Indicator: ind, Code: ind.Code, Unit: q.Unit, Year: q.Year, Month: q.Month}
	if ind.Agg == RatioOfSums {
		n := r.valueOf(r.byKey[ind.Numerator], q, cells)
		d := r.valueOf(r.byKey[ind.Denominator], q, cells)
		v.Num, v.Den = n.Value, d.Value
		v.Known = n.Known && d.Known && d.Value != 0
		if v.Known {
			v.Value = round(n.Value/d.Value*scale(ind), 4)
		}
		v.Records = n.Records
		return v
	}
	c, ok := cells[ind.fetch.name][ind.key]
	if !ok {
		return v
	}
	v.Exact, v.Own, v.Known, v.AsOf, v.Records, v.Low, v.High = c.exact, c.own, c.known, c.asOf, c.records, c.low, c.high
	switch {
	case c.float:
		v.Value = c.value
	case ind.Money:
		v.Value = float64(c.exact) / 100
	default:
		v.Value = float64(c.exact)
	}
	return v
}

func scale(ind *Indicator) float64 {
	if ind.Scale == 0 {
		return 1
	}
	return ind.Scale
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// Own computes Sum indicators as recorded at exactly q.Unit, not below it (the "本级" part of
// a unit's value): for every additive indicator, Value(unit) = Σ Value(child) + Own(unit).
// Other indicators come back with Known false. Sources read the unit's own records with
// their own exact-unit filters, independently of Value.
func (r *Registry) Own(ctx context.Context, q Query, codes ...string) ([]Value, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, err
	}
	inds, err := r.resolve(codes)
	if err != nil {
		return nil, err
	}
	cells := map[string]map[string]cell{}
	for _, f := range fetchersOf(inds) {
		if f.own == nil {
			continue
		}
		m, err := f.own(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("stats: %s: %w", f.name, err)
		}
		cells[f.name] = m
	}
	out := make([]Value, len(inds))
	for i, ind := range inds {
		if ind.Agg != Sum {
			out[i] = Value{Indicator: ind, Code: ind.Code, Unit: q.Unit, Year: q.Year, Month: q.Month}
			continue
		}
		out[i] = r.valueOf(ind, q, cells)
		if ind.fetch.own == nil {
			out[i].Known = true // nothing recorded at the unit beyond its children
		}
	}
	return out, nil
}
