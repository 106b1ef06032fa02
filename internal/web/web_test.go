package web_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/web"
)

type echo struct{ kit *web.Kit }

func (e echo) Routes(mux *http.ServeMux) {
	mux.Handle("POST /echo", e.kit.H(func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "done:"+r.PostFormValue("v"))
		return nil
	}))
	mux.Handle("GET /form", e.kit.H(func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, web.CSRFToken(r.Context()))
		return nil
	}))
	mux.HandleFunc("GET /go", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/form", http.StatusFound) })
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("index out of range") })
	mux.Handle("GET /boom", e.kit.H(func(w http.ResponseWriter, r *http.Request) error { return errors.New("secret detail") }))
	mux.Handle("GET /api/v1/boom", e.kit.H(func(w http.ResponseWriter, r *http.Request) error { return web.NotFound(nil) }))
}

func (e echo) Nav() []web.NavItem { return []web.NavItem{{Key: "nav.regions", Href: "/regions"}} }

func newServer(t *testing.T, ping func(context.Context) error) http.Handler {
	t.Helper()
	kit, err := web.NewKit(slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		t.Fatal(err)
	}
	return web.NewServer(kit, web.ServerConfig{Secret: []byte("0123456789abcdef0123456789abcdef"), Ping: ping}, echo{kit})
}

func do(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestCSRF(t *testing.T) {
	h := newServer(t, nil)
	first := do(h, httptest.NewRequest("GET", "/form", nil))
	token := first.Body.String()
	var cookie *http.Cookie
	for _, c := range first.Result().Cookies() {
		if c.Name == web.CSRFCookie {
			cookie = c
		}
	}
	if cookie == nil || token == "" || !cookie.HttpOnly {
		t.Fatalf("GET did not set an HttpOnly CSRF cookie and token: %v %q", cookie, token)
	}
	post := func(form url.Values, withCookie bool, hdr map[string]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/echo", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if withCookie {
			r.AddCookie(cookie)
		}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		return do(h, r)
	}
	tests := []struct {
		name   string
		form   url.Values
		cookie bool
		hdr    map[string]string
		status int
	}{
		{"no token", url.Values{"v": {"1"}}, true, nil, 403},
		{"no cookie", url.Values{"v": {"1"}, "csrf": {token}}, false, nil, 403},
		{"wrong token", url.Values{"v": {"1"}, "csrf": {token + "x"}}, true, nil, 403},
		{"cross-origin browser request", url.Values{"v": {"1"}, "csrf": {token}}, true, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"token in form", url.Values{"v": {"1"}, "csrf": {token}}, true, nil, 200},
		{"token in header", url.Values{"v": {"1"}}, true, map[string]string{"X-CSRF-Token": token}, 200},
	}
	for _, tt := range tests {
		w := post(tt.form, tt.cookie, tt.hdr)
		if w.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, w.Code, tt.status)
		}
		if tt.status == 403 && (strings.Contains(w.Body.String(), "done:") || !strings.Contains(w.Body.String(), "CSRF")) {
			t.Errorf("%s: refused request reached the handler or lacks the message: %s", tt.name, w.Body.String())
		}
	}
}

// TestCSRFCookieOnlyForForms: the cookie is set only when a handler asks for the form token
// (a redirect, such as a share-link click, sets none), and a visitor who has one keeps it.
func TestCSRFCookieOnlyForForms(t *testing.T) {
	h := newServer(t, nil)
	if w := do(h, httptest.NewRequest("GET", "/go", nil)); w.Code != http.StatusFound || w.Header().Get("Set-Cookie") != "" {
		t.Errorf("a redirect set a cookie: %d %q", w.Code, w.Header().Get("Set-Cookie"))
	}
	first := do(h, httptest.NewRequest("GET", "/form", nil))
	cookies := first.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != web.CSRFCookie {
		t.Fatalf("the form page set %v", cookies)
	}
	r := httptest.NewRequest("GET", "/form", nil)
	r.AddCookie(cookies[0])
	again := do(h, r)
	if again.Header().Get("Set-Cookie") != "" || again.Body.String() != first.Body.String() {
		t.Errorf("a returning visitor got a new cookie or token: %q, %q vs %q", again.Header().Get("Set-Cookie"), again.Body.String(), first.Body.String())
	}
}

