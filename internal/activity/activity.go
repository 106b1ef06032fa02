// Package activity owns what the network does and who took part: activity records with their
// review and versions, public sign-up with QR tickets and staff check-in, volunteer shifts and
// hours, and request–dispatch service orders, and the roll-ups of sessions and person-times
// that statistics reads. It reads the registry only through registry's exported functions and
// never writes another domain's tables.
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
	"github.com/kepu/kepu/internal/web"
)

// Type is one kind of activity in the taxonomy that covers the seed report's counts.
type Type struct {
	Slug  string
	Label string // Chinese, as staff and the seed name it
}

// Types is the activity taxonomy, in the order forms and reports list it. Source: the seed
// report (../shared/seed), whose every counted activity falls under exactly one of these.
var Types = []Type{
	{"exhibition", "场馆展教活动"},
	{"mobile_museum", "流动科技馆、科普大篷车活动"},
	{"competition", "科技竞赛、制作、科普研学"},
	{"innovation", "产业对接、成果推介、双创活动"},
	{"training", "培训班"},
	{"lecture", "科普讲座（含科学家精神宣讲）"},
	{"expert_lecture", "专家服务：科普讲座"},
	{"expert_training", "专家服务：实用技术培训"},
	{"expert_medical", "专家服务：医疗服务"},
	{"science_day", "全国科技工作者日、全国科普日活动"},
	{"quiz", "科普知识答题"},
	{"youth", "青少年科技竞赛、科学营"},
	{"emergency", "应急科普"},
	{"joint", "场馆联合活动"},
	{"volunteer_service", "科技志愿服务"},
}

// TargetGroups are the "five key groups" of the literacy action plan (全民科学素质行动规划纲要
// 2021–2035): youth, farmers and herders, industrial workers, the elderly, cadres and civil
// servants.
var TargetGroups = []Type{
	{"youth", "青少年"},
	{"farmers", "农牧民"},
	{"workers", "产业工人"},
	{"elderly", "老年人"},
	{"civil_servants", "领导干部和公务员"},
}

// Modes says where an activity took place.
var Modes = []Type{{"offline", "线下"}, {"online", "线上"}, {"both", "线上线下"}}

// Statuses of a version: draft → submitted → reviewed → accepted, or returned (with a reason)
// from submitted or reviewed, which the organizer may edit and submit again.
const (
	Draft     = "draft"
	Submitted = "submitted"
	Reviewed  = "reviewed"
	Accepted  = "accepted"
	Returned  = "returned"
)

// StatusLabel names a status in Chinese.
func StatusLabel(s string) string {
	switch s {
	case Draft:
		return "草稿"
	case Submitted:
		return "待审核"
	case Reviewed:
		return "待确认"
	case Accepted:
		return "已确认"
	case Returned:
		return "已退回"
	}
	return s
}

// label finds a slug's label in a list, or "" when it is not one.
func label(list []Type, slug string) string {
	for _, t := range list {
		if t.Slug == slug {
			return t.Label
		}
	}
	return ""
}

// TypeLabel names an activity type in Chinese ("" for an unknown slug).
func TypeLabel(slug string) string { return label(Types, slug) }

// GroupLabel names a target group in Chinese.
func GroupLabel(slug string) string { return label(TargetGroups, slug) }

// ModeLabel names a mode in Chinese.
func ModeLabel(slug string) string { return label(Modes, slug) }

// bySlugOrLabel accepts a slug or a Chinese label (as typed in a spreadsheet).
func bySlugOrLabel(list []Type, s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, t := range list {
		if t.Slug == s || t.Label == s {
			return t.Slug, true
		}
	}
	return "", false
}

// Activity is one version of an activity record. Counts are kept apart by how they were
// obtained and are never summed into one figure: Sessions (场次), DeclaredAttendance (the
// organizer's headcount, 人次), VerifiedAttendance (distinct tickets checked in), LiveViewers and
// ReplayViews (entered or imported from the streaming platform).
type Activity struct {
	Input              // what the organizer filled in (or the report row carried)
	ID, SeriesID       int64
	Version            int
	PreviousID         int64 // the version this one corrects, or 0
	RegionName         string
	VerifiedAttendance int64
	Status             string
	Reason             string // why it was returned
	SubmittedBy        int64  // the account that last submitted it (0: the demo, or not yet)
	ReviewedBy         int64
	Superseded         bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
	CreatedBy          int64
	ImportID           int64
}

