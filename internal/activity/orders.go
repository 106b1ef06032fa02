package activity

import (
	"context"
	"encoding/json"
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
	"github.com/kepu/kepu/internal/web"
)

// StatusLabel names the order's state in Chinese.
func (o Order) StatusLabel() string { return OrderStateLabel(o.Status) }

// LanguageLabel names the order's language in Chinese.
func (o Order) LanguageLabel() string { return label(OrderLanguages, o.Language) }

// RequesterKindLabel names the kind of the requesting unit in Chinese.
func (o Order) RequesterKindLabel() string { return label(RequesterKinds, o.RequesterKind) }

// Window shows the time window in China Standard Time, e.g. "2026-06-10 09:00 – 2026-06-10 17:00".
func (o Order) Window() string {
	return o.WindowStart.In(China).Format("2006-01-02 15:04") + " – " + o.WindowEnd.In(China).Format("2006-01-02 15:04")
}

// withTeamNames fills TeamName from the registry (one query per team kind).
func (h *Handler) withTeamNames(ctx context.Context, orders []Order) error {
	ids := map[string][]int64{}
	for _, o := range orders {
		if o.TeamKind != "" {
			ids[o.TeamKind] = append(ids[o.TeamKind], o.TeamID)
		}
	}
	names := map[string]string{}
	for kind, list := range ids {
		m, err := h.Registry.ServiceTeamNames(ctx, kind, list)
		if err != nil {
			return err
		}
		for k, v := range m {
			names[k] = v
		}
	}
	for i := range orders {
		if orders[i].TeamKind != "" {
			orders[i].TeamName = names[fmt.Sprintf("%s:%d", orders[i].TeamKind, orders[i].TeamID)]
		}
	}
	return nil
}

// OrdersPage is the data of the service-order list.
type OrdersPage struct {
	web.Page
	Status string
	States []Type // slug and Chinese label of every state, for the filter
	Orders []Order
	Next   string // the query of the next page, or ""
}

func orderFilterOf(r *http.Request) OrderFilter {
	q := r.URL.Query()
	f := OrderFilter{Scope: account.ScopeOf(r.Context()), Status: q.Get("status")}
	if OrderStateLabel(f.Status) == "" {
		f.Status = ""
	}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	return f
}

func (h *Handler) orders(w http.ResponseWriter, r *http.Request) error {
	f := orderFilterOf(r)
	list, next, err := h.Store.Orders(r.Context(), f)
	if err != nil {
		return err
	}
	if err := h.withTeamNames(r.Context(), list); err != nil {
		return err
	}
	page := OrdersPage{Page: h.Kit.Page(r, "order.title"), Status: f.Status, Orders: list}
	for _, s := range OrderStates {
		page.States = append(page.States, Type{s, OrderStateLabel(s)})
	}
	if next != 0 {
		v := url.Values{"before": {strconv.FormatInt(next, 10)}}
		if f.Status != "" {
			v.Set("status", f.Status)
		}
		page.Next = v.Encode()
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "activity/orders", page)
}

// OrderForm is the data of the new-order form: the values as typed, and the problems by field.
type OrderForm struct {
	web.Page
	In             OrderFormValues
	Errors         ValidationError
	RequesterKinds []Type
	Languages      []Type
}

// OrderFormValues are the new-order form's fields as text.
type OrderFormValues struct {
	RegionCode, RequesterKind, RequesterName, Topic, Place, WindowStart, WindowEnd, Audience, Language string
}

// parseFormTime reads a form time in China: "2006-01-02T15:04" (a datetime-local input),
// "2006-01-02 15:04", or a date alone (the start of the day, or its end when endOfDay).
func parseFormTime(s string, endOfDay bool) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, China); err == nil {
			return t.UTC(), true
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, China); err == nil {
		if endOfDay {
			t = t.Add(24*time.Hour - time.Minute)
		}
		return t.UTC(), true
	}
	return time.Time{}, false
}

