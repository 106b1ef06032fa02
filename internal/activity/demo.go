package activity

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// demoKind is one line of the demo year: how many records of a type, how many person-times
// they reach in all, and how they are tagged. Figures: ../shared/reference/seed-indicators.csv
// ("per year" rows; cumulative ones spread over the years they cover), rounded up a little
// past each "more than".
type demoKind struct {
	typ        string
	records    int
	attendance int64
	mode       string
	level      region.Level // the unit level the records are held at
	programmes []string
	groups     []string
	live       int   // how many of them were streamed live
	viewers    int64 // live viewers in all
	title      string
	months     []time.Month // nil: any month
}

var demoYear = []demoKind{
	{typ: "exhibition", records: 1_320, attendance: 4_050_000, mode: "offline", level: region.LevelBanner, groups: []string{"youth", "elderly"}, title: "科技馆展教活动"},
	{typ: "mobile_museum", records: 6_350, attendance: 3_050_000, mode: "offline", level: region.LevelTownship, programmes: []string{"流动科技馆巡展"}, groups: []string{"farmers", "youth"}, title: "流动科技馆、科普大篷车进基层"},
	{typ: "competition", records: 155, attendance: 605_000, mode: "offline", level: region.LevelBanner, groups: []string{"youth"}, title: "科技竞赛与科普研学"},
	{typ: "innovation", records: 810, attendance: 121_000, mode: "offline", level: region.LevelBanner, groups: []string{"workers"}, title: "产业对接与成果推介会"},
	{typ: "joint", records: 185, attendance: 160_000, mode: "offline", level: region.LevelLeague, title: "全区科技馆联合活动"},
	{typ: "training", records: 11, attendance: 1_210, mode: "offline", level: region.LevelRegion, title: "科技馆馆长、辅导员培训班"},
	{typ: "expert_lecture", records: 600, attendance: 240_000, mode: "both", level: region.LevelBanner, programmes: []string{"百名专家走进盟市旗县"}, groups: []string{"farmers"}, live: 60, viewers: 960_000, title: "专家科普讲座"},
	{typ: "expert_training", records: 600, attendance: 240_000, mode: "both", level: region.LevelTownship, programmes: []string{"百名专家走进盟市旗县"}, groups: []string{"farmers"}, live: 30, viewers: 480_000, title: "实用技术培训"},
	{typ: "expert_medical", records: 310, attendance: 125_000, mode: "both", level: region.LevelTownship, programmes: []string{"百名专家走进盟市旗县"}, groups: []string{"elderly", "farmers"}, live: 12, viewers: 160_000, title: "专家义诊"},
	{typ: "science_day", records: 1_350, attendance: 900_000, mode: "offline", level: region.LevelTownship, programmes: []string{"全国科普日 2026"}, groups: []string{"youth", "farmers", "elderly"}, title: "全国科普日活动", months: []time.Month{time.September}},
	{typ: "science_day", records: 680, attendance: 300_000, mode: "offline", level: region.LevelBanner, programmes: []string{"全国科技工作者日 2026"}, groups: []string{"workers"}, title: "全国科技工作者日活动", months: []time.Month{time.May}},
	{typ: "quiz", records: 2, attendance: 96_000, mode: "online", level: region.LevelRegion, groups: []string{"civil_servants", "youth"}, title: "科普知识答题"},
	{typ: "youth", records: 900, attendance: 605_000, mode: "offline", level: region.LevelBanner, groups: []string{"youth"}, title: "青少年科技创新大赛与科学营"},
	{typ: "lecture", records: 575, attendance: 1_305_000, mode: "online", level: region.LevelLeague, programmes: []string{"云上科普"}, live: 575, viewers: 1_305_000, title: "线上科普讲座"},
	{typ: "lecture", records: 64, attendance: 78_500, mode: "offline", level: region.LevelLeague, programmes: []string{"科学家精神宣讲"}, groups: []string{"civil_servants", "youth"}, title: "科学家精神巡讲"},
	{typ: "emergency", records: 60, attendance: 45_000, mode: "both", level: region.LevelBanner, programmes: []string{"应急科普"}, title: "应急科普宣传"},
	{typ: "volunteer_service", records: 1_400, attendance: 280_000, mode: "offline", level: region.LevelTownship, groups: []string{"farmers", "elderly"}, title: "科技志愿服务"},
}

