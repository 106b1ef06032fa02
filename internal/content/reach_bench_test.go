package content

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// BenchmarkViewsCount measures counting one view in memory (bot check, salted hash, dedup
// set, pending map), from all cores at once, every request a new visitor.
func BenchmarkViewsCount(b *testing.B) {
	v := &Views{}
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		r := httptest.NewRequest("GET", "/content/1", nil)
		r.Header.Set("User-Agent", phoneUA)
		for pb.Next() {
			i := n.Add(1)
			r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255)
			v.Count(r, i%500, ChannelWeb, "152502")
		}
	})
}

// BenchmarkItemPageViews serves the public item page /content/{id} through the content mux
// (render included, no network) from all cores, each request a new visitor so every one is
// counted, with the counter flushing every FlushEvery as in production; it reports
// requests per second and checks at the end that the roll-up holds exactly the requests
// served. On the demo library at the seed's scale.
func BenchmarkItemPageViews(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		if _, err := demo.Run(ctx, d, 1, 1, []demo.Step{region.DemoStep(), DemoStep()}, nil); err != nil {
			b.Fatal(err)
		}
		d.ExecContext(ctx, `DELETE FROM content_views`)
		kit, err := web.NewKit(slog.New(slog.NewTextHandler(io.Discard, nil)), false, Templates())
		if err != nil {
			b.Fatal(err)
		}
		s := &Store{DB: d, Regions: &region.Store{DB: d}}
		h := &Handler{Kit: kit, Store: s, Regions: s.Regions}
		mux := http.NewServeMux()
		h.Routes(mux)
		items, err := s.Latest(ctx, PublicQuery{Limit: 100})
		if err != nil || len(items) == 0 {
			b.Fatal(err)
		}
		var n, failed atomic.Int64
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				r := httptest.NewRequest("GET", fmt.Sprintf("/content/%d", items[i%int64(len(items))].ID), nil)
				r.Header.Set("User-Agent", phoneUA)
				r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255)
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, r)
				if w.Code != 200 {
					failed.Add(1)
				}
			}
		})
		took := time.Since(start)
		b.StopTimer()
		b.ReportMetric(float64(n.Load())/took.Seconds(), "req/s")
		if err := h.Views.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		var written int64
		d.QueryRowContext(ctx, `SELECT COALESCE(SUM(views), 0) FROM content_views`).Scan(&written)
		if failed.Load() > 0 || written != n.Load() {
			b.Fatalf("%d requests, %d failed, %d views written", n.Load(), failed.Load(), written)
		}
	})
}
