package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// Handler serves the registry pages, downloads and API.
type Handler struct {
	Kit   *web.Kit
	Store *Store
	// MaxImportBytes bounds an uploaded file (sheet.DefaultMaxBytes when 0).
	MaxImportBytes int64
	Now            func() time.Time
	// PlaquePrefix starts every e-station plaque number (default "NMKX-E", Inner Mongolia's).
	PlaquePrefix string
	// AccountNames names the accounts in histories (account.Store.Usernames); nil shows ids.
	AccountNames func(ctx context.Context, ids []int64) (map[int64]string, error)
}

// HistoryLine is an audit entry as the detail page shows it.
type HistoryLine struct {
	AuditEntry
	Who string
}

// historyLines names the accounts of a record's history and, for a record an import created,
// begins it with that import (imports write no entry per created record).
func (h *Handler) historyLines(ctx context.Context, rec Record, entries []AuditEntry) []HistoryLine {
	if rec.ImportID != nil && (len(entries) == 0 || entries[0].Action != "create") {
		entries = append([]AuditEntry{{At: rec.CreatedAt, Action: "import_create"}}, entries...)
	}
	var ids []int64
	for _, e := range entries {
		if e.AccountID != 0 {
			ids = append(ids, e.AccountID)
		}
	}
	names := map[int64]string{}
	if h.AccountNames != nil {
		if n, err := h.AccountNames(ctx, ids); err == nil {
			names = n
		}
	}
	out := make([]HistoryLine, len(entries))
	for i, e := range entries {
		out[i] = HistoryLine{AuditEntry: e, Who: names[e.AccountID]}
		if out[i].Who == "" && e.AccountID != 0 {
			out[i].Who = fmt.Sprintf("#%d", e.AccountID)
		}
	}
	return out
}

func (h *Handler) today() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// writable fails with 403 when the kind is written only by higher levels (Kind.WriteLevel) and
// the caller holds no such role.
func writable(r *http.Request, k *Kind) error {
	if mayWrite(account.FromContext(r.Context()), k) {
		return nil
	}
	return &web.Error{Status: http.StatusForbidden, Key: "registry.err.write_level", Args: []any{k.Name}}
}

func mayWrite(p *account.Principal, k *Kind) bool {
	if k.WriteLevel == 0 {
		return true
	}
	for _, g := range p.Grants {
		if lvl := g.Role.Level(); lvl != 0 && lvl <= k.WriteLevel { // content roles (level 0) never write the registry
			return true
		}
	}
	return false
}

// writableKind is kindOf for the routes that write.
func writableKind(r *http.Request) (*Kind, error) {
	k, err := kindOf(r)
	if err != nil {
		return nil, err
	}
	return k, writable(r, k)
}

// recordOf reads the {kind} and {id} of a request and the record, inside the caller's scope;
// with write set, the kind must be writable by the caller. An id outside the scope is 404.
func (h *Handler) recordOf(r *http.Request, write bool) (*Kind, Record, error) {
	find := kindOf
	if write {
		find = writableKind
	}
	k, err := find(r)
	if err != nil {
		return nil, Record{}, err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, Record{}, err
	}
	rec, err := h.Store.Get(r.Context(), k, account.ScopeOf(r.Context()), id)
	if err != nil {
		return nil, Record{}, web.NotFound(err)
	}
	return k, rec, nil
}

func kindOf(r *http.Request) (*Kind, error) {
	k, ok := KindBySlug(r.PathValue("kind"))
	if !ok {
		return nil, web.NotFound(fmt.Errorf("no registry kind %q", r.PathValue("kind")))
	}
	return k, nil
}

// KindTile is a kind on the registry index with its count in the caller's scope.
type KindTile struct {
	Kind  *Kind
	Count int
}

// IndexPage is the data of the registry index.
type IndexPage struct {
	web.Page
	Kinds []KindTile
}

func (h *Handler) index(w http.ResponseWriter, r *http.Request) error {
	scope := account.ScopeOf(r.Context())
	page := IndexPage{Page: h.Kit.Page(r, "registry.title")}
	for _, k := range Kinds() {
		n, err := h.Store.Count(r.Context(), k, Filter{Scope: scope})
		if err != nil {
			return err
		}
		page.Kinds = append(page.Kinds, KindTile{Kind: k, Count: n})
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "registry/index", page)
}

