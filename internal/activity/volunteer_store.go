package activity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// Volunteer shifts and hours.
//
// Who acts: volunteers have no accounts yet, so staff accounts whose scope contains the team's
// unit act for the team. A shift belongs to a registry volunteer team (its region_code is the
// team's unit, copied when the shift is made, and decides scope) and may belong to an activity
// in scope. Staff sign up approved members of the team (found by phone) up to the headcount,
// and may cancel a sign-up until hours are recorded. After the shift, one account records the
// time each volunteer actually served (start and end, to the minute; status pending) and another
// account — the team admin's side — approves it or declines it with a reason. Walk-ins get
// hours under a name only. Hours that overlap another pending or approved interval of the same
// volunteer (on any shift) are refused.

// Hours statuses: open (signed up, no time recorded), pending (recorded, awaiting the team
// admin), approved, declined (with a reason; may be recorded again).
const (
	HoursOpen     = "open"
	HoursPending  = "pending"
	HoursApproved = "approved"
	HoursDeclined = "declined"
)

// Limits of shifts and walk-in names.
const (
	MaxShiftTitle  = 100
	MaxHeadcount   = 1000
	MaxShiftLength = 7 * 24 * time.Hour
	MaxWalkInName  = 40
)

// Volunteer-service errors, in Chinese: each says why an action was refused.
var (
	ErrNotTeamMember        = errors.New("没有以此手机号登记、且已获批加入本服务队的科技志愿者；请先在服务队页面添加并审批成员")
	ErrShiftFull            = errors.New("本岗位报名人数已满，无法再报名")
	ErrSignedUp             = errors.New("该志愿者已报名本岗位")
	ErrHoursRecorded        = errors.New("已记录服务时长的报名不能取消；如有误请由服务队管理员一方拒绝")
	ErrHoursLocked          = errors.New("这条服务时长已审批通过，不能再修改")
	ErrNotPendingHours      = errors.New("这条服务时长不在待审批状态")
	ErrSameRecorder         = errors.New("审批须由记录时长以外的人员（服务队管理员一方）办理")
	ErrShiftSignupCancelled = errors.New("该报名已取消")
)

// Shift is a slot of volunteer service with a required headcount.
type Shift struct {
	ID            int64
	RegionCode    string
	RegionName    string
	TeamID        int64
	TeamName      string
	ActivityID    int64 // 0: the team's own service
	ActivityTitle string
	Title         string
	StartsAt      time.Time
	EndsAt        time.Time
	Headcount     int
	SignedUp      int   // current sign-ups of registered volunteers
	Approved      int64 // approved minutes of registered volunteers on the shift (walk-ins not included)
	CreatedAt     time.Time
	CreatedBy     int64
}

// ShiftInput is what the new-shift form carries.
type ShiftInput struct {
	TeamID     int64
	ActivityID int64
	Title      string
	StartsAt   time.Time
	EndsAt     time.Time
	Headcount  int
}

