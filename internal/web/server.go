package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// NavItem is a link in the header or on the console: Key is its message key; Staff items show
// only to signed-in staff.
type NavItem struct {
	Key   string
	Href  string
	Staff bool
}

// Module is a domain's web side: it mounts its routes and names its navigation links.
type Module interface {
	Routes(mux *http.ServeMux)
	Nav() []NavItem
}

// NewKit parses the message catalogue, the static assets and every page of web's own set and
// of the given sets. It fails when any template is missing or broken.
func NewKit(log *slog.Logger, dev bool, sets ...Templates) (*Kit, error) {
	msgs, err := LoadCatalog()
	if err != nil {
		return nil, err
	}
	assets, err := NewAssets(dev)
	if err != nil {
		return nil, err
	}
	render, err := NewRenderer(dev, append([]Templates{LayoutTemplates()}, sets...)...)
	if err != nil {
		return nil, err
	}
	return &Kit{Render: render, Messages: msgs, Assets: assets, Log: log}, nil
}

// ServerConfig is what NewServer needs besides the modules.
type ServerConfig struct {
	Secret  []byte                          // key for CSRF tokens (32 random bytes, kept in the database)
	Session Middleware                      // loads the signed-in account into the context
	Ping    func(ctx context.Context) error // answers whether the database responds
	HTTPS   bool                            // served over HTTPS (--base-url https://…): Secure cookies, HSTS
	MaxBody int64                           // largest request body in bytes (uploads); 0 means 110 MB
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed (RealIP).
	TrustedProxies []netip.Prefix
}

// NewServer mounts web's own routes (home, console, language switch, static files, healthz)
// and every module's routes on one ServeMux, behind the middleware list, outermost first:
// recover, real client address (behind trusted proxies), request id and log, security headers,
// session, body limit, CSRF.
func NewServer(k *Kit, cfg ServerConfig, modules ...Module) http.Handler {
	mux := http.NewServeMux()
	var nav []NavItem
	for _, m := range modules {
		m.Routes(mux)
		nav = append(nav, m.Nav()...)
	}
	k.nav = nav
	s := &shell{kit: k, nav: nav, ping: cfg.Ping}
	mux.Handle("GET /{$}", k.H(s.home))
	mux.Handle("GET /console", k.H(s.console))
	mux.Handle("GET /lang", k.H(s.setLang))
	mux.Handle("GET /static/", k.Assets)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("/api/", k.H(func(w http.ResponseWriter, r *http.Request) error { return NotFound(nil) }))
	mux.Handle("/", k.H(func(w http.ResponseWriter, r *http.Request) error { return NotFound(nil) }))
	mws := []Middleware{Recover(k), RealIP(cfg.TrustedProxies), RequestLog(k.Log), SecurityHeaders(cfg.HTTPS)}
	if cfg.Session != nil {
		mws = append(mws, cfg.Session)
	}
	maxBody := cfg.MaxBody
	if maxBody <= 0 {
		maxBody = 110 << 20
	}
	mws = append(mws, BodyLimit(maxBody, k), CSRF(cfg.Secret, cfg.HTTPS, k))
	return Chain(mux, mws...)
}

type shell struct {
	kit  *Kit
	nav  []NavItem
	ping func(ctx context.Context) error
}

// NavPage is the data of the home and console pages.
type NavPage struct {
	Page
	Nav []NavItem
}

func (s *shell) links(staff bool) []NavItem {
	var out []NavItem
	for _, n := range s.nav {
		if n.Staff == staff {
			out = append(out, n)
		}
	}
	return out
}

func (s *shell) home(w http.ResponseWriter, r *http.Request) error {
	return s.kit.Render.HTML(w, r, http.StatusOK, "web/home", NavPage{Page: s.kit.Page(r, "home.title"), Nav: s.links(false)})
}

func (s *shell) console(w http.ResponseWriter, r *http.Request) error {
	id := IdentityFrom(r.Context())
	if id == nil {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return nil
	}
	if !id.IsStaff() {
		return Forbidden(nil)
	}
	return s.kit.Render.HTML(w, r, http.StatusOK, "web/console", NavPage{Page: s.kit.Page(r, "console.title"), Nav: s.links(true)})
}

// setLang stores the chosen interface language in a cookie and goes back to the page.
func (s *shell) setLang(w http.ResponseWriter, r *http.Request) error {
	lang := r.URL.Query().Get("set")
	ok := false
	for _, l := range Languages {
		ok = ok || l == lang
	}
	if !ok {
		return Errorf(http.StatusBadRequest, "error.bad_language", lang)
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, LocalPath(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}

func (s *shell) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if s.ping == nil || s.ping(ctx) != nil {
		http.Error(w, "database not answering", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// LocalPath returns p if it is a path on this site, else "/": redirects after login or a
// language switch never leave the site. A path with a scheme, a host, a backslash or any
// control character (browsers drop tabs and newlines, turning "/\t/evil" into "//evil") is
// refused.
func LocalPath(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") {
		return "/"
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return p
}
