package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// The five requirements of a science e-station ("五有": network, staff, venue, activities,
// terminal), each carried by an application with its evidence. Source: GLOSSARY.
var EStationRequirements = []struct{ Key, Label string }{
	{"req_network", "有网络"}, {"req_staff", "有人员"}, {"req_venue", "有场所"}, {"req_activities", "有活动"}, {"req_terminal", "有终端"},
}

// Application statuses: submitted (waiting for the banner), reviewed (banner passed it,
// waiting for the league), rejected (by either, with a reason), accredited (plaque issued).
const (
	AppSubmitted  = "submitted"
	AppReviewed   = "reviewed"
	AppRejected   = "rejected"
	AppAccredited = "accredited"
)

// Application is an e-station accreditation application with its steps.
type Application struct {
	ID           int64
	RegionCode   string
	RegionName   string
	Name         string
	SiteType     string
	ContactName  string
	ContactPhone string // masked when listed
	Requirements map[string]string
	Status       string
	Reason       string
	PreviousID   *int64
	StationID    *int64
	PlaqueNo     string
	SubmittedAt  time.Time
	SubmittedBy  int64
	Steps        []Step
}

// Step is one recorded step: who decided what, when.
type Step struct {
	Step        string // submit, review, publish
	Decision    string // submitted, pass, reject
	Note        string
	InspectedOn string
	At          time.Time
	AccountID   int64
}

// ApplicationInput is what a unit submits.
type ApplicationInput struct {
	RegionCode, Name, SiteType, ContactName, ContactPhone string
	Requirements                                          map[string]string
	PreviousID                                            int64 // the rejected application this one answers, or 0
}

