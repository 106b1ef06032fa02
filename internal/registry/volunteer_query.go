package registry

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/mask"
	"github.com/kepu/kepu/internal/region"
)

// Small read-only queries of volunteers, volunteer teams and memberships for the activity
// domain's volunteer shifts, hours and award report (which must not read these tables itself).

// TeamRef is a live volunteer team with the number of its approved members.
type TeamRef struct {
	ID         int64
	Name       string
	RegionCode string
	Members    int // approved memberships
}

// VolunteerTeam returns one live volunteer team inside scope with its approved member count.
// Errors: db.ErrNotFound (also when outside scope).
func (s *Store) VolunteerTeam(ctx context.Context, scope region.Scope, id int64) (TeamRef, error) {
	cond, args := scope.Where("t.region_code", 2)
	var t TeamRef
	err := s.DB.QueryRowContext(ctx, `SELECT t.id, t.name, t.region_code,
		(SELECT count(*) FROM volunteer_memberships m WHERE m.team_id = t.id AND m.status = 'approved')
		FROM volunteer_teams t WHERE t.id = $1 AND t.deleted_at IS NULL AND `+cond, append([]any{id}, args...)...).Scan(&t.ID, &t.Name, &t.RegionCode, &t.Members)
	if err != nil {
		return t, fmt.Errorf("volunteer team %d: %w", id, db.Map(err))
	}
	return t, nil
}

// VolunteerTeamsIn lists every live volunteer team inside scope with its approved member
// count, ordered by region code and name.
func (s *Store) VolunteerTeamsIn(ctx context.Context, scope region.Scope) ([]TeamRef, error) {
	// One join and GROUP BY: SQLite walks the scope's teams and counts each team's members in
	// the (team_id, status) index; PostgreSQL hashes. (Measured with activity's BenchmarkAwards:
	// a correlated count per team about doubled the PostgreSQL time; a grouped subquery limited
	// to the scope's memberships made SQLite four times slower.)
	cond, args := scope.Where("t.region_code", 1)
	rows, err := s.DB.QueryContext(ctx, `SELECT t.id, t.name, t.region_code, count(m.id) FROM volunteer_teams t
		LEFT JOIN volunteer_memberships m ON m.team_id = t.id AND m.status = 'approved'
		WHERE t.deleted_at IS NULL AND `+cond+` GROUP BY t.id, t.name, t.region_code ORDER BY t.region_code, t.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("registry.VolunteerTeamsIn: %w", db.Map(err))
	}
	defer rows.Close()
	var out []TeamRef
	for rows.Next() {
		var t TeamRef
		if err := rows.Scan(&t.ID, &t.Name, &t.RegionCode, &t.Members); err != nil {
			return nil, db.Map(err)
		}
		out = append(out, t)
	}
	return out, db.Map(rows.Err())
}

// TeamMemberByPhone returns the id of the volunteer with this phone number (full-width digits
// accepted) who is an approved member of the team. The caller has checked the team's scope;
// the volunteer may live anywhere. Errors: db.ErrNotFound when no such volunteer is an
// approved member (an unknown number and a non-member are not told apart).
func (s *Store) TeamMemberByPhone(ctx context.Context, teamID int64, phone string) (int64, error) {
	col, _ := Volunteers.Field("phone")
	v, msg := col.Column.Parse(phone, false)
	if msg != "" || v == nil {
		return 0, fmt.Errorf("volunteer phone %q: %w", phone, db.ErrNotFound)
	}
	var id int64
	err := s.DB.QueryRowContext(ctx, `SELECT v.id FROM volunteers v JOIN volunteer_memberships m ON m.volunteer_id = v.id
		WHERE v.phone = $1 AND v.deleted_at IS NULL AND m.team_id = $2 AND m.status = 'approved'`, v, teamID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("team %d member %s: %w", teamID, mask.Phone(v.(string)), db.Map(err))
	}
	return id, nil
}

// TeamMember returns volunteerID when that volunteer is an approved member of the team.
// Errors: db.ErrNotFound.
func (s *Store) TeamMember(ctx context.Context, teamID, volunteerID int64) (int64, error) {
	var id int64
	err := s.DB.QueryRowContext(ctx, `SELECT v.id FROM volunteers v JOIN volunteer_memberships m ON m.volunteer_id = v.id
		WHERE v.id = $1 AND v.deleted_at IS NULL AND m.team_id = $2 AND m.status = 'approved'`, volunteerID, teamID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("team %d member %d: %w", teamID, volunteerID, db.Map(err))
	}
	return id, nil
}

// VolunteerRef is a volunteer's name, masked phone and unit, for lists and reports.
type VolunteerRef struct {
	ID         int64
	Name       string
	Phone      string // masked (mask.Phone)
	RegionCode string
}

// VolunteersByID returns the live volunteers among ids (any region: the caller shows only
// volunteers it reached through records in its scope), phones masked. Unknown ids are left out.
// The ids are read 500 at a time.
func (s *Store) VolunteersByID(ctx context.Context, ids []int64) (map[int64]VolunteerRef, error) {
	out := make(map[int64]VolunteerRef, len(ids))
	uniq := append([]int64(nil), ids...)
	sort.Slice(uniq, func(i, j int) bool { return uniq[i] < uniq[j] })
	const batch = 500
	for start := 0; start < len(uniq); start += batch {
		part := uniq[start:min(start+batch, len(uniq))]
		marks := make([]string, len(part))
		args := make([]any, len(part))
		for i, id := range part {
			marks[i] = s.DB.Dialect.Placeholder(i + 1)
			args[i] = id
		}
		rows, err := s.DB.QueryContext(ctx, `SELECT id, name, phone, region_code FROM volunteers WHERE deleted_at IS NULL AND id IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("registry.VolunteersByID: %w", db.Map(err))
		}
		for rows.Next() {
			var v VolunteerRef
			if err := rows.Scan(&v.ID, &v.Name, &v.Phone, &v.RegionCode); err != nil {
				rows.Close()
				return nil, db.Map(err)
			}
			v.Phone = mask.Phone(v.Phone)
			out[v.ID] = v
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, db.Map(err)
		}
	}
	return out, nil
}

// ApprovedMembers maps each live volunteer team inside scope to the ids of its approved
// members, in id order (for the demo generator, which gives shifts to teams' members).
func (s *Store) ApprovedMembers(ctx context.Context, scope region.Scope) (map[int64][]int64, error) {
	cond, args := scope.Where("region_code", 1)
	rows, err := s.DB.QueryContext(ctx, `SELECT team_id, volunteer_id FROM volunteer_memberships WHERE status = 'approved' AND `+cond+` ORDER BY team_id, volunteer_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("registry.ApprovedMembers: %w", db.Map(err))
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var team, vol int64
		if err := rows.Scan(&team, &vol); err != nil {
			return nil, db.Map(err)
		}
		out[team] = append(out[team], vol)
	}
	return out, db.Map(rows.Err())
}
