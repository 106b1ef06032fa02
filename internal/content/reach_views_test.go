package content

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

const phoneUA = "Mozilla/5.0 (Linux; Android 12; HUAWEI) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"

func TestIsBotAndPrefetch(t *testing.T) {
	for ua, want := range map[string]bool{
		phoneUA: false, "": true, "Mozilla/5.0 (compatible; Baiduspider/2.0)": true, "Googlebot/2.1": true,
		"curl/8.5.0": true, "Wget/1.21": true, "python-requests/2.31": true, "Go-http-client/1.1": true,
		"Mozilla/5.0 HeadlessChrome/120": true, "Sogou web crawler": true,
	} {
		if IsBot(ua) != want {
			t.Errorf("IsBot(%q) = %v", ua, !want)
		}
	}
	for _, h := range [][2]string{{"Sec-Purpose", "prefetch;prerender"}, {"Purpose", "prefetch"}, {"X-Moz", "prefetch"}} {
		r := httptest.NewRequest("GET", "/content/1", nil)
		r.Header.Set(h[0], h[1])
		if !IsPrefetch(r) {
			t.Errorf("%s: %s not seen as a prefetch", h[0], h[1])
		}
	}
	if IsPrefetch(httptest.NewRequest("GET", "/content/1", nil)) {
		t.Error("a plain request seen as a prefetch")
	}
}

func viewsOf(t *testing.T, d *db.DB, item int64, channel, region, day string) int64 {
	t.Helper()
	var n int64
	err := d.QueryRowContext(context.Background(), `SELECT COALESCE(SUM(views), 0) FROM content_views WHERE item_id = $1 AND channel = $2 AND region_code = $3 AND day = $4`,
		item, channel, region, day).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestViewsExactFlushAndRestart counts views of two items by many visitors, checks that the
// dedup, bot and prefetch rules hold, that a flush writes exactly what was counted (twice in a
// row adds up), and that a "restart" (a new counter without flushing the old) loses only the
// unflushed views.
func TestViewsExactFlushAndRestart(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, now, ids := fixture(t, d)
		a, err := s.Create(ctx, region.NewScope("152502"), ids[0], article("152502"), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Create(ctx, region.NewScope("152502"), ids[0], article("152502"), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		v := NewViews(s, nil)
		v.Every = time.Hour // flushed by hand here
		count := func(item int64, ip, ua string, hdr ...string) bool {
			r := httptest.NewRequest("GET", "/content/1", nil)
			r.RemoteAddr = ip + ":5555"
			r.Header.Set("User-Agent", ua)
			if len(hdr) == 2 {
				r.Header.Set(hdr[0], hdr[1])
			}
			return v.Count(r, item, ChannelWeb, "152502")
		}
		day := now.In(China).Format(time.DateOnly)
		for i := 0; i < 300; i++ {
			ip := "10.0.0." + string(rune('0'+i%10)) + "/" + string(rune('a'+i/10))
			if !count(a, ip, phoneUA) {
				t.Fatalf("visitor %d not counted", i)
			}
			if count(a, ip, phoneUA) {
				t.Fatalf("visitor %d counted twice the same day", i)
			}
		}
		if !count(b, "10.0.0.1/a", phoneUA) || !count(a, "10.0.0.1/a", phoneUA+" other") {
			t.Error("another item, or another user agent at the same address, not counted")
		}
		if count(a, "10.9.9.9", "Baiduspider") || count(a, "10.9.9.9", phoneUA, "Sec-Purpose", "prefetch") {
			t.Error("a bot or a prefetch counted")
		}
		if got := v.Pending(); got != 302 {
			t.Fatalf("pending %d, want 302", got)
		}
		if err := v.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := viewsOf(t, d, a, ChannelWeb, "152502", day); got != 301 {
			t.Errorf("item a: %d views written, want 301", got)
		}
		if got := viewsOf(t, d, b, ChannelWeb, "152502", day); got != 1 {
			t.Errorf("item b: %d views written, want 1", got)
		}
		if v.Pending() != 0 {
			t.Error("pending after flush")
		}
		// A second batch adds to the same rows.
		count(b, "10.7.7.7", phoneUA)
		count(b, "10.7.7.8", phoneUA)
		if err := v.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := viewsOf(t, d, b, ChannelWeb, "152502", day); got != 3 {
			t.Errorf("item b after second flush: %d, want 3", got)
		}
		// Unflushed views are lost by a restart; nothing else is.
		count(b, "10.7.7.9", phoneUA)
		restarted := NewViews(s, nil)
		restarted.Every = time.Hour
		if got := viewsOf(t, d, b, ChannelWeb, "152502", day); got != 3 {
			t.Errorf("after restart item b has %d, want the 3 flushed", got)
		}
		// The new process has a new salt: the same visitor counts once more that day (documented).
		r := httptest.NewRequest("GET", "/content/1", nil)
		r.RemoteAddr, r.Header["User-Agent"] = "10.7.7.7:1", []string{phoneUA}
		if !restarted.Count(r, b, ChannelWeb, "152502") {
			t.Error("restarted counter refused a visitor it has not seen")
		}
		// The next day the visitor counts again, under the new day.
		*now = now.Add(24 * time.Hour)
		if !count(a, "10.0.0.0/a", phoneUA) {
			t.Error("visitor not counted on the next day")
		}
		if err := v.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := viewsOf(t, d, a, ChannelWeb, "152502", now.In(China).Format(time.DateOnly)); got != 1 {
			t.Errorf("next day: %d, want 1", got)
		}
	})
}

// TestViewsFlushFailureKeepsCounts: a flush that fails (an unknown region breaks the foreign
// key) writes nothing and keeps every count for the next try.
func TestViewsFlushFailureKeepsCounts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _, ids := fixture(t, d)
		a, err := s.Create(ctx, region.NewScope("152502"), ids[0], article("152502"), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		v := NewViews(s, nil)
		v.Every = time.Hour
		v.add("1.1.1.1", phoneUA, a, ChannelWeb, "152502")
		v.add("1.1.1.2", phoneUA, a, ChannelWeb, "999999")
		if err := v.Flush(ctx); err == nil {
			t.Fatal("flush with a bad region succeeded")
		}
		if v.Pending() != 2 {
			t.Errorf("pending %d after a failed flush, want 2", v.Pending())
		}
		var n int
		d.QueryRowContext(ctx, `SELECT count(*) FROM content_views`).Scan(&n)
		if n != 0 {
			t.Errorf("%d rows written by a failed flush", n)
		}
	})
}

