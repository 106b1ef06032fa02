package share

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share/click"
)

// BenchmarkRankings reads, from the roll-ups of the demo's year at the seed's scale (580,000
// officers, about 2.4 million officer-months), what the rankings page shows: a unit's month
// with the units below it (counted clicks, flagged by reason, monthly actives, registrations,
// population) and its 20 top officers — for the region (12 leagues) and for a banner (its
// townships). Issue #6's target: under 100 ms on SQLite.
//
// It uses the demo database at $KEPU_SHARE_DEMO_DB (made by `kepu demo --db …`), or makes one
// at scale 1 in a temporary folder first (about two minutes).
//
//	KEPU_SHARE_DEMO_DB=/tmp/seed.db go test -run xxx -bench Rankings ./internal/share/
func BenchmarkRankings(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("KEPU_SHARE_DEMO_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "seed.db")
		d, err := db.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := (&region.Store{DB: d}).EnsureLoaded(ctx); err != nil {
			b.Fatal(err)
		}
		steps := []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), content.DemoStep(), DemoStep()}
		if _, err := demo.Run(ctx, d, 1, 1, steps, nil); err != nil {
			b.Fatal(err)
		}
		d.Close()
	}
	d, err := db.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	regions := &region.Store{DB: d}
	s := &Store{DB: d, Regions: regions, Officers: (&registry.Store{DB: d, Regions: regions}).OfficerCounts}
	if at, err := s.RegistrationsCounted(ctx); err != nil || at.IsZero() {
		if err := s.RefreshRegistrations(ctx); err != nil {
			b.Fatal(err)
		}
	}
	for _, unit := range []string{"150000", "152502"} {
		b.Run(unit, func(b *testing.B) {
			for b.Loop() {
				total, rows, err := s.RegionFigures(ctx, unit, DemoLastMonth)
				if err != nil {
					b.Fatal(err)
				}
				if total.Clicks == 0 || len(Rank(rows, "per_population")) == 0 {
					b.Fatal("no figures: is this a demo database?")
				}
				top, err := s.TopOfficers(ctx, unit, DemoLastMonth, 20)
				if err != nil || len(top) != 20 {
					b.Fatalf("top officers: %d %v", len(top), err)
				}
			}
		})
	}
}

// BenchmarkRecord measures the recorder alone: 100 goroutines record clicks on 100 links at
// once (as 100 visitors do), each waiting for its group's commit. ns/op is the wall time per
// stored click on this machine; clicks/group says how large the groups grew.
//
//	go test -run xxx -bench Record -benchtime 20000x ./internal/share/
func BenchmarkRecord(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		r := &Recorder{DB: d}
		defer r.Close(ctx)
		links := make([]Link, 100)
		for i := range links {
			links[i] = Link{Code: fmt.Sprintf("bench%03d", i), Officer: int64(i + 1), Item: 1, Region: "152502001000"}
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		g0, c0 := r.groups.Load(), r.recorded.Load()
		b.ResetTimer()
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1) - 1
					if i >= int64(b.N) {
						return
					}
					req := click.Request{Method: "GET", UserAgent: fmt.Sprintf("Mozilla/5.0 (Linux; Android 12) Mobile bench-%d", i), Addr: netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})}
					if _, err := r.Record(ctx, links[i%100], req, ""); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		if g := r.groups.Load() - g0; g > 0 {
			b.ReportMetric(float64(r.recorded.Load()-c0)/float64(g), "clicks/group")
		}
	})
}
