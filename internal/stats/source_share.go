package stats

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/share"
)

// shareFetcher reads information officers' sharing through share.Store.MonthsFigures, one call
// for all the months of the period (a year sums its twelve months). Kept apart: counted clicks
// (Figures.ClicksShown: counted, less those set aside by confirmed review cases) and clicks
// not counted (Figures.FlaggedSum: bots, unfurls, data centres, self-clicks, repeats), and the
// national platform's imported figures (Declared, the unit's own import, never summed).
// Shares are counted the same way: less those set aside (Figures.HeldShares).
// Keys: "shares", "clicks", "flagged", "held", "national_shares", "national_clicks",
// "national_officers".
//
// The month figures of a unit come from shareMemo, which asks share for the twelve months of
// the year at once (one grouped query, also for a month's period), so that the year, the
// twelve months and the children of a dashboard cost one call.
//
// share.MonthsFigures gives a unit's total as the sum over its children, so what is recorded
// at a unit's own code is not in it (Own is zero) and a village's figures are zero.
func (r *Registry) shareFetcher() *fetcher {
	f := &fetcher{name: "share"}
	memo := &shareMemo{}
	months := func(q Query) []string {
		if q.Month != 0 {
			return []string{fmt.Sprintf("%04d-%02d", q.Year, q.Month)}
		}
		out := make([]string, 12)
		for m := range out {
			out[m] = fmt.Sprintf("%04d-%02d", q.Year, m+1)
		}
		return out
	}
	type acc struct {
		shares, clicks, flagged, held int64
		nat                           *share.National
		natMonth                      string
	}
	add := func(a *acc, fg share.Figures, month string) {
		a.shares += fg.Shares - fg.HeldShares // what review set aside is not counted
		a.clicks += fg.ClicksShown
		a.flagged += fg.FlaggedSum
		a.held += fg.HeldClicks
		if fg.National != nil {
			a.nat, a.natMonth = fg.National, month
		}
	}
	cells := func(a acc, unit string, q Query) map[string]cell {
		ms := months(q)
		// The sharing report shows one month: the period's last one that has begun (a year's
		// December lies ahead until it comes, and its page would show zeros).
		month := ms[len(ms)-1]
		if now := r.today()[:7]; month > now {
			month = max(ms[0], now)
		}
		link := "/console/share?" + url.Values{"region": {unit}, "month": {month}}.Encode()
		out := map[string]cell{
			"shares":  {exact: a.shares, known: true, records: link},
			"clicks":  {exact: a.clicks, known: true, records: link},
			"flagged": {exact: a.flagged, known: true, records: "/console/share/cases?" + url.Values{"region": {unit}}.Encode()},
			"held":    {exact: a.held, known: true, records: "/console/share/cases?" + url.Values{"region": {unit}}.Encode()},
		}
		if a.nat != nil {
			out["national_shares"] = cell{exact: a.nat.Shares, known: true, asOf: a.natMonth, records: link}
			out["national_clicks"] = cell{exact: a.nat.Clicks, known: true, asOf: a.natMonth, records: link}
			out["national_officers"] = cell{exact: a.nat.Officers, known: true, asOf: a.natMonth, records: link}
		}
		return out
	}
	run := func(ctx context.Context, q Query) (acc, map[string]*acc, error) {
		var total acc
		kids := map[string]*acc{}
		if r.deps.Share == nil {
			return total, kids, nil
		}
		year := months(Query{Year: q.Year})
		totals, children, err := shareFigures(ctx, memo, r, q.Unit, year)
		if err != nil {
			return total, nil, err
		}
		for i, m := range year {
			if q.Month != 0 && q.Month != i+1 {
				continue
			}
			add(&total, totals[i], m)
			for _, row := range children[i] {
				if kids[row.Code] == nil {
					kids[row.Code] = &acc{}
				}
				add(kids[row.Code], row, m)
			}
		}
		return total, kids, nil
	}
	f.unit = func(ctx context.Context, q Query) (map[string]cell, error) {
		if r.deps.Share == nil {
			return nil, nil
		}
		t, _, err := run(ctx, q)
		if err != nil {
			return nil, err
		}
		return cells(t, q.Unit, q), nil
	}
	f.children = func(ctx context.Context, q Query, units []region.Unit) (map[string]map[string]cell, error) {
		out := map[string]map[string]cell{}
		if r.deps.Share == nil {
			return out, nil
		}
		_, kids, err := run(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			a := acc{}
			if k := kids[u.Code]; k != nil {
				a = *k
			}
			out[u.Code] = cells(a, u.Code, q)
		}
		return out, nil
	}
	return f
}