// input turns the form's text into an OrderInput; unreadable times and numbers are problems.
func (v OrderFormValues) input() (OrderInput, ValidationError) {
	errs := ValidationError{}
	in := OrderInput{RegionCode: strings.TrimSpace(v.RegionCode), RequesterKind: v.RequesterKind, RequesterName: v.RequesterName,
		Topic: v.Topic, Place: v.Place, Language: v.Language}
	var ok bool
	if in.WindowStart, ok = parseFormTime(v.WindowStart, false); !ok {
		errs["window_start"] = "服务开始时间格式应为 2026-06-10 09:00"
	}
	if in.WindowEnd, ok = parseFormTime(v.WindowEnd, true); !ok {
		errs["window_end"] = "服务结束时间格式应为 2026-06-10 17:00"
	}
	if s := strings.TrimSpace(v.Audience); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			errs["audience"] = fmt.Sprintf("受众人数应为 1–%d 的整数", MaxAudience)
		}
		in.Audience = n
	}
	for k, m := range in.Validate() {
		if _, ok := errs[k]; !ok {
			errs[k] = m
		}
	}
	if len(errs) == 0 {
		return in, nil
	}
	return in, errs
}

func (h *Handler) orderForm(r *http.Request, v OrderFormValues, errs ValidationError) OrderForm {
	return OrderForm{Page: h.Kit.Page(r, "order.new"), In: v, Errors: errs, RequesterKinds: RequesterKinds, Languages: OrderLanguages}
}

func (h *Handler) newOrder(w http.ResponseWriter, r *http.Request) error {
	v := OrderFormValues{RequesterKind: "township", Language: "zh"}
	// A township operator files for its own township by default.
	if p := account.FromContext(r.Context()); p != nil && len(p.Grants) == 1 && region.LevelOf(p.Grants[0].RegionCode) == region.LevelTownship {
		v.RegionCode = p.Grants[0].RegionCode
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "activity/order_form", h.orderForm(r, v, nil))
}

func (h *Handler) createOrder(w http.ResponseWriter, r *http.Request) error {
	p := account.FromContext(r.Context())
	v := OrderFormValues{RegionCode: r.PostFormValue("region_code"), RequesterKind: r.PostFormValue("requester_kind"), RequesterName: r.PostFormValue("requester_name"),
		Topic: r.PostFormValue("topic"), Place: r.PostFormValue("place"), WindowStart: r.PostFormValue("window_start"), WindowEnd: r.PostFormValue("window_end"),
		Audience: r.PostFormValue("audience"), Language: r.PostFormValue("language")}
	in, errs := v.input()
	var id int64
	if errs == nil {
		var err error
		id, err = h.Store.SubmitOrder(r.Context(), p, p.ID, in)
		if !errors.As(err, &errs) && err != nil {
			return err
		}
	}
	if errs != nil {
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "activity/order_form", h.orderForm(r, v, errs))
	}
	http.Redirect(w, r, fmt.Sprintf("/console/orders/%d", id), http.StatusSeeOther)
	return nil
}

// OrderPage is the data of one order: its facts, the forms of the actions the viewer may take
// and its history.
type OrderPage struct {
	web.Page
	Order   Order
	Sides   string          // the viewer's sides, in Chinese
	Can     map[string]bool // action → the viewer may take it now
	Duty    string          // why an action the viewer's sides allow is barred to this account (OrderDuties), or ""
	Teams   []registry.ServiceTeam
	Types   []Type
	Events  []OrderEventView
	Problem string          // why the last action was refused, in Chinese
	Errors  ValidationError // its problems by field
	Posted  string          // the refused action, whose form shows Values again
	Values  url.Values      // the refused form's values
}

// OrderEventView is an event as the order page shows it.
type OrderEventView struct {
	OrderEvent
	ActionLabel, FromLabel, ToLabel, AtText string
}

func (h *Handler) order(w http.ResponseWriter, r *http.Request) error {
	return h.renderOrder(w, r, http.StatusOK, "", nil)
}