// demoPartners are some of the 19 partner departments of the joint work mechanism.
var demoPartners = []string{"教育厅", "农牧厅", "卫健委", "人社厅", "团委", "妇联", "总工会", "应急管理厅", "气象局", "林草局"}

// DemoStep adds a year (2026, to 28 November) of activity records in the seed's numbers —
// 1,300+ museum exhibition activities with 4,000,000+ visitors, 6,300+ mobile museum and
// caravan activities, 2,000+ Science Day activities, 1,500+ expert services of which 100+
// streamed live, and the rest of demoYear — almost all accepted; a few dozen wait at each
// review step so that the workflow has something to show — and then the volunteer shifts and
// hours (volunteerDemo) and the service orders (orderDemo).
func DemoStep() demo.Step {
	total := 0
	for _, k := range demoYear {
		total += k.records
	}
	return demo.Step{Name: "activity", Work: total/1000 + 2, Run: func(ctx context.Context, g *demo.Generator) error {
		regions := &region.Store{DB: g.DB}
		units := map[region.Level][]region.Unit{}
		for _, l := range []region.Level{region.LevelRegion, region.LevelLeague, region.LevelBanner, region.LevelTownship} {
			us, err := regions.UnitsAt(ctx, l)
			if err != nil {
				return err
			}
			units[l] = us
		}
		err := g.DB.Tx(ctx, func(tx *sql.Tx) error {
			return demoActivities(ctx, tx, g, units)
		})
		if err != nil {
			return err
		}
		g.Tick(1)
		if err := volunteerDemo(ctx, g); err != nil {
			return err
		}
		return orderDemo(ctx, g)
	}}
}

