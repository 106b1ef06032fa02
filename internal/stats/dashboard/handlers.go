package dashboard

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/web"
)

// page is the dashboard page's data.
type page struct {
	web.Page
	*Data
	Years  []int
	Up     string // link to the parent's dashboard ("" at the top of the scope)
	HasMap bool
	Chart  chartData
	CanMap bool
	Region string
	// Computed is when the figures were computed (see CacheFor).
	Computed time.Time
}

// chartData is what stats-dashboard.js draws, embedded in the page as JSON.
type chartData struct {
	Year     int          `json:"year"`
	Trends   []chartTrend `json:"trends"`
	Children []chartKid   `json:"children"`
	Codes    []string     `json:"codes"`
	Names    []string     `json:"names"`
	Map      string       `json:"map,omitempty"` // URL of the boundary file
}

type chartTrend struct {
	Name   string    `json:"name"`
	Unit   string    `json:"unit"`
	Months []float64 `json:"months"`
}

type chartKid struct {
	Code   string    `json:"code"`
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// query reads ?region= and ?year= (default: the caller's single root, this year in China).
func query(r *http.Request, scope region.Scope) (stats.Query, error) {
	q := stats.Query{Unit: r.URL.Query().Get("region"), Year: time.Now().In(web.China).Year(), Scope: scope}
	if y := r.URL.Query().Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			return q, web.Errorf(http.StatusBadRequest, "dashboard.bad_year", y)
		}
		q.Year = n
	}
	if q.Unit == "" {
		roots := scope.Roots()
		if len(roots) == 0 {
			return q, web.Forbidden(nil)
		}
		q.Unit = roots[0]
	}
	return q, nil
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	q, err := query(r, p.Scope())
	if err != nil {
		return err
	}
	d, at, err := h.cache.Get(r.Context(), h.Stats, h.Regions, q)
	if err != nil {
		return stats.WebError(err, "dashboard.bad_query")
	}
	pg := page{Page: h.Kit.Page(r, "dashboard.title"), Data: d, Region: d.Unit.Code, Computed: at,
		CanMap: p.Holds(region.LevelRegion, h.Root)}
	for y := q.Year + 1; y >= q.Year-5; y-- {
		pg.Years = append(pg.Years, y)
	}
	if d.Unit.ParentCode != "" && q.Scope.Contains(d.Unit.ParentCode) {
		pg.Up = fmt.Sprintf("/console/stats/dashboard?region=%s&year=%d", d.Unit.ParentCode, d.Year)
	}
	if _, ok, err := h.Boundaries.Get(r.Context()); err != nil {
		return err
	} else if ok {
		pg.HasMap = true
		pg.Chart.Map = "/console/stats/dashboard/boundaries.geojson"
	}
	pg.Chart.Year = d.Year
	pg.Chart.Codes = d.Codes
	for _, c := range d.Codes {
		ind, _ := h.Stats.Get(c)
		pg.Chart.Names = append(pg.Chart.Names, ind.Name(pg.Lang)+"（"+ind.UnitIn(pg.Lang)+"）")
	}
	for _, t := range d.Trends {
		ct := chartTrend{Name: t.Ind.Name(pg.Lang), Unit: t.Ind.UnitIn(pg.Lang), Months: make([]float64, 12)}
		for m, v := range t.Months {
			ct.Months[m] = finite(number(v))
		}
		pg.Chart.Trends = append(pg.Chart.Trends, ct)
	}
	for _, k := range d.Children {
		ck := chartKid{Code: k.Code, Name: k.Name}
		for _, v := range k.Values {
			ck.Values = append(ck.Values, finite(number(v)))
		}
		pg.Chart.Children = append(pg.Chart.Children, ck)
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "dashboard/dashboard", pg)
}

func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// boundaries serves the normalized boundary file to staff (the map layer's source).
func (h *Handler) boundaries(w http.ResponseWriter, r *http.Request) error {
	b, ok, err := h.Boundaries.Get(r.Context())
	if err != nil {
		return err
	}
	if !ok {
		return web.NotFound(nil)
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "private, no-cache")
	_, err = w.Write(b)
	return err
}

// mapPage is the boundary upload page's data.
type mapPage struct {
	web.Page
	HasMap   bool
	Problem  string
	Features int
	CanMap   bool
}

func (h *Handler) mapForm(w http.ResponseWriter, r *http.Request) error {
	_, ok, err := h.Boundaries.Get(r.Context())
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	return h.Kit.Render.HTML(w, r, http.StatusOK, "dashboard/map", mapPage{Page: h.Kit.Page(r, "dashboard.map_title"),
		HasMap: ok, CanMap: p.Holds(region.LevelRegion, h.Root)})
}

// mapUpload replaces (or with "remove" set, removes) the boundary file; region admins only.
func (h *Handler) mapUpload(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	if !p.Holds(region.LevelRegion, h.Root) {
		return web.Forbidden(nil)
	}
	var file []byte
	if r.FormValue("remove") == "" {
		f, _, err := r.FormFile("file")
		if err != nil {
			return h.mapProblem(w, r, h.Kit.Messages.T(web.Lang(r), "dashboard.map_nofile"))
		}
		defer f.Close()
		file, err = io.ReadAll(io.LimitReader(f, MaxBoundaryBytes+1))
		if err != nil {
			return err
		}
		if len(file) == 0 {
			return h.mapProblem(w, r, h.Kit.Messages.T(web.Lang(r), "dashboard.map_nofile"))
		}
	}
	if _, err := h.Boundaries.Set(r.Context(), file); err != nil {
		var be *BoundaryError
		if errors.As(err, &be) {
			return h.mapProblem(w, r, be.Msg)
		}
		return err
	}
	http.Redirect(w, r, "/console/stats/dashboard/map", http.StatusSeeOther)
	return nil
}

func (h *Handler) mapProblem(w http.ResponseWriter, r *http.Request, msg string) error {
	_, ok, err := h.Boundaries.Get(r.Context())
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "dashboard/map", mapPage{Page: h.Kit.Page(r, "dashboard.map_title"),
		HasMap: ok, Problem: msg, CanMap: true})
}
