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
