package dashboard

import (
	"embed"
	"net/http"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the dashboard's pages for the renderer ("dashboard/…").
func Templates() web.Templates {
	t := web.PackageTemplates("dashboard", templateFS)
	t.DevDir = "internal/stats/dashboard/templates"
	return t
}

// Handler serves the dashboard pages.
type Handler struct {
	Kit        *web.Kit
	Stats      *stats.Registry
	Regions    *region.Store
	Boundaries *Boundaries
	// Root is the installation's province code: only its region admins replace the map.
	Root string

	cache Cache
}

// Routes lists every route of the dashboard.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /console/stats/dashboard", h.Kit.H(account.Staff(h.dashboard)))
	mux.Handle("GET /console/stats/dashboard/boundaries.geojson", h.Kit.H(account.Staff(h.boundaries)))
	mux.Handle("GET /console/stats/dashboard/map", h.Kit.H(account.Staff(h.mapForm)))
	mux.Handle("POST /console/stats/dashboard/map", h.Kit.H(account.Staff(h.mapUpload)))
}

// Nav names the dashboard on the console.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{{Key: "dashboard.nav", Href: "/console/stats/dashboard", Staff: true}}
}
