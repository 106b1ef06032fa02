package activity_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

// The demo year carries the seed's yearly figures: at scale 1 the counted records reach at
// least the report's "more than" values.
func TestDemoYear(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := demo.Run(ctx, d, 1, 0.05, []demo.Step{activity.DemoStep()}, nil); err != nil {
			t.Fatal(err)
		}
		st := newStore(d)
		year := activity.Filter{Scope: everyone, From: "2026-01-01", To: "2026-12-31"}
		r, err := st.Rollup(ctx, year, activity.ByType)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]activity.Figures{}
		for _, row := range r.Rows {
			got[row.Key] = row.Figures
		}
		// At 5 %, the seed's 1,300 exhibition activities with 4,000,000 visitors are ~65 and
		// ~200,000, less the ~2 % still under review.
		if ex := got["exhibition"]; ex.Activities < 60 || ex.Declared < 190_000 {
			t.Errorf("exhibition: %+v", ex)
		}
		// Verified attendance is real tickets checked in: the sum over all records equals the
		// check-ins on file, and it never exceeds what was declared.
		var verified, checkins int64
		d.QueryRowContext(ctx, `SELECT COALESCE(SUM(verified_attendance), 0) FROM activities`).Scan(&verified)
		d.QueryRowContext(ctx, `SELECT count(*) FROM checkins`).Scan(&checkins)
		if verified == 0 || verified != checkins || r.Total.Verified > r.Total.Declared {
			t.Errorf("verified %d, check-ins %d, roll-up %+v", verified, checkins, r.Total)
		}
		if r.Total.Live == 0 || got["science_day"].Activities < 95 {
			t.Errorf("total %+v, science day %+v", r.Total, got["science_day"])
		}
		// New records after the bulk load get fresh ids (the sequence moved on).
		p := newPeople(t, d)
		if _, err := st.Create(ctx, everyone, p.region.ID, input("152502001", "2026-11-01 09:00")); err != nil {
			t.Fatalf("create after the demo: %v", err)
		}
		all, _ := st.List(ctx, activity.Filter{Scope: everyone, Status: activity.Submitted})
		if all.Total == 0 {
			t.Error("the demo left nothing waiting for review")
		}
	})
}

// BenchmarkRollupYear measures the whole-region roll-up of a year at the seed's scale
// (≈17,000 activity records) by each dimension, on SQLite and PostgreSQL.
func BenchmarkRollupYear(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		if _, err := demo.Run(ctx, d, 1, 1, []demo.Step{activity.DemoStep()}, nil); err != nil {
			b.Fatal(err)
		}
		st := newStore(d)
		year := activity.Filter{Scope: region.NewScope("150000"), From: "2026-01-01", To: "2026-12-31"}
		for _, by := range []string{activity.ByRegion, activity.ByMonth, activity.ByType, activity.ByProgramme, activity.ByGroup} {
			b.Run(by, func(b *testing.B) {
				for b.Loop() {
					if _, err := st.Rollup(ctx, year, by); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// BenchmarkImportReport imports one banner's report of MaxImportRows (20,000) rows into a
// database already holding the demo year, all in one transaction, on each database.
func BenchmarkImportReport(b *testing.B) {
	var file strings.Builder
	file.WriteString(importHead)
	for i := range activity.MaxImportRows {
		fmt.Fprintf(&file, "152502001,牧草种植培训 %d,专家服务：实用技术培训,市科协,2026-%02d-%02d,09:00,,11:00,线下,农牧民,1,%d,\n", i, 1+i%12, 1+i%28, 50+i%100)
	}
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		if _, err := demo.Run(ctx, d, 1, 1, []demo.Step{activity.DemoStep()}, nil); err != nil {
			b.Fatal(err)
		}
		st := newStore(d)
		for b.Loop() {
			b.StopTimer()
			d.ExecContext(ctx, `DELETE FROM activity_steps WHERE activity_id IN (SELECT id FROM activities WHERE import_id IS NOT NULL)`)
			d.ExecContext(ctx, `DELETE FROM activity_programmes WHERE activity_id IN (SELECT id FROM activities WHERE import_id IS NOT NULL)`)
			d.ExecContext(ctx, `DELETE FROM activity_target_groups WHERE activity_id IN (SELECT id FROM activities WHERE import_id IS NOT NULL)`)
			d.ExecContext(ctx, `DELETE FROM activities WHERE import_id IS NOT NULL`)
			b.StartTimer()
			res, err := st.Import(ctx, banner, 0, strings.NewReader(file.String()), "year.csv", 0)
			if err != nil || len(res.Errors) > 0 || res.Created != activity.MaxImportRows {
				b.Fatalf("%v %v created %d", err, res.Errors, res.Created)
			}
		}
	})
}
