package activity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// Requester kinds of a service order (service_orders.requester_kind).
var RequesterKinds = []Type{{"township", "苏木乡镇"}, {"school", "学校"}, {"community", "社区"}}

// OrderLanguages are the languages a service may be asked in (service_orders.language).
var OrderLanguages = []Type{{"zh", "汉语"}, {"mn", "蒙古语"}, {"both", "汉语和蒙古语"}}

// Limits of a service order.
const (
	MaxAudience   = 100_000 // people; the bound
	MaxOrderText  = 100     // runes: requester name, topic, place
	MaxOrderNotes = MaxNote // runes: a reason, a remark, a rating comment
)

// Order is a service order (点单) with what happened to it so far.
type Order struct {
	ID             int64
	RegionCode     string // the requester's unit: a township (9 digits) or a village or community (12)
	RegionName     string
	RequesterKind  string // township, school, community
	RequesterName  string
	Topic          string
	Place          string
	WindowStart    time.Time // UTC; the requester's time window, start ≤ end
	WindowEnd      time.Time
	Audience       int    // expected audience, people, 1–100,000
	Language       string // zh, mn, both
	Status         string // one of OrderStates
	TeamKind       string // registry.TeamVolunteer or registry.TeamExpert; "" before dispatch
	TeamID         int64
	TeamRegionCode string
	TeamName       string // filled by the handler from the registry
	ActivityID     int64  // the series id of the linked activity record, or 0
	Report         string // the team's closing report
	Rating         int    // 1–5, or 0 when not rated
	RatingComment  string
	Reason         string // why it was rejected or cancelled
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CreatedBy      int64
}

// OrderInput is what a requester fills in.
type OrderInput struct {
	RegionCode    string
	RequesterKind string
	RequesterName string
	Topic         string
	Place         string
	WindowStart   time.Time
	WindowEnd     time.Time
	Audience      int
	Language      string
}

