package share

import (
	"context"
	"fmt"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share/click"
)

// fixture is a published item and officers in two villages of 152502 (锡林浩特市).
type fixture struct {
	store    *Store
	rec      *Recorder
	item     int64
	officers []int64
	units    []string
	now      *time.Time
}

const (
	phoneUA = "Mozilla/5.0 (Linux; Android 12) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0"
)

func newFixture(t *testing.T, d *db.DB, officers int) *fixture {
	t.Helper()
	ctx := context.Background()
	regions := &region.Store{DB: d}
	accounts := &account.Store{DB: d, Regions: regions}
	var ids []int64
	for _, u := range []string{"editor", "reviewer"} {
		id, err := accounts.Create(ctx, account.NewAccount{Username: u, DisplayName: u, Phone: "13912345678", Password: "correct horse battery",
			Grants: []account.Grant{{Role: account.BannerAdmin, RegionCode: "152502"}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	cs := &content.Store{DB: d, Regions: regions}
	scope := region.NewScope("152502")
	item, err := cs.Create(ctx, scope, ids[0], content.Input{RegionCode: "152502", Kind: "article", Topics: []string{"健康"},
		Zh: content.Version{Title: "冬季防寒知识", Summary: "牧区冬季防寒要点。", Body: "<p>注意保暖。</p>"}}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.Act(ctx, scope, ids[0], item, content.ActSubmit, ""); err != nil {
		t.Fatal(err)
	}
	if err := cs.Act(ctx, scope, ids[1], item, content.ActPublish, ""); err != nil {
		t.Fatal(err)
	}
	villages, err := regions.Children(ctx, "152502001")
	if err != nil || len(villages) < 2 {
		t.Fatalf("villages of 152502001: %v %v", villages, err)
	}
	reg := &registry.Store{DB: d, Regions: regions}
	f := &fixture{item: item}
	for i := range officers {
		unit := villages[i%2].Code
		id, err := reg.Create(ctx, &registry.InformationOfficers, scope, ids[0], registry.Values{"name": fmt.Sprintf("信息员%d", i), "phone": fmt.Sprintf("139%08d", i), "region_code": unit})
		if err != nil {
			t.Fatal(err)
		}
		f.officers = append(f.officers, id)
		f.units = append(f.units, unit)
	}
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	f.now = &now
	f.store = &Store{DB: d, Regions: regions, Now: func() time.Time { return *f.now }}
	f.rec = &Recorder{DB: d, Now: func() time.Time { return *f.now }, DataCentres: []netip.Prefix{netip.MustParsePrefix("47.92.0.0/14")}}
	return f
}

func get(ua, addr string) click.Request {
	return click.Request{Method: "GET", UserAgent: ua, Addr: netip.MustParseAddr(addr)}
}

// A link is taken once (one share), and its clicks are stored raw with their reasons and rolled
// up per (officer, item, day), officer-month and unit-month, the counts agreeing everywhere.
// takeLinks has every officer of the fixture take a link to its item, in officer order.
func (f *fixture) takeLinks(t *testing.T) []Link {
	t.Helper()
	var links []Link
	for i, o := range f.officers {
		l, _, err := f.store.TakeLink(context.Background(), o, f.units[i], f.item)
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, l)
	}
	return links
}

func TestRecordFiltersAndRollups(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 2)
		l, created, err := f.store.TakeLink(ctx, f.officers[0], f.units[0], f.item)
		if err != nil || !created {
			t.Fatalf("TakeLink: %v %v", created, err)
		}
		again, created, err := f.store.TakeLink(ctx, f.officers[0], f.units[0], f.item)
		if err != nil || created || again.Code != l.Code {
			t.Fatalf("second TakeLink made another link: %+v %v %v", again, created, err)
		}
		// The officer signs in from their phone: that device's clicks are their own.
		ownVisitor, err := f.rec.Visitor(ctx, netip.MustParseAddr("111.1.1.9"), phoneUA)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.rec.Device(ctx, ownVisitor, f.officers[0]); err != nil {
			t.Fatal(err)
		}
		head := get(phoneUA, "111.1.1.1")
		head.Method = "HEAD"
		prefetch := get(phoneUA, "111.1.1.2")
		prefetch.Purpose = "prefetch"
		steps := []struct {
			r    click.Request
			want click.Reason
		}{
			{get(phoneUA, "111.1.1.1"), click.Counted},
			{get(phoneUA, "111.1.1.1"), click.Repeat},
			{get(phoneUA, "111.1.1.3"), click.Counted},
			{head, click.Head},
			{prefetch, click.Unfurl},
			{get("TelegramBot (like TwitterBot)", "149.154.1.1"), click.Unfurl},
			{get("curl/8.5", "111.1.1.4"), click.Bot},
			{get(phoneUA, "47.93.0.8"), click.DataCentre},
			{get(phoneUA, "111.1.1.9"), click.Self},
		}
		for i, s := range steps {
			got, err := f.rec.Record(ctx, l, s.r, "https://weixin.qq.com/x")
			if err != nil || got != s.want {
				t.Fatalf("click %d: reason %q, %v; want %q", i, got, err, s.want)
			}
		}
		// An hour later the same visitor counts again.
		*f.now = f.now.Add(61 * time.Minute)
		if got, _ := f.rec.Record(ctx, l, get(phoneUA, "111.1.1.1"), ""); got != click.Counted {
			t.Errorf("click an hour later: %q", got)
		}
		var raw, counted int
		if err := d.QueryRowContext(ctx, `SELECT count(*), sum(CASE WHEN reason = '' THEN 1 ELSE 0 END) FROM share_clicks`).Scan(&raw, &counted); err != nil {
			t.Fatal(err)
		}
		if raw != 10 || counted != 3 {
			t.Errorf("raw clicks %d (want 10), counted %d (want 3)", raw, counted)
		}
		var ref, ua string
		d.QueryRowContext(ctx, `SELECT referrer, ua_class FROM share_clicks ORDER BY id LIMIT 1`).Scan(&ref, &ua)
		if ref != "weixin.qq.com" || ua != "wechat" {
			t.Errorf("referrer %q, ua class %q", ref, ua)
		}
		total, rows, err := f.store.RegionFigures(ctx, "152502001", "2026-06")
		if err != nil {
			t.Fatal(err)
		}
		if total.Clicks != 3 || total.Shares != 1 || total.Actives != 1 || total.FlaggedSum != 7 {
			t.Errorf("township total %+v", total)
		}
		want := map[click.Reason]int64{click.Head: 1, click.Unfurl: 2, click.Bot: 1, click.DataCentre: 1, click.Self: 1, click.Repeat: 1}
		for rs, n := range want {
			if total.Flagged[rs] != n {
				t.Errorf("flagged %s = %d, want %d", rs, total.Flagged[rs], n)
			}
		}
		found := false
		for _, r := range rows {
			if r.Code == f.units[0] {
				found = r.Clicks == 3 && r.Shares == 1
			}
		}
		if !found {
			t.Errorf("village %s not in rows with 3 clicks: %+v", f.units[0], rows)
		}
		var daily int64
		d.QueryRowContext(ctx, `SELECT sum(clicks) FROM share_daily`).Scan(&daily)
		if daily != 3 {
			t.Errorf("share_daily clicks %d", daily)
		}
		top, err := f.store.TopOfficers(ctx, "152502", "2026-06", 10)
		if err != nil || len(top) != 1 || top[0].Officer != f.officers[0] || top[0].Points != Points(1, 3, 0) {
			t.Errorf("top officers %+v %v", top, err)
		}
		// A restarted process reads the day's salt and the last hour back: still a repeat.
		rec2 := &Recorder{DB: d, Now: f.rec.Now}
		if got, err := rec2.Record(ctx, l, get(phoneUA, "111.1.1.1"), ""); err != nil || got != click.Repeat {
			t.Errorf("after restart: %q %v, want repeat", got, err)
		}
		if m := rec2.Metrics(); m.Recorded != 1 || m.ByReason["repeat"] != 1 {
			t.Errorf("metrics %+v", m)
		}
	})
}

// Many concurrent clicks are committed in groups and each is stored exactly once.
func TestGroupCommitConcurrent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 2)
		links := f.takeLinks(t)
		const n = 300
		errs := make(chan error, n)
		for i := range n {
			go func() {
				_, err := f.rec.Record(ctx, links[i%2], get(phoneUA, fmt.Sprintf("111.2.%d.%d", i/200, i%200)), "")
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.store.RollUp(ctx); err != nil {
			t.Fatal(err)
		}
		if again, err := f.store.RollUp(ctx); err != nil || again != 0 {
			t.Errorf("a second roll-up added %d clicks (%v)", again, err)
		}
		var raw, monthly, region int64
		d.QueryRowContext(ctx, `SELECT count(*) FROM share_clicks WHERE reason = ''`).Scan(&raw)
		d.QueryRowContext(ctx, `SELECT sum(clicks) FROM share_officer_months`).Scan(&monthly)
		d.QueryRowContext(ctx, `SELECT sum(clicks) FROM share_region_months`).Scan(&region)
		if raw != n || monthly != n || region != n {
			t.Errorf("raw %d, officer-months %d, unit-months %d; want %d each", raw, monthly, region, n)
		}
		var actives int64
		d.QueryRowContext(ctx, `SELECT sum(actives) FROM share_region_months`).Scan(&actives)
		if actives != 2 {
			t.Errorf("actives %d, want 2", actives)
		}
	})
}