// Column is a list column: its header and, per row, the cell text.
type Column struct {
	Key    string
	Header string
}

// Row is a record as the list shows it (personal data masked).
type Row struct {
	ID     int64
	Cells  []string
	Region string
	Status string
	// ClosedOn: a deleted record listed as of an earlier day closed on this date (it has no
	// page of its own any more).
	ClosedOn string
}

// FilterOption is one choice of a list filter.
type FilterOption struct {
	Value, Label string
	Selected     bool
}

// EnumFilter is one select of the list's filter form.
type EnumFilter struct {
	Key, Label string
	Options    []FilterOption
}

// ListView is the data of a kind's list page.
type ListView struct {
	web.Page
	Kind    *Kind
	Columns []Column
	Rows    []Row
	Total   int
	Filters []EnumFilter
	Q       string
	Within  string
	// AsOf, when set, is the day the list is "as of" (Filter.AsOf): the records that existed
	// at its end, closed ones included (Row.ClosedOn).
	AsOf string
	// Next is the link to the next page ("" on the last); ExportXLSX and ExportCSV download
	// what the filters select. Built here, query strings encoded once, so the template does
	// not encode them again.
	CanWrite   bool
	Next       template.URL
	ExportXLSX template.URL
	ExportCSV  template.URL
	HasStatus  bool
}

// filterFrom reads a list's filter from the query string; Within outside the scope is refused.
func (h *Handler) filterFrom(r *http.Request, k *Kind) (Filter, error) {
	q := r.URL.Query()
	f := Filter{Scope: account.ScopeOf(r.Context()), Q: q.Get("q"), After: ParseCursor(q.Get("after")), Enums: map[string]string{}}
	if w := strings.TrimSpace(q.Get("within")); w != "" {
		code, err := region.Normalize(w)
		if err != nil {
			return f, web.Errorf(http.StatusBadRequest, "registry.err.within")
		}
		if !f.Scope.Contains(code) {
			return f, web.Forbidden(fmt.Errorf("within %s outside scope", code))
		}
		f.Within = code
	}
	for _, fl := range k.Fields {
		if v := q.Get(fl.Key); v != "" && fl.Filter {
			f.Enums[fl.Key] = v
		}
	}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil {
		f.Limit = n
	}
	asOf, ok := ParseAsOf(q.Get("asof"))
	if !ok {
		return f, web.Errorf(http.StatusBadRequest, "registry.err.asof")
	}
	f.AsOf = asOf
	return f, nil
}

func (f Filter) query(k *Kind) url.Values {
	v := url.Values{}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.Within != "" {
		v.Set("within", f.Within)
	}
	for key, val := range f.Enums {
		v.Set(key, val)
	}
	if f.AsOf != "" {
		v.Set("asof", f.AsOf)
	}
	return v
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	k, err := kindOf(r)
	if err != nil {
		return err
	}
	f, err := h.filterFrom(r, k)
	if err != nil {
		return err
	}
	p, err := h.Store.List(r.Context(), k, f)
	if err != nil {
		return err
	}
	page := ListView{Page: h.Kit.Page(r, "registry.list_title", k.Name), Kind: k, Total: p.Total, Q: f.Q, Within: f.Within, AsOf: f.AsOf, HasStatus: k.Status != nil,
		CanWrite: mayWrite(account.FromContext(r.Context()), k)}
	for _, fl := range k.Fields {
		if fl.List {
			page.Columns = append(page.Columns, Column{Key: fl.Key, Header: fl.Header})
		}
		if fl.Filter {
			ef := EnumFilter{Key: fl.Key, Label: fl.Header}
			choices := fl.Choices
			if fl.Kind == sheet.Bool {
				choices = []sheet.Choice{{Label: "是", Value: "true"}, {Label: "否", Value: "false"}}
			}
			for _, c := range choices {
				ef.Options = append(ef.Options, FilterOption{Value: c.Value, Label: c.Label, Selected: f.Enums[fl.Key] == c.Value})
			}
			page.Filters = append(page.Filters, ef)
		}
	}
	for _, rec := range p.Records {
		row := Row{ID: rec.ID, Region: rec.RegionName, ClosedOn: rec.ClosedOn}
		for _, fl := range k.Fields {
			if fl.List {
				row.Cells = append(row.Cells, maskPII(fl, fl.display(rec.Values[fl.Key])))
			}
		}
		if k.Status != nil {
			row.Status = k.Status(rec.Values, h.today())
		}
		page.Rows = append(page.Rows, row)
	}
	qv := f.query(k)
	export := "/console/registry/" + k.Slug + "/export?" + qv.Encode()
	page.ExportXLSX = template.URL(export)
	page.ExportCSV = template.URL(export + "&format=csv")
	if p.Next.ID != 0 {
		qv.Set("after", p.Next.String())
		page.Next = template.URL("?" + qv.Encode())
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "registry/list", page)
}

