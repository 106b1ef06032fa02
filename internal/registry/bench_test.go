package registry_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// demoDB fills a fresh database with the full demo network (580,000 officers).
func demoDB(b *testing.B, d *db.DB) {
	b.Helper()
	if _, err := demo.Run(context.Background(), d, 1, 1, []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep()}, nil); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkListOfficers measures one list page (50 rows, with the total) over the 580,000
// demo officers, filtered to one league (锡林郭勒盟, 152500), at the first page, at a page in
// the middle (keyset cursor), and with a text search.
func BenchmarkListOfficers(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			var d *db.DB
			if name == "sqlite" {
				d = dbtest.SQLite(b)
			} else {
				d = dbtest.Postgres(b)
			}
			demoDB(b, d)
			st := newStore(d)
			ctx := context.Background()
			k := &registry.InformationOfficers
			f := registry.Filter{Scope: region.NewScope("150000"), Within: "152500"}
			first, err := st.List(ctx, k, f)
			if err != nil {
				b.Fatal(err)
			}
			// Walk to the middle to get a deep cursor.
			mid := f
			mid.Limit = 500
			for i := 0; i < first.Total/1000; i++ {
				p, _ := st.List(ctx, k, mid)
				mid.After = p.Next
			}
			mid.Limit = 50
			for _, c := range []struct {
				name string
				f    registry.Filter
			}{{"first-page", f}, {fmt.Sprintf("middle-of-%d", first.Total), mid}, {"search", registry.Filter{Scope: f.Scope, Within: f.Within, Q: "巴特尔"}},
				{"whole-region-first-page", registry.Filter{Scope: f.Scope}}} {
				b.Run(c.name, func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						if _, err := st.List(ctx, k, c.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
