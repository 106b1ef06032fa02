package main

import (
	"context"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/web"
)

// The serve-time refresher rewrites the region's snapshots from the domains, so that a record
// added since shows in the next (snapshot-read) figure without waiting for MaxAge.
func TestRefreshFigures(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		ctx := context.Background()
		s := ts.site
		year := time.Now().In(web.China).Year()
		q := stats.Query{Unit: s.Root.Code, Year: year, Scope: region.NewScope(s.Root.Code)}
		museums := func() int64 {
			t.Helper()
			v, err := s.Stats.Value(ctx, "KC01", q)
			if err != nil {
				t.Fatal(err)
			}
			return v.Exact
		}
		if museums() != 0 {
			t.Fatal("museums in an empty network")
		}
		k, _ := registry.KindBySlug("museums")
		if _, err := s.Registry.Create(ctx, k, region.NewScope("15"), 0, registry.Values{"name": "锡林郭勒盟科技馆", "region_code": "152500", "tier": "league"}); err != nil {
			t.Fatal(err)
		}
		if museums() != 0 {
			t.Fatal("the snapshot was not reused (MaxAge not set on the site?)")
		}
		// The refresher warms each league's dashboard after the region's: the league's children
		// (banners) get snapshots that no viewer asked for, holding a banner's new museum.
		lq := q
		lq.Unit = "152500"
		banner := func() int64 {
			t.Helper()
			kids, err := s.Stats.Children(ctx, "KC01", lq)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range kids {
				if k.Unit == "152502" {
					return k.Exact
				}
			}
			t.Fatal("no banner 152502 below 152500")
			return 0
		}
		if _, err := s.Registry.Create(ctx, k, region.NewScope("15"), 0, registry.Values{"name": "锡林浩特市科技馆", "region_code": "152502", "tier": "banner"}); err != nil {
			t.Fatal(err)
		}
		refreshDelay = 0
		t.Cleanup(func() { refreshDelay = time.Minute })
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { refreshFigures(rctx, s, quiet); close(done) }()
		deadline := time.Now().Add(60 * time.Second)
		for museums() != 2 {
			if time.Now().After(deadline) {
				t.Fatal("the refresher did not rewrite the region's snapshot within a minute")
			}
			time.Sleep(100 * time.Millisecond)
		}
		for {
			var n int
			if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM stats_snapshots WHERE region_code = '152502' AND year = $1 AND month = 0`, year).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the refresher did not warm the league's children within a minute")
			}
			time.Sleep(100 * time.Millisecond)
		}
		if got := banner(); got != 1 {
			t.Errorf("banner 152502 after the league was warmed: %d museums, want 1", got)
		}
		cancel()
		<-done
	})
}
