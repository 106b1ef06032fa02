package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share"
)

// publishedItem creates and publishes an item of banner 152502 through the console.
func publishedItem(t *testing.T, ts *testSite) int64 {
	t.Helper()
	editor := newClient(t, ts.srv.URL).loginAnd("banner-152502")
	id := createContent(t, editor, contentForm())
	console := fmt.Sprintf("/console/content/%d", id)
	if status, _, _ := editor.post(console+"/submit", console, url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("submit: %d", status)
	}
	reviewer := newClient(t, ts.srv.URL).loginAnd("league-152500")
	if status, body, _ := reviewer.post(console+"/publish", console, url.Values{"note": {"同意"}}); status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", status, body)
	}
	return id
}

var (
	issuedCode = regexp.MustCompile(`<strong class="share-code">([a-z0-9]+)</strong>`)
	linkPath   = regexp.MustCompile(`^/share/links/([a-z0-9]{8})$`)
)

// An officer gets a sign-in code from their banner, signs in, takes a link and shares it; the
// public's clicks redirect to the item and are counted, the officer's own and a HEAD are not,
// and the console shows both side by side.
func TestShareLinksEndToEnd(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ts := newTestSite(t, d)
		item := publishedItem(t, ts)
		officer, err := ts.site.Registry.Create(ctx, &registry.InformationOfficers, region.NewScope("150000"), 0,
			registry.Values{"name": "其其格", "phone": "13800000001", "region_code": "152502001001"})
		if err != nil {
			t.Fatal(err)
		}
		staff := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		other := newClient(t, ts.srv.URL).loginAnd("banner-152501")
		if status, body, _ := other.post("/console/share/codes", "/console/share", url.Values{"officer": {fmt.Sprint(officer)}}); status != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "不在您的管辖范围内") {
			t.Errorf("another banner issues a code: %d", status)
		}
		status, body, _ := staff.post("/console/share/codes", "/console/share", url.Values{"officer": {fmt.Sprint(officer)}})
		m := issuedCode.FindStringSubmatch(body)
		if status != http.StatusOK || m == nil {
			t.Fatalf("issue code: %d %.300s", status, body)
		}
		code := m[1]

		off := newClient(t, ts.srv.URL)
		if status, body := off.get("/share"); status != 200 || !strings.Contains(body, `action="/share/signin"`) {
			t.Fatalf("sign-in page: %d", status)
		}
		if status, body, _ := off.post("/share/signin", "/share", url.Values{"officer": {fmt.Sprint(officer)}, "code": {"wrongcode12"}}); status != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "登录码不对") {
			t.Errorf("wrong code: %d", status)
		}
		if status, _, _ := off.post("/share/signin", "/share", url.Values{"officer": {fmt.Sprint(officer)}, "code": {code}}); status != http.StatusSeeOther {
			t.Fatalf("sign in: %d", status)
		}
		// Guessing codes: after 10 failures the number is refused for a while, right code or not.
		guesser := newClient(t, ts.srv.URL)
		for range 10 {
			guesser.post("/share/signin", "/share", url.Values{"officer": {"999999"}, "code": {"guess"}})
		}
		if status, body, _ := guesser.post("/share/signin", "/share", url.Values{"officer": {"999999"}, "code": {"guess"}}); status != http.StatusTooManyRequests ||
			!strings.Contains(body, "登录失败次数过多") {
			t.Errorf("11th guess: %d", status)
		}
		status, body = off.get("/share")
		if status != 200 || !strings.Contains(body, "草原防火知识") || !strings.Contains(body, `action="/share/links"`) {
			t.Fatalf("officer page: %d %.300s", status, body)
		}
		status, _, hdr := off.post("/share/links", "/share", url.Values{"item": {fmt.Sprint(item)}})
		lm := linkPath.FindStringSubmatch(hdr.Get("Location"))
		if status != http.StatusSeeOther || lm == nil {
			t.Fatalf("take link: %d %v", status, hdr)
		}
		link := lm[1]
		if status, body := off.get("/share/links/" + link); status != 200 || !strings.Contains(body, "/s/"+link) || !strings.Contains(body, "<svg") {
			t.Errorf("link page: %d", status)
		}
		if status, _ := newClient(t, ts.srv.URL).get("/share/links/" + link); status != http.StatusUnauthorized {
			t.Errorf("link page signed out: %d", status)
		}

		// The public: two people (different User-Agents), one of them twice; a HEAD; the officer.
		visit := func(method, ua string, c *client) *http.Response {
			req, _ := http.NewRequest(method, ts.srv.URL+"/s/"+link, nil)
			req.Header.Set("User-Agent", ua)
			resp, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		anon := newClient(t, ts.srv.URL)
		for _, ua := range []string{"Mozilla/5.0 (iPhone) MicroMessenger/8.0", "Mozilla/5.0 (iPhone) MicroMessenger/8.0", "Mozilla/5.0 (Android 12) Mobile"} {
			resp := visit("GET", ua, anon)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != fmt.Sprintf("/content/%d", item) {
				t.Fatalf("GET /s/%s: %d %s", link, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		visit("HEAD", "Mozilla/5.0 (Android 12) Mobile", anon)
		visit("GET", "Mozilla/5.0 (X11) Firefox", off) // signed in as the link's officer
		if status, _ := anon.get("/s/zzzzzzzz"); status != http.StatusNotFound {
			t.Errorf("unknown code: %d", status)
		}
		if status, _ := anon.get("/s/bad"); status != http.StatusNotFound {
			t.Errorf("bad code: %d", status)
		}

		status, body = staff.get("/console/share?region=152502001&month=" + currentMonth())
		if status != 200 {
			t.Fatalf("report: %d", status)
		}
		// The village row: 1 share, 2 counted, then head 1, unfurl 0, bot 0, datacentre 0, self 1, repeat 1.
		row := regexp.MustCompile(`152502001001</small></td><td>1</td><td>2</td><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td><td>1</td><td>1</td>`)
		if !row.MatchString(body) {
			t.Errorf("report lacks the village's counted and flagged clicks: %s", body[strings.Index(body, "<tbody>"):])
		}
		if status, _ := other.get("/console/share?region=152502001"); status != http.StatusNotFound {
			t.Errorf("another banner reads the township: %d", status)
		}
		status, body = staff.get("/console/share/rankings?region=152502&by=clicks&month=" + currentMonth())
		if status != 200 || !strings.Contains(body, fmt.Sprintf("<td>%d 其其格</td>", officer)) {
			t.Errorf("rankings lack the officer and name: %d", status)
		}
		if status, body := anon.get("/share/metrics"); status != 200 || !strings.Contains(body, `share_clicks_total{reason="counted"} 2`) || !strings.Contains(body, `share_clicks_total{reason="self"} 1`) {
			t.Errorf("metrics: %d %s", status, body)
		}
		status, body = off.get("/share")
		if !strings.Contains(body, "<td>2</td><td>3</td>") {
			t.Errorf("officer's link row lacks 2 counted, 3 not counted: %s", body)
		}

		// The database fails: the visitor still gets the item, the failure is logged and counted.
		var logs syncBuffer
		broken, err := newSite(ctx, d, siteConfig{Province: "15"}, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(broken.Handler)
		defer srv.Close()
		if _, err := d.ExecContext(ctx, `DROP TABLE share_clicks`); err != nil {
			t.Fatal(err)
		}
		bc := newClient(t, srv.URL)
		req, _ := http.NewRequest("GET", srv.URL+"/s/"+link, nil)
		req.Header.Set("User-Agent", "Mozilla/5.0 (Android 13) Mobile")
		resp, err := bc.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != fmt.Sprintf("/content/%d", item) {
			t.Errorf("with the database failing: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if !strings.Contains(logs.String(), "share click not stored") || !strings.Contains(logs.String(), link) {
			t.Errorf("failure not logged: %s", logs.String())
		}
		if _, body := bc.get("/share/metrics"); !strings.Contains(body, "share_click_failures_total 1") {
			t.Errorf("failure not in the metrics: %s", body)
		}
	})
}

// currentMonth is this China calendar month, as the console defaults to.
func currentMonth() string { return share.Month(time.Now()) }

// The review queue page lists cases in scope, a scan runs from it, and a decision on a case
// that does not exist is a 404.
func TestShareReviewPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		staff := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		if status, body := staff.get("/console/share/cases?region=152502"); status != 200 || !strings.Contains(body, `action="/console/share/cases/scan`) {
			t.Fatalf("cases page: %d", status)
		}
		status, body, _ := staff.post("/console/share/cases/scan?region=152502&month=2026-06", "/console/share/cases?region=152502", url.Values{})
		if status != 200 || !strings.Contains(body, "新列入复核 0 条") {
			t.Errorf("scan: %d %.300s", status, body)
		}
		if status, _, _ := staff.post("/console/share/cases/999/confirm", "/console/share/cases?region=152502", url.Values{"note": {"x"}}); status != http.StatusNotFound {
			t.Errorf("decide a missing case: %d", status)
		}
		if status, _ := staff.get("/console/share/cases?region=152501"); status != http.StatusNotFound {
			t.Errorf("another banner's queue: %d", status)
		}
		// National platform figures: a file with a unit outside scope imports nothing; a good one
		// shows beside Kepu's own figures.
		bad := "区划代码,月份,信息员数,分享数,点击数\n152502,2026-06,900,2000,6000\n152501,2026-06,1,1,1\n"
		if status, body := staff.postMultipart("/console/share/national", "/console/share?region=152502", url.Values{}, map[string][]byte{"file": []byte(bad)}); status != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "152501 不在您的管辖范围内") {
			t.Errorf("bad national file: %d", status)
		}
		good := "区划代码,月份,信息员数,分享数,点击数\n152502,2026-06,900,2000,6000\n"
		if status, body := staff.postMultipart("/console/share/national", "/console/share?region=152502", url.Values{}, map[string][]byte{"file": []byte(good)}); status != 200 ||
			!strings.Contains(body, "已导入国家平台数据 1 行") {
			t.Errorf("national import: %d", status)
		}
		if _, body := staff.get("/console/share?region=152502&month=2026-06"); !strings.Contains(body, "2,000 / 6,000") {
			t.Errorf("report lacks the national figures beside its own")
		}
		if status, _ := staff.get("/console/share/national/template?format=csv"); status != 200 {
			t.Errorf("template: %d", status)
		}
		// Data-centre ranges: region admins only, checked, applied at once.
		if status, _, _ := staff.post("/console/share/datacentres", "/console/share", url.Values{"ranges": {"10.0.0.0/8"}}); status != http.StatusForbidden {
			t.Errorf("a banner sets data-centre ranges: %d", status)
		}
		admin := newClient(t, ts.srv.URL).loginAnd("admin")
		if status, body, _ := admin.post("/console/share/datacentres", "/console/share", url.Values{"ranges": {"47.92.0.0/14\nnot-a-range"}}); status != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "地址段写得不对") {
			t.Errorf("bad ranges: %d", status)
		}
		if status, body, _ := admin.post("/console/share/datacentres", "/console/share", url.Values{"ranges": {"47.92.0.0/14\n39.96.0.0/13"}}); status != 200 ||
			!strings.Contains(body, "已保存 2 个数据中心地址段") || !strings.Contains(body, "47.92.0.0/14,39.96.0.0/13") {
			t.Errorf("save ranges: %d", status)
		}
	})
}
