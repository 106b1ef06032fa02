package registry

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// Registry stocks (migration 0018): how many records of a kind existed at the end of a day,
// kept per region, league and banner in registry_stocks, so that the count of a unit with
// 580,000 officers below it sums a few dozen rows. A record adds +1 on its start day and -1 on
// its end day (see stockSpan) to the rows of every region, league and banner that holds it:
// under field "" (all records) or, for a kind with stock fields, under each of Kind.Stocks
// with its value of that field (the total is then the sum over the first field's values),
// each change written to the row of its year, of its month and of its day. A day's
// stock is the sum of the year rows before its year, the month rows of its year before its
// month and the day rows of its month up to it; the same as Count with Filter.AsOf
// (TestStocksMatchCounts).

// stockUnits returns the region, league and banner codes whose subtree holds a record at code
// (the code itself when it is one of them), nearest first.
func stockUnits(code string) []string {
	var out []string
	for c := code; c != ""; c = region.ParentOf(c) {
		if l := region.LevelOf(c); l >= region.LevelRegion && l <= region.LevelBanner {
			out = append(out, c)
		}
	}
	return out
}

// stocked reports whether a kind keeps stock rows: every kind with a Since field.
func (k *Kind) stocked() bool { return k.Since != "" }

// stockKey is one row of registry_stocks: grain "y" (at "2006"), "m" ("2006-01") or "d"
// ("2006-01-02").
type stockKey struct {
	unit, grain, at, field, value string
}

// stockDelta accumulates changes to the stock rows of one kind before they are written.
type stockDelta map[stockKey]int64

func newStockDelta() stockDelta { return stockDelta{} }

// change adds n to the rows of unit, field and value holding day (its year, month and day).
func (d stockDelta) change(unit, day, field, value string, n int64) {
	d[stockKey{unit, "y", day[:4], field, value}] += n
	d[stockKey{unit, "m", day[:7], field, value}] += n
	d[stockKey{unit, "d", day, field, value}] += n
}

// stockRecord is what the stocks need of one record.
type stockRecord struct {
	region     string
	start, end string   // China dates; end "" while the record is open
	values     []string // its value of each of Kind.Stocks
}

// stockSpan returns a record's first day of counting and the first day it no longer counts
// ("" when open), as Filter.AsOf reads them: the Since date, or the China date of created_at
// when it is empty; closed_on, or the China date of deleted_at when it is empty.
func stockSpan(since string, created time.Time, closed string, deleted sql.NullTime) (string, string) {
	start := since
	if start == "" {
		start = created.In(China).Format("2006-01-02")
	}
	end := closed
	if end == "" && deleted.Valid {
		end = deleted.Time.In(China).Format("2006-01-02")
	}
	return start, end
}

// add adds a record's contribution times sign. A record that ends on or before its start
// counts on no day and adds nothing.
func (d stockDelta) add(k *Kind, r stockRecord, sign int64) {
	if len(r.start) < 10 || (r.end != "" && (len(r.end) < 10 || r.end <= r.start)) {
		return
	}
	// A kind with stock fields keeps no rows under field "": its total is the sum over the
	// values of its first stock field (every record has one value of it, "" when empty).
	first := -1
	if len(k.Stocks) > 0 {
		first = 0
	}
	for _, u := range stockUnits(r.region) {
		for i := first; i < len(k.Stocks); i++ {
			field, value := "", ""
			if i >= 0 {
				field, value = k.Stocks[i], r.values[i]
			}
			d.change(u, r.start, field, value, sign)
			if r.end != "" {
				d.change(u, r.end, field, value, -sign)
			}
		}
	}
}

// stockSelect is the query that reads what stockRecord needs from the kind's rows matching
// cond (which may hold parameters from $1).
func (k *Kind) stockSelect(cond string) string {
	cols := []string{"region_code", k.Since, "created_at", "closed_on", "deleted_at"}
	cols = append(cols, k.Stocks...)
	return fmt.Sprintf(`SELECT %s FROM %s WHERE %s`, strings.Join(cols, ", "), k.Table, cond)
}

