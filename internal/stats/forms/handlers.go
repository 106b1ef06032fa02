package forms

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// MaxImportBytes bounds an uploaded workbook.
const MaxImportBytes = 8 << 20

func (h *Handler) thisYear() int {
	if h.Now != nil {
		return h.Now().Year()
	}
	return time.Now().Year()
}

// yearOf reads ?year=, defaulting to last year (the year being filed).
func (h *Handler) yearOf(r *http.Request) int {
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 1990 && y <= h.thisYear() {
		return y
	}
	return h.thisYear() - 1
}

// defaultUnit is the principal's first staff grant: the unit a list or summary starts at.
func defaultUnit(p *account.Principal) string {
	roots := p.Scope().Roots()
	if len(roots) == 0 {
		return ""
	}
	return roots[0]
}

// ListRow is one reporting unit on the list, with its form when one was opened.
type ListRow struct {
	Unit        Unit
	Form        *Form
	StatusLabel string
	LineValue   int64 // the value of ListPage.Line on the form
}

// ListPage is the data of the forms list.
type ListPage struct {
	web.Page
	Year, ThisYear int
	Years          []int
	Within, Status string
	Rows           []ListRow
	Counts         map[string]int
	Total          int
	SummaryURL     string
	// Line, when ?line= names a line of the layout, keeps only the forms that carry a value on
	// it and shows the values and their sum: the records behind a declared figure (stats
	// indicators X01–X08 link here with status=accepted).
	Line      *Field
	LineTotal int64
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	scope := p.Scope()
	q := r.URL.Query()
	year, within, status := h.yearOf(r), strings.TrimSpace(q.Get("within")), q.Get("status")
	if within == "" {
		within = defaultUnit(p)
	}
	if code, err := region.Normalize(within); err == nil && scope.Contains(code) {
		within = code
	} else {
		return web.NotFound(fmt.Errorf("unit %q outside scope", within))
	}
	units, err := h.Store.Units(r.Context(), scope, within)
	if err != nil {
		return err
	}
	forms, err := h.Store.List(r.Context(), scope, within, year, "")
	if err != nil {
		return err
	}
	byKey := map[string]*Form{}
	for i := range forms {
		byKey[forms[i].Unit.Key] = &forms[i]
	}
	page := ListPage{Page: h.Kit.Page(r, "forms.title"), Year: year, ThisYear: h.thisYear(), Within: within, Status: status, Counts: map[string]int{},
		SummaryURL: fmt.Sprintf("/console/stats/forms/summary?unit=%s&year=%d", within, year)}
	for y := h.thisYear(); y >= h.thisYear()-6; y-- {
		page.Years = append(page.Years, y)
	}
	if fl, ok := FieldOf(strings.ToUpper(strings.TrimSpace(q.Get("line")))); ok {
		page.Line = fl
	}
	for _, u := range units {
		row := ListRow{Unit: u, Form: byKey[u.Key], StatusLabel: "未填报"}
		st := ""
		if row.Form != nil {
			st, row.StatusLabel = row.Form.Status, StatusLabel(row.Form.Status)
		}
		page.Counts[st]++
		if page.Line != nil {
			v, carried := int64(0), false
			if row.Form != nil {
				v, carried = row.Form.Figures[page.Line.Code]
			}
			if !carried {
				continue
			}
			row.LineValue = v
		}
		if status == "" || status == st || (status == "none" && st == "") {
			page.Rows = append(page.Rows, row)
			page.LineTotal += row.LineValue
		}
	}
	page.Total = len(units)
	return h.Kit.Render.HTML(w, r, http.StatusOK, "forms/list", page)
}

// open opens (or finds) the form of a unit for a year and goes to it.
func (h *Handler) open(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	r.ParseForm()
	u, err := h.Store.UnitByKey(r.Context(), p.Scope(), r.PostForm.Get("unit"))
	if err != nil {
		return notFound(err)
	}
	year, err := strconv.Atoi(r.PostForm.Get("year"))
	if err != nil || year < 1990 || year > h.thisYear() {
		return web.Errorf(http.StatusUnprocessableEntity, "forms.err.year")
	}
	if !p.Holds(u.FileLevel(), u.Region) {
		return web.Forbidden(fmt.Errorf("%d may not file %s", p.ID, u.Key))
	}
	f, err := h.Store.Open(r.Context(), u, year, p.ID)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/stats/forms/%d", f.ID), http.StatusSeeOther)
	return nil
}

