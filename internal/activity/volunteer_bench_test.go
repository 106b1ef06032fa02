package activity

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// BenchmarkAwards measures the award-eligibility report for the whole region and the year 2026
// on the demo network at the seed's scale (136,000 volunteers, 1,559 teams, 4,200 shifts and
// their hours), as the report page runs it: two grouped queries over the year's hours, the
// registry's teams with their member counts, and the names of the eligible volunteers.
func BenchmarkAwards(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		var shifts, hours int
		step := demo.Step{Name: "volunteer", Work: 1, Run: func(ctx context.Context, g *demo.Generator) error {
			var err error
			shifts, hours, err = volunteerDemoCounts(ctx, g)
			return err
		}}
		var progress bytes.Buffer
		if _, err := demo.Run(ctx, d, 1, 1, []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), step}, &progress); err != nil {
			b.Fatal(err)
		}
		var stepLine string
		for _, line := range strings.Split(progress.String(), "\n") {
			if strings.Contains(line, "volunteer") {
				stepLine = line
			}
		}
		// Planner statistics, as autovacuum would have gathered them on a live server after the
		// bulk load (without them PostgreSQL picked plans five times slower).
		if d.Dialect == db.Postgres {
			if _, err := d.ExecContext(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
		}
		reg := &registry.Store{DB: d, Regions: &region.Store{DB: d}}
		v := &Volunteering{Activities: &Store{DB: d, Regions: reg.Regions}, Registry: reg}
		from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, China), time.Date(2027, 1, 1, 0, 0, 0, 0, China)
		for _, c := range []struct {
			name  string
			scope region.Scope
		}{{"region", region.NewScope("150000")}, {"league", region.NewScope("152500")}} {
			b.Run(c.name, func(b *testing.B) {
				var rep AwardReport
				for i := 0; i < b.N; i++ {
					var err error
					if rep, err = v.Awards(ctx, c.scope, from, to); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(rep.Volunteers)), "eligible-volunteers")
				b.ReportMetric(float64(len(rep.Teams)), "eligible-teams")
				b.Logf("%s; %d shifts, %d hours rows; %s: %d of %d volunteers and %d of %d teams eligible", stepLine, shifts, hours, c.name,
					len(rep.Volunteers), rep.VolunteersConsidered, len(rep.Teams), rep.TeamsConsidered)
			})
		}
	})
}