// FieldView is one field on the detail page.
type FieldView struct {
	Key, Label, Value string
	PII               bool
}

// DetailPage is the data of a record's page.
type DetailPage struct {
	web.Page
	Kind     *Kind
	Record   Record
	Fields   []FieldView
	Status   string
	History  []HistoryLine
	Revealed string // the field shown in full after a logged request
	// CanReveal: the viewer is an admin (banner level or above) of the record's unit, the only
	// people who may see personal data in full.
	CanReveal bool
	CanWrite  bool
	Heading   string
	Problem   string
	// Volunteer teams: their memberships and how many admins they may have; volunteers: theirs.
	Members    []Membership
	AdminLimit int
	Teams      []Membership
}

func (h *Handler) detail(w http.ResponseWriter, r *http.Request) error {
	return h.renderDetail(w, r, detailExtra{})
}

// detailExtra is what an action adds to the detail page it re-renders.
type detailExtra struct {
	revealKey, revealed string
	problem             string // an action's refusal, shown at the top (status 422)
}

func (h *Handler) renderDetail(w http.ResponseWriter, r *http.Request, x detailExtra) error {
	revealKey, revealed := x.revealKey, x.revealed
	k, rec, err := h.recordOf(r, false)
	if err != nil {
		return err
	}
	id := rec.ID
	heading := k.Fields[0].display(rec.Values[k.Fields[0].Key])
	canReveal := account.FromContext(r.Context()).Holds(region.LevelBanner, rec.Region())
	page := DetailPage{Page: h.Kit.Page(r, "registry.detail_title", k.Name, heading), Kind: k, Record: rec, Heading: heading, CanReveal: canReveal,
		CanWrite: mayWrite(account.FromContext(r.Context()), k)}
	for _, fl := range k.Fields {
		v := fl.display(rec.Values[fl.Key])
		if fl.Key == RegionKey && rec.RegionName != "" {
			v = rec.RegionName + "（" + v + "）"
		}
		if fl.PII != NotPII {
			if fl.Key == revealKey {
				v = revealed
			} else {
				v = maskPII(fl, v)
			}
		}
		page.Fields = append(page.Fields, FieldView{Key: fl.Key, Label: fl.Header, Value: v, PII: canReveal && fl.PII != NotPII && fl.Key != revealKey && v != ""})
	}
	if k.Status != nil {
		page.Status = k.Status(rec.Values, h.today())
	}
	entries, err := h.Store.History(r.Context(), k, id)
	if err != nil {
		return err
	}
	page.History = h.historyLines(r.Context(), rec, entries)
	scope := account.ScopeOf(r.Context())
	switch k {
	case &VolunteerTeams:
		if page.Members, err = h.Store.Members(r.Context(), scope, id); err != nil {
			return err
		}
		approved := 0
		for _, m := range page.Members {
			if m.Status == MemberApproved {
				approved++
			}
		}
		page.AdminLimit = AdminLimit(approved)
	case &Volunteers:
		if page.Teams, err = h.Store.TeamsOf(r.Context(), scope, id); err != nil {
			return err
		}
	}
	page.Problem = x.problem
	status := http.StatusOK
	if x.problem != "" {
		status = http.StatusUnprocessableEntity
	}
	return h.Kit.Render.HTML(w, r, status, "registry/detail", page)
}

