package forms_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats/forms"
)

// BenchmarkSummarizeRegion is the region's summary form when every association of Inner
// Mongolia (region, 12 leagues, 103 banners, every township) has an accepted form for the
// year: the units are listed from the tree, the forms read and added, the missing listed.
func BenchmarkSummarizeRegion(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		s := newStore(d)
		all := region.NewScope("150000")
		units, err := s.Units(ctx, all, "")
		if err != nil {
			b.Fatal(err)
		}
		figs, _ := json.Marshal(forms.Figures{"KR00": 10, "KR02": 4, "KR03": 6, "KJ01": 100000, "KJ02": 80000, "KH02": 12, "KH03": 3400})
		now := time.Now().UTC()
		var rows [][]any
		for i, u := range units {
			if i%50 == 49 {
				continue // a few missing
			}
			rows = append(rows, []any{u.Key, u.Kind, u.Name, u.Region, 2025, forms.Accepted, string(figs), now, now})
		}
		if err := db.BulkInsert(ctx, d, d.Dialect, "stat_forms", []string{"unit_key", "unit_kind", "unit_name", "region_code", "year", "status", "figures", "created_at", "updated_at"}, rows, ""); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			sum, err := s.Summarize(ctx, all, "150000", 2025)
			if err != nil || sum.Included != len(rows) {
				b.Fatalf("%d of %d: %v", sum.Included, len(rows), err)
			}
		}
		b.ReportMetric(float64(len(rows)), "forms")
	})
}
