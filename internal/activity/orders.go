package activity

import "net/http"

// orderRoutes: request–dispatch service orders.
func (h *Handler) orderRoutes(mux *http.ServeMux) {}