func (h *Handler) renderOrder(w http.ResponseWriter, r *http.Request, status int, problem string, errs ValidationError) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	o, err := h.Store.Order(r.Context(), p.Scope(), id)
	if err != nil {
		return web.NotFound(err)
	}
	one := []Order{o}
	if err := h.withTeamNames(r.Context(), one); err != nil {
		return err
	}
	o = one[0]
	sides := OrderSides(p, o)
	page := OrderPage{Page: h.Kit.Page(r, "order.detail", o.ID, o.Topic), Order: o, Sides: sides.Label(), Can: map[string]bool{}, Types: Types,
		Problem: problem, Errors: errs}
	if problem != "" {
		page.Posted, page.Values = r.PathValue("action"), r.PostForm
	}
	taken, err := h.Store.OrderActionsBy(r.Context(), p.ID, []int64{o.ID})
	if err != nil {
		return err
	}
	for _, a := range OrderActionsFor(o.Status, sides) {
		if a == ActRate && o.Rating != 0 {
			continue
		}
		if err := OrderDutyConflict(a, taken[o.ID]); err != nil {
			if page.Duty == "" {
				page.Duty = err.Error()
			}
			continue
		}
		page.Can[a] = true
	}
	if page.Can[ActDispatch] || page.Can[ActReassign] {
		if page.Teams, err = h.dispatchTeams(r.Context(), p.Scope(), o); err != nil {
			return err
		}
	}
	evs, err := h.Store.OrderEvents(r.Context(), o.ID)
	if err != nil {
		return err
	}
	for _, e := range evs {
		page.Events = append(page.Events, OrderEventView{OrderEvent: e, ActionLabel: OrderActionLabel(e.Action), FromLabel: OrderStateLabel(e.From),
			ToLabel: OrderStateLabel(e.To), AtText: e.At.In(China).Format("2006-01-02 15:04")})
	}
	return h.Kit.Render.HTML(w, r, status, "activity/order", page)
}

// dispatchTeams lists the teams the dispatch form offers: the volunteer teams of the order's
// banner and the expert teams, both inside the dispatcher's scope (the store accepts any team
// in that scope; the API may name one by id).
func (h *Handler) dispatchTeams(ctx context.Context, scope region.Scope, o Order) ([]registry.ServiceTeam, error) {
	vs, err := h.Registry.ServiceTeams(ctx, scope.Narrow(o.RegionCode[:6]), registry.TeamVolunteer, 500)
	if err != nil {
		return nil, err
	}
	es, err := h.Registry.ServiceTeams(ctx, scope, registry.TeamExpert, 500)
	if err != nil {
		return nil, err
	}
	return append(vs, es...), nil
}

// stepOf reads an action's fields from a form: note, team ("volunteer:12"), activity_id,
// activity_type, report, rating, comment.
func stepOf(action string, form url.Values) (OrderStep, ValidationError) {
	st := OrderStep{Action: action, Note: form.Get("note"), ActivityType: form.Get("activity_type"), Report: form.Get("report"), Comment: form.Get("comment")}
	errs := ValidationError{}
	if t := form.Get("team"); t != "" {
		kind, id, _ := strings.Cut(t, ":")
		st.TeamKind = kind
		st.TeamID, _ = strconv.ParseInt(id, 10, 64)
	}
	if s := strings.TrimSpace(form.Get("activity_id")); s != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
		if err != nil || n <= 0 {
			errs["activity_id"] = "活动编号应为正整数"
		}
		st.ActivityID = n
	}
	if s := strings.TrimSpace(form.Get("rating")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			errs["rating"] = "评分应为 1–5 分"
		}
		st.Rating = n
	}
	if len(errs) == 0 {
		return st, nil
	}
	return st, errs
}

// refusal turns a store error into a status and a Chinese message to show, or ok = false
// when it is not a refusal (a failure, or not found).
func refusal(err error) (status int, msg string, errs ValidationError, ok bool) {
	var te *TransitionError
	var se *SideError
	var de *DutyError
	switch {
	case errors.As(err, &errs):
		return http.StatusUnprocessableEntity, errs.Messages(), errs, true
	case errors.As(err, &te):
		return http.StatusConflict, te.Error(), nil, true
	case errors.As(err, &se):
		return http.StatusForbidden, se.Error(), nil, true
	case errors.As(err, &de):
		return http.StatusForbidden, de.Error(), nil, true
	}
	for _, e := range []error{ErrOrderRated, ErrSameTeam, ErrActivityTaken} {
		if errors.Is(err, e) {
			return http.StatusConflict, e.Error(), nil, true
		}
	}
	return 0, "", nil, false
}

