package activity

import "net/http"

// signupRoutes: public sign-up with QR tickets, staff check-in (owned by the sign-up part).
func (h *Handler) signupRoutes(mux *http.ServeMux) {}
