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

// DemoShifts is the number of volunteer service activities (shifts) the demo adds for 2026 at
// the seed's scale: "4,000+ volunteer service activities" (issue 4, from the seed report's
// count of science-volunteer service activities).
const DemoShifts = 4_200

// demoShiftTitles are the kinds of service the demo's shifts are named after.
var demoShiftTitles = []string{"全国科普日展台讲解", "社区应急科普宣讲", "科技馆周末讲解", "科普大篷车进牧区", "青少年科学营辅导",
	"老年人防诈骗科普", "农牧民实用技术培训助教", "科普e站设备维护", "流动科技馆布展", "科学家精神宣讲服务"}

// volunteerDemo adds a year (2026) of volunteer shifts and hours to the demo network: about
// DemoShifts shifts (scaled by g.N) over the registry's demo volunteer teams, each with
// sign-ups of the team's approved members and, the year being over, their hours — mostly
// approved, some pending, declined or never recorded, a few cancelled — and walk-ins on one
// shift in ten. Seven in ten shifts go to a few busy teams (about 60 shifts each, served mostly
// by a core of 25 members), so that the award report has eligible volunteers and teams; the
// rest are spread over all teams. No volunteer gets overlapping hours. Teams and members are
// read through the registry's exported queries; everything is written in one transaction with
// db.BulkInsert.
func volunteerDemo(ctx context.Context, g *demo.Generator) error {
	_, _, err := volunteerDemoCounts(ctx, g)
	return err
}

