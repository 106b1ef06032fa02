package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kepu/kepu/internal/db"
)

func main() {
	ctx := context.Background()
	d, err := db.Open(ctx, "/tmp/bench/kepu-data/demo.db")
	if err != nil {
		panic(err)
	}
	qs := []string{
		`SELECT count(*) FROM information_officers WHERE deleted_at IS NULL AND ((region_code >= '1525' AND region_code < '1526'))`,
		`SELECT id, name FROM information_officers WHERE deleted_at IS NULL AND ((region_code >= '1525' AND region_code < '1526')) ORDER BY region_code, id LIMIT 51`,
	}
	for _, q := range qs {
		rows, _ := d.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q)
		for rows.Next() {
			var a, b, c int
			var s string
			rows.Scan(&a, &b, &c, &s)
			fmt.Println(s)
		}
		rows.Close()
		start := time.Now()
		r2, _ := d.QueryContext(ctx, q)
		n := 0
		for r2.Next() {
			n++
		}
		r2.Close()
		fmt.Println(n, time.Since(start))
	}
}
