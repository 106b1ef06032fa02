package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/mask"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
)

// Volunteer team rules. Sources: GLOSSARY ("a volunteer may belong to at most 5 teams") and
// issue 3 (joining needs the team's approval; one admin per 100 members, at most 5).
const (
	MaxTeamsPerVolunteer = 5
	MembersPerAdmin      = 100
	MaxAdminsPerTeam     = 5
)

// Membership statuses.
const (
	MemberPending  = "pending"
	MemberApproved = "approved"
	MemberRejected = "rejected"
	MemberLeft     = "left"
)

// Membership is a volunteer's membership of a team.
type Membership struct {
	ID             int64
	VolunteerID    int64
	VolunteerName  string
	VolunteerPhone string // masked
	TeamID         int64
	TeamName       string
	Status         string
	Admin          bool
	RequestedAt    time.Time
	DecidedAt      *time.Time
	Reason         string
}

// Membership errors, with messages in Chinese for pages and imports.
var (
	ErrTooManyTeams  = fmt.Errorf("一名志愿者最多加入 %d 支服务队", MaxTeamsPerVolunteer)
	ErrAlreadyMember = errors.New("已在该服务队中或正在等待审批")
	ErrTooManyAdmins = fmt.Errorf("管理员已达上限（每 %d 名成员 1 名，最多 %d 名）", MembersPerAdmin, MaxAdminsPerTeam)
	ErrNotPending    = errors.New("该申请已处理")
	ErrNotMember     = errors.New("只有已加入的成员才能设为管理员")
)

// AdminLimit is how many admins a team of n approved members may have.
func AdminLimit(members int) int {
	return min(MaxAdminsPerTeam, max(1, (members+MembersPerAdmin-1)/MembersPerAdmin))
}

// Join asks for a volunteer to join a team (status pending) on behalf of actor. The team must
// lie in scope; the volunteer may live anywhere. A volunteer in MaxTeamsPerVolunteer teams
// (approved or pending) cannot ask for another.
func (s *Store) Join(ctx context.Context, scope region.Scope, actor, volunteerID, teamID int64) (int64, error) {
	team, err := s.Get(ctx, &VolunteerTeams, scope, teamID)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockVolunteer(ctx, tx, volunteerID); err != nil {
			return err
		}
		var dup int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM volunteer_memberships WHERE volunteer_id = $1 AND team_id = $2 AND status IN ('pending', 'approved')`,
			volunteerID, teamID).Scan(&dup); err != nil {
			return db.Map(err)
		}
		if dup > 0 {
			return ErrAlreadyMember
		}
		n, err := activeTeams(ctx, tx, volunteerID)
		if err != nil {
			return err
		}
		if n >= MaxTeamsPerVolunteer {
			return ErrTooManyTeams
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO volunteer_memberships (volunteer_id, team_id, region_code, status, requested_at, requested_by)
			VALUES ($1, $2, $3, 'pending', $4, $5) RETURNING id`, volunteerID, teamID, team.Region(), s.now(), nullID(actor)).Scan(&id)
		if errors.Is(db.Map(err), db.ErrConflict) {
			return ErrAlreadyMember
		}
		if err != nil {
			return db.Map(err)
		}
		return s.auditMember(ctx, tx, volunteerID, teamID, actor, "join", "")
	})
	return id, err
}

// auditMember writes a membership event into the history of both the team and the volunteer.
func (s *Store) auditMember(ctx context.Context, tx *sql.Tx, volunteerID, teamID, actor int64, action, note string) error {
	var vname, tname string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM volunteers WHERE id = $1`, volunteerID).Scan(&vname); err != nil {
		return db.Map(err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT name FROM volunteer_teams WHERE id = $1`, teamID).Scan(&tname); err != nil {
		return db.Map(err)
	}
	now := s.now()
	if err := s.audit(ctx, tx, &VolunteerTeams, teamID, now, actor, "member_"+action, []Change{{Field: "volunteer", Label: vname, To: note}}); err != nil {
		return err
	}
	return s.audit(ctx, tx, &Volunteers, volunteerID, now, actor, "member_"+action, []Change{{Field: "team", Label: tname, To: note}})
}

// lockVolunteer takes the volunteer's row lock (PostgreSQL) so that two requests cannot both
// pass the team limit; it fails with db.ErrNotFound for an unknown volunteer.
func (s *Store) lockVolunteer(ctx context.Context, tx *sql.Tx, volunteerID int64) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM volunteers WHERE id = $1 AND deleted_at IS NULL`+s.DB.Dialect.ForUpdate(), volunteerID).Scan(&one)
	if err != nil {
		return fmt.Errorf("volunteer %d: %w", volunteerID, db.Map(err))
	}
	return nil
}

func activeTeams(ctx context.Context, tx *sql.Tx, volunteerID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM volunteer_memberships WHERE volunteer_id = $1 AND status IN ('pending', 'approved')`, volunteerID).Scan(&n)
	return n, db.Map(err)
}

