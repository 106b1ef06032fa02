package activity

import (
	"embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the activity pages for the renderer.
func Templates() web.Templates { return web.PackageTemplates("activity", templateFS) }

// Handler serves the activity pages and API. Each part of the domain registers its own routes
// in its file (records, sign-up and check-in, volunteer service, service orders); Routes lists
// them all.
type Handler struct {
	Kit      *web.Kit
	Store    *Store
	Regions  *region.Store
	Registry *registry.Store
	Log      *slog.Logger
	// TicketKey signs QR ticket payloads (HMAC-SHA256); at least 32 bytes.
	TicketKey []byte
	// CheckInGrace is how long after an activity's end a check-in is still accepted.
	CheckInGrace time.Duration
}

// Routes lists every route the activity domain serves.
func (h *Handler) Routes(mux *http.ServeMux) {
	h.recordRoutes(mux)
	h.signupRoutes(mux)
	h.volunteerRoutes(mux)
	h.orderRoutes(mux)
}

// Nav names the activity pages in the console.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{
		{Key: "nav.activities", Href: "/console/activities", Staff: true},
		{Key: "nav.volunteer", Href: "/console/volunteer", Staff: true},
		{Key: "nav.orders", Href: "/console/orders", Staff: true},
	}
}