// volunteerDemoCounts is volunteerDemo returning the number of shifts and of hours rows
// written.
func volunteerDemoCounts(ctx context.Context, g *demo.Generator) (shifts, hours int, err error) {
	r := g.Rand
	reg := &registry.Store{DB: g.DB, Regions: &region.Store{DB: g.DB}}
	all := region.NewScope("150000")
	teams, err := reg.VolunteerTeamsIn(ctx, all)
	if err != nil {
		return 0, 0, err
	}
	members, err := reg.ApprovedMembers(ctx, all)
	if err != nil {
		return 0, 0, err
	}
	var staffed []registry.TeamRef
	for _, t := range teams {
		if len(members[t.ID]) > 0 {
			staffed = append(staffed, t)
		}
	}
	if len(staffed) == 0 {
		return 0, 0, nil
	}
	total := g.N(DemoShifts)
	busyShare := total * 7 / 10
	busyN := min(len(staffed), max(1, busyShare/60))
	perm := r.Perm(len(staffed))
	// Busy teams are picked among the larger ones (20 members or more) where there are any.
	var busy []registry.TeamRef
	for _, i := range perm {
		if len(busy) < busyN && len(members[staffed[i].ID]) >= AwardTeamVolunteers {
			busy = append(busy, staffed[i])
		}
	}
	for _, i := range perm {
		if len(busy) < busyN && len(members[staffed[i].ID]) < AwardTeamVolunteers {
			busy = append(busy, staffed[i])
		}
	}

	type plan struct {
		team       registry.TeamRef
		start, end time.Time
		headcount  int
		title      string
	}
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, China)
	plans := make([]plan, 0, total)
	for i := range total {
		var t registry.TeamRef
		if i < busyShare {
			t = busy[i%len(busy)]
		} else {
			t = staffed[r.IntN(len(staffed))]
		}
		start := year.AddDate(0, 0, r.IntN(365)).Add(time.Duration(8+r.IntN(8))*time.Hour + time.Duration(r.IntN(2))*30*time.Minute)
		end := start.Add(time.Duration(4+r.IntN(5)) * 30 * time.Minute) // 2–4 h
		plans = append(plans, plan{team: t, start: start.UTC(), end: end.UTC(), headcount: 5 + r.IntN(16),
			title: demoShiftTitles[r.IntN(len(demoShiftTitles))]})
	}

	err = g.DB.Tx(ctx, func(tx *sql.Tx) error {
		var before int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM volunteer_shifts`).Scan(&before); err != nil {
			return db.Map(err)
		}
		rows := make([][]any, len(plans))
		for i, p := range plans {
			rows[i] = []any{p.team.RegionCode, p.team.ID, p.title, p.start, p.end, p.headcount, p.start.AddDate(0, 0, -7)}
		}
		if err := db.BulkInsert(ctx, tx, g.DB.Dialect, "volunteer_shifts", []string{"region_code", "team_id", "title", "starts_at", "ends_at", "headcount", "created_at"}, rows, ""); err != nil {
			return err
		}
		ids := make([]int64, 0, len(plans))
		q, err := tx.QueryContext(ctx, `SELECT id FROM volunteer_shifts WHERE id > $1 ORDER BY id`, before)
		if err != nil {
			return db.Map(err)
		}
		for q.Next() {
			var id int64
			if err := q.Scan(&id); err != nil {
				q.Close()
				return db.Map(err)
			}
			ids = append(ids, id)
		}
		q.Close()
		if len(ids) != len(plans) {
			return fmt.Errorf("volunteer demo: %d shifts written, %d read back", len(plans), len(ids))
		}

		type span struct{ s, e time.Time }
		busyOf := map[int64][]span{} // volunteer → intervals with pending or approved hours
		free := func(v int64, s, e time.Time) bool {
			for _, x := range busyOf[v] {
				if HoursOverlap(s, e, x.s, x.e) {
					return false
				}
			}
			return true
		}
		cols := []string{"shift_id", "volunteer_id", "walk_in_name", "signup_status", "starts_at", "ends_at", "minutes", "status", "reason", "created_at", "recorded_at", "confirmed_at"}
		var out [][]any
		for i, p := range plans {
			pool := members[p.team.ID]
			core := pool[:min(len(pool), 25)]
			want := max(1, p.headcount*(6+r.IntN(5))/10)
			picked := map[int64]bool{}
			for tries := 0; len(picked) < want && tries < want*4; tries++ {
				from := pool
				if r.IntN(10) < 8 {
					from = core
				}
				v := from[r.IntN(len(from))]
				if picked[v] {
					continue
				}
				picked[v] = true
				signed := p.start.AddDate(0, 0, -r.IntN(7)-1)
				roll := r.IntN(100)
				s := p.start.Add(time.Duration(r.IntN(16)) * time.Minute)
				e := p.end.Add(-time.Duration(r.IntN(16)) * time.Minute)
				switch {
				case roll < 3: // cancelled before the day
					out = append(out, []any{ids[i], v, "", "cancelled", nil, nil, 0, HoursOpen, "", signed, signed, nil})
					continue
				case roll < 6 || !free(v, s, e): // signed up, time never recorded
					out = append(out, []any{ids[i], v, "", "signed_up", nil, nil, 0, HoursOpen, "", signed, nil, nil})
					continue
				}
				minutes := int64(e.Sub(s) / time.Minute)
				recorded := p.end.Add(time.Duration(1+r.IntN(48)) * time.Hour)
				status, reason, confirmed := HoursApproved, "", any(recorded.Add(time.Duration(1+r.IntN(72))*time.Hour))
				switch {
				case roll < 8:
					status, reason = HoursDeclined, "签到记录与填报时间不符"
				case roll < 13:
					status, confirmed = HoursPending, nil
				}
				if status != HoursDeclined {
					busyOf[v] = append(busyOf[v], span{s, e})
				}
				out = append(out, []any{ids[i], v, "", "signed_up", s, e, minutes, status, reason, signed, recorded, confirmed})
			}
			if r.IntN(10) == 0 {
				for range 1 + r.IntN(3) {
					s, e := p.start.Add(30*time.Minute), p.end
					recorded := p.end.Add(2 * time.Hour)
					out = append(out, []any{ids[i], nil, demo.PersonName(r), "signed_up", s, e, int64(e.Sub(s) / time.Minute), HoursApproved, "", p.start, recorded, recorded.Add(time.Hour)})
				}
			}
		}
		hours = len(out)
		return db.BulkInsert(ctx, tx, g.DB.Dialect, "volunteer_hours", cols, out, "")
	})
	if err != nil {
		return 0, 0, fmt.Errorf("activity.volunteerDemo: %w", err)
	}
	return len(plans), hours, nil
}
