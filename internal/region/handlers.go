package region

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/web"
)

// Counter counts records of another package below units, for the region browser's columns.
// Count returns, for the records inside scope, how many have a region code starting with each
// prefix of groupLen digits (codes shorter than groupLen count under the whole code): SQL's
// GROUP BY substr(region_code, 1, groupLen). The browser adds them up per child unit. Staff
// counters show only to signed-in staff and count only inside their scope.
type Counter struct {
	Key   string // message key of the column header
	Staff bool
	Count func(ctx context.Context, scope Scope, groupLen int) (map[string]int, error)
}

// Handler serves the region browser, the unit edit form and the regions API.
type Handler struct {
	Kit      *web.Kit
	Store    *Store
	ScopeOf  func(ctx context.Context) Scope // the signed-in account's scope
	Counters []Counter
	Root     string // canonical code of the unit /regions starts at (e.g. 150000)
}

// BrowsePage is the data of the region browser.
type BrowsePage struct {
	web.Page
	Unit      Unit
	Crumbs    []Unit
	Children  []ChildRow
	Columns   []string // headers of the counter columns
	Totals    []int    // counter totals for the whole unit
	Levels    []LevelCount
	Q         string
	Results   []SearchResult
	CanEdit   bool
	KindLabel string
}

// LevelCount is how many units of a level lie below the unit.
type LevelCount struct {
	Label string
	N     int
}

// ChildRow is one child in the browser with the counts below it.
type ChildRow struct {
	Unit
	KindLabel string
	Below     []LevelCount // units of deeper levels
	Counts    []int        // one per counter column
}

// SearchResult is a unit found by name or code, with its chain for context.
type SearchResult struct {
	Unit
	Path string
}

func (h *Handler) browse(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code := r.PathValue("code")
	if code == "" {
		code = h.Root
	}
	u, err := h.Store.Get(ctx, code)
	if err != nil {
		return web.NotFound(err)
	}
	if u.Code != code {
		http.Redirect(w, r, "/regions/"+u.Code, http.StatusMovedPermanently)
		return nil
	}
	page := BrowsePage{Page: h.Kit.Page(r, "regions.title_unit", u.Name), Unit: u, Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	page.KindLabel = page.T("kind." + string(u.Kind))
	if page.Crumbs, err = h.Store.Ancestors(ctx, u.Code); err != nil {
		return err
	}
	scope := h.ScopeOf(ctx)
	page.CanEdit = scope.Contains(u.Code)
	if page.Q != "" {
		found, err := h.Store.Search(ctx, page.Q, u.Code, 50)
		if err != nil {
			return err
		}
		for _, f := range found {
			page.Results = append(page.Results, SearchResult{Unit: f, Path: h.pathOf(ctx, f)})
		}
	}
	kids, err := h.Store.Children(ctx, u.Code)
	if err != nil {
		return err
	}
	below, err := h.Store.DescendantCounts(ctx, u.Code)
	if err != nil {
		return err
	}
	own, err := h.Store.CountByLevel(ctx, u.Code)
	if err != nil {
		return err
	}
	for l := u.Level + 1; l <= LevelVillage; l++ {
		if own[l] > 0 {
			page.Levels = append(page.Levels, LevelCount{Label: page.T("level." + l.String()), N: own[l]})
		}
	}
	var counters []Counter
	for _, c := range h.Counters {
		if !c.Staff || !scope.Empty() {
			counters = append(counters, c)
		}
	}
	for _, c := range counters {
		page.Columns = append(page.Columns, page.T(c.Key))
	}
	page.Totals = make([]int, len(counters))
	rows := make([]ChildRow, len(kids))
	index := map[string]int{}
	for i, k := range kids {
		rows[i] = ChildRow{Unit: k, KindLabel: page.T("kind." + string(k.Kind)), Counts: make([]int, len(counters))}
		for l := k.Level + 1; l <= LevelVillage; l++ {
			if n := below[k.Code][l]; n > 0 {
				rows[i].Below = append(rows[i].Below, LevelCount{Label: page.T("level." + l.String()), N: n})
			}
		}
		index[Prefix(k.Code)] = i
	}
	childLen := prefixLen(u.Level + 1)
	groupLen := childLen
	if groupLen == 0 {
		groupLen = 12
	}
	for ci, c := range counters {
		cscope := NewScope(u.Code)
		if c.Staff {
			cscope = scope.Narrow(u.Code)
		}
		counts, err := c.Count(ctx, cscope, groupLen)
		if err != nil {
			return fmt.Errorf("region counter %s: %w", c.Key, err)
		}
		for key, n := range counts {
			page.Totals[ci] += n
			if childLen > 0 && len(key) >= childLen {
				if i, ok := index[key[:childLen]]; ok {
					rows[i].Counts[ci] += n
				}
			}
		}
	}
	page.Children = rows
	return h.Kit.Render.HTML(w, r, http.StatusOK, "region/browse", page)
}

func (h *Handler) pathOf(ctx context.Context, u Unit) string {
	chain, err := h.Store.Ancestors(ctx, u.Code)
	if err != nil {
		return ""
	}
	var names []string
	for _, c := range chain {
		names = append(names, c.Name)
	}
	return strings.Join(names, " › ")
}

// EditPage is the data of the unit details form.
type EditPage struct {
	web.Page
	Unit       Unit
	NameMN     string
	Population string
	PopYear    string
	Errors     map[string]string
}

// editable returns the unit if the signed-in account's scope contains it: anonymous visitors
// are sent to sign in, everyone else outside the scope (public users too) gets 403.
func (h *Handler) editable(w http.ResponseWriter, r *http.Request) (Unit, bool, error) {
	scope := h.ScopeOf(r.Context())
	if web.IdentityFrom(r.Context()) == nil {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return Unit{}, false, nil
	}
	u, err := h.Store.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return Unit{}, false, web.NotFound(err)
	}
	if !scope.Contains(u.Code) {
		return Unit{}, false, web.Forbidden(fmt.Errorf("unit %s outside scope %v", u.Code, scope.Roots()))
	}
	return u, true, nil
}

