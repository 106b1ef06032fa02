package registry

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// Registry stocks (migration 0018): how many records of a kind existed at the end of a day,
// kept per region, league and banner in registry_stock_months and registry_stock_days, so that
// the count of a unit with 580,000 officers below it sums a few hundred rows. A record adds +1
// on its start day and -1 on its end day (see stockSpan) to the rows of every region, league
// and banner that holds it: once under field "" (all records) and once under each of
// Kind.Stocks with its value of that field. A day's stock is the sum of the month rows before
// its month and of the day rows of its month up to it; the same as Count with Filter.AsOf
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

// stockKey is one row of registry_stock_months (at = "2006-01") or registry_stock_days
// (at = "2006-01-02").
type stockKey struct {
	unit, at, field, value string
}

// stockDelta accumulates changes to the stock rows of one kind before they are written.
type stockDelta struct {
	months, days map[stockKey]int64
}

func newStockDelta() *stockDelta {
	return &stockDelta{months: map[stockKey]int64{}, days: map[stockKey]int64{}}
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
func (d *stockDelta) add(k *Kind, r stockRecord, sign int64) {
	if len(r.start) < 10 || (r.end != "" && r.end <= r.start) {
		return
	}
	for _, u := range stockUnits(r.region) {
		for i := -1; i < len(k.Stocks); i++ {
			field, value := "", ""
			if i >= 0 {
				field, value = k.Stocks[i], r.values[i]
			}
			d.months[stockKey{u, r.start[:7], field, value}] += sign
			d.days[stockKey{u, r.start, field, value}] += sign
			if r.end != "" {
				d.months[stockKey{u, r.end[:7], field, value}] -= sign
				d.days[stockKey{u, r.end, field, value}] -= sign
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

// readStock adds sign times the contribution of every row of k matching cond.
func (k *Kind) readStock(ctx context.Context, q db.Querier, d *stockDelta, sign int64, cond string, args ...any) error {
	rows, err := q.QueryContext(ctx, k.stockSelect(cond), args...)
	if err != nil {
		return fmt.Errorf("registry stocks %s: %w", k.Slug, db.Map(err))
	}
	defer rows.Close()
	var (
		code          string
		since, closed sql.NullString
		created       time.Time
		deleted       sql.NullTime
		vals          = make([]any, len(k.Stocks))
		targets       = []any{&code, &since, &created, &closed, &deleted}
		rec           = stockRecord{values: make([]string, len(k.Stocks))}
	)
	for i := range vals {
		targets = append(targets, &vals[i])
	}
	for rows.Next() {
		if err := rows.Scan(targets...); err != nil {
			return fmt.Errorf("registry stocks %s: %w", k.Slug, err)
		}
		rec.region = code
		rec.start, rec.end = stockSpan(since.String, created, closed.String, deleted)
		for i, v := range vals {
			rec.values[i] = stockValue(v)
		}
		d.add(k, rec, sign)
	}
	return rows.Err()
}

// write adds the accumulated deltas to the stock rows of k, in key order (so that two
// transactions lock rows in the same order).
func (d *stockDelta) write(ctx context.Context, ex db.Execer, dialect db.Dialect, k *Kind) error {
	for _, t := range []struct {
		table, col string
		m          map[stockKey]int64
	}{{"registry_stock_months", "month", d.months}, {"registry_stock_days", "day", d.days}} {
		keys := make([]stockKey, 0, len(t.m))
		for key, n := range t.m {
			if n != 0 {
				keys = append(keys, key)
			}
		}
		slices.SortFunc(keys, func(a, b stockKey) int {
			return strings.Compare(a.unit+"\x00"+a.at+"\x00"+a.field+"\x00"+a.value, b.unit+"\x00"+b.at+"\x00"+b.field+"\x00"+b.value)
		})
		rows := make([][]any, len(keys))
		for i, key := range keys {
			rows[i] = []any{k.Slug, key.unit, key.at, key.field, key.value, t.m[key]}
		}
		suffix := fmt.Sprintf("ON CONFLICT (kind, unit, %s, field, value) DO UPDATE SET delta = %s.delta + excluded.delta", t.col, t.table)
		if err := db.BulkInsert(ctx, ex, dialect, t.table, []string{"kind", "unit", t.col, "field", "value", "delta"}, rows, suffix); err != nil {
			return fmt.Errorf("registry stocks %s: %w", k.Slug, err)
		}
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
	return d.write(ctx, tx, s.DB.Dialect, k)
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
	return d.write(ctx, tx, s.DB.Dialect, k)
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
			for _, table := range []string{"registry_stock_months", "registry_stock_days", "registry_stock_kinds"} {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE kind = $1`, k.Slug); err != nil {
					return db.Map(err)
				}
			}
			d := newStockDelta()
			if err := k.readStock(ctx, tx, d, +1, "1 = 1"); err != nil {
				return err
			}
			if err := d.write(ctx, tx, s.DB.Dialect, k); err != nil {
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
// k.Stocks: unit code → Stock. Units outside scope are an error. Regions, leagues and banners
// are summed from the stock rows (one query for all of them); townships and villages, and
// kinds whose rows are not built, are counted from the records (their subtrees are small).
func (s *Store) StocksAsOf(ctx context.Context, k *Kind, scope region.Scope, units []string, asOf string) (map[string]Stock, error) {
	if d, ok := ParseAsOf(asOf); !ok || d == "" {
		return nil, fmt.Errorf("registry.StocksAsOf: bad date %q", asOf)
	}
	out := make(map[string]Stock, len(units))
	var summed []string
	for _, u := range units {
		if !scope.Contains(u) {
			return nil, fmt.Errorf("registry.StocksAsOf %s: %w", u, db.ErrNotFound)
		}
		out[u] = Stock{By: map[string]map[string]int{}}
		if l := region.LevelOf(u); l >= region.LevelRegion && l <= region.LevelBanner && s.stocksBuilt(ctx, k) {
			summed = append(summed, u)
			continue
		}
		st, err := s.countStock(ctx, k, u, asOf)
		if err != nil {
			return nil, err
		}
		out[u] = st
	}
	if len(summed) == 0 {
		return out, nil
	}
	marks := make([]string, len(summed))
	args := []any{k.Slug, asOf[:7], asOf[:7] + "-01", asOf}
	for i, u := range summed {
		args = append(args, u)
		marks[i] = fmt.Sprintf("$%d", len(args))
	}
	in := strings.Join(marks, ", ")
	q := fmt.Sprintf(`SELECT unit, field, value, SUM(delta) FROM registry_stock_months WHERE kind = $1 AND unit IN (%s) AND month < $2 GROUP BY unit, field, value
		UNION ALL SELECT unit, field, value, SUM(delta) FROM registry_stock_days WHERE kind = $1 AND unit IN (%s) AND day >= $3 AND day <= $4 GROUP BY unit, field, value`, in, in)
	rows, err := s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("registry.StocksAsOf %s: %w", k.Slug, db.Map(err))
	}
	defer rows.Close()
	for rows.Next() {
		var unit, field, value string
		var n int
		if err := rows.Scan(&unit, &field, &value, &n); err != nil {
			return nil, fmt.Errorf("registry.StocksAsOf %s: %w", k.Slug, err)
		}
		st := out[unit]
		if field == "" {
			st.All += n
		} else {
			if st.By[field] == nil {
				st.By[field] = map[string]int{}
			}
			st.By[field][value] += n
		}
		out[unit] = st
	}
	return out, rows.Err()
}

// countStock counts the Stock of one unit from the records (one grouped query).
func (s *Store) countStock(ctx context.Context, k *Kind, unit, asOf string) (Stock, error) {
	st := Stock{By: map[string]map[string]int{}}
	cond, args := k.where(Filter{Scope: region.NewScope(unit), AsOf: asOf}, 1)
	cols := strings.Join(append([]string{"count(*)"}, k.Stocks...), ", ")
	q := fmt.Sprintf(`SELECT %s FROM %s WHERE %s`, cols, k.Table, cond)
	if len(k.Stocks) > 0 {
		q += " GROUP BY " + strings.Join(k.Stocks, ", ")
	}
	rows, err := s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return st, fmt.Errorf("registry.StocksAsOf %s: %w", k.Slug, db.Map(err))
	}
	defer rows.Close()
	vals := make([]any, len(k.Stocks))
	for rows.Next() {
		var n int
		targets := []any{&n}
		for i := range vals {
			targets = append(targets, &vals[i])
		}
		if err := rows.Scan(targets...); err != nil {
			return st, fmt.Errorf("registry.StocksAsOf %s: %w", k.Slug, err)
		}
		st.All += n
		for i, f := range k.Stocks {
			if st.By[f] == nil {
				st.By[f] = map[string]int{}
			}
			st.By[f][stockValue(vals[i])] += n
		}
	}
	return st, rows.Err()
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

// stockFields is an empty By with every field of k.Stocks, for Stock.Count's field check.
func stockFields(k *Kind) map[string]map[string]int {
	by := map[string]map[string]int{}
	for _, f := range k.Stocks {
		by[f] = map[string]int{}
	}
	return by
}
