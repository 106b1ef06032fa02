package forms

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// FormLineJSON is one reporting unit of GET /api/v1/stats/forms: the unit, and its form for
// the year when one was opened (ID 0 and Status "none" when not).
type FormLineJSON struct {
	ID          int64  `json:"id"`
	UnitKey     string `json:"unit_key"` // division code of an association, "<kind>-<id>" of a venue
	UnitKind    string `json:"unit_kind"`
	UnitName    string `json:"unit_name"`
	Region      string `json:"region"`
	Year        int    `json:"year"`
	Status      string `json:"status"` // none, draft, submitted, accepted, returned
	StatusLabel string `json:"status_label"`
	Imported    bool   `json:"imported,omitempty"`
	UpdatedAt   string `json:"updated_at,omitempty"`   // RFC 3339, UTC
	SubmittedAt string `json:"submitted_at,omitempty"` // the last submission, RFC 3339, UTC
	ReviewedAt  string `json:"reviewed_at,omitempty"`  // the last acceptance or return
	Review      string `json:"review,omitempty"`       // accept or return: the last review's decision
	Reasons     string `json:"reasons,omitempty"`      // the reviewer's reasons while returned
}

// FieldJSON is one line of a form in GET /api/v1/stats/forms/{id}.
type FieldJSON struct {
	Code    string `json:"code"`
	Section string `json:"section"` // personnel, venues, funds, media, activities
	Label   string `json:"label"`
	Unit    string `json:"unit"` // 人, 元, 场次 … (money in whole yuan)
	Parent  string `json:"parent,omitempty"`
	Value   *int64 `json:"value"`     // null: left blank
	Prefill *int64 `json:"prefilled"` // what the records gave; null: nothing (a hand-entry line, or an imported form)
	// Source says where the value came from: "records" when it is the pre-filled figure as the
	// records gave it, "hand" when it was typed (or corrected, or imported), "" when blank.
	Source string `json:"source"`
	Remark string `json:"remark,omitempty"`
	// Records is the list of the unit's own records behind the pre-filled figure (a venue's
	// record; an association's activities, funds entries … at the unit itself); "" when the
	// source cannot list them.
	Records string `json:"records,omitempty"`
}

// EventJSON is one workflow step of a form.
type EventJSON struct {
	At      string `json:"at"` // RFC 3339, UTC
	Action  string `json:"action"`
	By      string `json:"by,omitempty"` // the account as the console names it ("#id" when unknown); "" for the system
	Reasons string `json:"reasons,omitempty"`
}