// TestRecorderRollUpShared: with the recorder attached to the store, readers' roll-ups go
// through it; callers that arrive together share a pass, and each caller still finds every
// click stored before its call rolled up.
func TestRecorderRollUpShared(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 2)
		f.store.Recorder = f.rec
		f.rec.RollupEvery = time.Hour // only the readers roll up
		links := f.takeLinks(t)
		const n = 200
		var stored atomic.Int64
		errs := make(chan error, n)
		for i := range n {
			go func() {
				if _, err := f.rec.Record(ctx, links[i%2], get(phoneUA, fmt.Sprintf("111.3.%d.%d", i/200, i%200)), ""); err != nil {
					errs <- err
					return
				}
				before := stored.Add(1)
				if _, err := f.store.RollUp(ctx); err != nil {
					errs <- err
					return
				}
				var monthly int64
				if err := d.QueryRowContext(ctx, `SELECT COALESCE(sum(clicks), 0) FROM share_officer_months`).Scan(&monthly); err != nil {
					errs <- err
					return
				}
				if monthly < before {
					errs <- fmt.Errorf("after its roll-up a reader found %d clicks rolled up, %d were stored before it asked", monthly, before)
					return
				}
				errs <- nil
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if p := f.rec.rollPasses.Load(); p == 0 || p >= n {
			t.Errorf("%d roll-up passes for %d readers; want fewer, shared", p, n)
		}
		var monthly int64
		d.QueryRowContext(ctx, `SELECT sum(clicks) FROM share_officer_months`).Scan(&monthly)
		if monthly != n {
			t.Errorf("officer-months hold %d clicks, want %d", monthly, n)
		}
	})
}

