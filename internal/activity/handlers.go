package activity

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// Option is one choice of a select or checkbox list.
type Option struct {
	Value, Label string
	Selected     bool
}

func options(list []Type, selected ...string) []Option {
	out := make([]Option, len(list))
	for i, t := range list {
		out[i] = Option{Value: t.Slug, Label: t.Label, Selected: contains(selected, t.Slug)}
	}
	return out
}

// Row is an activity as a list shows it.
type Row struct {
	Activity
	TypeLabel, StatusLabel string
	Flags                  []string
}

func rowOf(a Activity) Row {
	return Row{Activity: a, TypeLabel: TypeLabel(a.Type), StatusLabel: StatusLabel(a.Status), Flags: a.Flags()}
}

// ListPage is the data of the activity list.
type ListPage struct {
	web.Page
	Filter         Filter
	Rows           []Row
	Total          int
	Next           string
	Types, Groups  []Option
	Statuses       []Option
	RollupURL      string
	FilterNarrowed bool
}

var statusOptions = []Type{{Counted, "已确认（计入统计）"}, {Draft, "草稿"}, {Submitted, "待审核"}, {Reviewed, "待确认"}, {Returned, "已退回"}, {Accepted, "已确认（含已更正的旧版本）"}}

// filterOf reads a list or roll-up filter from the query; a unit outside the caller's scope
// is not found (rather than an empty list that reads as "no activity there").
func filterOf(r *http.Request, scope region.Scope) (Filter, error) {
	f := ParseFilter(r.URL.Query(), scope)
	for _, code := range []string{f.Region, f.Unit} {
		if code != "" && scope.Narrow(code).Empty() {
			return f, web.NotFound(fmt.Errorf("unit %s outside scope", code))
		}
	}
	return f, nil
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	f, err := filterOf(r, account.ScopeOf(r.Context()))
	if err != nil {
		return err
	}
	page, err := h.Store.List(r.Context(), f)
	if err != nil {
		return err
	}
	p := ListPage{Page: h.Kit.Page(r, "activity.title"), Filter: f, Total: page.Total, Types: options(Types, f.Type),
		Groups: options(TargetGroups, f.Group), Statuses: options(statusOptions, f.Status)}
	for _, a := range page.Items {
		p.Rows = append(p.Rows, rowOf(a))
	}
	if page.Next != 0 {
		v := f.Values()
		v.Set("after", strconv.FormatInt(page.Next, 10))
		p.Next = "/console/activities?" + v.Encode()
	}
	rv := f.Values()
	rv.Del("status")
	p.RollupURL = "/console/activities/rollup?" + rv.Encode()
	return h.Kit.Render.HTML(w, r, http.StatusOK, "activity/list", p)
}

// formValues are the form's fields as typed, so that a refused form comes back as it was.
type formValues struct {
	RegionCode, Title, Type, Organizer, Venue, VenueRef, StartsAt, EndsAt, Mode, Programmes, Partners string
	Sessions, Declared, Live, Replay, Capacity, WalkIns, Report                                       string
	Groups                                                                                            []string
	SignupOpen                                                                                        bool
}

const formTime = "2006-01-02T15:04" // <input type="datetime-local">, China time

func valuesOf(in Input) formValues {
	v := formValues{RegionCode: in.RegionCode, Title: in.Title, Type: in.Type, Organizer: in.Organizer, Venue: in.Venue, Mode: in.Mode,
		Programmes: strings.Join(in.Programmes, "、"), Partners: strings.Join(in.Partners, "、"), Groups: in.TargetGroups,
		Sessions: strconv.Itoa(in.Sessions), Declared: strconv.FormatInt(in.DeclaredAttendance, 10), Live: strconv.FormatInt(in.LiveViewers, 10),
		Replay: strconv.FormatInt(in.ReplayViews, 10), Capacity: strconv.Itoa(in.Capacity), WalkIns: strconv.Itoa(in.WalkInAllowance),
		Report: in.Report, SignupOpen: in.SignupOpen}
	if !in.StartsAt.IsZero() {
		v.StartsAt, v.EndsAt = in.StartsAt.In(China).Format(formTime), in.EndsAt.In(China).Format(formTime)
	}
	return v
}

