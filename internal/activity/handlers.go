package activity

import "net/http"

// recordRoutes: activity records, review, versions, import and roll-ups.
func (h *Handler) recordRoutes(mux *http.ServeMux) {}
