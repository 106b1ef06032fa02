package activity

import (
	"context"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// The demo's volunteer year at 5 % of the seed's scale: the shift count scales, every shift
// belongs to a real team, no volunteer's pending or approved hours overlap, minutes match the
// intervals, and the award report finds eligible volunteers and teams.
func TestVolunteerDemo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var shifts, hours int
		step := demo.Step{Name: "volunteer", Work: 1, Run: func(ctx context.Context, g *demo.Generator) error {
			var err error
			shifts, hours, err = volunteerDemoCounts(ctx, g)
			return err
		}}
		if _, err := demo.Run(ctx, d, 1, 0.05, []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), step}, nil); err != nil {
			t.Fatal(err)
		}
		if want := DemoShifts / 20; shifts != want || hours < shifts {
			t.Errorf("%d shifts and %d hours rows; want %d shifts and more hours rows", shifts, hours, want)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM volunteer_shifts s JOIN volunteer_teams t ON t.id = s.team_id AND t.region_code = s.region_code`).Scan(&n); err != nil || n != shifts {
			t.Errorf("%d shifts with their team's unit, want %d (%v)", n, shifts, err)
		}
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM volunteer_hours a JOIN volunteer_hours b ON a.volunteer_id = b.volunteer_id AND a.id < b.id
			WHERE a.status IN ('pending', 'approved') AND b.status IN ('pending', 'approved') AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d overlapping pairs of hours (%v)", n, err)
		}
		rows, err := d.QueryContext(ctx, `SELECT starts_at, ends_at, minutes FROM volunteer_hours WHERE starts_at IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s, e time.Time
			var m int64
			if err := rows.Scan(&s, &e, &m); err != nil {
				t.Fatal(err)
			}
			if int64(e.Sub(s)/time.Minute) != m || m <= 0 {
				t.Errorf("hours %s–%s recorded as %d minutes", s, e, m)
				break
			}
		}
		rows.Close()
		reg := &registry.Store{DB: d, Regions: &region.Store{DB: d}}
		v := &Volunteering{Activities: &Store{DB: d, Regions: reg.Regions}, Registry: reg}
		rep, err := v.Awards(ctx, region.NewScope("150000"), time.Date(2026, 1, 1, 0, 0, 0, 0, China), time.Date(2027, 1, 1, 0, 0, 0, 0, China))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Volunteers) == 0 || len(rep.Teams) == 0 {
			t.Errorf("the demo year has %d eligible volunteers and %d eligible teams; want some of each", len(rep.Volunteers), len(rep.Teams))
		}
		t.Logf("%d shifts, %d hours rows; eligible: %d volunteers of %d, %d teams of %d", shifts, hours, len(rep.Volunteers), rep.VolunteersConsidered, len(rep.Teams), rep.TeamsConsidered)
	})
}