// Validate normalizes the input and checks it; problems come back per field, in Chinese. The
// window must end strictly after it starts (a zero-length window asks for nothing) and last
// at most a year. The unit's existence, level and scope, and that the window is not over
// yet, are checked by the store (which has the clock).
func (in *OrderInput) Validate() ValidationError {
	errs := ValidationError{}
	in.RequesterName = strings.TrimSpace(in.RequesterName)
	in.Topic = strings.TrimSpace(in.Topic)
	in.Place = strings.TrimSpace(in.Place)
	if code, err := region.Normalize(in.RegionCode); err != nil {
		errs["region_code"] = "需求单位区划代码应为 9 位（苏木乡镇）或 12 位（嘎查村、社区）数字"
	} else {
		in.RegionCode = code
	}
	if slug, ok := bySlugOrLabel(RequesterKinds, in.RequesterKind); ok {
		in.RequesterKind = slug
	} else {
		errs["requester_kind"] = "请选择需求单位类型：苏木乡镇、学校或社区"
	}
	for key, f := range map[string]struct{ v, name string }{"requester_name": {in.RequesterName, "需求单位名称"}, "topic": {in.Topic, "服务主题"}, "place": {in.Place, "服务地点"}} {
		if f.v == "" || utf8.RuneCountInString(f.v) > MaxOrderText {
			errs[key] = fmt.Sprintf("请填写%s（最多 %d 字）", f.name, MaxOrderText)
		}
	}
	checkSpan(errs, span{"window_start", "window_end", in.WindowStart, in.WindowEnd, "服务时间段的", true, MaxDuration, "服务时间段最长一年"})
	in.WindowStart, in.WindowEnd = in.WindowStart.UTC(), in.WindowEnd.UTC()
	if in.Audience < 1 || in.Audience > MaxAudience {
		errs["audience"] = fmt.Sprintf("受众人数应为 1–%d 的整数", MaxAudience)
	}
	if slug, ok := bySlugOrLabel(OrderLanguages, in.Language); ok {
		in.Language = slug
	} else {
		errs["language"] = "请选择服务语言：汉语、蒙古语或汉语和蒙古语"
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// OrderActor is who acts on an order: a decider with a scope (account.Principal implements it).
type OrderActor interface {
	Decider
	Scope() region.Scope
}

// OrderSides returns the sides an actor holds for an order (see Side): requester when its
// scope contains the order's unit, banner when it holds a role at banner level or above over
// that unit, team when its scope contains the dispatched team's unit.
func OrderSides(who OrderActor, o Order) Side {
	var s Side
	scope := who.Scope()
	if scope.Contains(o.RegionCode) {
		s |= SideRequester
	}
	if who.Holds(region.LevelBanner, o.RegionCode) {
		s |= SideBanner
	}
	if o.TeamRegionCode != "" && scope.Contains(o.TeamRegionCode) {
		s |= SideTeam
	}
	return s
}

// TeamFinder finds a live team in a scope (*registry.Store implements it). Errors:
// db.ErrNotFound when there is none.
type TeamFinder interface {
	ServiceTeam(ctx context.Context, scope region.Scope, kind string, id int64) (registry.ServiceTeam, error)
}

// OrderActionsBy lists, for each of the orders ids, the actions the account took on it
// (service_order_events with that account_id, oldest first), for OrderDutyConflict. The caller
// has read the orders in scope. An account of 0 took nothing.
func (s *Store) OrderActionsBy(ctx context.Context, account int64, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if account == 0 || len(ids) == 0 {
		return out, nil
	}
	args := []any{account}
	ph := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		ph[i] = fmt.Sprintf("$%d", i+2)
	}
	type row struct {
		order  int64
		action string
	}
	rows, err := db.QueryAll(ctx, s.DB, func(sc db.Scanner) (row, error) {
		var r row
		err := sc.Scan(&r.order, &r.action)
		return r, err
	}, `SELECT order_id, action FROM service_order_events WHERE account_id = $1 AND order_id IN (`+strings.Join(ph, ", ")+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("activity.OrderActionsBy: %w", err)
	}
	for _, r := range rows {
		out[r.order] = append(out[r.order], r.action)
	}
	return out, nil
}

// Order errors that are not a refused transition; each is in Chinese and says what to fix.
var (
	ErrOrderRated    = errors.New("这个订单已经评价过，每个订单只能评价一次")
	ErrSameTeam      = errors.New("改派须选择另一支服务队")
	ErrActivityTaken = errors.New("这条活动记录已关联另一个订单")
)

// orderUnitProblem says what is wrong with an order's unit for a requester: not a township,
// village or community (or a township order on a village code), unknown, or outside scope.
func (s *Store) orderUnitProblem(ctx context.Context, scope region.Scope, in OrderInput) string {
	switch l := region.LevelOf(in.RegionCode); {
	case l != region.LevelTownship && l != region.LevelVillage:
		return "需求单位应在苏木乡镇（9 位代码）或嘎查村、社区（12 位代码）"
	case in.RequesterKind == "township" && l != region.LevelTownship:
		return "需求单位类型为苏木乡镇时，区划代码应为 9 位的苏木乡镇代码"
	case in.RequesterKind == "community" && l != region.LevelVillage:
		return "需求单位类型为社区时，区划代码应为 12 位的社区代码"
	}
	return s.checkRegion(ctx, scope, in.RegionCode)
}

// SubmitOrder files a new order (点单) for a unit in the actor's scope (the requester side),
// with an event "submit", and returns its id. A request asks for a future service, so a
// window that ends at or before now is refused (one that has begun but not ended is kept: the
// service may still happen in it). Errors: ValidationError (per field, Chinese).
func (s *Store) SubmitOrder(ctx context.Context, who OrderActor, actor int64, in OrderInput) (int64, error) {
	if errs := in.Validate(); errs != nil {
		return 0, errs
	}
	if now := s.now(); !in.WindowEnd.After(now) {
		return 0, ValidationError{"window_end": fmt.Sprintf("服务时间段的结束时间 %s 已过；点单是为今后的服务提出需求，请填写将来的时间段",
			in.WindowEnd.In(China).Format("2006-01-02 15:04"))}
	}
	if msg := s.orderUnitProblem(ctx, who.Scope(), in); msg != "" {
		return 0, ValidationError{"region_code": msg}
	}
	to, _, err := NextOrderState("", ActSubmit)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO service_orders (region_code, requester_kind, requester_name, topic, place, window_start, window_end,
			audience, language, status, created_at, created_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11) RETURNING id`,
			in.RegionCode, in.RequesterKind, in.RequesterName, in.Topic, in.Place, in.WindowStart, in.WindowEnd, in.Audience, in.Language, to,
			now, nullID(actor)).Scan(&id)
		if err != nil {
			return db.Map(err)
		}
		return addOrderEvent(ctx, tx, id, ActSubmit, "", to, "", now, actor)
	})
	if err != nil {
		return 0, fmt.Errorf("activity.SubmitOrder: %w", err)
	}
	return id, nil
}

func addOrderEvent(ctx context.Context, ex db.Execer, id int64, action, from, to, note string, at time.Time, actor int64) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO service_order_events (order_id, action, from_status, to_status, note, at, account_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, action, from, to, note, at, nullID(actor))
	return db.Map(err)
}

const orderCols = `id, region_code, requester_kind, requester_name, topic, place, window_start, window_end, audience, language, status,
	COALESCE(team_kind, ''), COALESCE(team_id, 0), COALESCE(team_region_code, ''), COALESCE(activity_id, 0), report, COALESCE(rating, 0),
	rating_comment, reason, created_at, updated_at, COALESCE(created_by, 0)`

func scanOrder(row db.Scanner) (Order, error) {
	var o Order
	err := row.Scan(&o.ID, &o.RegionCode, &o.RequesterKind, &o.RequesterName, &o.Topic, &o.Place, &o.WindowStart, &o.WindowEnd, &o.Audience,
		&o.Language, &o.Status, &o.TeamKind, &o.TeamID, &o.TeamRegionCode, &o.ActivityID, &o.Report, &o.Rating, &o.RatingComment, &o.Reason,
		&o.CreatedAt, &o.UpdatedAt, &o.CreatedBy)
	o.WindowStart, o.WindowEnd, o.CreatedAt, o.UpdatedAt = o.WindowStart.UTC(), o.WindowEnd.UTC(), o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, err
}

// orderScope is the condition "the caller may see this order": its unit or its team's unit in
// scope, with placeholders from $next.
func orderScope(scope region.Scope, next int) (string, []any) {
	a, args := scope.Where("region_code", next)
	b, more := scope.Where("team_region_code", next+len(args))
	return "(" + a + " OR " + b + ")", append(args, more...)
}

// Order reads one order the caller may see: its unit or its team's unit in scope. Errors:
// db.ErrNotFound (also when outside scope).
func (s *Store) Order(ctx context.Context, scope region.Scope, id int64) (Order, error) {
	cond, args := orderScope(scope, 2)
	o, err := scanOrder(s.DB.QueryRowContext(ctx, `SELECT `+orderCols+` FROM service_orders WHERE id = $1 AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return o, fmt.Errorf("activity.Order %d: %w", id, db.Map(err))
	}
	if names, err := s.Regions.Names(ctx, []string{o.RegionCode}); err == nil {
		o.RegionName = names[o.RegionCode]
	}
	return o, nil
}

