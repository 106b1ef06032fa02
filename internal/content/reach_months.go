package content

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// content_reach_months (migration 0019) holds the sums of the reach records of every unit's
// subtree per China month, channel, and the item's kind and emergency flag as they are now: a
// record is summed at its own division code and at each ancestor (region.ParentOf). Every
// write that changes what it sums keeps it in the same transaction: Views.Flush, RecordPush,
// ImportReach, Update (an item's kind or emergency flag) and the demo's bulk loads, through
// reachDelta.add or moveReach. TestReachRollupIsExact compares it with the records.

// reachKey is one record's place in the roll-up, before its item's kind and flag are looked up.
type reachKey struct {
	Item                   int64
	Month, Region, Channel string
}

// reachAmounts are what a record adds to the roll-up.
type reachAmounts struct {
	Views, Likes, Shares, Pushes int64
}

func (a reachAmounts) plus(b reachAmounts, sign int64) reachAmounts {
	return reachAmounts{a.Views + sign*b.Views, a.Likes + sign*b.Likes, a.Shares + sign*b.Shares, a.Pushes + sign*b.Pushes}
}

// reachDelta gathers changes to the roll-up by record key, so that many records of one item,
// unit, month and channel make one change.
type reachDelta map[reachKey]reachAmounts

// view adds n counted views of item on day (China date, "YYYY-MM-DD") at code on channel.
func (d reachDelta) view(item int64, channel, code, day string, n int64) {
	k := reachKey{item, day[:7], code, channel}
	d[k] = d[k].plus(reachAmounts{Views: n}, 1)
}

// push adds a push record (Pushes 1) or a change of its figures.
func (d reachDelta) push(item int64, channel, code, day string, a reachAmounts) {
	k := reachKey{item, day[:7], code, channel}
	d[k] = d[k].plus(a, 1)
}

// rollKey is one row of content_reach_months.
type rollKey struct {
	Parent, Unit, Month, Channel, Kind string
	Emergency                          bool
}

// rollDelta gathers changes to rows of content_reach_months.
type rollDelta map[rollKey]reachAmounts

// record adds sign × a, recorded at code, to the rows of code and of each of its ancestors.
func (r rollDelta) record(code, month, channel, kind string, emergency bool, a reachAmounts, sign int64) {
	for u := code; u != ""; u = region.ParentOf(u) {
		k := rollKey{region.ParentOf(u), u, month, channel, kind, emergency}
		r[k] = r[k].plus(a, sign)
	}
}

// addRoll is the upsert of one roll-up row's change: $1 parent, $2 unit, $3 month, $4
// channel, $5 kind, $6 emergency, $7..$10 views, likes, shares, pushes to add.
const addRoll = `INSERT INTO content_reach_months (parent, unit, month, channel, kind, emergency, views, likes, shares, pushes)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
	ON CONFLICT (parent, unit, month, channel, kind, emergency) DO UPDATE SET views = content_reach_months.views + excluded.views,
	likes = content_reach_months.likes + excluded.likes, shares = content_reach_months.shares + excluded.shares,
	pushes = content_reach_months.pushes + excluded.pushes`

// addYear is addRoll for content_reach_years ($3 the year, "YYYY").
const addYear = `INSERT INTO content_reach_years (parent, unit, year, channel, kind, emergency, views, likes, shares, pushes)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
	ON CONFLICT (parent, unit, year, channel, kind, emergency) DO UPDATE SET views = content_reach_years.views + excluded.views,
	likes = content_reach_years.likes + excluded.likes, shares = content_reach_years.shares + excluded.shares,
	pushes = content_reach_years.pushes + excluded.pushes`

// write applies the changes in tx to content_reach_months and content_reach_years, in key
// order (rows that do not change are left alone).
func (r rollDelta) write(ctx context.Context, tx *sql.Tx) error {
	years := rollDelta{}
	for k, a := range r {
		y := k
		y.Month = k.Month[:4]
		years[y] = years[y].plus(a, 1)
	}
	if err := r.upsert(ctx, tx, addRoll); err != nil {
		return err
	}
	return years.upsert(ctx, tx, addYear)
}

