package content

import (
	"context"
	"fmt"
)

// KindLabel names the query's item kind in Chinese ("" when it keeps every kind), for pages.
func (q ReachQuery) KindLabel() string { return KindLabel(q.Kind) }

// ReachFigures are the reach figures of the records recorded at one division unit, kept apart
// by how they were obtained:
//   - Pushes: pushes recorded by Kepu's staff (content_pushes rows: one item on one outside
//     platform on one day), whatever their imported figures; Kepu's own record, so verified.
//   - CountedViews: views counted by Kepu on its own pages and the e-station kiosks (one per
//     visitor, item and day; see Views); verified.
//   - PlatformViews: the views the outside platforms report for those pushes, as last imported
//     from their exports (ImportReach); declared by the platforms, never added to CountedViews.
type ReachFigures struct {
	Pushes, CountedViews, PlatformViews int64
}

// ReachByRegion sums the records a reach query selects (scope, period, region, emergency,
// item kind, channel, source; q.By is ignored) per division code exactly as recorded (a
// push's unit, a view's page region or kiosk station), so that a caller can take a unit's
// subtree (every code), its own records (its code) and each child's part (codes by prefix)
// from one query. Errors: the database's.
func (s *Store) ReachByRegion(ctx context.Context, q ReachQuery) (map[string]ReachFigures, error) {
	inner, args := reachSource(q)
	rows, err := s.DB.QueryContext(ctx, `SELECT region_code, kind, COUNT(*), COALESCE(SUM(views), 0) FROM (`+inner+`) r GROUP BY region_code, kind`, args...)
	if err != nil {
		return nil, fmt.Errorf("content.ReachByRegion: %w", err)
	}
	defer rows.Close()
	out := map[string]ReachFigures{}
	for rows.Next() {
		var code, kind string
		var n, views int64
		if err := rows.Scan(&code, &kind, &n, &views); err != nil {
			return nil, fmt.Errorf("content.ReachByRegion: %w", err)
		}
		f := out[code]
		if kind == "push" {
			f.Pushes += n
			f.PlatformViews += views
		} else {
			f.CountedViews += views
		}
		out[code] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content.ReachByRegion: %w", err)
	}
	return out, nil
}
