package content

import (
	"context"
	"embed"
	"net/http"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the content pages for the renderer.
func Templates() web.Templates { return web.PackageTemplates("content", templateFS) }

// Handler serves the content hub's public pages and feed and its console pages.
type Handler struct {
	Kit     *web.Kit
	Store   *Store
	Regions *region.Store
	// AccountNames names the accounts in histories (account.Store.Usernames); nil shows ids.
	AccountNames func(ctx context.Context, ids []int64) (map[int64]string, error)
	// pages keeps public item pages as rendered for visitors who are not signed in.
	pages *web.PageCache
	// Views counts views of the public item page and the kiosks; nil: Routes makes one
	// (NewViews), whose pending counts the server should Close on shutdown.
	Views *Views
}

// PublicPageTTL is how long a public item page is served as rendered: a popular page is
// rendered once in that time, and an edit, a withdrawal or a scheduled publication shows on it
// after at most that long.
const PublicPageTTL = 10 * time.Second

// Routes lists every route the content domain serves.
func (h *Handler) Routes(mux *http.ServeMux) {
	h.pages = &web.PageCache{TTL: PublicPageTTL, Max: 2000}
	if h.Views == nil {
		h.Views = NewViews(h.Store, h.Kit.Log)
	}
	// Public, no sign-in: only items published with their publish_at passed; any other id is 404.
	mux.Handle("GET /content", h.Kit.H(h.home))
	mux.Handle("GET /content/topics/{topic}", h.Kit.H(h.topic))
	mux.Handle("GET /content/feed.xml", h.Kit.H(h.feed))
	mux.Handle("GET /content/search", h.Kit.H(h.search))
	mux.Handle("GET /content/mongolian-font.css", h.Kit.H(h.fontCSS))
	mux.Handle("GET /content/lectures", h.Kit.H(h.lectures))
	mux.Handle("GET /content/lectures.ics", h.Kit.H(h.lecturesICS))
	// {file} is "{id}.ics": a wildcard must be a whole segment, and /content/{id}/ics would clash with /content/topics/{topic}.
	mux.Handle("GET /content/lectures/{file}", h.Kit.H(h.lectureICS))
	mux.Handle("GET /content/{id}", h.Kit.H(h.item))
	mux.Handle("GET /content/posters/{id}", h.Kit.H(h.publicPoster))
	mux.Handle("GET /api/v1/content", h.Kit.H(h.apiList))
	// Channels: the e-station kiosks (public, no sign-in) and the TV feed.
	mux.Handle("GET /kiosk/{station}", h.Kit.H(h.kiosk))
	mux.Handle("GET /kiosk/{station}/items/{id}", h.Kit.H(h.kioskItem))
	mux.Handle("GET /kiosk/kiosk.css", h.Kit.H(kioskFile(kioskCSS, "text/css; charset=utf-8", true)))
	mux.Handle("GET /kiosk/kiosk.js", h.Kit.H(kioskFile(kioskJS, "text/javascript; charset=utf-8", true)))
	mux.Handle("GET /api/v1/content/tv", h.Kit.H(h.tvFeed))
	mux.Handle("GET /kiosk/sw.js", h.Kit.H(kioskFile(kioskSW, "text/javascript; charset=utf-8", false)))
	mux.Handle("GET /api/v1/content/{id}", h.Kit.H(h.apiItemGet))
	mux.Handle("GET /api/v1/content/search", h.Kit.H(h.apiSearch))
	// Console: items in the caller's scope, the form with both language versions, the workflow.
	mux.Handle("GET /console/content", h.Kit.H(account.Staff(h.list)))
	mux.Handle("GET /console/content/new", h.Kit.H(account.Staff(h.newForm)))
	mux.Handle("GET /console/content/search", h.Kit.H(account.Staff(h.consoleSearch)))
	mux.Handle("POST /console/content", h.Kit.H(account.Staff(h.create)))
	mux.Handle("GET /console/content/{id}", h.Kit.H(account.Staff(h.detail)))
	mux.Handle("GET /console/content/{id}/edit", h.Kit.H(account.Staff(h.editForm)))
	mux.Handle("POST /console/content/{id}", h.Kit.H(account.Staff(h.update)))
	mux.Handle("GET /console/content/{id}/preview", h.Kit.H(account.Staff(h.preview)))
	mux.Handle("GET /console/content/{id}/poster", h.Kit.H(account.Staff(h.consolePoster)))
	mux.Handle("POST /console/content/{id}/{action}", h.Kit.H(account.Staff(h.act)))
	// Reach: pushes to outside platforms and their imported figures, in the caller's scope.
	mux.Handle("GET /console/reach", h.Kit.H(account.Staff(h.reach)))
	mux.Handle("GET /console/reach/records", h.Kit.H(account.Staff(h.reachRecords)))
	mux.Handle("GET /console/reach/pushes", h.Kit.H(account.Staff(h.pushes)))
	mux.Handle("POST /console/reach/pushes", h.Kit.H(account.Staff(h.recordPush)))
	mux.Handle("POST /console/reach/imports", h.Kit.H(account.Staff(h.importReach)))
	mux.Handle("GET /console/reach/template", h.Kit.H(account.Staff(h.reachTemplate)))
	mux.Handle("GET /console/reach/imports/{id}", h.Kit.H(account.Staff(h.reachImport)))
}

// Nav names the content pages.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{
		{Key: "nav.content", Href: "/content"},
		{Key: "nav.content_console", Href: "/console/content", Staff: true},
		{Key: "reach.title", Href: "/console/reach", Staff: true},
	}
}