func (h *Handler) reveal(w http.ResponseWriter, r *http.Request) error {
	k, rec, err := h.recordOf(r, false)
	if err != nil {
		return err
	}
	id := rec.ID
	p := account.FromContext(r.Context())
	if !p.Holds(region.LevelBanner, rec.Region()) {
		return web.Forbidden(fmt.Errorf("%s is no admin of %s", p.Username, rec.Region()))
	}
	key := r.PostFormValue("field")
	v, err := h.Store.Reveal(r.Context(), k, p.Scope(), p.ID, id, key)
	if err != nil {
		return web.NotFound(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.renderDetail(w, r, detailExtra{revealKey: key, revealed: v})
}

// FormField is one input of the record form.
type FormField struct {
	Key, Label, Value, Error, Input, Hint string
	Required                              bool
	Options                               []FilterOption
}

// FormPage is the data of the create and edit form.
type FormPage struct {
	web.Page
	Kind   *Kind
	ID     int64
	Fields []FormField
	Error  string
}

func (h *Handler) formPage(r *http.Request, k *Kind, id int64, raw map[string]string, errs ValidationError) FormPage {
	title := "registry.new_title"
	if id != 0 {
		title = "registry.edit_title"
	}
	page := FormPage{Page: h.Kit.Page(r, title, k.Name), Kind: k, ID: id}
	for _, fl := range k.Fields {
		ff := FormField{Key: fl.Key, Label: fl.Header, Value: raw[fl.Key], Error: errs[fl.Key], Required: fl.Required, Input: "text", Hint: fl.Note}
		switch fl.Kind {
		case sheet.Int, sheet.Decimal:
			ff.Input = "number"
		case sheet.Date:
			ff.Input = "date"
		case sheet.Bool:
			ff.Input = "select"
			ff.Options = []FilterOption{{Value: "是", Label: "是", Selected: raw[fl.Key] == "是"}, {Value: "否", Label: "否", Selected: raw[fl.Key] == "否"}}
		case sheet.Enum:
			ff.Input = "select"
			for _, c := range fl.Choices {
				ff.Options = append(ff.Options, FilterOption{Value: c.Label, Label: c.Label, Selected: raw[fl.Key] == c.Label || raw[fl.Key] == c.Value})
			}
		case sheet.Code:
			ff.Input = "code"
		}
		page.Fields = append(page.Fields, ff)
	}
	return page
}

// merge adds the database checks' problems to the parse errors (the first message per field wins).
func merge(errs, more ValidationError) ValidationError {
	for key, msg := range more {
		if _, ok := errs[key]; !ok {
			errs[key] = msg
		}
	}
	return errs
}

// rawOf gives a record's values as the form shows them.
func rawOf(k *Kind, v Values) map[string]string {
	raw := map[string]string{}
	for _, fl := range k.Fields {
		raw[fl.Key] = fl.display(v[fl.Key])
	}
	return raw
}

func formRaw(r *http.Request, k *Kind) map[string]string {
	raw := map[string]string{}
	for _, fl := range k.Fields {
		raw[fl.Key] = r.PostFormValue(fl.Key)
	}
	return raw
}

func (h *Handler) newForm(w http.ResponseWriter, r *http.Request) error {
	k, err := writableKind(r)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "registry/form", h.formPage(r, k, 0, map[string]string{}, nil))
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	k, err := writableKind(r)
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	raw := formRaw(r, k)
	v, errs := k.Parse(raw)
	var id int64
	if errs == nil {
		id, err = h.Store.Create(r.Context(), k, p.Scope(), p.ID, v)
		if !errors.As(err, &errs) && err != nil {
			return err
		}
	} else {
		errs = merge(errs, h.Store.Check(r.Context(), k, p.Scope(), v))
	}
	if errs != nil {
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "registry/form", h.formPage(r, k, 0, raw, errs))
	}
	http.Redirect(w, r, fmt.Sprintf("/console/registry/%s/%d", k.Slug, id), http.StatusSeeOther)
	return nil
}

func (h *Handler) editForm(w http.ResponseWriter, r *http.Request) error {
	k, rec, err := h.recordOf(r, true)
	if err != nil {
		return err
	}
	id := rec.ID
	raw := rawOf(k, rec.Values)
	for _, fl := range k.Fields {
		if fl.PII != NotPII {
			raw[fl.Key] = "" // personal data is not sent to the form; empty keeps it
		}
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "registry/form", h.formPage(r, k, id, raw, nil))
}

