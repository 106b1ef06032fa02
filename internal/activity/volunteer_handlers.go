package activity

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// volunteering returns the volunteer-service store over the handler's dependencies.
func (h *Handler) volunteering() *Volunteering {
	return &Volunteering{Activities: h.Store, Registry: h.Registry}
}

const (
	volMinuteLayout = "2006-01-02T15:04" // <input type="datetime-local">
	volDateLayout   = "2006-01-02"
)

// volParseMinute reads a datetime-local value (or "2006-01-02 15:04") in China; ""
// gives the zero time and ok; anything unreadable gives ok false.
func volParseMinute(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	for _, layout := range []string{volMinuteLayout, "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, China); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// volMinute formats a UTC time for a datetime-local input.
func volMinute(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(China).Format(volMinuteLayout)
}

// volPeriod reads the from/to dates (inclusive, in China) of a query into [from, to)
// in UTC. Missing dates are open ends unless defaultYear, which gives the current calendar
// year. A bad date is a 400 naming the field.
func (h *Handler) volPeriod(r *http.Request, defaultYear bool) (from, to time.Time, fromS, toS string, err error) {
	q := r.URL.Query()
	fromS, toS = strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))
	if defaultYear && fromS == "" && toS == "" {
		y := h.Store.now().In(China).Year()
		fromS, toS = fmt.Sprintf("%d-01-01", y), fmt.Sprintf("%d-12-31", y)
	}
	if fromS != "" {
		t, perr := time.ParseInLocation(volDateLayout, fromS, China)
		if perr != nil {
			return from, to, fromS, toS, web.Errorf(http.StatusBadRequest, "volunteer.err.from")
		}
		from = t.UTC()
	}
	if toS != "" {
		t, perr := time.ParseInLocation(volDateLayout, toS, China)
		if perr != nil {
			return from, to, fromS, toS, web.Errorf(http.StatusBadRequest, "volunteer.err.to")
		}
		to = t.AddDate(0, 0, 1).UTC()
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return from, to, fromS, toS, web.Errorf(http.StatusBadRequest, "volunteer.err.period")
	}
	return from, to, fromS, toS, nil
}

// volFieldLabel names a form field in Chinese for messages that name the field.
func volFieldLabel(key string) string {
	switch key {
	case "starts_at":
		return "实际开始时间"
	case "ends_at":
		return "实际结束时间"
	case "name":
		return "姓名"
	case "reason":
		return "理由"
	case "phone":
		return "手机号"
	}
	return key
}

// volProblem turns a store error into a message to show on the page (with the field named),
// or "" when the error is not the user's to fix.
func volProblem(err error) string {
	var verr ValidationError
	switch {
	case errors.As(err, &verr):
		var parts []string
		for _, k := range []string{"name", "starts_at", "ends_at", "reason"} {
			if m, ok := verr[k]; ok {
				parts = append(parts, volFieldLabel(k)+"："+m)
			}
		}
		return strings.Join(parts, "；")
	case errors.Is(err, ErrNotTeamMember), errors.Is(err, ErrShiftFull), errors.Is(err, ErrSignedUp), errors.Is(err, ErrHoursRecorded),
		errors.Is(err, ErrHoursLocked), errors.Is(err, ErrNotPendingHours), errors.Is(err, ErrSameRecorder), errors.Is(err, ErrShiftSignupCancelled),
		errors.Is(err, ErrNoReason):
		return err.Error()
	}
	return ""
}

// ShiftsPage is the list of shifts in scope.
type ShiftsPage struct {
	web.Page
	Teams    []registry.TeamRef
	TeamID   int64
	From, To string
	Approved bool
	Shifts   []Shift
	Total    int
}

func (h *Handler) volShifts(w http.ResponseWriter, r *http.Request) error {
	scope := account.ScopeOf(r.Context())
	from, to, fromS, toS, err := h.volPeriod(r, false)
	if err != nil {
		return err
	}
	team, _ := strconv.ParseInt(r.URL.Query().Get("team"), 10, 64)
	approved := r.URL.Query().Get("approved") == "1"
	v := h.volunteering()
	teams, err := h.Registry.VolunteerTeamsIn(r.Context(), scope)
	if err != nil {
		return err
	}
	shifts, total, err := v.Shifts(r.Context(), ShiftFilter{Scope: scope, TeamID: team, From: from, To: to, Approved: approved})
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "activity/volunteer_shifts", ShiftsPage{Page: h.Kit.Page(r, "volunteer.title"),
		Teams: teams, TeamID: team, From: fromS, To: toS, Approved: approved, Shifts: shifts, Total: total})
}

// ShiftFormPage is the new-shift form.
type ShiftFormPage struct {
	web.Page
	Teams  []registry.TeamRef
	Values map[string]string
	Errors ValidationError
}