func (r *Registry) shareIndicators() []*Indicator {
	f := r.shareFetcher()
	sh := func(d def, agg Aggregation, basis Basis, key string) *Indicator {
		d.agg, d.basis, d.section = agg, basis, SectionInformatization
		if d.period == 0 {
			d.period = Flow
		}
		return d.ind(f, key, "share")
	}
	return []*Indicator{
		sh(def{code: "SH01", zh: "信息员转发", en: "shares by information officers (tracked)", unit: "次", unitEn: "shares", headline: true,
			definition: "信息员在 Kepu 生成的分享链接被首次打开的转发次数（按月汇总），减去核查确认搁置的转发"}, Sum, Verified, "shares"),
		sh(def{code: "SH02", zh: "计数点击", en: "counted clicks on officers' links", unit: "次", unitEn: "clicks", headline: true,
			definition: "信息员分享链接的计数点击（已剔除机器人、预览、机房、自点、重复），减去核查确认搁置的点击"}, Sum, Verified, "clicks"),
		sh(def{code: "SH03", zh: "未计数点击", en: "clicks not counted (flagged)", unit: "次", unitEn: "clicks",
			definition: "被判定为机器人、链接预览、机房、本人或重复而未计数的点击，与计数点击分开"}, Sum, Verified, "flagged"),
		sh(def{code: "SH04", zh: "核查搁置点击", en: "clicks set aside by review cases", unit: "次", unitEn: "clicks",
			definition: "核查案件确认后从排名中搁置的点击"}, Sum, Verified, "held"),
		sh(def{code: "SH05", zh: "科普中国平台转发（导入）", en: "items shared by information officers from the national platform", unit: "次", unitEn: "shares", period: Stock,
			seed: "items shared by information officers from the national platform", definition: "科普中国后台导出的本单位转发量（最近一次导入，平台口径，不与下级相加）"}, Latest, Declared, "national_shares"),
		sh(def{code: "SH06", zh: "科普中国平台点击（导入）", en: "clicks on the national platform (imported)", unit: "次", unitEn: "clicks", period: Stock,
			definition: "科普中国后台导出的本单位点击量（最近一次导入）"}, Latest, Declared, "national_clicks"),
		sh(def{code: "SH07", zh: "科普中国平台信息员（导入）", en: "information officers on the national platform (imported)", unit: "人", unitEn: "people", period: Stock,
			definition: "科普中国后台导出的本单位注册信息员（最近一次导入）"}, Latest, Declared, "national_officers"),
	}
}

// shareMonths is what share.MonthsFigures returns: a unit's totals and its children's figures,
// month by month.
type shareMonths struct {
	totals   []share.Figures
	children [][]share.Figures
}

// shareMemo shares share.MonthsFigures results (a unit's months, its totals and its children's
// rows) between the batches of statistics that need them: a dashboard asks for the year, each
// of its twelve months and the children's year, which are the same twelve months three times
// over.
type shareMemo = sourceMemo[shareMonths]

// shareFigures returns share.MonthsFigures(unit, months), shared through memo.
func shareFigures(ctx context.Context, memo *shareMemo, r *Registry, unit string, months []string) ([]share.Figures, [][]share.Figures, error) {
	m, err := memo.get(ctx, r, unit+"|"+strings.Join(months, ","), func(ctx context.Context) (shareMonths, error) {
		t, k, err := r.deps.Share.MonthsFigures(ctx, unit, months)
		return shareMonths{t, k}, err
	})
	return m.totals, m.children, err
}

// sourceMemo shares a source's results between the batches of statistics that need them
// (shareMemo, quizMemo): concurrent callers for the same key wait for one call; a result is
// reused for at most sourceMemoFor (a figure computed from it is at most that much older than
// its snapshot says), never when MaxAge is 0 (live figures), and under Refreshing or
// RefreshingOlderThan only when asked after the snapshots it may read (Registry.notBefore).
type sourceMemo[T any] struct {
	mu sync.Mutex
	m  map[string]*memoEntry[T]
}

type memoEntry[T any] struct {
	done chan struct{}
	at   time.Time
	v    T
	err  error
}

// sourceMemoFor is how long a result is reused: long enough for one dashboard, report or
// refresher round, short against the snapshots' MaxAge (10 minutes in serve).
const sourceMemoFor = time.Minute

// sourceMemoMax bounds the entries kept (units × periods); expired entries go first, then all.
const sourceMemoMax = 512

// get returns compute's result for key, shared as sourceMemo says (computed at once when
// r.MaxAge is 0). A failed computation is not kept.
func (c *sourceMemo[T]) get(ctx context.Context, r *Registry, key string, compute func(context.Context) (T, error)) (T, error) {
	var zero T
	if r.MaxAge <= 0 {
		return compute(ctx)
	}
	now := r.now()
	after := r.notBefore(ctx) // under Refreshing: only what was asked since it began
	if t := now.Add(-sourceMemoFor); t.After(after) {
		after = t
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]*memoEntry[T]{}
	}
	e := c.m[key]
	reuse := e != nil
	if reuse {
		select {
		case <-e.done: // finished: reuse only when young enough and not failed
			reuse = e.err == nil && e.at.After(after)
		default: // running: wait for it if it started late enough
			reuse = e.at.After(after)
		}
	}
	if !reuse {
		if len(c.m) >= sourceMemoMax {
			for k, old := range c.m {
				select {
				case <-old.done:
					if !old.at.After(now.Add(-sourceMemoFor)) {
						delete(c.m, k)
					}
				default:
				}
			}
			if len(c.m) >= sourceMemoMax {
				c.m = map[string]*memoEntry[T]{}
			}
		}
		e = &memoEntry[T]{done: make(chan struct{}), at: now}
		c.m[key] = e
		c.mu.Unlock()
		e.v, e.err = compute(ctx)
		close(e.done)
		if e.err != nil {
			c.mu.Lock()
			if c.m[key] == e {
				delete(c.m, key)
			}
			c.mu.Unlock()
			return zero, e.err
		}
		return e.v, nil
	}
	c.mu.Unlock()
	select {
	case <-e.done:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	if e.err != nil {
		return zero, e.err
	}
	return e.v, nil
}
