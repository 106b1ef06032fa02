package stats_test

import (
	"context"
	"testing"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/stats"
)

var everyone = region.NewScope("150000")

func newRegistry(d *db.DB) *stats.Registry {
	regions := &region.Store{DB: d}
	return stats.New(stats.Deps{DB: d, Regions: regions, Registry: &registry.Store{DB: d, Regions: regions},
		Activity: &activity.Store{DB: d, Regions: regions}, Content: &content.Store{DB: d, Regions: regions}})
}

// Every indicator computes on an empty network: zeros (or unknown) and no error.
func TestValuesOnEmptyNetwork(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		r := newRegistry(d)
		ctx := context.Background()
		vs, err := r.Values(ctx, stats.Query{Unit: "150000", Year: 2026, Scope: everyone})
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != len(r.All()) {
			t.Fatalf("%d values for %d indicators", len(vs), len(r.All()))
		}
		for _, v := range vs {
			if v.Value != 0 {
				t.Errorf("%s = %v on an empty network", v.Code, v.Value)
			}
		}
		kids, err := r.Children(ctx, "KH02", stats.Query{Unit: "150000", Year: 2026, Scope: everyone})
		if err != nil || len(kids) != 12 {
			t.Fatalf("children: %d, %v", len(kids), err)
		}
		if _, err := r.Monthly(ctx, "KJ01", stats.Query{Unit: "152502", Year: 2026, Scope: everyone}); err != nil {
			t.Fatal(err)
		}
	})
}