// A database error fails the click with an error (the handler logs it and still redirects) and
// counts it in the metrics.
func TestRecordFailure(t *testing.T) {
	d := dbtest.SQLite(t)
	f := newFixture(t, d, 1)
	l, _, err := f.store.TakeLink(context.Background(), f.officers[0], f.units[0], f.item)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.rec.Visitor(context.Background(), netip.MustParseAddr("111.1.1.1"), phoneUA); err != nil { // the day's salt, read before the failure
		t.Fatal(err)
	}
	if _, err := d.ExecContext(context.Background(), `DROP TABLE share_clicks`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rec.Record(context.Background(), l, get(phoneUA, "111.1.1.1"), ""); err == nil {
		t.Fatal("no error with the clicks table gone")
	}
	if m := f.rec.Metrics(); m.Failures != 1 || m.Recorded != 0 {
		t.Errorf("metrics %+v", m)
	}
}

func TestCodesPointsStreak(t *testing.T) {
	for range 100 {
		c := NewCode()
		if got, err := ParseCode(c); err != nil || got != c {
			t.Fatalf("ParseCode(%q) = %q, %v", c, got, err)
		}
	}
	for _, bad := range []string{"", "abc", "abcdefg0", "abcdefghi", "abcd/efg", "ABCDEFGH1"} {
		if _, err := ParseCode(bad); err == nil {
			t.Errorf("ParseCode(%q) accepted", bad)
		}
	}
	if Level(0) != 0 || Level(50) != 1 || Level(30000) != len(LevelFloors) {
		t.Error("levels")
	}
	if s := Streak([]string{"2026-06-03", "2026-06-02", "2026-06-01", "2026-05-30"}, "2026-06-03"); s != 3 {
		t.Errorf("streak %d", s)
	}
	if s := Streak([]string{"2026-06-02", "2026-06-01"}, "2026-06-03"); s != 2 {
		t.Errorf("streak up to yesterday %d", s)
	}
	if s := Streak([]string{"2026-06-01"}, "2026-06-03"); s != 0 {
		t.Errorf("broken streak %d", s)
	}
}

func FuzzParseCode(f *testing.F) {
	f.Add("abcdefgh")
	f.Add("ABCDEFGH")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s)
		if err == nil {
			if len(c) != CodeLen {
				t.Fatalf("accepted %q as %q", s, c)
			}
			if again, err := ParseCode(c); err != nil || again != c {
				t.Fatalf("not idempotent: %q", c)
			}
		}
	})
}