// upsert runs stmt (addRoll or addYear) for each changed row, in key order.
func (r rollDelta) upsert(ctx context.Context, tx *sql.Tx, query string) error {
	keys := make([]rollKey, 0, len(r))
	for k, a := range r {
		if a != (reachAmounts{}) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		switch {
		case a.Parent != b.Parent:
			return a.Parent < b.Parent
		case a.Unit != b.Unit:
			return a.Unit < b.Unit
		case a.Month != b.Month:
			return a.Month < b.Month
		case a.Channel != b.Channel:
			return a.Channel < b.Channel
		case a.Kind != b.Kind:
			return a.Kind < b.Kind
		}
		return !a.Emergency && b.Emergency
	})
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, k := range keys {
		a := r[k]
		if _, err := stmt.ExecContext(ctx, k.Parent, k.Unit, k.Month, k.Channel, k.Kind, k.Emergency, a.Views, a.Likes, a.Shares, a.Pushes); err != nil {
			return err
		}
	}
	return nil
}

// add writes the changes in tx under each item's kind and emergency flag as they are now. It
// locks the items' rows first (PostgreSQL; SQLite has one writer), in id order, so that an
// Update moving an item's figures (moveReach) sees these records or runs before they look the
// item up, never between.
func (d reachDelta) add(ctx context.Context, tx *sql.Tx, dialect db.Dialect) error {
	if len(d) == 0 {
		return nil
	}
	items := make([]int64, 0, len(d))
	seen := map[int64]bool{}
	for k := range d {
		if !seen[k.Item] {
			seen[k.Item] = true
			items = append(items, k.Item)
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i] < items[j] })
	type itemKind struct {
		kind      string
		emergency bool
	}
	kinds := map[int64]itemKind{}
	for _, id := range items {
		var ik itemKind
		if err := tx.QueryRowContext(ctx, `SELECT kind, emergency FROM content_items WHERE id = $1`+dialect.ForUpdate(), id).Scan(&ik.kind, &ik.emergency); err != nil {
			return fmt.Errorf("content item %d: %w", id, db.Map(err))
		}
		kinds[id] = ik
	}
	r := rollDelta{}
	for k, a := range d {
		ik := kinds[k.Item]
		r.record(k.Region, k.Month, k.Channel, ik.kind, ik.emergency, a, 1)
	}
	return r.write(ctx, tx)
}

// moveReach moves an item's records in the roll-up from its old kind and emergency flag to the
// new ones (nothing when both are unchanged), in tx, which must hold the item's row locked
// (Store.lock) so that no record of it is added meanwhile.
func moveReach(ctx context.Context, tx *sql.Tx, item int64, oldKind string, oldEmergency bool, newKind string, newEmergency bool) error {
	if oldKind == newKind && oldEmergency == newEmergency {
		return nil
	}
	type rec struct {
		code, month, channel string
		a                    reachAmounts
	}
	recs, err := db.QueryAll(ctx, tx, func(row db.Scanner) (rec, error) {
		var x rec
		return x, row.Scan(&x.code, &x.month, &x.channel, &x.a.Views, &x.a.Likes, &x.a.Shares, &x.a.Pushes)
	}, `SELECT region_code, month, channel, CAST(SUM(views) AS BIGINT), CAST(SUM(likes) AS BIGINT), CAST(SUM(shares) AS BIGINT), CAST(SUM(pushes) AS BIGINT) FROM (
		SELECT region_code, substr(day, 1, 7) AS month, channel, views, 0 AS likes, 0 AS shares, 0 AS pushes FROM content_views WHERE item_id = $1
		UNION ALL
		SELECT region_code, substr(pushed_on, 1, 7), channel, views, likes, shares, 1 FROM content_pushes WHERE item_id = $1
	) AS r GROUP BY region_code, month, channel`, item)
	if err != nil {
		return fmt.Errorf("content.moveReach: %w", err)
	}
	r := rollDelta{}
	for _, x := range recs {
		r.record(x.code, x.month, x.channel, oldKind, oldEmergency, x.a, -1)
		r.record(x.code, x.month, x.channel, newKind, newEmergency, x.a, 1)
	}
	if err := r.write(ctx, tx); err != nil {
		return fmt.Errorf("content.moveReach: %w", err)
	}
	return nil
}

