package stats

import (
	"context"
	"strings"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/region"
)

// Programme tags whose figures the seed reports on their own.
const (
	ProgrammeHundredExperts  = "百名专家走进盟市旗县"
	ProgrammeScientistSpirit = "科学家精神宣讲"
	ProgrammeCloudLectures   = "云上科普"
)

// activityFetchers sum counted activity records (accepted, current) whose start date lies in
// the period, through activity.Store.RollupFast (whole China months from the roll-up
// activity_unit_months, migration 0020; the same answer as activity.Store.Rollup), as three
// fetchers so that a request runs only the roll-ups its indicators need (the dashboard's
// headline figures need only the first). Each is one query of at most a few hundred roll-up
// rows at a unit's subtree; a unit's own records ("本级") are counted from the records:
//   - "activity": the totals and by type. Keys: "records", "sessions",
//     "declared", "verified", "live"; "type:<slug>:<figure>".
//   - "activity_prog": by programme. Keys: "prog:<tag>:<figure>".
//   - "activity_group": by target group. Keys: "group:<slug>:<figure>".
//
// Measured in docs/BENCHMARKS.md (statistics): one fetcher running all three roll-ups for every
// batch was five queries where the dashboard needs one; a cold dashboard of the region spent
// 0.3 s CPU summing the year's records 26 times before the roll-up table.
func (r *Registry) activityFetchers() (types, progs, groups *fetcher) {
	cells := func(ru activity.Rollup, by string) map[string]cell {
		out := map[string]cell{}
		put := func(prefix string, fg activity.Figures, flt activity.Filter) {
			link := "/console/activities?" + flt.Values().Encode()
			for _, p := range []struct {
				k string
				n int64
			}{{"records", int64(fg.Activities)}, {"sessions", fg.Sessions}, {"declared", fg.Declared}, {"verified", fg.Verified}, {"live", fg.Live}} {
				out[prefix+p.k] = cell{exact: p.n, known: true, records: link}
			}
		}
		switch by {
		case activity.ByType:
			put("", ru.Total, ru.Base)
			for _, t := range activity.Types { // zeros too, with their links
				flt := ru.Base
				flt.Type = t.Slug
				put("type:"+t.Slug+":", activity.Figures{}, flt)
			}
			for _, row := range ru.Rows {
				put("type:"+row.Key+":", row.Figures, row.Filter)
			}
		case activity.ByProgramme:
			for _, p := range []string{ProgrammeHundredExperts, ProgrammeScientistSpirit, ProgrammeCloudLectures} {
				flt := ru.Base
				flt.Programme = p
				put("prog:"+p+":", activity.Figures{}, flt)
			}
			for _, row := range ru.Rows {
				put("prog:"+row.Key+":", row.Figures, row.Filter)
			}
		case activity.ByGroup:
			for _, g := range activity.TargetGroups {
				flt := ru.Base
				flt.Group = g.Slug
				put("group:"+g.Slug+":", activity.Figures{}, flt)
			}
			for _, row := range ru.Rows {
				put("group:"+row.Key+":", row.Figures, row.Filter)
			}
		}
		return out
	}
	run := func(ctx context.Context, q Query, exact bool, by string) (map[string]cell, error) {
		from, to := q.Bounds()
		base := activity.Filter{Scope: q.Scope, Region: q.Unit, From: from, To: to}
		if exact {
			base.Unit = q.Unit
		}
		ru, err := r.deps.Activity.RollupFast(ctx, base, by)
		if err != nil {
			return nil, err
		}
		return cells(ru, by), nil
	}
	// The children of a unit in one query: each child's cells are what run gives for it.
	children := func(ctx context.Context, q Query, kids []region.Unit, by string) (map[string]map[string]cell, error) {
		from, to := q.Bounds()
		codes := make([]string, len(kids))
		for i, k := range kids {
			codes[i] = k.Code
		}
		rus, err := r.deps.Activity.RollupFastEach(ctx, activity.Filter{Scope: q.Scope, From: from, To: to}, by, codes)
		if err != nil {
			return nil, err
		}
		out := make(map[string]map[string]cell, len(kids))
		for i, c := range codes {
			out[c] = cells(rus[i], by)
		}
		return out, nil
	}
	mk := func(name, by string) *fetcher {
		return &fetcher{name: name,
			unit: func(ctx context.Context, q Query) (map[string]cell, error) { return run(ctx, q, false, by) },
			children: func(ctx context.Context, q Query, kids []region.Unit) (map[string]map[string]cell, error) {
				return children(ctx, q, kids, by)
			},
			own: func(ctx context.Context, q Query) (map[string]cell, error) { return run(ctx, q, true, by) },
		}
	}
	return mk("activity", activity.ByType), mk("activity_prog", activity.ByProgramme), mk("activity_group", activity.ByGroup)
}

