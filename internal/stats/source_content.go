package stats

import (
	"context"
	"net/url"

	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/region"
)

// contentFetcher reads content reach for the period — counted views on Kepu's pages and the
// e-station kiosks, the latest imported figures of pushes to outside platforms — and
// published item counts (content.Store.PublishedCounts; stocks as of today). Keys: "views",
// "views:<channel>", "platform_views" (every push channel), "likes", "shares",
// "emergency_views", "items", "items:<kind>", "emergency_items", "emergency_videos".
//
// A unit's and its children's reach come from one content.Store.ReachSums read each (whole
// China years and months from the roll-ups content_reach_years and content_reach_months, part
// months from the records), equal to content.Store.Reach over the same records; published items from content.Store.PublishedSums
// (the roll-up content_published_units), equal to PublishedCounts. The unit's own records
// (own) are read with Reach by region and PublishedCounts. Each figure's records link is the
// reach report's records page of the unit.
func (r *Registry) contentFetcher() *fetcher {
	f := &fetcher{name: "content"}
	reach := func(ctx context.Context, q Query, by string) ([]content.ReachLine, content.ReachLine, content.ReachQuery, error) {
		from, to := q.Bounds()
		rq := content.ReachQuery{Scope: q.Scope, From: from, To: to, Region: q.Unit, By: by}
		lines, total, err := r.deps.Content.Reach(ctx, rq)
		return lines, total, rq, err
	}
	link := func(rq content.ReachQuery, set map[string]string) string {
		v := url.Values{"from": {rq.From}, "to": {rq.To}, "region": {rq.Region}}
		for k, s := range set {
			v.Set(k, s)
		}
		return "/console/reach/records?" + v.Encode()
	}
	figures := func(out map[string]cell, total content.ReachLine, rq content.ReachQuery) {
		out["views"] = cell{exact: total.Views, known: true, records: link(rq, nil)}
		var platform int64
		for _, ch := range content.ReachChannels() {
			out["views:"+ch.Slug] = cell{exact: total.ByChannel[ch.Slug], known: true, records: link(rq, map[string]string{"channel": ch.Slug})}
		}
		for _, ch := range content.PushChannels {
			platform += total.ByChannel[ch.Slug]
		}
		out["platform_views"] = cell{exact: platform, known: true, records: link(rq, nil)}
		out["likes"] = cell{exact: total.Likes, known: true, records: link(rq, nil)}
		out["shares"] = cell{exact: total.Shares, known: true, records: link(rq, nil)}
	}
	// cells gives the figures of unit (with its records links) from its reach sums and the
	// published counts of the codes keep says.
	cells := func(q Query, unit string, sums []content.ReachSum, counts map[string]map[string]content.KindCounts, keep func(code string) bool) map[string]cell {
		from, to := q.Bounds()
		rq := content.ReachQuery{From: from, To: to, Region: unit}
		total := content.ReachLine{Key: "total", ByChannel: map[string]int64{}}
		var em int64
		for _, s := range sums {
			total.ByChannel[s.Channel] += s.Views
			total.Views, total.Likes, total.Shares = total.Views+s.Views, total.Likes+s.Likes, total.Shares+s.Shares
			if s.Emergency {
				em += s.Views
			}
		}
		out := map[string]cell{}
		figures(out, total, rq)
		out["emergency_views"] = cell{exact: em, known: true, records: link(rq, map[string]string{"emergency": "1"})}
		today := r.today()
		n := itemCounts(counts, keep)
		for _, c := range []struct {
			key, kind string
			emergency bool
		}{{"items", "", false}, {"items:video", "video", false}, {"items:article", "article", false}, {"emergency_items", "", true}, {"emergency_videos", "video", true}} {
			v := url.Values{"status": {content.Published}}
			if c.kind != "" {
				v.Set("kind", c.kind)
			}
			if c.emergency {
				v.Set("emergency", "1")
			}
			out[c.key] = cell{exact: n[c.key], known: true, asOf: today, records: "/console/content?" + v.Encode()}
		}
		return out
	}
	f.unit = func(ctx context.Context, q Query) (map[string]cell, error) {
		scope := q.Scope.Narrow(q.Unit)
		from, to := q.Bounds()
		sums, err := r.deps.Content.ReachSums(ctx, scope, false, from, to)
		if err != nil {
			return nil, err
		}
		counts, err := r.deps.Content.PublishedSums(ctx, scope, false)
		if err != nil {
			return nil, err
		}
		return cells(q, q.Unit, sums, counts, func(string) bool { return true }), nil
	}
	f.children = func(ctx context.Context, q Query, kids []region.Unit) (map[string]map[string]cell, error) {
		byKid, err := r.reachByChild(ctx, q, kids)
		if err != nil {
			return nil, err
		}
		scope := q.Scope.Narrow(q.Unit)
		roots := scope.Roots()
		counts, err := r.deps.Content.PublishedSums(ctx, scope, len(roots) == 1 && roots[0] == q.Unit)
		if err != nil {
			return nil, err
		}
		out := map[string]map[string]cell{}
		for _, k := range kids {
			out[k.Code] = cells(q, k.Code, byKid[k.Code], counts, func(code string) bool { return region.Within(code, k.Code) })
		}
		return out, nil
	}
	f.own = func(ctx context.Context, q Query) (map[string]cell, error) {
		lines, _, _, err := reach(ctx, q, "region")
		if err != nil {
			return nil, err
		}
		out := map[string]cell{}
		figures(out, content.ReachLine{ByChannel: map[string]int64{}}, content.ReachQuery{})
		for _, ln := range lines {
			if ln.Key == q.Unit {
				figures(out, ln, content.ReachQuery{})
			}
		}
		rq := content.ReachQuery{}
		from, to := q.Bounds()
		rq.Scope, rq.From, rq.To, rq.By, rq.Emergency = q.Scope.Narrow(q.Unit), from, to, "region", true
		em, _, err := r.deps.Content.Reach(ctx, rq)
		if err != nil {
			return nil, err
		}
		out["emergency_views"] = cell{known: true}
		for _, ln := range em {
			if ln.Key == q.Unit {
				out["emergency_views"] = cell{exact: ln.Views, known: true}
			}
		}
		// Published items at exactly the unit.
		counts, err := r.deps.Content.PublishedCounts(ctx, q.Scope.Narrow(q.Unit))
		if err != nil {
			return nil, err
		}
		n := itemCounts(counts, func(code string) bool { return code == q.Unit })
		for _, k := range []string{"items", "items:video", "items:article", "emergency_items", "emergency_videos"} {
			out[k] = cell{exact: n[k], known: true}
		}
		return out, nil
	}
	return f
}

