package registry

import (
	"embed"
	"net/http"

	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the registry pages for the renderer.
func Templates() web.Templates { return web.PackageTemplates("registry", templateFS) }

// Routes lists every route the registry serves.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /console/registry", h.Kit.H(h.staff(h.index)))
	mux.Handle("GET /console/memberships/import", h.Kit.H(h.staff(h.membershipImportForm)))
	mux.Handle("POST /console/memberships/import", h.Kit.H(h.staff(h.membershipImport)))
	mux.Handle("GET /console/memberships/template", h.Kit.H(h.staff(h.membershipTemplate)))
	mux.Handle("POST /console/memberships/{mid}/{action}", h.Kit.H(h.staff(h.membershipAction)))
	mux.Handle("POST /console/registry/volunteer-teams/{id}/members", h.Kit.H(h.staff(h.join)))
	mux.Handle("GET /console/registry/{kind}", h.Kit.H(h.staff(h.list)))
	mux.Handle("GET /console/registry/{kind}/new", h.Kit.H(h.staff(h.newForm)))
	mux.Handle("POST /console/registry/{kind}", h.Kit.H(h.staff(h.create)))
	mux.Handle("GET /console/registry/{kind}/import", h.Kit.H(h.staff(h.importForm)))
	mux.Handle("POST /console/registry/{kind}/import", h.Kit.H(h.staff(h.importFile)))
	mux.Handle("GET /console/registry/{kind}/template", h.Kit.H(h.staff(h.template)))
	mux.Handle("GET /console/registry/{kind}/export", h.Kit.H(h.staff(h.export)))
	mux.Handle("GET /console/registry/{kind}/{id}", h.Kit.H(h.staff(h.detail)))
	mux.Handle("GET /console/registry/{kind}/{id}/edit", h.Kit.H(h.staff(h.editForm)))
	mux.Handle("POST /console/registry/{kind}/{id}", h.Kit.H(h.staff(h.update)))
	mux.Handle("POST /console/registry/{kind}/{id}/delete", h.Kit.H(h.staff(h.remove)))
	mux.Handle("POST /console/registry/{kind}/{id}/reveal", h.Kit.H(h.staff(h.reveal)))
	mux.Handle("GET /console/estations", h.Kit.H(h.staff(h.applications)))
	mux.Handle("GET /console/estations/new", h.Kit.H(h.staff(h.newApplication)))
	mux.Handle("POST /console/estations", h.Kit.H(h.staff(h.submitApplication)))
	mux.Handle("GET /console/estations/{id}", h.Kit.H(h.staff(h.application)))
	mux.Handle("POST /console/estations/{id}/{step}", h.Kit.H(h.staff(h.decideApplication)))
	mux.Handle("GET /api/v1/registry/{kind}", h.Kit.H(h.apiList))
	mux.Handle("GET /api/v1/registry/{kind}/{id}", h.Kit.H(h.apiGet))
	mux.Handle("POST /api/v1/registry/{kind}", h.Kit.H(h.apiCreate))
}

// Nav names the registry in the console.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.registry", Href: "/console/registry", Staff: true}, {Key: "nav.estations", Href: "/console/estations", Staff: true}}
}
