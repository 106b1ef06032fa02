package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// Kinds of team a service order may be dispatched to (activity's service_orders.team_kind).
const (
	TeamVolunteer = "volunteer" // volunteer_teams (科技志愿服务队)
	TeamExpert    = "expert"    // expert_teams (科普专家团)
)

// ServiceTeam is a live volunteer or expert team as the service orders see it.
type ServiceTeam struct {
	Kind       string // TeamVolunteer or TeamExpert
	ID         int64
	Name       string
	RegionCode string // the team's unit
}

// teamTable maps a team kind to its table; "" for an unknown kind.
func teamTable(kind string) string {
	switch kind {
	case TeamVolunteer:
		return VolunteerTeams.Table
	case TeamExpert:
		return ExpertTeams.Table
	}
	return ""
}

// ServiceTeam returns the live team of a kind with this id whose unit lies in scope. Errors:
// db.ErrNotFound for an unknown kind, a missing or deleted team, or one outside scope (not told
// apart, so that scope does not leak what exists).
func (s *Store) ServiceTeam(ctx context.Context, scope region.Scope, kind string, id int64) (ServiceTeam, error) {
	table := teamTable(kind)
	if table == "" {
		return ServiceTeam{}, fmt.Errorf("registry.ServiceTeam kind %q: %w", kind, db.ErrNotFound)
	}
	cond, args := scope.Where("region_code", 2)
	t := ServiceTeam{Kind: kind}
	err := s.DB.QueryRowContext(ctx, `SELECT id, name, region_code FROM `+table+` WHERE id = $1 AND deleted_at IS NULL AND `+cond,
		append([]any{id}, args...)...).Scan(&t.ID, &t.Name, &t.RegionCode)
	if err != nil {
		return ServiceTeam{}, fmt.Errorf("registry.ServiceTeam %s %d: %w", kind, id, db.Map(err))
	}
	return t, nil
}

// ServiceTeams lists up to limit (1–1000, default 200) live teams of a kind in scope, ordered
// by unit then name. An unknown kind gives none.
func (s *Store) ServiceTeams(ctx context.Context, scope region.Scope, kind string, limit int) ([]ServiceTeam, error) {
	table := teamTable(kind)
	if table == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	cond, args := scope.Where("region_code", 1)
	args = append(args, limit)
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT id, name, region_code FROM %s WHERE deleted_at IS NULL AND %s ORDER BY region_code, name LIMIT $%d`,
		table, cond, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("registry.ServiceTeams: %w", db.Map(err))
	}
	defer rows.Close()
	var out []ServiceTeam
	for rows.Next() {
		t := ServiceTeam{Kind: kind}
		if err := rows.Scan(&t.ID, &t.Name, &t.RegionCode); err != nil {
			return nil, db.Map(err)
		}
		out = append(out, t)
	}
	return out, db.Map(rows.Err())
}

// ServiceTeamNames returns the names of teams by kind and id, deleted ones included (an order
// keeps naming the team it was served by). It is not scoped: callers pass only the teams of
// orders the caller may already see; a team's name is not personal data. Keys are
// kind + ":" + id, e.g. "expert:12"; unknown ones are left out.
func (s *Store) ServiceTeamNames(ctx context.Context, kind string, ids []int64) (map[string]string, error) {
	out := map[string]string{}
	table := teamTable(kind)
	if table == "" || len(ids) == 0 {
		return out, nil
	}
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i] = fmt.Sprintf("$%d", i+1)
		args[i] = id
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT id, name FROM `+table+` WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("registry.ServiceTeamNames: %w", db.Map(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, db.Map(err)
		}
		out[fmt.Sprintf("%s:%d", kind, id)] = name
	}
	return out, db.Map(rows.Err())
}
