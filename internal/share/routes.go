package share

import (
	"embed"
	"net/http"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the share pages for the renderer.
func Templates() web.Templates { return web.PackageTemplates("share", templateFS) }

// Routes lists every route the share domain serves.
func (h *Handler) Routes(mux *http.ServeMux) {
	// Public: the short links (GET also answers HEAD, which is recorded and not counted).
	mux.Handle("GET /s/{code}", h.Kit.H(h.follow))
	mux.Handle("GET /share/metrics", h.Kit.H(h.metrics))
	// Officers (signed in with their officer number and sign-in code).
	mux.Handle("GET /share", h.Kit.H(h.home))
	mux.Handle("POST /share/signin", h.Kit.H(h.signIn))
	mux.Handle("POST /share/signout", h.Kit.H(h.signOut))
	mux.Handle("POST /share/links", h.Kit.H(h.takeLink))
	mux.Handle("GET /share/links/{code}", h.Kit.H(h.linkPage))
	mux.Handle("POST /share/checkin", h.Kit.H(h.checkIn))
	// Console: figures, rankings, sign-in codes, the review queue, national figures; in scope.
	mux.Handle("GET /console/share", h.Kit.H(account.Staff(h.report)))
	mux.Handle("GET /console/share/rankings", h.Kit.H(account.Staff(h.rankings)))
	mux.Handle("POST /console/share/codes", h.Kit.H(account.Staff(h.issueCode)))
	mux.Handle("POST /console/share/datacentres", h.Kit.H(account.Staff(h.setDataCentres)))
	mux.Handle("POST /console/share/national", h.Kit.H(account.Staff(h.importNational)))
	mux.Handle("GET /console/share/national/template", h.Kit.H(account.Staff(h.nationalTemplate)))
	mux.Handle("GET /console/share/cases", h.Kit.H(account.Staff(h.cases)))
	mux.Handle("POST /console/share/cases/scan", h.Kit.H(account.Staff(h.scan)))
	mux.Handle("POST /console/share/cases/{id}/{action}", h.Kit.H(account.Staff(h.decide)))
	// JSON API (staff, in scope): the rankings page's figures and top officers.
	mux.Handle("GET /api/v1/share/rankings", h.Kit.H(h.apiRankings))
	mux.Handle("GET /api/v1/share/officers", h.Kit.H(h.apiOfficers))
}

// Nav names the share pages.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{
		{Key: "share.title", Href: "/share"},
		{Key: "share.report_title", Href: "/console/share", Staff: true},
	}
}