// Validate checks an application; errors are per field, in Chinese.
func (in *ApplicationInput) Validate() ValidationError {
	errs := ValidationError{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len([]rune(in.Name)) > 80 {
		errs["name"] = "请填写站点名称（最多 80 字）"
	}
	if code, err := region.Normalize(in.RegionCode); err != nil {
		errs[RegionKey] = "区划代码应为 9 或 12 位数字"
	} else {
		in.RegionCode = code
	}
	if in.SiteType != "village" && in.SiteType != "community" && in.SiteType != "school" {
		errs["site_type"] = "请选择类型"
	}
	if strings.TrimSpace(in.ContactName) == "" {
		errs["contact_name"] = "请填写联系人"
	}
	if p := strings.TrimSpace(in.ContactPhone); len(p) != 11 || p[0] != '1' || strings.Trim(p, "0123456789") != "" {
		errs["contact_phone"] = "手机号应为 1 开头的 11 位数字"
	}
	for _, r := range EStationRequirements {
		v := strings.TrimSpace(in.Requirements[r.Key])
		switch {
		case v == "":
			errs[r.Key] = r.Label + "：请写明依据（如宽带接入方式、管理员姓名、场所面积、近期活动、终端型号）"
		case len([]rune(v)) > 500:
			errs[r.Key] = "最多 500 字"
		}
		in.Requirements[r.Key] = v
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Workflow errors.
var (
	ErrWrongStep = errors.New("申请不在这一步，无法办理")
	ErrNotYours  = errors.New("这一步应由上级科协办理")
	ErrNoReason  = errors.New("不通过时请填写理由")
	// ErrSameAccount: the league's re-check must be made by someone other than the reviewer.
	ErrSameAccount = errors.New("复核须由审核人以外的人员办理")
	ErrNoteTooLong = fmt.Errorf("意见最多 %d 字", MaxNote)
)

// MaxNote is the longest remark or refusal reason kept (runes).
const MaxNote = 500

// Submit records an application by a unit inside scope (the township operator or anyone above
// it), with a step "submit". Answering a rejected application names it as PreviousID.
func (s *Store) Submit(ctx context.Context, scope region.Scope, actor int64, in ApplicationInput) (int64, error) {
	if errs := in.Validate(); errs != nil {
		return 0, errs
	}
	u, err := s.Regions.Get(ctx, in.RegionCode)
	if err != nil {
		return 0, ValidationError{RegionKey: "区划代码 " + in.RegionCode + " 不存在"}
	}
	if msg := regionProblem(&EStations, scope, u.Code, u.Level); msg != "" {
		return 0, ValidationError{RegionKey: msg}
	}
	var prev any
	if in.PreviousID != 0 {
		old, err := s.Application(ctx, scope, in.PreviousID)
		if err != nil {
			return 0, err
		}
		if old.Status != AppRejected {
			return 0, ValidationError{"previous_id": "只能对未通过的申请重新申请"}
		}
		var answered int64
		if err := s.DB.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM estation_applications WHERE previous_id = $1`, in.PreviousID).Scan(&answered); err != nil {
			return 0, db.Map(err)
		}
		if answered != 0 {
			return 0, ValidationError{"previous_id": fmt.Sprintf("申请 #%d 已重新申请过（#%d）", in.PreviousID, answered)}
		}
		prev = in.PreviousID
	}
	var open, stations int
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM estation_applications WHERE region_code = $1 AND name = $2 AND status IN ('submitted', 'reviewed')`,
		u.Code, in.Name).Scan(&open); err != nil {
		return 0, db.Map(err)
	}
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM science_estations WHERE region_code = $1 AND name = $2 AND deleted_at IS NULL`,
		u.Code, in.Name).Scan(&stations); err != nil {
		return 0, db.Map(err)
	}
	switch {
	case open > 0:
		return 0, ValidationError{"name": "该站点已有一份正在办理的申请"}
	case stations > 0:
		return 0, ValidationError{"name": "该区划下已有同名的科普e站"}
	}
	now := s.now()
	var id int64
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r := in.Requirements
		err := tx.QueryRowContext(ctx, `INSERT INTO estation_applications (region_code, name, site_type, contact_name, contact_phone,
			req_network, req_staff, req_venue, req_activities, req_terminal, status, previous_id, submitted_at, submitted_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'submitted', $11, $12, $13) RETURNING id`,
			u.Code, in.Name, in.SiteType, strings.TrimSpace(in.ContactName), strings.TrimSpace(in.ContactPhone),
			r["req_network"], r["req_staff"], r["req_venue"], r["req_activities"], r["req_terminal"], prev, now, nullID(actor)).Scan(&id)
		if err != nil {
			return db.Map(err)
		}
		return addStep(ctx, tx, id, "submit", "submitted", "", "", now, actor)
	})
	return id, err
}

func addStep(ctx context.Context, tx *sql.Tx, id int64, step, decision, note, inspected string, at time.Time, actor int64) error {
	var insp any
	if inspected != "" {
		insp = inspected
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO estation_application_steps (application_id, step, decision, note, inspected_on, at, account_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, step, decision, note, insp, at, nullID(actor))
	return db.Map(err)
}

const appCols = `id, region_code, name, site_type, contact_name, contact_phone, req_network, req_staff, req_venue, req_activities, req_terminal,
	status, reason, previous_id, station_id, COALESCE(plaque_no, ''), submitted_at, COALESCE(submitted_by, 0)`

func scanApp(row interface{ Scan(...any) error }) (Application, error) {
	var a Application
	var prev, station sql.NullInt64
	r := make([]string, 5)
	err := row.Scan(&a.ID, &a.RegionCode, &a.Name, &a.SiteType, &a.ContactName, &a.ContactPhone, &r[0], &r[1], &r[2], &r[3], &r[4],
		&a.Status, &a.Reason, &prev, &station, &a.PlaqueNo, &a.SubmittedAt, &a.SubmittedBy)
	if err != nil {
		return a, err
	}
	a.Requirements = map[string]string{}
	for i, req := range EStationRequirements {
		a.Requirements[req.Key] = r[i]
	}
	if prev.Valid {
		a.PreviousID = &prev.Int64
	}
	if station.Valid {
		a.StationID = &station.Int64
	}
	return a, nil
}

// Application returns an application in scope with its steps.
func (s *Store) Application(ctx context.Context, scope region.Scope, id int64) (Application, error) {
	cond, args := scope.Where("region_code", 2)
	a, err := scanApp(s.DB.QueryRowContext(ctx, `SELECT `+appCols+` FROM estation_applications WHERE id = $1 AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return a, fmt.Errorf("application %d: %w", id, db.Map(err))
	}
	if names, err := s.Regions.Names(ctx, []string{a.RegionCode}); err == nil {
		a.RegionName = names[a.RegionCode]
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT step, decision, note, COALESCE(inspected_on, ''), at, COALESCE(account_id, 0) FROM estation_application_steps WHERE application_id = $1 ORDER BY id`, id)
	if err != nil {
		return a, db.Map(err)
	}
	defer rows.Close()
	for rows.Next() {
		var st Step
		if err := rows.Scan(&st.Step, &st.Decision, &st.Note, &st.InspectedOn, &st.At, &st.AccountID); err != nil {
			return a, err
		}
		a.Steps = append(a.Steps, st)
	}
	return a, rows.Err()
}

// Applications lists the applications in scope, newest first, optionally of one status.
func (s *Store) Applications(ctx context.Context, scope region.Scope, status string, limit int) ([]Application, error) {
	cond, args := scope.Where("region_code", 1)
	if status != "" {
		args = append(args, status)
		cond += fmt.Sprintf(" AND status = $%d", len(args))
	}
	args = append(args, limit)
	rows, err := s.DB.QueryContext(ctx, `SELECT `+appCols+` FROM estation_applications WHERE `+cond+fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, db.Map(err)
	}
	defer rows.Close()
	var out []Application
	var codes []string
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		codes = append(codes, a.RegionCode)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, _ := s.Regions.Names(ctx, codes)
	for i := range out {
		out[i].RegionName = names[out[i].RegionCode]
	}
	return out, nil
}

// Decider says whether an account may take a step for a unit: the banner review needs a role
// of banner level or above over the unit, the league publication one of league level or above.
type Decider interface {
	Holds(maxLevel region.Level, code string) bool
	Scope() region.Scope
}

// Review records the banner association's review and on-site inspection: pass (the application
// goes to the league) or reject with a reason. inspectedOn is the inspection date (2006-01-02).
func (s *Store) Review(ctx context.Context, who Decider, actor, id int64, pass bool, inspectedOn, note string) error {
	return s.decide(ctx, who, actor, id, "review", AppSubmitted, region.LevelBanner, pass, inspectedOn, note, func(tx *sql.Tx, a Application, now time.Time) error {
		_, err := tx.ExecContext(ctx, `UPDATE estation_applications SET status = 'reviewed' WHERE id = $1`, id)
		return db.Map(err)
	})
}

// Publish records the league's re-check: pass publishes the station — a plaque number is
// issued (prefix-year-sequence, e.g. NMKX-E-2026-00017) and the station is registered — or
// reject with a reason.
func (s *Store) Publish(ctx context.Context, who Decider, actor, id int64, pass bool, note, plaquePrefix string) error {
	return s.decide(ctx, who, actor, id, "publish", AppReviewed, region.LevelLeague, pass, "", note, func(tx *sql.Tx, a Application, now time.Time) error {
		if s.DB.Dialect == db.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7243193)`); err != nil { // one plaque sequence at a time
				return err
			}
		}
		day := now.In(China) // the accreditation's date and the plaque's year are China's
		year := day.Format("2006")
		prefix := fmt.Sprintf("%s-%s-", plaquePrefix, year)
		// The next number after the highest of the year (zero-padded, so the text order is the
		// number order); numbers typed in by hand do not make it collide.
		var last sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT MAX(plaque_no) FROM science_estations WHERE plaque_no LIKE $1 AND length(plaque_no) = $2`,
			prefix+"%", len(prefix)+5).Scan(&last); err != nil {
			return db.Map(err)
		}
		n := 0
		if last.Valid {
			fmt.Sscanf(strings.TrimPrefix(last.String, prefix), "%d", &n)
		}
		plaque := fmt.Sprintf("%s%05d", prefix, n+1)
		var station int64
		err := tx.QueryRowContext(ctx, `INSERT INTO science_estations (region_code, name, site_type, plaque_no, accredited_on, status, created_at, updated_at, created_by, updated_by)
			VALUES ($1, $2, $3, $4, $5, 'accredited', $6, $6, $7, $7) RETURNING id`, a.RegionCode, a.Name, a.SiteType, plaque, day.Format("2006-01-02"), now, nullID(actor)).Scan(&station)
		if err != nil {
			if errors.Is(db.Map(err), db.ErrConflict) {
				return ValidationError{"name": "该区划下已有同名的科普e站"}
			}
			return db.Map(err)
		}
		if err := s.stockAdded(ctx, tx, &EStations, "id = $1", station); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, &EStations, station, now, actor, "create", []Change{{Field: "plaque_no", Label: "牌匾编号", To: plaque}}); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE estation_applications SET status = 'accredited', station_id = $1, plaque_no = $2 WHERE id = $3`, station, plaque, id)
		return db.Map(err)
	})
}

