package content

import (
	"context"
	"fmt"

	"github.com/kepu/kepu/internal/region"
)

// KindCounts are the published items of one kind at one division code: All of them, and of
// those the Emergency ones (应急科普).
type KindCounts struct {
	All, Emergency int64
}

// PublishedCounts counts the items published now in scope, by the division code they are
// recorded at and by kind: counts[code][kind]. One grouped query over content_items, so that
// a caller takes a unit's subtree (every code), its own items (its code) or a child's (codes
// by prefix) from one answer. Errors: the database's.
func (s *Store) PublishedCounts(ctx context.Context, scope region.Scope) (map[string]map[string]KindCounts, error) {
	where, args := scope.Where("region_code", 2)
	rows, err := s.DB.QueryContext(ctx, `SELECT region_code, kind, count(*), COALESCE(sum(CASE WHEN emergency THEN 1 ELSE 0 END), 0)
		FROM content_items WHERE status = $1 AND `+where+` GROUP BY region_code, kind`, append([]any{Published}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("content.PublishedCounts: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]KindCounts{}
	for rows.Next() {
		var code, kind string
		var c KindCounts
		if err := rows.Scan(&code, &kind, &c.All, &c.Emergency); err != nil {
			return nil, fmt.Errorf("content.PublishedCounts: %w", err)
		}
		if out[code] == nil {
			out[code] = map[string]KindCounts{}
		}
		out[code][kind] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content.PublishedCounts: %w", err)
	}
	return out, nil
}
