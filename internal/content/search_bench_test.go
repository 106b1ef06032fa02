package content

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

// BenchmarkContentSearch measures one public search (count and first 30 items) over the demo
// library at scale 1 (1,356 items) and 10 (13,560), for a two-character word with many hits
// (健康: the bigram column), a place name (锡林郭勒: trigrams), a Mongolian word, and two
// terms; and Reindex of the whole library, reported as reindex-ms. Each query's hit count is
// reported as hits.
func BenchmarkContentSearch(b *testing.B) {
	for _, scale := range []float64{1, 10} {
		b.Run(map[float64]string{1: "x1", 10: "x10"}[scale], func(b *testing.B) {
			dbtest.Bench(b, func(b *testing.B, d *db.DB) {
				ctx := context.Background()
				if _, err := demo.Run(ctx, d, 1, scale, []demo.Step{DemoStep()}, nil); err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				if err := d.Tx(ctx, func(tx *sql.Tx) error { return Reindex(ctx, tx, d.Dialect) }); err != nil {
					b.Fatal(err)
				}
				reindex := time.Since(start)
				s := &Store{DB: d, Regions: &region.Store{DB: d}}
				for _, q := range []struct{ name, text string }{{"two-char", "健康"}, {"place", "锡林郭勒"}, {"mongolian", "ᠮᠡᠳᠡᠯᠭᠡ"}, {"two-terms", "防灾 视频"}} {
					b.Run(q.name, func(b *testing.B) {
						terms, err := ParseQuery(q.text)
						if err != nil {
							b.Fatal(err)
						}
						var hits int
						for b.Loop() {
							res, err := s.Search(ctx, SearchQuery{Terms: terms, Public: true})
							if err != nil || res.Total == 0 {
								b.Fatal(res.Total, err)
							}
							hits = res.Total
						}
						b.ReportMetric(float64(hits), "hits")
						b.ReportMetric(float64(reindex.Milliseconds()), "reindex-ms")
					})
				}
			})
		})
	}
}