func (h *Handler) volShiftForm(w http.ResponseWriter, r *http.Request, status int, values map[string]string, errs ValidationError) error {
	teams, err := h.Registry.VolunteerTeamsIn(r.Context(), account.ScopeOf(r.Context()))
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, status, "activity/volunteer_shift_form", ShiftFormPage{Page: h.Kit.Page(r, "volunteer.new_shift"),
		Teams: teams, Values: values, Errors: errs})
}

func (h *Handler) volNewShift(w http.ResponseWriter, r *http.Request) error {
	vals := map[string]string{"team_id": r.URL.Query().Get("team"), "activity_id": r.URL.Query().Get("activity"), "headcount": "10"}
	return h.volShiftForm(w, r, http.StatusOK, vals, nil)
}

func (h *Handler) volCreateShift(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	vals := map[string]string{}
	for _, k := range []string{"team_id", "activity_id", "title", "starts_at", "ends_at", "headcount"} {
		vals[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	errs := ValidationError{}
	var in ShiftInput
	in.Title = vals["title"]
	if vals["team_id"] != "" {
		if n, err := strconv.ParseInt(vals["team_id"], 10, 64); err == nil {
			in.TeamID = n
		} else {
			errs["team_id"] = "请选择志愿服务队"
		}
	}
	if vals["activity_id"] != "" {
		if n, err := strconv.ParseInt(vals["activity_id"], 10, 64); err == nil && n > 0 {
			in.ActivityID = n
		} else {
			errs["activity_id"] = "活动编号应为正整数，不关联活动请留空"
		}
	}
	var ok bool
	if in.StartsAt, ok = volParseMinute(vals["starts_at"]); !ok {
		errs["starts_at"] = "开始时间格式应为 2026-05-30 09:00"
	}
	if in.EndsAt, ok = volParseMinute(vals["ends_at"]); !ok {
		errs["ends_at"] = "结束时间格式应为 2026-05-30 17:00"
	}
	if n, err := strconv.Atoi(vals["headcount"]); err == nil {
		in.Headcount = n
	} else {
		errs["headcount"] = fmt.Sprintf("需要人数应为 1–%d 的整数", MaxHeadcount)
	}
	id, err := h.volunteering().CreateShift(r.Context(), p.Scope(), p.ID, in)
	var verr ValidationError
	if errors.As(err, &verr) {
		for k, m := range verr {
			if _, had := errs[k]; !had {
				errs[k] = m
			}
		}
	} else if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.volShiftForm(w, r, http.StatusUnprocessableEntity, vals, errs)
	}
	http.Redirect(w, r, fmt.Sprintf("/console/volunteer/shifts/%d", id), http.StatusSeeOther)
	return nil
}

// HoursRow is one sign-up or walk-in on the shift page, with the values of its record form.
type HoursRow struct {
	Hours
	Start, End string // datetime-local values: recorded, typed, or the shift's times
	Error      string
}

// ShiftPage is one shift: its sign-ups, their hours and the forms to act on them.
type ShiftPage struct {
	web.Page
	Shift       Shift
	Rows        []HoursRow
	Problem     string
	Phone       string                // kept after a refused sign-up
	Members     []registry.Membership // the team's approved members to choose from (phones masked)
	WalkInName  string
	WalkInStart string
	WalkInEnd   string
	Full        bool
}

// volShiftPage renders the shift page; fix, when not nil, adjusts the page (kept values and
// a problem) before rendering with status.
func (h *Handler) volShiftPage(w http.ResponseWriter, r *http.Request, status int, fix func(*ShiftPage)) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	scope := account.ScopeOf(r.Context())
	v := h.volunteering()
	s, err := v.Shift(r.Context(), scope, id)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	hours, err := v.ShiftHours(r.Context(), scope, id)
	if err != nil {
		return err
	}
	page := ShiftPage{Page: h.Kit.Page(r, "volunteer.shift", s.Title), Shift: s, Full: s.SignedUp >= s.Headcount,
		WalkInStart: volMinute(s.StartsAt), WalkInEnd: volMinute(s.EndsAt)}
	members, err := h.Registry.Members(r.Context(), scope, s.TeamID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	for _, m := range members {
		if m.Status == registry.MemberApproved {
			page.Members = append(page.Members, m)
		}
	}
	for _, x := range hours {
		row := HoursRow{Hours: x, Start: volMinute(s.StartsAt), End: volMinute(s.EndsAt)}
		if x.StartsAt != nil && x.EndsAt != nil {
			row.Start, row.End = volMinute(*x.StartsAt), volMinute(*x.EndsAt)
		}
		page.Rows = append(page.Rows, row)
	}
	if fix != nil {
		fix(&page)
	}
	return h.Kit.Render.HTML(w, r, status, "activity/volunteer_shift", page)
}

func (h *Handler) volShift(w http.ResponseWriter, r *http.Request) error {
	return h.volShiftPage(w, r, http.StatusOK, nil)
}

// volAfter redirects to the shift page after an action, or re-renders it (422) with the
// problem when the store refused the action for a reason the user can fix.
func (h *Handler) volAfter(w http.ResponseWriter, r *http.Request, shiftID int64, err error, fix func(*ShiftPage, string)) error {
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/console/volunteer/shifts/%d", shiftID), http.StatusSeeOther)
		return nil
	}
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	msg := volProblem(err)
	if msg == "" {
		return err
	}
	r.SetPathValue("id", strconv.FormatInt(shiftID, 10))
	return h.volShiftPage(w, r, http.StatusUnprocessableEntity, func(p *ShiftPage) {
		p.Problem = msg
		if fix != nil {
			fix(p, msg)
		}
	})
}