// parseForm reads the form into values and an Input; problems only the form can have (a
// number that is not one, a time that is not one) come back per field.
func parseForm(r *http.Request) (formValues, Input, ValidationError) {
	r.ParseForm()
	g := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	v := formValues{RegionCode: g("region_code"), Title: g("title"), Type: g("type"), Organizer: g("organizer"), Venue: g("venue"), VenueRef: g("venue_ref"),
		StartsAt: g("starts_at"), EndsAt: g("ends_at"), Mode: g("mode"), Programmes: g("programmes"), Partners: g("partners"),
		Sessions: g("sessions"), Declared: g("declared_attendance"), Live: g("live_viewers"), Replay: g("replay_views"),
		Capacity: g("capacity"), WalkIns: g("walkin_allowance"), Report: g("report"), Groups: r.PostForm["target_groups"],
		SignupOpen: r.PostForm.Get("signup_open") != ""}
	errs := ValidationError{}
	in := Input{RegionCode: v.RegionCode, Title: v.Title, Type: v.Type, Organizer: v.Organizer, Venue: v.Venue, Mode: v.Mode,
		Programmes: []string{v.Programmes}, Partners: []string{v.Partners}, TargetGroups: v.Groups, Report: v.Report, SignupOpen: v.SignupOpen}
	// Numbers and codes are read as the report import reads them (full-width digits, "1,300"
	// but not "1,3,0,0", no approximate "1300多"), so a form and a file agree.
	num := func(key, s string, def int64) int64 {
		if s == "" {
			return def
		}
		v, msg := sheet.Column{Kind: sheet.Int}.Parse(s, false)
		if msg != "" {
			errs[key] = msg
			return 0
		}
		return v.(int64)
	}
	if v.RegionCode != "" {
		if code, msg := (sheet.Column{Kind: sheet.Code}).Parse(v.RegionCode, false); msg == "" {
			in.RegionCode = code.(string)
		}
	}
	in.Sessions = int(num("sessions", v.Sessions, 1))
	in.DeclaredAttendance = num("declared_attendance", v.Declared, 0)
	in.LiveViewers = num("live_viewers", v.Live, 0)
	in.ReplayViews = num("replay_views", v.Replay, 0)
	in.Capacity = int(num("capacity", v.Capacity, 0))
	in.WalkInAllowance = int(num("walkin_allowance", v.WalkIns, 0))
	for _, t := range []struct {
		key, s string
		dst    *time.Time
	}{{"starts_at", v.StartsAt, &in.StartsAt}, {"ends_at", v.EndsAt, &in.EndsAt}} {
		if t.s == "" {
			continue
		}
		tm, err := time.ParseInLocation(formTime, t.s, China)
		if err != nil {
			errs[t.key] = "时间格式应为 2026-05-20T09:00"
		}
		*t.dst = tm
	}
	return v, in, errs
}

// FormPage is the data of the new and edit forms.
type FormPage struct {
	web.Page
	ID                   int64
	V                    formValues
	Errors               ValidationError
	Types, Modes, Groups []Option
}

func (h *Handler) form(r *http.Request, id int64, v formValues, errs ValidationError) FormPage {
	title := "activity.new"
	if id != 0 {
		title = "activity.edit"
	}
	return FormPage{Page: h.Kit.Page(r, title), ID: id, V: v, Errors: errs, Types: options(Types, v.Type), Modes: options(Modes, v.Mode),
		Groups: options(TargetGroups, v.Groups...)}
}

func (h *Handler) newForm(w http.ResponseWriter, r *http.Request) error {
	v := formValues{Sessions: "1", Mode: "offline"}
	if p := account.FromContext(r.Context()); len(p.Grants) == 1 {
		v.RegionCode = p.Grants[0].RegionCode
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "activity/form", h.form(r, 0, v, nil))
}

// saveErr renders the form again with the problems of err beside their fields, or returns err.
func (h *Handler) saveErr(w http.ResponseWriter, r *http.Request, id int64, v formValues, err error) error {
	var ve ValidationError
	if errors.As(err, &ve) {
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "activity/form", h.form(r, id, v, ve))
	}
	return err
}