func notFound(err error) error {
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	return err
}

// Line is one line of the form as the page shows it.
type Line struct {
	Field     *Field
	Value     string // as typed or stored
	Prefilled string // what the records gave ("" for none)
	Records   string // the list of the unit's own records behind Prefilled ("" for none)
	History   []string
	Remark    string
	Problem   string
	Changed   bool // off last year by more than YoYThreshold
}

// SectionView is a section of the form page.
type SectionView struct {
	Title string
	Lines []Line
}

// FormPage is the data of one form.
type FormPage struct {
	web.Page
	Form         Form
	StatusLabel  string
	Sections     []SectionView
	HistoryYears []int
	Problems     int
	Notice       string
	CanEdit      bool
	CanReview    bool
	Events       []EventView
}

// EventView is a workflow step as the page shows it.
type EventView struct {
	Event
	Who    string
	Action string
}

var actionLabels = map[string]string{"open": "创建（按记录预填）", "save": "保存", "submit": "提交审核", "accept": "审核通过（锁定）", "return": "退回", "import": "导入"}

// view builds the form page from a form, the values as typed (nil: the stored figures), the
// remarks as typed and the problems to show.
func (h *Handler) view(r *http.Request, f Form, typed map[string]string, remarks map[string]string, probs Problems) (FormPage, error) {
	p := account.FromContext(r.Context())
	ctx := r.Context()
	hist, err := h.Store.History(ctx, f.Unit.Key, f.Year, 3)
	if err != nil {
		return FormPage{}, err
	}
	var prev Figures
	if len(hist) > 0 && hist[0].Year == f.Year-1 {
		prev = hist[0].Figures
	}
	if remarks == nil {
		remarks = f.Remarks
	}
	if probs == nil {
		probs = Check(f.Figures, f.Remarks, prev)
	}
	page := FormPage{Page: h.Kit.Page(r, "forms.form_title", f.Unit.Name, f.Year), Form: f, StatusLabel: StatusLabel(f.Status), Problems: len(probs),
		CanEdit: f.Editable() && p.Holds(f.Unit.FileLevel(), f.Unit.Region), CanReview: f.Status == Submitted && p.Holds(f.Unit.ReviewLevel(), f.Unit.Region)}
	for _, hf := range hist {
		page.HistoryYears = append(page.HistoryYears, hf.Year)
	}
	records := h.lineRecords(ctx, f)
	for _, sec := range Layout {
		sv := SectionView{Title: sec.Title}
		for i := range sec.Fields {
			fl := &sec.Fields[i]
			ln := Line{Field: fl, Remark: remarks[fl.Code], Problem: probs[fl.Code]}
			if typed != nil {
				ln.Value = typed[fl.Code]
			} else if v, ok := f.Figures[fl.Code]; ok {
				ln.Value = strconv.FormatInt(v, 10)
			}
			if v, ok := f.Prefilled[fl.Code]; ok {
				ln.Prefilled, ln.Records = web.Num(v), records[fl.Code]
			}
			for _, hf := range hist {
				if v, ok := hf.Figures[fl.Code]; ok {
					ln.History = append(ln.History, web.Num(v))
				} else {
					ln.History = append(ln.History, "")
				}
			}
			ln.Changed = prev != nil && Changed(f.Figures[fl.Code], prev[fl.Code])
			sv.Lines = append(sv.Lines, ln)
		}
		page.Sections = append(page.Sections, sv)
	}
	events, err := h.Store.Events(ctx, f.ID)
	if err != nil {
		return page, err
	}
	var ids []int64
	for _, e := range events {
		ids = append(ids, e.Account)
	}
	names := map[int64]string{}
	if h.AccountNames != nil {
		if names, err = h.AccountNames(ctx, ids); err != nil {
			return page, err
		}
	}
	for _, e := range events {
		who := names[e.Account]
		if who == "" && e.Account != 0 {
			who = "#" + strconv.FormatInt(e.Account, 10)
		}
		page.Events = append(page.Events, EventView{Event: e, Who: who, Action: actionLabels[e.Action]})
	}
	return page, nil
}

