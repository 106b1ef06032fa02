package content

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
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
	id, err := web.PathID(r, "station")
	if err != nil {
		return KioskPage{}, err
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

// kiosk serves /kiosk/{station}: the station's full-screen page rotating up to KioskItems
// items (kioskItems). No sign-in. 404 for a station that is not accredited.
func (h *Handler) kiosk(w http.ResponseWriter, r *http.Request) error {
	p, err := h.kioskStation(r)
	if err != nil {
		return err
	}
	items, err := h.kioskItems(r.Context(), p.Station.RegionCode)
	if err != nil {
		return err
	}
	p.Items = h.rows(items)
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
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
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

// kioskItems chooses what a kiosk in village shows, at most KioskItems: emergency items
// first, then featured ones, then the latest; within each, items of the station's own units
// (its banner, league, the region) before the others; newest first within that.
func (h *Handler) kioskItems(ctx context.Context, village string) ([]Item, error) {
	var groups [][]Item
	for _, q := range []PublicQuery{{Emergency: true, Limit: KioskItems}, {Featured: true, Limit: KioskItems}, {Limit: 50}} {
		items, err := h.Store.Latest(ctx, q)
		if err != nil {
			return nil, err
		}
		var local, other []Item
		for _, it := range items {
			if region.Within(village, it.RegionCode) {
				local = append(local, it)
			} else {
				other = append(other, it)
			}
		}
		groups = append(groups, local, other)
	}
	var out []Item
	have := map[int64]bool{}
	for _, g := range groups {
		for _, it := range g {
			if len(out) < KioskItems && !have[it.ID] {
				have[it.ID] = true
				out = append(out, it)
			}
		}
	}
	return out, nil
}
