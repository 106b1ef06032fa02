package stats

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// regCount is one count of registry records: a kind, optionally narrowed by enum fields
// (several alternatives of one field are summed).
type regCount struct {
	key   string
	kind  *registry.Kind
	field string   // enum field narrowing the count ("" = none)
	any   []string // values of field, summed
}

func (c regCount) filters() []map[string]string {
	if c.field == "" {
		return []map[string]string{nil}
	}
	out := make([]map[string]string, len(c.any))
	for i, v := range c.any {
		out[i] = map[string]string{c.field: v}
	}
	return out
}

// records is the registry list page of exactly the records counted, within unit as of the
// day asOf (several values of the enum field go comma-separated: any of them).
func (c regCount) records(unit, asOf string) string {
	v := url.Values{"within": {unit}, "asof": {asOf}}
	if c.field != "" {
		v.Set(c.field, strings.Join(c.any, ","))
	}
	return "/console/registry/" + c.kind.Slug + "?" + v.Encode()
}

// stockDay is the day a stock figure of q holds for: the last day of the period, or today
// while the period has not ended (China dates, 2006-01-02).
func (r *Registry) stockDay(q Query) string {
	_, end := q.Bounds()
	return min(end, r.today())
}

// registryFetcher counts the registry records in the unit's subtree that existed at the end of
// the period (registry.Filter.AsOf: begun by then, not closed by then; today while the period
// runs), so that a past year's stock is the count of that year's end, not of today. One
// registry.Store.KindsStocksAsOf answers every count, for the unit or for all its children at
// once (summed from the registry's stock rows for regions, leagues and banners). AsOf and the records link carry that day; the link lists exactly the records
// counted.
func (r *Registry) registryFetcher(counts []regCount) *fetcher {
	f := &fetcher{name: "registry"}
	var kinds []*registry.Kind
	for _, c := range counts {
		if !slices.Contains(kinds, c.kind) {
			kinds = append(kinds, c.kind)
		}
	}
	// stocks computes every count at each of units as of day: unit → key → cell.
	stocks := func(ctx context.Context, q Query, units []string) (map[string]map[string]cell, error) {
		day := r.stockDay(q)
		out := map[string]map[string]cell{}
		for _, u := range units {
			out[u] = map[string]cell{}
		}
		all, err := r.deps.Registry.KindsStocksAsOf(ctx, kinds, q.Scope, units, day)
		if err != nil {
			return nil, err
		}
		for _, k := range kinds {
			m := all[k.Slug]
			for _, c := range counts {
				if c.kind != k {
					continue
				}
				for _, u := range units {
					var n int64
					for _, en := range c.filters() {
						k, ok := m[u].Count(en)
						if !ok {
							return nil, fmt.Errorf("stats: registry %s keeps no stock by %v", c.kind.Slug, en)
						}
						n += int64(k)
					}
					out[u][c.key] = cell{exact: n, known: true, asOf: day, records: c.records(u, day)}
				}
			}
		}
		return out, nil
	}
	f.unit = func(ctx context.Context, q Query) (map[string]cell, error) {
		m, err := stocks(ctx, q, []string{q.Unit})
		if err != nil {
			return nil, err
		}
		return m[q.Unit], nil
	}
	f.children = func(ctx context.Context, q Query, kids []region.Unit) (map[string]map[string]cell, error) {
		units := make([]string, len(kids))
		for i, k := range kids {
			units[i] = k.Code
		}
		return stocks(ctx, q, units)
	}
	f.own = func(ctx context.Context, q Query) (map[string]cell, error) {
		out := map[string]cell{}
		for _, c := range counts {
			var n int64
			for _, en := range c.filters() {
				k, err := r.ownRecords(ctx, c.kind, q, en)
				if err != nil {
					return nil, err
				}
				n += k
			}
			out[c.key] = cell{exact: n, known: true}
		}
		return out, nil
	}
	return f
}

