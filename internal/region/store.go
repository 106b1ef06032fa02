package region

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kepu/kepu/internal/db"
)

// Store reads and writes the regions table.
type Store struct {
	DB *db.DB
}

const unitCols = `code, COALESCE(parent_code, ''), level, kind, name, name_mn, population, population_year`

func scanUnit(row interface{ Scan(...any) error }) (Unit, error) {
	var u Unit
	var pop sql.NullInt64
	var year sql.NullInt64
	if err := row.Scan(&u.Code, &u.ParentCode, &u.Level, &u.Kind, &u.Name, &u.NameMN, &pop, &year); err != nil {
		return Unit{}, err
	}
	if pop.Valid {
		p := pop.Int64
		u.Population = &p
	}
	if year.Valid {
		y := int(year.Int64)
		u.PopYear = &y
	}
	return u, nil
}

func (s *Store) queryUnits(ctx context.Context, q string, args ...any) ([]Unit, error) {
	rows, err := s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.Map(err)
	}
	defer rows.Close()
	var us []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	return us, db.Map(rows.Err())
}

// LoadResult counts what Load did.
type LoadResult struct {
	Units int // units in the input
	Added int // units that were not in the table before
}

// Load writes units into the table in one transaction: new codes are added, known codes get
// the new name, level and kind while their Mongolian name and population stay. Units must be
// ordered parents first (as ReadCompact and ReadPackage return them).
func (s *Store) Load(ctx context.Context, units []Unit) (LoadResult, error) {
	res := LoadResult{Units: len(units)}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var before int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM regions`).Scan(&before); err != nil {
			return err
		}
		rows := make([][]any, len(units))
		for i, u := range units {
			var parent any
			if u.ParentCode != "" {
				parent = u.ParentCode
			}
			rows[i] = []any{u.Code, parent, int(u.Level), string(u.Kind), u.Name}
		}
		err := db.BulkInsert(ctx, tx, s.DB.Dialect, "regions", []string{"code", "parent_code", "level", "kind", "name"}, rows,
			`ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, level = excluded.level, kind = excluded.kind, name = excluded.name`)
		if err != nil {
			return err
		}
		var after int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM regions`).Scan(&after); err != nil {
			return err
		}
		res.Added = after - before
		return nil
	})
	if err != nil {
		if errors.Is(err, db.ErrConflict) {
			return res, fmt.Errorf("region.Load: a unit's parent is missing (units must come parents first): %w", err)
		}
		return res, fmt.Errorf("region.Load: %w", err)
	}
	return res, nil
}