func (h *Handler) volSignUp(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	phone := strings.TrimSpace(r.PostFormValue("phone"))
	member, _ := strconv.ParseInt(r.PostFormValue("member"), 10, 64)
	switch {
	case member > 0:
		_, err = h.volunteering().SignUpMember(r.Context(), p.Scope(), p.ID, id, member)
	case phone == "":
		err = ErrNotTeamMember
	default:
		_, err = h.volunteering().SignUp(r.Context(), p.Scope(), p.ID, id, phone)
	}
	return h.volAfter(w, r, id, err, func(page *ShiftPage, _ string) { page.Phone = phone })
}

func (h *Handler) volWalkIn(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	name, startS, endS := r.PostFormValue("name"), r.PostFormValue("starts_at"), r.PostFormValue("ends_at")
	start, ok1 := volParseMinute(startS)
	end, ok2 := volParseMinute(endS)
	switch {
	case !ok1:
		err = ValidationError{"starts_at": "时间格式应为 2026-05-30 09:00"}
	case !ok2:
		err = ValidationError{"ends_at": "时间格式应为 2026-05-30 17:00"}
	default:
		_, err = h.volunteering().WalkIn(r.Context(), p.Scope(), p.ID, id, name, start, end)
	}
	return h.volAfter(w, r, id, err, func(page *ShiftPage, _ string) {
		page.WalkInName, page.WalkInStart, page.WalkInEnd = name, startS, endS
	})
}

// volHoursAction handles the forms on one sign-up: cancel, record (time served), approve,
// decline.
func (h *Handler) volHoursAction(w http.ResponseWriter, r *http.Request) error {
	hid, err := web.PathID(r, "hid")
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	v := h.volunteering()
	shiftID, err := v.ShiftOf(r.Context(), p.Scope(), hid)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	var fix func(*ShiftPage, string)
	switch r.PathValue("action") {
	case "cancel":
		err = v.Cancel(r.Context(), p.Scope(), p.ID, hid)
	case "record":
		startS, endS := r.PostFormValue("starts_at"), r.PostFormValue("ends_at")
		start, ok1 := volParseMinute(startS)
		end, ok2 := volParseMinute(endS)
		switch {
		case !ok1:
			err = ValidationError{"starts_at": "时间格式应为 2026-05-30 09:00"}
		case !ok2:
			err = ValidationError{"ends_at": "时间格式应为 2026-05-30 17:00"}
		default:
			err = v.Record(r.Context(), p.Scope(), p.ID, hid, start, end)
		}
		fix = func(page *ShiftPage, msg string) {
			for i := range page.Rows {
				if page.Rows[i].ID == hid {
					page.Rows[i].Start, page.Rows[i].End, page.Rows[i].Error = startS, endS, msg
				}
			}
		}
	case "approve":
		err = v.Decide(r.Context(), p.Scope(), p.ID, hid, true, "")
	case "decline":
		err = v.Decide(r.Context(), p.Scope(), p.ID, hid, false, r.PostFormValue("reason"))
		fix = func(page *ShiftPage, msg string) {
			for i := range page.Rows {
				if page.Rows[i].ID == hid {
					page.Rows[i].Error = msg
				}
			}
		}
	default:
		return web.NotFound(nil)
	}
	return h.volAfter(w, r, shiftID, err, fix)
}

// VolunteerPage is a volunteer's hours in the caller's scope and star level.
type VolunteerPage struct {
	web.Page
	Rec           VolunteerRecord
	From, To      string
	NextStarHours int
	MissingMin    int64
}

// MissingText is the time still missing to the next star, in hours and minutes.
func (p VolunteerPage) MissingText() string { return HoursText(p.MissingMin) }