// stockValue is a field's value as a stock row holds it: text as is, a bool as "true" or
// "false" (the form Filter.Enums takes), NULL as "".
func stockValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		return fmt.Sprint(x)
	case int64:
		return fmt.Sprint(x != 0) // SQLite's booleans
	case []byte:
		return string(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// readStock adds sign times the contribution of every row of k matching cond. Rows are first
// counted by what their contribution depends on (nearest stock unit, start, end, values), so
// that 580,000 officers make about 230,000 groups to spread over units, fields and grains.
func (k *Kind) readStock(ctx context.Context, q db.Querier, d stockDelta, sign int64, cond string, args ...any) error {
	rows, err := q.QueryContext(ctx, k.stockSelect(cond), args...)
	if err != nil {
		return fmt.Errorf("registry stocks %s: %w", k.Slug, db.Map(err))
	}
	defer rows.Close()
	type group struct{ unit, start, end, values string }
	groups := map[group]int64{}
	units := map[string]string{} // record code → nearest stock unit
	var (
		code          string
		since, closed sql.NullString
		created       time.Time
		deleted       sql.NullTime
		vals          = make([]any, len(k.Stocks))
		targets       = []any{&code, &since, &created, &closed, &deleted}
		strs          = make([]string, len(k.Stocks))
	)
	for i := range vals {
		targets = append(targets, &vals[i])
	}
	for rows.Next() {
		if err := rows.Scan(targets...); err != nil {
			return fmt.Errorf("registry stocks %s: %w", k.Slug, err)
		}
		u, ok := units[code]
		if !ok {
			if us := stockUnits(code); len(us) > 0 {
				u = us[0]
			}
			units[code] = u
		}
		if u == "" {
			continue // a code outside the tree's levels: in no region's stock
		}
		g := group{unit: u}
		g.start, g.end = stockSpan(since.String, created, closed.String, deleted)
		for i, v := range vals {
			strs[i] = stockValue(v)
		}
		g.values = strings.Join(strs, "\x00")
		groups[g]++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for g, n := range groups {
		rec := stockRecord{region: g.unit, start: g.start, end: g.end, values: make([]string, len(k.Stocks))}
		if len(k.Stocks) > 0 {
			rec.values = strings.Split(g.values, "\x00")
		}
		d.add(k, rec, sign*n)
	}
	return nil
}

// write adds the accumulated deltas to the stock rows of k, in key order (so that two
// transactions lock rows in the same order). fresh says k has no rows yet (a rebuild): plain
// inserts, no upsert.
func (d stockDelta) write(ctx context.Context, ex db.Execer, dialect db.Dialect, k *Kind, fresh bool) error {
	keys := make([]stockKey, 0, len(d))
	for key, n := range d {
		if n != 0 {
			keys = append(keys, key)
		}
	}
	slices.SortFunc(keys, func(a, b stockKey) int {
		return cmp.Or(strings.Compare(a.unit, b.unit), strings.Compare(a.grain, b.grain), strings.Compare(a.at, b.at),
			strings.Compare(a.field, b.field), strings.Compare(a.value, b.value))
	})
	rows := make([][]any, len(keys))
	for i, key := range keys {
		rows[i] = []any{k.Slug, key.unit, key.grain, key.at, key.field, key.value, d[key]}
	}
	suffix := "ON CONFLICT (kind, unit, grain, at, field, value) DO UPDATE SET delta = registry_stocks.delta + excluded.delta"
	if fresh {
		suffix = ""
	}
	if err := db.BulkInsert(ctx, ex, dialect, "registry_stocks", []string{"kind", "unit", "grain", "at", "field", "value", "delta"}, rows, suffix); err != nil {
		return fmt.Errorf("registry stocks %s: %w", k.Slug, err)
	}
	return nil
}

// restock runs write, which changes the rows of k with the given ids, keeping the stock rows
// in step in the same transaction: it takes the rows' contribution away before write and adds
// it back after.
func (s *Store) restock(ctx context.Context, tx *sql.Tx, k *Kind, ids []int64, write func() error) error {
	if !k.stocked() || len(ids) == 0 {
		return write()
	}
	cond, args := idsIn(ids)
	d := newStockDelta()
	if err := k.readStock(ctx, tx, d, -1, cond, args...); err != nil {
		return err
	}
	if err := write(); err != nil {
		return err
	}
	if err := k.readStock(ctx, tx, d, +1, cond, args...); err != nil {
		return err
	}
	return d.write(ctx, tx, s.DB.Dialect, k, false)
}

// stockAdded adds the rows of k matching cond, just inserted, to the stock rows.
func (s *Store) stockAdded(ctx context.Context, tx *sql.Tx, k *Kind, cond string, args ...any) error {
	if !k.stocked() {
		return nil
	}
	d := newStockDelta()
	if err := k.readStock(ctx, tx, d, +1, cond, args...); err != nil {
		return err
	}
	return d.write(ctx, tx, s.DB.Dialect, k, false)
}

func idsIn(ids []int64) (string, []any) {
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i] = fmt.Sprintf("$%d", i+1)
		args[i] = id
	}
	return "id IN (" + strings.Join(marks, ", ") + ")", args
}