// OrderFilter selects orders for a list.
type OrderFilter struct {
	Scope  region.Scope // the caller's scope (required): orders whose unit or team's unit is in it
	Status string       // one of OrderStates, or "" for all
	Before int64        // keyset: orders with a smaller id (newest first); 0 for the first page
	Limit  int          // page size, default 50, at most 500
}

// Orders lists the orders a filter selects, newest first, and the Before of the next page (0
// when this is the last). An unknown status lists nothing.
func (s *Store) Orders(ctx context.Context, f OrderFilter) ([]Order, int64, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	cond, args := orderScope(f.Scope, 1)
	if f.Status != "" {
		args = append(args, f.Status)
		cond += fmt.Sprintf(" AND status = $%d", len(args))
	}
	if f.Before > 0 {
		args = append(args, f.Before)
		cond += fmt.Sprintf(" AND id < $%d", len(args))
	}
	args = append(args, limit+1)
	out, err := db.QueryAll(ctx, s.DB, scanOrder, fmt.Sprintf(`SELECT `+orderCols+` FROM service_orders WHERE %s ORDER BY id DESC LIMIT $%d`, cond, len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("activity.Orders: %w", err)
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	var codes []string
	for _, o := range out {
		codes = append(codes, o.RegionCode)
	}
	names, err := s.Regions.Names(ctx, codes)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		out[i].RegionName = names[out[i].RegionCode]
	}
	return out, next, nil
}

// OrderEvent is one recorded step of an order: who did what, when, from which state to which.
type OrderEvent struct {
	Action    string
	From, To  string
	Note      string
	At        time.Time
	AccountID int64
}

// OrderEvents lists an order's events, oldest first. The caller has read the order in scope.
func (s *Store) OrderEvents(ctx context.Context, id int64) ([]OrderEvent, error) {
	out, err := db.QueryAll(ctx, s.DB, func(row db.Scanner) (OrderEvent, error) {
		var e OrderEvent
		err := row.Scan(&e.Action, &e.From, &e.To, &e.Note, &e.At, &e.AccountID)
		e.At = e.At.UTC()
		return e, err
	}, `SELECT action, from_status, to_status, note, at, COALESCE(account_id, 0) FROM service_order_events WHERE order_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("activity.OrderEvents: %w", err)
	}
	return out, nil
}

// OrderStep is what an action on an order carries besides its name. Which fields count
// depends on the action:
//   - reject, cancel: Note is the reason (required);
//   - dispatch, reassign: TeamKind and TeamID (required), Note a remark;
//   - start: ActivityID links an existing activity record in the actor's scope (its series);
//     0 creates a draft (ActivityType, default volunteer_service for a volunteer team and
//     expert_lecture for an expert team);
//   - finish: Report, the closing report (required, up to MaxText runes);
//   - rate: Rating 1–5 (required) and Comment;
//   - any: Note, a remark kept with the event (up to MaxNote runes).
type OrderStep struct {
	Action       string
	Note         string
	TeamKind     string
	TeamID       int64
	ActivityID   int64
	ActivityType string
	Report       string
	Rating       int
	Comment      string
}

// check normalizes a step's fields and says what is missing or wrong, per field, in Chinese.
func (st *OrderStep) check() ValidationError {
	errs := ValidationError{}
	st.Note, st.Report, st.Comment = strings.TrimSpace(st.Note), strings.TrimSpace(st.Report), strings.TrimSpace(st.Comment)
	if utf8.RuneCountInString(st.Note) > MaxOrderNotes {
		errs["note"] = fmt.Sprintf("说明最多 %d 字", MaxOrderNotes)
	}
	switch st.Action {
	case ActReject, ActCancel:
		if st.Note == "" {
			errs["note"] = fmt.Sprintf("%s时请填写理由", actionName(st.Action))
		}
	case ActDispatch, ActReassign:
		if st.TeamKind != registry.TeamVolunteer && st.TeamKind != registry.TeamExpert {
			errs["team"] = "请选择科技志愿服务队或科普专家团"
		} else if st.TeamID <= 0 {
			errs["team"] = "请选择派往的服务队"
		}
	case ActStart:
		if st.ActivityType != "" {
			if slug, ok := bySlugOrLabel(Types, st.ActivityType); ok {
				st.ActivityType = slug
			} else {
				errs["activity_type"] = "请选择活动类型"
			}
		}
		if st.ActivityID < 0 {
			errs["activity_id"] = "活动编号应为正整数"
		}
	case ActFinish:
		if st.Report == "" || utf8.RuneCountInString(st.Report) > MaxText {
			errs["report"] = fmt.Sprintf("请填写服务总结（最多 %d 字）", MaxText)
		}
	case ActRate:
		if st.Rating < 1 || st.Rating > 5 {
			errs["rating"] = "评分应为 1–5 分"
		}
		if utf8.RuneCountInString(st.Comment) > MaxOrderNotes {
			errs["comment"] = fmt.Sprintf("评价最多 %d 字", MaxOrderNotes)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// lockOrder reads an order the caller may see, for update within tx.
func (s *Store) lockOrder(ctx context.Context, tx *sql.Tx, scope region.Scope, id int64) (Order, error) {
	cond, args := orderScope(scope, 2)
	o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderCols+` FROM service_orders WHERE id = $1 AND `+cond+s.DB.Dialect.ForUpdate(),
		append([]any{id}, args...)...))
	if err != nil {
		return o, fmt.Errorf("service order %d: %w", id, db.Map(err))
	}
	return o, nil
}

// ActOnOrder takes one action (anything but submit) on an order the actor may see, in one
// transaction with its event: the action must be allowed from the order's state by
// OrderTransitions, the actor must hold one of the sides it names, and the account actor must
// not have taken a step on this order that OrderDuties bars (read from the order's events; an
// actor of 0, no account, has none). A dispatch or reassign goes only to a live team inside the
// actor's scope (found through teams); starting the service links an activity record (see
// serviceActivity) or creates a draft one in the order's unit; the team may not file its
// closing report before the window starts. Errors: db.ErrNotFound (the order, or the team or
// activity as a ValidationError), *TransitionError, *SideError, *DutyError, ValidationError,
// ErrOrderRated, ErrSameTeam, ErrActivityTaken.
func (s *Store) ActOnOrder(ctx context.Context, teams TeamFinder, who OrderActor, actor, id int64, st OrderStep) error {
	scope := who.Scope()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		o, err := s.lockOrder(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		to, by, err := NextOrderState(o.Status, st.Action)
		if err != nil {
			return err
		}
		if OrderSides(who, o)&by == 0 {
			return &SideError{Action: st.Action, Need: by}
		}
		if actor != 0 {
			taken, err := actionsBy(ctx, tx, id, actor)
			if err != nil {
				return err
			}
			if err := OrderDutyConflict(st.Action, taken); err != nil {
				return err
			}
		}
		if errs := st.check(); errs != nil {
			return errs
		}
		now := s.now()
		note := st.Note
		set := []string{"status = $1", "updated_at = $2"}
		args := []any{to, now}
		add := func(col string, v any) {
			args = append(args, v)
			set = append(set, fmt.Sprintf("%s = $%d", col, len(args)))
		}
		switch st.Action {
		case ActReject, ActCancel:
			add("reason", st.Note)
		case ActDispatch, ActReassign:
			if st.Action == ActReassign && st.TeamKind == o.TeamKind && st.TeamID == o.TeamID {
				return ErrSameTeam
			}
			t, err := teams.ServiceTeam(ctx, scope, st.TeamKind, st.TeamID)
			if errors.Is(err, db.ErrNotFound) {
				return ValidationError{"team": fmt.Sprintf("服务队 #%d 不存在或不在您的管辖范围内", st.TeamID)}
			} else if err != nil {
				return err
			}
			add("team_kind", t.Kind)
			add("team_id", t.ID)
			add("team_region_code", t.RegionCode)
			note = joinNote("派往："+t.Name, st.Note)
		case ActStart:
			// The same clock as the closing report: a service starts on its window's first
			// day (China date) at the earliest, or it could start and never be finished.
			if LocalDate(now) < LocalDate(o.WindowStart) {
				return ValidationError{"activity_id": fmt.Sprintf("服务时间段 %s 才开始，到当天再开始服务", o.WindowStart.In(China).Format("2006-01-02 15:04"))}
			}
			aid, err := s.serviceActivity(ctx, tx, teams, scope, actor, o, st, now)
			if err != nil {
				return err
			}
			add("activity_id", aid)
			note = joinNote(fmt.Sprintf("活动 #%d", aid), st.Note)
		case ActFinish:
			if now.Before(o.WindowStart) {
				return ValidationError{"report": fmt.Sprintf("服务时间段 %s 才开始，服务开始前不能提交完成总结", o.WindowStart.In(China).Format("2006-01-02 15:04"))}
			}
			add("report", st.Report)
		case ActRate:
			if o.Rating != 0 {
				return ErrOrderRated
			}
			add("rating", st.Rating)
			add("rating_comment", st.Comment)
			note = joinNote(fmt.Sprintf("评分 %d", st.Rating), st.Comment)
		}
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE service_orders SET %s WHERE id = $%d`, strings.Join(set, ", "), len(args)), args...); err != nil {
			return db.Map(err)
		}
		return addOrderEvent(ctx, tx, id, st.Action, o.Status, to, note, now, actor)
	})
	if err != nil {
		return fmt.Errorf("activity.ActOnOrder %s: %w", st.Action, err)
	}
	return nil
}