func (h *Handler) update(w http.ResponseWriter, r *http.Request) error {
	k, old, err := h.recordOf(r, true)
	if err != nil {
		return err
	}
	id := old.ID
	p := account.FromContext(r.Context())
	raw := formRaw(r, k)
	for _, fl := range k.Fields {
		if fl.PII != NotPII && strings.TrimSpace(raw[fl.Key]) == "" {
			raw[fl.Key] = old.Values.Str(fl.Key) // left empty: keep the stored value
		}
	}
	v, errs := k.Parse(raw)
	if errs == nil {
		err = h.Store.Update(r.Context(), k, p.Scope(), p.ID, id, v)
		if !errors.As(err, &errs) && err != nil {
			return err
		}
	} else {
		errs = merge(errs, h.Store.Check(r.Context(), k, p.Scope(), v))
	}
	if errs != nil {
		for _, fl := range k.Fields {
			if fl.PII != NotPII {
				raw[fl.Key] = ""
			}
		}
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "registry/form", h.formPage(r, k, id, raw, errs))
	}
	http.Redirect(w, r, fmt.Sprintf("/console/registry/%s/%d", k.Slug, id), http.StatusSeeOther)
	return nil
}

func (h *Handler) remove(w http.ResponseWriter, r *http.Request) error {
	k, err := writableKind(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	if err := h.Store.Delete(r.Context(), k, p.Scope(), p.ID, id, strings.TrimSpace(r.PostFormValue("closed_on"))); err != nil {
		var verr ValidationError
		if errors.As(err, &verr) {
			return h.renderDetail(w, r, detailExtra{problem: verr["closed_on"]})
		}
		return web.NotFound(err)
	}
	http.Redirect(w, r, "/console/registry/"+k.Slug, http.StatusSeeOther)
	return nil
}

// ImportPage is the data of an import form and its result: a kind's records, or volunteer
// team memberships.
type ImportPage struct {
	web.Page
	Kind        *Kind  // nil for memberships
	Action      string // the form's URL (without the CSRF parameter)
	TemplateURL string
	Back        string
	BackLabel   string
	Lead        string
	MaxMB       int64
	Result      *ImportResult
	FileName    string
	Error       string
}

func (h *Handler) maxBytes() int64 {
	if h.MaxImportBytes > 0 {
		return h.MaxImportBytes
	}
	return sheet.DefaultMaxBytes
}

// importPage describes the import page of a kind (k) or of memberships (k nil).
func (h *Handler) importPage(r *http.Request, k *Kind) ImportPage {
	max := h.maxBytes() >> 20
	if k == nil {
		page := ImportPage{Page: h.Kit.Page(r, "registry.memberships_title"), Action: "/console/memberships/import", TemplateURL: "/console/memberships/template",
			Back: "/console/registry/volunteer-teams", MaxMB: max}
		page.BackLabel, page.Lead = page.T("registry.count.volunteer-teams"), page.T("registry.memberships_lead", max)
		return page
	}
	page := ImportPage{Page: h.Kit.Page(r, "registry.import_title", k.Name), Kind: k, Action: "/console/registry/" + k.Slug + "/import",
		TemplateURL: "/console/registry/" + k.Slug + "/template", Back: "/console/registry/" + k.Slug, BackLabel: k.Name, MaxMB: max}
	page.Lead = page.T("registry.import_lead", max)
	return page
}

func (h *Handler) importForm(w http.ResponseWriter, r *http.Request) error {
	k, err := writableKind(r)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "registry/import", h.importPage(r, k))
}

// importFile takes an uploaded .xlsx or .csv of a kind and imports it all or nothing.
func (h *Handler) importFile(w http.ResponseWriter, r *http.Request) error {
	k, err := writableKind(r)
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	return h.upload(w, r, h.importPage(r, k), func(f io.Reader, name string) (ImportResult, error) {
		return h.Store.Import(r.Context(), k, p.Scope(), p.ID, f, name, h.maxBytes())
	})
}