func (h *Handler) volVolunteer(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	from, to, fromS, toS, err := h.volPeriod(r, false)
	if err != nil {
		return err
	}
	rec, err := h.volunteering().VolunteerHours(r.Context(), account.ScopeOf(r.Context()), id, from, to)
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if err != nil {
		return err
	}
	next, missing := NextStar(rec.LifetimeMinutes)
	return h.Kit.Render.HTML(w, r, http.StatusOK, "activity/volunteer_person", VolunteerPage{Page: h.Kit.Page(r, "volunteer.person", rec.Volunteer.Name),
		Rec: rec, From: fromS, To: toS, NextStarHours: next, MissingMin: missing})
}

// AwardsPage is the award-eligibility report.
type AwardsPage struct {
	web.Page
	Report   AwardReport
	From, To string
}

func (h *Handler) volAwards(w http.ResponseWriter, r *http.Request) error {
	from, to, fromS, toS, err := h.volPeriod(r, true)
	if err != nil {
		return err
	}
	if from.IsZero() || to.IsZero() {
		return web.Errorf(http.StatusBadRequest, "volunteer.err.period")
	}
	rep, err := h.volunteering().Awards(r.Context(), account.ScopeOf(r.Context()), from, to)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "activity/volunteer_awards", AwardsPage{Page: h.Kit.Page(r, "volunteer.awards"),
		Report: rep, From: fromS, To: toS})
}

// Award export sheets; phones masked.
var (
	volunteerAwardSchema = sheet.Schema{Name: "优秀科技志愿者候选", Columns: []sheet.Column{
		{Key: "name", Header: "姓名"}, {Key: "phone", Header: "手机号（已脱敏）"}, {Key: "region", Header: "所在区划代码"},
		{Key: "activities", Header: "服务次数", Kind: sheet.Int}, {Key: "hours", Header: "服务时长（小时）", Kind: sheet.Decimal},
		{Key: "minutes", Header: "服务时长（分钟）", Kind: sheet.Int},
	}}
	teamAwardSchema = sheet.Schema{Name: "优秀科技志愿服务队候选", Columns: []sheet.Column{
		{Key: "name", Header: "服务队"}, {Key: "region", Header: "所在区划代码"}, {Key: "volunteers", Header: "注册志愿者（人）", Kind: sheet.Int},
		{Key: "activities", Header: "服务次数", Kind: sheet.Int}, {Key: "hours", Header: "服务时长（小时）", Kind: sheet.Decimal},
		{Key: "per_head", Header: "人均时长（小时）", Kind: sheet.Decimal}, {Key: "minutes", Header: "服务时长（分钟）", Kind: sheet.Int},
	}}
)

// volHours turns minutes into hours with two decimals, for sheets.
func volHours(minutes float64) float64 {
	return float64(int64(minutes/60*100+0.5)) / 100
}

func (h *Handler) volExportAwards(w http.ResponseWriter, r *http.Request) error {
	from, to, fromS, toS, err := h.volPeriod(r, true)
	if err != nil {
		return err
	}
	if from.IsZero() || to.IsZero() {
		return web.Errorf(http.StatusBadRequest, "volunteer.err.period")
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "xlsx"
	}
	if format != "xlsx" && format != "csv" {
		return web.Errorf(http.StatusBadRequest, "volunteer.err.format")
	}
	kind := r.URL.Query().Get("kind")
	if kind != "volunteers" && kind != "teams" {
		return web.Errorf(http.StatusBadRequest, "volunteer.err.kind")
	}
	rep, err := h.volunteering().Awards(r.Context(), account.ScopeOf(r.Context()), from, to)
	if err != nil {
		return err
	}
	schema := volunteerAwardSchema
	rows := func(yield func([]any) bool) error {
		for _, v := range rep.Volunteers {
			if !yield([]any{v.Name, v.Phone, v.RegionCode, int64(v.Activities), volHours(float64(v.Minutes)), v.Minutes}) {
				break
			}
		}
		return nil
	}
	if kind == "teams" {
		schema = teamAwardSchema
		rows = func(yield func([]any) bool) error {
			for _, t := range rep.Teams {
				if !yield([]any{t.Name, t.RegionCode, int64(t.Volunteers), int64(t.Activities), volHours(float64(t.Minutes)),
					volHours(t.MinutesPerVolunteer()), t.Minutes}) {
					break
				}
			}
			return nil
		}
	}
	if format == "xlsx" {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	} else {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	}
	name := fmt.Sprintf("%s-%s-%s.%s", schema.Name, strings.ReplaceAll(fromS, "-", ""), strings.ReplaceAll(toS, "-", ""), format)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	return sheet.Write(w, format, schema, rows)
}
