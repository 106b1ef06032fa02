package dashboard_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	"github.com/kepu/kepu/internal/stats/dashboard"
)

const demoYear = 2026

var everyone = region.NewScope("150000")

func newRegistry(d *db.DB) (*stats.Registry, *region.Store) {
	regions := &region.Store{DB: d}
	return stats.New(stats.Deps{DB: d, Regions: regions, Registry: &registry.Store{DB: d, Regions: regions},
		Activity: &activity.Store{DB: d, Regions: regions}, Content: &content.Store{DB: d, Regions: regions}}), regions
}

func demoNetwork(t testing.TB, d *db.DB, scale float64) (*stats.Registry, *region.Store) {
	t.Helper()
	steps := []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), activity.DemoStep(), content.DemoStep()}
	if _, err := demo.Run(context.Background(), d, 1, scale, steps, nil); err != nil {
		t.Fatal(err)
	}
	return newRegistry(d)
}

// The dashboard's figures are the registry's values; ranks agree with the siblings' values; a
// banner admin gets the banner only, without ranks (the siblings are outside its scope).
func TestBuild(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		reg, regions := demoNetwork(t, d, 0.01)
		// While the year runs, its flows are not compared with the whole year before.
		reg.Now = func() time.Time { return time.Date(demoYear, 11, 29, 4, 0, 0, 0, time.UTC) }
		running, err := dashboard.Build(ctx, reg, regions, stats.Query{Unit: "152500", Year: demoYear, Scope: everyone})
		if err != nil {
			t.Fatal(err)
		}
		if running.Through != fmt.Sprintf("%d-11-29", demoYear) {
			t.Errorf("running year counts through %q", running.Through)
		}
		for _, s := range running.Sections {
			for _, r := range s.Rows {
				if flow := r.Ind.Period == stats.Flow; r.Partial != flow || flow && (r.ChangeText() != "—" || r.HasPct) {
					t.Errorf("running year, %s (flow %v): partial %v, change %q", r.Ind.Code, flow, r.Partial, r.ChangeText())
				}
			}
		}
		// Once the year has ended, every figure is compared.
		reg.Now = func() time.Time { return time.Date(demoYear+1, 2, 1, 4, 0, 0, 0, time.UTC) }
		data, err := dashboard.Build(ctx, reg, regions, stats.Query{Unit: "152500", Year: demoYear, Scope: everyone})
		if err != nil {
			t.Fatal(err)
		}
		if data.Through != "" {
			t.Errorf("an ended year counts through %q", data.Through)
		}
		if len(data.Sections) < 4 || len(data.Trends) == 0 || len(data.Children) == 0 || data.Parent == nil {
			t.Fatalf("sections %d trends %d children %d parent %v", len(data.Sections), len(data.Trends), len(data.Children), data.Parent)
		}
		ranked := 0
		for _, s := range data.Sections {
			for _, r := range s.Rows {
				v, err := reg.Value(ctx, r.Ind.Code, stats.Query{Unit: "152500", Year: demoYear, Scope: everyone})
				if err != nil {
					t.Fatal(err)
				}
				p, _ := reg.Value(ctx, r.Ind.Code, stats.Query{Unit: "152500", Year: demoYear - 1, Scope: everyone})
				if v.Exact != r.Cur.Exact || p.Exact != r.Prev.Exact || r.Cur.Records != v.Records {
					t.Errorf("%s: dashboard %d/%d, direct %d/%d", r.Ind.Code, r.Cur.Exact, r.Prev.Exact, v.Exact, p.Exact)
				}
				if r.Cur.Known && r.Change != float64(v.Exact-p.Exact) && r.Ind.Agg == stats.Sum {
					t.Errorf("%s: change %v", r.Ind.Code, r.Change)
				}
				// The rank is one plus the number of siblings with a larger value.
				kids, err := reg.Children(ctx, r.Ind.Code, stats.Query{Unit: "150000", Year: demoYear, Scope: everyone})
				if err != nil {
					t.Fatal(err)
				}
				want := 1
				for _, k := range kids {
					if k.Known && k.Exact > v.Exact {
						want++
					}
				}
				if r.Ind.Agg == stats.Sum && r.Cur.Known {
					ranked++
					if r.Rank != want || r.Siblings != len(kids) {
						t.Errorf("%s: rank %d/%d, want %d/%d", r.Ind.Code, r.Rank, r.Siblings, want, len(kids))
					}
				}
			}
		}
		if ranked == 0 {
			t.Error("nothing ranked")
		}
		// Trend months add up to the year for flows.
		for _, tr := range data.Trends {
			var sum int64
			for _, m := range tr.Months {
				sum += m.Exact
			}
			for _, s := range data.Sections {
				for _, r := range s.Rows {
					if r.Ind == tr.Ind && r.Ind.Agg == stats.Sum && sum != r.Cur.Exact {
						t.Errorf("%s: months sum to %d, year %d", r.Ind.Code, sum, r.Cur.Exact)
					}
				}
			}
		}
		// A banner admin.
		banner := region.NewScope("152502")
		if _, err := dashboard.Build(ctx, reg, regions, stats.Query{Unit: "150000", Year: demoYear, Scope: banner}); !errors.Is(err, stats.ErrOutOfScope) {
			t.Fatalf("region dashboard for a banner admin: %v", err)
		}
		bd, err := dashboard.Build(ctx, reg, regions, stats.Query{Year: demoYear, Scope: banner})
		if err != nil {
			t.Fatal(err)
		}
		if bd.Unit.Code != "152502" || bd.Parent != nil {
			t.Fatalf("banner dashboard: unit %s parent %v", bd.Unit.Code, bd.Parent)
		}
		for _, s := range bd.Sections {
			for _, r := range s.Rows {
				if r.Rank != 0 {
					t.Errorf("%s: a banner admin sees a rank among siblings", r.Ind.Code)
				}
			}
		}
		for _, c := range bd.Children {
			if !strings.HasPrefix(c.Code, "152502") {
				t.Errorf("child %s outside the banner", c.Code)
			}
		}
	})
}

