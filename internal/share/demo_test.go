package share

import (
	"context"
	"fmt"
	"strings"
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
// each of the four planted patterns in the last month — every planted officer queued with the
// pattern's evidence, and no other officer.
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
		if checkBannerMonths(t, d, "after the demo") == 0 {
			t.Error("the demo's banner-months are empty")
		}
		var rawCounted, dailyClicks int64
		d.QueryRowContext(ctx, `SELECT count(*) FROM share_clicks WHERE reason = ''`).Scan(&rawCounted)
		d.QueryRowContext(ctx, `SELECT sum(clicks) FROM share_daily`).Scan(&dailyClicks)
		if rawCounted == 0 || dailyClicks != rawCounted+3000 {
			t.Errorf("sample: %d counted raw clicks, %d in the daily roll-up (want raw + the planted 3,000)", rawCounted, dailyClicks)
		}
		s := &Store{DB: d, Regions: &region.Store{DB: d}}
		regs := &registry.Store{DB: d, Regions: s.Regions}
		res, err := s.Scan(ctx, "150000", DemoLastMonth, regs)
		if err != nil {
			t.Fatal(err)
		}
		// The planted officers, found from the data the demo wrote: the visitor behind 30 or
		// more clicks of the month, the devices (only the farm's are written), the officer-month
		// with 3,000 clicks or more, the officers registered by a file import.
		planted := map[string]map[int64]bool{}
		plant := func(kind, q string, args ...any) {
			ids, err := db.QueryAll(ctx, d, func(r db.Scanner) (int64, error) { var id int64; return id, r.Scan(&id) }, q, args...)
			if err != nil {
				t.Fatal(err)
			}
			planted[kind] = map[int64]bool{}
			for _, id := range ids {
				planted[kind][id] = true
			}
		}
		plant(click.KindBurst, `SELECT DISTINCT officer_id FROM share_clicks WHERE visitor IN (SELECT visitor FROM share_clicks GROUP BY visitor HAVING count(*) >= 30)`)
		plant(click.KindDeviceFarm, `SELECT DISTINCT officer_id FROM share_devices`)
		plant(click.KindRatio, `SELECT officer_id FROM share_officer_months WHERE month = $1 AND clicks >= 3000`, DemoLastMonth)
		bulk, err := regs.OfficerRegistrations(ctx, region.NewScope("150000"), DemoBulkDay, DemoBulkDay)
		if err != nil {
			t.Fatal(err)
		}
		planted[click.KindBulkRegistration] = map[int64]bool{}
		for _, o := range bulk {
			if strings.HasPrefix(o.Source, "import:") {
				planted[click.KindBulkRegistration][o.ID] = true
			}
		}
		want := map[string]int{click.KindBurst: 30, click.KindDeviceFarm: 15, click.KindRatio: 1, click.KindBulkRegistration: DemoBulkOfficers}
		type found struct {
			kind     string
			officer  int64
			evidence string
		}
		cases, err := db.QueryAll(ctx, d, func(r db.Scanner) (found, error) {
			var f found
			return f, r.Scan(&f.kind, &f.officer, &f.evidence)
		}, `SELECT kind, officer_id, evidence FROM share_cases WHERE month = $1 AND status = 'open'`, DemoLastMonth)
		if err != nil {
			t.Fatal(err)
		}
		queued := map[string]map[int64]string{}
		for _, c := range cases {
			if queued[c.kind] == nil {
				queued[c.kind] = map[int64]string{}
			}
			queued[c.kind][c.officer] = c.evidence
			if !planted[c.kind][c.officer] {
				t.Errorf("clean officer %d flagged as %s: %s", c.officer, c.kind, c.evidence)
			}
		}
		evidence := map[string]string{click.KindBurst: "同一", click.KindDeviceFarm: "同一设备", click.KindRatio: "每次分享带来", click.KindBulkRegistration: fmt.Sprintf("登记了 %d 名信息员", DemoBulkOfficers)}
		for kind, n := range want {
			if len(planted[kind]) != n || res.Found[kind] != n {
				t.Errorf("%s: %d planted, %d found, want %d", kind, len(planted[kind]), res.Found[kind], n)
			}
			for o := range planted[kind] {
				if ev, ok := queued[kind][o]; !ok || !strings.Contains(ev, evidence[kind]) {
					t.Errorf("planted %s officer %d: queued %v with evidence %q", kind, o, ok, ev)
				}
			}
		}
		if res.New != len(cases) {
			t.Errorf("scan queued %d, %d cases open", res.New, len(cases))
		}
		// The queue lists 200 at most, newest first (the bulk registration's): each kind is
		// reached through the kind filter.
		for kind, n := range want {
			if got, err := s.Cases(ctx, "150000", CaseOpen, kind); err != nil || len(got) != min(n, 200) || got[0].Kind != kind {
				t.Errorf("queue filtered by %s: %d cases (%v), want %d", kind, len(got), err, min(n, 200))
			}
			// The page says how many there are when it lists fewer.
			if total, err := s.CasesCount(ctx, "150000", CaseOpen, kind); err != nil || total != n {
				t.Errorf("cases of kind %s counted %d (%v), want %d", kind, total, err, n)
			}
		}
		top, err := s.TopOfficers(ctx, "150000", DemoLastMonth, 10)
		if err != nil || len(top) != 10 {
			t.Errorf("top officers: %d %v", len(top), err)
		}
	})
}
