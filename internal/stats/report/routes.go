package report

import (
	"embed"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Templates returns the report's console pages for the renderer ("report/…"); the report
// itself is a standalone document (Render).
func Templates() web.Templates {
	t := web.PackageTemplates("report", templateFS)
	t.DevDir = "internal/stats/report/templates"
	return t
}

// Handler serves the annual report, its data appendix and the national-rank form.
type Handler struct {
	Kit     *web.Kit
	Stats   *stats.Registry
	Regions *region.Store
	Ranks   *Ranks
}

// Routes lists every route of the report.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /console/stats/report", h.Kit.H(account.Staff(h.report)))
	mux.Handle("GET /console/stats/report.xlsx", h.Kit.H(account.Staff(h.appendix)))
	mux.Handle("GET /console/stats/report/ranks", h.Kit.H(account.Staff(h.ranksForm)))
	mux.Handle("POST /console/stats/report/ranks", h.Kit.H(account.Staff(h.ranksSave)))
	mux.HandleFunc("GET "+CSSPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Write([]byte(CSS))
	})
}

// Nav names the report on the console.
func (h *Handler) Nav() []web.NavItem {
	return []web.NavItem{{Key: "report.nav", Href: "/console/stats/report", Staff: true}}
}

// query reads ?region= and ?year= (default: the caller's first root, last year in China).
func query(r *http.Request, scope region.Scope) (stats.Query, error) {
	q := stats.Query{Unit: r.FormValue("region"), Year: time.Now().In(web.China).Year(), Scope: scope}
	if y := r.FormValue("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			return q, web.Errorf(http.StatusBadRequest, "report.bad_year", y)
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
	c, err := region.Normalize(q.Unit)
	if err != nil {
		return q, web.Errorf(http.StatusBadRequest, "report.bad_region", q.Unit)
	}
	q.Unit = c
	if !scope.Contains(c) {
		return q, web.NotFound(stats.ErrOutOfScope)
	}
	return q, nil
}

func (h *Handler) build(r *http.Request) (*Report, stats.Query, error) {
	q, err := query(r, account.FromContext(r.Context()).Scope())
	if err != nil {
		return nil, q, err
	}
	ranks, err := h.Ranks.Get(r.Context(), q.Unit, q.Year)
	if err != nil {
		return nil, q, err
	}
	rep, err := Build(r.Context(), h.Stats, h.Regions, q, ranks)
	if err != nil {
		return nil, q, stats.WebError(err, "report.bad_query")
	}
	return rep, q, nil
}

func (h *Handler) report(w http.ResponseWriter, r *http.Request) error {
	rep, q, err := h.build(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return Render(w, rep, Options{
		Appendix: fmt.Sprintf("/console/stats/report.xlsx?region=%s&year=%d", q.Unit, q.Year),
		Ranks:    fmt.Sprintf("/console/stats/report/ranks?region=%s&year=%d", q.Unit, q.Year),
	})
}

func (h *Handler) appendix(w http.ResponseWriter, r *http.Request) error {
	rep, q, err := h.build(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="report-%s-%d.xlsx"`, q.Unit, q.Year))
	return Appendix(w, "xlsx", rep, "")
}

// ranksPage is the national-rank form's data.
type ranksPage struct {
	web.Page
	Unit   region.Unit
	Year   int
	Rows   []rankRow
	Errors web.FieldErrors
	Saved  bool
}

type rankRow struct {
	Code, Name, Section, Value string
}

func (h *Handler) ranksPage(r *http.Request, q stats.Query, values map[string]string) (ranksPage, error) {
	u, err := h.Regions.Get(r.Context(), q.Unit)
	if err != nil {
		return ranksPage{}, stats.WebError(err, "report.bad_query")
	}
	pg := ranksPage{Page: h.Kit.Page(r, "report.ranks_title"), Unit: u, Year: q.Year}
	for _, s := range append([]string{stats.SectionLiteracy}, sectionCodes()...) {
		for _, ind := range h.Stats.Section(s) {
			pg.Rows = append(pg.Rows, rankRow{Code: ind.Code, Name: ind.NameZh, Section: sectionNames[s], Value: values[ind.Code]})
		}
	}
	return pg, nil
}

func (h *Handler) ranksForm(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, account.FromContext(r.Context()).Scope())
	if err != nil {
		return err
	}
	ranks, err := h.Ranks.Get(r.Context(), q.Unit, q.Year)
	if err != nil {
		return err
	}
	vals := map[string]string{}
	for c, n := range ranks {
		vals[c] = strconv.Itoa(n)
	}
	pg, err := h.ranksPage(r, q, vals)
	if err != nil {
		return err
	}
	pg.Saved = r.URL.Query().Get("saved") != ""
	return h.Kit.Render.HTML(w, r, http.StatusOK, "report/ranks", pg)
}

// ranksSave stores the ranks of every field "rank.<code>" (blank = none); every bad field is
// reported at once and nothing is saved.
func (h *Handler) ranksSave(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r, account.FromContext(r.Context()).Scope())
	if err != nil {
		return err
	}
	vals := map[string]string{}
	ranks := map[string]int{}
	fe := web.FieldErrors{}
	for _, ind := range h.Stats.All() {
		v := r.PostFormValue("rank." + ind.Code)
		vals[ind.Code] = v
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			fe["rank."+ind.Code] = h.Kit.Messages.T(web.Lang(r), "report.bad_rank", ind.NameZh)
			continue
		}
		ranks[ind.Code] = n
	}
	if len(fe) > 0 {
		pg, err := h.ranksPage(r, q, vals)
		if err != nil {
			return err
		}
		pg.Errors = fe
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "report/ranks", pg)
	}
	if err := h.Ranks.Set(r.Context(), q.Unit, q.Year, ranks); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/stats/report/ranks?region=%s&year=%d&saved=1", q.Unit, q.Year), http.StatusSeeOther)
	return nil
}
