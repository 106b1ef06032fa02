package stats

import "context"

// unrecordedFetcher answers figures no Kepu package records yet (newspaper pages, the 4K TV
// platform's figures, topic reads on outside social media): their values are unknown (Known
// false) until a domain records them; the annual forms hold them as hand-entered figures.
func unrecordedFetcher() *fetcher {
	return &fetcher{name: "unrecorded", unit: func(context.Context, Query) (map[string]cell, error) { return nil, nil }}
}

func (r *Registry) unrecordedIndicators() []*Indicator {
	f := unrecordedFetcher()
	u := func(d def, period PeriodKind) *Indicator {
		d.agg, d.basis, d.period = Sum, Declared, period
		return d.ind(f, d.code, "unrecorded")
	}
	return []*Indicator{
		u(def{code: "X01", zh: "自治区自然科学博物馆学会会员场馆", en: "venues in the regional natural science museum society", unit: "个", unitEn: "venues", section: SectionInfrastructure,
			seed: "venues in the regional natural science museum society", definition: "学会会员场馆数（Kepu 未登记，年报表手填）"}, Stock),
		u(def{code: "X02", zh: "科学家精神宣讲话题阅读量", en: "social-media topic reads for the scientist-spirit lectures", unit: "次", unitEn: "reads", section: SectionTalent,
			seed: "social-media topic reads for those lectures", definition: "外部社交媒体话题阅读量（Kepu 未记录）"}, Flow),
		u(def{code: "X03", zh: "科学家风采专版", en: "special newspaper pages on science pioneers", unit: "个", unitEn: "pages", section: SectionTalent,
			seed: "special newspaper pages on science pioneers", definition: "报纸专版数（Kepu 未记录）"}, Flow),
		u(def{code: "X04", zh: "先进事迹报道", en: "newspaper articles on exemplary work", unit: "篇", unitEn: "articles", section: SectionTalent,
			seed: "newspaper articles on exemplary work", definition: "报纸报道篇数（Kepu 未记录）"}, Flow),
		u(def{code: "X05", zh: "4K 科普平台覆盖用户", en: "households covered by the 4K digital TV science platform", unit: "户", unitEn: "users", section: SectionInformatization,
			seed: "households covered by the 4K digital TV science platform", definition: "运营商报送的覆盖户数（Kepu 未记录）"}, Stock),
		u(def{code: "X06", zh: "4K 平台点击量", en: "clicks on the 4K TV platform", unit: "次", unitEn: "clicks", section: SectionInformatization,
			seed: "clicks on the 4K TV platform", definition: "运营商报送的点击量（Kepu 未记录）"}, Flow),
		u(def{code: "X07", zh: "百名专家派出专家", en: "experts sent to leagues and banners in the hundred-experts programme", unit: "人", unitEn: "people", section: SectionActivities,
			seed: "experts sent to leagues and banners in the hundred-experts program", definition: "派出专家人数（活动记录未记专家名单）"}, Flow),
		u(def{code: "X08", zh: "百名专家直播场次", en: "live streams in the hundred-experts programme", unit: "场次", unitEn: "sessions", section: SectionActivities,
			seed: "live streams in that program", definition: "直播场次（活动汇总未分直播场次）"}, Flow),
		u(def{code: "X09", zh: "推送到短视频和新闻平台的作品", en: "items pushed to short-video and news platforms", unit: "条", unitEn: "items", section: SectionInformatization,
			seed: "items pushed to short-video and news platforms", definition: "推送记录条数（content 未导出推送计数；点击量见 KM03）"}, Flow),
		u(def{code: "X10", zh: "应急科普视频点击量", en: "clicks on emergency science videos", unit: "次", unitEn: "clicks", section: SectionActivities,
			seed: "clicks on those videos", definition: "content.Reach 不能按内容类型分开；全部应急科普内容的点击见 KM11"}, Flow),
	}
}
