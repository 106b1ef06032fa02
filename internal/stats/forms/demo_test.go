package forms_test

import (
	"context"
	"io"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/stats/forms"
)

// The demo files last year's forms, all accepted and consistent, for the region, every league,
// some banners, townships and museums; this year's are accepted for the region and the leagues
// only (carrying the seed's declared figures), the others in progress, and the submitted ones
// pass the rules against last year's.
func TestDemoStep(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := demo.Run(ctx, d, 1, 0.01, []demo.Step{registry.DemoStep(), forms.DemoStep()}, io.Discard); err != nil {
			t.Fatal(err)
		}
		s := newStore(d)
		all := region.NewScope("150000")
		last, err := s.List(ctx, all, "", forms.DemoYear-1, "")
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, f := range last {
			kinds[f.Unit.Kind]++
			if f.Status != forms.Accepted {
				t.Errorf("%s %d: %s", f.Unit.Key, f.Year, f.Status)
			}
			if p := forms.Check(f.Figures, f.Remarks, nil); len(p) > 0 {
				t.Errorf("%s: %v", f.Unit.Key, p)
			}
		}
		if kinds[forms.Association] < 13 || kinds[forms.Venue] == 0 {
			t.Errorf("last year's sample: %v", kinds)
		}
		cur, err := s.List(ctx, all, "", forms.DemoYear, "")
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]int{}
		declared := map[string]int64{}
		for _, f := range cur {
			states[f.Status]++
			if f.Status == forms.Accepted {
				if region.LevelOf(f.Unit.Region) > region.LevelLeague || f.Unit.Kind != forms.Association {
					t.Errorf("%s accepted this year", f.Unit.Key)
				}
				for _, c := range []string{"X01", "X02", "X03", "X04", "X05", "X06", "X07", "X08"} {
					declared[c] += f.Figures[c]
				}
			}
			if f.Status == forms.Submitted {
				prev, _ := s.Previous(ctx, f.Unit.Key, f.Year)
				if p := forms.Check(f.Figures, f.Remarks, prev); len(p) > 0 {
					t.Errorf("%s submitted with problems: %v", f.Unit.Key, p)
				}
			}
		}
		if states[forms.Accepted] != 13 || states[forms.Draft] == 0 || states[forms.Submitted] == 0 || len(cur) >= len(last) {
			t.Errorf("this year's forms: %v of %d", states, len(last))
		}
		// The seed's figures (seed-indicators.csv): exact ones exactly, "more than" ones above.
		want := map[string]int64{"X01": 42, "X02": 4_616_000, "X03": 23, "X04": 64, "X05": 3_100_000, "X06": 2_167_000, "X07": 624, "X08": 108}
		for c, n := range want {
			if declared[c] != n {
				t.Errorf("%s: accepted forms declare %d, want %d", c, declared[c], n)
			}
		}
	})
}