// Flags lists what a reviewer should look at in this record, in Chinese: attendance above
// capacity by more than the walk-in allowance (verified or declared), verified attendance
// above the declared headcount. Flags never change a count.
func (a *Activity) Flags() []string {
	var out []string
	if a.Capacity > 0 {
		limit := int64(a.Capacity + a.WalkInAllowance)
		if a.VerifiedAttendance > limit {
			out = append(out, fmt.Sprintf("核验人次 %d 超过容量 %d（含现场名额）", a.VerifiedAttendance, limit))
		}
		if a.DeclaredAttendance > limit*int64(max(a.Sessions, 1)) {
			out = append(out, fmt.Sprintf("申报人次 %d 超过容量 %d × %d 场", a.DeclaredAttendance, limit, max(a.Sessions, 1)))
		}
	}
	if a.DeclaredAttendance > 0 && a.VerifiedAttendance > a.DeclaredAttendance {
		out = append(out, "核验人次多于申报人次")
	}
	return out
}

// Locked reports whether the version can no longer be edited: only drafts and returned
// versions can.
func (a *Activity) Locked() bool { return a.Status != Draft && a.Status != Returned }

// China is the zone of every date a person reads (web.China: UTC+8, no daylight saving).
var China = web.China

// LocalDate is the China date of t as "2006-01-02".
func LocalDate(t time.Time) string { return t.In(China).Format("2006-01-02") }

// Input is what an organizer fills in or a spreadsheet row carries.
type Input struct {
	RegionCode string
	Title      string
	Type       string
	Organizer  string
	Venue      string // the place as written
	// VenueKind and VenueID reference the registered facility the activity took place at
	// (registry.FacilityKinds: a science museum, mobile museum set, caravan, education base or
	// e-station), which must be live and inside the writer's scope; "" and 0 for none. The
	// store checks it through Store.Registry.
	VenueKind          string
	VenueID            int64
	StartsAt, EndsAt   time.Time
	Mode               string
	Programmes         []string
	Partners           []string
	TargetGroups       []string
	Sessions           int
	DeclaredAttendance int64
	LiveViewers        int64
	ReplayViews        int64
	Capacity           int
	WalkInAllowance    int
	SignupOpen         bool
	Report             string
}

// InputOf returns the input that would recreate a version (for the edit form and corrections).
func InputOf(a Activity) Input { return a.Input }

// ValidationError maps a field key to what is wrong with it, in Chinese.
type ValidationError = web.FieldErrors

// Limits of a record's text and counts.
const (
	MaxTitle      = 100
	MaxText       = 2000 // report text, runes
	MaxTags       = 10   // programme tags or partner departments
	MaxTag        = 40   // runes per tag
	MaxCount      = 100_000_000
	MaxSessions   = 10_000
	MaxDuration   = 366 * 24 * time.Hour
	earliestStart = 2000
)

