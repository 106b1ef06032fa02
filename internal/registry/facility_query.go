package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// FacilityKinds are the kinds of record an activity may name as the venue it took place at:
// science museums, mobile museum sets, caravans, education bases and e-stations.
var FacilityKinds = []*Kind{&Museums, &MobileMuseums, &Caravans, &EducationBases, &EStations}

// FacilityKind returns the facility kind with this slug.
func FacilityKind(slug string) (*Kind, bool) {
	for _, k := range FacilityKinds {
		if k.Slug == slug {
			return k, true
		}
	}
	return nil, false
}

// Facility is a live facility record as activities see it.
type Facility struct {
	Kind       string // the kind's slug, e.g. "museums"
	ID         int64
	Name       string
	RegionCode string
}

// Label is how a person writes the reference: the kind's Chinese name, a full-width colon and
// the record's name ("科技馆：锡林郭勒盟科技馆"); FindFacility reads it back.
func (f Facility) Label() string {
	if k, ok := FacilityKind(f.Kind); ok {
		return k.Name + "：" + f.Name
	}
	return f.Name
}

// Facility returns the live facility of a kind with this id whose unit lies in scope. Errors:
// db.ErrNotFound for an unknown kind, a missing or deleted record, or one outside scope (not
// told apart).
func (s *Store) Facility(ctx context.Context, scope region.Scope, kind string, id int64) (Facility, error) {
	k, ok := FacilityKind(kind)
	if !ok {
		return Facility{}, fmt.Errorf("registry.Facility kind %q: %w", kind, db.ErrNotFound)
	}
	cond, args := scope.Where("region_code", 2)
	f := Facility{Kind: kind}
	err := s.DB.QueryRowContext(ctx, `SELECT id, name, region_code FROM `+k.Table+` WHERE id = $1 AND deleted_at IS NULL AND `+cond,
		append([]any{id}, args...)...).Scan(&f.ID, &f.Name, &f.RegionCode)
	if err != nil {
		return Facility{}, fmt.Errorf("registry.Facility %s %d: %w", kind, id, db.Map(err))
	}
	return f, nil
}

// FindFacility resolves a reference as a person writes it — a facility's name, or a kind's
// Chinese name (or slug), a colon (： or :) and the name — to the one live facility in scope
// that it names. The problem, in Chinese, comes back as msg when there is none or more than
// one (the caller shows it beside the field or the cell); err is for database failures.
func (s *Store) FindFacility(ctx context.Context, scope region.Scope, ref string) (f Facility, msg string, err error) {
	ref = strings.TrimSpace(ref)
	kinds, name := FacilityKinds, ref
	if i := strings.IndexAny(ref, "：:"); i >= 0 {
		prefix := strings.TrimSpace(ref[:i])
		for _, k := range FacilityKinds {
			if k.Name == prefix || k.Slug == prefix {
				kinds, name = []*Kind{k}, strings.TrimSpace(strings.TrimLeft(ref[i:], "：:"))
			}
		}
	}
	if name == "" {
		return Facility{}, "请填写已登记场馆的名称", nil
	}
	var parts []string
	var args []any
	for _, k := range kinds {
		cond, a := scope.Where("region_code", len(args)+2)
		parts = append(parts, fmt.Sprintf(`SELECT '%s', id, name, region_code FROM %s WHERE name = $1 AND deleted_at IS NULL AND %s`, k.Slug, k.Table, cond))
		args = append(args, a...)
	}
	found, err := db.QueryAll(ctx, s.DB, func(row db.Scanner) (Facility, error) {
		var f Facility
		err := row.Scan(&f.Kind, &f.ID, &f.Name, &f.RegionCode)
		return f, err
	}, strings.Join(parts, " UNION ALL ")+" LIMIT 3", append([]any{name}, args...)...)
	if err != nil {
		return Facility{}, "", fmt.Errorf("registry.FindFacility: %w", err)
	}
	switch len(found) {
	case 1:
		return found[0], "", nil
	case 0:
		return Facility{}, fmt.Sprintf("您的管理范围内没有名为“%s”的已登记场馆（科技馆、流动科技馆、科普大篷车、科普教育基地、科普e站）", name), nil
	}
	k0, _ := FacilityKind(found[0].Kind)
	return Facility{}, fmt.Sprintf("您的管理范围内有不止一个名为“%s”的场馆；请写明类别，如“%s：%s”", name, k0.Name, name), nil
}

// FacilityLabels returns the labels (Facility.Label) of facilities by kind and id, deleted
// ones included (an activity keeps naming its venue). Not scoped: callers pass only the venues
// of activities the caller may already see; a venue's name is not personal data. Keys are
// kind + ":" + id, e.g. "museums:12"; unknown ones are left out.
func (s *Store) FacilityLabels(ctx context.Context, refs map[string][]int64) (map[string]string, error) {
	out := map[string]string{}
	for kind, ids := range refs {
		k, ok := FacilityKind(kind)
		if !ok || len(ids) == 0 {
			continue
		}
		marks := make([]string, len(ids))
		args := make([]any, len(ids))
		for i, id := range ids {
			marks[i] = fmt.Sprintf("$%d", i+1)
			args[i] = id
		}
		rows, err := s.DB.QueryContext(ctx, `SELECT id, name FROM `+k.Table+` WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("registry.FacilityLabels: %w", db.Map(err))
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, db.Map(err)
			}
			out[fmt.Sprintf("%s:%d", kind, id)] = Facility{Kind: kind, ID: id, Name: name}.Label()
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, db.Map(err)
		}
	}
	return out, nil
}