// Registrations in the rankings: a full count is stored with the highest officer id it holds,
// and an officer registered after it shows at once; a deletion waits for the next count (the
// page says when that was).
func TestRegistrationsCurrent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 3) // villages 0, 1, 0
		regs := &registry.Store{DB: d, Regions: f.store.Regions}
		f.store.Officers = regs.OfficerCounts
		officers := func(step string, want map[string]int64) {
			t.Helper()
			total, rows, err := f.store.RegionFigures(ctx, "152502001", "2026-06")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{"": total.Officers}
			for _, r := range rows {
				if r.Officers > 0 {
					got[r.Code] = r.Officers
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: registrations %v, want %v", step, got, want)
			}
		}
		if at, err := f.store.RegistrationsCounted(ctx); err != nil || !at.IsZero() {
			t.Fatalf("counted before any count: %v %v", at, err)
		}
		officers("never counted (counted live)", map[string]int64{"": 3, f.units[0]: 2, f.units[1]: 1})
		if err := f.store.RefreshRegistrations(ctx); err != nil {
			t.Fatal(err)
		}
		if at, err := f.store.RegistrationsCounted(ctx); err != nil || !at.Equal(*f.now) {
			t.Errorf("counted at %v (%v), want %v", at, err, *f.now)
		}
		var through int64
		d.QueryRowContext(ctx, `SELECT max(through_id) FROM share_registrations`).Scan(&through)
		if through != f.officers[2] {
			t.Errorf("count holds officers up to %d, want %d", through, f.officers[2])
		}
		officers("counted", map[string]int64{"": 3, f.units[0]: 2, f.units[1]: 1})
		if _, err := regs.Create(ctx, &registry.InformationOfficers, region.NewScope("152502"), 1, registry.Values{"name": "新信息员", "phone": "13700000001", "region_code": f.units[1]}); err != nil {
			t.Fatal(err)
		}
		officers("registered after the count", map[string]int64{"": 4, f.units[0]: 2, f.units[1]: 2})
		// A deregistered (注销) officer is not a registration, as stats' KR11 does not count one.
		if _, err := regs.Create(ctx, &registry.InformationOfficers, region.NewScope("152502"), 1, registry.Values{"name": "已注销信息员", "phone": "13700000002", "region_code": f.units[1], "status": "inactive"}); err != nil {
			t.Fatal(err)
		}
		officers("a deregistered one entered", map[string]int64{"": 4, f.units[0]: 2, f.units[1]: 2})
		if err := regs.Delete(ctx, &registry.InformationOfficers, region.NewScope("152502"), 1, f.officers[0], ""); err != nil {
			t.Fatal(err)
		}
		officers("deleted after the count", map[string]int64{"": 4, f.units[0]: 2, f.units[1]: 2})
		if err := f.store.RefreshRegistrations(ctx); err != nil {
			t.Fatal(err)
		}
		officers("recounted", map[string]int64{"": 3, f.units[0]: 1, f.units[1]: 2})
	})
}
