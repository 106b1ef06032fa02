package forms

import (
	"context"
	"embed"
	"net/http"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the forms pages for the renderer (names "forms/…").
func Templates() web.Templates { return web.PackageTemplates("forms", templateFS) }

// Handler serves the annual statistics forms in the console.
type Handler struct {
	Kit   *web.Kit
	Store *Store
	// Now gives the current year (the year being filed is the one before it); nil: time.Now.
	Now func() time.Time
	// AccountNames names the accounts in a form's history (account.Store.Usernames); nil shows ids.
	AccountNames func(ctx context.Context, ids []int64) (map[int64]string, error)
	// Records links a form's pre-filled lines to the unit's own records (RecordsFrom); nil:
	// an association's lines get no links (a venue's link to its record all the same).
	Records Records
}

// Routes lists every route of the forms.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /console/stats/forms", h.Kit.H(account.Staff(h.list)))
	mux.Handle("POST /console/stats/forms", h.Kit.H(account.Staff(h.open)))
	mux.Handle("GET /console/stats/forms/summary", h.Kit.H(account.Staff(h.summary)))
	mux.Handle("GET /console/stats/forms/import", h.Kit.H(account.Staff(h.importForm)))
	mux.Handle("POST /console/stats/forms/import", h.Kit.H(account.Staff(h.importFile)))
	mux.Handle("GET /console/stats/forms/{id}", h.Kit.H(account.Staff(h.form)))
	mux.Handle("POST /console/stats/forms/{id}", h.Kit.H(account.Staff(h.save)))
	mux.Handle("POST /console/stats/forms/{id}/review", h.Kit.H(account.Staff(h.review)))
	mux.Handle("GET /console/stats/forms/{id}/export", h.Kit.H(account.Staff(h.export)))
	mux.Handle("GET /api/v1/stats/forms", h.Kit.H(h.apiList))
	mux.Handle("GET /api/v1/stats/forms/{id}", h.Kit.H(h.apiForm))
}

// Nav names the forms in the console.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{{Key: "forms.nav", Href: "/console/stats/forms", Staff: true}}
}