// SplitTags splits a list typed as "a、b，c; d" or one per line into trimmed, distinct tags.
func SplitTags(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == '\n' || r == '\r' || r == '|'
	})
	var out []string
	seen := map[string]bool{}
	for _, t := range f {
		t = strings.TrimSpace(t)
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// Validate normalizes the input and checks it; problems come back per field, in Chinese. The
// region is checked against the tree and the caller's scope by the store, not here.
func (in *Input) Validate() ValidationError {
	errs := ValidationError{}
	in.Title = strings.TrimSpace(in.Title)
	in.Organizer = strings.TrimSpace(in.Organizer)
	in.Venue = strings.TrimSpace(in.Venue)
	in.Report = strings.TrimSpace(in.Report)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > MaxTitle {
		errs["title"] = fmt.Sprintf("请填写活动名称（最多 %d 字）", MaxTitle)
	}
	if in.Organizer == "" || utf8.RuneCountInString(in.Organizer) > MaxTitle {
		errs["organizer"] = fmt.Sprintf("请填写主办单位（最多 %d 字）", MaxTitle)
	}
	if utf8.RuneCountInString(in.Venue) > MaxTitle {
		errs["venue"] = fmt.Sprintf("场馆名称最多 %d 字", MaxTitle)
	}
	if (in.VenueKind == "") != (in.VenueID == 0) {
		errs["venue_ref"] = "登记场馆的类别和编号须同时填写"
	} else if _, ok := registry.FacilityKind(in.VenueKind); in.VenueKind != "" && !ok {
		errs["venue_ref"] = "登记场馆只能是科技馆、流动科技馆、科普大篷车、科普教育基地或科普e站"
	}
	if code, err := region.Normalize(in.RegionCode); err != nil {
		errs["region_code"] = "区划代码应为 6、9 或 12 位数字"
	} else {
		in.RegionCode = code
	}
	if slug, ok := bySlugOrLabel(Types, in.Type); ok {
		in.Type = slug
	} else {
		errs["type"] = "请选择活动类型"
	}
	if slug, ok := bySlugOrLabel(Modes, in.Mode); ok {
		in.Mode = slug
	} else {
		errs["mode"] = "请选择线上、线下或线上线下"
	}
	checkSpan(errs, span{"starts_at", "ends_at", in.StartsAt, in.EndsAt, "", false, MaxDuration, "一条活动记录最长一年；常设展览请按月或按年分条填报"})
	in.StartsAt, in.EndsAt = in.StartsAt.UTC(), in.EndsAt.UTC()
	var groups []string
	for _, g := range in.TargetGroups {
		if g = strings.TrimSpace(g); g == "" {
			continue
		}
		if slug, ok := bySlugOrLabel(TargetGroups, g); ok {
			if !contains(groups, slug) {
				groups = append(groups, slug)
			}
		} else {
			errs["target_groups"] = fmt.Sprintf("“%s”不是重点人群之一（青少年、农牧民、产业工人、老年人、领导干部和公务员）", g)
		}
	}
	in.TargetGroups = groups
	in.Programmes = SplitTags(strings.Join(in.Programmes, "\n"))
	in.Partners = SplitTags(strings.Join(in.Partners, "\n"))
	for key, tags := range map[string][]string{"programmes": in.Programmes, "partners": in.Partners} {
		if len(tags) > MaxTags {
			errs[key] = fmt.Sprintf("最多 %d 项", MaxTags)
		}
		for _, t := range tags {
			if utf8.RuneCountInString(t) > MaxTag {
				errs[key] = fmt.Sprintf("每项最多 %d 字：%s", MaxTag, t)
			}
		}
	}
	if in.Sessions < 1 || in.Sessions > MaxSessions {
		errs["sessions"] = fmt.Sprintf("场次应为 1–%d", MaxSessions)
	}
	for key, n := range map[string]int64{"declared_attendance": in.DeclaredAttendance, "live_viewers": in.LiveViewers,
		"replay_views": in.ReplayViews, "capacity": int64(in.Capacity), "walkin_allowance": int64(in.WalkInAllowance)} {
		if n < 0 || n > MaxCount {
			errs[key] = fmt.Sprintf("应为 0–%d 的整数", MaxCount)
		}
	}
	if in.Mode == "offline" && (in.LiveViewers > 0 || in.ReplayViews > 0) {
		errs["live_viewers"] = "线下活动没有直播观看人数；有直播请选“线上线下”"
	}
	if in.SignupOpen && in.Capacity == 0 {
		errs["capacity"] = "开放报名须填写容量"
	}
	if utf8.RuneCountInString(in.Report) > MaxText {
		errs["report"] = fmt.Sprintf("活动报道最多 %d 字", MaxText)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// span is a start and end to check: the form keys they come from, what they are the times of
// (a Chinese prefix such as "岗位", or ""), whether the end must come strictly after the start,
// and the longest span allowed with the message that says so.
type span struct {
	startKey, endKey string
	start, end       time.Time
	what             string
	strict           bool
	longest          time.Duration
	tooLong          string
}

// checkSpan adds to errs what is wrong with a span: a missing time, a start outside
// earliestStart–2100, an end before (or, strict, at) the start, a span over the longest.
func checkSpan(errs ValidationError, s span) {
	switch {
	case s.start.IsZero():
		errs[s.startKey] = "请填写" + s.what + "开始时间"
	case s.start.Year() < earliestStart || s.start.Year() > 2100:
		errs[s.startKey] = fmt.Sprintf("%s开始时间应在 %d–2100 年之间", s.what, earliestStart)
	}
	switch {
	case s.end.IsZero():
		errs[s.endKey] = "请填写" + s.what + "结束时间"
	case !s.start.IsZero() && s.end.Before(s.start):
		errs[s.endKey] = s.what + "结束时间早于开始时间"
	case !s.start.IsZero() && s.strict && s.end.Equal(s.start):
		errs[s.endKey] = s.what + "结束时间应晚于开始时间"
	case s.end.Sub(s.start) > s.longest:
		errs[s.endKey] = s.tooLong
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Store keeps activity records, sign-ups, check-ins, volunteer hours and service orders.
type Store struct {
	DB      *db.DB
	Regions *region.Store
	Now     func() time.Time // the clock; nil means time.Now
	// Registry checks venue references (Input.VenueKind, VenueID) and resolves those written
	// in a report file; nil refuses any reference.
	Registry *registry.Store
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Workflow errors, in Chinese: each says why an action was refused.
var (
	ErrLocked      = errors.New("已提交或已确认的记录不能修改；已确认的记录请“更正”，生成新版本")
	ErrWrongStep   = errors.New("记录不在这一步，无法办理")
	ErrNotYours    = errors.New("这一步应由上级科协办理")
	ErrNoReason    = errors.New("退回时请填写理由")
	ErrSameAccount = errors.New("确认须由审核人以外的人员办理")
	ErrOwnRecord   = errors.New("审核和确认须由提交人以外的人员办理")
	// ErrNotEnded: a record reports what happened, so it is submitted once the activity has
	// ended (until then it is a plan: a draft, which may take sign-ups and check-ins).
	ErrNotEnded    = errors.New("活动结束后才能提交审核；在此之前记录为草稿，可开放报名和签到")
	ErrOpenVersion = errors.New("这条活动已有一个未确认的更正版本")
)

// Decider is who takes a review step: it holds a staff role at or above a level over a unit
// (account.Principal implements it).
type Decider interface {
	Holds(maxLevel region.Level, code string) bool
}

const activityCols = `id, COALESCE(series_id, id), version, COALESCE(previous_id, 0), region_code, title, type, organizer, venue, venue_kind, COALESCE(venue_id, 0),
	starts_at, ends_at, mode, programmes, partners, target_groups, sessions, declared_attendance, verified_attendance,
	live_viewers, replay_views, capacity, walkin_allowance, signup_open, report, status, reason, COALESCE(submitted_by, 0), COALESCE(reviewed_by, 0),
	superseded_at IS NOT NULL, created_at, updated_at, COALESCE(created_by, 0), COALESCE(import_id, 0)`

func scanActivity(row db.Scanner) (Activity, error) {
	var a Activity
	var prog, part, groups string
	err := row.Scan(&a.ID, &a.SeriesID, &a.Version, &a.PreviousID, &a.RegionCode, &a.Title, &a.Type, &a.Organizer, &a.Venue, &a.VenueKind, &a.VenueID,
		&a.StartsAt, &a.EndsAt, &a.Mode, &prog, &part, &groups, &a.Sessions, &a.DeclaredAttendance, &a.VerifiedAttendance,
		&a.LiveViewers, &a.ReplayViews, &a.Capacity, &a.WalkInAllowance, &a.SignupOpen, &a.Report, &a.Status, &a.Reason, &a.SubmittedBy, &a.ReviewedBy,
		&a.Superseded, &a.CreatedAt, &a.UpdatedAt, &a.CreatedBy, &a.ImportID)
	a.Programmes, a.Partners, a.TargetGroups = splitStored(prog), splitStored(part), splitStored(groups)
	a.StartsAt, a.EndsAt = a.StartsAt.UTC(), a.EndsAt.UTC()
	return a, err
}

// Tags are stored joined by a newline, which SplitTags never leaves inside a tag.
func joinStored(tags []string) string { return strings.Join(tags, "\n") }

func splitStored(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// checkVenue verifies a venue reference: a live facility inside scope. A ValidationError on
// "venue_ref" when not; nil when there is no reference.
func (s *Store) checkVenue(ctx context.Context, scope region.Scope, in Input) error {
	if in.VenueID == 0 {
		return nil
	}
	if s.Registry == nil {
		return ValidationError{"venue_ref": "无法核对登记场馆"}
	}
	if _, err := s.Registry.Facility(ctx, scope, in.VenueKind, in.VenueID); errors.Is(err, db.ErrNotFound) {
		return ValidationError{"venue_ref": "登记场馆不存在，或不在您的管辖范围内"}
	} else if err != nil {
		return err
	}
	return nil
}

// checkRegion says what is wrong with a record's unit for a caller: unknown, or outside scope.
func (s *Store) checkRegion(ctx context.Context, scope region.Scope, code string) string {
	if _, err := s.Regions.Get(ctx, code); err != nil {
		return "区划代码 " + code + " 不存在"
	}
	if !scope.Contains(code) {
		return "区划 " + code + " 不在您的管辖范围内"
	}
	return ""
}

// Create records a new activity as a draft inside scope and returns its id (also its series
// id). Errors: ValidationError.
func (s *Store) Create(ctx context.Context, scope region.Scope, actor int64, in Input) (int64, error) {
	if errs := in.Validate(); errs != nil {
		return 0, errs
	}
	if msg := s.checkRegion(ctx, scope, in.RegionCode); msg != "" {
		return 0, ValidationError{"region_code": msg}
	}
	if err := s.checkVenue(ctx, scope, in); err != nil {
		return 0, err
	}
	var id int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.insert(ctx, tx, in, Draft, 0, 0, 1, actor, 0, s.now())
		return err
	})
	return id, err
}

// insert writes one version with its tags and a "create" step. series 0 starts a series.
func (s *Store) insert(ctx context.Context, tx *sql.Tx, in Input, status string, series, previous int64, version int, actor, importID int64, now time.Time) (int64, error) {
	var id int64
	var verified int64
	var submitter any
	if status == Submitted {
		submitter = nullID(actor)
	}
	if series != 0 {
		if err := tx.QueryRowContext(ctx, `SELECT verified_attendance FROM activities WHERE id = $1`, series).Scan(&verified); err != nil {
			return 0, db.Map(err)
		}
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO activities (series_id, version, previous_id, region_code, title, type, organizer, venue,
		starts_at, ends_at, mode, programmes, partners, target_groups, sessions, declared_attendance, verified_attendance, live_viewers,
		replay_views, capacity, walkin_allowance, signup_open, report, status, created_at, updated_at, created_by, updated_by, import_id, starts_on, submitted_by,
		venue_kind, venue_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $25, $26, $26, $27, $28, $29, $30, $31)
		RETURNING id`,
		nullID(series), version, nullID(previous), in.RegionCode, in.Title, in.Type, in.Organizer, in.Venue, in.StartsAt, in.EndsAt, in.Mode,
		joinStored(in.Programmes), joinStored(in.Partners), joinStored(in.TargetGroups), in.Sessions, in.DeclaredAttendance, verified,
		in.LiveViewers, in.ReplayViews, in.Capacity, in.WalkInAllowance, in.SignupOpen, in.Report, status, now, nullID(actor), nullID(importID),
		LocalDate(in.StartsAt), submitter, in.VenueKind, nullID(in.VenueID)).Scan(&id)
	if err != nil {
		return 0, db.Map(err)
	}
	if series == 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE activities SET series_id = id WHERE id = $1`, id); err != nil {
			return 0, db.Map(err)
		}
	}
	if err := writeTags(ctx, tx, id, in); err != nil {
		return 0, err
	}
	if status == Accepted { // a counted record from the start (no caller writes one today)
		if err := recount(ctx, tx, 1, "a.id = $1", id); err != nil {
			return 0, err
		}
	}
	step := "create"
	switch {
	case previous != 0:
		step = "correct"
	case importID != 0:
		step = "import"
	}
	return id, addStep(ctx, tx, id, step, "", now, actor)
}

func writeTags(ctx context.Context, tx *sql.Tx, id int64, in Input) error {
	for _, q := range []string{`DELETE FROM activity_programmes WHERE activity_id = $1`, `DELETE FROM activity_target_groups WHERE activity_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return db.Map(err)
		}
	}
	for _, p := range in.Programmes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO activity_programmes (activity_id, programme) VALUES ($1, $2)`, id, p); err != nil {
			return db.Map(err)
		}
	}
	for _, g := range in.TargetGroups {
		if _, err := tx.ExecContext(ctx, `INSERT INTO activity_target_groups (activity_id, target_group) VALUES ($1, $2)`, id, g); err != nil {
			return db.Map(err)
		}
	}
	return nil
}

func addStep(ctx context.Context, ex db.Execer, id int64, step, note string, at time.Time, actor int64) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO activity_steps (activity_id, step, note, at, account_id) VALUES ($1, $2, $3, $4, $5)`,
		id, step, note, at, nullID(actor))
	return db.Map(err)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Get reads one version inside scope. Errors: db.ErrNotFound (also when outside scope).
func (s *Store) Get(ctx context.Context, scope region.Scope, id int64) (Activity, error) {
	where, args := scope.Where("region_code", 2)
	a, err := scanActivity(s.DB.QueryRowContext(ctx, `SELECT `+activityCols+` FROM activities WHERE id = $1 AND deleted_at IS NULL AND `+where,
		append([]any{id}, args...)...))
	if err != nil {
		return a, fmt.Errorf("activity.Get %d: %w", id, db.Map(err))
	}
	if names, err := s.Regions.Names(ctx, []string{a.RegionCode}); err == nil {
		a.RegionName = names[a.RegionCode]
	}
	return a, nil
}

// GetPublic reads a version for the public pages, without scope: only what the public may see
// (the handlers show title, time, venue, capacity).
func (s *Store) GetPublic(ctx context.Context, id int64) (Activity, error) {
	a, err := scanActivity(s.DB.QueryRowContext(ctx, `SELECT `+activityCols+` FROM activities WHERE id = $1 AND deleted_at IS NULL`, id))
	if err != nil {
		return a, fmt.Errorf("activity.GetPublic %d: %w", id, db.Map(err))
	}
	return a, nil
}

// Versions lists every version of a series, oldest first, inside scope.
func (s *Store) Versions(ctx context.Context, scope region.Scope, seriesID int64) ([]Activity, error) {
	where, args := scope.Where("region_code", 2)
	return db.QueryAll(ctx, s.DB, scanActivity, `SELECT `+activityCols+` FROM activities WHERE series_id = $1 AND deleted_at IS NULL AND `+where+` ORDER BY version`,
		append([]any{seriesID}, args...)...)
}

// Step is one recorded step of a version: who did what, when, with what remark.
type Step struct {
	Step      string // create, correct, update, submit, review, accept, return, import
	Note      string
	At        time.Time
	AccountID int64
}

// Steps lists a version's steps, oldest first.
func (s *Store) Steps(ctx context.Context, id int64) ([]Step, error) {
	return db.QueryAll(ctx, s.DB, func(row db.Scanner) (Step, error) {
		var st Step
		err := row.Scan(&st.Step, &st.Note, &st.At, &st.AccountID)
		return st, err
	}, `SELECT step, note, at, COALESCE(account_id, 0) FROM activity_steps WHERE activity_id = $1 ORDER BY id`, id)
}

// Update rewrites a draft or returned version inside scope. Errors: ValidationError,
// ErrLocked, db.ErrNotFound.
func (s *Store) Update(ctx context.Context, scope region.Scope, actor, id int64, in Input) error {
	if errs := in.Validate(); errs != nil {
		return errs
	}
	if msg := s.checkRegion(ctx, scope, in.RegionCode); msg != "" {
		return ValidationError{"region_code": msg}
	}
	if err := s.checkVenue(ctx, scope, in); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.lock(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if a.Locked() {
			return ErrLocked
		}
		now := s.now()
		// An unlocked version is never counted; recounting keeps the roll-up right even so.
		err = recounting(ctx, tx, a.SeriesID, func() error {
			if _, err := tx.ExecContext(ctx, `UPDATE activities SET region_code = $1, title = $2, type = $3, organizer = $4, venue = $5, starts_at = $6,
			ends_at = $7, mode = $8, programmes = $9, partners = $10, target_groups = $11, sessions = $12, declared_attendance = $13,
			live_viewers = $14, replay_views = $15, capacity = $16, walkin_allowance = $17, signup_open = $18, report = $19,
			updated_at = $20, updated_by = $21, starts_on = $23, venue_kind = $24, venue_id = $25 WHERE id = $22`,
				in.RegionCode, in.Title, in.Type, in.Organizer, in.Venue, in.StartsAt, in.EndsAt, in.Mode, joinStored(in.Programmes),
				joinStored(in.Partners), joinStored(in.TargetGroups), in.Sessions, in.DeclaredAttendance, in.LiveViewers, in.ReplayViews,
				in.Capacity, in.WalkInAllowance, in.SignupOpen, in.Report, now, nullID(actor), id, LocalDate(in.StartsAt), in.VenueKind, nullID(in.VenueID)); err != nil {
				return db.Map(err)
			}
			return writeTags(ctx, tx, id, in)
		})
		if err != nil {
			return err
		}
		return addStep(ctx, tx, id, "update", "", now, actor)
	})
}

// lock reads a version inside scope for update within tx.
func (s *Store) lock(ctx context.Context, tx *sql.Tx, scope region.Scope, id int64) (Activity, error) {
	where, args := scope.Where("region_code", 2)
	a, err := scanActivity(tx.QueryRowContext(ctx, `SELECT `+activityCols+` FROM activities WHERE id = $1 AND deleted_at IS NULL AND `+where+s.DB.Dialect.ForUpdate(),
		append([]any{id}, args...)...))
	if err != nil {
		return a, fmt.Errorf("activity %d: %w", id, db.Map(err))
	}
	return a, nil
}

// Submit sends a draft or returned version for review, once the activity has ended. Errors:
// ErrWrongStep, ErrNotEnded, db.ErrNotFound.
func (s *Store) Submit(ctx context.Context, scope region.Scope, actor, id int64) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.lock(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if a.Locked() {
			return ErrWrongStep
		}
		if s.now().Before(a.EndsAt) {
			return ErrNotEnded
		}
		if err := s.setStatus(ctx, tx, id, Submitted, "", "submit", "", 0, actor); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE activities SET submitted_by = $1 WHERE id = $2`, nullID(actor), id)
		return db.Map(err)
	})
}