// actionsBy lists the actions an account took on an order, within tx.
func actionsBy(ctx context.Context, tx *sql.Tx, id, account int64) ([]string, error) {
	out, err := db.QueryAll(ctx, tx, func(row db.Scanner) (string, error) {
		var a string
		return a, row.Scan(&a)
	}, `SELECT action FROM service_order_events WHERE order_id = $1 AND account_id = $2 ORDER BY id`, id, account)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func joinNote(a, b string) string {
	if b == "" {
		return a
	}
	return a + "；" + b
}

// serviceActivity links (st.ActivityID) or creates the activity record of an order whose
// service starts, within tx, and returns its series id.
//
// A linked record must be in the actor's scope, the newest version of its series (not a
// superseded or older one: the series is counted through its current version), and start on a
// China date within the order's window, both ends included. A created record is a draft in
// the order's unit (see orderActivityInput), whatever the actor's scope: the service happens
// there and the unit's statistics count it.
func (s *Store) serviceActivity(ctx context.Context, tx *sql.Tx, teams TeamFinder, scope region.Scope, actor int64, o Order, st OrderStep, now time.Time) (int64, error) {
	if st.ActivityID != 0 {
		cond, args := scope.Where("a.region_code", 2)
		var series, newest int64
		var superseded bool
		var startsAt time.Time
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(a.series_id, a.id), a.superseded_at IS NOT NULL, a.starts_at,
			(SELECT b.id FROM activities b WHERE b.series_id = COALESCE(a.series_id, a.id) AND b.deleted_at IS NULL ORDER BY b.version DESC LIMIT 1)
			FROM activities a WHERE a.id = $1 AND a.deleted_at IS NULL AND `+cond,
			append([]any{st.ActivityID}, args...)...).Scan(&series, &superseded, &startsAt, &newest)
		if errors.Is(db.Map(err), db.ErrNotFound) {
			return 0, ValidationError{"activity_id": fmt.Sprintf("活动 #%d 不存在或不在您的管辖范围内", st.ActivityID)}
		} else if err != nil {
			return 0, db.Map(err)
		}
		switch day, from, to := LocalDate(startsAt), LocalDate(o.WindowStart), LocalDate(o.WindowEnd); {
		case newest != st.ActivityID:
			return 0, ValidationError{"activity_id": fmt.Sprintf("活动 #%d 不是这条活动的最新版本，请关联最新版本 #%d", st.ActivityID, newest)}
		case superseded:
			return 0, ValidationError{"activity_id": fmt.Sprintf("活动 #%d 已被更正后的版本取代，不能关联", st.ActivityID)}
		case day < from || day > to:
			return 0, ValidationError{"activity_id": fmt.Sprintf("活动 #%d 的开始日期 %s 不在订单的服务时间段 %s 至 %s 内", st.ActivityID, day, from, to)}
		}
		var other int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM service_orders WHERE activity_id = $1 AND id <> $2`, series, o.ID).Scan(&other)
		if err == nil {
			return 0, ErrActivityTaken
		} else if !errors.Is(db.Map(err), db.ErrNotFound) {
			return 0, db.Map(err)
		}
		return series, nil
	}
	t, err := teams.ServiceTeam(ctx, scope, o.TeamKind, o.TeamID)
	if errors.Is(err, db.ErrNotFound) {
		return 0, ValidationError{"team": "派往的服务队已不存在；请上级科协改派"}
	} else if err != nil {
		return 0, err
	}
	in := orderActivityInput(o, t, st.ActivityType)
	if errs := in.Validate(); errs != nil {
		return 0, errs
	}
	return s.insert(ctx, tx, in, Draft, 0, 0, 1, actor, 0, now)
}

