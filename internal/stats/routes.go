package stats

import (
	"embed"
	"net/http"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the statistics core's pages (the funds ledger console).
func Templates() web.Templates { return web.PackageTemplates("stats", templateFS) }

// Handler serves the open-data indicators API and the funds ledger console.
type Handler struct {
	Kit      *web.Kit
	Registry *Registry
	// Root is the canonical code of the province (the unit the public API answers for).
	Root string
}

// Routes lists every route of the statistics core.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/indicators", h.Kit.H(h.apiIndicators))
	mux.Handle("GET /console/funds", h.Kit.H(account.Staff(h.funds)))
	mux.Handle("POST /console/funds", h.Kit.H(account.Staff(h.addFund)))
	mux.Handle("POST /console/funds/{id}/delete", h.Kit.H(account.Staff(h.deleteFund)))
}

// Nav lists the console entries.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{{Key: "stats.funds.title", Href: "/console/funds", Staff: true}}
}
