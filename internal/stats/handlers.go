package stats

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// IndicatorJSON is one figure of GET /api/v1/indicators.
type IndicatorJSON struct {
	Code        string  `json:"code"`
	NameZh      string  `json:"name_zh"`
	NameEn      string  `json:"name_en"`
	Section     string  `json:"section"`
	Unit        string  `json:"unit"`
	UnitEn      string  `json:"unit_en"`
	Aggregation string  `json:"aggregation"`
	Basis       string  `json:"basis"`
	Period      string  `json:"period"`
	Region      string  `json:"region"`
	RegionName  string  `json:"region_name,omitempty"`
	Year        int     `json:"year"`
	Month       int     `json:"month,omitempty"`
	Known       bool    `json:"known"`
	Value       float64 `json:"value"`
	Exact       int64   `json:"exact"`
	Numerator   float64 `json:"numerator,omitempty"`
	Denominator float64 `json:"denominator,omitempty"`
	CILow       float64 `json:"ci_low,omitempty"`
	CIHigh      float64 `json:"ci_high,omitempty"`
	AsOf        string  `json:"as_of,omitempty"`
	Records     string  `json:"records,omitempty"`
}

func toJSON(v Value, public bool) IndicatorJSON {
	ind := v.Indicator
	j := IndicatorJSON{Code: ind.Code, NameZh: ind.NameZh, NameEn: ind.NameEn, Section: ind.Section, Unit: ind.Unit, UnitEn: ind.UnitEn,
		Aggregation: ind.Agg.String(), Basis: ind.Basis.String(), Period: ind.Period.String(), Region: v.Unit, RegionName: v.UnitName,
		Year: v.Year, Month: v.Month, Known: v.Known, Value: v.Value, Exact: v.Exact, Numerator: v.Num, Denominator: v.Den,
		CILow: v.Low, CIHigh: v.High, AsOf: v.AsOf, Records: v.Records}
	if public {
		j.Records = "" // the record lists are staff pages
	}
	return j
}

// apiIndicators serves GET /api/v1/indicators?region=&year=[&month=][&codes=a,b][&children=1]
// [&format=csv]. Staff get any unit inside their scope; anyone else gets the province's own
// totals only (aggregates, no personal data, no record links). CSV when format=csv or the
// Accept header prefers text/csv.
func (h *Handler) apiIndicators(w http.ResponseWriter, r *http.Request) error {
	qv := r.URL.Query()
	p := account.FromContext(r.Context())
	public := !p.IsStaff()
	q := Query{Unit: strings.TrimSpace(qv.Get("region"))}
	if public {
		q.Scope = region.NewScope(h.Root)
		if q.Unit == "" {
			q.Unit = h.Root
		}
	} else {
		q.Scope = p.Scope()
		if roots := q.Scope.Roots(); q.Unit == "" && len(roots) == 1 {
			q.Unit = roots[0]
		}
	}
	var err error
	if q.Year, err = strconv.Atoi(qv.Get("year")); err != nil {
		return web.Errorf(http.StatusBadRequest, "stats.err.year")
	}
	if m := qv.Get("month"); m != "" {
		if q.Month, err = strconv.Atoi(m); err != nil || q.Month < 1 || q.Month > 12 {
			return web.Errorf(http.StatusBadRequest, "stats.err.month")
		}
	}
	if c, err := region.Normalize(q.Unit); err == nil {
		q.Unit = c
	}
	if public && q.Unit != h.Root {
		return web.Errorf(http.StatusUnauthorized, "stats.err.public_region")
	}
	var codes []string
	for _, c := range strings.Split(qv.Get("codes"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			codes = append(codes, c)
		}
	}
	var rows [][]Value
	if qv.Get("children") == "1" {
		if public {
			return web.Errorf(http.StatusUnauthorized, "stats.err.public_region")
		}
		rows, err = h.Registry.ChildrenValues(r.Context(), q, codes...)
	} else {
		var vs []Value
		vs, err = h.Registry.Values(r.Context(), q, codes...)
		rows = [][]Value{vs}
	}
	switch {
	case errors.Is(err, ErrUnknownIndicator):
		for _, c := range codes {
			if _, ok := h.Registry.Get(c); !ok {
				return web.Errorf(http.StatusBadRequest, "stats.err.code", c)
			}
		}
		return web.Errorf(http.StatusBadRequest, "stats.err.code", strings.Join(codes, ","))
	case err != nil:
		return WebError(err, "stats.err.query")
	}
	out := []IndicatorJSON{}
	for _, vs := range rows {
		for _, v := range vs {
			out = append(out, toJSON(v, public))
		}
	}
	if qv.Get("format") == "csv" || (qv.Get("format") == "" && prefersCSV(r.Header.Get("Accept"))) {
		return writeCSV(w, out)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"region": q.Unit, "year": q.Year, "month": q.Month, "indicators": out})
	return nil
}

func prefersCSV(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch mt {
		case "text/csv":
			return true
		case "application/json":
			return false
		}
	}
	return false
}

// CSVHeader is the header row of the CSV form of the indicators API.
var CSVHeader = []string{"code", "name_zh", "name_en", "section", "unit", "aggregation", "basis", "period", "region", "region_name", "year", "month",
	"known", "value", "exact", "numerator", "denominator", "ci_low", "ci_high", "as_of", "records"}

