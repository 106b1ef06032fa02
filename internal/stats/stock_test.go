package stats_test

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/stats"
)

// A registry stock is the count at the end of the period asked (today while it runs): a record
// begun after the period's end, or closed before it, is not counted; the figure's records link
// lists exactly the records counted; a unit's stock is its children's plus its own.
func TestRegistryStocksAsOfPeriodEnd(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 5, 4, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		regions := &region.Store{DB: d}
		reg := &registry.Store{DB: d, Regions: regions, Now: clock}
		r := newRegistry(d)
		r.Now = clock
		k := kindOf(t, "museums")
		add := func(name, code, since, closed string) {
			t.Helper()
			id, err := reg.Create(ctx, k, everyone, 0, registry.Values{"name": name, "region_code": code, "tier": "banner", "established_on": since})
			if err != nil {
				t.Fatal(err)
			}
			if closed != "" {
				if err := reg.Delete(ctx, k, everyone, 0, id, closed); err != nil {
					t.Fatal(err)
				}
			}
		}
		add("甲馆", "152502", "2024-05-01", "")
		add("乙馆", "152502001", "2025-12-31", "")
		add("丙馆", "152502", "2026-01-01", "")
		add("丁馆", "152502", "2023-01-01", "2025-07-01")    // closed in 2025
		add("戊馆", "152502", "", "")                        // no date: counts from its entry, 2026-03-05
		add("己馆", "152502001", "2024-01-01", "2025-12-31") // closed on the year's last day
		for _, c := range []struct {
			year, month int
			asOf        string
			names       string
		}{
			{2022, 0, "2022-12-31", ""},
			{2023, 0, "2023-12-31", "丁馆"},
			{2024, 0, "2024-12-31", "丁馆 己馆 甲馆"},
			{2025, 6, "2025-06-30", "丁馆 己馆 甲馆"},
			{2025, 7, "2025-07-31", "己馆 甲馆"},
			{2025, 0, "2025-12-31", "乙馆 甲馆"},
			{2026, 0, "2026-03-05", "丙馆 乙馆 戊馆 甲馆"},
		} {
			q := stats.Query{Unit: "150000", Year: c.year, Month: c.month, Scope: everyone}
			v, err := r.Value(ctx, "KC01", q)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Fields(c.names)
			if v.Exact != int64(len(want)) || v.AsOf != c.asOf {
				t.Errorf("KC01 %d-%d = %d as of %s; want %d as of %s", c.year, c.month, v.Exact, v.AsOf, len(want), c.asOf)
			}
			// The drill-down lists exactly the records counted.
			u, err := url.Parse(v.Records)
			if err != nil {
				t.Fatal(err)
			}
			asOf, ok := registry.ParseAsOf(u.Query().Get("asof"))
			if !ok || asOf != c.asOf {
				t.Fatalf("%s: link %s", c.asOf, v.Records)
			}
			page, err := reg.List(ctx, k, registry.Filter{Scope: everyone, Within: u.Query().Get("within"), AsOf: asOf})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, rec := range page.Records {
				got = append(got, rec.Values.Str("name"))
			}
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%s: the records page lists %v, counted %v", c.asOf, got, want)
			}
			// Additivity at the banner: its own records and its townships'.
			qb := stats.Query{Unit: "152502", Year: c.year, Month: c.month, Scope: everyone}
			vb, err := r.Value(ctx, "KC01", qb)
			if err != nil {
				t.Fatal(err)
			}
			own, err := r.Own(ctx, qb, "KC01")
			if err != nil {
				t.Fatal(err)
			}
			kids, err := r.ChildrenValues(ctx, qb, "KC01")
			if err != nil {
				t.Fatal(err)
			}
			sum := own[0].Exact
			for _, kv := range kids {
				sum += kv[0].Exact
			}
			if vb.Exact != sum || vb.Exact != v.Exact {
				t.Errorf("%s: banner %d, own + townships %d, region %d", c.asOf, vb.Exact, sum, v.Exact)
			}
		}
	})
}
