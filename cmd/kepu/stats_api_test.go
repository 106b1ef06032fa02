package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/stats/assess"
	"github.com/kepu/kepu/internal/stats/forms"
)

// getJSON fetches path and decodes a 200 answer into v; it returns the status.
func (c *client) getJSON(path string, v any) int {
	c.t.Helper()
	status, body := c.get(path)
	if status == http.StatusOK && v != nil {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			c.t.Fatalf("%s: %v\n%.300s", path, err, body)
		}
	}
	return status
}

// The forms API: a banner's form goes through submit, return and accept in the console; the
// list then gives each unit of the caller's subtree with the form's status and review dates,
// and the form gives each line's value, pre-filled figure and source, and the history. 401
// anonymous, 404 outside scope.
func TestStatsFormsAPI(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ts := newTestSite(t, d)
		if _, err := ts.site.Registry.Create(ctx, &registry.Museums, region.NewScope("150000"), 0,
			registry.Values{"name": "锡林浩特市科技馆", "region_code": "152502", "tier": "banner", "floor_area": 3000.0, "exhibits": int64(80)}); err != nil {
			t.Fatal(err)
		}
		banner := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		league := newClient(t, ts.srv.URL).loginAnd("league-152500")
		other := newClient(t, ts.srv.URL).loginAnd("banner-152501")
		admin := newClient(t, ts.srv.URL).loginAnd("admin")

		path := openForm(t, banner, "152502", 2026)
		id := formPath.FindStringSubmatch(path)[1]
		good := map[string]string{"KR00": "9", "KR02": "4", "KR03": "5", "KJ01": "1000", "KJ02": "800", "KC01": "1"}
		if status, body, _ := banner.post(path, path, formValues("submit", good, nil)); status != http.StatusSeeOther {
			t.Fatalf("submit: %d %.300s", status, body)
		}
		if status, _, _ := league.post(path+"/review", path, url.Values{"decision": {"return"}, "reasons": {"经费请核对"}}); status != http.StatusSeeOther {
			t.Fatalf("return: %d", status)
		}

		type list struct {
			Region string               `json:"region"`
			Year   int                  `json:"year"`
			Forms  []forms.FormLineJSON `json:"forms"`
		}
		var l list
		if status := banner.getJSON("/api/v1/stats/forms?year=2026", &l); status != 200 {
			t.Fatalf("list: %d", status)
		}
		byKey := map[string]forms.FormLineJSON{}
		for _, f := range l.Forms {
			byKey[f.UnitKey] = f
			if !strings.HasPrefix(f.Region, "152502") {
				t.Errorf("a banner admin's list holds %s (%s)", f.UnitKey, f.Region)
			}
		}
		own := byKey["152502"]
		if l.Region != "152502" || own.ID == 0 || own.Status != forms.Returned || own.SubmittedAt == "" || own.ReviewedAt == "" || own.Review != "return" || own.Reasons != "经费请核对" {
			t.Errorf("the banner's own form in the list: %+v (region %s)", own, l.Region)
		}
		var museum *forms.FormLineJSON
		for _, f := range l.Forms {
			if f.UnitKind == forms.Venue {
				museum = &f
			}
		}
		if museum == nil || museum.ID != 0 || museum.Status != "none" || museum.UnitName != "锡林浩特市科技馆" {
			t.Errorf("the museum without a form: %+v", museum)
		}
		// Resubmitted and accepted: the dates move on, the reasons go.
		banner.post(path, path, formValues("submit", good, nil))
		if status, _, _ := league.post(path+"/review", path, url.Values{"decision": {"accept"}}); status != http.StatusSeeOther {
			t.Fatalf("accept: %d", status)
		}
		var after list
		banner.getJSON("/api/v1/stats/forms?year=2026&region=152502", &after)
		for _, f := range after.Forms {
			if f.UnitKey == "152502" && (f.Status != forms.Accepted || f.Review != "accept" || f.Reasons != "" || f.ReviewedAt < f.SubmittedAt) {
				t.Errorf("after acceptance: %+v", f)
			}
		}
		// The region admin's list reaches the other banners; another banner's does not hold this one.
		var all list
		admin.getJSON("/api/v1/stats/forms?year=2026&region=152500", &all)
		seen := map[string]bool{}
		for _, f := range all.Forms {
			seen[f.UnitKey] = true
		}
		if !seen["152502"] || !seen["152501"] || !seen["152500"] || seen["150000"] {
			t.Errorf("league list for the region admin: %d units", len(all.Forms))
		}
		var ol list
		other.getJSON("/api/v1/stats/forms?year=2026", &ol)
		for _, f := range ol.Forms {
			if f.UnitKey == "152502" || !strings.HasPrefix(f.Region, "152501") {
				t.Errorf("banner 152501 lists %s", f.UnitKey)
			}
		}

		var f forms.FormJSON
		if status := banner.getJSON("/api/v1/stats/forms/"+id, &f); status != 200 {
			t.Fatalf("form: %d", status)
		}
		lines := map[string]forms.FieldJSON{}
		for _, fl := range f.Fields {
			lines[fl.Code] = fl
		}
		if len(f.Fields) != len(forms.Fields()) {
			t.Errorf("%d lines, the layout has %d", len(f.Fields), len(forms.Fields()))
		}
		// KC01 (science museums) came from the records: the museum recorded at the banner itself.
		if kc := lines["KC01"]; kc.Value == nil || *kc.Value != 1 || kc.Prefill == nil || *kc.Prefill != 1 || kc.Source != "records" || kc.Section != "venues" {
			t.Errorf("KC01: %+v", kc)
		}
		if kr := lines["KR00"]; kr.Value == nil || *kr.Value != 9 || kr.Prefill != nil || kr.Source != "hand" || kr.Label != "科普人员合计" {
			t.Errorf("KR00: %+v", kr)
		}
		if km := lines["KM12"]; km.Value != nil || km.Source != "" {
			t.Errorf("blank KM12: %+v", km)
		}
		var actions []string
		for _, e := range f.History {
			actions = append(actions, e.Action)
			if e.Action == "return" && (!strings.Contains(e.By, "league-152500") || e.Reasons != "经费请核对") {
				t.Errorf("return step: %+v", e)
			}
		}
		if strings.Join(actions, ",") != "open,save,submit,return,save,submit,accept" || f.Status != forms.Accepted || f.Review != "accept" {
			t.Errorf("history %v, status %s", actions, f.Status)
		}

		for _, c := range []struct {
			who    *client
			path   string
			status int
		}{
			{newClient(t, ts.srv.URL), "/api/v1/stats/forms?year=2026", http.StatusUnauthorized},
			{newClient(t, ts.srv.URL), "/api/v1/stats/forms/" + id, http.StatusUnauthorized},
			{other, "/api/v1/stats/forms/" + id, http.StatusNotFound},
			{banner, "/api/v1/stats/forms?year=2026&region=152501", http.StatusNotFound},
			{banner, "/api/v1/stats/forms?year=2026&region=150000", http.StatusNotFound},
			{banner, "/api/v1/stats/forms?year=20x6", http.StatusBadRequest},
			{banner, "/api/v1/stats/forms/999999", http.StatusNotFound},
			{league, "/api/v1/stats/forms/" + id, http.StatusOK},
		} {
			if status, body := c.who.get(c.path); status != c.status {
				t.Errorf("%s: %d, want %d (%.200s)", c.path, status, c.status, body)
			}
		}
	})
}