// EnsureLoaded loads the embedded tree of DefaultProvince when the regions table is empty and
// reports whether it did.
func (s *Store) EnsureLoaded(ctx context.Context) (bool, error) {
	var n int
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM regions`).Scan(&n); err != nil {
		return false, fmt.Errorf("region.EnsureLoaded: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	units, err := Embedded()
	if err != nil {
		return false, err
	}
	_, err = s.Load(ctx, units)
	return err == nil, err
}

// Get returns the unit with the given code (any form Normalize accepts). Unknown codes give
// an error wrapping db.ErrNotFound that names the code.
func (s *Store) Get(ctx context.Context, code string) (Unit, error) {
	c, err := Normalize(code)
	if err != nil {
		return Unit{}, fmt.Errorf("%w: %v", db.ErrNotFound, err)
	}
	u, err := scanUnit(s.DB.QueryRowContext(ctx, `SELECT `+unitCols+` FROM regions WHERE code = $1`, c))
	if err != nil {
		return Unit{}, fmt.Errorf("unknown region code %s: %w", c, db.Map(err))
	}
	return u, nil
}

// Roots returns the level-1 units loaded (normally one province).
func (s *Store) Roots(ctx context.Context) ([]Unit, error) {
	return s.queryUnits(ctx, `SELECT `+unitCols+` FROM regions WHERE level = 1 ORDER BY code`)
}

// Children returns the units directly below code, in code order.
func (s *Store) Children(ctx context.Context, code string) ([]Unit, error) {
	return s.queryUnits(ctx, `SELECT `+unitCols+` FROM regions WHERE parent_code = $1 ORDER BY code`, code)
}

// Ancestors returns the chain from the level-1 unit down to the unit's parent (breadcrumbs).
func (s *Store) Ancestors(ctx context.Context, code string) ([]Unit, error) {
	var codes []any
	var marks []string
	for p := ParentOf(code); p != ""; p = ParentOf(p) {
		codes = append(codes, p)
		marks = append(marks, fmt.Sprintf("$%d", len(codes)))
	}
	if len(codes) == 0 {
		return nil, nil
	}
	return s.queryUnits(ctx, `SELECT `+unitCols+` FROM regions WHERE code IN (`+strings.Join(marks, ", ")+`) ORDER BY level`, codes...)
}

// Search finds units whose name contains q or whose code starts with q's digits, inside the
// subtree of within ("" for everywhere), shallow levels first, at most limit of them.
func (s *Store) Search(ctx context.Context, q, within string, limit int) ([]Unit, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	cond, args := "1 = 1", []any{}
	if within != "" {
		cond, args = NewScope(within).Where("code", 1)
	}
	isCode := strings.Trim(q, "0123456789") == ""
	if isCode {
		if c, err := Normalize(q); err == nil {
			q = Prefix(c)
		}
		args = append(args, q+"%")
		cond += fmt.Sprintf(" AND code LIKE $%d", len(args))
	} else {
		args = append(args, "%"+escapeLike(q)+"%")
		cond += fmt.Sprintf(" AND (name LIKE $%d ESCAPE '\\' OR name_mn LIKE $%d ESCAPE '\\')", len(args), len(args))
	}
	args = append(args, limit)
	return s.queryUnits(ctx, `SELECT `+unitCols+` FROM regions WHERE `+cond+fmt.Sprintf(` ORDER BY level, code LIMIT $%d`, len(args)), args...)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CountByLevel returns how many units of each level lie in the subtree of code (the unit
// itself included).
func (s *Store) CountByLevel(ctx context.Context, code string) (map[Level]int, error) {
	cond, args := NewScope(code).Where("code", 1)
	rows, err := s.DB.QueryContext(ctx, `SELECT level, count(*) FROM regions WHERE `+cond+` GROUP BY level`, args...)
	if err != nil {
		return nil, db.Map(err)
	}
	defer rows.Close()
	out := map[Level]int{}
	for rows.Next() {
		var l Level
		var n int
		if err := rows.Scan(&l, &n); err != nil {
			return nil, err
		}
		out[l] = n
	}
	return out, db.Map(rows.Err())
}

// DescendantCounts returns, for each child of code, how many units of each deeper level lie
// below it: result[childCode][level] = count.
func (s *Store) DescendantCounts(ctx context.Context, code string) (map[string]map[Level]int, error) {
	childLevel := LevelOf(code) + 1
	if childLevel > LevelVillage {
		return map[string]map[Level]int{}, nil // a village has nothing below it
	}
	n := prefixLen(childLevel)
	cond, args := NewScope(code).Where("code", 1)
	args = append(args, int(childLevel))
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT substr(code, 1, %d), level, count(*) FROM regions
		WHERE %s AND level > $%d GROUP BY substr(code, 1, %d), level`, n, cond, len(args), n), args...)
	if err != nil {
		return nil, db.Map(err)
	}
	defer rows.Close()
	out := map[string]map[Level]int{}
	for rows.Next() {
		var p string
		var l Level
		var c int
		if err := rows.Scan(&p, &l, &c); err != nil {
			return nil, err
		}
		child := padCode(p, childLevel)
		if out[child] == nil {
			out[child] = map[Level]int{}
		}
		out[child][l] = c
	}
	return out, db.Map(rows.Err())
}

// prefixLen is the length of the significant prefix of a unit at level l (1–5); levels
// below the village have none (0).
func prefixLen(l Level) int {
	if l < LevelRegion || l > LevelVillage {
		return 0
	}
	return [...]int{0, 2, 4, 6, 9, 12}[l]
}

// padCode turns a significant prefix back into a canonical code of level l.
func padCode(prefix string, l Level) string {
	if l <= LevelBanner {
		return (prefix + "000000")[:6]
	}
	return prefix
}

// Details are the fields of a unit that Kepu's users fill in: the Mongolian name and the
// population figure.
type Details struct {
	NameMN     string
	Population *int64
	PopYear    *int
}

// Validate checks the details; errors name the field.
func (d Details) Validate() error {
	if d.NameMN != "" {
		for _, r := range d.NameMN {
			if !(r >= 0x1800 && r <= 0x18AF) && r != ' ' && r != 0x202F && r != 0x200C && r != 0x200D {
				return fmt.Errorf("name_mn: %q is not traditional Mongolian script (U+1800–U+18AF)", string(r))
			}
		}
	}
	if d.Population != nil && *d.Population < 0 {
		return fmt.Errorf("population: must not be negative")
	}
	if d.PopYear != nil && (*d.PopYear < 1949 || *d.PopYear > 2100) {
		return fmt.Errorf("population_year: %d is not a plausible year", *d.PopYear)
	}
	return nil
}

