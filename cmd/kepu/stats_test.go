package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
)

type indicatorsJSON struct {
	Region     string                `json:"region"`
	Year       int                   `json:"year"`
	Indicators []stats.IndicatorJSON `json:"indicators"`
}

func (c *client) indicators(path string) (int, indicatorsJSON) {
	c.t.Helper()
	status, body := c.get(path)
	var out indicatorsJSON
	if status == 200 {
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			c.t.Fatalf("%s: %v", path, err)
		}
	}
	return status, out
}

// The funds ledger console: entries go in through the CSRF-protected form, appear in the list
// and the KJ indicators; bad input comes back with every problem; scope holds.
func TestStatsFundsLedger(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := newClient(t, ts.srv.URL)
		c.login("banner-152502", pw)
		if status, body := c.get("/console/funds"); status != 200 || !strings.Contains(body, "科普经费台账") || !strings.Contains(body, `value="152502"`) {
			t.Fatalf("funds page: %d", status)
		}
		// Without the CSRF token: refused.
		if status, _, _ := c.post("/console/funds", "", url.Values{"region": {"152502"}, "category": {"government"}, "amount": {"100"}, "booked_on": {"2026-03-01"}}); status != http.StatusForbidden {
			t.Errorf("post without CSRF: %d", status)
		}
		status, body, _ := c.post("/console/funds", "/console/funds", url.Values{"region": {"152501"}, "category": {"gift"}, "amount": {"12.345"}, "booked_on": {"2026/03/01"}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("bad entry: %d", status)
		}
		for _, msg := range []string{"该单位不在您的管辖范围内", "请选择收支类别", "金额应为元，最多两位小数", "日期格式应为 2006-01-02"} {
			if !strings.Contains(body, msg) {
				t.Errorf("bad entry page lacks %q", msg)
			}
		}
		for _, e := range []url.Values{
			{"region": {"152502"}, "category": {"government"}, "amount": {"1,200.50"}, "booked_on": {"2026-03-01"}, "note": {"一季度拨款"}},
			{"region": {"152502001"}, "category": {"activities"}, "amount": {"300"}, "booked_on": {"2026-09-20"}},
		} {
			if status, body, hdr := c.post("/console/funds", "/console/funds", e); status != http.StatusSeeOther {
				t.Fatalf("entry: %d %s", status, body)
			} else if hdr.Get("Location") != "/console/funds?region="+e.Get("region") {
				t.Errorf("redirect to %s", hdr.Get("Location"))
			}
		}
		if _, body := c.get("/console/funds?region=152502"); !strings.Contains(body, "1200.50") || !strings.Contains(body, "一季度拨款") || !strings.Contains(body, "收入 1200.50 元，支出 300.00 元") {
			t.Error("the list does not show the entries and totals")
		}
		_, got := c.indicators("/api/v1/indicators?region=152502&year=2026&codes=KJ01,KJ02,KJ11,KJ12,KJ_spending_share")
		want := map[string]float64{"KJ01": 1200.5, "KJ02": 1200.5, "KJ11": 300, "KJ12": 300, "KJ_spending_share": 24.9896}
		for _, v := range got.Indicators {
			if v.Value != want[v.Code] {
				t.Errorf("%s = %v, want %v", v.Code, v.Value, want[v.Code])
			}
		}
		if len(got.Indicators) != len(want) || got.Indicators[0].Exact != 120050 || !strings.HasPrefix(got.Indicators[0].Records, "/console/funds?") {
			t.Errorf("KJ01: %+v", got.Indicators)
		}
		// The drill-down link lists exactly the entries behind the figure.
		if status, body := c.get(got.Indicators[3].Records); status != 200 || !strings.Contains(body, "300.00") || strings.Contains(body, "1200.50") {
			t.Errorf("KJ12 records page: %d", status)
		}
		// Another banner's admin sees none of it and can not delete it.
		c2 := newClient(t, ts.srv.URL)
		c2.login("banner-152501", pw)
		if _, body := c2.get("/console/funds"); strings.Contains(body, "1200.50") {
			t.Error("a sibling banner sees the entries")
		}
		if status, _ := c2.get("/console/funds?region=152502"); status != http.StatusForbidden {
			t.Errorf("sibling's list: %d", status)
		}
		list, err := ts.site.Stats.Funds.List(context.Background(), stats.FundFilter{Scope: region.NewScope("152502")})
		if err != nil || len(list) != 2 {
			t.Fatalf("list: %v %v", list, err)
		}
		id := list[0].ID
		if status, _, _ := c2.post("/console/funds/"+itoa(id)+"/delete", "/console/funds", url.Values{}); status != http.StatusNotFound {
			t.Errorf("sibling delete: %d", status)
		}
		if status, _, _ := c.post("/console/funds/"+itoa(id)+"/delete", "/console/funds", url.Values{}); status != http.StatusSeeOther {
			t.Errorf("delete: %d", status)
		}
		if list, _ := ts.site.Stats.Funds.List(context.Background(), stats.FundFilter{Scope: region.NewScope("152502")}); len(list) != 1 {
			t.Errorf("after delete: %d entries", len(list))
		}
	})
}

