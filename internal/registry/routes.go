package registry

import (
	"embed"
	"net/http"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the registry pages for the renderer.
func Templates() web.Templates { return web.PackageTemplates("registry", templateFS) }

// Routes lists every route the registry serves.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /console/registry", h.Kit.H(account.Staff(h.index)))
	mux.Handle("GET /console/memberships/import", h.Kit.H(account.Staff(h.membershipImportForm)))
	mux.Handle("POST /console/memberships/import", h.Kit.H(account.Staff(h.membershipImport)))
	mux.Handle("GET /console/memberships/template", h.Kit.H(account.Staff(h.membershipTemplate)))
	mux.Handle("POST /console/memberships/{mid}/{action}", h.Kit.H(account.Staff(h.membershipAction)))
	mux.Handle("POST /console/registry/volunteer-teams/{id}/members", h.Kit.H(account.Staff(h.join)))
	mux.Handle("GET /console/registry/{kind}", h.Kit.H(account.Staff(h.list)))
	mux.Handle("GET /console/registry/{kind}/new", h.Kit.H(account.Staff(h.newForm)))
	mux.Handle("POST /console/registry/{kind}", h.Kit.H(account.Staff(h.create)))
	mux.Handle("GET /console/registry/{kind}/import", h.Kit.H(account.Staff(h.importForm)))
	mux.Handle("POST /console/registry/{kind}/import", h.Kit.H(account.Staff(h.importFile)))
	mux.Handle("GET /console/registry/{kind}/template", h.Kit.H(account.Staff(h.template)))
	mux.Handle("GET /console/registry/{kind}/export", h.Kit.H(account.Staff(h.export)))
	mux.Handle("GET /console/registry/{kind}/{id}", h.Kit.H(account.Staff(h.detail)))
	mux.Handle("GET /console/registry/{kind}/{id}/edit", h.Kit.H(account.Staff(h.editForm)))
	mux.Handle("POST /console/registry/{kind}/{id}", h.Kit.H(account.Staff(h.update)))
	mux.Handle("POST /console/registry/{kind}/{id}/delete", h.Kit.H(account.Staff(h.remove)))
	mux.Handle("POST /console/registry/{kind}/{id}/reveal", h.Kit.H(account.Staff(h.reveal)))
	mux.Handle("GET /console/estations", h.Kit.H(account.Staff(h.applications)))
	mux.Handle("GET /console/estations/new", h.Kit.H(account.Staff(h.newApplication)))
	mux.Handle("POST /console/estations", h.Kit.H(account.Staff(h.submitApplication)))
	mux.Handle("GET /console/estations/{id}", h.Kit.H(account.Staff(h.application)))
	mux.Handle("POST /console/estations/{id}/{step}", h.Kit.H(account.Staff(h.decideApplication)))
	mux.Handle("GET /api/v1/registry/{kind}", h.Kit.H(h.apiList))
	mux.Handle("GET /api/v1/registry/{kind}/{id}", h.Kit.H(h.apiGet))
	mux.Handle("POST /api/v1/registry/{kind}", h.Kit.H(h.apiCreate))
}

// Nav names the registry in the console.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.registry", Href: "/console/registry", Staff: true}, {Key: "nav.estations", Href: "/console/estations", Staff: true}}
}
