package activity

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// activity_unit_months (migration 0020) holds the figures of the counted records (accepted,
// current, not deleted) summed by unit subtree, China month of the start date and one of three
// dimensions: type, programme tag or target group. A record counts under every unit above it
// (its code's prefixes of 2, 4, 6, 9 and 12 digits: region.Prefix of the region, a league, a
// banner, a township, a village), once under its type and once under each of its tags. Every
// write that can change a counted record takes its series' figures out before and puts them
// back after, in the same transaction (recount), so that the table always equals what the
// records say; TestUnitMonthsAreExact compares the two after every kind of write.

// countedSQL is the statement that adds (sign +1) or takes out (sign -1) the figures of the
// counted records matching a condition on activities aliased "a" (%[2]s), placeholders from $1.
// Migration 0020's backfill is this statement with sign +1 and no condition.
const countedSQL = `WITH c AS (
	SELECT a.id, a.region_code, substr(a.starts_on, 1, 7) AS month, a.type, a.sessions, a.declared_attendance,
		a.verified_attendance, a.live_viewers, a.replay_views
	FROM activities a WHERE a.status = 'accepted' AND a.superseded_at IS NULL AND a.deleted_at IS NULL AND %[2]s
), k AS (
	SELECT c.id, 'type' AS dim, c.type AS item FROM c
	UNION ALL SELECT c.id, 'programme', p.programme FROM c JOIN activity_programmes p ON p.activity_id = c.id
	UNION ALL SELECT c.id, 'group', g.target_group FROM c JOIN activity_target_groups g ON g.activity_id = c.id
), l AS (
	SELECT 2 AS n UNION ALL SELECT 4 UNION ALL SELECT 6 UNION ALL SELECT 9 UNION ALL SELECT 12
)
INSERT INTO activity_unit_months (prefix, month, dim, item, activities, sessions, declared, verified, live, replay)
SELECT substr(c.region_code, 1, l.n), c.month, k.dim, k.item, %[1]d * count(*), %[1]d * SUM(c.sessions), %[1]d * SUM(c.declared_attendance),
	%[1]d * SUM(c.verified_attendance), %[1]d * SUM(c.live_viewers), %[1]d * SUM(c.replay_views)
FROM c JOIN k ON k.id = c.id JOIN l ON l.n <= length(c.region_code)
WHERE 1 = 1
GROUP BY substr(c.region_code, 1, l.n), c.month, k.dim, k.item
ORDER BY 1, 2, 3, 4
ON CONFLICT (prefix, dim, month, item) DO UPDATE SET activities = activity_unit_months.activities + excluded.activities,
	sessions = activity_unit_months.sessions + excluded.sessions, declared = activity_unit_months.declared + excluded.declared,
	verified = activity_unit_months.verified + excluded.verified, live = activity_unit_months.live + excluded.live,
	replay = activity_unit_months.replay + excluded.replay`

// recount adds (sign +1) or takes out (sign -1) the figures of the counted records matching
// cond (a condition on activities aliased "a", placeholders from $1) in activity_unit_months,
// within tx. A write that may change counted records calls it with -1 before and +1 after
// (see recounting); a write that only adds records calls it with +1 after.
func recount(ctx context.Context, tx *sql.Tx, sign int, cond string, args ...any) error {
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(countedSQL, sign, cond), args...); err != nil {
		return fmt.Errorf("activity.recount: %w", db.Map(err))
	}
	return nil
}

// recounting runs write, which may change any version of a series, between taking the series'
// counted figures out of activity_unit_months and putting them back, all within tx. Each
// statement takes its rows in key order (countedSQL's ORDER BY); a write that moves a record to
// other keys (an acceptance) also holds recountLock on PostgreSQL, so that two such writes
// never wait for each other's rows in opposite orders (SQLite has one writer at a time).
func recounting(ctx context.Context, tx *sql.Tx, seriesID int64, write func() error) error {
	if err := recount(ctx, tx, -1, "a.series_id = $1", seriesID); err != nil {
		return err
	}
	if err := write(); err != nil {
		return err
	}
	return recount(ctx, tx, 1, "a.series_id = $1", seriesID)
}