// GET /api/v1/indicators: JSON and CSV, staff within scope with record links, the public only
// the province's totals without links, clear errors.
func TestStatsIndicatorsAPI(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		anon := newClient(t, ts.srv.URL)
		status, got := anon.indicators("/api/v1/indicators?year=2026")
		if status != 200 || got.Region != "150000" || len(got.Indicators) != len(ts.site.Stats.All()) {
			t.Fatalf("public: %d %s %d", status, got.Region, len(got.Indicators))
		}
		for _, v := range got.Indicators {
			if v.Records != "" {
				t.Errorf("public %s carries a records link", v.Code)
			}
		}
		for path, want := range map[string]int{
			"/api/v1/indicators?region=152502&year=2026":   http.StatusUnauthorized,
			"/api/v1/indicators?year=2026&children=1":      http.StatusUnauthorized,
			"/api/v1/indicators?year=twenty":               http.StatusBadRequest,
			"/api/v1/indicators?year=2026&month=13":        http.StatusBadRequest,
			"/api/v1/indicators?year=2026&codes=KC01,NOPE": http.StatusBadRequest,
		} {
			if status, _ := anon.get(path); status != want {
				t.Errorf("public %s: %d, want %d", path, status, want)
			}
		}
		c := newClient(t, ts.srv.URL)
		c.login("banner-152502", pw)
		if status, _ := c.get("/api/v1/indicators?region=152501&year=2026"); status != http.StatusNotFound {
			t.Errorf("sibling banner: %d", status)
		}
		if status, body := c.get("/api/v1/indicators?year=2026&codes=KH02,ZZ99"); status != http.StatusBadRequest || !strings.Contains(body, "ZZ99") {
			t.Errorf("an undefined code: %d %s (want 400 naming ZZ99)", status, body)
		}
		status, got = c.indicators("/api/v1/indicators?year=2026&month=9&codes=KH02,KC01")
		if status != 200 || got.Region != "152502" || len(got.Indicators) != 2 || got.Indicators[0].Month != 9 || got.Indicators[0].Records == "" || got.Indicators[0].RegionName != "锡林浩特市" {
			t.Fatalf("staff: %d %+v", status, got)
		}
		status, got = c.indicators("/api/v1/indicators?year=2026&codes=KH02&children=1")
		if status != 200 || len(got.Indicators) == 0 || got.Indicators[0].RegionName == "" {
			t.Fatalf("children: %d %+v", status, got)
		}
		for _, v := range got.Indicators {
			if !strings.HasPrefix(v.Region, "152502") || len(v.Region) != 9 {
				t.Errorf("child %s", v.Region)
			}
		}
		// CSV by format= and by Accept.
		status, body := c.get("/api/v1/indicators?year=2026&codes=KC01,KJ01&format=csv")
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if status != 200 || err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(stats.CSVHeader, ",") || rows[1][0] != "KC01" || rows[2][5] != "sum" {
			t.Fatalf("csv: %d %v %q", status, err, body)
		}
		req, _ := http.NewRequest("GET", ts.srv.URL+"/api/v1/indicators?year=2026&codes=KC01", nil)
		req.Header.Set("Accept", "text/csv")
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("Accept: text/csv gave %s", resp.Header.Get("Content-Type"))
		}
	})
}

func itoa(n int64) string { return jsonInt(n) }

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