// The assessment API: a league's banner system scored for the league admin holds every banner
// of the league, ranked, each part's raw value the indicator registry's and the score the sum
// of the contributions; a banner admin gets its banner alone (rank 1 among itself); a system
// rooted elsewhere is 404 to it; anonymous is 401.
func TestStatsAssessAPI(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		dashDemo(t, d)
		ts := newTestSite(t, d)
		league := newClient(t, ts.srv.URL).loginAnd("league-152500")
		banner := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		admin := newClient(t, ts.srv.URL).loginAnd("admin")
		create := func(c *client, v url.Values) string {
			t.Helper()
			status, body, hdr := c.post("/console/stats/assess", "/console/stats/assess/new", v)
			if status != http.StatusSeeOther {
				t.Fatalf("create: %d %.300s", status, body)
			}
			return regexp.MustCompile(`\d+$`).FindString(hdr.Get("Location"))
		}
		sys := assessForm("旗县考核", "banner", "152500")
		sys.Set("min_0", "1") // at least one session
		id := create(league, sys)
		elsewhere := create(admin, assessForm("呼伦贝尔旗县考核", "banner", "150700"))

		var s assess.ScoresJSON
		if status := league.getJSON("/api/v1/stats/assess/"+id+"/scores", &s); status != 200 {
			t.Fatalf("scores: %d", status)
		}
		banners, err := ts.site.Regions.Children(context.Background(), "152500")
		if err != nil {
			t.Fatal(err)
		}
		if s.Level != "banner" || s.Root != "152500" || len(s.Items) != 2 || s.Items[0].Code != "KH02" || s.Items[0].Weight != 60 || s.Items[0].Minimum == nil || *s.Items[0].Minimum != 1 {
			t.Errorf("system: %+v", s)
		}
		if len(s.Scores) != len(banners) {
			t.Fatalf("%d banners scored, the league has %d", len(s.Scores), len(banners))
		}
		prevRank, ranked := 0, 0
		for i, x := range s.Scores {
			if !strings.HasPrefix(x.Key, "1525") || len(x.Parts) != 2 {
				t.Errorf("row %d: %+v", i, x)
				continue
			}
			var sum float64
			for _, p := range x.Parts {
				sum += p.Contribution
				if math.Abs(p.Contribution-p.Normalized*p.Weight/100) > 1e-9 {
					t.Errorf("%s %s: contribution %v of normalized %v at weight %v", x.Key, p.Code, p.Contribution, p.Normalized, p.Weight)
				}
			}
			if math.Abs(sum-x.Score) > 1e-9 {
				t.Errorf("%s: score %v, parts add to %v", x.Key, x.Score, sum)
			}
			kh := x.Parts[0]
			v, err := ts.site.Stats.Value(context.Background(), "KH02", stats.Query{Unit: x.Key, Year: 2026, Scope: region.NewScope("150000")})
			if err != nil {
				t.Fatal(err)
			}
			if kh.Raw == nil || *kh.Raw != v.Value || !strings.Contains(kh.Records, "/console/activities?") {
				t.Errorf("%s KH02: raw %v records %q, the registry's %v", x.Key, kh.Raw, kh.Records, v.Value)
			}
			if kh.ThresholdMet != (v.Value >= 1) || x.Qualified != kh.ThresholdMet {
				t.Errorf("%s: %v sessions, threshold met %v, qualified %v", x.Key, v.Value, kh.ThresholdMet, x.Qualified)
			}
			if x.Qualified {
				ranked++
				if x.Rank < prevRank || x.Rank < 1 {
					t.Errorf("%s: rank %d after %d", x.Key, x.Rank, prevRank)
				}
				prevRank = x.Rank
			} else if x.Rank != 0 {
				t.Errorf("%s below the threshold has rank %d", x.Key, x.Rank)
			}
		}
		if ranked == 0 || s.Scores[0].Rank != 1 || s.Scores[0].Score <= 0 {
			t.Errorf("nothing ranked: %+v", s.Scores[0])
		}

		var b assess.ScoresJSON
		if status := banner.getJSON("/api/v1/stats/assess/"+id+"/scores", &b); status != 200 {
			t.Fatalf("banner scores: %d", status)
		}
		if len(b.Scores) != 1 || b.Scores[0].Key != "152502" || (b.Scores[0].Qualified && b.Scores[0].Rank != 1) {
			t.Errorf("the banner admin's scores: %+v", b.Scores)
		}
		for _, c := range []struct {
			who    *client
			path   string
			status int
		}{
			{newClient(t, ts.srv.URL), "/api/v1/stats/assess/" + id + "/scores", http.StatusUnauthorized},
			{banner, "/api/v1/stats/assess/" + elsewhere + "/scores", http.StatusNotFound},
			{league, "/api/v1/stats/assess/" + elsewhere + "/scores", http.StatusNotFound},
			{banner, "/api/v1/stats/assess/999999/scores", http.StatusNotFound},
			{banner, "/api/v1/stats/assess/x/scores", http.StatusNotFound},
			{admin, "/api/v1/stats/assess/" + elsewhere + "/scores", http.StatusOK},
		} {
			if status, body := c.who.get(c.path); status != c.status {
				t.Errorf("%s: %d, want %d (%.200s)", c.path, status, c.status, body)
			}
		}
	})
}

