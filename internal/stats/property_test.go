package stats_test

import (
	"context"
	"testing"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share"
	"github.com/kepu/kepu/internal/stats"
)

// demoNetwork fills d with a small demo network (registry, activities, content reach, funds).
func demoNetwork(t *testing.T, d *db.DB, scale float64) {
	t.Helper()
	steps := []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), activity.DemoStep(), content.DemoStep(), share.DemoStep(), stats.DemoStep()}
	if _, err := demo.Run(context.Background(), d, 1, scale, steps, nil); err != nil {
		t.Fatal(err)
	}
}

// For every additive indicator and a chain of units (region, a league, a banner, a township),
// a unit's value equals the sum over its children plus what is recorded at the unit itself,
// each part computed on its own (Values, ChildrenValues, Own). The demo year is 2026; the
// month check runs on September (National Science Day).
func TestAdditiveIndicatorsSumOverChildren(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		demoNetwork(t, d, 0.02)
		r := newRegistry(d)
		ctx := context.Background()
		var codes []string
		for _, ind := range r.All() {
			if ind.Additive() && ind.Source != "unrecorded" {
				codes = append(codes, ind.Code)
			}
		}
		nonzero := map[string]bool{}
		for _, month := range []int{0, 9} {
			for _, unit := range []string{"150000", "152500", "152502", "152502001"} {
				q := stats.Query{Unit: unit, Year: 2026, Month: month, Scope: everyone}
				vals, err := r.Values(ctx, q, codes...)
				if err != nil {
					t.Fatal(err)
				}
				kids, err := r.ChildrenValues(ctx, q, codes...)
				if err != nil {
					t.Fatal(err)
				}
				own, err := r.Own(ctx, q, codes...)
				if err != nil {
					t.Fatal(err)
				}
				for i, code := range codes {
					sum := own[i].Exact
					for _, k := range kids {
						sum += k[i].Exact
					}
					if vals[i].Exact != sum {
						t.Errorf("%s at %s month %d: value %d, children + own = %d (own %d)", code, unit, month, vals[i].Exact, sum, own[i].Exact)
					}
					if vals[i].Exact > 0 {
						nonzero[code] = true
					}
				}
			}
		}
		// The property is only worth something when the figures are there to add up.
		for _, code := range []string{"KC01", "KR05", "KR11", "KH02", "KH03", "KH06", "KJ01", "KJ11", "KJ02", "KJ12", "SH01", "SH02"} {
			if !nonzero[code] {
				t.Errorf("%s is zero everywhere on the demo network", code)
			}
		}
	})
}