const square = `{"type":"Polygon","coordinates":[[[116,43],[117,43],[117,44],[116,44],[116,43]]]}`

func TestParseBoundaries(t *testing.T) {
	for _, c := range []struct {
		name, in, problem string
		n                 int
	}{
		{"ok", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"152500"},"geometry":` + square + `},{"type":"Feature","properties":{"adcode":150100},"geometry":{"type":"MultiPolygon","coordinates":[[[[110,40],[111,40],[111,41],[110,40]]]]}}]}`, "", 2},
		{"not json", `{`, "不是有效的 GeoJSON", 0},
		{"not a collection", `{"type":"Feature"}`, "FeatureCollection", 0},
		{"empty", `{"type":"FeatureCollection","features":[]}`, "没有要素", 0},
		{"point", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"152500"},"geometry":{"type":"Point","coordinates":[1,2]}}]}`, "第 1 个要素的几何", 0},
		{"no code", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":` + square + `}]}`, "没有区划代码", 0},
		{"bad code", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"abc"},"geometry":` + square + `}]}`, "区划代码 \"abc\" 无效", 0},
		{"duplicate", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"152500"},"geometry":` + square + `},{"type":"Feature","properties":{"code":"1525"},"geometry":` + square + `}]}`, "第 2 个要素与第 1 个要素", 0},
		{"not degrees", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"152500"},"geometry":{"type":"Polygon","coordinates":[[[500000,4000000],[1,1],[2,2],[500000,4000000]]]}}]}`, "不是经纬度", 0},
		{"short ring", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"152500"},"geometry":{"type":"Polygon","coordinates":[[[1,1],[2,2],[1,1]]]}}]}`, "少于 4 个点", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, n, err := dashboard.ParseBoundaries([]byte(c.in))
			if c.problem != "" {
				var be *dashboard.BoundaryError
				if !errors.As(err, &be) || !strings.Contains(be.Msg, c.problem) {
					t.Fatalf("error %v, want one containing %q", err, c.problem)
				}
				return
			}
			if err != nil || n != c.n {
				t.Fatalf("%d features, %v", n, err)
			}
			var fc struct {
				Features []struct {
					Properties map[string]string `json:"properties"`
				} `json:"features"`
			}
			if err := json.Unmarshal(out, &fc); err != nil {
				t.Fatal(err)
			}
			if fc.Features[1].Properties["code"] != "150100" || fc.Features[1].Properties["name"] != "150100" {
				t.Errorf("normalized properties %v", fc.Features[1].Properties)
			}
		})
	}
}

func FuzzParseBoundaries(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"152500"},"geometry":` + square + `}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, n, err := dashboard.ParseBoundaries(b)
		if err == nil {
			if n == 0 || !json.Valid(out) {
				t.Fatalf("accepted %q as %d features", b, n)
			}
		} else if _, ok := err.(*dashboard.BoundaryError); !ok {
			t.Fatalf("error of type %T", err)
		}
	})
}

func TestBoundariesStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		b := &dashboard.Boundaries{DB: d}
		if _, ok, err := b.Get(ctx); ok || err != nil {
			t.Fatalf("fresh: %v %v", ok, err)
		}
		if _, err := b.Set(ctx, []byte(`{"type":"FeatureCollection","features":[]}`)); err == nil {
			t.Fatal("an empty collection was stored")
		}
		n, err := b.Set(ctx, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"152500"},"geometry":`+square+`}]}`))
		if err != nil || n != 1 {
			t.Fatal(n, err)
		}
		got, ok, err := b.Get(ctx)
		if !ok || err != nil || !strings.Contains(string(got), `"code":"152500"`) {
			t.Fatalf("%s %v %v", got, ok, err)
		}
		if _, err := b.Set(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := b.Get(ctx); ok {
			t.Fatal("removed file still there")
		}
	})
}
