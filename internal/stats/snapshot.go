package stats

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// snapCell is a cell as stored in stats_snapshots.
type snapCell struct {
	E int64   `json:"e,omitempty"`
	V float64 `json:"v,omitempty"`
	F bool    `json:"f,omitempty"`
	O int64   `json:"o,omitempty"`
	L float64 `json:"l,omitempty"`
	H float64 `json:"h,omitempty"`
	K bool    `json:"k,omitempty"`
	A string  `json:"a,omitempty"`
	R string  `json:"r,omitempty"`
}

func encodeCells(m map[string]cell) (string, error) {
	out := make(map[string]snapCell, len(m))
	for k, c := range m {
		out[k] = snapCell{c.exact, c.value, c.float, c.own, c.low, c.high, c.known, c.asOf, c.records}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func decodeCells(s string) (map[string]cell, error) {
	var in map[string]snapCell
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, err
	}
	out := make(map[string]cell, len(in))
	for k, c := range in {
		out[k] = cell{c.E, c.V, c.F, c.O, c.L, c.H, c.K, c.A, c.R}
	}
	return out, nil
}

type refreshKey struct{}

// Refreshing returns a context under which the registry reads no snapshot computed before the
// context's first use: every figure is computed from the domains once and its snapshot
// rewritten, and what has been computed under it since may be read again (the year before of
// one dashboard is the year of the next). A periodic job (kepu serve's figure refresher)
// computes the dashboards' figures under it before their snapshots expire, so a user's first
// view reads snapshots at most MaxAge old instead of waiting for the domains.
func Refreshing(ctx context.Context) context.Context {
	return context.WithValue(ctx, refreshKey{}, &refresh{})
}

// RefreshingOlderThan returns a context under which the registry reads only snapshots younger
// than age (and younger than MaxAge) and computes and rewrites the others. A refresher that has
// just refreshed a unit under Refreshing warms the units below it under this with age its own
// period: what the round has already computed (the unit's children, the year before) is read,
// and what would expire before the next round is computed again.
func RefreshingOlderThan(ctx context.Context, age time.Duration) context.Context {
	return context.WithValue(ctx, refreshKey{}, &refresh{age: max(age, time.Nanosecond)})
}

// refresh is the value of a Refreshing (age 0) or RefreshingOlderThan context.
type refresh struct {
	age   time.Duration
	once  sync.Once
	since time.Time // Refreshing: the registry's clock at the context's first use
}

// notBefore is the time a snapshot (or a shared result) must have been computed after to be
// read under ctx: MaxAge ago, or later under Refreshing (its first use) and
// RefreshingOlderThan (its age ago).
func (r *Registry) notBefore(ctx context.Context) time.Time {
	now := r.now()
	t := now.Add(-r.MaxAge)
	if f, ok := ctx.Value(refreshKey{}).(*refresh); ok {
		at := now.Add(-f.age)
		if f.age == 0 {
			f.once.Do(func() { f.since = now })
			at = f.since
		}
		if at.After(t) {
			t = at
		}
	}
	return t
}

// snapshots reads the fresh snapshot rows of the given units and period: unit → source →
// cells. Nothing when MaxAge is 0; under Refreshing and RefreshingOlderThan only rows computed
// after notBefore.
func (r *Registry) snapshots(ctx context.Context, units []string, q Query) (map[string]map[string]map[string]cell, error) {
	out := map[string]map[string]map[string]cell{}
	if r.MaxAge <= 0 || r.deps.DB == nil || len(units) == 0 {
		return out, nil
	}
	args := []any{q.Year, q.Month, r.notBefore(ctx).UTC()}
	ph := make([]string, len(units))
	for i, u := range units {
		args = append(args, u)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	rows, err := r.deps.DB.QueryContext(ctx, `SELECT region_code, source, cells FROM stats_snapshots WHERE year = $1 AND month = $2 AND computed_at > $3
		AND region_code IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("stats.snapshots: %w", db.Map(err))
	}
	defer rows.Close()
	for rows.Next() {
		var code, src, cells string
		if err := rows.Scan(&code, &src, &cells); err != nil {
			return nil, db.Map(err)
		}
		m, err := decodeCells(cells)
		if err != nil {
			continue // an unreadable row is recomputed
		}
		if out[code] == nil {
			out[code] = map[string]map[string]cell{}
		}
		out[code][src] = m
	}
	return out, rows.Err()
}

// kept is one source's computed cells at one unit, to be stored by keepAll.
type kept struct {
	unit, source string
	cells        map[string]cell
}

// keepAll stores computed sources' cells of one period in one statement (no-op when MaxAge is
// 0): the batches of a dashboard run side by side, and a write transaction per source and unit
// made them wait on SQLite's one writer (a cold region dashboard made about 180 of them).
func (r *Registry) keepAll(ctx context.Context, q Query, ks []kept) error {
	if r.MaxAge <= 0 || r.deps.DB == nil || len(ks) == 0 {
		return nil
	}
	at := r.now().UTC()
	rows := make([][]any, len(ks))
	for i, k := range ks {
		s, err := encodeCells(k.cells)
		if err != nil {
			return err
		}
		rows[i] = []any{k.unit, q.Year, q.Month, k.source, s, at}
	}
	err := db.BulkInsert(ctx, r.deps.DB, r.deps.DB.Dialect, "stats_snapshots", []string{"region_code", "year", "month", "source", "cells", "computed_at"}, rows,
		"ON CONFLICT (region_code, year, month, source) DO UPDATE SET cells = excluded.cells, computed_at = excluded.computed_at")
	if err != nil {
		return fmt.Errorf("stats.keep: %w", err)
	}
	return nil
}

// Forget deletes the snapshots of a source ("" = every source) at code and all its ancestors,
// so that the next read recomputes them (the funds ledger calls it on every change).
func (r *Registry) Forget(ctx context.Context, code, source string) error {
	if r.deps.DB == nil {
		return nil
	}
	codes := []string{code}
	for c := region.ParentOf(code); c != ""; c = region.ParentOf(c) {
		codes = append(codes, c)
	}
	args := []any{}
	ph := make([]string, len(codes))
	for i, c := range codes {
		args = append(args, c)
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	cond := ""
	if source != "" {
		args = append(args, source)
		cond = fmt.Sprintf(" AND source = $%d", len(args))
	}
	_, err := r.deps.DB.ExecContext(ctx, `DELETE FROM stats_snapshots WHERE region_code IN (`+strings.Join(ph, ", ")+`)`+cond, args...)
	return db.Map(err)
}

// Warm computes and stores the snapshots of every source for the unit and its children for
// the year (whole year and each month up to the current one), so that dashboards read them.
// It is what a periodic job calls; errors stop it.
func (r *Registry) Warm(ctx context.Context, unit string, year int) error {
	q := Query{Unit: unit, Year: year, Scope: region.NewScope(unit)}
	if _, err := r.Values(ctx, q); err != nil {
		return err
	}
	_, err := r.ChildrenValues(ctx, q)
	return err
}

func (r *Registry) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