// resolveVenue turns the form's registered-venue reference (registry.Store.FindFacility: a
// name, or 类别：名称) into in.VenueKind and VenueID, or puts the problem beside the field.
func (h *Handler) resolveVenue(r *http.Request, v formValues, in *Input, errs ValidationError) error {
	if v.VenueRef == "" {
		return nil
	}
	if h.Registry == nil {
		errs["venue_ref"] = "无法核对登记场馆"
		return nil
	}
	f, msg, err := h.Registry.FindFacility(r.Context(), account.ScopeOf(r.Context()), v.VenueRef)
	if err != nil {
		return err
	}
	if msg != "" {
		errs["venue_ref"] = msg
		return nil
	}
	in.VenueKind, in.VenueID = f.Kind, f.ID
	return nil
}

// venueLabel names an activity's registered venue (Facility.Label), "" for none.
func (h *Handler) venueLabel(r *http.Request, a Activity) string {
	if a.VenueID == 0 || h.Registry == nil {
		return ""
	}
	labels, err := h.Registry.FacilityLabels(r.Context(), map[string][]int64{a.VenueKind: {a.VenueID}})
	if err != nil {
		return ""
	}
	return labels[fmt.Sprintf("%s:%d", a.VenueKind, a.VenueID)]
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	v, in, errs := parseForm(r)
	if err := h.resolveVenue(r, v, &in, errs); err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.saveErr(w, r, 0, v, errs)
	}
	id, err := h.Store.Create(r.Context(), p.Scope(), p.ID, in)
	if err != nil {
		return h.saveErr(w, r, 0, v, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/console/activities/%d", id), http.StatusSeeOther)
	return nil
}

// record reads the version named in the path inside the caller's scope.
func (h *Handler) record(r *http.Request) (Activity, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return Activity{}, err
	}
	a, err := h.Store.Get(r.Context(), account.ScopeOf(r.Context()), id)
	if errors.Is(err, db.ErrNotFound) {
		return a, web.NotFound(err)
	}
	return a, err
}

func (h *Handler) editForm(w http.ResponseWriter, r *http.Request) error {
	a, err := h.record(r)
	if err != nil {
		return err
	}
	if a.Locked() {
		http.Redirect(w, r, fmt.Sprintf("/console/activities/%d", a.ID), http.StatusSeeOther)
		return nil
	}
	v := valuesOf(InputOf(a))
	v.VenueRef = h.venueLabel(r, a)
	return h.Kit.Render.HTML(w, r, http.StatusOK, "activity/form", h.form(r, a.ID, v, nil))
}