// reachByChild reads content.Store.ReachSums for the period once for all of q.Unit's children
// in q.Scope: child code → its sums. When the scope holds the unit's whole subtree the sums
// are the roll-up's rows one level below the unit; otherwise they are those of the scope's
// subtrees below the unit, each counted under the child it lies in.
func (r *Registry) reachByChild(ctx context.Context, q Query, kids []region.Unit) (map[string][]content.ReachSum, error) {
	scope := q.Scope.Narrow(q.Unit)
	from, to := q.Bounds()
	roots := scope.Roots()
	whole := len(roots) == 1 && roots[0] == q.Unit
	rows, err := r.deps.Content.ReachSums(ctx, scope, whole, from, to)
	if err != nil {
		return nil, err
	}
	out := map[string][]content.ReachSum{}
	for _, s := range rows {
		for _, k := range kids {
			if s.Code == k.Code || (!whole && region.Within(s.Code, k.Code)) {
				out[k.Code] = append(out[k.Code], s)
				break
			}
		}
	}
	return out, nil
}

// itemCounts adds up content.PublishedCounts over the codes that keep says, as the content
// fetcher's keys: items, items:<kind>, emergency_items, emergency_videos.
func itemCounts(counts map[string]map[string]content.KindCounts, keep func(code string) bool) map[string]int64 {
	n := map[string]int64{}
	for code, kinds := range counts {
		if !keep(code) {
			continue
		}
		for kind, c := range kinds {
			n["items"] += c.All
			n["items:"+kind] += c.All
			n["emergency_items"] += c.Emergency
			if kind == "video" {
				n["emergency_videos"] += c.Emergency
			}
		}
	}
	return n
}

