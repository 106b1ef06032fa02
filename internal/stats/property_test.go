package stats_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

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
	"github.com/kepu/kepu/internal/stats/forms"
)

// demoNetwork fills d with a small demo network (registry, activities, content reach, funds,
// annual forms).
func demoNetwork(t *testing.T, d *db.DB, scale float64) {
	t.Helper()
	steps := []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), activity.DemoStep(), content.DemoStep(), share.DemoStep(), quiz.DemoStep(), stats.DemoStep(), forms.DemoStep()}
	if _, err := demo.Run(context.Background(), d, 1, scale, steps, nil); err != nil {
		t.Fatal(err)
	}
}

// For every additive indicator and a chain of units (region, a league, a banner, a township),
// a unit's value equals the sum over its children plus what is recorded at the unit itself,
// each part computed on its own (Values, ChildrenValues, Own). The demo year is 2026; the
// month check runs on September (National Science Day), and 2025 checks the registry's stocks
// as of a past year's end.
func TestAdditiveIndicatorsSumOverChildren(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		demoNetwork(t, d, 0.02)
		r := newRegistry(d)
		ctx := context.Background()
		var codes []string
		for _, ind := range r.All() {
			if ind.Additive() {
				codes = append(codes, ind.Code)
			}
		}
		nonzero := map[string]bool{}
		for _, p := range []struct{ year, month int }{{2026, 0}, {2026, 9}, {2025, 0}} {
			month := p.month
			for _, unit := range []string{"150000", "152500", "152502", "152502001"} {
				q := stats.Query{Unit: unit, Year: p.year, Month: month, Scope: everyone}
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
						t.Errorf("%s at %s %d month %d: value %d, children + own = %d (own %d)", code, unit, p.year, month, vals[i].Exact, sum, own[i].Exact)
					}
					if vals[i].Exact > 0 {
						nonzero[code] = true
					}
				}
			}
		}
		// The property is only worth something when the figures are there to add up.
		for _, code := range []string{"KC01", "KR05", "KR11", "KH02", "KH03", "KH06", "KJ01", "KJ11", "KJ02", "KJ12", "SH01", "SH02", "KH31", "KH32", "X01", "X07", "X09", "X10"} {
			if !nonzero[code] {
				t.Errorf("%s is zero everywhere on the demo network", code)
			}
		}
	})
}

// Flows add up over the months: for every additive flow indicator, the year's value at a unit
// is the sum of its twelve months (Monthly); and every figure a domain records carries the
// link of its records, which for activities and the registry lists exactly the records
// counted.
func TestMonthsAndDrillDown(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		demoNetwork(t, d, 0.02)
		r := newRegistry(d)
		ctx := context.Background()
		q := stats.Query{Unit: "152500", Year: 2026, Scope: everyone}
		year, err := r.Values(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range year {
			ind := v.Indicator
			if v.Known && v.Records == "" {
				t.Errorf("%s has no records link", ind.Code)
			}
			if !ind.Additive() || ind.Period != stats.Flow || ind.Source == "forms" { // the forms are annual: no monthly figures
				continue
			}
			months, err := r.Monthly(ctx, ind.Code, q)
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for _, m := range months {
				sum += m.Exact
			}
			if sum != v.Exact {
				t.Errorf("%s: year %d, months add to %d", ind.Code, v.Exact, sum)
			}
		}
		acts := &activity.Store{DB: d, Regions: &region.Store{DB: d}}
		reg := &registry.Store{DB: d, Regions: &region.Store{DB: d}}
		for _, v := range year {
			u, err := url.Parse(v.Records)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case v.Code == "KH01" || v.Code == "KH06":
				if u.Path != "/console/activities" {
					t.Fatalf("%s links to %s", v.Code, v.Records)
				}
				f := activity.ParseFilter(u.Query(), everyone)
				f.Limit = 500
				var records, sessions int64
				for {
					p, err := acts.List(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					for _, a := range p.Items {
						records++
						sessions += int64(a.Sessions)
					}
					if p.Next == 0 {
						break
					}
					f.After = p.Next
				}
				want := records
				if v.Code == "KH06" {
					want = sessions
				}
				if want != v.Exact || v.Exact == 0 {
					t.Errorf("%s = %d; its records page lists %d records, %d sessions", v.Code, v.Exact, records, sessions)
				}
			case v.Indicator.Source == "registry":
				slug := strings.TrimPrefix(u.Path, "/console/registry/")
				k, ok := registry.KindBySlug(slug)
				if !ok {
					t.Fatalf("%s links to %s", v.Code, v.Records)
				}
				enums := map[string]string{}
				for key, vals := range u.Query() {
					if key != "within" && key != "asof" {
						enums[key] = vals[0]
					}
				}
				if v.AsOf == "" || u.Query().Get("asof") != v.AsOf {
					t.Errorf("%s as of %q links to %s", v.Code, v.AsOf, v.Records)
				}
				n, err := reg.Count(ctx, k, registry.Filter{Scope: everyone, Within: u.Query().Get("within"), Enums: enums, AsOf: u.Query().Get("asof")})
				if err != nil {
					t.Fatal(err)
				}
				if int64(n) != v.Exact { // KR06, KR07 sum several enum values: their links list any of them
					t.Errorf("%s = %d; its records page lists %d", v.Code, v.Exact, n)
				}
			}
		}
	})
}
