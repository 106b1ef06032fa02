package registry

import (
	"context"
	"fmt"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// OfficerRegistration is an information officer's registration as other domains may read it:
// the record id, the unit, the registration date (YYYY-MM-DD) and where the record came from
// (Source: "import:<id>" for a file import, "account:<id>" for a record keyed in, "" unknown).
type OfficerRegistration struct {
	ID           int64
	Region       string
	RegisteredOn string
	Source       string
}

// OfficerRegistrations returns the live information officers of scope registered between from
// and to (inclusive, YYYY-MM-DD), ordered by id: what share's bulk-registration detector reads.
func (s *Store) OfficerRegistrations(ctx context.Context, scope region.Scope, from, to string) ([]OfficerRegistration, error) {
	cond, args := scope.Where("region_code", 3)
	out, err := db.QueryAll(ctx, s.DB, func(r db.Scanner) (OfficerRegistration, error) {
		var o OfficerRegistration
		var imp, by *int64
		err := r.Scan(&o.ID, &o.Region, &o.RegisteredOn, &imp, &by)
		switch {
		case imp != nil:
			o.Source = fmt.Sprintf("import:%d", *imp)
		case by != nil:
			o.Source = fmt.Sprintf("account:%d", *by)
		}
		return o, err
	}, `SELECT id, region_code, registered_on, import_id, created_by FROM information_officers
		WHERE deleted_at IS NULL AND registered_on >= $1 AND registered_on <= $2 AND `+cond+` ORDER BY id`, append([]any{from, to}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("registry.OfficerRegistrations: %w", err)
	}
	return out, nil
}

// OfficerCounts counts the live, registered (status 在册, as stats' KR11 counts them; 注销 ones
// are left out) information officers of scope whose id is above after, per
// region-code prefix of groupLen digits (2…12), and returns the highest id it counted (after
// when none): after = 0 is a full count; after = that id later counts only the officers
// registered since (what share's rankings add to their stored count at once). The id range is
// read on the primary key (the region index is kept out of it, so that a count since a
// recent id touches only the new rows).
func (s *Store) OfficerCounts(ctx context.Context, scope region.Scope, groupLen int, after int64) (map[string]int, int64, error) {
	if groupLen < 2 || groupLen > 12 {
		return nil, after, fmt.Errorf("registry.OfficerCounts: group length %d", groupLen)
	}
	column := "region_code"
	if after > 0 {
		column = "(region_code || '')" // not the region index: the id range is the small side
	}
	cond, args := scope.Where(column, 2)
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT substr(region_code, 1, %d), count(CASE WHEN status = 'active' THEN 1 END), max(id) FROM information_officers
		WHERE deleted_at IS NULL AND id > $1 AND %s GROUP BY substr(region_code, 1, %d)`, groupLen, cond, groupLen), append([]any{after}, args...)...)
	if err != nil {
		return nil, after, fmt.Errorf("registry.OfficerCounts: %w", err)
	}
	defer rows.Close()
	out, last := map[string]int{}, after
	for rows.Next() {
		var p string
		var n int
		var top int64
		if err := rows.Scan(&p, &n, &top); err != nil {
			return nil, after, fmt.Errorf("registry.OfficerCounts: %w", err)
		}
		out[p] = n
		last = max(last, top)
	}
	if err := rows.Err(); err != nil {
		return nil, after, fmt.Errorf("registry.OfficerCounts: %w", err)
	}
	return out, last, nil
}