func TestHealthz(t *testing.T) {
	if w := do(newServer(t, func(context.Context) error { return nil }), httptest.NewRequest("GET", "/healthz", nil)); w.Code != 200 {
		t.Errorf("healthz with a live database: %d", w.Code)
	}
	if w := do(newServer(t, func(context.Context) error { return errors.New("down") }), httptest.NewRequest("GET", "/healthz", nil)); w.Code != 503 {
		t.Errorf("healthz with a dead database: %d", w.Code)
	}
}

func TestErrorAdapter(t *testing.T) {
	h := newServer(t, nil)
	w := do(h, httptest.NewRequest("GET", "/boom", nil))
	if w.Code != 500 || strings.Contains(w.Body.String(), "secret detail") || !strings.Contains(w.Body.String(), "服务器内部错误") {
		t.Errorf("500 page: %d %s", w.Code, w.Body.String())
	}
	w = do(h, httptest.NewRequest("GET", "/panic", nil))
	if w.Code != 500 || strings.Contains(w.Body.String(), "index out of range") || !strings.Contains(w.Body.String(), "服务器内部错误") {
		t.Errorf("panic page: %d %s", w.Code, w.Body.String())
	}
	w = do(h, httptest.NewRequest("GET", "/api/v1/boom", nil))
	if w.Code != 404 || w.Header().Get("Content-Type") != "application/json; charset=utf-8" || !strings.Contains(w.Body.String(), `"code":"error.not_found"`) {
		t.Errorf("API 404: %d %s %s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	w = do(h, httptest.NewRequest("GET", "/no/such/page", nil))
	if w.Code != 404 || !strings.Contains(w.Body.String(), "找不到") {
		t.Errorf("unknown page: %d", w.Code)
	}
	r := httptest.NewRequest("GET", "/no/such/page", nil)
	r.Header.Set("Accept-Language", "en-GB,en;q=0.8")
	if w := do(h, r); !strings.Contains(w.Body.String(), "does not exist") {
		t.Error("English visitors do not get the English page")
	}
}

func TestSecurityHeadersAndAssets(t *testing.T) {
	h := newServer(t, nil)
	w := do(h, httptest.NewRequest("GET", "/", nil))
	if w.Code != 200 {
		t.Fatalf("home: %d", w.Code)
	}
	csp := w.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || w.Header().Get("X-Frame-Options") != "DENY" {
		t.Errorf("security headers: %v", w.Header())
	}
	css := regexp.MustCompile(`/static/kepu\.[0-9a-f]{10}\.css`).FindString(w.Body.String())
	if css == "" {
		t.Fatal("home page links no content-hashed stylesheet")
	}
	w = do(h, httptest.NewRequest("GET", css, nil))
	if w.Code != 200 || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") || !strings.Contains(w.Header().Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %v", w.Code, w.Header())
	}
}

