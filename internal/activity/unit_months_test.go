package activity_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

// unitMonths reads activity_unit_months without its all-zero rows (groups whose records left).
func unitMonths(t *testing.T, d *db.DB) map[string][6]int64 {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), `SELECT prefix, month, dim, item, activities, sessions, declared, verified, live, replay FROM activity_unit_months`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][6]int64{}
	for rows.Next() {
		var p, m, dim, item string
		var f [6]int64
		if err := rows.Scan(&p, &m, &dim, &item, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5]); err != nil {
			t.Fatal(err)
		}
		if f != ([6]int64{}) {
			out[p+" "+m+" "+dim+" "+item] = f
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// backfill0020 is migration 0020's backfill, the statement that fills activity_unit_months
// from the records.
func backfill0020(t *testing.T) string {
	t.Helper()
	ms, err := db.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Version == 20 {
			_, fill, ok := strings.Cut(m.SQL, "-- What is already recorded")
			if !ok {
				t.Fatal("migration 0020 has no backfill")
			}
			return "--" + fill
		}
	}
	t.Fatal("no migration 0020")
	return ""
}

// TestUnitMonthsAreExact checks activity_unit_months against the records after every kind of
// write that changes a counted record (the demo's bulk load, create, edit, import, check-in,
// review, return, acceptance of a record and of a correction that supersedes it): the table
// equals what migration 0020's backfill computes afresh, and RollupFast answers exactly what
// Rollup counts from the records, rows, totals and drill-down filters alike, for units at
// every level, whole years, months, part months and open periods.
func TestUnitMonthsAreExact(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := demo.Run(ctx, d, 3, 0.01, []demo.Step{activity.DemoStep()}, nil); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
		st := newClockStore(d, &now)
		p := newPeople(t, d)
		fill := backfill0020(t)
		units := []string{"150000", "152500", "152502", "152502001", "152501", "152502001001", "150100"}
		periods := [][2]string{{"2026-01-01", "2026-12-31"}, {"2025-01-01", "2025-12-31"}, {"2026-03-01", "2026-03-31"},
			{"2026-09-01", "2026-09-30"}, {"2026-01-15", "2026-04-10"}, {"2026-03-02", "2026-03-30"}, {"2026-02-01", "2026-09-12"},
			{"", "2026-06-30"}, {"2026-06-03", ""}, {"", ""}}
		// RollupFastEach: the children of a unit in one query, each as Rollup counts it.
		checkEach := func(t *testing.T, when string) {
			t.Helper()
			for _, parent := range []string{"150000", "152500", "152502"} {
				kids, err := st.Regions.Children(ctx, parent)
				if err != nil {
					t.Fatal(err)
				}
				codes := make([]string, len(kids))
				for i, k := range kids {
					codes[i] = k.Code
				}
				for _, pr := range [][2]string{periods[0], periods[2], periods[4], periods[8]} {
					for _, by := range []string{activity.ByType, activity.ByProgramme, activity.ByGroup} {
						got, err := st.RollupFastEach(ctx, activity.Filter{Scope: everyone, From: pr[0], To: pr[1]}, by, codes)
						if err != nil {
							t.Fatal(err)
						}
						for i, c := range codes {
							want, err := st.Rollup(ctx, activity.Filter{Scope: everyone, Region: c, From: pr[0], To: pr[1]}, by)
							if err != nil {
								t.Fatal(err)
							}
							if !reflect.DeepEqual(got[i], want) {
								t.Errorf("%s: children of %s: %s %v by %s:\n got %+v\nwant %+v", when, parent, c, pr, by, got[i], want)
							}
						}
					}
				}
			}
		}
		check := func(t *testing.T, when string) {
			t.Helper()
			kept := unitMonths(t, d)
			if _, err := d.ExecContext(ctx, `DELETE FROM activity_unit_months`); err != nil {
				t.Fatal(err)
			}
			if _, err := d.ExecContext(ctx, fill); err != nil {
				t.Fatal(err)
			}
			if fresh := unitMonths(t, d); !reflect.DeepEqual(kept, fresh) {
				for k, v := range fresh {
					if kept[k] != v {
						t.Errorf("%s: %s kept %v, from the records %v", when, k, kept[k], v)
					}
				}
				for k, v := range kept {
					if _, ok := fresh[k]; !ok {
						t.Errorf("%s: %s kept %v, nothing in the records", when, k, v)
					}
				}
			}
			for _, u := range units {
				for _, pr := range periods {
					for _, by := range []string{activity.ByType, activity.ByProgramme, activity.ByGroup} {
						f := activity.Filter{Scope: everyone, Region: u, From: pr[0], To: pr[1]}
						want, err := st.Rollup(ctx, f, by)
						if err != nil {
							t.Fatal(err)
						}
						got, err := st.RollupFast(ctx, f, by)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(got, want) {
							t.Errorf("%s: %s %v by %s:\n got %+v\nwant %+v", when, u, pr, by, got, want)
						}
					}
				}
			}
			checkEach(t, when)
		}
		// The demo's bulk load, and the table that migration 0020 left before it (empty).
		check(t, "demo")

		// Create (drafts count nothing), accept, return.
		mk := func(code, start, typ string, declared int64, progs []string, groups ...string) activity.Input {
			in := input(code, start)
			in.Title = fmt.Sprintf("%s %s %s", in.Title, code, typ)
			in.Type, in.DeclaredAttendance, in.Programmes, in.TargetGroups = typ, declared, progs, groups
			return in
		}
		a1 := accept(t, st, p, mk("152502001", "2026-03-15 09:00", "lecture", 10, []string{"科学家精神宣讲"}, "farmers"))
		accept(t, st, p, mk("152502001001", "2026-03-31 23:30", "exhibition", 20, nil, "farmers", "youth"))
		accept(t, st, p, mk("152502", "2026-01-14 20:00", "science_day", 40, []string{"科学家精神宣讲", "云上科普"}))
		draft, err := st.Create(ctx, everyone, p.region.ID, mk("152502", "2026-05-01 09:00", "lecture", 1000, []string{"云上科普"}, "youth"))
		if err != nil {
			t.Fatal(err)
		}
		check(t, "accept")
		if err := st.Update(ctx, everyone, p.region.ID, draft, mk("152501", "2026-06-01 09:00", "competition", 500, nil, "youth")); err != nil {
			t.Fatal(err)
		}
		if err := st.Submit(ctx, everyone, p.region.ID, draft); err != nil {
			t.Fatal(err)
		}
		if err := st.Review(ctx, p.region2, everyone, p.region2.ID, draft, false, "人次有误"); err != nil {
			t.Fatal(err)
		}
		check(t, "edit and return")

		// A correction moves the record to another unit, type, month and tags; until accepted
		// the first version counts, then only the correction.
		v2, err := st.Correct(ctx, everyone, p.region.ID, a1)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Update(ctx, everyone, p.region.ID, v2, mk("152501", "2026-04-02 09:00", "competition", 70, []string{"云上科普"}, "youth")); err != nil {
			t.Fatal(err)
		}
		if err := st.Submit(ctx, everyone, p.region.ID, v2); err != nil {
			t.Fatal(err)
		}
		if err := st.Review(ctx, p.region2, everyone, p.region2.ID, v2, true, ""); err != nil {
			t.Fatal(err)
		}
		check(t, "correction under review")
		if err := st.Accept(ctx, p.league, region.NewScope("152500"), p.league.ID, v2, true, ""); err != nil {
			t.Fatal(err)
		}
		check(t, "correction accepted")

		// An import (submitted records), then their acceptance.
		rows := "152502001,牧草种植培训,专家服务：实用技术培训,市科协,2026-05-20,9:00,2026-05-20,11:00,线下,农牧民,1,\"1,200\",\n" +
			"152502,应急演练,应急科普,市科协,2026-07-31,20:00,2026-07-31,22:00,线上,,2,300,4500\n"
		res, err := st.Import(ctx, banner, p.banner.ID, strings.NewReader(importHead+rows), "two.csv", 0)
		if err != nil || len(res.Errors) > 0 || res.Created != 2 {
			t.Fatalf("import: %+v %v", res, err)
		}
		check(t, "import")
		page, err := st.List(ctx, activity.Filter{Scope: everyone, Status: activity.Submitted, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Items {
			if a.ImportID == 0 {
				continue
			}
			if err := st.Review(ctx, p.region2, everyone, p.region2.ID, a.ID, true, ""); err != nil {
				t.Fatal(err)
			}
			if err := st.Accept(ctx, p.league, region.NewScope("152500"), p.league.ID, a.ID, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		check(t, "import accepted")

		// Check-in: verified attendance of a record, counted once it is accepted.
		now = starts.Add(-72 * time.Hour)
		id := newActivity(t, st, 5, 1)
		codes := signUps(t, st, id, 0, 3)
		now = starts.Add(10 * time.Minute)
		if r, err := st.CheckIn(ctx, activity.CheckInRules{Key: testKey}, activity.CheckInBatch{ActivityID: id, Scope: bannerScope, Scans: scans(codes...)}); err != nil || r.Added != 3 {
			t.Fatalf("check-in: %+v %v", r, err)
		}
		check(t, "check-in")
		now = time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
		if err := st.Submit(ctx, everyone, p.region.ID, id); err != nil {
			t.Fatal(err)
		}
		if err := st.Review(ctx, p.region2, everyone, p.region2.ID, id, true, ""); err != nil {
			t.Fatal(err)
		}
		if err := st.Accept(ctx, p.league, region.NewScope("152500"), p.league.ID, id, true, ""); err != nil {
			t.Fatal(err)
		}
		check(t, "checked-in record accepted")
		var v int64
		d.QueryRowContext(ctx, `SELECT verified FROM activity_unit_months WHERE prefix = '152502' AND month = '2026-09' AND dim = 'type' AND item = 'lecture'`).Scan(&v)
		if v < 3 {
			t.Errorf("the roll-up holds %d verified person-times of September's lecture, want at least the 3 checked in", v)
		}
	})
}
