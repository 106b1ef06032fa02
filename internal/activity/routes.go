package activity

import (
	"context"
	"embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/kepu/kepu/internal/account"
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
	// AccountNames names the accounts in histories (account.Store.Usernames); nil shows ids.
	AccountNames func(ctx context.Context, ids []int64) (map[int64]string, error)
}

// Routes lists every route the activity domain serves.
func (h *Handler) Routes(mux *http.ServeMux) {
	// Records, review, versions, photos, import and roll-ups.
	mux.Handle("GET /console/activities", h.Kit.H(account.Staff(h.list)))
	mux.Handle("GET /console/activities/new", h.Kit.H(account.Staff(h.newForm)))
	mux.Handle("POST /console/activities", h.Kit.H(account.Staff(h.create)))
	mux.Handle("GET /console/activities/import", h.Kit.H(account.Staff(h.importForm)))
	mux.Handle("POST /console/activities/import", h.Kit.H(account.Staff(h.importFile)))
	mux.Handle("GET /console/activities/template", h.Kit.H(account.Staff(h.template)))
	mux.Handle("GET /console/activities/rollup", h.Kit.H(account.Staff(h.rollup)))
	mux.Handle("GET /console/activities/{id}", h.Kit.H(account.Staff(h.detail)))
	mux.Handle("GET /console/activities/{id}/edit", h.Kit.H(account.Staff(h.editForm)))
	mux.Handle("POST /console/activities/{id}", h.Kit.H(account.Staff(h.update)))
	mux.Handle("POST /console/activities/{id}/photos", h.Kit.H(account.Staff(h.addPhoto)))
	mux.Handle("GET /console/activities/{id}/photos/{pid}", h.Kit.H(account.Staff(h.photo)))
	mux.Handle("POST /console/activities/{id}/photos/{pid}/delete", h.Kit.H(account.Staff(h.deletePhoto)))
	mux.Handle("POST /console/activities/{id}/{action}", h.Kit.H(account.Staff(h.act)))
	mux.Handle("GET /api/v1/activities", h.Kit.H(h.apiList))
	mux.Handle("GET /api/v1/activities/rollup", h.Kit.H(h.apiRollup))
	// Public sign-up and QR tickets (no sign-in), staff check-in and its API.
	// Public, no sign-in: the sign-up form of an activity, the ticket page (its link carries the
	// ticket's secret nonce as ?k=, which is the only proof of holding it) and cancellation (the
	// nonce in the form), and the ticket's own language switch (the nonce in the form too).
	// The nonce is never in a URL path, which the request log records. Sign-ups are limited
	// per client address (SignupsPerAddr). Staff: the check-in page (camera, typed code,
	// walk-ins, an offline queue, cancelling a ticket by phone) and its JSON API. Every
	// check-in goes through one CheckInWriter per site, which commits concurrent requests together.
	cw := NewCheckInWriter(h.Store, CheckInRules{Key: h.TicketKey, Grace: h.CheckInGrace})
	mux.Handle("GET /activities", h.Kit.H(h.upcoming))
	mux.Handle("GET /activities/{id}/signup", h.Kit.H(h.signupForm))
	limits := newSignupLimits() // per process: see SignupsPerAddr
	mux.Handle("POST /activities/{id}/signup", h.Kit.H(func(w http.ResponseWriter, r *http.Request) error { return h.signup(limits, w, r) }))
	mux.Handle("GET /tickets/{rid}", h.Kit.H(h.ticket))
	mux.Handle("POST /tickets/{rid}/cancel", h.Kit.H(h.cancelTicket))
	mux.Handle("POST /tickets/{rid}/lang", h.Kit.H(h.ticketLang))
	mux.Handle("GET /console/activities/{id}/checkin", h.Kit.H(account.Staff(h.checkinPage)))
	mux.Handle("POST /console/activities/{id}/checkin", h.Kit.H(account.Staff(func(w http.ResponseWriter, r *http.Request) error { return h.checkinForm(cw, w, r) })))
	mux.Handle("POST /console/activities/{id}/walkins", h.Kit.H(account.Staff(func(w http.ResponseWriter, r *http.Request) error { return h.walkinForm(cw, w, r) })))
	mux.Handle("POST /console/activities/{id}/cancellations", h.Kit.H(account.Staff(h.staffCancel)))
	mux.Handle("GET /api/v1/activities/{id}/checkins", h.Kit.H(h.apiCheckinStatus))
	mux.Handle("POST /api/v1/activities/{id}/checkins", h.Kit.H(func(w http.ResponseWriter, r *http.Request) error { return h.apiCheckin(cw, w, r) }))
	// Volunteer shifts, hours, star levels and award eligibility (the team's unit decides scope).
	mux.Handle("GET /console/volunteer", h.Kit.H(account.Staff(h.volShifts)))
	mux.Handle("GET /console/volunteer/shifts/new", h.Kit.H(account.Staff(h.volNewShift)))
	mux.Handle("POST /console/volunteer/shifts", h.Kit.H(account.Staff(h.volCreateShift)))
	mux.Handle("GET /console/volunteer/shifts/{id}", h.Kit.H(account.Staff(h.volShift)))
	mux.Handle("POST /console/volunteer/shifts/{id}/signups", h.Kit.H(account.Staff(h.volSignUp)))
	mux.Handle("POST /console/volunteer/shifts/{id}/walkins", h.Kit.H(account.Staff(h.volWalkIn)))
	mux.Handle("POST /console/volunteer/hours/{hid}/{action}", h.Kit.H(account.Staff(h.volHoursAction)))
	mux.Handle("GET /console/volunteer/volunteers/{id}", h.Kit.H(account.Staff(h.volVolunteer)))
	mux.Handle("GET /console/volunteer/awards", h.Kit.H(account.Staff(h.volAwards)))
	mux.Handle("GET /console/volunteer/awards/export", h.Kit.H(account.Staff(h.volExportAwards)))
	// Service orders (点单 / 派单 / 接单 / 评单).
	mux.Handle("GET /console/orders", h.Kit.H(account.Staff(h.orders)))
	mux.Handle("GET /console/orders/new", h.Kit.H(account.Staff(h.newOrder)))
	mux.Handle("POST /console/orders", h.Kit.H(account.Staff(h.createOrder)))
	mux.Handle("GET /console/orders/{id}", h.Kit.H(account.Staff(h.order)))
	mux.Handle("POST /console/orders/{id}/{action}", h.Kit.H(account.Staff(h.orderAction)))
	mux.Handle("GET /api/v1/orders", h.Kit.H(h.apiOrders))
	mux.Handle("POST /api/v1/orders", h.Kit.H(h.apiCreateOrder))
	mux.Handle("POST /api/v1/orders/{id}/{action}", h.Kit.H(h.apiOrderAction))
}

// Nav names the activity pages in the console.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{
		{Key: "nav.signup", Href: "/activities"},
		{Key: "nav.activities", Href: "/console/activities", Staff: true},
		{Key: "nav.volunteer", Href: "/console/volunteer", Staff: true},
		{Key: "nav.orders", Href: "/console/orders", Staff: true},
	}
}