// orderAction handles the forms of the order page.
func (h *Handler) orderAction(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p := account.FromContext(r.Context())
	action := r.PathValue("action")
	if OrderActionLabel(action) == "" || action == ActSubmit {
		return web.NotFound(nil)
	}
	r.ParseForm()
	st, errs := stepOf(action, r.PostForm)
	if errs == nil {
		err = h.Store.ActOnOrder(r.Context(), h.Registry, p, p.ID, id, st)
	} else {
		err = errs
	}
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/console/orders/%d", id), http.StatusSeeOther)
		return nil
	}
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if status, msg, errs, ok := refusal(err); ok {
		return h.renderOrder(w, r, status, msg, errs)
	}
	return err
}

// OrderJSON is an order in the API.
type OrderJSON struct {
	ID            int64     `json:"id"`
	RegionCode    string    `json:"region_code"`
	RegionName    string    `json:"region_name"`
	RequesterKind string    `json:"requester_kind"`
	RequesterName string    `json:"requester_name"`
	Topic         string    `json:"topic"`
	Place         string    `json:"place"`
	WindowStart   time.Time `json:"window_start"`
	WindowEnd     time.Time `json:"window_end"`
	Audience      int       `json:"audience"`
	Language      string    `json:"language"`
	Status        string    `json:"status"`
	StatusLabel   string    `json:"status_label"`
	Team          *TeamJSON `json:"team"`
	ActivityID    int64     `json:"activity_id,omitempty"`
	Report        string    `json:"report,omitempty"`
	Rating        int       `json:"rating,omitempty"`
	RatingComment string    `json:"rating_comment,omitempty"`
	Reason        string    `json:"reason,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Actions       []string  `json:"actions"` // what the caller may do now
}

// TeamJSON is the team an order is dispatched to.
type TeamJSON struct {
	Kind       string `json:"kind"`
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
}

// orderJSON shapes an order for the API, with the actions who may take on it now (taken: the
// actions this account took on the order, for OrderDuties).
func orderJSON(o Order, who OrderActor, taken []string) OrderJSON {
	j := OrderJSON{ID: o.ID, RegionCode: o.RegionCode, RegionName: o.RegionName, RequesterKind: o.RequesterKind, RequesterName: o.RequesterName,
		Topic: o.Topic, Place: o.Place, WindowStart: o.WindowStart, WindowEnd: o.WindowEnd, Audience: o.Audience, Language: o.Language,
		Status: o.Status, StatusLabel: o.StatusLabel(), ActivityID: o.ActivityID, Report: o.Report, Rating: o.Rating, RatingComment: o.RatingComment,
		Reason: o.Reason, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Actions: []string{}}
	if o.TeamKind != "" {
		j.Team = &TeamJSON{Kind: o.TeamKind, ID: o.TeamID, Name: o.TeamName, RegionCode: o.TeamRegionCode}
	}
	for _, a := range OrderActionsFor(o.Status, OrderSides(who, o)) {
		if (a != ActRate || o.Rating == 0) && OrderDutyConflict(a, taken) == nil {
			j.Actions = append(j.Actions, a)
		}
	}
	return j
}

// apiOrders serves GET /api/v1/orders: a page of the orders the caller may see, newest first.
func (h *Handler) apiOrders(w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	list, next, err := h.Store.Orders(r.Context(), orderFilterOf(r))
	if err != nil {
		return err
	}
	if err := h.withTeamNames(r.Context(), list); err != nil {
		return err
	}
	ids := make([]int64, len(list))
	for i, o := range list {
		ids[i] = o.ID
	}
	taken, err := h.Store.OrderActionsBy(r.Context(), p.ID, ids)
	if err != nil {
		return err
	}
	items := []OrderJSON{}
	for _, o := range list {
		items = append(items, orderJSON(o, p, taken[o.ID]))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "next": next})
	return nil
}

// apiRefusal writes a refused request as JSON: status, a code, the Chinese message and, for
// field problems, the fields.
func apiRefusal(w http.ResponseWriter, status int, msg string, errs ValidationError) {
	body := map[string]any{"status": status, "code": "order.refused", "message": msg}
	if errs != nil {
		body["code"], body["fields"] = "order.invalid", errs
	}
	web.WriteJSON(w, status, map[string]any{"error": body})
}

// decodeJSON reads a JSON object body of at most 64 KiB into v, refusing unknown fields.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return web.Errorf(http.StatusBadRequest, "order.err.json", err.Error())
	}
	return nil
}

// apiCreateOrder serves POST /api/v1/orders: files an order from a JSON object of the form's
// fields (times as RFC 3339 or the form's "2006-01-02 15:04" in China Standard Time).
func (h *Handler) apiCreateOrder(w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	var body struct {
		RegionCode    string `json:"region_code"`
		RequesterKind string `json:"requester_kind"`
		RequesterName string `json:"requester_name"`
		Topic         string `json:"topic"`
		Place         string `json:"place"`
		WindowStart   string `json:"window_start"`
		WindowEnd     string `json:"window_end"`
		Audience      int    `json:"audience"`
		Language      string `json:"language"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	v := OrderFormValues{RegionCode: body.RegionCode, RequesterKind: body.RequesterKind, RequesterName: body.RequesterName, Topic: body.Topic,
		Place: body.Place, WindowStart: apiTime(body.WindowStart), WindowEnd: apiTime(body.WindowEnd), Audience: strconv.Itoa(body.Audience), Language: body.Language}
	in, errs := v.input()
	var id int64
	if errs == nil {
		id, err = h.Store.SubmitOrder(r.Context(), p, p.ID, in)
		if !errors.As(err, &errs) && err != nil {
			return err
		}
	}
	if errs != nil {
		apiRefusal(w, http.StatusUnprocessableEntity, errs.Messages(), errs)
		return nil
	}
	return h.writeOrder(w, r, p, id, http.StatusCreated)
}

