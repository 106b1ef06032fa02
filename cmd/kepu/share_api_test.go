package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share"
	"github.com/kepu/kepu/internal/share/click"
)

// The sharing API gives staff the rankings page's figures and top officers of a unit in their
// scope: counted clicks, clicks not counted by reason, actives with what review set aside apart,
// registrations, the national platform's figures apart; 401 without sign-in, 404 outside the
// scope, 400 for a bad month, order or limit.
func TestShareAPI(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ts := newTestSite(t, d)
		item := publishedItem(t, ts)
		month := currentMonth()
		st := &share.Store{DB: d, Regions: ts.site.Regions}
		rec := &share.Recorder{DB: d}
		defer rec.Close(ctx)
		var officers []int64
		var links []share.Link
		for i, o := range []struct{ name, unit string }{{"其其格", "152502001001"}, {"乌云", "152502001002"}, {"巴特尔", "152501"}} {
			id, err := ts.site.Registry.Create(ctx, &registry.InformationOfficers, region.NewScope("150000"), 0,
				registry.Values{"name": o.name, "phone": fmt.Sprintf("1380000000%d", i), "region_code": o.unit})
			if err != nil {
				t.Fatal(err)
			}
			l, _, err := st.TakeLink(ctx, id, o.unit, item)
			if err != nil {
				t.Fatal(err)
			}
			officers, links = append(officers, id), append(links, l)
		}
		for _, c := range []struct {
			link int
			ua   string
			addr string
		}{{0, "Mozilla/5.0 (Linux; Android 12) Mobile MicroMessenger/8.0", "112.1.1.1"}, {0, "Mozilla/5.0 (iPhone) Mobile MicroMessenger/8.0", "112.1.1.2"},
			{0, "curl/8.5.0", "112.1.1.3"}, {1, "Mozilla/5.0 (Linux; Android 13) Mobile QQ/9.0", "112.1.1.4"}} {
			if _, err := rec.Record(ctx, links[c.link], click.Request{Method: "GET", UserAgent: c.ua, Addr: netip.MustParseAddr(c.addr)}, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.ExecContext(ctx, `INSERT INTO share_national (region_code, month, officers, shares, clicks, imported_at) VALUES ('152502001001', $1, 5, 10, 30, $2)`, month, time.Now()); err != nil {
			t.Fatal(err)
		}
		staff := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		type rankings struct {
			Region, Month, By string
			Counted           *time.Time `json:"registrations_counted_at"`
			Total             share.APIUnit
			Units             []share.APIUnit
		}
		getJSON := func(c *client, path string, want int, v any) {
			t.Helper()
			status, body := c.get(path)
			if status != want {
				t.Fatalf("%s: %d, want %d: %s", path, status, want, body)
			}
			if v != nil {
				if err := json.Unmarshal([]byte(body), v); err != nil {
					t.Fatalf("%s: %v: %s", path, err, body)
				}
			}
		}
		unit := func(r rankings, code string) share.APIUnit {
			for _, u := range r.Units {
				if u.Code == code {
					return u
				}
			}
			t.Fatalf("unit %s missing from %+v", code, r.Units)
			return share.APIUnit{}
		}
		var r rankings
		getJSON(staff, "/api/v1/share/rankings?region=152502001&month="+month, 200, &r)
		v1, v2 := unit(r, "152502001001"), unit(r, "152502001002")
		if r.By != "clicks" || r.Units[0].Code != "152502001001" || r.Counted == nil || r.Total.CountedClicks != 3 || r.Total.Actives != 2 || r.Total.Registrations != 2 {
			t.Errorf("rankings: by %s, first %s, counted at %v, total %+v", r.By, r.Units[0].Code, r.Counted, r.Total)
		}
		if v1.CountedClicks != 2 || v1.Flagged["bot"] != 1 || v1.FlaggedTotal != 1 || v1.Actives != 1 || v1.Registrations != 1 || v1.Shares != 1 {
			t.Errorf("village 1: %+v", v1)
		}
		if v1.National == nil || *v1.National != (share.APINational{Officers: 5, Shares: 10, Clicks: 30}) || v2.National != nil || v2.CountedClicks != 1 {
			t.Errorf("national figures apart: %+v / %+v", v1, v2)
		}
		type officersOut struct {
			Region, Month string
			Officers      []share.APIOfficer
		}
		var o officersOut
		getJSON(staff, "/api/v1/share/officers?region=152502&month="+month, 200, &o)
		if len(o.Officers) != 2 || o.Officers[0].Officer != officers[0] || o.Officers[0].Name != "其其格" || o.Officers[0].Points != share.Points(1, 2, 0) ||
			o.Officers[0].Rank != 1 || o.Officers[1].Officer != officers[1] {
			t.Errorf("top officers of 152502: %+v", o.Officers)
		}
		// Review confirms officer 0's month: set aside in clicks, actives and the list, apart.
		var caseID int64
		if err := d.QueryRowContext(ctx, `INSERT INTO share_cases (kind, officer_id, region_code, month, evidence, status, found_at) VALUES ('burst', $1, '152502001001', $2, 'test', 'open', $3) RETURNING id`,
			officers[0], month, time.Now()).Scan(&caseID); err != nil {
			t.Fatal(err)
		}
		if err := st.Decide(ctx, region.NewScope("152502"), caseID, "confirm", "脚本点击", 0); err != nil {
			t.Fatal(err)
		}
		getJSON(staff, "/api/v1/share/rankings?region=152502001&by=actives&month="+month, 200, &r)
		if v1 = unit(r, "152502001001"); v1.CountedClicks != 0 || v1.HeldClicks != 2 || v1.Actives != 0 || v1.HeldActives != 1 || r.Units[0].Code != "152502001002" || r.By != "actives" {
			t.Errorf("after confirming: first %s, village 1 %+v", r.Units[0].Code, v1)
		}
		getJSON(staff, "/api/v1/share/officers?region=152502&month="+month, 200, &o)
		if len(o.Officers) != 1 || o.Officers[0].Officer != officers[1] {
			t.Errorf("top officers after confirming: %+v", o.Officers)
		}
		// The console pages show the same, the set-aside figures apart.
		if _, body := staff.get("/console/share/rankings?region=152502001&month=" + month); !strings.Contains(body, "<td>0 <small class=\"muted\">另搁置 1</small></td><td>0 <small class=\"muted\">另搁置 2</small></td>") {
			t.Errorf("rankings page lacks village 1's actives and clicks set aside apart")
		}
		if _, body := staff.get("/console/share?region=152502001&month=" + month); !strings.Contains(body, "2 次点击 · 1 名月活跃") {
			t.Errorf("report page lacks what review set aside")
		}
		if err := st.Decide(ctx, region.NewScope("152502"), caseID, "reopen", "复核有误", 0); err != nil {
			t.Fatal(err)
		}
		getJSON(staff, "/api/v1/share/rankings?region=152502001&month="+month, 200, &r)
		if v1 = unit(r, "152502001001"); v1.CountedClicks != 2 || v1.HeldClicks != 0 || v1.Actives != 1 || v1.HeldActives != 0 {
			t.Errorf("after reopening: %+v", v1)
		}
		// Scope, sign-in and bad input.
		getJSON(staff, "/api/v1/share/rankings?region=152501&month="+month, http.StatusNotFound, nil)
		getJSON(staff, "/api/v1/share/officers?region=152501&month="+month, http.StatusNotFound, nil)
		getJSON(staff, "/api/v1/share/rankings?region=152502999&month="+month, http.StatusNotFound, nil)
		getJSON(newClient(t, ts.srv.URL), "/api/v1/share/rankings?region=152502", http.StatusUnauthorized, nil)
		getJSON(newClient(t, ts.srv.URL), "/api/v1/share/officers?region=152502", http.StatusUnauthorized, nil)
		var e struct{ Error struct{ Message string } }
		getJSON(staff, "/api/v1/share/rankings?region=152502&month=2026-13", http.StatusBadRequest, &e)
		if e.Error.Message == "" {
			t.Error("a bad month gets no message")
		}
		// The console pages refuse a bad month too, saying what was wrong (they showed this month).
		if status, body := staff.get("/console/share/rankings?region=152502&month=2026-13"); status != http.StatusBadRequest || !strings.Contains(body, "2026-13") {
			t.Errorf("rankings page with a bad month: %d", status)
		}
		getJSON(staff, "/api/v1/share/rankings?region=152502&by=popularity", http.StatusBadRequest, nil)
		getJSON(staff, "/api/v1/share/officers?region=152502&limit=0", http.StatusBadRequest, nil)
		other := newClient(t, ts.srv.URL).loginAnd("banner-152501")
		getJSON(other, "/api/v1/share/officers?region=152501&month="+month, 200, &o)
		if len(o.Officers) != 1 || o.Officers[0].Officer != officers[2] || o.Officers[0].Name != "巴特尔" {
			t.Errorf("top officers of 152501: %+v", o.Officers)
		}
	})
}