func (h *Handler) editForm(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := h.editable(w, r)
	if !ok {
		return err
	}
	page := EditPage{Page: h.Kit.Page(r, "regions.edit", u.Name), Unit: u, NameMN: u.NameMN}
	if u.Population != nil {
		page.Population = strconv.FormatInt(*u.Population, 10)
	}
	if u.PopYear != nil {
		page.PopYear = strconv.Itoa(*u.PopYear)
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "region/edit", page)
}

func (h *Handler) edit(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := h.editable(w, r)
	if !ok {
		return err
	}
	page := EditPage{Page: h.Kit.Page(r, "regions.edit", u.Name), Unit: u, Errors: map[string]string{},
		NameMN: strings.TrimSpace(r.PostFormValue("name_mn")), Population: strings.TrimSpace(r.PostFormValue("population")),
		PopYear: strings.TrimSpace(r.PostFormValue("population_year"))}
	d := Details{NameMN: page.NameMN}
	if page.Population != "" {
		if p, err := strconv.ParseInt(page.Population, 10, 64); err != nil || p < 0 {
			page.Errors["population"] = page.T("regions.err.population")
		} else {
			d.Population = &p
		}
	}
	if page.PopYear != "" {
		if y, err := strconv.Atoi(page.PopYear); err != nil || y < 1949 || y > 2100 {
			page.Errors["population_year"] = page.T("regions.err.year")
		} else {
			d.PopYear = &y
		}
	}
	if (Details{NameMN: d.NameMN}).Validate() != nil {
		page.Errors["name_mn"] = page.T("regions.err.name_mn")
	}
	if len(page.Errors) > 0 {
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "region/edit", page)
	}
	if err := h.Store.SetDetails(r.Context(), u.Code, d); err != nil {
		return err
	}
	http.Redirect(w, r, "/regions/"+u.Code, http.StatusSeeOther)
	return nil
}

// UnitJSON is a unit in the API.
type UnitJSON struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	NameMN     string     `json:"name_mn,omitempty"`
	Level      int        `json:"level"`
	LevelName  string     `json:"level_name"`
	Kind       Kind       `json:"kind"`
	ParentCode string     `json:"parent_code,omitempty"`
	Population *int64     `json:"population,omitempty"`
	Children   []UnitJSON `json:"children,omitempty"`
}

func toJSON(u Unit) UnitJSON {
	return UnitJSON{Code: u.Code, Name: u.Name, NameMN: u.NameMN, Level: int(u.Level), LevelName: u.Level.String(),
		Kind: u.Kind, ParentCode: u.ParentCode, Population: u.Population}
}

// apiUnit serves GET /api/v1/regions/{code}: the unit and its children.
func (h *Handler) apiUnit(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Store.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return &web.Error{Status: http.StatusNotFound, Key: "regions.err.unknown", Args: []any{r.PathValue("code")}, Err: err}
		}
		return err
	}
	kids, err := h.Store.Children(r.Context(), u.Code)
	if err != nil {
		return err
	}
	out := toJSON(u)
	out.Children = []UnitJSON{}
	for _, k := range kids {
		out.Children = append(out.Children, toJSON(k))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiSearch serves GET /api/v1/regions?q=…: units whose name contains q or whose code starts
// with it, at most 50.
func (h *Handler) apiSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		return web.Errorf(http.StatusBadRequest, "regions.err.q")
	}
	found, err := h.Store.Search(r.Context(), q, "", 50)
	if err != nil {
		return err
	}
	out := []UnitJSON{}
	for _, f := range found {
		out = append(out, toJSON(f))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"results": out})
	return nil
}