// upload reads the form's file and runs an import on it; the page lists every problem (row,
// column, reason) or what was created, updated and left unchanged.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request, page ImportPage, run func(io.Reader, string) (ImportResult, error)) error {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			page.Error = page.T("registry.err.too_big", page.MaxMB)
		} else {
			page.Error = page.T("registry.err.no_file")
		}
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "registry/import", page)
	}
	defer file.Close()
	page.FileName = hdr.Filename
	if hdr.Size > h.maxBytes() {
		page.Error = page.T("registry.err.too_big", page.MaxMB)
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "registry/import", page)
	}
	res, err := run(file, hdr.Filename)
	if err != nil {
		return err
	}
	page.Result = &res
	status := http.StatusOK
	if len(res.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return h.Kit.Render.HTML(w, r, status, "registry/import", page)
}

func formatOf(r *http.Request) (string, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "xlsx":
		return "xlsx", nil
	case "csv":
		return "csv", nil
	}
	return "", web.Errorf(http.StatusBadRequest, "registry.err.format")
}

func attach(w http.ResponseWriter, name, format string) {
	if format == "xlsx" {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	} else {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	}
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name+"."+format))
}

func (h *Handler) template(w http.ResponseWriter, r *http.Request) error {
	k, err := kindOf(r)
	if err != nil {
		return err
	}
	format, err := formatOf(r)
	if err != nil {
		return err
	}
	attach(w, k.Name+"导入模板", format)
	return sheet.Template(w, format, k.Schema())
}

// export downloads every record matching the list's filters, personal data masked.
func (h *Handler) export(w http.ResponseWriter, r *http.Request) error {
	k, err := kindOf(r)
	if err != nil {
		return err
	}
	format, err := formatOf(r)
	if err != nil {
		return err
	}
	f, err := h.filterFrom(r, k)
	if err != nil {
		return err
	}
	attach(w, k.Name+"-"+h.today().Format("20060102"), format)
	return h.Store.Export(r.Context(), k, f, w, format)
}

// recordJSON is a record in the API: personal data masked.
func recordJSON(k *Kind, rec Record) map[string]any {
	out := map[string]any{"id": rec.ID, "region_name": rec.RegionName, "updated_at": rec.UpdatedAt}
	for _, fl := range k.Fields {
		v := rec.Values[fl.Key]
		if fl.PII != NotPII && v != nil {
			v = maskPII(fl, rec.Values.Str(fl.Key))
		}
		out[fl.Key] = v
	}
	return out
}

// apiList serves GET /api/v1/registry/{kind}: a page of records in the caller's scope.
func (h *Handler) apiList(w http.ResponseWriter, r *http.Request) error {
	if _, err := account.APIStaff(r); err != nil {
		return err
	}
	k, err := kindOf(r)
	if err != nil {
		return err
	}
	f, err := h.filterFrom(r, k)
	if err != nil {
		return err
	}
	p, err := h.Store.List(r.Context(), k, f)
	if err != nil {
		return err
	}
	items := []map[string]any{}
	for _, rec := range p.Records {
		items = append(items, recordJSON(k, rec))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"total": p.Total, "items": items, "next": p.Next.String()})
	return nil
}

// apiGet serves GET /api/v1/registry/{kind}/{id}.
func (h *Handler) apiGet(w http.ResponseWriter, r *http.Request) error {
	if _, err := account.APIStaff(r); err != nil {
		return err
	}
	k, rec, err := h.recordOf(r, false)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, recordJSON(k, rec))
	return nil
}

// apiFields turns a JSON object into the raw text a form would send: strings as they are,
// numbers in plain decimal (no exponent), booleans only for yes/no fields. Unknown fields and
// arrays or objects are errors, so that nothing is silently dropped or stored as "[a b]".
func apiFields(k *Kind, body map[string]any) (map[string]string, ValidationError) {
	raw := map[string]string{}
	errs := ValidationError{}
	for key, v := range body {
		f, ok := k.Field(key)
		if !ok {
			errs[key] = "没有这个字段"
			continue
		}
		switch x := v.(type) {
		case nil:
		case string:
			raw[key] = x
		case json.Number:
			raw[key] = x.String()
		case bool:
			if f.Kind != sheet.Bool {
				errs[key] = "应为文字或数字，不是 true/false"
				continue
			}
			raw[key] = map[bool]string{true: "是", false: "否"}[x]
		default:
			errs[key] = "应为文字、数字或 true/false，不能是数组或对象"
		}
	}
	return raw, errs
}