// Validate normalizes and checks the input; problems per field, in Chinese.
func (in *ShiftInput) Validate() ValidationError {
	errs := ValidationError{}
	in.Title = strings.TrimSpace(in.Title)
	if in.TeamID <= 0 {
		errs["team_id"] = "请选择志愿服务队"
	}
	if in.Title == "" || utf8.RuneCountInString(in.Title) > MaxShiftTitle {
		errs["title"] = fmt.Sprintf("请填写岗位名称（最多 %d 字）", MaxShiftTitle)
	}
	checkSpan(errs, span{"starts_at", "ends_at", in.StartsAt, in.EndsAt, "岗位", true, MaxShiftLength, "一个岗位最长 7 天；更长的服务请按天或按周分设岗位"})
	if in.Headcount < 1 || in.Headcount > MaxHeadcount {
		errs["headcount"] = fmt.Sprintf("需要人数应为 1–%d", MaxHeadcount)
	}
	in.StartsAt = in.StartsAt.Truncate(time.Minute).UTC()
	in.EndsAt = in.EndsAt.Truncate(time.Minute).UTC()
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Hours is one person's place on a shift: a sign-up of a registered volunteer (or a walk-in's
// name) and, once recorded, the time served and its approval.
type Hours struct {
	ID             int64
	ShiftID        int64
	VolunteerID    int64  // 0 for a walk-in
	VolunteerName  string // the volunteer's name, or the walk-in's
	VolunteerPhone string // masked; "" for a walk-in
	WalkIn         bool
	SignupStatus   string // signed_up, cancelled
	StartsAt       *time.Time
	EndsAt         *time.Time
	Minutes        int64
	Status         string // open, pending, approved, declined
	Reason         string
	RecordedBy     int64
	ConfirmedBy    int64
	// Of the shift, for a volunteer's list.
	ShiftTitle string
	TeamID     int64
	TeamName   string
}

// Volunteering runs volunteer shifts, hours and the award report over the activity store's
// database, reading teams and volunteers through the registry's exported queries.
type Volunteering struct {
	Activities *Store
	Registry   *registry.Store
}

func (v *Volunteering) db() *db.DB             { return v.Activities.DB }
func (v *Volunteering) now() time.Time         { return v.Activities.now() }
func (v *Volunteering) regions() *region.Store { return v.Activities.Regions }

// CreateShift makes a shift for a team in scope, optionally of an activity in scope, and
// returns its id. Errors: ValidationError (per field, in Chinese).
func (v *Volunteering) CreateShift(ctx context.Context, scope region.Scope, actor int64, in ShiftInput) (int64, error) {
	errs := in.Validate()
	if errs == nil {
		errs = ValidationError{}
	}
	var team registry.TeamRef
	if in.TeamID > 0 {
		var err error
		if team, err = v.Registry.VolunteerTeam(ctx, scope, in.TeamID); err != nil {
			if !errors.Is(err, db.ErrNotFound) {
				return 0, err
			}
			errs["team_id"] = "您的管理范围内没有这支志愿服务队"
		}
	}
	if in.ActivityID != 0 {
		if _, err := v.Activities.Get(ctx, scope, in.ActivityID); err != nil {
			if !errors.Is(err, db.ErrNotFound) {
				return 0, err
			}
			errs["activity_id"] = fmt.Sprintf("您的管理范围内没有编号为 %d 的活动", in.ActivityID)
		}
	}
	if len(errs) > 0 {
		return 0, errs
	}
	var id int64
	err := v.db().QueryRowContext(ctx, `INSERT INTO volunteer_shifts (region_code, team_id, activity_id, title, starts_at, ends_at, headcount, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		team.RegionCode, team.ID, nullID(in.ActivityID), in.Title, in.StartsAt, in.EndsAt, in.Headcount, v.now(), nullID(actor)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("activity.CreateShift: %w", db.Map(err))
	}
	return id, nil
}

const shiftCols = `s.id, s.region_code, s.team_id, COALESCE(s.activity_id, 0), s.title, s.starts_at, s.ends_at, s.headcount, s.created_at, COALESCE(s.created_by, 0),
	(SELECT count(*) FROM volunteer_hours h WHERE h.shift_id = s.id AND h.volunteer_id IS NOT NULL AND h.signup_status = 'signed_up'),
	(SELECT COALESCE(SUM(h.minutes), 0) FROM volunteer_hours h WHERE h.shift_id = s.id AND h.volunteer_id IS NOT NULL AND h.status = 'approved')`

func scanShift(row db.Scanner) (Shift, error) {
	var s Shift
	err := row.Scan(&s.ID, &s.RegionCode, &s.TeamID, &s.ActivityID, &s.Title, &s.StartsAt, &s.EndsAt, &s.Headcount, &s.CreatedAt, &s.CreatedBy, &s.SignedUp, &s.Approved)
	s.StartsAt, s.EndsAt = s.StartsAt.UTC(), s.EndsAt.UTC()
	return s, err
}

// Shift reads one shift inside scope with its team's and activity's names. Errors:
// db.ErrNotFound (also outside scope).
func (v *Volunteering) Shift(ctx context.Context, scope region.Scope, id int64) (Shift, error) {
	cond, args := scope.Where("s.region_code", 2)
	s, err := scanShift(v.db().QueryRowContext(ctx, `SELECT `+shiftCols+` FROM volunteer_shifts s WHERE s.id = $1 AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return s, fmt.Errorf("volunteer shift %d: %w", id, db.Map(err))
	}
	if t, err := v.Registry.VolunteerTeam(ctx, region.NewScope(s.RegionCode), s.TeamID); err == nil {
		s.TeamName = t.Name
	}
	if s.ActivityID != 0 {
		if a, err := v.Activities.Get(ctx, scope, s.ActivityID); err == nil {
			s.ActivityTitle = a.Title
		}
	}
	if names, err := v.regions().Names(ctx, []string{s.RegionCode}); err == nil {
		s.RegionName = names[s.RegionCode]
	}
	return s, nil
}

// ShiftFilter selects shifts for the list: scope (required), a team, and a period of shift
// start times [From, To) in UTC (zero for open ends).
type ShiftFilter struct {
	Scope    region.Scope
	TeamID   int64
	From, To time.Time
	// Approved keeps only shifts with approved hours of registered volunteers (the shifts the
	// award report counts as a team's activities).
	Approved bool
	Limit    int // default and most 200
}

// Shifts lists the shifts matching the filter, latest first, at most Limit, with the total
// number matching. Team names come from the registry.
func (v *Volunteering) Shifts(ctx context.Context, f ShiftFilter) ([]Shift, int, error) {
	cond, args := f.Scope.Where("s.region_code", 1)
	conds := []string{cond}
	if f.TeamID != 0 {
		args = append(args, f.TeamID)
		conds = append(conds, fmt.Sprintf("s.team_id = $%d", len(args)))
	}
	if !f.From.IsZero() {
		args = append(args, f.From)
		conds = append(conds, fmt.Sprintf("s.starts_at >= $%d", len(args)))
	}
	if !f.To.IsZero() {
		args = append(args, f.To)
		conds = append(conds, fmt.Sprintf("s.starts_at < $%d", len(args)))
	}
	if f.Approved {
		conds = append(conds, "EXISTS (SELECT 1 FROM volunteer_hours h WHERE h.shift_id = s.id AND h.volunteer_id IS NOT NULL AND h.status = 'approved')")
	}
	where := strings.Join(conds, " AND ")
	var total int
	if err := v.db().QueryRowContext(ctx, `SELECT count(*) FROM volunteer_shifts s WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("activity.Shifts: %w", db.Map(err))
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	out, err := db.QueryAll(ctx, v.db(), scanShift, `SELECT `+shiftCols+` FROM volunteer_shifts s WHERE `+where+fmt.Sprintf(` ORDER BY s.starts_at DESC, s.id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("activity.Shifts: %w", err)
	}
	if len(out) > 0 {
		teams, err := v.teamNames(ctx, f.Scope)
		if err != nil {
			return nil, 0, err
		}
		for i := range out {
			out[i].TeamName = teams[out[i].TeamID]
		}
	}
	return out, total, nil
}

func (v *Volunteering) teamNames(ctx context.Context, scope region.Scope) (map[int64]string, error) {
	teams, err := v.Registry.VolunteerTeamsIn(ctx, scope)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(teams))
	for _, t := range teams {
		m[t.ID] = t.Name
	}
	return m, nil
}