func (h *Handler) update(w http.ResponseWriter, r *http.Request) error {
	a, err := h.record(r)
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	v, in, errs := parseForm(r)
	if err := h.resolveVenue(r, v, &in, errs); err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.saveErr(w, r, a.ID, v, errs)
	}
	if err := h.Store.Update(r.Context(), p.Scope(), p.ID, a.ID, in); err != nil {
		if errors.Is(err, ErrLocked) {
			return h.detailPage(w, r, a, err.Error())
		}
		return h.saveErr(w, r, a.ID, v, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/console/activities/%d", a.ID), http.StatusSeeOther)
	return nil
}

// DetailPage is the data of an activity's page.
type DetailPage struct {
	web.Page
	A                                     Row
	ModeLabel                             string
	GroupLabels                           []string
	Versions                              []Row
	Steps                                 []Step
	Names                                 map[int64]string // account id → username, for the history
	Photos                                []PhotoRef
	Problem                               string
	VenueRef                              string // the registered venue (Facility.Label), "" for none
	CanEdit, CanReview, CanAccept, CanFix bool
	MaxPhotos                             int
}

func (h *Handler) detail(w http.ResponseWriter, r *http.Request) error {
	a, err := h.record(r)
	if err != nil {
		return err
	}
	return h.detailPage(w, r, a, "")
}

func (h *Handler) detailPage(w http.ResponseWriter, r *http.Request, a Activity, problem string) error {
	ctx := r.Context()
	p := account.FromContext(ctx)
	versions, err := h.Store.Versions(ctx, p.Scope(), a.SeriesID)
	if err != nil {
		return err
	}
	steps, err := h.Store.Steps(ctx, a.ID)
	if err != nil {
		return err
	}
	photos, err := h.Store.Photos(ctx, a.ID)
	if err != nil {
		return err
	}
	d := DetailPage{Page: h.Kit.Page(r, "activity.detail", a.Title), A: rowOf(a), ModeLabel: ModeLabel(a.Mode), Steps: steps, Photos: photos,
		Problem: problem, MaxPhotos: MaxPhotos, VenueRef: h.venueLabel(r, a)}
	d.Title = a.Title
	if h.AccountNames != nil {
		ids := make([]int64, 0, len(steps))
		for _, st := range steps {
			ids = append(ids, st.AccountID)
		}
		d.Names, _ = h.AccountNames(ctx, ids) // a missing name shows the id
	}
	for _, g := range a.TargetGroups {
		d.GroupLabels = append(d.GroupLabels, GroupLabel(g))
	}
	open := false
	for _, v := range versions {
		d.Versions = append(d.Versions, rowOf(v))
		open = open || v.Status != Accepted
	}
	above := p.Holds(reviewLevel(a.RegionCode), a.RegionCode)
	d.CanEdit = !a.Locked()
	d.CanReview = a.Status == Submitted && above && a.SubmittedBy != p.ID
	d.CanAccept = a.Status == Reviewed && above && a.ReviewedBy != p.ID && a.SubmittedBy != p.ID
	d.CanFix = a.Status == Accepted && !a.Superseded && !open
	status := http.StatusOK
	if problem != "" {
		status = http.StatusConflict
	}
	return h.Kit.Render.HTML(w, r, status, "activity/detail", d)
}

// act takes a workflow step on a version: submit, review, accept (each with decision pass or
// return and a note), correct.
func (h *Handler) act(w http.ResponseWriter, r *http.Request) error {
	a, err := h.record(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p := account.FromContext(ctx)
	decision := r.PostFormValue("decision")
	pass := decision == "pass"
	note := r.PostFormValue("note")
	target := a.ID
	switch r.PathValue("action") {
	case "submit":
		err = h.Store.Submit(ctx, p.Scope(), p.ID, a.ID)
	case "review", "accept":
		if decision != "pass" && decision != "return" {
			return h.detailPage(w, r, a, "请选择“通过”或“退回”")
		}
		if r.PathValue("action") == "review" {
			err = h.Store.Review(ctx, p, p.Scope(), p.ID, a.ID, pass, note)
		} else {
			err = h.Store.Accept(ctx, p, p.Scope(), p.ID, a.ID, pass, note)
		}
	case "correct":
		target, err = h.Store.Correct(ctx, p.Scope(), p.ID, a.ID)
	default:
		return web.NotFound(fmt.Errorf("no action %q", r.PathValue("action")))
	}
	var ve ValidationError
	switch {
	case errors.Is(err, ErrWrongStep), errors.Is(err, ErrNotYours), errors.Is(err, ErrNoReason), errors.Is(err, ErrSameAccount), errors.Is(err, ErrOwnRecord), errors.Is(err, ErrNotEnded),
		errors.Is(err, ErrOpenVersion), errors.Is(err, ErrLocked), errors.As(err, &ve):
		a, _ = h.Store.Get(ctx, p.Scope(), a.ID)
		return h.detailPage(w, r, a, err.Error())
	case err != nil:
		return err
	}
	if r.PathValue("action") == "correct" {
		http.Redirect(w, r, fmt.Sprintf("/console/activities/%d/edit", target), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/console/activities/%d", target), http.StatusSeeOther)
	return nil
}

func (h *Handler) addPhoto(w http.ResponseWriter, r *http.Request) error {
	a, err := h.record(r)
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	file, _, err := r.FormFile("photo")
	if err == nil {
		defer file.Close()
		err = h.Store.AddPhoto(r.Context(), p.Scope(), p.ID, a.ID, io.LimitReader(file, MaxPhotoBytes+1))
	} else {
		err = ErrPhotoType
	}
	if err != nil {
		if errors.Is(err, ErrPhoto) || errors.Is(err, ErrLocked) {
			return h.detailPage(w, r, a, err.Error())
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/activities/%d", a.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) deletePhoto(w http.ResponseWriter, r *http.Request) error {
	a, err := h.record(r)
	if err != nil {
		return err
	}
	pid, _ := strconv.ParseInt(r.PathValue("pid"), 10, 64)
	err = h.Store.DeletePhoto(r.Context(), account.ScopeOf(r.Context()), a.ID, pid)
	switch {
	case errors.Is(err, ErrLocked):
		return h.detailPage(w, r, a, err.Error())
	case errors.Is(err, db.ErrNotFound):
		return web.NotFound(err)
	case err != nil:
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/console/activities/%d", a.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) photo(w http.ResponseWriter, r *http.Request) error {
	a, err := h.record(r)
	if err != nil {
		return err
	}
	pid, _ := strconv.ParseInt(r.PathValue("pid"), 10, 64)
	ct, data, err := h.Store.Photo(r.Context(), a.ID, pid)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Write(data)
	return nil
}

func (h *Handler) importPage(r *http.Request) registry.ImportPage {
	max := sheet.DefaultMaxBytes >> 20
	page := registry.ImportPage{Page: h.Kit.Page(r, "activity.import"), Action: "/console/activities/import",
		TemplateURL: "/console/activities/template", Back: "/console/activities", MaxMB: int64(max)}
	page.BackLabel, page.Lead = page.T("activity.title"), page.T("activity.import_lead")
	return page
}

func (h *Handler) importForm(w http.ResponseWriter, r *http.Request) error {
	return h.Kit.Render.HTML(w, r, http.StatusOK, "registry/import", h.importPage(r))
}

// importFile takes an uploaded activity report and records it all or nothing, on the
// registry's import page (which lists every problem with row, column and reason).
func (h *Handler) importFile(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	page := h.importPage(r)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		page.Error = page.T("registry.err.no_file")
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			page.Error = page.T("registry.err.too_big", page.MaxMB)
		}
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "registry/import", page)
	}
	defer file.Close()
	page.FileName = hdr.Filename
	res, err := h.Store.Import(r.Context(), p.Scope(), p.ID, file, hdr.Filename, 0)
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

func (h *Handler) template(w http.ResponseWriter, r *http.Request) error {
	format := "xlsx"
	if r.URL.Query().Get("format") == "csv" {
		format = "csv"
	}
	if format == "xlsx" {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	} else {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	}
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape("科普活动导入模板."+format))
	return sheet.Template(w, format, Schema())
}

// Dimension is one grouping the roll-up page offers.
type Dimension struct {
	Key, Label string
	Selected   bool
}

var dimensions = []Type{{ByRegion, "按地区"}, {ByMonth, "按月"}, {ByQuarter, "按季度"}, {ByYear, "按年"}, {ByType, "按活动类型"},
	{ByProgramme, "按品牌活动"}, {ByGroup, "按重点人群"}}

// RollupPage is the data of the roll-up page: each figure links to the list of its records.
type RollupPage struct {
	web.Page
	R          Rollup
	Dims       []Option
	Filter     Filter
	RegionName string
	Links      []string // list URL per row
	TotalLink  string
	Types      []Option
	Groups     []Option
	Up         string // the roll-up one level up, when grouped by unit below the scope's top
}

func listURL(f Filter) string { return "/console/activities?" + f.Values().Encode() }

func (h *Handler) rollup(w http.ResponseWriter, r *http.Request) error {
	scope := account.ScopeOf(r.Context())
	q := r.URL.Query()
	f, err := filterOf(r, scope)
	if err != nil {
		return err
	}
	if q.Get("from") == "" && q.Get("to") == "" {
		y := time.Now().In(China).Year()
		f.From, f.To = fmt.Sprintf("%d-01-01", y), fmt.Sprintf("%d-12-31", y)
	}
	by := q.Get("by")
	switch {
	case by == "":
		by = ByRegion
	case label(dimensions, by) == "":
		return web.Errorf(http.StatusBadRequest, "activity.err.dimension")
	}
	if by == ByRegion && f.Region == "" {
		if roots := scope.Roots(); len(roots) > 1 {
			f.Region = region.ParentOf(roots[0])
		}
	}
	res, err := h.Store.Rollup(r.Context(), f, by)
	if err != nil {
		if by != ByRegion {
			return err
		}
		return web.Errorf(http.StatusBadRequest, "activity.err.rollup_region")
	}
	p := RollupPage{Page: h.Kit.Page(r, "activity.rollup"), R: res, Dims: options(dimensions, by), Filter: f, TotalLink: listURL(res.Base),
		Types: options(Types, f.Type), Groups: options(TargetGroups, f.Group)}
	for _, row := range res.Rows {
		p.Links = append(p.Links, listURL(row.Filter))
	}
	if res.Base.Region != "" {
		if u, err := h.Regions.Get(r.Context(), res.Base.Region); err == nil {
			p.RegionName = u.Name
		}
		if parent := region.ParentOf(res.Base.Region); parent != "" && !scope.Narrow(parent).Empty() && scope.Contains(parent) {
			up := f
			up.Region = parent
			v := up.Values()
			v.Set("by", ByRegion)
			p.Up = "/console/activities/rollup?" + v.Encode()
		}
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "activity/rollup", p)
}

// apiList serves GET /api/v1/activities: a page of records in the caller's scope, with the
// same filters as the list page.
func (h *Handler) apiList(w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	f, err := filterOf(r, p.Scope())
	if err != nil {
		return err
	}
	f.Limit, _ = strconv.Atoi(r.URL.Query().Get("limit"))
	page, err := h.Store.List(r.Context(), f)
	if err != nil {
		return err
	}
	type item struct {
		ID                 int64    `json:"id"`
		SeriesID           int64    `json:"series_id"`
		Version            int      `json:"version"`
		RegionCode         string   `json:"region_code"`
		Title              string   `json:"title"`
		Type               string   `json:"type"`
		Organizer          string   `json:"organizer"`
		Venue              string   `json:"venue"`
		VenueKind          string   `json:"venue_kind,omitempty"` // registry kind of the registered venue
		VenueID            int64    `json:"venue_id,omitempty"`   // its registry id
		StartsAt           string   `json:"starts_at"`
		EndsAt             string   `json:"ends_at"`
		Mode               string   `json:"mode"`
		Programmes         []string `json:"programmes"`
		TargetGroups       []string `json:"target_groups"`
		Sessions           int      `json:"sessions"`
		DeclaredAttendance int64    `json:"declared_attendance"`
		VerifiedAttendance int64    `json:"verified_attendance"`
		LiveViewers        int64    `json:"live_viewers"`
		ReplayViews        int64    `json:"replay_views"`
		Status             string   `json:"status"`
		Superseded         bool     `json:"superseded"`
		Flags              []string `json:"flags"`
	}
	out := struct {
		Total int    `json:"total"`
		Next  int64  `json:"next,omitempty"`
		Items []item `json:"items"`
	}{Total: page.Total, Next: page.Next, Items: []item{}}
	for _, a := range page.Items {
		out.Items = append(out.Items, item{a.ID, a.SeriesID, a.Version, a.RegionCode, a.Title, a.Type, a.Organizer, a.Venue, a.VenueKind, a.VenueID, a.StartsAt.Format(time.RFC3339),
			a.EndsAt.Format(time.RFC3339), a.Mode, nonNil(a.Programmes), nonNil(a.TargetGroups), a.Sessions, a.DeclaredAttendance, a.VerifiedAttendance,
			a.LiveViewers, a.ReplayViews, a.Status, a.Superseded, nonNil(a.Flags())})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// apiRollup serves GET /api/v1/activities/rollup?by=…: the roll-up's rows, each with the
// list URL of the records behind it.
func (h *Handler) apiRollup(w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	by := r.URL.Query().Get("by")
	if label(dimensions, by) == "" {
		return web.Errorf(http.StatusBadRequest, "activity.err.dimension")
	}
	f, err := filterOf(r, p.Scope())
	if err != nil {
		return err
	}
	res, err := h.Store.Rollup(r.Context(), f, by)
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "activity.err.rollup_region")
	}
	type row struct {
		Key        string `json:"key"`
		Label      string `json:"label"`
		Activities int    `json:"activities"`
		Sessions   int64  `json:"sessions"`
		Declared   int64  `json:"declared_attendance"`
		Verified   int64  `json:"verified_attendance"`
		Live       int64  `json:"live_viewers"`
		Replay     int64  `json:"replay_views"`
		Records    string `json:"records"`
	}
	mk := func(key, label string, f Figures, link string) row {
		return row{key, label, f.Activities, f.Sessions, f.Declared, f.Verified, f.Live, f.Replay, link}
	}
	out := struct {
		By    string `json:"by"`
		Rows  []row  `json:"rows"`
		Total row    `json:"total"`
	}{By: by, Rows: []row{}, Total: mk("", "合计", res.Total, "/api/v1/activities?"+res.Base.Values().Encode())}
	for _, x := range res.Rows {
		out.Rows = append(out.Rows, mk(x.Key, x.Label, x.Figures, "/api/v1/activities?"+x.Filter.Values().Encode()))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}
