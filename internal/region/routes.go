package region

import (
	"embed"
	"net/http"

	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the region pages for the renderer.
func Templates() web.Templates {
	return web.PackageTemplates("region", templateFS)
}

// Routes lists every route the region package serves.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /regions", h.Kit.H(h.browse))
	mux.Handle("GET /regions/{code}", h.Kit.H(h.browse))
	mux.Handle("GET /console/regions/{code}/edit", h.Kit.H(h.editForm))
	mux.Handle("POST /console/regions/{code}", h.Kit.H(h.edit))
	mux.Handle("GET /api/v1/regions", h.Kit.H(h.apiSearch))
	mux.Handle("GET /api/v1/regions/{code}", h.Kit.H(h.apiUnit))
}

// Nav names the region browser.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.regions", Href: "/regions"}, {Key: "nav.regions", Href: "/regions", Staff: true}}
}
