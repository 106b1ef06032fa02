package share

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share/click"
)

// A script clicking 25 officers' links within minutes and one phone signed in as 12 officers
// are found and queued; confirming sets the month aside (rankings, points), reopening restores
// it, and both decisions are logged.
func TestScanAndReview(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 26)
		var links []Link
		for i, o := range f.officers {
			l, _, err := f.store.TakeLink(ctx, o, f.units[i], f.item)
			if err != nil {
				t.Fatal(err)
			}
			links = append(links, l)
		}
		// Ordinary visitors: officer 25's link is opened by 10 people over the day.
		for v := range 10 {
			*f.now = f.now.Add(7 * time.Minute)
			if _, err := f.rec.Record(ctx, links[25], get(phoneUA, fmt.Sprintf("112.%d.1.1", v)), ""); err != nil {
				t.Fatal(err)
			}
		}
		// The script: one address and User-Agent over links 0–24 in 5 minutes.
		for i := range 25 {
			*f.now = f.now.Add(12 * time.Second)
			if _, err := f.rec.Record(ctx, links[i], get(phoneUA, "113.5.5.5"), ""); err != nil {
				t.Fatal(err)
			}
		}
		// The farm: one phone signs in as officers 0–11.
		farm, _ := f.rec.Visitor(ctx, netip.MustParseAddr("114.1.1.1"), phoneUA)
		for _, o := range f.officers[:12] {
			if err := f.rec.Device(ctx, farm, o); err != nil {
				t.Fatal(err)
			}
		}
		res, err := f.store.Scan(ctx, "152502", "2026-06", nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Found[click.KindBurst] != 25 || res.Found[click.KindDeviceFarm] != 12 || res.New != 37 {
			t.Fatalf("scan: %+v", res)
		}
		if again, _ := f.store.Scan(ctx, "152502", "2026-06", nil); again.New != 0 {
			t.Errorf("second scan queued %d again", again.New)
		}
		if other, _ := f.store.Scan(ctx, "152501", "2026-06", nil); other.New != 0 || len(other.Found) != 0 {
			t.Errorf("scan of another banner found %+v", other)
		}
		cases, err := f.store.Cases(ctx, "152502", CaseOpen)
		if err != nil || len(cases) != 37 {
			t.Fatalf("cases %d %v", len(cases), err)
		}
		var burst Case
		for _, c := range cases {
			if c.Kind == click.KindBurst && c.Officer == f.officers[0] {
				burst = c
			}
		}
		if burst.ID == 0 {
			t.Fatal("officer 0's burst case missing")
		}
		banner := region.NewScope("152502")
		if err := f.store.Decide(ctx, region.NewScope("152501"), burst.ID, "confirm", "脚本", 1); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("another banner decides: %v", err)
		}
		before, _, _ := f.store.RegionFigures(ctx, "152502001", "2026-06")
		if err := f.store.Decide(ctx, banner, burst.ID, "confirm", "同一访客脚本点击", 1); err != nil {
			t.Fatal(err)
		}
		if err := f.store.Decide(ctx, banner, burst.ID, "confirm", "again", 1); !errors.Is(err, ErrCaseStep) {
			t.Errorf("confirm twice: %v", err)
		}
		after, _, _ := f.store.RegionFigures(ctx, "152502001", "2026-06")
		if after.HeldClicks != 1 || after.HeldShares != 1 || after.Clicks != before.Clicks || after.ClicksShown != before.ClicksShown-1 {
			t.Errorf("after confirm: held %d/%d, clicks %d→%d shown %d→%d", after.HeldClicks, after.HeldShares, before.Clicks, after.Clicks, before.ClicksShown, after.ClicksShown)
		}
		top, _ := f.store.TopOfficers(ctx, "152502", "2026-06", 100)
		for _, o := range top {
			if o.Officer == f.officers[0] {
				t.Error("a confirmed officer-month still ranks")
			}
		}
		if err := f.store.Decide(ctx, banner, burst.ID, "reopen", "复核有误", 2); err != nil {
			t.Fatal(err)
		}
		restored, _, _ := f.store.RegionFigures(ctx, "152502001", "2026-06")
		if restored.HeldClicks != 0 || restored.ClicksShown != before.ClicksShown {
			t.Errorf("after reopen: %+v", restored)
		}
		log, _ := f.store.CaseLog(ctx, burst.ID)
		if len(log) != 2 || log[0].Action != "confirm" || log[1].Action != "reopen" || log[1].Account != 2 || log[1].Note != "复核有误" {
			t.Errorf("log %+v", log)
		}
	})
}

// Officers keyed in by one account on one day in a batch of BulkBatch are queued as bulk
// registrations, read through registry.OfficerRegistrations.
func TestScanBulkRegistrations(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 0)
		regs := &registry.Store{DB: d, Regions: f.store.Regions}
		for i := range BulkBatch {
			_, err := regs.Create(ctx, &registry.InformationOfficers, region.NewScope("152502"), 1, registry.Values{"name": fmt.Sprint("批量", i),
				"phone": fmt.Sprintf("1360000%04d", i), "region_code": "152502001001", "registered_on": "2026-06-03"})
			if err != nil {
				t.Fatal(err)
			}
		}
		// A few registered on other days by the same account are not a batch.
		for i := range 5 {
			if _, err := regs.Create(ctx, &registry.InformationOfficers, region.NewScope("152502"), 1, registry.Values{"name": fmt.Sprint("零散", i),
				"phone": fmt.Sprintf("1350000%04d", i), "region_code": "152502001001", "registered_on": fmt.Sprintf("2026-06-%02d", 10+i)}); err != nil {
				t.Fatal(err)
			}
		}
		res, err := f.store.Scan(ctx, "152502", "2026-06", regs)
		if err != nil {
			t.Fatal(err)
		}
		if res.Found[click.KindBulkRegistration] != BulkBatch || res.New != BulkBatch {
			t.Errorf("bulk registrations: %+v", res)
		}
		cases, _ := f.store.Cases(ctx, "152502", CaseOpen)
		if len(cases) == 0 || !strings.Contains(cases[0].Evidence, "登记了 200 名信息员") {
			t.Errorf("evidence: %+v", cases)
		}
	})
}
