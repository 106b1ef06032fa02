package account

import (
	"embed"
	"net/http"

	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the account pages for the renderer.
func Templates() web.Templates {
	return web.PackageTemplates("account", templateFS)
}

// Routes lists every route the account package serves.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /login", h.Kit.H(h.loginForm))
	mux.Handle("POST /login", h.Kit.H(h.login))
	mux.Handle("POST /logout", h.Kit.H(h.logout))
	mux.Handle("GET /setup/{token}", h.Kit.H(h.setupForm))
	mux.Handle("POST /setup/{token}", h.Kit.H(h.setup))
	mux.Handle("GET /console/users", h.Kit.H(Staff(h.users)))
	mux.Handle("GET /console/users/new", h.Kit.H(Staff(h.newUserForm)))
	mux.Handle("POST /console/users", h.Kit.H(Staff(h.createUser)))
	mux.Handle("GET /console/users/{id}", h.Kit.H(Staff(h.userDetail)))
	mux.Handle("POST /console/users/{id}/roles", h.Kit.H(Staff(h.grantRole)))
	mux.Handle("POST /console/users/{id}/roles/revoke", h.Kit.H(Staff(h.revokeRole)))
	mux.Handle("GET /api/v1/me", h.Kit.H(h.apiMe))
}

// Nav names the account pages in the console.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.users", Href: "/console/users", Staff: true}}
}
