package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/web"
)

// TestMain fails the run when a page template was never rendered by any test (only when the
// whole package runs, not under -run).
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		kit, err := web.NewKit(slog.New(slog.NewTextHandler(io.Discard, nil)), false, siteTemplates()...)
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		for _, k := range registry.Kinds() {
			if k.Counted && !kit.Messages.Has("registry.count."+k.Slug) {
				fmt.Printf("FAIL: message registry.count.%s missing\n", k.Slug)
				code = 1
			}
		}
		for _, p := range kit.Render.Pages() {
			if _, ok := web.Rendered.Load(p); !ok {
				fmt.Printf("FAIL: template %s was never rendered by a test\n", p)
				code = 1
			}
		}
	}
	os.Exit(code)
}

var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))

// client is a browser-like test client: a cookie jar, no automatic redirects.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token fetches a page and returns the CSRF token of its form.
func (c *client) token(path string) string {
	c.t.Helper()
	_, body := c.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no CSRF field on %s", path)
	}
	return m[1]
}

// post submits a form, adding the CSRF token taken from the page at from ("" for none).
func (c *client) post(path, from string, form url.Values) (int, string, http.Header) {
	c.t.Helper()
	if from != "" {
		form.Set("csrf", c.token(from))
	}
	resp, err := c.http.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (c *client) login(user, password string) {
	c.t.Helper()
	status, body, hdr := c.post("/login", "/login", url.Values{"username": {user}, "password": {password}})
	if status != http.StatusSeeOther {
		c.t.Fatalf("login %s: %d %s", user, status, body)
	}
	_ = hdr
}

// testSite serves a fresh site on a test database, with a few accounts.
type testSite struct {
	d    *db.DB
	srv  *httptest.Server
	site *site
	ids  map[string]int64
}

const pw = "correct horse battery"

func newTestSite(t *testing.T, d *db.DB) *testSite {
	t.Helper()
	ctx := context.Background()
	s, err := newSite(ctx, d, siteConfig{Province: "15"}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testSite{d: d, site: s, srv: httptest.NewServer(s.Handler), ids: map[string]int64{}}
	t.Cleanup(func() { s.Close(context.Background()) }) // after the server, before the database
	t.Cleanup(ts.srv.Close)
	for _, a := range []struct {
		user string
		role account.Role
		code string
	}{{"admin", account.RegionAdmin, "150000"}, {"league-152500", account.LeagueAdmin, "152500"},
		{"banner-152502", account.BannerAdmin, "152502"}, {"banner-152501", account.BannerAdmin, "152501"},
		{"township-152502001", account.TownshipOperator, "152502001"}} {
		grants := []account.Grant{{Role: a.role, RegionCode: a.code}}
		if a.role == account.RegionAdmin || a.role == account.LeagueAdmin {
			// The region's and the league's staff also review content (科普内容审核); banner
			// and township staff edit it.
			grants = append(grants, account.Grant{Role: account.ContentReviewer, RegionCode: a.code})
		}
		id, err := s.Accounts.Create(ctx, account.NewAccount{Username: a.user, DisplayName: "名" + a.code, Phone: "13912345678", Password: pw,
			Grants: grants})
		if err != nil {
			t.Fatal(err)
		}
		ts.ids[a.user] = id
	}
	return ts
}

func TestPublicPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := newClient(t, ts.srv.URL)
		status, body := c.get("/")
		if status != 200 || !strings.Contains(body, "查找区划") {
			t.Errorf("home: %d", status)
		}
		status, body = c.get("/regions")
		if status != 200 || !strings.Contains(body, "内蒙古自治区") || !strings.Contains(body, "锡林郭勒盟") || !strings.Contains(body, "14,426") {
			t.Errorf("region browser root: %d %s", status, body)
		}
		if strings.Contains(body, "账号</th>") {
			t.Error("anonymous visitors see the staff-only account counts")
		}
		status, body = c.get("/regions/152502")
		if status != 200 || !strings.Contains(body, `<a href="/regions/152500">锡林郭勒盟</a>`) || !strings.Contains(body, "宝力根苏木") {
			t.Errorf("banner page lacks breadcrumbs or townships: %d", status)
		}
		status, body = c.get("/regions/150000?q=%E9%94%A1%E6%9E%97%E6%B5%A9%E7%89%B9") // 锡林浩特
		if status != 200 || !strings.Contains(body, `href="/regions/152502"`) {
			t.Errorf("search by name: %d", status)
		}
		status, body = c.get("/regions/152502001001")
		if status != 200 || !strings.Contains(body, "赛罕社区居委会") || !strings.Contains(body, `<a href="/regions/152502001">希日塔拉街道</a>`) {
			t.Errorf("village page: %d", status)
		}
		if status, _ = c.get("/regions/1525"); status != http.StatusMovedPermanently {
			t.Errorf("short code: %d, want a redirect to the canonical code", status)
		}
		if status, _ = c.get("/regions/159999"); status != 404 {
			t.Errorf("unknown code: %d", status)
		}
		if status, _ = c.get("/console"); status != http.StatusSeeOther {
			t.Errorf("console without login: %d", status)
		}
	})
}

