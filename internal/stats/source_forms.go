package stats

import (
	"context"
	"fmt"
	"net/url"

	"github.com/kepu/kepu/internal/region"
)

// AcceptedForms reads the accepted annual statistics forms (全国科普统计调查表, package
// stats/forms, whose Store implements it; forms imports stats for its pre-fill, so it is wired
// in through Deps rather than imported).
type AcceptedForms interface {
	// AcceptedLines sums the given lines of the accepted forms of year whose reporting unit
	// lies inside scope and within's subtree, per the unit's division code (an association's
	// own code, a venue's location): code → line code → sum. A line appears only when at
	// least one of those forms carries a value on it (blank lines are not figures).
	AcceptedLines(ctx context.Context, scope region.Scope, within string, year int, lines []string) (map[string]map[string]int64, error)
}

// formLines are the declared figures of the seed that no domain records and the units enter by
// hand on their annual forms: the form line's code is the indicator's code (stats/forms
// Layout carries the same codes).
var formLines = []string{"X01", "X02", "X03", "X04", "X05", "X06", "X07", "X08"}

// formsFetcher sums the lines of the accepted annual statistics forms (Deps.Forms) of the
// query's year over the unit's subtree (own: the forms filed at exactly the unit; children:
// each child's subtree, from one read). The forms are annual: a month's figure is unknown.
// A figure is known when some accepted form carries the line; its records are the forms list
// filtered to the accepted forms carrying it. Keys: the line codes.
func (r *Registry) formsFetcher() *fetcher {
	f := &fetcher{name: "forms"}
	cells := func(q Query, unit string, sums map[string]int64, carried map[string]bool) map[string]cell {
		out := map[string]cell{}
		for _, code := range formLines {
			if !carried[code] {
				continue
			}
			v := url.Values{"year": {fmt.Sprint(q.Year)}, "within": {unit}, "status": {"accepted"}, "line": {code}}
			c := cell{exact: sums[code], known: true, records: "/console/stats/forms?" + v.Encode()}
			if ind := r.byKey[code]; ind != nil && ind.Period == Stock {
				c.asOf = fmt.Sprintf("%04d-12-31", q.Year)
			}
			out[code] = c
		}
		return out
	}
	read := func(ctx context.Context, q Query) (map[string]map[string]int64, error) {
		if r.deps.Forms == nil || q.Month != 0 {
			return nil, nil
		}
		return r.deps.Forms.AcceptedLines(ctx, q.Scope, q.Unit, q.Year, formLines)
	}
	// add sums by into the totals of the codes where keep says so.
	add := func(by map[string]map[string]int64, keep func(code string) bool) (map[string]int64, map[string]bool) {
		sums, carried := map[string]int64{}, map[string]bool{}
		for code, lines := range by {
			if !keep(code) {
				continue
			}
			for l, n := range lines {
				sums[l] += n
				carried[l] = true
			}
		}
		return sums, carried
	}
	f.unit = func(ctx context.Context, q Query) (map[string]cell, error) {
		by, err := read(ctx, q)
		if err != nil {
			return nil, err
		}
		sums, carried := add(by, func(string) bool { return true })
		return cells(q, q.Unit, sums, carried), nil
	}
	f.own = func(ctx context.Context, q Query) (map[string]cell, error) {
		by, err := read(ctx, q)
		if err != nil {
			return nil, err
		}
		sums, carried := add(by, func(code string) bool { return code == q.Unit })
		return cells(q, q.Unit, sums, carried), nil
	}
	f.children = func(ctx context.Context, q Query, kids []region.Unit) (map[string]map[string]cell, error) {
		by, err := read(ctx, q)
		if err != nil {
			return nil, err
		}
		n := childPrefixLen(q.Unit)
		out := map[string]map[string]cell{}
		for _, k := range kids {
			p := prefixOf(k.Code, n)
			sums, carried := add(by, func(code string) bool { return prefixOf(code, n) == p })
			out[k.Code] = cells(q, k.Code, sums, carried)
		}
		return out, nil
	}
	return f
}

// formIndicators are the seed's figures that units declare on their annual forms (no Kepu
// domain records them): summed over the accepted forms of the year in the unit's subtree.
//
// X07 and X08 (the hundred-experts programme's experts and live streams) stay on the forms
// too: activity records carry the programme tag and live-stream viewers, but no list of the
// experts sent, and activity.Filter cannot select the live-streamed records (no mode filter),
// so a count from activities could not drill down to exactly its records.
func (r *Registry) formIndicators() []*Indicator {
	f := r.formsFetcher()
	u := func(d def, period PeriodKind) *Indicator {
		d.agg, d.basis, d.period = Sum, Declared, period
		return d.ind(f, d.code, "forms")
	}
	const byForms = "；各填报单位在年度科普统计调查表中填报，按已确认（锁定）的调查表求和"
	return []*Indicator{
		u(def{code: "X01", zh: "自然科学博物馆学会会员场馆", en: "venues in the regional natural science museum society", unit: "家", unitEn: "venues", section: SectionInfrastructure,
			seed: "venues in the regional natural science museum society", definition: "学会会员场馆数（年末）" + byForms}, Stock),
		u(def{code: "X02", zh: "科学家精神宣讲微博话题阅读量", en: "social-media topic reads for the scientist-spirit lectures", unit: "次", unitEn: "reads", section: SectionTalent,
			seed: "social-media topic reads for those lectures", definition: "微博等社交媒体相关话题的阅读量（平台显示数）" + byForms}, Flow),
		u(def{code: "X03", zh: "媒体刊发“科技先锋”专版", en: "special newspaper pages on science pioneers", unit: "个", unitEn: "pages", section: SectionTalent,
			seed: "special newspaper pages on science pioneers", definition: "报纸刊发的“科技先锋”专版数" + byForms}, Flow),
		u(def{code: "X04", zh: "刊发先进事迹稿件", en: "newspaper articles on exemplary work", unit: "篇次", unitEn: "articles", section: SectionTalent,
			seed: "newspaper articles on exemplary work", definition: "媒体刊发的科普工作先进典型事迹稿件篇次" + byForms}, Flow),
		u(def{code: "X05", zh: "4K数字电视科普平台覆盖用户", en: "households covered by the 4K digital TV science platform", unit: "户", unitEn: "users", section: SectionInformatization,
			seed: "households covered by the 4K digital TV science platform", definition: "运营商提供的覆盖户数（年末）" + byForms}, Stock),
		u(def{code: "X06", zh: "4K数字电视科普平台点击量", en: "clicks on the 4K TV platform", unit: "次", unitEn: "clicks", section: SectionInformatization,
			seed: "clicks on the 4K TV platform", definition: "运营商提供的点击量" + byForms}, Flow),
		u(def{code: "X07", zh: "“百名专家走进盟市旗县”派出专家", en: "experts sent to leagues and banners in the hundred-experts programme", unit: "位", unitEn: "people", section: SectionActivities,
			seed: "experts sent to leagues and banners in the hundred-experts program", definition: "派出专家人数" + byForms}, Flow),
		u(def{code: "X08", zh: "“百名专家走进盟市旗县”同步线上直播", en: "live streams in the hundred-experts programme", unit: "场次", unitEn: "sessions", section: SectionActivities,
			seed: "live streams in that program", definition: "同步线上直播场次（不超过该项目讲座、培训、义诊场次）" + byForms}, Flow),
	}
}