// PlaceholderService is how long the draft activity of an order whose window is longer than a
// day lasts: a placeholder that the organizer edits to the real time (a Kepu choice: a
// typical lecture or training session is two hours).
const PlaceholderService = 2 * time.Hour

// orderActivityInput is the draft activity record of an order's service: titled by the
// topic, organized by the team, at the order's place, offline, one session, always in the
// order's unit (where the service happens, so that the served township counts it). It starts
// at the window's start and ends at the window's end when the window lasts a day or less,
// else PlaceholderService later. Being a draft in the order's unit, it can then be edited by
// the requester side and the banner association (their scopes contain the unit), and by the
// team side only when its scope covers the unit (a township team serving its own township, a
// banner or higher team). The type is typ when given, else volunteer_service for a volunteer
// team and expert_lecture for an expert one.
func orderActivityInput(o Order, t registry.ServiceTeam, typ string) Input {
	if typ == "" {
		typ = "volunteer_service"
		if t.Kind == registry.TeamExpert {
			typ = "expert_lecture"
		}
	}
	end := o.WindowEnd
	if end.Sub(o.WindowStart) > 24*time.Hour {
		end = o.WindowStart.Add(PlaceholderService)
	}
	organizer := t.Name
	if r := []rune(organizer); len(r) > MaxTitle {
		organizer = string(r[:MaxTitle])
	}
	return Input{RegionCode: o.RegionCode, Title: o.Topic, Type: typ, Organizer: organizer, Venue: o.Place, StartsAt: o.WindowStart,
		EndsAt: end, Mode: "offline", Sessions: 1, Report: ""}
}