// BuildStocks builds the stock rows of every kind that keeps them and has none built yet
// (registry_stock_kinds), each kind in one transaction, from its records. The server calls it
// at start, before it serves; until a kind is built its counts are taken from its records.
func (s *Store) BuildStocks(ctx context.Context) error {
	built, err := s.DB.Counts(ctx, `SELECT kind, 1 FROM registry_stock_kinds`)
	if err != nil {
		return fmt.Errorf("registry.BuildStocks: %w", err)
	}
	for _, k := range Kinds() {
		if !k.stocked() || built[k.Slug] == 1 {
			continue
		}
		if err := s.RebuildStocks(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// RebuildStocks replaces the stock rows of each given kind with rows computed from its
// records, one transaction per kind, and marks it built. Loads that write a kind's table
// directly (the demo's bulk inserts) call it afterwards.
func (s *Store) RebuildStocks(ctx context.Context, kinds ...*Kind) error {
	for _, k := range kinds {
		if !k.stocked() {
			continue
		}
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			for _, table := range []string{"registry_stocks", "registry_stock_kinds"} {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE kind = $1`, k.Slug); err != nil {
					return db.Map(err)
				}
			}
			d := newStockDelta()
			if err := k.readStock(ctx, tx, d, +1, "1 = 1"); err != nil {
				return err
			}
			if err := d.write(ctx, tx, s.DB.Dialect, k, true); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO registry_stock_kinds (kind, built_at) VALUES ($1, $2)`, k.Slug, s.now())
			return db.Map(err)
		})
		if err != nil {
			return fmt.Errorf("registry.RebuildStocks %s: %w", k.Slug, err)
		}
		s.built.Store(k.Slug, true)
	}
	return nil
}

// stocksBuilt reports whether k's stock rows are built (remembered once seen: a built kind
// stays built, RebuildStocks replacing its rows in one transaction).
func (s *Store) stocksBuilt(ctx context.Context, k *Kind) bool {
	if !k.stocked() {
		return false
	}
	if _, ok := s.built.Load(k.Slug); ok {
		return true
	}
	var n int
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM registry_stock_kinds WHERE kind = $1`, k.Slug).Scan(&n); err != nil || n == 0 {
		return false
	}
	s.built.Store(k.Slug, true)
	return true
}

// Stock is what a kind's stock rows say of one unit on one day: how many records existed,
// in all and by value of each of Kind.Stocks.
type Stock struct {
	All int
	By  map[string]map[string]int // field key → value → count ("true"/"false" for a bool)
}

// Count returns the stock narrowed by at most one enum field: enums maps the field to one
// value or several comma-separated ones (summed). ok is false when enums names more than one
// field or a field not in the stock.
func (st Stock) Count(enums map[string]string) (n int, ok bool) {
	var field, v string
	for f, x := range enums {
		if x == "" {
			continue
		}
		if field != "" {
			return 0, false
		}
		field, v = f, x
	}
	if field == "" {
		return st.All, true
	}
	by, ok := st.By[field]
	if !ok {
		return 0, false
	}
	for _, x := range strings.Split(v, ",") {
		n += by[x]
	}
	return n, true
}

// StocksAsOf returns, for each unit, the records of k in its subtree that existed at the end
// of the day asOf ("2006-01-02", China date; see Filter.AsOf), in all and by value of each of
// k.Stocks: unit code → Stock. It is KindsStocksAsOf for one kind.
func (s *Store) StocksAsOf(ctx context.Context, k *Kind, scope region.Scope, units []string, asOf string) (map[string]Stock, error) {
	m, err := s.KindsStocksAsOf(ctx, []*Kind{k}, scope, units, asOf)
	return m[k.Slug], err
}

// KindsStocksAsOf returns StocksAsOf of several kinds at once: kind slug → unit code → Stock.
// Units outside scope are an error (db.ErrNotFound). Regions, leagues and banners are summed
// from the stock rows, every kind and unit in one query (three key ranges per kind and unit:
// the years before asOf's year, the months of its year before its month, the days of its
// month up to it); townships and villages, and kinds whose rows are not built, are counted
// from the records (their subtrees are small).
func (s *Store) KindsStocksAsOf(ctx context.Context, kinds []*Kind, scope region.Scope, units []string, asOf string) (map[string]map[string]Stock, error) {
	if d, ok := ParseAsOf(asOf); !ok || d == "" {
		return nil, fmt.Errorf("registry.StocksAsOf: bad date %q", asOf)
	}
	for _, u := range units {
		if !scope.Contains(u) {
			return nil, fmt.Errorf("registry.StocksAsOf %s: %w", u, db.ErrNotFound)
		}
	}
	out := make(map[string]map[string]Stock, len(kinds))
	var summedKinds []string
	summedUnits := map[string]bool{}
	for _, k := range kinds {
		out[k.Slug] = make(map[string]Stock, len(units))
		built := s.stocksBuilt(ctx, k)
		var counted []string
		for _, u := range units {
			if l := region.LevelOf(u); built && l >= region.LevelRegion && l <= region.LevelBanner {
				out[k.Slug][u] = Stock{By: stockFields(k)}
				summedUnits[u] = true
				if !slices.Contains(summedKinds, k.Slug) {
					summedKinds = append(summedKinds, k.Slug)
				}
				continue
			}
			counted = append(counted, u)
		}
		if len(counted) > 0 {
			m, err := s.countStocks(ctx, k, counted, asOf)
			if err != nil {
				return nil, err
			}
			maps.Copy(out[k.Slug], m)
		}
	}
	if len(summedKinds) == 0 {
		return out, nil
	}
	args := []any{asOf[:4], asOf[:4] + "-01", asOf[:7], asOf[:7] + "-01", asOf}
	list := func(xs []string) string {
		marks := make([]string, len(xs))
		for i, x := range xs {
			args = append(args, x)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		return strings.Join(marks, ", ")
	}
	inKinds := list(summedKinds)
	inUnits := list(slices.Sorted(maps.Keys(summedUnits)))
	// One key range per branch: given the three ORed, SQLite reads every row of the unit.
	branch := func(cond string) string {
		return fmt.Sprintf(`SELECT kind, unit, field, value, delta FROM registry_stocks WHERE kind IN (%s) AND unit IN (%s) AND %s`, inKinds, inUnits, cond)
	}
	q := `SELECT kind, unit, field, value, SUM(delta) FROM (` + branch(`grain = 'y' AND at < $1`) + ` UNION ALL ` +
		branch(`grain = 'm' AND at >= $2 AND at < $3`) + ` UNION ALL ` + branch(`grain = 'd' AND at >= $4 AND at <= $5`) +
		`) s GROUP BY kind, unit, field, value`
	rows, err := s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("registry.StocksAsOf: %w", db.Map(err))
	}
	defer rows.Close()
	for rows.Next() {
		var kind, unit, field, value string
		var n int
		if err := rows.Scan(&kind, &unit, &field, &value, &n); err != nil {
			return nil, fmt.Errorf("registry.StocksAsOf: %w", err)
		}
		st, ok := out[kind][unit]
		if !ok {
			continue // a kind not built, counted from its records above
		}
		if field == "" {
			st.All += n
		} else {
			if st.By[field] == nil {
				st.By[field] = map[string]int{}
			}
			st.By[field][value] += n
		}
		out[kind][unit] = st
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, k := range kinds {
		if len(k.Stocks) == 0 {
			continue
		}
		for u, st := range out[k.Slug] { // the total: the sum over the first field's values
			st.All = 0
			for _, n := range st.By[k.Stocks[0]] {
				st.All += n
			}
			out[k.Slug][u] = st
		}
	}
	return out, nil
}

// countStocks counts the Stock of each of units from the records, one grouped query per
// level among them (a banner's townships: one query over the banner's records, grouped by
// the first 9 digits of their codes). Units whose subtrees nest are counted each on its own.
func (s *Store) countStocks(ctx context.Context, k *Kind, units []string, asOf string) (map[string]Stock, error) {
	out := make(map[string]Stock, len(units))
	byLen := map[int][]string{}
	for _, u := range units {
		out[u] = Stock{By: stockFields(k)}
		byLen[len(region.Prefix(u))] = append(byLen[len(region.Prefix(u))], u)
	}
	for n, us := range byLen {
		if len(region.NewScope(us...).Roots()) != len(us) {
			for _, u := range us { // nested units (a region and a banner, say): one by one
				m, err := s.countStocks(ctx, k, []string{u}, asOf)
				if err != nil {
					return nil, err
				}
				out[u] = m[u]
			}
			continue
		}
		cond, args := k.where(Filter{Scope: region.NewScope(us...), AsOf: asOf}, 1)
		group := append([]string{fmt.Sprintf("substr(region_code, 1, %d)", n)}, k.Stocks...)
		q := fmt.Sprintf(`SELECT count(*), %s FROM %s WHERE %s GROUP BY %s`, strings.Join(group, ", "), k.Table, cond, strings.Join(group, ", "))
		rows, err := s.DB.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("registry.StocksAsOf %s: %w", k.Slug, db.Map(err))
		}
		unitOf := map[string]string{}
		for _, u := range us {
			unitOf[region.Prefix(u)] = u
		}
		vals := make([]any, len(k.Stocks))
		var prefix string
		var cnt int
		targets := []any{&cnt, &prefix}
		for i := range vals {
			targets = append(targets, &vals[i])
		}
		for rows.Next() {
			if err := rows.Scan(targets...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("registry.StocksAsOf %s: %w", k.Slug, err)
			}
			c, ok := unitOf[prefix]
			if !ok {
				continue
			}
			st := out[c]
			st.All += cnt
			for i, f := range k.Stocks {
				st.By[f][stockValue(vals[i])] += cnt
			}
			out[c] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// stockCount answers Count from the stock rows when it can: a count as of a day, of a
// region, league or banner, with no search, not Own, narrowed by at most one of Kind.Stocks,
// once the kind's rows are built. ok is false otherwise.
func (s *Store) stockCount(ctx context.Context, k *Kind, f Filter) (int, bool, error) {
	if f.AsOf == "" || strings.TrimSpace(f.Q) != "" || f.Own || !k.stocked() {
		return 0, false, nil
	}
	roots := f.Scope.Narrow(f.Within).Roots()
	if len(roots) != 1 || region.LevelOf(roots[0]) < region.LevelRegion || region.LevelOf(roots[0]) > region.LevelBanner {
		return 0, false, nil
	}
	if _, ok := (Stock{By: stockFields(k)}).Count(f.Enums); !ok {
		return 0, false, nil
	}
	if !s.stocksBuilt(ctx, k) {
		return 0, false, nil
	}
	m, err := s.StocksAsOf(ctx, k, f.Scope, roots, f.AsOf)
	if err != nil {
		return 0, false, err
	}
	n, _ := m[roots[0]].Count(f.Enums)
	return n, true, nil
}

// stockFields is an empty Stock.By with every field of k.Stocks (Stock.Count tells a field
// with no records from one that is not kept).
func stockFields(k *Kind) map[string]map[string]int {
	by := map[string]map[string]int{}
	for _, f := range k.Stocks {
		by[f] = map[string]int{}
	}
	return by
}
