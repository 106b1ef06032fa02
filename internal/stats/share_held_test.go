package stats_test

import (
	"context"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/share"
	"github.com/kepu/kepu/internal/stats"
)

// Shares and clicks that review set aside (confirmed gaming cases) are not counted: SH01 and
// SH02 of a year are the sharing report's months summed, less what the cases set aside.
func TestShareFiguresLeaveOutSetAside(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		demoNetwork(t, d, 0.02)
		ctx := context.Background()
		sh := &share.Store{DB: d, Regions: &region.Store{DB: d}}
		months := []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"}
		for _, m := range months {
			if _, err := sh.Scan(ctx, "150000", "2026-"+m, nil); err != nil {
				t.Fatal(err)
			}
		}
		cases, err := sh.Cases(ctx, "150000", share.CaseOpen, "")
		if err != nil || len(cases) == 0 {
			t.Fatalf("the demo's review cases: %d %v", len(cases), err)
		}
		year := cases[0].Month[:4]
		for _, c := range cases {
			if c.Month[:4] == year {
				if err := sh.Decide(ctx, everyone, c.ID, "confirm", "测试", 0); err != nil {
					t.Fatal(err)
				}
			}
		}
		var shares, held, clicks, heldClicks int64
		for m := 1; m <= 12; m++ {
			f, _, err := sh.RegionFigures(ctx, "150000", year+"-"+months[m-1])
			if err != nil {
				t.Fatal(err)
			}
			shares, held, clicks, heldClicks = shares+f.Shares, held+f.HeldShares, clicks+f.Clicks, heldClicks+f.HeldClicks
		}
		if held == 0 || heldClicks == 0 {
			t.Fatalf("confirming %d cases set nothing aside (shares %d, clicks %d)", len(cases), held, heldClicks)
		}
		r := newRegistry(d)
		y := 0
		for _, ch := range year {
			y = y*10 + int(ch-'0')
		}
		vs, err := r.Values(ctx, stats.Query{Unit: "150000", Year: y, Scope: everyone}, "SH01", "SH02")
		if err != nil {
			t.Fatal(err)
		}
		if vs[0].Exact != shares-held {
			t.Errorf("SH01 = %d, want %d shares less %d set aside", vs[0].Exact, shares, held)
		}
		if vs[1].Exact != clicks-heldClicks {
			t.Errorf("SH02 = %d, want %d clicks less %d set aside", vs[1].Exact, clicks, heldClicks)
		}
	})
}