// decide runs one step: the application must be at status want and in the decider's scope,
// and the decider must hold a role of level or above over its unit.
func (s *Store) decide(ctx context.Context, who Decider, actor, id int64, step, want string, level region.Level, pass bool, inspectedOn, note string,
	onPass func(tx *sql.Tx, a Application, now time.Time) error) error {
	note = strings.TrimSpace(note)
	if !pass && note == "" {
		return ErrNoReason
	}
	if len([]rune(note)) > MaxNote {
		return ErrNoteTooLong
	}
	if inspectedOn != "" {
		if _, err := time.Parse("2006-01-02", inspectedOn); err != nil {
			return ValidationError{"inspected_on": "实地核查日期应为 2026-06-30 这样的日期"}
		}
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		cond, args := who.Scope().Where("region_code", 2)
		a, err := scanApp(tx.QueryRowContext(ctx, `SELECT `+appCols+` FROM estation_applications WHERE id = $1 AND `+cond+s.DB.Dialect.ForUpdate(), append([]any{id}, args...)...))
		if err != nil {
			return fmt.Errorf("application %d: %w", id, db.Map(err))
		}
		if a.Status != want {
			return ErrWrongStep
		}
		if !who.Holds(level, a.RegionCode) {
			return ErrNotYours
		}
		if step == "publish" && actor != 0 {
			var reviewer int64
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(account_id), 0) FROM estation_application_steps WHERE application_id = $1 AND step = 'review'`, id).Scan(&reviewer); err != nil {
				return db.Map(err)
			}
			if reviewer == actor {
				return ErrSameAccount
			}
		}
		if pass {
			if err := onPass(tx, a, now); err != nil {
				return err
			}
			return addStep(ctx, tx, id, step, "pass", note, inspectedOn, now, actor)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE estation_applications SET status = 'rejected', reason = $1 WHERE id = $2`, note, id); err != nil {
			return db.Map(err)
		}
		return addStep(ctx, tx, id, step, "reject", note, inspectedOn, now, actor)
	})
}
