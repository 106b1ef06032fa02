package content

import (
	"context"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

// BenchmarkContentHome measures the queries behind the public /content home (emergency,
// featured and latest lists and the topic counts) and an item read, on the demo's library at
// the seed's scale (1,356 items); the demo step's own time is reported as demo-ms.
func BenchmarkContentHome(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		start := time.Now()
		if _, err := demo.Run(ctx, d, 1, 1, []demo.Step{DemoStep()}, nil); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		s := &Store{DB: d, Regions: &region.Store{DB: d}}
		latest, err := s.Latest(ctx, PublicQuery{Limit: 1})
		if err != nil || len(latest) == 0 {
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			for _, q := range []PublicQuery{{Emergency: true, Limit: 5}, {Featured: true, Limit: 6}, {Limit: 20}} {
				items, err := s.Latest(ctx, q)
				if err != nil || len(items) == 0 {
					b.Fatal(len(items), err)
				}
			}
			if _, err := s.Topics(ctx, 30); err != nil {
				b.Fatal(err)
			}
			if _, err := s.GetPublic(ctx, latest[0].ID); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(took.Milliseconds()), "demo-ms")
	})
}
