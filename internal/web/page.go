package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
)

// Identity is what the shell needs to know of the signed-in account: a name to show, whether
// to offer the staff console, and the roles to list. account.Principal implements it.
type Identity interface {
	DisplayName() string
	IsStaff() bool
	RoleSummary() []string // e.g. "锡林郭勒盟 盟级管理员", in Chinese
}

type ctxKey int

const (
	identityKey ctxKey = iota
	csrfKey
	requestIDKey
)

// WithIdentity returns a context carrying the signed-in account.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey, id)
}

// IdentityFrom returns the signed-in account, or nil for an anonymous visitor.
func IdentityFrom(ctx context.Context) Identity {
	id, _ := ctx.Value(identityKey).(Identity)
	return id
}

// RequestID returns the id the request-log middleware gave this request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// CSRFToken returns the token forms must send back in their "csrf" field ("" outside the CSRF
// middleware). The first call sets the visitor's kepu_csrf cookie if it was missing, so call it
// before the response's header is written.
func CSRFToken(ctx context.Context) string {
	s, _ := ctx.Value(csrfKey).(*csrfState)
	if s == nil {
		return ""
	}
	return s.get()
}

// Kit holds what every domain's handlers share: the renderer, the message catalogue, the
// static assets and the logger. A domain handler struct keeps a *Kit beside its store.
type Kit struct {
	Render   *Renderer
	Messages *Catalog
	Assets   *Assets
	Log      *slog.Logger
	SiteName string
	// BaseURL is the site's public address (--base-url, e.g. "https://kepu.example.cn"), used
	// for addresses that leave the page: QR codes, share links, feeds, calendar files,
	// certificates. Empty: each request's own scheme and Host.
	BaseURL string
	nav     []NavItem // set by NewServer from the modules
}

// AbsURL returns the absolute address of path (which starts with "/") as the outside world
// reaches it: under BaseURL when set, else the request's scheme and Host header.
func (k *Kit) AbsURL(r *http.Request, path string) string {
	if k.BaseURL != "" {
		return strings.TrimRight(k.BaseURL, "/") + path
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// Page holds the fields every page shows; each page's data struct embeds it.
type Page struct {
	Title  string
	Lang   string
	CSRF   string
	Viewer Identity
	Path   string
	kit    *Kit
}

// Page returns the common page fields for a request, with the title from the catalogue.
func (k *Kit) Page(r *http.Request, titleKey string, args ...any) Page {
	lang := Lang(r)
	return Page{
		Title:  k.Messages.T(lang, titleKey, args...),
		Lang:   lang,
		CSRF:   CSRFToken(r.Context()),
		Viewer: IdentityFrom(r.Context()),
		Path:   r.URL.RequestURI(), // with its query, so that switching language keeps filters (and a ticket's key)
		kit:    k,
	}
}

// T returns an interface string in the page's language.
func (p Page) T(key string, args ...any) string {
	if p.kit == nil {
		return key
	}
	return p.kit.Messages.T(p.Lang, key, args...)
}

// Asset returns the content-hashed URL of a static file.
func (p Page) Asset(name string) string {
	if p.kit == nil {
		return "/static/" + name
	}
	return p.kit.Assets.URL(name)
}

// SiteName is the installation's name, shown in the header.
func (p Page) SiteName() string {
	if p.kit == nil || p.kit.SiteName == "" {
		return p.T("site.name")
	}
	return p.kit.SiteName
}

// HeaderNav lists the public links of every module, for the header.
func (p Page) HeaderNav() []NavItem {
	if p.kit == nil {
		return nil
	}
	var out []NavItem
	for _, n := range p.kit.nav {
		if !n.Staff {
			out = append(out, n)
		}
	}
	return out
}

// Languages lists the interface languages for the switcher.
func (p Page) Languages() []string { return Languages }