const hoursCols = `h.id, h.shift_id, COALESCE(h.volunteer_id, 0), h.walk_in_name, h.signup_status, h.starts_at, h.ends_at, h.minutes, h.status, h.reason,
	COALESCE(h.recorded_by, 0), COALESCE(h.confirmed_by, 0)`

func scanHours(row db.Scanner, extra ...any) (Hours, error) {
	var h Hours
	var start, end sql.NullTime
	err := row.Scan(append([]any{&h.ID, &h.ShiftID, &h.VolunteerID, &h.VolunteerName, &h.SignupStatus, &start, &end, &h.Minutes, &h.Status, &h.Reason,
		&h.RecordedBy, &h.ConfirmedBy}, extra...)...)
	if start.Valid {
		t := start.Time.UTC()
		h.StartsAt = &t
	}
	if end.Valid {
		t := end.Time.UTC()
		h.EndsAt = &t
	}
	h.WalkIn = h.VolunteerID == 0
	return h, err
}

// fillVolunteers puts the registry's names and masked phones on registered volunteers' rows.
func (v *Volunteering) fillVolunteers(ctx context.Context, hs []Hours) error {
	var ids []int64
	for _, h := range hs {
		if h.VolunteerID != 0 {
			ids = append(ids, h.VolunteerID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	vols, err := v.Registry.VolunteersByID(ctx, ids)
	if err != nil {
		return err
	}
	for i := range hs {
		if p, ok := vols[hs[i].VolunteerID]; ok && hs[i].VolunteerID != 0 {
			hs[i].VolunteerName, hs[i].VolunteerPhone = p.Name, p.Phone
		}
	}
	return nil
}

// ShiftHours lists every sign-up and walk-in of a shift inside scope (cancelled ones last),
// phones masked. Errors: db.ErrNotFound.
func (v *Volunteering) ShiftHours(ctx context.Context, scope region.Scope, shiftID int64) ([]Hours, error) {
	cond, args := scope.Where("s.region_code", 2)
	out, err := db.QueryAll(ctx, v.db(), func(row db.Scanner) (Hours, error) { return scanHours(row) },
		`SELECT `+hoursCols+` FROM volunteer_hours h JOIN volunteer_shifts s ON s.id = h.shift_id
		WHERE h.shift_id = $1 AND `+cond+` ORDER BY CASE h.signup_status WHEN 'signed_up' THEN 0 ELSE 1 END, h.id`, append([]any{shiftID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("activity.ShiftHours: %w", err)
	}
	return out, v.fillVolunteers(ctx, out)
}

// lockShift reads a shift inside scope within tx, locking it on PostgreSQL so that sign-ups
// to one shift are counted one at a time.
func (v *Volunteering) lockShift(ctx context.Context, tx *sql.Tx, scope region.Scope, id int64) (Shift, error) {
	cond, args := scope.Where("region_code", 2)
	var s Shift
	err := tx.QueryRowContext(ctx, `SELECT id, region_code, team_id, starts_at, ends_at, headcount FROM volunteer_shifts WHERE id = $1 AND `+cond+v.db().Dialect.ForUpdate(),
		append([]any{id}, args...)...).Scan(&s.ID, &s.RegionCode, &s.TeamID, &s.StartsAt, &s.EndsAt, &s.Headcount)
	if err != nil {
		return s, fmt.Errorf("volunteer shift %d: %w", id, db.Map(err))
	}
	s.StartsAt, s.EndsAt = s.StartsAt.UTC(), s.EndsAt.UTC()
	return s, nil
}

// SignUp puts the approved team member with this phone number on a shift inside scope and
// returns the sign-up's id. Errors: ErrNotTeamMember, ErrShiftFull (the headcount is a
// limit), ErrSignedUp, db.ErrNotFound (shift).
func (v *Volunteering) SignUp(ctx context.Context, scope region.Scope, actor, shiftID int64, phone string) (int64, error) {
	return v.signUp(ctx, scope, actor, shiftID, func(teamID int64) (int64, error) { return v.Registry.TeamMemberByPhone(ctx, teamID, phone) })
}

// SignUpMember is SignUp for a member chosen from the team's list (staff see phones masked,
// so the list is how they pick someone), by volunteer id. Same errors.
func (v *Volunteering) SignUpMember(ctx context.Context, scope region.Scope, actor, shiftID, volunteerID int64) (int64, error) {
	return v.signUp(ctx, scope, actor, shiftID, func(teamID int64) (int64, error) { return v.Registry.TeamMember(ctx, teamID, volunteerID) })
}

func (v *Volunteering) signUp(ctx context.Context, scope region.Scope, actor, shiftID int64, member func(teamID int64) (int64, error)) (int64, error) {
	var id int64
	err := v.db().Tx(ctx, func(tx *sql.Tx) error {
		s, err := v.lockShift(ctx, tx, scope, shiftID)
		if err != nil {
			return err
		}
		vol, err := member(s.TeamID)
		if errors.Is(err, db.ErrNotFound) {
			return ErrNotTeamMember
		}
		if err != nil {
			return err
		}
		var taken, mine int
		if err := tx.QueryRowContext(ctx, `SELECT count(*), COALESCE(SUM(CASE WHEN volunteer_id = $2 THEN 1 ELSE 0 END), 0) FROM volunteer_hours
			WHERE shift_id = $1 AND volunteer_id IS NOT NULL AND signup_status = 'signed_up'`, shiftID, vol).Scan(&taken, &mine); err != nil {
			return db.Map(err)
		}
		if mine > 0 {
			return ErrSignedUp
		}
		if taken >= s.Headcount {
			return fmt.Errorf("%w（需要 %d 人，已报名 %d 人）", ErrShiftFull, s.Headcount, taken)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO volunteer_hours (shift_id, volunteer_id, signup_status, status, created_at, created_by)
			VALUES ($1, $2, 'signed_up', 'open', $3, $4) RETURNING id`, shiftID, vol, v.now(), nullID(actor)).Scan(&id)
		if errors.Is(db.Map(err), db.ErrConflict) {
			return ErrSignedUp
		}
		return db.Map(err)
	})
	return id, err
}

// lockHours reads a sign-up whose shift lies inside scope, within tx, with its shift.
func (v *Volunteering) lockHours(ctx context.Context, tx *sql.Tx, scope region.Scope, id int64) (Hours, Shift, error) {
	cond, args := scope.Where("s.region_code", 2)
	var s Shift
	h, err := scanHours(tx.QueryRowContext(ctx, `SELECT `+hoursCols+`, s.team_id, s.starts_at, s.ends_at FROM volunteer_hours h JOIN volunteer_shifts s ON s.id = h.shift_id
		WHERE h.id = $1 AND `+cond+v.db().Dialect.ForUpdate(), append([]any{id}, args...)...), &s.TeamID, &s.StartsAt, &s.EndsAt)
	if err != nil {
		return h, s, fmt.Errorf("volunteer hours %d: %w", id, db.Map(err))
	}
	s.ID, s.StartsAt, s.EndsAt = h.ShiftID, s.StartsAt.UTC(), s.EndsAt.UTC()
	return h, s, nil
}

// ShiftOf returns the shift of a sign-up inside scope (for redirects). Errors: db.ErrNotFound.
func (v *Volunteering) ShiftOf(ctx context.Context, scope region.Scope, hoursID int64) (int64, error) {
	cond, args := scope.Where("s.region_code", 2)
	var id int64
	err := v.db().QueryRowContext(ctx, `SELECT h.shift_id FROM volunteer_hours h JOIN volunteer_shifts s ON s.id = h.shift_id WHERE h.id = $1 AND `+cond,
		append([]any{hoursID}, args...)...).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("volunteer hours %d: %w", hoursID, db.Map(err))
	}
	return id, nil
}

// Cancel cancels a sign-up before any time is recorded on it. Errors: ErrHoursRecorded,
// ErrShiftSignupCancelled, db.ErrNotFound.
func (v *Volunteering) Cancel(ctx context.Context, scope region.Scope, actor, hoursID int64) error {
	return v.db().Tx(ctx, func(tx *sql.Tx) error {
		h, _, err := v.lockHours(ctx, tx, scope, hoursID)
		if err != nil {
			return err
		}
		switch {
		case h.SignupStatus == "cancelled":
			return ErrShiftSignupCancelled
		case h.Status != HoursOpen:
			return ErrHoursRecorded
		}
		_, err = tx.ExecContext(ctx, `UPDATE volunteer_hours SET signup_status = 'cancelled', recorded_at = $1, recorded_by = $2 WHERE id = $3`, v.now(), nullID(actor), hoursID)
		return db.Map(err)
	})
}

// lockVolunteerRows takes, on PostgreSQL, the row locks of every sign-up of the volunteer
// whose sign-up hoursID is, in id order and before any other lock of the transaction, so that
// two recordings for one volunteer run one after the other (and cannot both pass the overlap
// check) without deadlocking. SQLite's write transactions already run one at a time.
func (v *Volunteering) lockVolunteerRows(ctx context.Context, tx *sql.Tx, hoursID int64) error {
	if v.db().Dialect != db.Postgres {
		return nil
	}
	var vol sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT volunteer_id FROM volunteer_hours WHERE id = $1`, hoursID).Scan(&vol); err != nil {
		return fmt.Errorf("volunteer hours %d: %w", hoursID, db.Map(err))
	}
	if !vol.Valid {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM volunteer_hours WHERE volunteer_id = $1 ORDER BY id FOR UPDATE`, vol.Int64)
	if err != nil {
		return db.Map(err)
	}
	for rows.Next() {
	}
	rows.Close()
	return db.Map(rows.Err())
}

// checkOverlap refuses an interval that overlaps another pending or approved interval of the
// same volunteer on any shift (the caller holds lockVolunteerRows).
func (v *Volunteering) checkOverlap(ctx context.Context, tx *sql.Tx, volunteerID, self int64, start, end time.Time) error {
	var title string
	var s, e time.Time
	err := tx.QueryRowContext(ctx, `SELECT vs.title, h.starts_at, h.ends_at FROM volunteer_hours h JOIN volunteer_shifts vs ON vs.id = h.shift_id
		WHERE h.volunteer_id = $1 AND h.id <> $2 AND h.status IN ('pending', 'approved') AND h.starts_at < $3 AND h.ends_at > $4 ORDER BY h.starts_at LIMIT 1`,
		volunteerID, self, end, start).Scan(&title, &s, &e)
	switch {
	case errors.Is(db.Map(err), db.ErrNotFound):
		return nil
	case err != nil:
		return db.Map(err)
	}
	return ValidationError{"starts_at": fmt.Sprintf("与该志愿者在“%s”已记录的服务时间 %s–%s 重叠", title,
		s.In(China).Format("2006-01-02 15:04"), e.In(China).Format("15:04"))}
}

// Record records the time a signed-up volunteer actually served (to the minute) → pending.
// A pending or declined record may be recorded again; an approved one may not. Errors:
// ValidationError (fields starts_at, ends_at: end before start, outside the shift by more than
// ShiftMargin, in the future, overlapping), ErrHoursLocked, ErrShiftSignupCancelled, db.ErrNotFound.
func (v *Volunteering) Record(ctx context.Context, scope region.Scope, actor, hoursID int64, start, end time.Time) error {
	return v.db().Tx(ctx, func(tx *sql.Tx) error {
		if err := v.lockVolunteerRows(ctx, tx, hoursID); err != nil {
			return err
		}
		h, s, err := v.lockHours(ctx, tx, scope, hoursID)
		if err != nil {
			return err
		}
		switch {
		case h.SignupStatus == "cancelled":
			return ErrShiftSignupCancelled
		case h.Status == HoursApproved:
			return ErrHoursLocked
		}
		st, en, minutes, field, msg := CheckServedInterval(start, end, s.StartsAt, s.EndsAt, v.now())
		if msg != "" {
			return ValidationError{field: msg}
		}
		if h.VolunteerID != 0 {
			if err := v.checkOverlap(ctx, tx, h.VolunteerID, h.ID, st, en); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE volunteer_hours SET starts_at = $1, ends_at = $2, minutes = $3, status = 'pending', reason = '',
			recorded_at = $4, recorded_by = $5, confirmed_at = NULL, confirmed_by = NULL WHERE id = $6`, st, en, minutes, v.now(), nullID(actor), hoursID)
		return db.Map(err)
	})
}

// WalkIn records hours of a walk-in who is not a registered volunteer, under a name only
// (pending, like any recorded hours), and returns its id. Walk-ins do not take a place of the
// headcount and, having no identity, are not checked for overlaps nor counted in the award
// report. Errors: ValidationError (name, starts_at, ends_at), db.ErrNotFound.
func (v *Volunteering) WalkIn(ctx context.Context, scope region.Scope, actor, shiftID int64, name string, start, end time.Time) (int64, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxWalkInName {
		return 0, ValidationError{"name": fmt.Sprintf("请填写现场志愿者姓名（最多 %d 字）", MaxWalkInName)}
	}
	var id int64
	err := v.db().Tx(ctx, func(tx *sql.Tx) error {
		s, err := v.lockShift(ctx, tx, scope, shiftID)
		if err != nil {
			return err
		}
		st, en, minutes, field, msg := CheckServedInterval(start, end, s.StartsAt, s.EndsAt, v.now())
		if msg != "" {
			return ValidationError{field: msg}
		}
		now := v.now()
		err = tx.QueryRowContext(ctx, `INSERT INTO volunteer_hours (shift_id, walk_in_name, signup_status, starts_at, ends_at, minutes, status, created_at, created_by, recorded_at, recorded_by)
			VALUES ($1, $2, 'signed_up', $3, $4, $5, 'pending', $6, $7, $6, $7) RETURNING id`, shiftID, name, st, en, minutes, now, nullID(actor)).Scan(&id)
		return db.Map(err)
	})
	return id, err
}

// Decide approves or declines recorded (pending) hours; a decline carries a reason of at most
// MaxNote runes. The decider must be another account than the one that recorded the time.
// Errors: ErrNotPendingHours, ErrSameRecorder, ErrNoReason, ValidationError (note),
// db.ErrNotFound.
func (v *Volunteering) Decide(ctx context.Context, scope region.Scope, actor, hoursID int64, approve bool, reason string) error {
	reason = strings.TrimSpace(reason)
	if !approve && reason == "" {
		return ErrNoReason
	}
	if utf8.RuneCountInString(reason) > MaxNote {
		return ValidationError{"reason": fmt.Sprintf("理由最多 %d 字", MaxNote)}
	}
	return v.db().Tx(ctx, func(tx *sql.Tx) error {
		h, _, err := v.lockHours(ctx, tx, scope, hoursID)
		if err != nil {
			return err
		}
		if h.Status != HoursPending || h.SignupStatus != "signed_up" {
			return ErrNotPendingHours
		}
		if actor != 0 && h.RecordedBy == actor {
			return ErrSameRecorder
		}
		status := HoursDeclined
		if approve {
			status, reason = HoursApproved, ""
		}
		_, err = tx.ExecContext(ctx, `UPDATE volunteer_hours SET status = $1, reason = $2, confirmed_at = $3, confirmed_by = $4 WHERE id = $5`,
			status, reason, v.now(), nullID(actor), hoursID)
		return db.Map(err)
	})
}

// VolunteerRecord is a volunteer's page: who, the records in scope for a period, and the
// star level from all approved minutes.
type VolunteerRecord struct {
	Volunteer       registry.VolunteerRef
	Hours           []Hours // on shifts in scope starting in the period, newest first
	PeriodMinutes   int64   // approved minutes among Hours
	PeriodShifts    int     // distinct shifts with approved minutes among Hours
	LifetimeMinutes int64   // approved minutes on every shift, anywhere (the star level's basis)
	Stars           int
}

// VolunteerHours reads a volunteer's hours on shifts inside scope that start in [from, to)
// (zero for open ends), and the star level from the volunteer's approved minutes on
// every shift. The volunteer must live in scope or have hours on a shift in scope.
// Errors: db.ErrNotFound.
func (v *Volunteering) VolunteerHours(ctx context.Context, scope region.Scope, volunteerID int64, from, to time.Time) (VolunteerRecord, error) {
	var rec VolunteerRecord
	vols, err := v.Registry.VolunteersByID(ctx, []int64{volunteerID})
	if err != nil {
		return rec, err
	}
	p, ok := vols[volunteerID]
	if !ok {
		return rec, fmt.Errorf("volunteer %d: %w", volunteerID, db.ErrNotFound)
	}
	rec.Volunteer = p
	cond, args := scope.Where("s.region_code", 2)
	args = append([]any{volunteerID}, args...)
	q := `SELECT ` + hoursCols + `, s.title, s.team_id FROM volunteer_hours h JOIN volunteer_shifts s ON s.id = h.shift_id WHERE h.volunteer_id = $1 AND ` + cond
	if !from.IsZero() {
		args = append(args, from)
		q += fmt.Sprintf(" AND s.starts_at >= $%d", len(args))
	}
	if !to.IsZero() {
		args = append(args, to)
		q += fmt.Sprintf(" AND s.starts_at < $%d", len(args))
	}
	rows, err := v.db().QueryContext(ctx, q+` ORDER BY s.starts_at DESC, h.id DESC`, args...)
	if err != nil {
		return rec, fmt.Errorf("activity.VolunteerHours: %w", db.Map(err))
	}
	shifts := map[int64]bool{}
	for rows.Next() {
		var title string
		var team int64
		h, err := scanHours(rows, &title, &team)
		h.ShiftTitle, h.TeamID = title, team
		if err != nil {
			rows.Close()
			return rec, db.Map(err)
		}
		rec.Hours = append(rec.Hours, h)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return rec, db.Map(err)
	}
	if len(rec.Hours) == 0 && !scope.Contains(p.RegionCode) {
		return rec, fmt.Errorf("volunteer %d: %w", volunteerID, db.ErrNotFound)
	}
	teams, err := v.teamNames(ctx, scope)
	if err != nil {
		return rec, err
	}
	for i, h := range rec.Hours {
		rec.Hours[i].VolunteerName, rec.Hours[i].VolunteerPhone = p.Name, p.Phone
		rec.Hours[i].TeamName = teams[h.TeamID]
		if h.Status == HoursApproved {
			rec.PeriodMinutes += h.Minutes
			shifts[h.ShiftID] = true
		}
	}
	rec.PeriodShifts = len(shifts)
	if err := v.db().QueryRowContext(ctx, `SELECT COALESCE(SUM(minutes), 0) FROM volunteer_hours WHERE volunteer_id = $1 AND status = 'approved'`,
		volunteerID).Scan(&rec.LifetimeMinutes); err != nil {
		return rec, db.Map(err)
	}
	rec.Stars = StarLevel(rec.LifetimeMinutes)
	return rec, nil
}

// LifetimeText is the approved time on every shift, in hours and minutes.
func (r VolunteerRecord) LifetimeText() string { return HoursText(r.LifetimeMinutes) }

// PeriodText is the approved time listed, in hours and minutes.
func (r VolunteerRecord) PeriodText() string { return HoursText(r.PeriodMinutes) }

// VolunteerAward is an eligible volunteer in the award report.
type VolunteerAward struct {
	registry.VolunteerRef
	VolunteerTotals
}

// TeamAward is an eligible team in the award report.
type TeamAward struct {
	registry.TeamRef
	TeamTotals
}

// AwardReport lists the volunteers and teams eligible for the period's awards, with the
// figures that made them eligible, and how many were considered.
type AwardReport struct {
	From, To             time.Time // [From, To) in UTC
	Volunteers           []VolunteerAward
	Teams                []TeamAward
	VolunteersConsidered int // volunteers with approved hours in the period and scope
	TeamsConsidered      int // teams in scope
}

// Awards computes the award-eligibility report for the shifts inside scope that start in
// [from, to) (a shift belongs to the period of its start, as in the shift list). Only approved hours of registered volunteers count (walk-ins have no
// identity). A volunteer's activities are the distinct shifts with approved hours; a team's
// activities are its distinct shifts with approved hours; a team's registered volunteers are
// its approved members now; its hours per volunteer are its approved minutes over them. The
// rules themselves are VolunteerTotals.Eligible and TeamTotals.Eligible. Two grouped queries
// over the period's hours, then the registry's names for the eligible ones.
func (v *Volunteering) Awards(ctx context.Context, scope region.Scope, from, to time.Time) (AwardReport, error) {
	rep := AwardReport{From: from.UTC(), To: to.UTC()}
	cond, args := scope.Where("s.region_code", 3)
	args = append([]any{rep.From, rep.To}, args...)
	// CROSS JOIN keeps SQLite's join order: the period's shifts first (index on region and start),
	// then their hours from the covering index (shift_id, status, volunteer_id, minutes); without
	// it SQLite scanned every year's hours for the team totals. PostgreSQL plans it as an inner join.
	base := ` FROM volunteer_shifts s CROSS JOIN volunteer_hours h
		WHERE h.shift_id = s.id AND h.status = 'approved' AND h.volunteer_id IS NOT NULL AND s.starts_at >= $1 AND s.starts_at < $2 AND ` + cond
	rows, err := v.db().QueryContext(ctx, `SELECT h.volunteer_id, count(DISTINCT h.shift_id), SUM(h.minutes)`+base+` GROUP BY h.volunteer_id`, args...)
	if err != nil {
		return rep, fmt.Errorf("activity.Awards: %w", db.Map(err))
	}
	totals := map[int64]VolunteerTotals{}
	var eligible []int64
	for rows.Next() {
		var id int64
		var t VolunteerTotals
		if err := rows.Scan(&id, &t.Activities, &t.Minutes); err != nil {
			rows.Close()
			return rep, db.Map(err)
		}
		rep.VolunteersConsidered++
		if t.Eligible() {
			totals[id] = t
			eligible = append(eligible, id)
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return rep, db.Map(err)
	}
	if len(eligible) > 0 {
		people, err := v.Registry.VolunteersByID(ctx, eligible)
		if err != nil {
			return rep, err
		}
		for _, id := range eligible {
			p, ok := people[id]
			if !ok {
				p = registry.VolunteerRef{ID: id, Name: fmt.Sprintf("#%d", id)}
			}
			rep.Volunteers = append(rep.Volunteers, VolunteerAward{VolunteerRef: p, VolunteerTotals: totals[id]})
		}
	}
	sort.Slice(rep.Volunteers, func(i, j int) bool {
		a, b := rep.Volunteers[i], rep.Volunteers[j]
		if a.Minutes != b.Minutes {
			return a.Minutes > b.Minutes
		}
		return a.ID < b.ID
	})

	rows, err = v.db().QueryContext(ctx, `SELECT s.team_id, count(DISTINCT s.id), SUM(h.minutes)`+base+` GROUP BY s.team_id`, args...)
	if err != nil {
		return rep, fmt.Errorf("activity.Awards: %w", db.Map(err))
	}
	teamTotals := map[int64]TeamTotals{}
	for rows.Next() {
		var id int64
		var t TeamTotals
		if err := rows.Scan(&id, &t.Activities, &t.Minutes); err != nil {
			rows.Close()
			return rep, db.Map(err)
		}
		teamTotals[id] = t
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return rep, db.Map(err)
	}
	teams, err := v.Registry.VolunteerTeamsIn(ctx, scope)
	if err != nil {
		return rep, err
	}
	rep.TeamsConsidered = len(teams)
	for _, t := range teams {
		tt := teamTotals[t.ID]
		tt.Volunteers = t.Members
		if tt.Eligible() {
			rep.Teams = append(rep.Teams, TeamAward{TeamRef: t, TeamTotals: tt})
		}
	}
	sort.Slice(rep.Teams, func(i, j int) bool {
		a, b := rep.Teams[i], rep.Teams[j]
		if a.Minutes != b.Minutes {
			return a.Minutes > b.Minutes
		}
		return a.ID < b.ID
	})
	return rep, nil
}

// HoursText shows minutes as hours and minutes in Chinese: 90 → "1 小时 30 分", 120 → "2 小时".
func HoursText(minutes int64) string {
	h, m := minutes/60, minutes%60
	switch {
	case m == 0:
		return fmt.Sprintf("%d 小时", h)
	case h == 0:
		return fmt.Sprintf("%d 分", m)
	}
	return fmt.Sprintf("%d 小时 %d 分", h, m)
}

// volSpan shows an interval in China: "2026-05-30 09:00–17:00", with the end's date
// when it differs.
func volSpan(start, end time.Time) string {
	s, e := start.In(China), end.In(China)
	if s.Format("20060102") == e.Format("20060102") {
		return s.Format("2006-01-02 15:04") + "–" + e.Format("15:04")
	}
	return s.Format("2006-01-02 15:04") + "–" + e.Format("2006-01-02 15:04")
}

// When is the shift's scheduled time in China Standard Time.
func (s Shift) When() string { return volSpan(s.StartsAt, s.EndsAt) }

// ApprovedText is the shift's approved time of registered volunteers, in hours and minutes.
func (s Shift) ApprovedText() string { return HoursText(s.Approved) }

// Served is the recorded interval in China Standard Time, or "" before recording.
func (h Hours) Served() string {
	if h.StartsAt == nil || h.EndsAt == nil {
		return ""
	}
	return volSpan(*h.StartsAt, *h.EndsAt)
}

// MinutesText is the recorded time in hours and minutes.
func (h Hours) MinutesText() string { return HoursText(h.Minutes) }

// HoursText is the approved time in hours and minutes.
func (v VolunteerTotals) HoursText() string { return HoursText(v.Minutes) }

// HoursText is the approved time in hours and minutes.
func (t TeamTotals) HoursText() string { return HoursText(t.Minutes) }

// PerHeadText is the approved time per registered volunteer, in hours with one decimal.
func (t TeamTotals) PerHeadText() string {
	return fmt.Sprintf("%.1f 小时", t.MinutesPerVolunteer()/60)
}
