package stats

// The indicator definitions: every figure of the seed report (../shared/reference/
// seed-indicators.csv, named in Indicator.Seed) and the national science-popularization
// statistics groups (全国科普统计: personnel KR…, venues KC…, funds KJ…, media KM…, activities
// KH…). Where a national group code fits a figure, the figure's code is that code, so that each
// figure is defined once.

// def is a shorthand for one definition.
type def struct {
	code, zh, en, unit, unitEn, section string
	agg                                 Aggregation
	basis                               Basis
	period                              PeriodKind
	seed, definition                    string
	headline                            bool
}

func (d def) ind(f *fetcher, key, source string) *Indicator {
	return &Indicator{Code: d.code, NameZh: d.zh, NameEn: d.en, Unit: d.unit, UnitEn: d.unitEn, Section: d.section, Agg: d.agg, Basis: d.basis,
		Period: d.period, Seed: d.seed, Definition: d.definition, Headline: d.headline, Source: source, fetch: f, key: key}
}

// define lists every indicator in display order.
func (r *Registry) define() []*Indicator {
	var out []*Indicator
	add := func(i ...*Indicator) { out = append(out, i...) }
	add(r.registryIndicators()...)
	add(r.activityIndicators()...)
	add(r.contentIndicators()...)
	add(r.fundIndicators()...)
	add(r.surveyIndicators()...)
	add(r.shareIndicators()...)
	add(r.quizIndicators()...)
	add(r.formIndicators()...)
	add(r.pushIndicators()...)
	add(r.ratioIndicators()...)
	// Sections in display order, definition order within a section.
	order := map[string]int{}
	for i, s := range Sections {
		order[s.Code] = i
	}
	sorted := make([]*Indicator, 0, len(out))
	for _, s := range Sections {
		for _, ind := range out {
			if ind.Section == s.Code {
				sorted = append(sorted, ind)
			}
		}
	}
	if len(sorted) != len(out) {
		panic("stats: an indicator has an unknown section")
	}
	return sorted
}

// ratioIndicators are ratios of two Sum indicators' sums.
func (r *Registry) ratioIndicators() []*Indicator {
	return []*Indicator{
		{Code: "KH_verified_share", NameZh: "活动人次核验率", NameEn: "share of declared person-times verified by tickets", Unit: "%", UnitEn: "percent",
			Section: SectionActivities, Agg: RatioOfSums, Basis: Verified, Period: Flow, Source: "activity", Numerator: "KH04", Denominator: "KH03", Scale: 100,
			Definition: "核验人次（扫码签到的不同票证）除以申报人次，乘以 100；上级的比率是下级分子之和除以分母之和"},
		{Code: "KJ_spending_share", NameZh: "科普经费使用率", NameEn: "spending as a share of income", Unit: "%", UnitEn: "percent",
			Section: SectionFunds, Agg: RatioOfSums, Basis: Declared, Period: Flow, Source: "funds", Numerator: "KJ11", Denominator: "KJ01", Scale: 100,
			Definition: "科普经费使用额除以筹集额，乘以 100"},
	}
}
