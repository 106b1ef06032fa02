package content

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/web"
)

// KioskItems is how many items a kiosk rotates: the featured ones, then the latest.
const KioskItems = 12

// kioskCache lets a kiosk page be shown from the tablet's own cache for a minute, and while
// the link is down for up to a week (RFC 5861 stale-if-error), besides the service worker.
// private: web's CSRF middleware sets a cookie on a first visit, which a shared cache must
// never hand to another visitor.
const kioskCache = "private, max-age=60, stale-while-revalidate=86400, stale-if-error=604800"

// KioskPage is the data of the e-station kiosk pages: the list of items, or one item.
type KioskPage struct {
	web.Page
	Station        registry.KioskStation
	CSS, JS        string
	Items          []Row
	It             *Row
	ZhBody, MnBody template.HTML
}

func (h *Handler) stations() *registry.Store {
	return &registry.Store{DB: h.Store.DB, Regions: h.Regions}
}

func (h *Handler) kioskStation(r *http.Request) (KioskPage, error) {
	id, err := strconv.ParseInt(r.PathValue("station"), 10, 64)
	if err != nil {
		return KioskPage{}, web.NotFound(err)
	}
	st, err := h.stations().KioskStation(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return KioskPage{}, web.NotFound(err)
	}
	if err != nil {
		return KioskPage{}, err
	}
	p := KioskPage{Page: h.Kit.Page(r, "kiosk.title"), Station: st, CSS: kioskCSSURL, JS: kioskJSURL}
	p.Title = st.Name
	return p, nil
}

// kiosk serves /kiosk/{station}: the station's full-screen page rotating featured items (the
// latest fill up to KioskItems). No sign-in. 404 for a station that is not accredited.
func (h *Handler) kiosk(w http.ResponseWriter, r *http.Request) error {
	p, err := h.kioskStation(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	featured, err := h.Store.Latest(ctx, PublicQuery{Featured: true, Limit: KioskItems})
	if err != nil {
		return err
	}
	if len(featured) < KioskItems {
		latest, err := h.Store.Latest(ctx, PublicQuery{Limit: KioskItems})
		if err != nil {
			return err
		}
		have := map[int64]bool{}
		for _, it := range featured {
			have[it.ID] = true
		}
		for _, it := range latest {
			if len(featured) < KioskItems && !have[it.ID] {
				featured = append(featured, it)
			}
		}
	}
	p.Items = h.rows(featured)
	w.Header().Set("Cache-Control", kioskCache)
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/kiosk", p)
}

// kioskItem serves /kiosk/{station}/items/{id}: one public item in large type, counted as a
// view on channel "estation" in the station's village.
func (h *Handler) kioskItem(w http.ResponseWriter, r *http.Request) error {
	p, err := h.kioskStation(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return web.NotFound(err)
	}
	it, err := h.Store.GetPublic(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	h.Views.Count(r, it.ID, ChannelEStation, p.Station.RegionCode)
	row := rowOf(it, h.Store.now())
	p.It, p.Title = &row, it.Zh.Title
	p.ZhBody, p.MnBody = template.HTML(Sanitize(it.Zh.Body)), template.HTML(Sanitize(it.Mn.Body))
	w.Header().Set("Cache-Control", kioskCache)
	return h.Kit.Render.HTML(w, r, http.StatusOK, "content/kiosk_item", p)
}

func kioskFile(body, contentType string, immutable bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", contentType)
		if immutable && r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		fmt.Fprint(w, body)
		return nil
	}
}
