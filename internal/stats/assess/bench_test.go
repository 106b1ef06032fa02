package assess

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
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/stats"
)

// BenchmarkRank scores each demo system for the whole region on a demo network at
// KEPU_BENCH_SCALE (default 0.2) of the seed's scale, live and with the registry's snapshots.
func BenchmarkRank(b *testing.B) {
	scale := 0.2
	if s, err := strconv.ParseFloat(os.Getenv("KEPU_BENCH_SCALE"), 64); err == nil {
		scale = s
	}
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		if _, err := demo.Run(ctx, d, 1, scale, []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), activity.DemoStep(), DemoStep()}, nil); err != nil {
			b.Fatal(err)
		}
		regions := &region.Store{DB: d}
		acts := &activity.Store{DB: d, Regions: regions}
		recs := &registry.Store{DB: d, Regions: regions}
		figures := stats.New(stats.Deps{DB: d, Regions: regions, Registry: recs, Activity: acts, Content: &content.Store{DB: d, Regions: regions}})
		eng := &Engine{Source: &Indicators{Stats: figures, Records: &Records{Regions: regions, Activity: acts, Registry: recs}}}
		// As kepu serve runs it: the registry's figures reused from stats_snapshots for 10 minutes.
		cached := stats.New(stats.Deps{DB: d, Regions: regions, Registry: recs, Activity: acts, Content: &content.Store{DB: d, Regions: regions}})
		cached.MaxAge = 10 * time.Minute
		warm := &Engine{Source: &Indicators{Stats: cached, Records: &Records{Regions: regions, Activity: acts, Registry: recs}}}
		st := &Store{DB: d, Regions: regions}
		all := region.NewScope("150000")
		list, err := st.List(ctx, all)
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range list {
			sys, err := st.Get(ctx, all, line.ID)
			if err != nil {
				b.Fatal(err)
			}
			for _, e := range []struct {
				name string
				eng  *Engine
			}{{"live", eng}, {"snapshots", warm}} {
				b.Run(sys.Level+"/"+e.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := e.eng.Rank(ctx, all, sys); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	})
}