// apiTime turns an RFC 3339 time into the form's text in China Standard Time; anything else
// is left for the form parser to judge.
func apiTime(s string) string {
	if t, err := time.Parse(time.RFC3339, strings.TrimSpace(s)); err == nil {
		return t.In(China).Format("2006-01-02T15:04")
	}
	return s
}

func (h *Handler) writeOrder(w http.ResponseWriter, r *http.Request, p *account.Principal, id int64, status int) error {
	o, err := h.Store.Order(r.Context(), p.Scope(), id)
	if err != nil {
		return err
	}
	one := []Order{o}
	if err := h.withTeamNames(r.Context(), one); err != nil {
		return err
	}
	taken, err := h.Store.OrderActionsBy(r.Context(), p.ID, []int64{id})
	if err != nil {
		return err
	}
	web.WriteJSON(w, status, orderJSON(one[0], p, taken[id]))
	return nil
}

// apiOrderAction serves POST /api/v1/orders/{id}/{action}: the JSON object carries the
// action's fields (note, team_kind, team_id, activity_id, activity_type, report, rating,
// comment); the answer is the order after it.
func (h *Handler) apiOrderAction(w http.ResponseWriter, r *http.Request) error {
	p, err := account.APIStaff(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	if OrderActionLabel(action) == "" || action == ActSubmit {
		return web.NotFound(nil)
	}
	var body struct {
		Note         string `json:"note"`
		TeamKind     string `json:"team_kind"`
		TeamID       int64  `json:"team_id"`
		ActivityID   int64  `json:"activity_id"`
		ActivityType string `json:"activity_type"`
		Report       string `json:"report"`
		Rating       int    `json:"rating"`
		Comment      string `json:"comment"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	err = h.Store.ActOnOrder(r.Context(), h.Registry, p, p.ID, id, OrderStep{Action: action, Note: body.Note, TeamKind: body.TeamKind, TeamID: body.TeamID,
		ActivityID: body.ActivityID, ActivityType: body.ActivityType, Report: body.Report, Rating: body.Rating, Comment: body.Comment})
	if err == nil {
		return h.writeOrder(w, r, p, id, http.StatusOK)
	}
	if errors.Is(err, db.ErrNotFound) {
		return web.NotFound(err)
	}
	if status, msg, errs, ok := refusal(err); ok {
		apiRefusal(w, status, msg, errs)
		return nil
	}
	return err
}
