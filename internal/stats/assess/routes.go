package assess

import (
	"embed"
	"net/http"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the assessment pages for the renderer.
func Templates() web.Templates { return web.PackageTemplates("assess", templateFS) }

// Handler serves the assessment console pages (staff only, limited to the caller's scope).
type Handler struct {
	Kit     *web.Kit
	Store   *Store
	Engine  *Engine
	Regions *region.Store
}

// Routes lists every route of assessment.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /console/stats/assess", h.Kit.H(account.Staff(h.index)))
	mux.Handle("GET /console/stats/assess/new", h.Kit.H(account.Staff(h.newForm)))
	mux.Handle("POST /console/stats/assess", h.Kit.H(account.Staff(h.create)))
	mux.Handle("GET /console/stats/assess/{id}", h.Kit.H(account.Staff(h.ranking)))
	mux.Handle("GET /console/stats/assess/{id}/edit", h.Kit.H(account.Staff(h.editForm)))
	mux.Handle("POST /console/stats/assess/{id}", h.Kit.H(account.Staff(h.update)))
	mux.Handle("GET /console/stats/assess/{id}/export", h.Kit.H(account.Staff(h.export)))
	mux.Handle("POST /console/stats/assess/{id}/delete", h.Kit.H(account.Staff(h.remove)))
	mux.Handle("GET /api/v1/stats/assess/{system}/scores", h.Kit.H(h.apiScores))
}

// Nav names the assessment pages in the console.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.assess", Href: "/console/stats/assess", Staff: true}}
}