func TestRegionsAPI(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := newClient(t, ts.srv.URL)
		for code, want := range map[string]struct {
			name     string
			children int
		}{"150100": {"呼和浩特市", 9}, "152500": {"锡林郭勒盟", 12}, "152900": {"阿拉善盟", 3}, "15": {"内蒙古自治区", 12}} {
			status, body := c.get("/api/v1/regions/" + code)
			var u region.UnitJSON
			if err := json.Unmarshal([]byte(body), &u); err != nil || status != 200 {
				t.Fatalf("GET /api/v1/regions/%s: %d %v", code, status, err)
			}
			if u.Name != want.name || len(u.Children) != want.children || u.Children[0].Code == "" || u.Children[0].Kind == "" || u.Children[0].Level != u.Level+1 {
				t.Errorf("%s: %s with %d children (%+v)", code, u.Name, len(u.Children), u.Children[0])
			}
		}
		status, body := c.get("/api/v1/regions/159999")
		if status != 404 || !strings.Contains(body, "159999") {
			t.Errorf("unknown code: %d %s", status, body)
		}
		status, body = c.get("/api/v1/regions?q=%E9%98%BF%E6%8B%89%E5%96%84") // 阿拉善
		if status != 200 || !strings.Contains(body, `"152900"`) {
			t.Errorf("search: %d %s", status, body)
		}
		if status, _ := c.get("/api/v1/me"); status != 401 {
			t.Errorf("me without login: %d", status)
		}
	})
}