// recountLock serializes, on PostgreSQL, the writes that move counted figures from some
// roll-up rows to others (acceptances; human steps, a few a minute at most), until commit.
func recountLock(ctx context.Context, tx *sql.Tx, d db.Dialect) error {
	if d != db.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7243200)`); err != nil {
		return fmt.Errorf("activity.recountLock: %w", db.Map(err))
	}
	return nil
}

// RollupFast returns exactly what Rollup(ctx, f, by) returns (rows, total, filters and order),
// reading whole China months from activity_unit_months (a few hundred rows at most) and only
// the part months at either end of f's period from the records. It serves by ByType,
// ByProgramme and ByGroup for a filter that names a unit (f.Region) whose whole subtree the
// scope covers, with no other condition than the period; anything else is Rollup itself.
func (s *Store) RollupFast(ctx context.Context, f Filter, by string) (Rollup, error) {
	out, err := s.RollupFastEach(ctx, f, by, []string{f.Region})
	if err != nil {
		return Rollup{}, err
	}
	return out[0], nil
}

// RollupFastEach returns RollupFast(ctx, f with Region = r, by) for each unit r of regions (in
// that order), in one query of activity_unit_months when f allows it (see RollupFast): the
// figures of a unit's children for a ranking or a map. f.Region is ignored.
func (s *Store) RollupFastEach(ctx context.Context, f Filter, by string, regions []string) ([]Rollup, error) {
	out := make([]Rollup, len(regions))
	if len(regions) == 0 {
		return out, nil
	}
	fast := by == ByType || by == ByProgramme || by == ByGroup
	fast = fast && f.Unit == "" && f.Type == "" && f.Programme == "" && f.Group == "" && f.Query == "" && f.VenueKind == "" && f.VenueID == 0 && !f.Flagged
	first, last, whole := wholeMonths(f.From, f.To)
	byPrefix := map[string]int{}
	var args []any
	var marks []string
	for i, r := range regions {
		_, seen := byPrefix[region.Prefix(r)]
		fast = fast && r != "" && f.Scope.Contains(r) && !seen
		byPrefix[region.Prefix(r)] = i
		args = append(args, region.Prefix(r))
		marks = append(marks, fmt.Sprintf("$%d", len(args)+3))
	}
	if !fast || !whole {
		for i, r := range regions {
			rf := f
			rf.Region = r
			ru, err := s.Rollup(ctx, rf, by)
			if err != nil {
				return nil, err
			}
			out[i] = ru
		}
		return out, nil
	}
	f.Status, f.After, f.Limit = Counted, 0, 0
	dim := map[string]string{ByType: "type", ByProgramme: "programme", ByGroup: "group"}[by]
	groups := make([]map[string]Figures, len(regions))
	for i, r := range regions {
		out[i] = Rollup{By: by, Base: f}
		out[i].Base.Region = r
		groups[i] = map[string]Figures{}
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT prefix, dim, item, SUM(activities), SUM(sessions), SUM(declared), SUM(verified), SUM(live), SUM(replay)
		FROM activity_unit_months WHERE prefix IN (`+strings.Join(marks, ", ")+`) AND dim IN ('type', $1) AND month >= $2 AND month <= $3
		GROUP BY prefix, dim, item`, append([]any{dim, first, last}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("activity.RollupFast: %w", db.Map(err))
	}
	defer rows.Close()
	for rows.Next() {
		var p, d, k string
		var fg Figures
		if err := rows.Scan(&p, &d, &k, &fg.Activities, &fg.Sessions, &fg.Declared, &fg.Verified, &fg.Live, &fg.Replay); err != nil {
			return nil, fmt.Errorf("activity.RollupFast: %w", db.Map(err))
		}
		i := byPrefix[p]
		if d == "type" {
			out[i].Total.add(fg) // each record once, under its one type
		}
		if d == dim && fg.Activities != 0 { // a group whose records all left holds zeros
			groups[i][k] = fg
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("activity.RollupFast: %w", db.Map(err))
	}
	for i := range out {
		// The part months at either end, from the records.
		for _, part := range partMonths(f.From, f.To, first, last) {
			pf := out[i].Base
			pf.From, pf.To = part[0], part[1]
			ru, err := s.Rollup(ctx, pf, by)
			if err != nil {
				return nil, err
			}
			out[i].Total.add(ru.Total)
			for _, row := range ru.Rows {
				fg := groups[i][row.Key]
				fg.add(row.Figures)
				groups[i][row.Key] = fg
			}
		}
		out[i].rows(groups[i], out[i].Base)
	}
	return out, nil
}

// wholeMonths gives the first and last China month ("2006-01") lying wholly inside the dates
// from–to (inclusive, "" = open: the months from "0000-00" or to "9999-99"); ok is false when
// no whole month lies inside or a date is malformed.
func wholeMonths(from, to string) (first, last string, ok bool) {
	first, last = "0000-00", "9999-99"
	if from != "" {
		t, err := time.Parse("2006-01-02", from)
		if err != nil {
			return "", "", false
		}
		if t.Day() != 1 {
			t = t.AddDate(0, 1, 1-t.Day())
		}
		first = t.Format("2006-01")
	}
	if to != "" {
		t, err := time.Parse("2006-01-02", to)
		if err != nil {
			return "", "", false
		}
		if t.AddDate(0, 0, 1).Day() != 1 { // not a month's last day
			t = t.AddDate(0, 0, -t.Day())
		}
		last = t.Format("2006-01")
	}
	return first, last, first <= last
}

// partMonths lists the date ranges of from–to outside the whole months first–last (from
// wholeMonths): the days before first's start and those after last's end, at most two.
func partMonths(from, to, first, last string) [][2]string {
	var out [][2]string
	if from != "" && !strings.HasSuffix(from, "-01") {
		start, _ := time.Parse("2006-01", first)
		out = append(out, [2]string{from, start.AddDate(0, 0, -1).Format("2006-01-02")})
	}
	if to != "" {
		end, _ := time.Parse("2006-01", last)
		if after := end.AddDate(0, 1, 0).Format("2006-01-02"); after <= to {
			out = append(out, [2]string{after, to})
		}
	}
	return out
}