// membershipInScope loads a membership whose team lies in scope.
func (s *Store) membershipInScope(ctx context.Context, ex interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, scope region.Scope, id int64, lock bool) (Membership, error) {
	cond, args := scope.Where("region_code", 2)
	q := `SELECT id, volunteer_id, team_id, status, is_admin FROM volunteer_memberships WHERE id = $1 AND ` + cond
	if lock {
		q += s.DB.Dialect.ForUpdate()
	}
	var m Membership
	err := ex.QueryRowContext(ctx, q, append([]any{id}, args...)...).Scan(&m.ID, &m.VolunteerID, &m.TeamID, &m.Status, &m.Admin)
	if err != nil {
		return m, fmt.Errorf("membership %d: %w", id, db.Map(err))
	}
	return m, nil
}

// Decide approves or refuses a pending membership; a refusal carries a reason.
func (s *Store) Decide(ctx context.Context, scope region.Scope, actor, id int64, approve bool, reason string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		m, err := s.membershipInScope(ctx, tx, scope, id, true)
		if err != nil {
			return err
		}
		if m.Status != MemberPending {
			return ErrNotPending
		}
		status := MemberRejected
		if approve {
			status = MemberApproved
			reason = ""
		} else if strings.TrimSpace(reason) == "" {
			return errors.New("拒绝时请填写理由")
		} else if len([]rune(reason)) > MaxNote {
			return ErrNoteTooLong
		}
		if _, err = tx.ExecContext(ctx, `UPDATE volunteer_memberships SET status = $1, decided_at = $2, decided_by = $3, reason = $4 WHERE id = $5`,
			status, s.now(), nullID(actor), strings.TrimSpace(reason), id); err != nil {
			return db.Map(err)
		}
		action := "reject"
		if approve {
			action = "approve"
		}
		return s.auditMember(ctx, tx, m.VolunteerID, m.TeamID, actor, action, strings.TrimSpace(reason))
	})
}

