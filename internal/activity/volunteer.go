package activity

import "net/http"

// volunteerRoutes: volunteer shifts, hours, star levels and award eligibility.
func (h *Handler) volunteerRoutes(mux *http.ServeMux) {}
