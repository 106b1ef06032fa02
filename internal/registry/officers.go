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