func (h *Handler) load(r *http.Request) (Form, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return Form{}, err
	}
	f, err := h.Store.Get(r.Context(), account.ScopeOf(r.Context()), id)
	return f, notFound(err)
}

func (h *Handler) form(w http.ResponseWriter, r *http.Request) error {
	f, err := h.load(r)
	if err != nil {
		return err
	}
	page, err := h.view(r, f, nil, nil, nil)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "saved":
		page.Notice = page.T("forms.saved")
	case "submitted":
		page.Notice = page.T("forms.submitted")
	case "reviewed":
		page.Notice = page.T("forms.reviewed")
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "forms/form", page)
}

// save stores the figures and remarks (action "save") and, for action "submit", sends the form
// to the level above. Numbers that are not numbers come back beside their lines, unsaved; rule
// problems block the submission only (the figures are kept as a draft).
func (h *Handler) save(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	f, err := h.load(r)
	if err != nil {
		return err
	}
	if !p.Holds(f.Unit.FileLevel(), f.Unit.Region) {
		return web.Forbidden(fmt.Errorf("%d may not file %s", p.ID, f.Unit.Key))
	}
	if !f.Editable() {
		return web.Errorf(http.StatusConflict, "forms.err.locked")
	}
	r.ParseForm()
	typed, remarks := map[string]string{}, map[string]string{}
	for _, fl := range Fields() {
		typed[fl.Code] = strings.TrimSpace(r.PostForm.Get("v." + fl.Code))
		if rem := strings.TrimSpace(r.PostForm.Get("r." + fl.Code)); rem != "" {
			if len([]rune(rem)) > 200 {
				rem = string([]rune(rem)[:200])
			}
			remarks[fl.Code] = rem
		}
	}
	figs, probs := ParseFigures(typed)
	if len(probs) > 0 {
		page, err := h.view(r, f, typed, remarks, probs)
		if err != nil {
			return err
		}
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "forms/form", page)
	}
	if err := h.Store.Save(r.Context(), f.ID, p.ID, figs, remarks); err != nil {
		if errors.Is(err, ErrLocked) {
			return web.Errorf(http.StatusConflict, "forms.err.locked")
		}
		return err
	}
	done := "saved"
	if r.PostForm.Get("action") == "submit" {
		if f, err = h.Store.Get(r.Context(), p.Scope(), f.ID); err != nil {
			return err
		}
		probs, err := h.Store.Submit(r.Context(), f, p.ID)
		if errors.Is(err, ErrProblems) {
			page, err := h.view(r, f, nil, nil, probs)
			if err != nil {
				return err
			}
			return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "forms/form", page)
		}
		if err != nil {
			return err
		}
		done = "submitted"
	}
	http.Redirect(w, r, fmt.Sprintf("/console/stats/forms/%d?done=%s", f.ID, done), http.StatusSeeOther)
	return nil
}

// review accepts or returns a submitted form; only the level above may (Unit.ReviewLevel).
func (h *Handler) review(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	f, err := h.load(r)
	if err != nil {
		return err
	}
	if !p.Holds(f.Unit.ReviewLevel(), f.Unit.Region) {
		return web.Forbidden(fmt.Errorf("%d may not review %s", p.ID, f.Unit.Key))
	}
	r.ParseForm()
	accept := r.PostForm.Get("decision") == "accept"
	reasons := strings.TrimSpace(r.PostForm.Get("reasons"))
	if err := h.Store.Review(r.Context(), f.ID, p.ID, accept, reasons); err != nil {
		switch {
		case errors.Is(err, ErrProblems):
			page, err := h.view(r, f, nil, nil, nil)
			if err != nil {
				return err
			}
			page.Notice = page.T("forms.err.reasons")
			return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "forms/form", page)
		case errors.Is(err, ErrState):
			return web.Errorf(http.StatusConflict, "forms.err.state")
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/stats/forms/%d?done=reviewed", f.ID), http.StatusSeeOther)
	return nil
}

func writeXLSX(w http.ResponseWriter, name string, sheets []Sheet) error {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, sheets); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name+".xlsx"))
	_, err := w.Write(buf.Bytes())
	return err
}

