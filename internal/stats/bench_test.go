package stats_test

import (
	"context"
	"os"
	"strconv"
	"syscall"
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
// and from stats_snapshots (MaxAge 10 minutes, longer than a build, as `kepu serve`'s 2 minutes are). KEPU_BENCH_DB names a
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
		// As `kepu serve` does at start: a database that held records before the registry's
		// stock rows existed gets them built once.
		if err := (&registry.Store{DB: d, Regions: &region.Store{DB: d}}).BuildStocks(ctx); err != nil {
			b.Fatal(err)
		}
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
					loop(b, func(*testing.B) {}, func(b *testing.B) {
						if _, err := r.Values(ctx, q, codes...); err != nil {
							b.Fatal(err)
						}
					})
				})
				b.Run(unit+"/"+src+"/month", func(b *testing.B) {
					loop(b, func(*testing.B) {}, func(b *testing.B) {
						if _, err := r.Values(ctx, mq, codes...); err != nil {
							b.Fatal(err)
						}
					})
				})
				b.Run(unit+"/"+src+"/children", func(b *testing.B) {
					loop(b, func(*testing.B) {}, func(b *testing.B) {
						if _, err := r.ChildrenValues(ctx, q, codes...); err != nil {
							b.Fatal(err)
						}
					})
				})
			}
		}
	})
}

// procCPU is the process's CPU time so far (user and system, every goroutine; SQLite runs in
// the process): on a shared machine it moves less with the load than wall time does.
func procCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs work b.N times with prepare before each run outside the timer, and reports the
// CPU time of work alone as cpu-ms/op beside the wall time.
func loop(b *testing.B, prepare, work func(b *testing.B)) {
	var cpu time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		prepare(b)
		b.StartTimer()
		c := procCPU()
		work(b)
		cpu += procCPU() - c
		n++
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(max(n, 1)), "cpu-ms/op")
}