// SetDetails replaces a unit's Mongolian name and population figure.
func (s *Store) SetDetails(ctx context.Context, code string, d Details) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return setDetails(ctx, s.DB, code, d)
}

func setDetails(ctx context.Context, ex db.Execer, code string, d Details) error {
	res, err := ex.ExecContext(ctx, `UPDATE regions SET name_mn = $1, population = $2, population_year = $3 WHERE code = $4`,
		d.NameMN, d.Population, d.PopYear, code)
	if err != nil {
		return fmt.Errorf("region.SetDetails: %w", db.Map(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("unknown region code %s: %w", code, db.ErrNotFound)
	}
	return nil
}

// ImportError is one bad cell or row of a details import.
type ImportError struct {
	File   string
	Row    int    // 1-based, the header is row 1
	Column string // column name, "" for the whole row
	Msg    string
}

func (e ImportError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s row %d: %s", e.File, e.Row, e.Msg)
	}
	return fmt.Sprintf("%s row %d, column %s: %s", e.File, e.Row, e.Column, e.Msg)
}

// ImportErrors is every problem found in one file; nothing was written.
type ImportErrors []ImportError

func (es ImportErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s), nothing imported:", len(es))
	for _, e := range es {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// DetailsRow is one parsed row of a details CSV.
type DetailsRow struct {
	Code string
	Details
}

// ParseDetailsCSV reads a UTF-8 CSV with a header row naming the columns code (required),
// name_mn, population, population_year (any subset, any order). It returns every row or every
// problem found (ImportErrors), never part of a file. It does not check that codes exist.
func ParseDetailsCSV(r io.Reader, file string) ([]DetailsRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, ImportErrors{{File: file, Row: 1, Msg: "cannot read the header row: " + err.Error()}}
	}
	col := map[string]int{}
	var errs ImportErrors
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch h {
		case "code", "name_mn", "population", "population_year":
			if _, dup := col[h]; dup {
				errs = append(errs, ImportError{File: file, Row: 1, Column: h, Msg: "column appears twice"})
			}
			col[h] = i
		default:
			errs = append(errs, ImportError{File: file, Row: 1, Column: h, Msg: "unknown column; expected code, name_mn, population, population_year"})
		}
	}
	if _, ok := col["code"]; !ok {
		errs = append(errs, ImportError{File: file, Row: 1, Column: "code", Msg: "required column is missing"})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var out []DetailsRow
	seen := map[string]int{}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, ImportError{File: file, Row: row, Msg: err.Error()})
			break
		}
		cell := func(name string) (string, bool) {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return "", false
			}
			return strings.TrimSpace(rec[i]), true
		}
		var d DetailsRow
		bad := func(c, msg string) { errs = append(errs, ImportError{File: file, Row: row, Column: c, Msg: msg}) }
		raw, _ := cell("code")
		code, err := Normalize(raw)
		if err != nil {
			bad("code", err.Error())
		} else if first, dup := seen[code]; dup {
			bad("code", fmt.Sprintf("code %s already given in row %d", code, first))
		} else {
			seen[code] = row
			d.Code = code
		}
		if v, ok := cell("name_mn"); ok {
			if !utf8.ValidString(v) {
				bad("name_mn", "not valid UTF-8")
			}
			d.NameMN = v
		}
		if v, ok := cell("population"); ok && v != "" {
			p, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				bad("population", fmt.Sprintf("%q is not a whole number", v))
			} else {
				d.Population = &p
			}
		}
		if v, ok := cell("population_year"); ok && v != "" {
			y, err := strconv.Atoi(v)
			if err != nil {
				bad("population_year", fmt.Sprintf("%q is not a year", v))
			} else {
				d.PopYear = &y
			}
		}
		if err := d.Details.Validate(); err != nil {
			field, msg, _ := strings.Cut(err.Error(), ": ")
			bad(field, msg)
		}
		out = append(out, d)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// ImportDetails parses a details CSV (see ParseDetailsCSV) and writes it in one transaction:
// all rows or none. Codes must be known units; the error lists every unknown one with its row.
func (s *Store) ImportDetails(ctx context.Context, r io.Reader, file string) (int, error) {
	rows, err := ParseDetailsCSV(r, file)
	if err != nil {
		return 0, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var errs ImportErrors
		for i, d := range rows {
			if err := setDetails(ctx, tx, d.Code, d.Details); err != nil {
				if errors.Is(err, db.ErrNotFound) {
					errs = append(errs, ImportError{File: file, Row: i + 2, Column: "code", Msg: "unknown region code " + d.Code})
					continue
				}
				return err
			}
		}
		if len(errs) > 0 {
			return errs
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}