func (r *Registry) activityIndicators() []*Indicator {
	types, progs, groups := r.activityFetchers()
	act := func(d def, basis Basis, key string) *Indicator {
		d.agg, d.basis, d.period = Sum, basis, Flow
		f := types
		switch {
		case strings.HasPrefix(key, "prog:"):
			f = progs
		case strings.HasPrefix(key, "group:"):
			f = groups
		}
		return d.ind(f, key, "activity")
	}
	typ := func(slug, fig string) string { return "type:" + slug + ":" + fig }
	prog := func(tag, fig string) string { return "prog:" + tag + ":" + fig }
	return []*Indicator{
		act(def{code: "KH01", zh: "科普活动", en: "activities", unit: "项", unitEn: "activities", section: SectionActivities,
			definition: "已审核通过的现行活动记录数（开始日期在期内）"}, Verified, "records"),
		act(def{code: "KH02", zh: "科普活动场次", en: "activity sessions", unit: "场次", unitEn: "sessions", section: SectionActivities, headline: true,
			definition: "已审核通过的现行活动的场次之和"}, Declared, "sessions"),
		act(def{code: "KH03", zh: "参加人次（申报）", en: "declared person-times", unit: "人次", unitEn: "person-times", section: SectionActivities, headline: true,
			definition: "活动记录申报的参加人次之和"}, Declared, "declared"),
		act(def{code: "KH04", zh: "参加人次（核验）", en: "verified person-times", unit: "人次", unitEn: "person-times", section: SectionActivities, headline: true,
			definition: "扫码签到核验的人次（不同票证）之和，与申报人次分开统计"}, Verified, "verified"),
		act(def{code: "KH05", zh: "直播观看人次", en: "live-stream viewers", unit: "人次", unitEn: "viewers", section: SectionActivities,
			definition: "活动记录的直播观看人次之和"}, Declared, "live"),
		act(def{code: "KH06", zh: "场馆展教活动", en: "exhibition and education activities at museums", unit: "场次", unitEn: "sessions", section: SectionInfrastructure, headline: true,
			seed: "exhibition and education activities at museums", definition: "类型为“场馆展教活动”的场次"}, Declared, typ("exhibition", "sessions")),
		act(def{code: "KH07", zh: "场馆活动参观人次", en: "visitors to museum activities", unit: "人次", unitEn: "person-times", section: SectionInfrastructure,
			seed: "visitors to museum activities", definition: "类型为“场馆展教活动”的申报人次"}, Declared, typ("exhibition", "declared")),
		act(def{code: "KH08", zh: "流动科技馆、科普大篷车活动", en: "mobile museum and caravan activities", unit: "场次", unitEn: "sessions", section: SectionInfrastructure, headline: true,
			seed: "mobile museum and caravan activities", definition: "类型为“流动科技馆、科普大篷车活动”的场次"}, Declared, typ("mobile_museum", "sessions")),
		act(def{code: "KH09", zh: "流动科技馆、科普大篷车受益群众", en: "beneficiaries of mobile museum and caravan activities", unit: "人次", unitEn: "person-times", section: SectionInfrastructure,
			seed: "beneficiaries of mobile museum and caravan activities", definition: "类型为“流动科技馆、科普大篷车活动”的申报人次"}, Declared, typ("mobile_museum", "declared")),
		act(def{code: "KH10", zh: "科技竞赛、制作、科普研学活动", en: "competitions, making and study tours at museums", unit: "场次", unitEn: "sessions", section: SectionInfrastructure,
			seed: "competitions making and study tours at museums", definition: "类型为“科技竞赛、制作、科普研学”的场次"}, Declared, typ("competition", "sessions")),
		act(def{code: "KH11", zh: "科技竞赛、制作、科普研学参与人次", en: "participants in competitions, making and study tours", unit: "人次", unitEn: "person-times", section: SectionInfrastructure,
			seed: "participants in competitions making and study tours", definition: "类型为“科技竞赛、制作、科普研学”的申报人次"}, Declared, typ("competition", "declared")),
		act(def{code: "KH12", zh: "产业对接、成果推介活动", en: "industry matchmaking and results promotion events at venues", unit: "场次", unitEn: "sessions", section: SectionInfrastructure,
			seed: "industry matchmaking and results promotion events at venues", definition: "类型为“产业对接、成果推介、双创活动”的场次"}, Declared, typ("innovation", "sessions")),
		act(def{code: "KH13", zh: "参加对接推介的科技工作者人次", en: "scientists and engineers attending those events", unit: "人次", unitEn: "person-times", section: SectionInfrastructure,
			seed: "scientists and engineers attending those events", definition: "类型为“产业对接、成果推介、双创活动”的申报人次"}, Declared, typ("innovation", "declared")),
		act(def{code: "KH14", zh: "场馆联合活动", en: "joint activities across museums", unit: "场次", unitEn: "sessions", section: SectionInfrastructure,
			seed: "joint activities across museums", definition: "类型为“场馆联合活动”的场次"}, Declared, typ("joint", "sessions")),
		act(def{code: "KH15", zh: "馆长、辅导员培训班", en: "training classes for museum directors and counselors", unit: "期", unitEn: "classes", section: SectionInfrastructure,
			seed: "training classes for museum directors and counselors", definition: "类型为“培训班”的场次"}, Declared, typ("training", "sessions")),
		act(def{code: "KH16", zh: "培训人次", en: "people trained in those classes", unit: "人次", unitEn: "person-times", section: SectionInfrastructure,
			seed: "people trained in those classes", definition: "类型为“培训班”的申报人次"}, Declared, typ("training", "declared")),
		act(def{code: "KH17", zh: "科学家精神宣讲、展览", en: "scientist-spirit lectures and exhibitions", unit: "场次", unitEn: "sessions", section: SectionTalent,
			seed: "scientist-spirit lectures and exhibitions", definition: "带“科学家精神宣讲”项目标签的活动场次"}, Declared, prog(ProgrammeScientistSpirit, "sessions")),
		act(def{code: "KH18", zh: "科学家精神宣讲受众", en: "audience of scientist-spirit lectures and exhibitions", unit: "人次", unitEn: "person-times", section: SectionTalent,
			seed: "audience of scientist-spirit lectures and exhibitions", definition: "带“科学家精神宣讲”项目标签的活动申报人次"}, Declared, prog(ProgrammeScientistSpirit, "declared")),
		act(def{code: "KH19", zh: "科技志愿服务活动", en: "science volunteer service activities", unit: "场次", unitEn: "sessions", section: SectionTalent,
			seed: "science volunteer service activities", definition: "类型为“科技志愿服务”的场次"}, Declared, typ("volunteer_service", "sessions")),
		act(def{code: "KH21", zh: "线上科普讲座", en: "online science lectures on the cloud platform", unit: "场次", unitEn: "sessions", section: SectionInformatization,
			seed: "online science lectures on the cloud platform", definition: "带“云上科普”项目标签的活动场次"}, Declared, prog(ProgrammeCloudLectures, "sessions")),
		act(def{code: "KH22", zh: "线上讲座受益人次", en: "beneficiaries of online lectures", unit: "人次", unitEn: "person-times", section: SectionInformatization,
			seed: "beneficiaries of online lectures", definition: "带“云上科普”项目标签的活动申报人次"}, Declared, prog(ProgrammeCloudLectures, "declared")),
		act(def{code: "KH23", zh: "百名专家讲座、培训、义诊", en: "lectures, trainings and medical services in the hundred-experts programme", unit: "场次", unitEn: "sessions", section: SectionActivities,
			seed: "lectures trainings and medical services in that program", definition: "带“百名专家走进盟市旗县”项目标签的活动场次"}, Declared, prog(ProgrammeHundredExperts, "sessions")),
		act(def{code: "KH24", zh: "百名专家活动受益群众", en: "beneficiaries of the hundred-experts programme", unit: "人次", unitEn: "person-times", section: SectionActivities,
			seed: "beneficiaries of that program", definition: "带“百名专家走进盟市旗县”项目标签的活动申报人次"}, Declared, prog(ProgrammeHundredExperts, "declared")),
		act(def{code: "KH25", zh: "百名专家直播观看人次", en: "live-stream viewers in the hundred-experts programme", unit: "人次", unitEn: "viewers", section: SectionActivities,
			seed: "live-stream viewers in that program", definition: "带“百名专家走进盟市旗县”项目标签的活动直播观看人次"}, Declared, prog(ProgrammeHundredExperts, "live")),
		act(def{code: "KH26", zh: "科技工作者日、全国科普日活动", en: "Science Workers' Day and National Science Day activities", unit: "场次", unitEn: "sessions", section: SectionActivities, headline: true,
			seed: "Science Workers' Day and National Science Day activities", definition: "类型为“全国科技工作者日、全国科普日活动”的场次"}, Declared, typ("science_day", "sessions")),
		act(def{code: "KH27", zh: "参加青少年科普活动人次", en: "young people in youth science education activities", unit: "人次", unitEn: "person-times", section: SectionActivities,
			seed: "young people in youth science education activities", definition: "目标人群含“青少年”的活动申报人次"}, Declared, "group:youth:declared"),
		act(def{code: "KH28", zh: "应急科普活动", en: "emergency science communication activities", unit: "场次", unitEn: "sessions", section: SectionActivities,
			definition: "类型为“应急科普”的场次"}, Declared, typ("emergency", "sessions")),
	}
}

var _ = region.LevelRegion