func writeCSV(w http.ResponseWriter, rows []IndicatorJSON) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="indicators.csv"`)
	w.Write([]byte("\ufeff")) // BOM: spreadsheet programs then read UTF-8
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	for _, j := range rows {
		month := ""
		if j.Month > 0 {
			month = strconv.Itoa(j.Month)
		}
		cw.Write([]string{j.Code, j.NameZh, j.NameEn, j.Section, j.Unit, j.Aggregation, j.Basis, j.Period, j.Region, j.RegionName, strconv.Itoa(j.Year), month,
			strconv.FormatBool(j.Known), f(j.Value), strconv.FormatInt(j.Exact, 10), f(j.Numerator), f(j.Denominator), f(j.CILow), f(j.CIHigh), j.AsOf, j.Records})
	}
	cw.Flush()
	return cw.Error()
}

// FundsPage is the funds ledger console: a form to enter an entry and the entries of the
// chosen unit and period with their totals.
type FundsPage struct {
	web.Page
	Categories []FundCategory
	Entries    []FundEntry
	Filter     FundFilter
	In         FundInput
	Errors     map[string]string
	IncomeFen  int64
	SpendFen   int64
}

// Income and Spending format the page's totals in yuan.
func (p FundsPage) Income() string   { return FormatFen(p.IncomeFen) }
func (p FundsPage) Spending() string { return FormatFen(p.SpendFen) }

func (h *Handler) fundsPage(r *http.Request, in FundInput, errs map[string]string) (FundsPage, error) {
	p := account.FromContext(r.Context())
	qv := r.URL.Query()
	ff := FundFilter{Scope: p.Scope(), From: qv.Get("from"), To: qv.Get("to"), Exact: qv.Get("exact") == "1"}
	if c, err := region.Normalize(qv.Get("region")); err == nil {
		if !p.Scope().Contains(c) {
			return FundsPage{}, web.Forbidden(ErrOutOfScope)
		}
		ff.Region = c
	}
	if _, ok := FundCategoryOf(qv.Get("category")); ok {
		ff.Category = qv.Get("category")
	}
	for _, d := range []*string{&ff.From, &ff.To} {
		if len(*d) != 10 {
			*d = ""
		}
	}
	list, err := h.Registry.Funds.List(r.Context(), ff)
	if err != nil {
		return FundsPage{}, err
	}
	pg := FundsPage{Page: h.Kit.Page(r, "stats.funds.title"), Categories: FundCategories, Entries: list, Filter: ff, In: in, Errors: errs}
	t, err := h.Registry.Funds.Totals(r.Context(), ff, 0)
	if err != nil {
		return pg, err
	}
	for slug, fen := range t[""] {
		if c, _ := FundCategoryOf(slug); c.Direction == Income {
			pg.IncomeFen += fen
		} else {
			pg.SpendFen += fen
		}
	}
	if pg.In.RegionCode == "" {
		pg.In.RegionCode = ff.Region
		if roots := p.Scope().Roots(); pg.In.RegionCode == "" && len(roots) == 1 {
			pg.In.RegionCode = roots[0]
		}
	}
	return pg, nil
}

// funds serves GET /console/funds?region=&from=&to=&category=&exact=1.
func (h *Handler) funds(w http.ResponseWriter, r *http.Request) error {
	pg, err := h.fundsPage(r, FundInput{}, nil)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "stats/funds", pg)
}

// addFund serves POST /console/funds: 303 back to the unit's list, or the page again (422)
// with every problem beside its field.
func (h *Handler) addFund(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	in := FundInput{RegionCode: strings.TrimSpace(r.PostFormValue("region")), Category: r.PostFormValue("category"), Amount: r.PostFormValue("amount"),
		BookedOn: r.PostFormValue("booked_on"), Note: r.PostFormValue("note")}
	e, errs := in.Validate(p.Scope())
	if len(errs) == 0 {
		_, err := h.Registry.Funds.Add(r.Context(), p.Scope(), p.ID, e)
		if errors.Is(err, db.ErrNotFound) {
			errs = map[string]string{"region": "没有这个区划代码"}
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		pg, err := h.fundsPage(r, in, errs)
		if err != nil {
			return err
		}
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "stats/funds", pg)
	}
	http.Redirect(w, r, "/console/funds?region="+e.RegionCode, http.StatusSeeOther)
	return nil
}

// deleteFund serves POST /console/funds/{id}/delete.
func (h *Handler) deleteFund(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return web.NotFound(err)
	}
	if err := h.Registry.Funds.Delete(r.Context(), p.Scope(), id); errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/funds", http.StatusSeeOther)
	return nil
}

var _ = fmt.Sprint

// WebError turns a registry error into what a page or API answers: ErrOutOfScope and
// db.ErrNotFound are 404 (outside the caller's scope and unknown look alike, as everywhere in
// Kepu), ErrBadQuery a 400 with the message badQuery; any other error is returned as it is.
func WebError(err error, badQuery string) error {
	switch {
	case errors.Is(err, ErrOutOfScope), errors.Is(err, db.ErrNotFound):
		return web.NotFound(err)
	case errors.Is(err, ErrBadQuery):
		return &web.Error{Status: http.StatusBadRequest, Key: badQuery, Err: err}
	}
	return err
}
