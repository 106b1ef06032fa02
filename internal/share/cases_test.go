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
		cases, err := f.store.Cases(ctx, "152502", CaseOpen, "")
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
		cases, _ := f.store.Cases(ctx, "152502", CaseOpen, "")
		if len(cases) == 0 || !strings.Contains(cases[0].Evidence, "登记了 200 名信息员") {
			t.Errorf("evidence: %+v", cases)
		}
	})
}

// Confirming a case sets the officer's month aside in every figure it feeds — counted clicks,
// monthly actives (shown apart as set aside), points, the 标兵 list and the ranking by actives —
// including what the officer does later that month, and a month with nothing yet (a bulk
// registration); reopening brings every figure back.
func TestSetAsideFigures(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 3) // officers 0 and 2 in village 0, officer 1 in village 1
		const month = "2026-06"
		var links []Link
		for i := range 2 {
			l, _, err := f.store.TakeLink(ctx, f.officers[i], f.units[i], f.item)
			if err != nil {
				t.Fatal(err)
			}
			links = append(links, l)
		}
		click := func(l Link, addr string) {
			t.Helper()
			*f.now = f.now.Add(time.Minute)
			if _, err := f.rec.Record(ctx, l, get(phoneUA, addr), ""); err != nil {
				t.Fatal(err)
			}
		}
		click(links[0], "112.1.1.1")
		click(links[1], "112.1.1.2")
		open := func(kind string, officer int64, unit string) int64 {
			t.Helper()
			var id int64
			if err := d.QueryRowContext(ctx, `INSERT INTO share_cases (kind, officer_id, region_code, month, evidence, status, found_at) VALUES ($1, $2, $3, $4, 'test', 'open', $5) RETURNING id`,
				kind, officer, unit, month, *f.now).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		burst, bulk := open("burst", f.officers[0], f.units[0]), open("bulk_registration", f.officers[2], f.units[2])
		banner := region.NewScope("152502")
		type want struct{ clicks, heldClicks, actives, heldActives int64 }
		check := func(step string, village0, total want, ranked map[int64]bool, points0 int64) {
			t.Helper()
			tot, rows, err := f.store.RegionFigures(ctx, "152502001", month)
			if err != nil {
				t.Fatal(err)
			}
			var v0 Figures
			for _, r := range rows {
				if r.Code == f.units[0] {
					v0 = r
				}
			}
			for _, x := range []struct {
				name string
				got  Figures
				want want
			}{{"village 0", v0, village0}, {"township", tot, total}} {
				g := want{x.got.ClicksShown, x.got.HeldClicks, x.got.ActivesShown, x.got.HeldActives}
				if g != x.want || x.got.Clicks != g.clicks+g.heldClicks || x.got.Actives != g.actives+g.heldActives {
					t.Errorf("%s, %s: counted clicks, set aside, actives, set aside = %+v (of %d clicks, %d actives), want %+v", step, x.name, g, x.got.Clicks, x.got.Actives, x.want)
				}
			}
			if top := Rank(rows, "actives"); village0.actives == 0 && top[0].Code == f.units[0] {
				t.Errorf("%s: village 0 ranks first by actives with none counted", step)
			}
			top, err := f.store.TopOfficers(ctx, "152502", month, 10)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]bool{}
			for _, o := range top {
				got[o.Officer] = true
			}
			if fmt.Sprint(got) != fmt.Sprint(ranked) {
				t.Errorf("%s: 标兵 list %v, want %v", step, got, ranked)
			}
			st, err := f.store.Standing(ctx, f.officers[0], Day(*f.now))
			if err != nil || st.Points != points0 {
				t.Errorf("%s: officer 0's points %d, want %d (%v)", step, st.Points, points0, err)
			}
			// The unit-months' set-aside figures are the sums of the set-aside officer-months.
			var om, rm [3]int64
			d.QueryRowContext(ctx, `SELECT COALESCE(sum(clicks), 0), COALESCE(sum(shares), 0), count(CASE WHEN shares + clicks > 0 THEN 1 END) FROM share_officer_months WHERE held > 0`).Scan(&om[0], &om[1], &om[2])
			d.QueryRowContext(ctx, `SELECT sum(held_clicks), sum(held_shares), sum(held_actives) FROM share_region_months`).Scan(&rm[0], &rm[1], &rm[2])
			if om != rm {
				t.Errorf("%s: officer-months set aside %v, unit-months %v", step, om, rm)
			}
		}
		o0, o1, o2 := f.officers[0], f.officers[1], f.officers[2]
		check("before", want{1, 0, 1, 0}, want{2, 0, 2, 0}, map[int64]bool{o0: true, o1: true}, 3)
		if err := f.store.Decide(ctx, banner, burst, "confirm", "脚本", 1); err != nil {
			t.Fatal(err)
		}
		if err := f.store.Decide(ctx, banner, bulk, "confirm", "批量", 1); err != nil {
			t.Fatal(err)
		}
		check("confirmed", want{0, 1, 0, 1}, want{1, 1, 1, 1}, map[int64]bool{o1: true}, 0)
		// Later that month: officer 0's link is clicked again, officer 2 starts sharing.
		click(links[0], "112.1.1.3")
		if _, _, err := f.store.TakeLink(ctx, o2, f.units[2], f.item); err != nil {
			t.Fatal(err)
		}
		check("confirmed, later clicks", want{0, 2, 0, 2}, want{1, 2, 1, 2}, map[int64]bool{o1: true}, 0)
		for _, id := range []int64{burst, bulk} {
			if err := f.store.Decide(ctx, banner, id, "reopen", "复核有误", 2); err != nil {
				t.Fatal(err)
			}
		}
		check("reopened", want{2, 0, 2, 0}, want{3, 0, 3, 0}, map[int64]bool{o0: true, o1: true, o2: true}, 4)
	})
}