func (h *Handler) export(w http.ResponseWriter, r *http.Request) error {
	f, err := h.load(r)
	if err != nil {
		return err
	}
	return writeXLSX(w, fmt.Sprintf("%s%d年度科普统计调查表", f.Unit.Name, f.Year), []Sheet{{UnitKey: f.Unit.Key, UnitName: f.Unit.Name, Year: f.Year,
		Status: StatusLabel(f.Status), Figures: f.Figures, Remarks: f.Remarks}})
}

// SummaryPage is the data of a level's summary form.
type SummaryPage struct {
	web.Page
	Summary  Summary
	Sections []SectionView
	Years    []int
	Missing  []MissingView
	More     int // missing units not listed
}

// MissingView is a missing unit as the summary lists it.
type MissingView struct {
	Missing
	StatusLabel string
}

// maxMissingShown bounds the missing units the summary page lists (the export has them all).
const maxMissingShown = 300

func (h *Handler) summary(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	code := r.URL.Query().Get("unit")
	if code == "" {
		code = defaultUnit(p)
	}
	year := h.yearOf(r)
	sum, err := h.Store.Summarize(r.Context(), p.Scope(), code, year)
	if err != nil {
		return notFound(err)
	}
	missing := make([]MissingView, len(sum.Missing))
	for i, m := range sum.Missing {
		lbl := "未填报"
		if m.Status != "" {
			lbl = StatusLabel(m.Status)
		}
		missing[i] = MissingView{Missing: m, StatusLabel: lbl}
	}
	if r.URL.Query().Get("format") == "xlsx" {
		extra := [][]string{{"", fmt.Sprintf("已汇总已确认调查表 %d 份，应报 %d 份；未确认的填报单位：", sum.Included, sum.Expected)}}
		for _, m := range missing {
			extra = append(extra, []string{m.Unit.Key, m.Unit.Name, m.Unit.Region, m.StatusLabel})
		}
		return writeXLSX(w, fmt.Sprintf("%s%d年度科普统计汇总表", sum.Unit.Name, year), []Sheet{{UnitKey: "汇总 " + sum.Unit.Key, UnitName: sum.Unit.Name + "（汇总）",
			Year: year, Status: fmt.Sprintf("汇总 %d/%d 份", sum.Included, sum.Expected), Figures: sum.Figures, ExtraRows: extra}})
	}
	page := SummaryPage{Page: h.Kit.Page(r, "forms.summary_title", sum.Unit.Name, year), Summary: sum}
	for y := h.thisYear(); y >= h.thisYear()-6; y-- {
		page.Years = append(page.Years, y)
	}
	for _, sec := range Layout {
		sv := SectionView{Title: sec.Title}
		for i := range sec.Fields {
			fl := &sec.Fields[i]
			sv.Lines = append(sv.Lines, Line{Field: fl, Value: web.Num(sum.Figures[fl.Code])})
		}
		page.Sections = append(page.Sections, sv)
	}
	if len(missing) > maxMissingShown {
		page.More = len(missing) - maxMissingShown
		missing = missing[:maxMissingShown]
	}
	page.Missing = missing
	return h.Kit.Render.HTML(w, r, http.StatusOK, "forms/summary", page)
}

// ImportPage is the data of the import page.
type ImportPage struct {
	web.Page
	FileName string
	Error    string
	Errors   []ImportError
	Done     int
	MaxMB    int
}

func (h *Handler) importForm(w http.ResponseWriter, r *http.Request) error {
	return h.Kit.Render.HTML(w, r, http.StatusOK, "forms/import", ImportPage{Page: h.Kit.Page(r, "forms.import_title"), MaxMB: MaxImportBytes >> 20})
}

func (h *Handler) importFile(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	page := ImportPage{Page: h.Kit.Page(r, "forms.import_title"), MaxMB: MaxImportBytes >> 20}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		page.Error = page.T("forms.err.no_file")
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "forms/import", page)
	}
	defer file.Close()
	page.FileName = hdr.Filename
	n, err := h.Store.Import(r.Context(), p.Scope(), func(u Unit) bool { return p.Holds(u.ReviewLevel(), u.Region) }, p.ID, h.thisYear(), file, MaxImportBytes)
	var ies ImportErrors
	if errors.As(err, &ies) {
		page.Errors = ies
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "forms/import", page)
	}
	if err != nil {
		return err
	}
	page.Done = n
	return h.Kit.Render.HTML(w, r, http.StatusOK, "forms/import", page)
}
