package share

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/share/click"
	"github.com/kepu/kepu/internal/web"
)

// OfficerCookie is the cookie of an officer's sharing session: "id.expiry.hmac".
const OfficerCookie = "kepu_officer"

// officerSession is how long an officer stays signed in on a device.
const officerSession = 90 * 24 * time.Hour

// linkTTL is how long a link's target is served from memory: an item withdrawn stops being
// redirected to after at most this long.
const linkTTL = time.Minute

// Handler serves the share links, the officers' sharing page and the console pages.
type Handler struct {
	Kit      *web.Kit
	Store    *Store
	Recorder *Recorder
	Items    *content.Store
	Officers *registry.Store
	// refreshing is set while a count of registrations runs in the background.
	refreshing atomic.Bool
	// Key signs officer session cookies (32 random bytes kept in the database).
	Key           []byte
	SecureCookies bool

	mu    sync.Mutex
	links map[string]cachedLink
	// signIns limits failed officer sign-ins per officer number and per address (10 in 15
	// minutes each); nil: made on first use.
	signIns     *account.Limiter
	signInsOnce sync.Once
}

type cachedLink struct {
	link   Link
	target string
	until  time.Time
}

// target returns a link and the address it redirects to (the item's public page, or a
// repost's original), from memory when fresh. Errors: db.ErrNotFound for an unknown code or an
// item the public no longer sees.
func (h *Handler) target(ctx context.Context, code string) (Link, string, error) {
	now := time.Now()
	h.mu.Lock()
	c, ok := h.links[code]
	h.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.link, c.target, nil
	}
	l, err := h.Store.LinkByCode(ctx, code)
	if err != nil {
		return l, "", err
	}
	it, err := h.Items.GetPublic(ctx, l.Item)
	if err != nil {
		return l, "", err
	}
	t := fmt.Sprintf("/content/%d", it.ID)
	if it.Kind == "repost" && it.SourceURL != "" {
		t = it.SourceURL
	}
	h.mu.Lock()
	if h.links == nil || len(h.links) > 100_000 {
		h.links = map[string]cachedLink{}
	}
	h.links[code] = cachedLink{link: l, target: t, until: now.Add(linkTTL)}
	h.mu.Unlock()
	return l, t, nil
}

func remoteAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a
}

// follow serves /s/{code}: it records the click (durably, before answering) and redirects to
// the item. A failure to record is logged and counted (share_click_failures_total) and the
// visitor still gets the item.
func (h *Handler) follow(w http.ResponseWriter, r *http.Request) error {
	code, err := ParseCode(r.PathValue("code"))
	if err != nil {
		return web.NotFound(err)
	}
	l, target, err := h.target(r.Context(), code)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if err != nil {
		h.Recorder.failures.Add(1)
		h.Kit.Log.Error("share link lookup failed; sending the visitor to the content hub", "code", code, "err", err)
		http.Redirect(w, r, "/content", http.StatusFound)
		return nil
	}
	own := false
	if o, ok := h.officer(r); ok && o == l.Officer {
		own = true
	}
	req := click.Request{Method: r.Method, UserAgent: r.UserAgent(), Addr: remoteAddr(r), Own: own,
		Purpose: r.Header.Get("Sec-Purpose") + " " + r.Header.Get("Purpose") + " " + r.Header.Get("X-Moz")}
	if _, err := h.Recorder.Record(r.Context(), l, req, r.Referer()); err != nil {
		h.Kit.Log.Error("share click not stored", "code", code, "officer", l.Officer, "item", l.Item, "err", err)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}

// metrics writes the recorder's counters in the Prometheus text format.
func (h *Handler) metrics(w http.ResponseWriter, r *http.Request) error {
	m := h.Recorder.Metrics()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintf(w, "# HELP share_clicks_total Share-link clicks stored since start, by reason (counted or why not).\n# TYPE share_clicks_total counter\n")
	fmt.Fprintf(w, "share_clicks_total{reason=\"counted\"} %d\n", m.ByReason["counted"])
	for _, rs := range click.Reasons {
		fmt.Fprintf(w, "share_clicks_total{reason=%q} %d\n", string(rs), m.ByReason[string(rs)])
	}
	fmt.Fprintf(w, "# HELP share_click_failures_total Share-link clicks that could not be stored (each logged); the visitor still got the item.\n# TYPE share_click_failures_total counter\nshare_click_failures_total %d\n", m.Failures)
	return nil
}

// sign returns the MAC of an officer session value.
func (h *Handler) sign(v string) string {
	m := hmac.New(sha256.New, h.Key)
	m.Write([]byte("share-officer:" + v))
	return hex.EncodeToString(m.Sum(nil))
}

// officer returns the signed-in officer of the request.
func (h *Handler) officer(r *http.Request) (int64, bool) {
	c, err := r.Cookie(OfficerCookie)
	if err != nil {
		return 0, false
	}
	i := strings.LastIndexByte(c.Value, '.')
	if i < 0 || !hmac.Equal([]byte(h.sign(c.Value[:i])), []byte(c.Value[i+1:])) {
		return 0, false
	}
	id, exp, ok := strings.Cut(c.Value[:i], ".")
	until, err1 := strconv.ParseInt(exp, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || time.Now().Unix() > until {
		return 0, false
	}
	return n, true
}

// HomePage is the officers' sharing page: the sign-in form, or the officer's standing, the
// items to share and their links.
type HomePage struct {
	web.Page
	Officer   int64
	Standing  Standing
	Items     []content.Item
	Links     []LinkStats
	Error     string
	Form      struct{ Officer string }
	Today     string
	CheckedIn bool
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	p := HomePage{Page: h.Kit.Page(r, "share.title")}
	o, ok := h.officer(r)
	if !ok {
		return h.Kit.Render.HTML(w, r, http.StatusOK, "share/home", p)
	}
	return h.renderOfficer(w, r, p, o)
}

func (h *Handler) renderOfficer(w http.ResponseWriter, r *http.Request, p HomePage, o int64) error {
	ctx := r.Context()
	p.Officer = o
	p.Today = Day(time.Now())
	var err error
	if p.Standing, err = h.Store.Standing(ctx, o, p.Today); err != nil {
		return err
	}
	if p.Items, err = h.Items.Latest(ctx, content.PublicQuery{Limit: 20}); err != nil {
		return err
	}
	if p.Links, err = h.Store.OfficerLinks(ctx, o, 50); err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "share/home", p)
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) error {
	p := HomePage{Page: h.Kit.Page(r, "share.title")}
	p.Form.Officer = strings.TrimSpace(r.PostFormValue("officer"))
	h.signInsOnce.Do(func() {
		if h.signIns == nil {
			h.signIns = account.NewLimiter(10, 15*time.Minute)
		}
	})
	keys := []string{"officer:" + p.Form.Officer, "addr:" + remoteAddr(r).String()}
	for _, k := range keys {
		if blocked, _ := h.signIns.Blocked(k); blocked {
			p.Error = p.T("share.signin_blocked")
			return h.Kit.Render.HTML(w, r, http.StatusTooManyRequests, "share/home", p)
		}
	}
	id, err := strconv.ParseInt(p.Form.Officer, 10, 64)
	if err == nil {
		_, err = h.Store.SignIn(r.Context(), id, r.PostFormValue("code"))
	}
	if err != nil {
		if err != ErrSignIn && !errors.Is(err, strconv.ErrSyntax) && !errors.Is(err, strconv.ErrRange) {
			return err
		}
		for _, k := range keys {
			h.signIns.Fail(k)
		}
		p.Error = p.T("share.signin_wrong")
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "share/home", p)
	}
	v := fmt.Sprintf("%d.%d", id, time.Now().Add(officerSession).Unix())
	http.SetCookie(w, &http.Cookie{Name: OfficerCookie, Value: v + "." + h.sign(v), Path: "/", MaxAge: int(officerSession.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.SecureCookies})
	h.device(r, id)
	http.Redirect(w, r, "/share", http.StatusSeeOther)
	return nil
}

// device records the request's device as the officer's today (own clicks, device farms).
func (h *Handler) device(r *http.Request, officer int64) {
	v, err := h.Recorder.Visitor(r.Context(), remoteAddr(r), r.UserAgent())
	if err == nil {
		err = h.Recorder.Device(r.Context(), v, officer)
	}
	if err != nil {
		h.Kit.Log.Error("share device not recorded", "officer", officer, "err", err)
	}
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: OfficerCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.SecureCookies})
	http.Redirect(w, r, "/share", http.StatusSeeOther)
	return nil
}