// The demo adds counted views and platform pushes for published items only.
func TestReachDemo(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	if _, err := demo.Run(ctx, d, 1, 0.1, []demo.Step{region.DemoStep(), DemoStep()}, nil); err != nil {
		t.Fatal(err)
	}
	var views, pushes, bad int
	d.QueryRowContext(ctx, `SELECT count(*) FROM content_views WHERE channel = 'web'`).Scan(&views)
	d.QueryRowContext(ctx, `SELECT count(*) FROM content_pushes`).Scan(&pushes)
	d.QueryRowContext(ctx, `SELECT count(*) FROM content_views v JOIN content_items i ON i.id = v.item_id WHERE i.status <> 'published'`).Scan(&bad)
	if views == 0 || pushes != 625 || bad != 0 { // the seed's 6,250 pushes a year at scale 0.1 (figures_demo.go)
		t.Errorf("demo reach: %d view rows, %d pushes (want 625), %d views of unpublished items", views, pushes, bad)
	}
}

func TestRollUp(t *testing.T) {
	for _, c := range []struct{ code, root, want string }{
		{"152502001001", "150000", "152500"}, {"152502001001", "152500", "152502"}, {"152502001001", "152502", "152502001"},
		{"152502", "152502", "152502"}, {"150000", "150000", "150000"}, {"152502001001", "152502001", "152502001001"},
	} {
		if got := rollUp(c.code, c.root); got != c.want {
			t.Errorf("rollUp(%s, %s) = %s, want %s", c.code, c.root, got, c.want)
		}
	}
}

// TestViewsConcurrentFlushExact counts from several goroutines while the timer flushes every
// millisecond: every counted view is written exactly once.
func TestViewsConcurrentFlushExact(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _, ids := fixture(t, d)
		a, err := s.Create(ctx, region.NewScope("152502"), ids[0], article("152502"), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		v := NewViews(s, nil)
		v.Every = time.Millisecond
		var counted atomic.Int64
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 500 {
					if v.add(fmt.Sprintf("10.%d.%d.1", g, i), phoneUA, a, ChannelWeb, "152502") {
						counted.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if err := v.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		var written int64
		d.QueryRowContext(ctx, `SELECT COALESCE(SUM(views), 0) FROM content_views`).Scan(&written)
		if counted.Load() != 2000 || written != 2000 {
			t.Errorf("counted %d, written %d, want 2000 both", counted.Load(), written)
		}
	})
}