func (r *Registry) contentIndicators() []*Indicator {
	f := r.contentFetcher()
	con := func(d def, basis Basis, period PeriodKind, key string) *Indicator {
		d.agg, d.basis, d.period = Sum, basis, period
		return d.ind(f, key, "content")
	}
	return []*Indicator{
		con(def{code: "KM01", zh: "科普e站点击量", en: "clicks on science e-stations", unit: "次", unitEn: "clicks", section: SectionInformatization, headline: true,
			seed: "clicks on science e-stations", definition: "科普e站终端上计数的浏览量（每访客每条每日一次）"}, Verified, Flow, "views:"+content.ChannelEStation),
		con(def{code: "KM02", zh: "科普平台点击量", en: "clicks on the regional science platform", unit: "次", unitEn: "clicks", section: SectionInformatization, headline: true,
			seed: "clicks on the regional science platform", definition: "本站网页计数的浏览量（每访客每条每日一次）"}, Verified, Flow, "views:"+content.ChannelWeb),
		con(def{code: "KM03", zh: "短视频和新闻平台点击量", en: "clicks on short-video and news platforms", unit: "次", unitEn: "clicks", section: SectionInformatization,
			seed: "clicks on short-video and news platforms", definition: "推送到外部平台的内容最新导入的阅读量之和（平台申报）"}, Declared, Flow, "platform_views"),
		con(def{code: "KM04", zh: "科普平台推送内容", en: "items pushed through the regional science platform", unit: "条", unitEn: "items", section: SectionInformatization,
			seed: "items pushed through the regional science platform", definition: "已发布的内容条数（截至今日）"}, Verified, Stock, "items"),
		con(def{code: "KM05", zh: "科普视频", en: "science videos published", unit: "条", unitEn: "items", section: SectionInformatization,
			seed: "videos on the 4K TV platform", definition: "已发布的视频条数（截至今日）；4K 电视平台通过 /api/v1/content/tv 播出全部公开内容"}, Verified, Stock, "items:video"),
		con(def{code: "KM06", zh: "科普图文", en: "graphic articles published", unit: "条", unitEn: "items", section: SectionInformatization,
			seed: "graphic articles on the 4K TV platform", definition: "已发布的图文条数（截至今日）；4K 电视平台通过 /api/v1/content/tv 播出全部公开内容"}, Verified, Stock, "items:article"),
		con(def{code: "KM07", zh: "内容总点击量", en: "clicks on all channels", unit: "次", unitEn: "clicks", section: SectionMedia,
			definition: "本站、e站计数的浏览量与外部平台导入阅读量之和"}, Declared, Flow, "views"),
		con(def{code: "KM08", zh: "外部平台转发", en: "shares on outside platforms", unit: "次", unitEn: "shares", section: SectionMedia,
			definition: "外部平台导入的转发数之和"}, Declared, Flow, "shares"),
		con(def{code: "KM09", zh: "应急科普作品", en: "emergency science communication items published", unit: "条", unitEn: "items", section: SectionActivities,
			seed: "epidemic-prevention items published on mobile platforms", definition: "标记为应急科普、已发布的内容条数（截至今日）"}, Verified, Stock, "emergency_items"),
		con(def{code: "KM10", zh: "应急科普视频", en: "emergency science videos produced", unit: "条", unitEn: "items", section: SectionActivities,
			seed: "epidemic-prevention science videos produced", definition: "标记为应急科普、已发布的视频条数（截至今日）"}, Verified, Stock, "emergency_videos"),
		con(def{code: "KM11", zh: "应急科普点击量", en: "clicks on emergency science communication items", unit: "次", unitEn: "clicks", section: SectionActivities,
			seed: "clicks on those items", definition: "应急科普内容在各渠道的浏览量之和"}, Declared, Flow, "emergency_views"),
	}
}