// ReachSum is one group of reach figures: a division unit (ReachSums says which), a channel,
// the items' kind and emergency flag, and the sums of the records' views, likes and shares
// (likes and shares come from push imports only) and the number of push records.
type ReachSum struct {
	Code, Channel, Kind          string
	Emergency                    bool
	Views, Likes, Shares, Pushes int64
}

// ReachSums sums every reach record (counted views, and pushes with their imported figures)
// in scope recorded on a China date in [from, to] ("YYYY-MM-DD", inclusive; "" = unbounded),
// by unit, channel, and the item's kind and emergency flag. The unit (Code) is the root of
// scope the record lies under (scope.Roots()), or, with children, the unit one level below
// that root (region.ParentOf(Code) is the root; what is recorded at a root's own code is then
// left out). The China months wholly inside the period come from the roll-up
// content_reach_months (a few rows a unit and month), whole years among them from
// content_reach_years; the days of a month only partly inside it from the records themselves. The figures equal those of Reach and ReachByRegion over the
// same records (TestReachRollupIsExact). Errors: a malformed date, the database's.
func (s *Store) ReachSums(ctx context.Context, scope region.Scope, children bool, from, to string) ([]ReachSum, error) {
	roots := scope.Roots()
	if len(roots) == 0 {
		return nil, nil
	}
	if from == "" {
		from = "0001-01-01"
	}
	if to == "" {
		to = "9999-12-31"
	}
	first, last, err := wholeMonths(from, to)
	if err != nil {
		return nil, fmt.Errorf("content.ReachSums: %w", err)
	}
	type group struct {
		code, channel, kind string
		emergency           bool
	}
	sums := map[group]reachAmounts{}
	// attribute gives the unit a record at code is counted under ("" = none).
	attribute := func(code string) string {
		for _, r := range roots {
			if !region.Within(code, r) {
				continue
			}
			if !children {
				return r
			}
			for u := code; u != ""; u = region.ParentOf(u) {
				if region.ParentOf(u) == r {
					return u
				}
			}
			return ""
		}
		return ""
	}
	scan := func(direct bool) func(row db.Scanner) (struct{}, error) {
		return func(row db.Scanner) (struct{}, error) {
			var g group
			var a reachAmounts
			if err := row.Scan(&g.code, &g.channel, &g.kind, &g.emergency, &a.Views, &a.Likes, &a.Shares, &a.Pushes); err != nil {
				return struct{}{}, err
			}
			if direct {
				if g.code = attribute(g.code); g.code == "" {
					return struct{}{}, nil
				}
			}
			sums[g] = sums[g].plus(a, 1)
			return struct{}{}, nil
		}
	}
	// records sums the records of the days [from, to] by their own code.
	records := func(from, to string) error {
		if from > to {
			return nil
		}
		a, aargs := scope.Where("region_code", 3)
		b, bargs := scope.Where("region_code", 3+len(aargs))
		_, err := db.QueryAll(ctx, s.DB, scan(true), `SELECT r.region_code, r.channel, i.kind, i.emergency, CAST(SUM(r.views) AS BIGINT),
			CAST(SUM(r.likes) AS BIGINT), CAST(SUM(r.shares) AS BIGINT), CAST(SUM(r.pushes) AS BIGINT) FROM (
			SELECT item_id, region_code, channel, views, 0 AS likes, 0 AS shares, 0 AS pushes FROM content_views WHERE day >= $1 AND day <= $2 AND `+a+`
			UNION ALL
			SELECT item_id, region_code, channel, views, likes, shares, 1 FROM content_pushes WHERE pushed_on >= $1 AND pushed_on <= $2 AND `+b+`
		) AS r JOIN content_items i ON i.id = r.item_id GROUP BY r.region_code, r.channel, i.kind, i.emergency`,
			append(append([]any{from, to}, aargs...), bargs...)...)
		return err
	}
	if first > last { // no whole month: every day from the records
		if err := records(from, to); err != nil {
			return nil, fmt.Errorf("content.ReachSums: %w", err)
		}
	} else {
		cond, args := unitsWhere(roots, children, 3)
		// rolled sums the rows of table (content_reach_months or _years) from a to b.
		rolled := func(table, col, a, b string) error {
			if a > b {
				return nil
			}
			// The rows as stored, added up here: no sort for a GROUP BY (a year or a month is
			// one row a unit, channel, kind and flag).
			_, err := db.QueryAll(ctx, s.DB, scan(false), `SELECT unit, channel, kind, emergency, views, likes, shares, pushes FROM `+table+`
				WHERE `+col+` >= $1 AND `+col+` <= $2 AND `+cond, append([]any{a, b}, args...)...)
			return err
		}
		// Whole years inside the whole months from content_reach_years, the other whole months
		// from content_reach_months.
		fy, ly := first[:4], last[:4]
		if first[5:] != "01" {
			fy = nextYear(fy)
		}
		if last[5:] != "12" {
			ly = prevYear(ly)
		}
		parts := [][2]string{{first, last}}
		if atoi(fy) <= atoi(ly) {
			if err := rolled("content_reach_years", "year", fy, ly); err != nil {
				return nil, fmt.Errorf("content.ReachSums: %w", err)
			}
			parts = nil
			if fy != first[:4] { // first is not a January: its months up to December
				parts = append(parts, [2]string{first, first[:4] + "-12"})
			}
			if ly != last[:4] { // last is not a December: its year's months up to it
				parts = append(parts, [2]string{last[:4] + "-01", last})
			}
		}
		for _, p := range parts {
			if err := rolled("content_reach_months", "month", p[0], p[1]); err != nil {
				return nil, fmt.Errorf("content.ReachSums: %w", err)
			}
		}
		if from != first+"-01" { // the days before the first whole month
			if err := records(from, dayBefore(first+"-01")); err != nil {
				return nil, fmt.Errorf("content.ReachSums: %w", err)
			}
		}
		if to != monthEnd(last) { // the days after the last whole month
			if err := records(dayAfter(monthEnd(last)), to); err != nil {
				return nil, fmt.Errorf("content.ReachSums: %w", err)
			}
		}
	}
	out := make([]ReachSum, 0, len(sums))
	for g, a := range sums {
		out = append(out, ReachSum{Code: g.code, Channel: g.channel, Kind: g.kind, Emergency: g.emergency, Views: a.Views, Likes: a.Likes, Shares: a.Shares, Pushes: a.Pushes})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Code != b.Code:
			return a.Code < b.Code
		case a.Channel != b.Channel:
			return a.Channel < b.Channel
		case a.Kind != b.Kind:
			return a.Kind < b.Kind
		}
		return !a.Emergency && b.Emergency
	})
	return out, nil
}