// BenchmarkDashboardCold builds the dashboard (dashboard.Build: the year, the year before,
// children, siblings, 12 months of flows) of the region, a league (152500) and a banner
// (152502) for 2026 with no snapshot to read: stats_snapshots is emptied before each build
// (outside the timer), the Registry is new (no memo left from the build before) and MaxAge is
// 10 minutes (longer than a build, as `kepu serve`'s 2 minutes are), so batches of one build share what the others computed.
// This is a viewer's first dashboard of a unit that the refresher has not warmed. The same for the annual report (report.Build). KEPU_BENCH_DB as
// for BenchmarkHeadlineRegionYear.
//
//	KEPU_BENCH_DB=/tmp/seed.db go test ./internal/stats -run xxx -bench Cold -benchtime 5x
func BenchmarkDashboardCold(b *testing.B) {
	ctx := context.Background()
	benchDB(b, func(b *testing.B, d *db.DB) {
		var r *stats.Registry
		regions := &region.Store{DB: d}
		// No snapshot, and a fresh Registry: nothing a source memoizes within a build (shares,
		// quiz participation) is left over from the build before.
		empty := func(b *testing.B) {
			if _, err := d.ExecContext(ctx, `DELETE FROM stats_snapshots`); err != nil {
				b.Fatal(err)
			}
			r = newRegistry(d)
			r.MaxAge = 10 * time.Minute
		}
		for _, unit := range []string{"150000", "152500", "152502"} {
			q := stats.Query{Unit: unit, Year: 2026, Scope: everyone}
			b.Run("dashboard/"+unit, func(b *testing.B) {
				loop(b, empty, func(b *testing.B) {
					if _, err := dashboard.Build(ctx, r, regions, q); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
		// The refresher's round (cmd/kepu refreshFigures): the region's dashboard this year and
		// last under Refreshing, then each league's this year under RefreshingOlderThan (what
		// the region's pass computed is read, the rest computed); then a league's and a banner's
		// first view after a round.
		region := func(b *testing.B) {
			round := stats.Refreshing(ctx)
			for _, y := range []int{2026, 2025} {
				if _, err := dashboard.Build(round, r, regions, stats.Query{Unit: "150000", Year: y, Scope: everyone}); err != nil {
					b.Fatal(err)
				}
			}
		}
		leagues := func(b *testing.B) {
			kids, err := regions.Children(ctx, "150000")
			if err != nil {
				b.Fatal(err)
			}
			for _, k := range kids {
				if _, err := dashboard.Build(stats.RefreshingOlderThan(ctx, 5*time.Minute), r, regions, stats.Query{Unit: k.Code, Year: 2026, Scope: everyone}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.Run("refresh/region", func(b *testing.B) { loop(b, empty, region) })
		b.Run("refresh/leagues", func(b *testing.B) {
			loop(b, func(b *testing.B) { empty(b); region(b) }, leagues)
		})
		for _, unit := range []string{"152500", "152502"} {
			b.Run("after-round/"+unit, func(b *testing.B) {
				loop(b, func(b *testing.B) { empty(b); region(b); leagues(b) }, func(b *testing.B) {
					if _, err := dashboard.Build(ctx, r, regions, stats.Query{Unit: unit, Year: 2026, Scope: everyone}); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
		q := stats.Query{Unit: "150000", Year: 2026, Scope: everyone}
		b.Run("report/150000", func(b *testing.B) {
			loop(b, empty, func(b *testing.B) {
				if _, err := report.Build(ctx, r, regions, q, nil); err != nil {
					b.Fatal(err)
				}
			})
		})
		// The report as a viewer gets it while the server runs: after the refresher's round
		// of the region (its figures of this year and the year before in snapshots).
		b.Run("after-round/report/150000", func(b *testing.B) {
			loop(b, func(b *testing.B) { empty(b); region(b) }, func(b *testing.B) {
				if _, err := report.Build(ctx, r, regions, q, nil); err != nil {
					b.Fatal(err)
				}
			})
		})
	})
}

// BenchmarkOwnRegistry computes what the registry records at exactly a unit (Registry.Own of
// the registry's indicators: the "本级" part that the annual form of the unit pre-fills), for
// the region, a league and a banner. KEPU_BENCH_DB as for BenchmarkHeadlineRegionYear.
//
//	KEPU_BENCH_DB=/tmp/seed.db go test ./internal/stats -run xxx -bench OwnRegistry -benchtime 3x
func BenchmarkOwnRegistry(b *testing.B) {
	ctx := context.Background()
	benchDB(b, func(b *testing.B, d *db.DB) {
		r := newRegistry(d)
		var codes []string
		for _, ind := range r.All() {
			if ind.Source == "registry" && ind.Additive() {
				codes = append(codes, ind.Code)
			}
		}
		for _, unit := range []string{"150000", "152500", "152502"} {
			b.Run(unit, func(b *testing.B) {
				q := stats.Query{Unit: unit, Year: 2026, Scope: everyone}
				loop(b, func(*testing.B) {}, func(b *testing.B) {
					if _, err := r.Own(ctx, q, codes...); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
	})
}

// BenchmarkSourceCold computes one source's share of a cold dashboard of the region, alone:
// the year, the year before, each of the twelve months and the children's year of that
// source's indicators, with MaxAge 10 minutes (longer than a build, as `kepu serve`'s 2 minutes are, so the source's memo is
// shared between the batches) on a fresh Registry and with stats_snapshots emptied before each
// run (outside the timer). cpu-ms/op is what the source adds to a cold dashboard's CPU.
// KEPU_BENCH_DB as for BenchmarkHeadlineRegionYear.
//
//	KEPU_BENCH_DB=/tmp/seed.db go test ./internal/stats -run xxx -bench 'SourceCold/150000/share' -benchtime 5x
func BenchmarkSourceCold(b *testing.B) {
	ctx := context.Background()
	benchDB(b, func(b *testing.B, d *db.DB) {
		bySource := map[string][]string{}
		var sources []string
		for _, ind := range newRegistry(d).All() {
			if ind.Agg == stats.RatioOfSums {
				continue
			}
			if bySource[ind.Source] == nil {
				sources = append(sources, ind.Source)
			}
			bySource[ind.Source] = append(bySource[ind.Source], ind.Code)
		}
		for _, unit := range []string{"150000"} {
			for _, src := range sources {
				codes := bySource[src]
				var r *stats.Registry
				b.Run(unit+"/"+src, func(b *testing.B) {
					loop(b, func(b *testing.B) {
						if _, err := d.ExecContext(ctx, `DELETE FROM stats_snapshots`); err != nil {
							b.Fatal(err)
						}
						r = newRegistry(d)
						r.MaxAge = 10 * time.Minute
					}, func(b *testing.B) {
						q := stats.Query{Unit: unit, Year: 2026, Scope: everyone}
						for _, y := range []int{2026, 2025} {
							yq := q
							yq.Year = y
							if _, err := r.Values(ctx, yq, codes...); err != nil {
								b.Fatal(err)
							}
						}
						for m := 1; m <= 12; m++ {
							mq := q
							mq.Month = m
							if _, err := r.Values(ctx, mq, codes...); err != nil {
								b.Fatal(err)
							}
						}
						if _, err := r.ChildrenValues(ctx, q, codes...); err != nil {
							b.Fatal(err)
						}
					})
				})
			}
		}
	})
}

// BenchmarkDashboardSource makes exactly the calls a cold dashboard (dashboard.Build) makes of
// one source, live (MaxAge 0): the dashboard's indicators of that source for the year and the
// year before, each of the twelve months (flows only) and the children's year, one after
// another, for the region, a league and a banner. cpu-ms/op is the source's whole CPU cost in
// one cold build. KEPU_BENCH_DB as for BenchmarkHeadlineRegionYear.
//
//	KEPU_BENCH_DB=/tmp/seed.db go test ./internal/stats -run xxx -bench DashboardSource/150000/content -benchtime 5x
func BenchmarkDashboardSource(b *testing.B) {
	ctx := context.Background()
	benchDB(b, func(b *testing.B, d *db.DB) {
		r := newRegistry(d)
		bySource := map[string][]*stats.Indicator{}
		var sources []string
		for _, ind := range dashboard.Indicators(r) {
			if bySource[ind.Source] == nil {
				sources = append(sources, ind.Source)
			}
			bySource[ind.Source] = append(bySource[ind.Source], ind)
		}
		for _, unit := range []string{"150000", "152500", "152502"} {
			for _, src := range sources {
				var codes, flows []string
				for _, ind := range bySource[src] {
					codes = append(codes, ind.Code)
					if ind.Period == stats.Flow {
						flows = append(flows, ind.Code)
					}
				}
				q := stats.Query{Unit: unit, Year: 2026, Scope: everyone}
				b.Run(unit+"/"+src, func(b *testing.B) {
					loop(b, func(*testing.B) {}, func(b *testing.B) {
						pq := q
						pq.Year--
						for _, x := range []stats.Query{q, pq} {
							if _, err := r.Values(ctx, x, codes...); err != nil {
								b.Fatal(err)
							}
						}
						if _, err := r.ChildrenValues(ctx, q, codes...); err != nil {
							b.Fatal(err)
						}
						for m := 1; m <= 12 && len(flows) > 0; m++ {
							mq := q
							mq.Month = m
							if _, err := r.Values(ctx, mq, flows...); err != nil {
								b.Fatal(err)
							}
						}
					})
				})
			}
		}
	})
}
