package content

import (
	"context"
	"embed"
	"net/http"

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
}

// Routes lists every route the content domain serves.
func (h *Handler) Routes(mux *http.ServeMux) {
	// Public, no sign-in: only items published with their publish_at passed; any other id is 404.
	mux.Handle("GET /content", h.Kit.H(h.home))
	mux.Handle("GET /content/topics/{topic}", h.Kit.H(h.topic))
	mux.Handle("GET /content/feed.xml", h.Kit.H(h.feed))
	mux.Handle("GET /content/search", h.Kit.H(h.search))
	mux.Handle("GET /content/mongolian-font.css", h.Kit.H(h.fontCSS))
	mux.Handle("GET /content/{id}", h.Kit.H(h.item))
	mux.Handle("GET /content/posters/{id}", h.Kit.H(h.publicPoster))
	mux.Handle("GET /api/v1/content", h.Kit.H(h.apiList))
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
}

// Nav names the content pages.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{
		{Key: "nav.content", Href: "/content"},
		{Key: "nav.content_console", Href: "/console/content", Staff: true},
	}
}