// A form's pre-filled figures drill down to the unit's own records: the banner's government
// grant line was pre-filled from the funds entries booked to the banner itself (not its
// township's), and its link lists exactly those; a venue's lines link to its registry record.
// The page and the API give the same links.
func TestStatsFormsRecords(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ts := newTestSite(t, d)
		museum, err := ts.site.Registry.Create(ctx, &registry.Museums, region.NewScope("150000"), 0,
			registry.Values{"name": "锡林浩特市科技馆", "region_code": "152502", "tier": "banner", "floor_area": 3000.0, "exhibits": int64(80)})
		if err != nil {
			t.Fatal(err)
		}
		banner := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		for _, e := range []url.Values{
			{"region": {"152502"}, "category": {"government"}, "amount": {"1200"}, "booked_on": {"2026-03-01"}, "note": {"本级拨款"}},
			{"region": {"152502001"}, "category": {"government"}, "amount": {"500"}, "booked_on": {"2026-04-01"}, "note": {"街道拨款"}},
		} {
			if status, body, _ := banner.post("/console/funds", "/console/funds", e); status != http.StatusSeeOther {
				t.Fatalf("funds entry: %d %.300s", status, body)
			}
		}
		path := openForm(t, banner, "152502", 2026)
		id := formPath.FindStringSubmatch(path)[1]
		var f forms.FormJSON
		if status := banner.getJSON("/api/v1/stats/forms/"+id, &f); status != 200 {
			t.Fatalf("form: %d", status)
		}
		lines := map[string]forms.FieldJSON{}
		for _, fl := range f.Fields {
			lines[fl.Code] = fl
		}
		kj := lines["KJ02"]
		if kj.Prefill == nil || *kj.Prefill != 1200 || !strings.HasPrefix(kj.Records, "/console/funds?") {
			t.Fatalf("KJ02 (government grants): %+v", kj)
		}
		if lines["KR00"].Records != "" || lines["KC01"].Records != "" {
			t.Errorf("links without an own list: KR00 %q, KC01 %q", lines["KR00"].Records, lines["KC01"].Records)
		}
		_, page := banner.get(path)
		if !strings.Contains(page, `<a href="`+strings.ReplaceAll(kj.Records, "&", "&amp;")+`">1,200</a>`) {
			t.Errorf("the form page does not link the pre-filled 1,200 to %s", kj.Records)
		}
		status, list := banner.get(kj.Records)
		if status != 200 || !strings.Contains(list, "本级拨款") || strings.Contains(list, "街道拨款") {
			t.Errorf("the grants' records (%s): %d, own entry listed %v, township's listed %v", kj.Records, status, strings.Contains(list, "本级拨款"), strings.Contains(list, "街道拨款"))
		}

		vpath := openForm(t, banner, fmt.Sprintf("museums-%d", museum), 2026)
		var vf forms.FormJSON
		banner.getJSON("/api/v1/stats/forms/"+formPath.FindStringSubmatch(vpath)[1], &vf)
		rec := fmt.Sprintf("/console/registry/museums/%d", museum)
		for _, fl := range vf.Fields {
			if (fl.Prefill != nil) != (fl.Records == rec) {
				t.Errorf("venue line %s: pre-filled %v, records %q", fl.Code, fl.Prefill, fl.Records)
			}
		}
		if status, body := banner.get(rec); status != 200 || !strings.Contains(body, "锡林浩特市科技馆") {
			t.Errorf("the venue's record: %d", status)
		}
	})
}