func TestLangSwitch(t *testing.T) {
	h := newServer(t, nil)
	w := do(h, httptest.NewRequest("GET", "/lang?set=en&next=//evil.example/", nil))
	if w.Code != 303 || w.Header().Get("Location") != "/" {
		t.Errorf("open redirect: %d %s", w.Code, w.Header().Get("Location"))
	}
	if do(h, httptest.NewRequest("GET", "/lang?set=xx", nil)).Code != 400 {
		t.Error("unknown language accepted")
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{"/console": "/console", "": "/", "https://x.example": "/", "//x.example": "/", `/\x.example`: "/", "console": "/", "/\t/evil.example": "/", "/\n/evil.example": "/", "/%09/x": "/%09/x", "/\u00a0/x": "/\u00a0/x"} {
		if got := web.LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every message key that code or templates use exists in the Chinese catalogue, and the
// English catalogue has every Chinese key.
func TestCatalogueComplete(t *testing.T) {
	c, err := web.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	used := regexp.MustCompile(`(?:\.T|T|Key:|page\.T\(|Page\(r,) "([a-z_]+\.[a-z_.]+)"`)
	root := filepath.Join("..", "..")
	seen := 0
	filepath.WalkDir(filepath.Join(root, "internal"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".html")) || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			seen++
			if !c.Has(m[1]) {
				t.Errorf("%s uses message key %q, missing from messages/zh-Hans.json", p, m[1])
			}
		}
		return nil
	})
	if seen < 50 {
		t.Errorf("found only %d message keys in use; the pattern is broken", seen)
	}
	en := map[string]bool{}
	for _, k := range c.Keys("en") {
		en[k] = true
	}
	for _, k := range c.Keys("zh-Hans") {
		if !en[k] {
			t.Errorf("messages/en.json lacks %q", k)
		}
	}
}

func TestNum(t *testing.T) {
	p := int64(24049155)
	for in, want := range map[any]string{0: "0", 999: "999", 1000: "1,000", int64(-1234567): "-1,234,567", &p: "24,049,155", (*int64)(nil): ""} {
		if got := web.Num(in); got != want {
			t.Errorf("Num(%v) = %q, want %q", in, got, want)
		}
	}
}

// Behind a trusted proxy the visitor's address is the rightmost untrusted X-Forwarded-For
// hop; from anyone else the header is ignored, so a visitor cannot choose its own address.
func TestRealIP(t *testing.T) {
	trusted, err := web.ParsePrefixes("127.0.0.1, 10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := web.ParsePrefixes("10.0.0.0/8,nonsense"); err == nil || !strings.Contains(err.Error(), "nonsense") {
		t.Errorf("bad list: %v", err)
	}
	var seen string
	h := web.RealIP(trusted)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.RemoteAddr }))
	for _, c := range []struct{ peer, xff, want string }{
		{"127.0.0.1:5000", "203.0.113.7", "203.0.113.7:0"},
		{"127.0.0.1:5000", "198.51.100.1, 203.0.113.7, 10.1.2.3", "203.0.113.7:0"}, // the client's own entry is not believed
		{"198.51.100.9:5000", "203.0.113.7", "198.51.100.9:5000"},                  // not a trusted proxy
		{"127.0.0.1:5000", "", "127.0.0.1:5000"},
		{"127.0.0.1:5000", "garbage", "127.0.0.1:5000"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if seen != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, seen, c.want)
		}
	}
}

func TestPageCache(t *testing.T) {
	c := &web.PageCache{TTL: 10 * time.Second, Max: 2}
	t0 := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	c.Put("1\x00zh", []byte("a"), "m", t0)
	if b, m, ok := c.Get("1\x00zh", t0.Add(9*time.Second)); !ok || string(b) != "a" || m != "m" {
		t.Fatal("fresh page missing")
	}
	if _, _, ok := c.Get("1\x00zh", t0.Add(10*time.Second)); ok {
		t.Fatal("page served after its TTL")
	}
	c.Put("2\x00zh", []byte("b"), "", t0)
	c.Put("3\x00zh", []byte("c"), "", t0.Add(20*time.Second)) // full: the expired pages go first
	if _, _, ok := c.Get("3\x00zh", t0.Add(21*time.Second)); !ok {
		t.Fatal("newest page dropped")
	}
	c.Put("3\x00en", []byte("d"), "", t0.Add(21*time.Second))
	c.Forget("3\x00")
	for _, k := range []string{"3\x00zh", "3\x00en"} {
		if _, _, ok := c.Get(k, t0.Add(22*time.Second)); ok {
			t.Errorf("%q kept after Forget", k)
		}
	}
}
