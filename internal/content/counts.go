package content

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/kepu/kepu/internal/db"
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

// PublishedSums counts the items published now in scope like PublishedCounts, from the
// roll-up content_published_units (migration 0019): counts[unit][kind], where unit is the
// root of scope the item lies under (scope.Roots()), or, with children, the unit one level
// below that root (items recorded at a root's own code are then left out). Equal to
// PublishedCounts summed the same way (TestPublishedRollupIsExact). Errors: the database's.
func (s *Store) PublishedSums(ctx context.Context, scope region.Scope, children bool) (map[string]map[string]KindCounts, error) {
	out := map[string]map[string]KindCounts{}
	roots := scope.Roots()
	if len(roots) == 0 {
		return out, nil
	}
	cond, args := unitsWhere(roots, children, 1)
	rows, err := s.DB.QueryContext(ctx, `SELECT unit, kind, emergency, items FROM content_published_units WHERE `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("content.PublishedSums: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var unit, kind string
		var emergency bool
		var n int64
		if err := rows.Scan(&unit, &kind, &emergency, &n); err != nil {
			return nil, fmt.Errorf("content.PublishedSums: %w", err)
		}
		if out[unit] == nil {
			out[unit] = map[string]KindCounts{}
		}
		c := out[unit][kind]
		c.All += n
		if emergency {
			c.Emergency += n
		}
		out[unit][kind] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content.PublishedSums: %w", err)
	}
	return out, nil
}

// unitsWhere selects the roll-up rows (columns parent, unit) of the given units, or with
// children of the units one level below them, with placeholders from $next.
func unitsWhere(units []string, children bool, next int) (string, []any) {
	var conds []string
	var args []any
	for _, u := range units {
		if children {
			args = append(args, u)
			conds = append(conds, fmt.Sprintf("parent = $%d", next))
			next++
		} else {
			args = append(args, region.ParentOf(u), u)
			conds = append(conds, fmt.Sprintf("(parent = $%d AND unit = $%d)", next, next+1))
			next += 2
		}
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// countPublished adds sign (1: published, -1: withdrawn) items of kind and flag recorded at
// code to content_published_units: the rows of code and of each of its ancestors, in tx.
func countPublished(ctx context.Context, tx *sql.Tx, code, kind string, emergency bool, sign int64) error {
	for u := code; u != ""; u = region.ParentOf(u) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO content_published_units (parent, unit, kind, emergency, items) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (parent, unit, kind, emergency) DO UPDATE SET items = content_published_units.items + excluded.items`,
			region.ParentOf(u), u, kind, emergency, sign); err != nil {
			return fmt.Errorf("content.countPublished: %w", db.Map(err))
		}
	}
	return nil
}