// wholeMonths gives the first and last China months ("YYYY-MM") wholly inside [from, to]
// (dates "YYYY-MM-DD"); first > last when there is none.
func wholeMonths(from, to string) (first, last string, err error) {
	f, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return "", "", err
	}
	t, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return "", "", err
	}
	fm := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, time.UTC)
	if fm.Before(f) {
		fm = fm.AddDate(0, 1, 0)
	}
	tm := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !tm.AddDate(0, 1, -1).Equal(t) { // to is not its month's last day
		tm = tm.AddDate(0, -1, 0)
	}
	return fm.Format("2006-01"), tm.Format("2006-01"), nil
}

// monthEnd is the last date of month ("YYYY-MM").
func monthEnd(month string) string {
	m, _ := time.Parse("2006-01", month)
	return m.AddDate(0, 1, -1).Format(time.DateOnly)
}

// nextYear and prevYear step a year "YYYY".
func nextYear(y string) string { return fmt.Sprintf("%04d", atoi(y)+1) }
func prevYear(y string) string { return fmt.Sprintf("%04d", atoi(y)-1) }

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func dayBefore(day string) string {
	d, _ := time.Parse(time.DateOnly, day)
	return d.AddDate(0, 0, -1).Format(time.DateOnly)
}

func dayAfter(day string) string {
	d, _ := time.Parse(time.DateOnly, day)
	return d.AddDate(0, 0, 1).Format(time.DateOnly)
}