func (s *Store) setStatus(ctx context.Context, tx *sql.Tx, id int64, status, reason, step, note string, reviewer, actor int64) error {
	now := s.now()
	q := `UPDATE activities SET status = $1, reason = $2, updated_at = $3, updated_by = $4 WHERE id = $5`
	args := []any{status, reason, now, nullID(actor), id}
	if reviewer != 0 {
		q = `UPDATE activities SET status = $1, reason = $2, updated_at = $3, updated_by = $4, reviewed_by = $6 WHERE id = $5`
		args = append(args, reviewer)
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return db.Map(err)
	}
	return addStep(ctx, tx, id, step, note, now, actor)
}

// reviewLevel is the lowest-ranked level that may review a record of a unit: the level above
// the unit's own (a township's record is reviewed by its banner, a banner's by its league); a
// region-level record is reviewed inside the region association.
func reviewLevel(code string) region.Level {
	l := region.LevelOf(code)
	if l <= region.LevelRegion {
		return region.LevelRegion
	}
	return l - 1
}

// Review decides a submitted version: pass (→ reviewed) or return with a reason. The decider
// must hold a role over the record's unit at the level above it (see reviewLevel) and must not
// be the account that submitted it. Errors: ErrWrongStep, ErrNotYours, ErrOwnRecord,
// ErrNoReason, db.ErrNotFound.
func (s *Store) Review(ctx context.Context, who Decider, scope region.Scope, actor, id int64, pass bool, note string) error {
	return s.decide(ctx, who, scope, actor, id, Submitted, pass, note)
}

