package share

import (
	"context"
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

// The demo's year of sharing has roll-ups that agree with each other, and the detector finds
// the three planted patterns in the last month.
func TestDemoPlantedPatterns(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		steps := []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), content.DemoStep(), DemoStep()}
		if _, err := demo.Run(ctx, d, 1, 0.01, steps, nil); err != nil {
			t.Fatal(err)
		}
		var months, officerShares, unitShares, officerClicks, unitClicks int64
		d.QueryRowContext(ctx, `SELECT count(DISTINCT month), sum(shares), sum(clicks) FROM share_officer_months`).Scan(&months, &officerShares, &officerClicks)
		d.QueryRowContext(ctx, `SELECT sum(shares), sum(clicks) FROM share_region_months`).Scan(&unitShares, &unitClicks)
		if months != DemoMonths || officerShares != unitShares || officerClicks != unitClicks || officerShares < 5800*3 {
			t.Errorf("demo roll-ups: %d months, officer-months %d shares %d clicks, unit-months %d shares %d clicks", months, officerShares, officerClicks, unitShares, unitClicks)
		}
		var rawCounted, dailyClicks int64
		d.QueryRowContext(ctx, `SELECT count(*) FROM share_clicks WHERE reason = ''`).Scan(&rawCounted)
		d.QueryRowContext(ctx, `SELECT sum(clicks) FROM share_daily`).Scan(&dailyClicks)
		if rawCounted == 0 || dailyClicks != rawCounted+3000 {
			t.Errorf("sample: %d counted raw clicks, %d in the daily roll-up (want raw + the planted 3,000)", rawCounted, dailyClicks)
		}
		s := &Store{DB: d, Regions: &region.Store{DB: d}}
		res, err := s.Scan(ctx, "150000", DemoLastMonth, &registry.Store{DB: d, Regions: s.Regions})
		if err != nil {
			t.Fatal(err)
		}
		if res.Found[click.KindBurst] < 30 || res.Found[click.KindDeviceFarm] != 15 || res.Found[click.KindRatio] < 1 {
			t.Errorf("planted patterns not found: %+v", res.Found)
		}
		top, err := s.TopOfficers(ctx, "150000", DemoLastMonth, 10)
		if err != nil || len(top) != 10 {
			t.Errorf("top officers: %d %v", len(top), err)
		}
	})
}