// FormJSON is GET /api/v1/stats/forms/{id}.
type FormJSON struct {
	FormLineJSON
	Fields  []FieldJSON `json:"fields"`
	History []EventJSON `json:"history"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// reviewDates fills the submitted and reviewed dates of the forms of a year inside scope, by
// form id, from their workflow steps (the last of each kind).
func (s *Store) reviewDates(ctx context.Context, scope region.Scope, year int, lines map[int64]*FormLineJSON) error {
	if len(lines) == 0 {
		return nil
	}
	cond, args := scope.Where("f.region_code", 2)
	type step struct {
		id     int64
		at     time.Time
		action string
	}
	steps, err := db.QueryAll(ctx, s.DB, func(r db.Scanner) (step, error) {
		var st step
		err := r.Scan(&st.id, &st.at, &st.action)
		return st, err
	}, `SELECT e.form_id, e.at, e.action FROM stat_form_events e JOIN stat_forms f ON f.id = e.form_id
		WHERE f.year = $1 AND `+cond+` AND e.action IN ('submit', 'accept', 'return') ORDER BY e.id`, append([]any{year}, args...)...)
	if err != nil {
		return fmt.Errorf("forms.reviewDates: %w", db.Map(err))
	}
	for _, st := range steps {
		ln := lines[st.id]
		if ln == nil {
			continue
		}
		if st.action == "submit" {
			ln.SubmittedAt = rfc3339(st.at)
		} else {
			ln.ReviewedAt, ln.Review = rfc3339(st.at), st.action
		}
	}
	return nil
}

func lineOf(f Form) FormLineJSON {
	ln := FormLineJSON{ID: f.ID, UnitKey: f.Unit.Key, UnitKind: f.Unit.Kind, UnitName: f.Unit.Name, Region: f.Unit.Region, Year: f.Year,
		Status: f.Status, StatusLabel: StatusLabel(f.Status), Imported: f.Imported, UpdatedAt: rfc3339(f.UpdatedAt)}
	if f.Status == Returned {
		ln.Reasons = f.Reasons
	}
	return ln
}

// apiYear reads ?year= for the API: absent means the year being filed (last year); anything
// but a year from 1990 to this year is a 400.
func (h *Handler) apiYear(r *http.Request) (int, error) {
	s := strings.TrimSpace(r.URL.Query().Get("year"))
	if s == "" {
		return h.thisYear() - 1, nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 1990 || y > h.thisYear() {
		return 0, web.Errorf(http.StatusBadRequest, "stats.err.year")
	}
	return y, nil
}

// apiList serves GET /api/v1/stats/forms?year=&region=: every reporting unit inside region's
// subtree (default: the caller's first scope root) and the caller's scope, with its form of the
// year when one was opened, in the console list's order. 401 anonymous, 403 for a public
// user, 404 for a region outside the caller's scope, 400 for a bad year.
func (h *Handler) apiList(w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	year, err := h.apiYear(r)
	if err != nil {
		return err
	}
	scope := p.Scope()
	within := strings.TrimSpace(r.URL.Query().Get("region"))
	if within == "" {
		within = defaultUnit(p)
	}
	code, err := region.Normalize(within)
	if err != nil || !scope.Contains(code) {
		return web.NotFound(fmt.Errorf("forms api: region %q outside scope", within))
	}
	units, err := h.Store.Units(r.Context(), scope, code)
	if err != nil {
		return err
	}
	forms, err := h.Store.List(r.Context(), scope, code, year, "")
	if err != nil {
		return err
	}
	byKey := map[string]Form{}
	for _, f := range forms {
		byKey[f.Unit.Key] = f
	}
	out := make([]FormLineJSON, 0, len(units))
	byID := map[int64]*FormLineJSON{}
	for _, u := range units {
		f, ok := byKey[u.Key]
		if !ok {
			out = append(out, FormLineJSON{UnitKey: u.Key, UnitKind: u.Kind, UnitName: u.Name, Region: u.Region, Year: year, Status: "none", StatusLabel: "未填报"})
			continue
		}
		out = append(out, lineOf(f))
	}
	for i := range out {
		if out[i].ID != 0 {
			byID[out[i].ID] = &out[i]
		}
	}
	if err := h.Store.reviewDates(r.Context(), scope.Narrow(code), year, byID); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"region": code, "year": year, "forms": out})
	return nil
}

// apiForm serves GET /api/v1/stats/forms/{id}: the form's lines in layout order (value,
// pre-filled figure and where the value came from) and its workflow history, oldest first.
// 401 anonymous, 403 for a public user, 404 for a form outside the caller's scope.
func (h *Handler) apiForm(w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	f, err := h.Store.Get(ctx, p.Scope(), id)
	if err != nil {
		return notFound(err)
	}
	out := FormJSON{FormLineJSON: lineOf(f), Fields: []FieldJSON{}, History: []EventJSON{}}
	records := h.lineRecords(ctx, f)
	for _, sec := range Layout {
		for _, fl := range sec.Fields {
			fj := FieldJSON{Code: fl.Code, Section: sec.Key, Label: fl.Label, Unit: fl.Unit, Parent: fl.Parent, Remark: f.Remarks[fl.Code]}
			if v, ok := f.Figures[fl.Code]; ok {
				fj.Value = &v
			}
			if v, ok := f.Prefilled[fl.Code]; ok {
				fj.Prefill, fj.Records = &v, records[fl.Code]
			}
			switch {
			case fj.Value == nil:
			case fj.Prefill != nil && *fj.Prefill == *fj.Value:
				fj.Source = "records"
			default:
				fj.Source = "hand"
			}
			out.Fields = append(out.Fields, fj)
		}
	}
	events, err := h.Store.Events(ctx, f.ID)
	if err != nil {
		return err
	}
	var ids []int64
	for _, e := range events {
		if e.Account != 0 {
			ids = append(ids, e.Account)
		}
	}
	names := map[int64]string{}
	if h.AccountNames != nil && len(ids) > 0 {
		if names, err = h.AccountNames(ctx, ids); err != nil {
			return err
		}
	}
	for _, e := range events {
		ej := EventJSON{At: rfc3339(e.At), Action: e.Action, By: names[e.Account], Reasons: e.Reasons}
		if ej.By == "" && e.Account != 0 {
			ej.By = "#" + strconv.FormatInt(e.Account, 10)
		}
		if e.Action == "submit" {
			out.SubmittedAt = ej.At
		} else if e.Action == "accept" || e.Action == "return" {
			out.ReviewedAt, out.Review = ej.At, e.Action
		}
		out.History = append(out.History, ej)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}