// BenchmarkStatsAPI serves the statistics API on the demo network at the seed's scale (SQLite,
// and PostgreSQL with KEPU_TEST_POSTGRES) as the region admin:
//
//   - forms-list: GET /api/v1/stats/forms for the whole region, every association and museum
//     listed, each of the 1,322 associations with an accepted form and its submit and review
//     steps;
//
//   - form-records-region, form-records-banner: the drill-down links of an association's form
//     page (forms.RecordsFrom: the own records of every pre-filled line), the cost the form page
//     and GET /api/v1/stats/forms/{id} add to show them.
//
//     go test -run xxx -bench StatsAPI -benchtime 10x ./cmd/kepu/
func BenchmarkStatsAPI(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		ts, c := benchSite(b, d)
		ctx := context.Background()
		fs := &forms.Store{DB: d, Regions: ts.site.Regions, Registry: ts.site.Registry}
		units, err := fs.Units(ctx, region.NewScope("150000"), "")
		if err != nil {
			b.Fatal(err)
		}
		figs := `{"KR00":10,"KR02":4,"KR03":6,"KJ01":100000,"KJ02":80000,"KH02":12,"KH03":3400}`
		now := time.Now().UTC()
		var rows [][]any
		for _, u := range units {
			if u.Kind == forms.Association {
				rows = append(rows, []any{u.Key, u.Kind, u.Name, u.Region, 2026, forms.Accepted, figs, now, now})
			}
		}
		if err := db.BulkInsert(ctx, d, d.Dialect, "stat_forms", []string{"unit_key", "unit_kind", "unit_name", "region_code", "year", "status", "figures", "created_at", "updated_at"}, rows, ""); err != nil {
			b.Fatal(err)
		}
		for _, action := range []string{"open", "submit", "accept"} {
			if _, err := d.ExecContext(ctx, `INSERT INTO stat_form_events (form_id, at, action, reasons) SELECT id, updated_at, $1, '' FROM stat_forms`, action); err != nil {
				b.Fatal(err)
			}
		}
		b.Run("forms-list", func(b *testing.B) {
			for b.Loop() {
				if status, body := c.get("/api/v1/stats/forms?year=2026&region=150000"); status != 200 || !strings.Contains(body, `"review":"accept"`) {
					b.Fatalf("%d %.200s", status, body)
				}
			}
			b.ReportMetric(float64(len(units)), "units")
		})
		var codes []string
		for _, f := range forms.Fields() {
			if f.Indicator != "" {
				codes = append(codes, f.Indicator)
			}
		}
		records := forms.RecordsFrom(ts.site.Stats)
		for _, u := range []struct{ name, code string }{{"form-records-region", "150000"}, {"form-records-banner", "152502"}} {
			b.Run(u.name, func(b *testing.B) {
				for b.Loop() {
					if links, err := records(ctx, u.code, 2026, codes); err != nil || len(links) == 0 {
						b.Fatalf("%v %v", links, err)
					}
				}
			})
		}
	})
}