// Accept decides a reviewed version: accept (locks it, and supersedes the version it corrects)
// or return with a reason. Same level rule as Review, and the acceptor must be neither the
// account that submitted it nor the one that reviewed it. Errors: ErrWrongStep, ErrNotYours,
// ErrOwnRecord, ErrSameAccount, ErrNoReason.
func (s *Store) Accept(ctx context.Context, who Decider, scope region.Scope, actor, id int64, pass bool, note string) error {
	return s.decide(ctx, who, scope, actor, id, Reviewed, pass, note)
}

// MaxNote is the longest remark or reason kept (runes).
const MaxNote = 500

func (s *Store) decide(ctx context.Context, who Decider, scope region.Scope, actor, id int64, from string, pass bool, note string) error {
	note = strings.TrimSpace(note)
	if !pass && note == "" {
		return ErrNoReason
	}
	if utf8.RuneCountInString(note) > MaxNote {
		return ValidationError{"note": fmt.Sprintf("意见最多 %d 字", MaxNote)}
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.lock(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if a.Status != from {
			return ErrWrongStep
		}
		if !who.Holds(reviewLevel(a.RegionCode), a.RegionCode) {
			return ErrNotYours
		}
		if actor != 0 && a.SubmittedBy == actor {
			return ErrOwnRecord
		}
		switch {
		case !pass:
			return s.setStatus(ctx, tx, id, Returned, note, "return", note, 0, actor)
		case from == Submitted:
			return s.setStatus(ctx, tx, id, Reviewed, "", "review", note, actor, actor)
		}
		if actor != 0 && a.ReviewedBy == actor {
			return ErrSameAccount
		}
		// The accepted version is now the series' figures in place of the one it corrects (kept).
		if err := recountLock(ctx, tx, s.DB.Dialect); err != nil {
			return err
		}
		return recounting(ctx, tx, a.SeriesID, func() error {
			if err := s.setStatus(ctx, tx, id, Accepted, "", "accept", note, 0, actor); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE activities SET superseded_at = $1 WHERE series_id = $2 AND id <> $3 AND status = 'accepted' AND superseded_at IS NULL`,
				s.now(), a.SeriesID, id)
			return db.Map(err)
		})
	})
}

// Correct starts a correction of an accepted version: a new draft version (version + 1) with
// the same values, which the organizer edits and submits; the accepted one stays as it is and
// keeps counting until the correction is accepted. Errors: ErrWrongStep (not the current
// accepted version), ErrOpenVersion (a correction is already open).
func (s *Store) Correct(ctx context.Context, scope region.Scope, actor, id int64) (int64, error) {
	var nid int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.lock(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if a.Status != Accepted || a.Superseded {
			return ErrWrongStep
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM activities WHERE series_id = $1 AND status <> 'accepted' AND deleted_at IS NULL`, a.SeriesID).Scan(&open); err != nil {
			return db.Map(err)
		}
		if open > 0 {
			return ErrOpenVersion
		}
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM activities WHERE series_id = $1`, a.SeriesID).Scan(&last); err != nil {
			return db.Map(err)
		}
		nid, err = s.insert(ctx, tx, InputOf(a), Draft, a.SeriesID, a.ID, last+1, actor, 0, s.now())
		if errors.Is(err, db.ErrConflict) {
			return ErrOpenVersion
		}
		return err
	})
	return nid, err
}
