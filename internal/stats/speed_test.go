package stats_test

import (
	"context"
	"github.com/kepu/kepu/internal/web"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share"
	"github.com/kepu/kepu/internal/stats"
)

// Figures read through the snapshots and the shared month results of sharing (MaxAge 10
// minutes; serve runs with 2) equal the figures computed live (MaxAge 0), for every indicator at
// the region, a league and a banner, for the year, a month and the children, asked the way a
// dashboard asks them (all at once).
func TestSnapshotFiguresEqualLive(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		demoNetwork(t, d, 0.02)
		ctx := context.Background()
		live, kept := newRegistry(d), newRegistry(d)
		kept.MaxAge = 10 * time.Minute
		same := func(what string, a, b []stats.Value) {
			t.Helper()
			if len(a) != len(b) {
				t.Fatalf("%s: %d values against %d", what, len(a), len(b))
			}
			for i := range a {
				if a[i].Code != b[i].Code || a[i].Exact != b[i].Exact || a[i].Value != b[i].Value || a[i].Known != b[i].Known {
					t.Errorf("%s %s: kept %v (%d, known %v), live %v (%d, known %v)", what, a[i].Code, b[i].Value, b[i].Exact, b[i].Known, a[i].Value, a[i].Exact, a[i].Known)
				}
			}
		}
		nonzero := 0
		for _, unit := range []string{"150000", "152500", "152502"} {
			for _, month := range []int{0, 9} {
				q := stats.Query{Unit: unit, Year: 2026, Month: month, Scope: everyone}
				for range 2 { // the second round reads what the first kept
					a, err := live.Values(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					b, err := kept.Values(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					same(unit+" values", a, b)
					for _, v := range a {
						if v.Exact != 0 {
							nonzero++
						}
					}
					ak, err := live.ChildrenValues(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					bk, err := kept.ChildrenValues(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					for i := range ak {
						same(unit+" child "+ak[i][0].Unit, ak[i], bk[i])
					}
				}
			}
		}
		if nonzero == 0 {
			t.Fatal("nothing to compare: every figure is zero")
		}
	})
}

// A unit's month of sharing is asked of the share package once for the batches that need it
// within a minute (sourceMemoFor), and afresh under Refreshing and after the minute: figures
// imported from the national platform show up accordingly.
func TestShareMonthsShared(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		r := newRegistry(d)
		now := time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC)
		r.Now = func() time.Time { return now }
		r.MaxAge = 10 * time.Minute
		year := stats.Query{Unit: "150000", Year: 2026, Scope: everyone}
		sh05 := func(ctx context.Context) stats.Value {
			t.Helper()
			v, err := r.Value(ctx, "SH05", year)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := sh05(ctx); v.Known {
			t.Fatalf("SH05 known before any import: %+v", v)
		}
		sh := &share.Store{DB: d, Regions: &region.Store{DB: d}}
		if _, err := sh.ImportNational(ctx, everyone, 0, strings.NewReader("区划代码,月份,信息员数,分享数,点击数\n150000,2026-11,5600,12000,36000\n")); err != nil {
			t.Fatal(err)
		}
		if err := r.Forget(ctx, "150000", "share"); err != nil {
			t.Fatal(err)
		}
		if v := sh05(ctx); v.Known {
			t.Errorf("SH05 within the minute = %d: the month was asked again", v.Exact)
		}
		if v := sh05(stats.Refreshing(ctx)); !v.Known || v.Exact != 12000 {
			t.Errorf("SH05 under Refreshing = %d (known %v), want 12000", v.Exact, v.Known)
		}
		if err := r.Forget(ctx, "150000", "share"); err != nil {
			t.Fatal(err)
		}
		if v := sh05(ctx); !v.Known || v.Exact != 12000 {
			t.Errorf("SH05 after the refresh = %d (known %v), want 12000", v.Exact, v.Known)
		}
		if _, err := sh.ImportNational(ctx, everyone, 0, strings.NewReader("区划代码,月份,信息员数,分享数,点击数\n150000,2026-11,5600,13000,36000\n")); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Minute)
		if err := r.Forget(ctx, "150000", "share"); err != nil {
			t.Fatal(err)
		}
		if v := sh05(ctx); v.Exact != 13000 {
			t.Errorf("SH05 two minutes later = %d, want 13000 (the month asked afresh)", v.Exact)
		}
	})
}

// Under one Refreshing context, a figure computed before it is computed again, and a figure
// computed under it is read back (the refresher's second year reads what its first computed);
// a new Refreshing context computes again.
func TestRefreshingReadsItsOwnRound(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		r := newRegistry(d)
		var mu sync.Mutex
		// Today's date: a record created now starts counting today (registry's Since date), so a
		// clock set before today would count none.
		now := time.Now().UTC()
		r.Now = func() time.Time { // a clock that moves
			mu.Lock()
			defer mu.Unlock()
			now = now.Add(time.Millisecond)
			return now
		}
		r.MaxAge = 10 * time.Minute
		q := stats.Query{Unit: "150000", Year: now.In(web.China).Year(), Scope: everyone}
		museums := func(ctx context.Context) int64 {
			t.Helper()
			v, err := r.Value(ctx, "KC01", q)
			if err != nil {
				t.Fatal(err)
			}
			return v.Exact
		}
		reg := &registry.Store{DB: d, Regions: &region.Store{DB: d}}
		add := func(name string) {
			t.Helper()
			if _, err := reg.Create(ctx, kindOf(t, "museums"), everyone, 0, registry.Values{"name": name, "region_code": "152500", "tier": "league"}); err != nil {
				t.Fatal(err)
			}
		}
		if museums(ctx) != 0 {
			t.Fatal("not empty")
		}
		add("锡林郭勒盟科技馆")
		round := stats.Refreshing(ctx)
		if got := museums(round); got != 1 {
			t.Errorf("under Refreshing: %d museums, want 1 (the snapshot from before the round is not read)", got)
		}
		add("锡林郭勒盟青少年科技馆")
		if got := museums(round); got != 1 {
			t.Errorf("again under the same Refreshing: %d museums, want 1 read from the round's own snapshot", got)
		}
		if got := museums(stats.Refreshing(ctx)); got != 2 {
			t.Errorf("under a new Refreshing: %d museums, want 2", got)
		}
	})
}