// ownRecords counts the records at exactly q.Unit as of the period's stock day (one count on
// the region code index; paging the subtree's list for them counted the whole subtree first).
func (r *Registry) ownRecords(ctx context.Context, k *registry.Kind, q Query, enums map[string]string) (int64, error) {
	n, err := r.deps.Registry.Count(ctx, k, registry.Filter{Scope: q.Scope, Within: q.Unit, Own: true, Enums: enums, AsOf: r.stockDay(q)})
	return int64(n), err
}

func kind(slug string) *registry.Kind {
	k, ok := registry.KindBySlug(slug)
	if !ok {
		panic("stats: no registry kind " + slug)
	}
	return k
}

func (r *Registry) registryIndicators() []*Indicator {
	grass := registry.GrassrootsTypes
	counts := []regCount{
		{key: "museums", kind: kind("museums")},
		{key: "museum_libraries", kind: kind("museums"), field: "has_library", any: []string{"true"}},
		{key: "mobile_museums", kind: kind("mobile-museums")},
		{key: "caravans", kind: kind("caravans")},
		{key: "bases", kind: kind("bases")},
		{key: "estations", kind: kind("e-stations"), field: "status", any: []string{"accredited"}},
		{key: "partnerships", kind: kind("partnerships")},
		{key: "associations_grassroots", kind: kind("associations"), field: "org_type", any: grass},
		{key: "staff", kind: kind("staff")},
		{key: "staff_full", kind: kind("staff"), field: "employment", any: []string{"full"}},
		{key: "staff_part", kind: kind("staff"), field: "employment", any: []string{"part"}},
		{key: "staff_heads", kind: kind("staff"), field: "part_time_role", any: []string{"hospital", "school", "farm_station"}},
		{key: "lecturers", kind: kind("lecturers")},
		{key: "expert_teams", kind: kind("expert-teams")},
		{key: "experts", kind: kind("experts")},
		{key: "volunteer_teams", kind: kind("volunteer-teams")},
		{key: "volunteers", kind: kind("volunteers")},
		{key: "officers", kind: kind("officers"), field: "status", any: []string{"active"}},
		{key: "departments", kind: kind("departments")},
	}
	f := r.registryFetcher(counts)
	reg := func(d def, key string) *Indicator {
		d.agg, d.basis, d.period = Sum, Verified, Stock
		return d.ind(f, key, "registry")
	}
	return []*Indicator{
		reg(def{code: "KC01", zh: "科技馆", en: "science museums", unit: "座", unitEn: "venues", section: SectionInfrastructure, headline: true,
			seed: "science and technology museums at banner level and above", definition: "登记在册的科技馆（自治区、盟市、旗县三级）"}, "museums"),
		reg(def{code: "KC02", zh: "流动科技馆", en: "mobile science museum sets", unit: "套", unitEn: "sets", section: SectionInfrastructure, headline: true,
			seed: "mobile science museum sets", definition: "登记在册的流动科技馆展品套数"}, "mobile_museums"),
		reg(def{code: "KC03", zh: "科普大篷车", en: "science caravans", unit: "辆", unitEn: "vehicles", section: SectionInfrastructure, headline: true,
			seed: "science caravans", definition: "登记在册的科普大篷车"}, "caravans"),
		reg(def{code: "KC04", zh: "科技馆内图书馆", en: "libraries inside science museums", unit: "个", unitEn: "libraries", section: SectionInfrastructure,
			seed: "libraries built inside science museums", definition: "“馆内图书馆”为“是”的科技馆（科普+文化）"}, "museum_libraries"),
		reg(def{code: "KC05", zh: "科普教育基地", en: "science education bases", unit: "个", unitEn: "bases", section: SectionInfrastructure, headline: true,
			seed: "region-level science education bases named", definition: "登记在册的科普教育基地（含各级命名）"}, "bases"),
		reg(def{code: "KC06", zh: "馆校共建学校", en: "schools in museum–school partnerships", unit: "所", unitEn: "schools", section: SectionInfrastructure,
			seed: "schools in museum-school partnerships", definition: "登记在册的馆校共建关系（每所学校与一馆一条）"}, "partnerships"),
		reg(def{code: "KC07", zh: "科普e站", en: "science e-stations", unit: "个", unitEn: "stations", section: SectionInformatization, headline: true,
			seed: "science e-stations in villages communities and schools", definition: "状态为“已授牌”的科普e站"}, "estations"),
		reg(def{code: "KR06", zh: "基层科协组织", en: "grassroots associations", unit: "个", unitEn: "organizations", section: SectionTalent, headline: true,
			seed: "new grassroots associations (township or street / university / enterprise / school)", definition: "类型为苏木乡镇、街道、高校、企业、学校的科协组织"}, "associations_grassroots"),
		reg(def{code: "KR01", zh: "科协专兼职干部", en: "full-time and part-time association staff", unit: "人", unitEn: "people", section: SectionTalent, headline: true,
			seed: "full-time and part-time association staff", definition: "登记在册的科协干部（专职与兼职）"}, "staff"),
		reg(def{code: "KR02", zh: "科普专职人员", en: "full-time staff", unit: "人", unitEn: "people", section: SectionPersonnel,
			definition: "专兼职为“专职”的科协干部"}, "staff_full"),
		reg(def{code: "KR03", zh: "科普兼职人员", en: "part-time staff", unit: "人", unitEn: "people", section: SectionPersonnel,
			definition: "专兼职为“兼职”的科协干部"}, "staff_part"),
		reg(def{code: "KR07", zh: "兼任科协职务的医院院长、学校校长、农牧技站站长", en: "hospital heads, school principals and farm-station heads serving part-time", unit: "人", unitEn: "people", section: SectionTalent,
			seed: "hospital heads school principals and farm-station heads serving part-time", definition: "兼职身份为医院院长、学校校长或农牧技站站长的科协干部"}, "staff_heads"),
		reg(def{code: "KR08", zh: "科学家精神宣讲团成员", en: "scientist-spirit lecture group members", unit: "人", unitEn: "people", section: SectionTalent,
			seed: "scientist-spirit lecture group members", definition: "登记在册的宣讲团成员"}, "lecturers"),
		reg(def{code: "KR09", zh: "科普专家团", en: "science expert teams", unit: "个", unitEn: "teams", section: SectionTalent,
			seed: "science expert teams", definition: "登记在册的科普专家团"}, "expert_teams"),
		reg(def{code: "KR04", zh: "科普专家", en: "experts in science expert teams", unit: "人", unitEn: "people", section: SectionTalent,
			seed: "experts in science expert teams", definition: "登记在册的科普专家"}, "experts"),
		reg(def{code: "KR10", zh: "科技志愿服务队", en: "science volunteer teams", unit: "支", unitEn: "teams", section: SectionTalent, headline: true,
			seed: "science volunteer teams", definition: "登记在册的科技志愿服务队"}, "volunteer_teams"),
		reg(def{code: "KR05", zh: "科技志愿者", en: "science volunteers", unit: "人", unitEn: "people", section: SectionTalent, headline: true,
			seed: "science volunteers", definition: "登记在册的科技志愿者（一人一条，按所在区划计）"}, "volunteers"),
		reg(def{code: "KR11", zh: "科普信息员", en: "science information officers", unit: "人", unitEn: "people", section: SectionTalent, headline: true,
			seed: "science information officers", definition: "状态为“在册”的科普信息员"}, "officers"),
		reg(def{code: "KH20", zh: "联席机制成员单位", en: "partner departments in the joint work mechanism", unit: "个", unitEn: "departments", section: SectionActivities,
			seed: "partner departments in the joint work mechanism", definition: "登记在册的联席成员单位"}, "departments"),
	}
}

var _ = region.LevelRegion