func TestLoginCSRFAndRateLimit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := newClient(t, ts.srv.URL)
		status, _, _ := c.post("/login", "", url.Values{"username": {"admin"}, "password": {pw}})
		if status != http.StatusForbidden {
			t.Errorf("login without a CSRF token: %d, want 403", status)
		}
		status, body, _ := c.post("/login", "/login", url.Values{"username": {"admin"}, "password": {"wrong password"}})
		if status != http.StatusUnauthorized || !strings.Contains(body, "用户名或密码错误") || !strings.Contains(body, `value="admin"`) {
			t.Errorf("wrong password: %d", status)
		}
		for range 4 {
			c.post("/login", "/login", url.Values{"username": {"admin"}, "password": {"wrong password"}})
		}
		status, body, hdr := c.post("/login", "/login", url.Values{"username": {"admin"}, "password": {pw}})
		if status != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" || !strings.Contains(body, "分钟后再试") {
			t.Errorf("6th attempt after 5 failures: %d, want 429", status)
		}
		other := newClient(t, ts.srv.URL)
		other.login("league-152500", pw) // other usernames from the same address still work (under the per-IP limit)
		status, body = other.get("/api/v1/me")
		if status != 200 || !strings.Contains(body, `"region_code":"152500"`) {
			t.Errorf("me: %d %s", status, body)
		}
		var failures int
		d.QueryRowContext(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'session.login_failed'`).Scan(&failures)
		if failures != 5 {
			t.Errorf("%d failed logins in the audit log, want 5", failures)
		}
	})
}

// A banner admin can neither read nor change records of another banner or of the league
// above, tried through the HTTP handlers.
func TestBannerAdminScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ts := newTestSite(t, d)
		c := newClient(t, ts.srv.URL)
		c.login("banner-152502", pw)

		if status, body := c.get("/console"); status != 200 || !strings.Contains(body, "锡林浩特市 · 旗县级管理员") {
			t.Errorf("console: %d", status)
		}
		// Read: own and below yes; sibling banner and league above: as if they did not exist.
		for user, want := range map[string]int{"banner-152502": 200, "township-152502001": 200, "banner-152501": 404, "league-152500": 404, "admin": 404} {
			if status, _ := c.get(fmt.Sprintf("/console/users/%d", ts.ids[user])); status != want {
				t.Errorf("GET user %s: %d, want %d", user, status, want)
			}
		}
		status, body := c.get("/console/users")
		if status != 200 || !strings.Contains(body, "township-152502001") || strings.Contains(body, "banner-152501") || strings.Contains(body, "league-152500") {
			t.Errorf("user list shows accounts outside the scope (or misses its own): %d", status)
		}
		if strings.Contains(body, "13912345678") || !strings.Contains(body, "139****5678") {
			t.Error("user list does not mask phone numbers")
		}
		// The region browser's account counts stay inside the scope.
		_, body = c.get("/regions/152500")
		if !regexp.MustCompile(`<dt>账号</dt><dd>2</dd>`).MatchString(body) {
			t.Errorf("league page counts accounts outside the banner admin's scope")
		}
		if status, body := c.get("/regions/152502001001"); status != 200 || !strings.Contains(body, "编辑蒙古文名称和人口") {
			t.Errorf("village page for staff in scope: %d", status)
		}
		for _, path := range []string{"/console/regions/152501/edit", "/console/regions/152500/edit"} {
			if status, _ := c.get(path); status != http.StatusForbidden {
				t.Errorf("GET %s: %d, want 403", path, status)
			}
		}
		// Change: refused outside, nothing written.
		tok := c.token("/console/users/new")
		for _, code := range []string{"152501", "152500", "152501001"} {
			role := map[int]string{6: "banner_admin", 9: "township_operator"}[len(code)]
			if code == "152500" {
				role = "league_admin"
			}
			status, _, _ := c.post("/console/users", "", url.Values{"csrf": {tok}, "username": {"intruder-" + code}, "password": {pw}, "role": {role}, "region": {code}})
			if status != http.StatusForbidden {
				t.Errorf("create account at %s: %d, want 403", code, status)
			}
		}
		var n int
		d.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE username LIKE 'intruder%'`).Scan(&n)
		if n != 0 {
			t.Errorf("%d accounts created outside the scope", n)
		}
		for _, code := range []string{"152501", "152500"} {
			status, _, _ := c.post("/console/regions/"+code, "", url.Values{"csrf": {tok}, "population": {"1"}})
			if status != http.StatusForbidden {
				t.Errorf("POST /console/regions/%s: %d, want 403", code, status)
			}
			u, _ := ts.site.Regions.Get(ctx, code)
			if u.Population != nil {
				t.Errorf("unit %s changed by a banner admin of 152502", code)
			}
		}
		// Inside the scope the same forms work.
		status, _, _ = c.post("/console/regions/152502001", "/console/regions/152502001/edit", url.Values{"population": {"23456"}, "population_year": {"2020"}})
		if status != http.StatusSeeOther {
			t.Errorf("edit own township: %d", status)
		}
		if u, _ := ts.site.Regions.Get(ctx, "152502001"); u.Population == nil || *u.Population != 23456 {
			t.Errorf("own township not changed: %+v", u)
		}
		status, body, _ = c.post("/console/regions/152502", "/console/regions/152502/edit", url.Values{"population": {"many"}, "name_mn": {"Xilinhot"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "人口须为非负整数") || !strings.Contains(body, "传统蒙古文") || !strings.Contains(body, `value="many"`) {
			t.Errorf("bad edit: %d", status)
		}
		status, _, hdr := c.post("/console/users", "/console/users/new", url.Values{"username": {"township-152502002"}, "password": {pw}, "role": {"township_operator"}, "region": {"152502002"}, "phone": {"13800001111"}})
		if status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/console/users/") {
			t.Errorf("create account in own banner: %d", status)
		}
		status, body, _ = c.post("/console/users", "/console/users/new", url.Values{"username": {"township-152502002"}, "password": {pw}, "role": {"township_operator"}, "region": {"152502002"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "该用户名已被使用") {
			t.Errorf("duplicate username: %d", status)
		}
		status, body, _ = c.post("/console/users", "/console/users/new", url.Values{"username": {"wrong-level"}, "password": {pw}, "role": {"township_operator"}, "region": {"152502"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "级别与角色") {
			t.Errorf("role at the wrong level: %d", status)
		}
	})
}

// A signed-in public user (no staff role) gets 403 on staff pages, not a loop back to sign-in;
// pages with personal data are not cached.
func TestPublicUser(t *testing.T) {
	ts := newTestSite(t, dbtest.SQLite(t))
	if _, err := ts.site.Accounts.Create(context.Background(), account.NewAccount{Username: "herder01", Password: pw}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, ts.srv.URL)
	c.login("herder01", pw)
	for _, path := range []string{"/console", "/console/users", "/console/regions/152502/edit"} {
		if status, _ := c.get(path); status != http.StatusForbidden {
			t.Errorf("public user GET %s: %d, want 403", path, status)
		}
	}
	resp, err := c.http.Get(ts.srv.URL + "/console")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("console Cache-Control = %q, want no-store", resp.Header.Get("Cache-Control"))
	}
}

func TestSessionSurvivesRestart(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := newClient(t, ts.srv.URL)
		c.login("league-152500", pw)
		ts.srv.Close()
		// A new process on the same database: new site, new server, same cookies.
		s2, err := newSite(context.Background(), d, siteConfig{Province: "15"}, quiet)
		if err != nil {
			t.Fatal(err)
		}
		srv2 := httptest.NewServer(s2.Handler)
		defer srv2.Close()
		u1, _ := url.Parse(ts.srv.URL)
		u2, _ := url.Parse(srv2.URL)
		c.http.Jar.SetCookies(u2, c.http.Jar.Cookies(u1))
		c.base = srv2.URL
		status, body := c.get("/console")
		if status != 200 || !strings.Contains(body, "锡林郭勒盟 · 盟市级管理员") {
			t.Fatalf("after restart: %d, want the console", status)
		}
		if status, _, _ := c.post("/logout", "/console", url.Values{}); status != http.StatusSeeOther {
			t.Errorf("logout: %d", status)
		}
		if status, _ := c.get("/console"); status != http.StatusSeeOther {
			t.Errorf("console after logout: %d", status)
		}
	})
}

