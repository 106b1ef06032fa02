package activity

import (
	"net/http"

	"github.com/kepu/kepu/internal/account"
)

// volunteerRoutes: volunteer shifts, hours, star levels and award eligibility. Every page is
// for staff; every query is limited to the caller's scope (the team's unit decides).
func (h *Handler) volunteerRoutes(mux *http.ServeMux) {
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
}