func demoActivities(ctx context.Context, tx *sql.Tx, g *demo.Generator, units map[region.Level][]region.Unit) error {
	r := g.Rand
	var next, nextReg int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM activities`).Scan(&next); err != nil {
		return db.Map(err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM registrations`).Scan(&nextReg); err != nil {
		return db.Map(err)
	}
	next0 := next
	cols := []string{"id", "series_id", "version", "region_code", "title", "type", "organizer", "venue", "starts_at", "ends_at", "starts_on", "mode",
		"programmes", "partners", "target_groups", "sessions", "declared_attendance", "live_viewers", "replay_views", "status", "created_at", "updated_at",
		"capacity", "walkin_allowance", "signup_open", "verified_attendance", "venue_kind", "venue_id"}
	museums, err := demoMuseums(ctx, g)
	if err != nil {
		return err
	}
	var rows, progs, groups, regs, checks [][]any
	flush := func(force bool) error {
		if len(rows) < 5000 && !force {
			return nil
		}
		for _, b := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{{"activities", cols, rows}, {"activity_programmes", []string{"activity_id", "programme"}, progs},
			{"activity_target_groups", []string{"activity_id", "target_group"}, groups},
			{"registrations", []string{"id", "activity_id", "name", "phone", "status", "walk_in", "nonce", "created_at"}, regs},
			{"checkins", []string{"registration_id", "activity_id", "scanned_at", "recorded_at", "device"}, checks}} {
			if err := db.BulkInsert(ctx, tx, g.DB.Dialect, b.table, b.cols, b.rows, ""); err != nil {
				return err
			}
		}
		g.Tick(len(rows) / 1000)
		rows, progs, groups, regs, checks = rows[:0], progs[:0], groups[:0], regs[:0], checks[:0]
		return nil
	}
	yearStart := time.Date(2026, 1, 1, 0, 0, 0, 0, China)
	days := 331 // to 28 November
	for _, k := range demoYear {
		n := g.N(k.records)
		att := demo.Split(r, int64(float64(k.attendance)*float64(n)/float64(k.records)), n)
		live := g.N(k.live)
		if k.live == 0 {
			live = 0
		}
		viewers := demo.Split(r, int64(float64(k.viewers)*float64(n)/float64(k.records)), max(live, 1))
		pool := units[k.level]
		for i := range n {
			u := pool[r.IntN(len(pool))]
			day := r.IntN(days)
			if k.months != nil {
				m := k.months[r.IntN(len(k.months))]
				day = time.Date(2026, m, 1+r.IntN(28), 0, 0, 0, 0, China).YearDay() - 1
			}
			start := yearStart.AddDate(0, 0, day).Add(time.Duration(8+r.IntN(10)) * time.Hour)
			end := start.Add(time.Duration(1+r.IntN(4)) * time.Hour)
			next++
			status := Accepted
			switch x := r.IntN(1000); {
			case x < 8:
				status = Submitted
			case x < 12:
				status = Reviewed
			case x < 14:
				status = Returned
			case x < 18:
				status = Draft
			}
			var lv, replay int64
			mode := k.mode
			if i < live {
				lv = viewers[i]
				replay = lv / int64(3+r.IntN(5))
			} else if mode == "both" {
				mode = "offline"
			}
			var partners []string
			if r.IntN(4) == 0 {
				partners = []string{demoPartners[r.IntN(len(demoPartners))]}
			}
			venue, venueKind, venueID := "", "", any(nil)
			if k.typ == "exhibition" || k.typ == "competition" || k.typ == "joint" {
				venue = u.Name + "科技馆"
				if id, ok := museums[u.Code+"\x00"+venue]; ok { // held at the registered museum
					venueKind, venueID = registry.Museums.Slug, id
				}
			}
			// Some venue activities took sign-ups and checked tickets in at the door: their
			// verified attendance is real tickets and check-ins, a share of the declared count.
			var capacity, walkIns int
			var verified int64
			if mode == "offline" && signupTypes[k.typ] && r.IntN(100) < 8 {
				verified = min(att[i]*int64(60+r.IntN(35))/100, demoMaxTickets)
				capacity, walkIns = int(verified)+r.IntN(20), 10
				for j := range verified {
					nextReg++
					at := start.Add(time.Duration(r.IntN(90)-30) * time.Minute)
					regs = append(regs, []any{nextReg, next, demo.PersonName(r), fmt.Sprintf("139%08d", nextReg), "confirmed", j%10 == 9, newNonce(), start.AddDate(0, 0, -1-r.IntN(10)).UTC()})
					checks = append(checks, []any{nextReg, next, at.UTC(), at.UTC(), "demo"})
				}
			}
			rows = append(rows, []any{next, next, 1, u.Code, fmt.Sprintf("%s·%s", u.Name, k.title), k.typ, u.Name + "科协", venue, start.UTC(), end.UTC(),
				LocalDate(start), mode, joinStored(k.programmes), joinStored(partners), joinStored(k.groups), 1, att[i], lv, replay, status,
				start.UTC(), end.UTC(), capacity, walkIns, capacity > 0, verified, venueKind, venueID})
			for _, p := range k.programmes {
				progs = append(progs, []any{next, p})
			}
			for _, gr := range k.groups {
				groups = append(groups, []any{next, gr})
			}
			if err := flush(false); err != nil {
				return err
			}
		}
	}
	if err := flush(true); err != nil {
		return err
	}
	// The records just written count in activity_unit_months.
	if err := recount(ctx, tx, 1, "a.id > $1", next0); err != nil {
		return err
	}
	if err := db.SyncSequence(ctx, tx, g.DB.Dialect, "registrations"); err != nil {
		return err
	}
	return db.SyncSequence(ctx, tx, g.DB.Dialect, "activities")
}

// demoMuseums maps the registered museums' unit code and name (joined by a NUL) to their
// registry ids, read through the registry's list.
func demoMuseums(ctx context.Context, g *demo.Generator) (map[string]int64, error) {
	reg := &registry.Store{DB: g.DB, Regions: &region.Store{DB: g.DB}}
	out := map[string]int64{}
	f := registry.Filter{Scope: region.NewScope("150000"), Limit: 500}
	for {
		page, err := reg.List(ctx, &registry.Museums, f)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Records {
			out[r.Region()+"\x00"+r.Values.Str("name")] = r.ID
		}
		if page.Next.ID == 0 {
			return out, nil
		}
		f.After = page.Next
	}
}

// signupTypes are the activity types whose demo records may have taken sign-ups at a venue.
var signupTypes = map[string]bool{"exhibition": true, "competition": true, "youth": true, "science_day": true, "lecture": true}

// demoMaxTickets bounds one demo activity's tickets (a museum day, not a festival).
const demoMaxTickets = 400