// apiCreate serves POST /api/v1/registry/{kind}: a JSON object of field → text, parsed as a
// form is. Errors are 422 with the field messages.
func (h *Handler) apiCreate(w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	k, err := writableKind(r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil {
		return web.Errorf(http.StatusBadRequest, "registry.err.json")
	}
	raw, errs := apiFields(k, body)
	v, perrs := k.Parse(raw)
	errs = merge(errs, perrs)
	var id int64
	if len(errs) == 0 {
		id, err = h.Store.Create(r.Context(), k, p.Scope(), p.ID, v)
		if !errors.As(err, &errs) && err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		web.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": map[string]any{"status": 422, "code": "registry.invalid", "fields": errs}})
		return nil
	}
	rec, err := h.Store.Get(r.Context(), k, p.Scope(), id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, recordJSON(k, rec))
	return nil
}

// join asks for a volunteer (by phone) to join the team of the page.
func (h *Handler) join(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	vid, err := h.Store.VolunteerByPhone(r.Context(), p.Scope(), r.PostFormValue("phone"))
	if err == nil {
		_, err = h.Store.Join(r.Context(), p.Scope(), p.ID, vid, id)
	}
	return h.afterMembership(w, r, "volunteer-teams", id, err)
}

// membershipAction decides, changes the admin flag of, or ends a membership.
func (h *Handler) membershipAction(w http.ResponseWriter, r *http.Request) error {
	mid, err := web.PathID(r, "mid")
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	team, err := h.Store.MembershipTeam(r.Context(), p.Scope(), mid)
	if err != nil {
		return web.NotFound(err)
	}
	switch r.PathValue("action") {
	case "approve":
		err = h.Store.Decide(r.Context(), p.Scope(), p.ID, mid, true, "")
	case "reject":
		err = h.Store.Decide(r.Context(), p.Scope(), p.ID, mid, false, r.PostFormValue("reason"))
	case "admin":
		err = h.Store.SetAdmin(r.Context(), p.Scope(), p.ID, mid, r.PostFormValue("admin") == "1")
	case "leave":
		err = h.Store.Leave(r.Context(), p.Scope(), p.ID, mid)
	default:
		return web.NotFound(nil)
	}
	return h.afterMembership(w, r, "volunteer-teams", team, err)
}

// afterMembership redirects to the team page, or re-renders it with the refusal.
func (h *Handler) afterMembership(w http.ResponseWriter, r *http.Request, slug string, teamID int64, err error) error {
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/console/registry/%s/%d", slug, teamID), http.StatusSeeOther)
		return nil
	}
	msg := err.Error()
	switch {
	case errors.Is(err, db.ErrNotFound):
		msg = "您的管理范围内没有以此手机号登记的科技志愿者"
	case errors.Is(err, ErrTooManyTeams), errors.Is(err, ErrAlreadyMember), errors.Is(err, ErrTooManyAdmins), errors.Is(err, ErrNotPending), errors.Is(err, ErrNotMember), errors.Is(err, ErrNoteTooLong):
	case strings.Contains(msg, "理由"):
	default:
		return err
	}
	r.SetPathValue("kind", slug)
	r.SetPathValue("id", strconv.FormatInt(teamID, 10))
	return h.renderDetail(w, r, detailExtra{problem: msg})
}

func (h *Handler) membershipImportForm(w http.ResponseWriter, r *http.Request) error {
	return h.Kit.Render.HTML(w, r, http.StatusOK, "registry/import", h.importPage(r, nil))
}

func (h *Handler) membershipImport(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	return h.upload(w, r, h.importPage(r, nil), func(f io.Reader, _ string) (ImportResult, error) {
		return h.Store.ImportMemberships(r.Context(), p.Scope(), p.ID, f, h.maxBytes())
	})
}

func (h *Handler) membershipTemplate(w http.ResponseWriter, r *http.Request) error {
	format, err := formatOf(r)
	if err != nil {
		return err
	}
	attach(w, "志愿服务队成员导入模板", format)
	return sheet.Template(w, format, MembershipSchema)
}
