package registry_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

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
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
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

// writeOfficersXLSX writes n officers over the demo's villages into an .xlsx file, streamed,
// the way a league's spreadsheet would hold them.
func writeOfficersXLSX(b *testing.B, path string, villages []string, n int) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	sw.SetRow("A1", []any{"姓名", "手机号", "所属区划代码", "注册日期", "状态"})
	for i := 0; i < n; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		sw.SetRow(cell, []any{fmt.Sprintf("信息员%06d", i), fmt.Sprintf("1%02d%08d", 30+i%70, i), villages[i%len(villages)], 43466 + i%1460, "在册"})
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkImportOfficers imports 580,000 information officers from one .xlsx file into an
// empty registry (all new rows), and reports the peak Go heap during the import.
func BenchmarkImportOfficers(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			var villages []string
			path := filepath.Join(b.TempDir(), "officers.xlsx")
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				var d *db.DB
				if name == "sqlite" {
					d = dbtest.SQLite(b)
				} else {
					d = dbtest.Postgres(b)
				}
				if villages == nil {
					units, _ := (&region.Store{DB: d}).UnitsAt(ctx, region.LevelVillage)
					for _, u := range units {
						villages = append(villages, u.Code)
					}
					writeOfficersXLSX(b, path, villages, registry.DemoOfficers)
					st, _ := os.Stat(path)
					b.ReportMetric(float64(st.Size())/1e6, "file-MB")
				}
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				var peak atomic.Uint64
				done := make(chan bool)
				go func() {
					var m runtime.MemStats
					for {
						runtime.ReadMemStats(&m)
						if m.HeapInuse > peak.Load() {
							peak.Store(m.HeapInuse)
						}
						select {
						case <-done:
							return
						case <-time.After(20 * time.Millisecond):
						}
					}
				}()
				b.StartTimer()
				res, err := newStore(d).Import(ctx, &registry.InformationOfficers, region.NewScope("150000"), 0, f, "officers.xlsx", 0)
				b.StopTimer()
				close(done)
				f.Close()
				if err != nil || len(res.Errors) > 0 || res.Created != registry.DemoOfficers {
					b.Fatalf("import: %+v %v", res.Errors, err)
				}
				b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
			}
		})
	}
}

// BenchmarkCountAsOf counts the 580,000 demo officers (status 在册) and the 136,000 volunteers
// of the whole region live (the partial (region_code, id) index) and as of the end of 2025
// (Filter.AsOf: the (region_code, since, closed_on, deleted_at, created_at) index of 0016),
// which is what a past year's registry figure costs the statistics.
func BenchmarkCountAsOf(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		demoDB(b, d)
		st := newStore(d)
		ctx := context.Background()
		all := region.NewScope("150000")
		for _, c := range []struct {
			name string
			k    *registry.Kind
			f    registry.Filter
		}{
			{"officers-active/live", &registry.InformationOfficers, registry.Filter{Scope: all, Enums: map[string]string{"status": "active"}}},
			{"officers-active/2025-12-31", &registry.InformationOfficers, registry.Filter{Scope: all, Enums: map[string]string{"status": "active"}, AsOf: "2025-12-31"}},
			{"volunteers/live", &registry.Volunteers, registry.Filter{Scope: all}},
			{"volunteers/2025-12-31", &registry.Volunteers, registry.Filter{Scope: all, AsOf: "2025-12-31"}},
			{"volunteers-one-league/2025-12-31", &registry.Volunteers, registry.Filter{Scope: all, Within: "152500", AsOf: "2025-12-31"}},
		} {
			b.Run(c.name, func(b *testing.B) {
				n := 0
				for b.Loop() {
					var err error
					if n, err = st.Count(ctx, c.k, c.f); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n), "records")
			})
		}
	})
}