// SetAdmin makes an approved member a team admin or not; the team may have AdminLimit(members).
func (s *Store) SetAdmin(ctx context.Context, scope region.Scope, actor, id int64, admin bool) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		m, err := s.membershipInScope(ctx, tx, scope, id, true)
		if err != nil {
			return err
		}
		if m.Status != MemberApproved {
			return ErrNotMember
		}
		if admin && !m.Admin {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM volunteer_teams WHERE id = $1`+s.DB.Dialect.ForUpdate(), m.TeamID).Scan(&one); err != nil {
				return db.Map(err)
			}
			var members, admins int
			if err := tx.QueryRowContext(ctx, `SELECT count(*), COALESCE(SUM(CASE WHEN is_admin THEN 1 ELSE 0 END), 0) FROM volunteer_memberships
				WHERE team_id = $1 AND status = 'approved'`, m.TeamID).Scan(&members, &admins); err != nil {
				return db.Map(err)
			}
			if admins >= AdminLimit(members) {
				return ErrTooManyAdmins
			}
		}
		if _, err = tx.ExecContext(ctx, `UPDATE volunteer_memberships SET is_admin = $1, decided_at = $2, decided_by = $3 WHERE id = $4`, admin, s.now(), nullID(actor), id); err != nil {
			return db.Map(err)
		}
		action := "unadmin"
		if admin {
			action = "admin"
		}
		return s.auditMember(ctx, tx, m.VolunteerID, m.TeamID, actor, action, "")
	})
}

// Leave ends an approved or pending membership.
func (s *Store) Leave(ctx context.Context, scope region.Scope, actor, id int64) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		m, err := s.membershipInScope(ctx, tx, scope, id, true)
		if err != nil {
			return err
		}
		if m.Status != MemberApproved && m.Status != MemberPending {
			return ErrNotPending
		}
		if _, err = tx.ExecContext(ctx, `UPDATE volunteer_memberships SET status = 'left', is_admin = FALSE, decided_at = $1, decided_by = $2 WHERE id = $3`, s.now(), nullID(actor), id); err != nil {
			return db.Map(err)
		}
		return s.auditMember(ctx, tx, m.VolunteerID, m.TeamID, actor, "leave", "")
	})
}

// memberships lists memberships by a condition on m (volunteer_id or team_id), newest first.
func (s *Store) memberships(ctx context.Context, where string, arg any) ([]Membership, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT m.id, m.volunteer_id, v.name, v.phone, m.team_id, t.name, m.status, m.is_admin, m.requested_at, m.decided_at, m.reason
		FROM volunteer_memberships m JOIN volunteers v ON v.id = m.volunteer_id JOIN volunteer_teams t ON t.id = m.team_id
		WHERE `+where+` ORDER BY CASE m.status WHEN 'pending' THEN 0 WHEN 'approved' THEN 1 ELSE 2 END, m.is_admin DESC, m.id`, arg)
	if err != nil {
		return nil, db.Map(err)
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		var decided sql.NullTime
		if err := rows.Scan(&m.ID, &m.VolunteerID, &m.VolunteerName, &m.VolunteerPhone, &m.TeamID, &m.TeamName, &m.Status, &m.Admin, &m.RequestedAt, &decided, &m.Reason); err != nil {
			return nil, err
		}
		m.VolunteerPhone = mask.Phone(m.VolunteerPhone)
		if decided.Valid {
			m.DecidedAt = &decided.Time
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Members lists a team's memberships (pending first); the team must lie in scope.
func (s *Store) Members(ctx context.Context, scope region.Scope, teamID int64) ([]Membership, error) {
	if _, err := s.Get(ctx, &VolunteerTeams, scope, teamID); err != nil {
		return nil, err
	}
	return s.memberships(ctx, "m.team_id = $1", teamID)
}

// TeamsOf lists a volunteer's memberships; the volunteer must lie in scope.
func (s *Store) TeamsOf(ctx context.Context, scope region.Scope, volunteerID int64) ([]Membership, error) {
	if _, err := s.Get(ctx, &Volunteers, scope, volunteerID); err != nil {
		return nil, err
	}
	return s.memberships(ctx, "m.volunteer_id = $1", volunteerID)
}

// MembershipSchema is the sheet of a membership import: one row per volunteer and team.
var MembershipSchema = sheet.Schema{Name: "志愿服务队成员", Columns: []sheet.Column{
	{Key: "phone", Header: "志愿者手机号", Aliases: []string{"手机号", "手机"}, Kind: sheet.Code, Required: true, MaxLen: 11, Example: "13812345678"},
	{Key: "team", Header: "志愿服务队", Aliases: []string{"服务队", "所属服务队"}, Kind: sheet.Text, Required: true, MaxLen: 80, Example: "锡林浩特市科技志愿服务队"},
	{Key: "admin", Header: "是否管理员", Kind: sheet.Bool, Example: "否"},
}}

// ImportMemberships reads a sheet of (volunteer phone, team name, admin?) rows and records
// each as an approved membership (the importing staff approve them), all or nothing. Rows
// that are already approved memberships change nothing. It refuses unknown volunteers and
// teams, teams outside scope, a volunteer's 6th team (counting the teams already joined), and
// more admins than a team's size allows.
func (s *Store) ImportMemberships(ctx context.Context, scope region.Scope, actor int64, r io.Reader, maxBytes int64) (ImportResult, error) {
	var res ImportResult
	type row struct {
		row   int
		phone string
		team  string
		admin bool
	}
	var rows []row
	seen := map[string]int{}
	read, err := sheet.Read(r, MembershipSchema, maxBytes, func(rec *sheet.Record) error {
		if rec.Failed() {
			return nil
		}
		key := rec.Str("phone") + "\x00" + rec.Str("team")
		if first, dup := seen[key]; dup {
			rec.Fail("team", "与第 %d 行重复", first)
			return nil
		}
		seen[key] = rec.Row
		admin, _ := rec.Bool("admin")
		rows = append(rows, row{rec.Row, rec.Str("phone"), rec.Str("team"), admin})
		return nil
	})
	if err != nil {
		return res, err
	}
	res.Rows, res.Errors, res.More = read.Rows, read.Errors, read.More
	if len(res.Errors) > 0 {
		return res, nil
	}
	teams, err := s.teamIDs(ctx, scope)
	if err != nil {
		return res, err
	}
	fail := func(r row, col, msg string) {
		res.Errors = append(res.Errors, sheet.Error{Row: r.row, Column: col, Msg: msg})
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		newAdmins := map[int64]string{} // team id → name, for teams given admins by this file
		for _, r := range rows {
			t, ok := teams[r.team]
			switch {
			case !ok:
				fail(r, "志愿服务队", fmt.Sprintf("您的管理范围内没有名为“%s”的科技志愿服务队", r.team))
				continue
			case t.count > 1:
				fail(r, "志愿服务队", fmt.Sprintf("您的管理范围内有 %d 个名为“%s”的服务队", t.count, r.team))
				continue
			}
			var vid int64
			if err := tx.QueryRowContext(ctx, `SELECT id FROM volunteers WHERE phone = $1 AND deleted_at IS NULL`, r.phone).Scan(&vid); err != nil {
				if errors.Is(db.Map(err), db.ErrNotFound) {
					fail(r, "志愿者手机号", "没有以此手机号登记的科技志愿者")
					continue
				}
				return err
			}
			var status string
			var isAdmin bool
			err := tx.QueryRowContext(ctx, `SELECT status, is_admin FROM volunteer_memberships WHERE volunteer_id = $1 AND team_id = $2 AND status IN ('pending', 'approved')`, vid, t.id).Scan(&status, &isAdmin)
			switch {
			case err == nil && status == MemberApproved && isAdmin == r.admin:
				res.Unchanged++
				continue
			case err == nil:
				if _, err := tx.ExecContext(ctx, `UPDATE volunteer_memberships SET status = 'approved', is_admin = $1, decided_at = $2, decided_by = $3
					WHERE volunteer_id = $4 AND team_id = $5 AND status IN ('pending', 'approved')`, r.admin, now, nullID(actor), vid, t.id); err != nil {
					return db.Map(err)
				}
				res.Updated++
			case errors.Is(db.Map(err), db.ErrNotFound):
				n, err := activeTeams(ctx, tx, vid)
				if err != nil {
					return err
				}
				if n+1 > MaxTeamsPerVolunteer {
					fail(r, "志愿服务队", fmt.Sprintf("该志愿者已在 %d 支服务队中，一名志愿者最多加入 %d 支", n, MaxTeamsPerVolunteer))
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO volunteer_memberships (volunteer_id, team_id, region_code, status, is_admin, requested_at, requested_by, decided_at, decided_by)
					VALUES ($1, $2, $3, 'approved', $4, $5, $6, $5, $6)`, vid, t.id, t.region, r.admin, now, nullID(actor)); err != nil {
					return db.Map(err)
				}
				res.Created++
			default:
				return err
			}
			if r.admin {
				newAdmins[t.id] = r.team
			}
		}
		for teamID, teamName := range newAdmins {
			var members, admins int
			if err := tx.QueryRowContext(ctx, `SELECT count(*), COALESCE(SUM(CASE WHEN is_admin THEN 1 ELSE 0 END), 0) FROM volunteer_memberships WHERE team_id = $1 AND status = 'approved'`,
				teamID).Scan(&members, &admins); err != nil {
				return db.Map(err)
			}
			if admins > AdminLimit(members) {
				res.Errors = append(res.Errors, sheet.Error{Msg: fmt.Sprintf("服务队“%s”将有 %d 名管理员，按 %d 名成员最多 %d 名", teamName, admins, members, AdminLimit(members))})
			}
		}
		if len(res.Errors) > 0 {
			return errImportRejected
		}
		return nil
	})
	if err == errImportRejected {
		res.Created, res.Updated, res.Unchanged = 0, 0, 0
		return res, nil
	}
	return res, err
}

type teamRef struct {
	id     int64
	region string
	count  int
}

// teamIDs maps the names of the live volunteer teams in scope to their ids.
func (s *Store) teamIDs(ctx context.Context, scope region.Scope) (map[string]teamRef, error) {
	cond, args := scope.Where("region_code", 1)
	rows, err := s.DB.QueryContext(ctx, `SELECT id, name, region_code FROM volunteer_teams WHERE deleted_at IS NULL AND `+cond, args...)
	if err != nil {
		return nil, db.Map(err)
	}
	defer rows.Close()
	out := map[string]teamRef{}
	for rows.Next() {
		var t teamRef
		var name string
		if err := rows.Scan(&t.id, &name, &t.region); err != nil {
			return nil, err
		}
		t.count = out[name].count + 1
		out[name] = t
	}
	return out, rows.Err()
}

// VolunteerByPhone returns the id of the live volunteer with this phone number (full-width
// digits accepted) among those in scope. A volunteer outside the scope is not found, so that
// trying numbers reveals no one's name.
func (s *Store) VolunteerByPhone(ctx context.Context, scope region.Scope, phone string) (int64, error) {
	col, _ := Volunteers.Field("phone")
	v, msg := col.Column.Parse(phone, false)
	if msg != "" || v == nil {
		return 0, fmt.Errorf("volunteer phone %q: %w", phone, db.ErrNotFound)
	}
	cond, args := scope.Where("region_code", 2)
	var id int64
	err := s.DB.QueryRowContext(ctx, `SELECT id FROM volunteers WHERE phone = $1 AND deleted_at IS NULL AND `+cond, append([]any{v}, args...)...).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("volunteer %s: %w", mask.Phone(v.(string)), db.Map(err))
	}
	return id, nil
}

// MembershipTeam returns the team of a membership in scope (for redirects after an action).
func (s *Store) MembershipTeam(ctx context.Context, scope region.Scope, id int64) (int64, error) {
	m, err := s.membershipInScope(ctx, s.DB, scope, id, false)
	return m.TeamID, err
}