// pushFetcher reads content.Store.ReachByRegion for the period: pushes recorded to the outside
// platforms (every PushChannels platform), and the views of emergency science videos (items of
// kind video flagged 应急科普) kept apart by basis — counted on Kepu's pages and kiosks, or
// reported by the platforms for their pushes. One read per query gives the subtree, the unit's
// own records and each child's part. Keys: "pushes", "em_video_views",
// "em_video_platform_views".
//
// A unit's and its children's figures come from one content.Store.ReachSums read each (the
// roll-ups content_reach_years and content_reach_months for whole years and months), equal to
// ReachByRegion's; the unit's own records (own) are read with ReachByRegion.
func (r *Registry) pushFetcher() *fetcher {
	f := &fetcher{name: "push"}
	base := func(q Query) content.ReachQuery {
		from, to := q.Bounds()
		return content.ReachQuery{Scope: q.Scope, From: from, To: to, Region: q.Unit}
	}
	// Two reads: the pushes (no views needed), and the emergency videos' views of both sources.
	reads := []func(q Query) content.ReachQuery{
		func(q Query) content.ReachQuery { rq := base(q); rq.Source = "push"; return rq },
		func(q Query) content.ReachQuery { rq := base(q); rq.Emergency, rq.Kind = true, "video"; return rq },
	}
	type part struct {
		key    string
		read   int    // which of reads
		source string // the records the link lists: view or push
		figure func(content.ReachFigures) int64
	}
	parts := []part{
		{"pushes", 0, "push", func(f content.ReachFigures) int64 { return f.Pushes }},
		{"em_video_views", 1, "view", func(f content.ReachFigures) int64 { return f.CountedViews }},
		{"em_video_platform_views", 1, "push", func(f content.ReachFigures) int64 { return f.PlatformViews }},
	}
	link := func(rq content.ReachQuery, unit, source string) string {
		v := url.Values{"from": {rq.From}, "to": {rq.To}, "region": {unit}, "source": {source}}
		if rq.Emergency {
			v.Set("emergency", "1")
		}
		if rq.Kind != "" {
			v.Set("kind", rq.Kind)
		}
		return "/console/reach/records?" + v.Encode()
	}
	// read gives, per read, the figures by exact division code.
	read := func(ctx context.Context, q Query) ([]map[string]content.ReachFigures, error) {
		out := make([]map[string]content.ReachFigures, len(reads))
		for i, rq := range reads {
			m, err := r.deps.Content.ReachByRegion(ctx, rq(q))
			if err != nil {
				return nil, err
			}
			out[i] = m
		}
		return out, nil
	}
	cells := func(q Query, unit string, by []map[string]content.ReachFigures, keep func(code string) bool, withLinks bool) map[string]cell {
		out := map[string]cell{}
		for _, p := range parts {
			var n int64
			for code, fg := range by[p.read] {
				if keep(code) {
					n += p.figure(fg)
				}
			}
			c := cell{exact: n, known: true}
			if withLinks {
				cq := q
				cq.Unit = unit
				c.records = link(reads[p.read](cq), unit, p.source)
			}
			out[p.key] = c
		}
		return out
	}
	// sums gives the same figures as read by the first groupLen digits of the codes, from one
	// content.Store.ReachSums read (the roll-up for whole months).
	sums := func(rows []content.ReachSum) []map[string]content.ReachFigures {
		out := []map[string]content.ReachFigures{{}, {}}
		for _, s := range rows {
			counted := s.Channel == content.ChannelWeb || s.Channel == content.ChannelEStation
			if !counted {
				fg := out[0][s.Code]
				fg.Pushes += s.Pushes
				fg.PlatformViews += s.Views
				out[0][s.Code] = fg
			}
			if s.Emergency && s.Kind == "video" {
				fg := out[1][s.Code]
				if counted {
					fg.CountedViews += s.Views
				} else {
					fg.Pushes += s.Pushes
					fg.PlatformViews += s.Views
				}
				out[1][s.Code] = fg
			}
		}
		return out
	}
	f.unit = func(ctx context.Context, q Query) (map[string]cell, error) {
		from, to := q.Bounds()
		rows, err := r.deps.Content.ReachSums(ctx, q.Scope.Narrow(q.Unit), false, from, to)
		if err != nil {
			return nil, err
		}
		return cells(q, q.Unit, sums(rows), func(string) bool { return true }, true), nil
	}
	f.own = func(ctx context.Context, q Query) (map[string]cell, error) {
		by, err := read(ctx, q)
		if err != nil {
			return nil, err
		}
		return cells(q, q.Unit, by, func(code string) bool { return code == q.Unit }, false), nil
	}
	f.children = func(ctx context.Context, q Query, kids []region.Unit) (map[string]map[string]cell, error) {
		byKid, err := r.reachByChild(ctx, q, kids)
		if err != nil {
			return nil, err
		}
		out := map[string]map[string]cell{}
		for _, k := range kids {
			out[k.Code] = cells(q, k.Code, sums(byKid[k.Code]), func(string) bool { return true }, true)
		}
		return out, nil
	}
	return f
}

// pushIndicators are the seed's figures of pushes to the short-video and news platforms and of
// the emergency science videos' clicks, the latter kept apart by basis: Kepu's own count
// (verified) and the platforms' imported figures (declared).
func (r *Registry) pushIndicators() []*Indicator {
	f := r.pushFetcher()
	con := func(d def, basis Basis, key string) *Indicator {
		d.agg, d.basis, d.period = Sum, basis, Flow
		return d.ind(f, key, "content")
	}
	return []*Indicator{
		con(def{code: "X09", zh: "通过快手、抖音、今日头条等平台推送科普信息", en: "items pushed to short-video and news platforms", unit: "条次", unitEn: "items", section: SectionInformatization,
			seed: "items pushed to short-video and news platforms", definition: "期内登记的推送记录条数（一条内容推送到一个平台计一条次；平台：微信公众号、抖音、快手、今日头条、科普中国），按推送日期；推送由本单位登记，阅读量见 KM03"}, Verified, "pushes"),
		con(def{code: "X10", zh: "应急科普视频点击量（本站计数）", en: "clicks on emergency science videos (counted by Kepu)", unit: "次", unitEn: "clicks", section: SectionActivities,
			seed: "clicks on those videos", definition: "标记为应急科普的视频在本站网页和科普e站计数的浏览量（每访客每条每日一次），按浏览日期；外部平台的点击见 X11"}, Verified, "em_video_views"),
		con(def{code: "X11", zh: "应急科普视频外部平台点击量（平台申报）", en: "clicks on emergency science videos on outside platforms (declared)", unit: "次", unitEn: "clicks", section: SectionActivities,
			definition: "标记为应急科普的视频推送到外部平台后，最近一次导入的平台阅读量之和，按推送日期；平台申报，不与 X10 相加"}, Declared, "em_video_platform_views"),
	}
}
