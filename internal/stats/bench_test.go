package stats_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/quiz"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/stats/dashboard"
	"github.com/kepu/kepu/internal/stats/report"
	"github.com/kepu/kepu/internal/survey"
)

// benchScale is the demo scale of the benchmarks: 1 (the seed's numbers) unless
// KEPU_BENCH_SCALE says otherwise.
func benchScale() float64 {
	if s, err := strconv.ParseFloat(os.Getenv("KEPU_BENCH_SCALE"), 64); err == nil && s > 0 {
		return s
	}
	return 1
}

// BenchmarkHeadlineRegionYear computes every headline indicator for the whole region for the
// demo year on the demo network at the seed's scale (the dashboard's main query), and the
// same with the leagues' values (the ranks among siblings): live from the domains (MaxAge 0)
// and from stats_snapshots (MaxAge 10 minutes, as `kepu serve` runs). KEPU_BENCH_DB names a
// database already holding the demo network (`kepu demo --db FILE`) to skip generating it.
func BenchmarkHeadlineRegionYear(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, d *db.DB) {
		r := newRegistry(d)
		var codes []string
		for _, ind := range r.Headline() {
			codes = append(codes, ind.Code)
		}
		q := stats.Query{Unit: "150000", Year: 2026, Scope: everyone}
		for _, mode := range []struct {
			name   string
			maxAge time.Duration
		}{{"live", 0}, {"snapshot", 10 * time.Minute}} {
			r.MaxAge = mode.maxAge
			if mode.maxAge > 0 { // the first reads compute and store the snapshots
				if err := r.Warm(ctx, q.Unit, q.Year); err != nil {
					b.Fatal(err)
				}
			}
			b.Run(mode.name+"/values", func(b *testing.B) {
				for b.Loop() {
					if _, err := r.Values(ctx, q, codes...); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(mode.name+"/children", func(b *testing.B) {
				for b.Loop() {
					if _, err := r.ChildrenValues(ctx, q, codes...); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	if path := os.Getenv("KEPU_BENCH_DB"); path != "" {
		d, err := db.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		run(b, d)
		return
	}
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		steps := []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), activity.DemoStep(), content.DemoStep(), share.DemoStep(), survey.DemoStep(), quiz.DemoStep(), stats.DemoStep()}
		if _, err := demo.Run(ctx, d, 1, benchScale(), steps, nil); err != nil {
			b.Fatal(err)
		}
		run(b, d)
	})
}

// benchDB opens KEPU_BENCH_DB (a demo network written by `kepu demo --db FILE`) or generates
// the demo network at benchScale in a fresh test database, and runs fn on it.
func benchDB(b *testing.B, fn func(b *testing.B, d *db.DB)) {
	ctx := context.Background()
	if path := os.Getenv("KEPU_BENCH_DB"); path != "" {
		d, err := db.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		fn(b, d)
		return
	}
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		steps := []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), activity.DemoStep(), content.DemoStep(), share.DemoStep(), survey.DemoStep(), quiz.DemoStep(), stats.DemoStep()}
		if _, err := demo.Run(ctx, d, 1, benchScale(), steps, nil); err != nil {
			b.Fatal(err)
		}
		fn(b, d)
	})
}

// BenchmarkSources computes each source's indicators alone, live (MaxAge 0), for the whole
// region, a league (152500) and a banner (152502): the year (values), one month (month) and
// the unit's children for the year (children). It shows which domain's fetcher a cold
// dashboard waits for. KEPU_BENCH_DB as for BenchmarkHeadlineRegionYear.
//
//	KEPU_BENCH_DB=/tmp/seed.db go test ./internal/stats -run xxx -bench Sources -benchtime 3x
func BenchmarkSources(b *testing.B) {
	ctx := context.Background()
	benchDB(b, func(b *testing.B, d *db.DB) {
		r := newRegistry(d)
		bySource := map[string][]string{}
		var sources []string
		for _, ind := range r.All() {
			if ind.Agg == stats.RatioOfSums {
				continue
			}
			if bySource[ind.Source] == nil {
				sources = append(sources, ind.Source)
			}
			bySource[ind.Source] = append(bySource[ind.Source], ind.Code)
		}
		for _, unit := range []string{"150000", "152500", "152502"} {
			for _, src := range sources {
				codes := bySource[src]
				q := stats.Query{Unit: unit, Year: 2026, Scope: everyone}
				mq := q
				mq.Month = 6
				b.Run(unit+"/"+src+"/values", func(b *testing.B) {
					for b.Loop() {
						if _, err := r.Values(ctx, q, codes...); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(unit+"/"+src+"/month", func(b *testing.B) {
					for b.Loop() {
						if _, err := r.Values(ctx, mq, codes...); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(unit+"/"+src+"/children", func(b *testing.B) {
					for b.Loop() {
						if _, err := r.ChildrenValues(ctx, q, codes...); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	})
}

// BenchmarkDashboardCold builds the dashboard (dashboard.Build: the year, the year before,
// children, siblings, 12 months of flows) of the region, a league (152500) and a banner
// (152502) for 2026 with no snapshot to read: stats_snapshots is emptied before each build
// (outside the timer) and MaxAge is 10 minutes, as `kepu serve` runs, so batches of one build
// share what the others computed. This is a viewer's first dashboard of a unit that the
// refresher has not warmed. The same for the annual report (report.Build). KEPU_BENCH_DB as
// for BenchmarkHeadlineRegionYear.
//
//	KEPU_BENCH_DB=/tmp/seed.db go test ./internal/stats -run xxx -bench Cold -benchtime 5x
func BenchmarkDashboardCold(b *testing.B) {
	ctx := context.Background()
	benchDB(b, func(b *testing.B, d *db.DB) {
		r := newRegistry(d)
		r.MaxAge = 10 * time.Minute
		regions := &region.Store{DB: d}
		empty := func(b *testing.B) {
			b.StopTimer()
			if _, err := d.ExecContext(ctx, `DELETE FROM stats_snapshots`); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		for _, unit := range []string{"150000", "152500", "152502"} {
			q := stats.Query{Unit: unit, Year: 2026, Scope: everyone}
			b.Run("dashboard/"+unit, func(b *testing.B) {
				for b.Loop() {
					empty(b)
					if _, err := dashboard.Build(ctx, r, regions, q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		q := stats.Query{Unit: "150000", Year: 2026, Scope: everyone}
		b.Run("report/150000", func(b *testing.B) {
			for b.Loop() {
				empty(b)
				if _, err := report.Build(ctx, r, regions, q, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