func TestFirstAdminSetup(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, err := newSite(ctx, d, siteConfig{Province: "15"}, quiet)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler)
		defer srv.Close()
		token, ok, err := s.Accounts.CreateSetupToken(ctx)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		c := newClient(t, srv.URL)
		status, body, _ := c.post("/setup/"+token, "/setup/"+token, url.Values{"username": {"Admin"}, "password": {"short"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "密码至少") {
			t.Errorf("short password: %d", status)
		}
		status, _, hdr := c.post("/setup/"+token, "/setup/"+token, url.Values{"username": {"admin"}, "display_name": {"管理员"}, "password": {pw}})
		if status != http.StatusSeeOther || hdr.Get("Location") != "/console" {
			t.Fatalf("setup: %d", status)
		}
		if status, body := c.get("/console"); status != 200 || !strings.Contains(body, "自治区级管理员") {
			t.Errorf("console after setup: %d", status)
		}
		if status, _ := newClient(t, srv.URL).get("/setup/" + token); status != http.StatusGone {
			t.Errorf("second use of the setup link: %d, want 410", status)
		}
		other := newClient(t, srv.URL)
		if status, _, _ := other.post("/setup/not-a-token", "/login", url.Values{"username": {"x"}}); status != http.StatusGone {
			t.Errorf("POST with an unknown token and bad fields: %d, want 410", status)
		}
	})
}

// --base-url: addresses that leave the page (feeds here; QR codes, calendar files and
// certificates through the same web.Kit.AbsURL) name the public address, not the Host header.
func TestBaseURL(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s, err := newSite(context.Background(), d, siteConfig{Province: "15", BaseURL: "https://kepu.example.cn"}, quiet)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close(context.Background()) })
		srv := httptest.NewServer(s.Handler)
		t.Cleanup(srv.Close)
		status, body := newClient(t, srv.URL).get("/content/feed.xml")
		if status != 200 || !strings.Contains(body, `href="https://kepu.example.cn/content/feed.xml"`) || strings.Contains(body, srv.URL) {
			t.Errorf("feed under --base-url: %d %.300s", status, body)
		}
		ts := newTestSite(t, d)
		if _, body := newClient(t, ts.srv.URL).get("/content/feed.xml"); !strings.Contains(body, ts.srv.URL+"/content/feed.xml") {
			t.Errorf("feed without --base-url does not use the request's host: %.300s", body)
		}
	})
}