func (h *Handler) signedIn(r *http.Request) (int64, string, error) {
	o, ok := h.officer(r)
	if !ok {
		return 0, "", web.Errorf(http.StatusUnauthorized, "share.signin_first")
	}
	unit, err := h.Store.OfficerUnit(r.Context(), o)
	if errors.Is(err, db.ErrNotFound) {
		return 0, "", web.Errorf(http.StatusUnauthorized, "share.signin_first")
	}
	return o, unit, err
}

// takeLink gives the officer their link to an item (a share, the first time) and shows it.
func (h *Handler) takeLink(w http.ResponseWriter, r *http.Request) error {
	o, unit, err := h.signedIn(r)
	if err != nil {
		return err
	}
	item, err := strconv.ParseInt(r.PostFormValue("item"), 10, 64)
	if err != nil {
		return web.NotFound(err)
	}
	if _, err := h.Items.GetPublic(r.Context(), item); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return web.NotFound(err)
		}
		return err
	}
	l, _, err := h.Store.TakeLink(r.Context(), o, unit, item)
	if err != nil {
		return err
	}
	h.device(r, o)
	http.Redirect(w, r, "/share/links/"+l.Code, http.StatusSeeOther)
	return nil
}

// LinkPage is an officer's link with its QR poster.
type LinkPage struct {
	web.Page
	Link LinkStats
	Item content.Item
	URL  string
	QR   template.HTML
}

func (h *Handler) linkPage(w http.ResponseWriter, r *http.Request) error {
	o, _, err := h.signedIn(r)
	if err != nil {
		return err
	}
	code, err := ParseCode(r.PathValue("code"))
	if err != nil {
		return web.NotFound(err)
	}
	l, err := h.Store.LinkByCode(r.Context(), code)
	if err != nil || l.Officer != o {
		return web.NotFound(err)
	}
	it, err := h.Items.GetPublic(r.Context(), l.Item)
	if err != nil {
		return web.NotFound(err)
	}
	p := LinkPage{Page: h.Kit.Page(r, "share.link_title"), Item: it, Link: LinkStats{Link: l}}
	p.URL = h.Kit.AbsURL(r, "/s/"+code)
	if p.QR, err = content.ShareQR(p.URL, it.Zh.Title); err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "share/link", p)
}

func (h *Handler) checkIn(w http.ResponseWriter, r *http.Request) error {
	o, _, err := h.signedIn(r)
	if err != nil {
		return err
	}
	if err := h.Store.CheckIn(r.Context(), o, Day(time.Now())); err != nil {
		return err
	}
	http.Redirect(w, r, "/share", http.StatusSeeOther)
	return nil
}
