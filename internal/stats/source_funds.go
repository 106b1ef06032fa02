package stats

import (
	"context"
	"net/url"

	"github.com/kepu/kepu/internal/region"
)

// fundsFetcher sums the funds ledger (stats_fund_entries, owned here) by category for the
// period. Keys: category slugs, "income", "spending".
func (r *Registry) fundsFetcher() *fetcher {
	f := &fetcher{name: "funds"}
	cells := func(q Query, byCat map[string]int64, unit string, exact bool) map[string]cell {
		from, to := q.Bounds()
		link := func(cat string) string {
			v := url.Values{"region": {unit}, "from": {from}, "to": {to}}
			if cat != "" {
				v.Set("category", cat)
			}
			if exact {
				v.Set("exact", "1")
			}
			return "/console/funds?" + v.Encode()
		}
		out := map[string]cell{}
		var in, sp int64
		for _, c := range FundCategories {
			n := byCat[c.Slug]
			out[c.Slug] = cell{exact: n, known: true, records: link(c.Slug)}
			if c.Direction == Income {
				in += n
			} else {
				sp += n
			}
		}
		out[Income] = cell{exact: in, known: true, records: link("")}
		out[Spending] = cell{exact: sp, known: true, records: link("")}
		return out
	}
	run := func(ctx context.Context, q Query, exact bool) (map[string]cell, error) {
		from, to := q.Bounds()
		t, err := r.Funds.Totals(ctx, FundFilter{Scope: q.Scope, Region: q.Unit, Exact: exact, From: from, To: to}, 0)
		if err != nil {
			return nil, err
		}
		return cells(q, t[""], q.Unit, exact), nil
	}
	f.unit = func(ctx context.Context, q Query) (map[string]cell, error) { return run(ctx, q, false) }
	f.own = func(ctx context.Context, q Query) (map[string]cell, error) { return run(ctx, q, true) }
	f.children = func(ctx context.Context, q Query, kids []region.Unit) (map[string]map[string]cell, error) {
		from, to := q.Bounds()
		n := childPrefixLen(q.Unit)
		t, err := r.Funds.Totals(ctx, FundFilter{Scope: q.Scope, Region: q.Unit, From: from, To: to}, n)
		if err != nil {
			return nil, err
		}
		out := map[string]map[string]cell{}
		for _, k := range kids {
			out[k.Code] = cells(q, t[prefixOf(k.Code, n)], k.Code, false)
		}
		return out, nil
	}
	return f
}

// childPrefixLen is how many leading digits of a canonical code name the child of parent that
// holds it (as activity's roll-up groups).
func childPrefixLen(parent string) int {
	switch region.LevelOf(parent) {
	case region.LevelRegion:
		return 4
	case region.LevelLeague:
		return 6
	case region.LevelBanner:
		return 9
	}
	return 12
}

// prefixOf is the first n digits of a canonical code.
func prefixOf(code string, n int) string {
	if len(code) < n {
		return code
	}
	return code[:n]
}

func (r *Registry) fundIndicators() []*Indicator {
	f := r.fundsFetcher()
	fund := func(d def, key string) *Indicator {
		d.agg, d.basis, d.period, d.section = Sum, Declared, Flow, SectionFunds
		ind := d.ind(f, key, "funds")
		ind.Money, ind.Unit, ind.UnitEn = true, "元", "yuan"
		return ind
	}
	out := []*Indicator{
		fund(def{code: "KJ01", zh: "科普经费筹集额", en: "funds raised", headline: true, definition: "经费台账中期内收入之和（政府拨款、专项经费、捐赠、自筹、其他）"}, Income),
	}
	for _, c := range FundCategories {
		if c.Direction == Income {
			out = append(out, fund(def{code: c.Code, zh: c.NameZh, en: c.NameEn, definition: "经费台账中期内类别为“" + c.NameZh + "”的收入之和"}, c.Slug))
		}
	}
	out = append(out, fund(def{code: "KJ11", zh: "科普经费使用额", en: "funds spent", headline: true, definition: "经费台账中期内支出之和"}, Spending))
	for _, c := range FundCategories {
		if c.Direction == Spending {
			out = append(out, fund(def{code: c.Code, zh: c.NameZh, en: c.NameEn, definition: "经费台账中期内类别为“" + c.NameZh + "”的支出之和"}, c.Slug))
		}
	}
	return out
}
