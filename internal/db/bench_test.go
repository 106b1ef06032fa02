package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
)

// BenchmarkBulkInsert measures the rows per second that the demo generator and imports can
// write through db.BulkInsert: 10,000 rows of 6 columns per iteration, in one transaction.
func BenchmarkBulkInsert(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		if _, err := d.ExecContext(ctx, d.Dialect.Expand(`CREATE TABLE bench (id {{id}}, a TEXT, b TEXT, c BIGINT, d {{time}}, e TEXT)`)); err != nil {
			b.Fatal(err)
		}
		const n = 10_000
		now := time.Now().UTC()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			rows := make([][]any, n)
			for j := range rows {
				rows[j] = []any{int64(i*n + j + 1), fmt.Sprintf("name-%d", j), "内蒙古", int64(j), now, "x"}
			}
			if err := d.Tx(ctx, func(tx *sql.Tx) error {
				return db.BulkInsert(ctx, tx, d.Dialect, "bench", []string{"id", "a", "b", "c", "d", "e"}, rows, "")
			}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "rows/s")
	})
}
