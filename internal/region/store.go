package region

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

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

// maxQuery is the longest search text used (runes); longer input is cut.
const maxQuery = 50

// Search finds units whose name contains q or whose code starts with q's digits, inside the
// subtree of within ("" for everywhere), shallow levels first, at most limit of them.
func (s *Store) Search(ctx context.Context, q, within string, limit int) ([]Unit, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if r := []rune(q); len(r) > maxQuery {
		q = string(r[:maxQuery]) // no unit name is longer; SQLite refuses very long LIKE patterns
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
		args = append(args, "%"+db.EscapeLike(q)+"%")
		cond += fmt.Sprintf(" AND (name LIKE $%d ESCAPE '\\' OR name_mn LIKE $%d ESCAPE '\\')", len(args), len(args))
	}
	args = append(args, limit)
	return s.queryUnits(ctx, `SELECT `+unitCols+` FROM regions WHERE `+cond+fmt.Sprintf(` ORDER BY level, code LIMIT $%d`, len(args)), args...)
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

// DetailsRow is one parsed row of a details CSV. A nil field was absent or empty in the file
// and is left as it is in the database.
type DetailsRow struct {
	Row        int // 1-based line of the file (the header is row 1)
	Code       string
	NameMN     *string
	Population *int64
	PopYear    *int
}

// detailsColumns are the columns a details CSV may have, in the order errors are listed.
var detailsColumns = []string{"code", "name_mn", "population", "population_year"}

// ParseDetailsCSV reads a UTF-8 CSV (a BOM is allowed) whose header names the columns: code
// (required), name_mn, population, population_year, in any order. Every row must have as many
// fields as the header. An empty cell leaves that value unchanged. It returns the rows, or
// ImportErrors listing every problem of every row (row, column, reason) and no rows: an import
// is all or nothing. It does not check that the codes exist (ImportDetails does).
func ParseDetailsCSV(r io.Reader, file string) ([]DetailsRow, error) {
	rows, errs := parseDetails(r, file)
	if len(errs) > 0 {
		return nil, errs
	}
	return rows, nil
}

func parseDetails(r io.Reader, file string) ([]DetailsRow, ImportErrors) {
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
		if !slices.Contains(detailsColumns, h) {
			errs = append(errs, ImportError{File: file, Row: 1, Column: h, Msg: "unknown column; expected code, name_mn, population, population_year"})
			continue
		}
		if _, dup := col[h]; dup {
			errs = append(errs, ImportError{File: file, Row: 1, Column: h, Msg: "column appears twice"})
		}
		col[h] = i
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
		bad := func(c, msg string) { errs = append(errs, ImportError{File: file, Row: row, Column: c, Msg: msg}) }
		if err != nil {
			bad("", err.Error())
			break
		}
		if len(rec) != len(header) {
			bad("", fmt.Sprintf("%d fields, but the header has %d", len(rec), len(header)))
			continue
		}
		cell := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		d := DetailsRow{Row: row}
		code, err := Normalize(cell("code"))
		switch {
		case cell("code") == "":
			bad("code", "empty")
		case err != nil:
			bad("code", err.Error())
		default:
			if first, dup := seen[code]; dup {
				bad("code", fmt.Sprintf("code %s already given in row %d", code, first))
			}
			seen[code] = row
			d.Code = code
		}
		if v := cell("name_mn"); v != "" {
			if err := (Details{NameMN: v}).Validate(); err != nil {
				bad("name_mn", strings.TrimPrefix(err.Error(), "name_mn: "))
			}
			d.NameMN = &v
		}
		if v := cell("population"); v != "" {
			p, err := strconv.ParseInt(v, 10, 64)
			switch {
			case err != nil:
				bad("population", fmt.Sprintf("%q is not a whole number", v))
			case p < 0:
				bad("population", "must not be negative")
			default:
				d.Population = &p
			}
		}
		if v := cell("population_year"); v != "" {
			y, err := strconv.Atoi(v)
			switch {
			case err != nil:
				bad("population_year", fmt.Sprintf("%q is not a year", v))
			case y < 1949 || y > 2100:
				bad("population_year", fmt.Sprintf("%d is not a plausible year (1949–2100)", y))
			default:
				d.PopYear = &y
			}
		}
		out = append(out, d)
	}
	return out, errs
}

// ImportDetails reads a details CSV (see ParseDetailsCSV) and writes it in one transaction:
// every row or none. It returns how many units got a new value. Codes must be known units. On failure it returns ImportErrors with every
// problem found, unknown codes included, in row order.
func (s *Store) ImportDetails(ctx context.Context, r io.Reader, file string) (int, error) {
	rows, errs := parseDetails(r, file)
	if len(errs) > 0 && rows == nil {
		return 0, errs
	}
	known, err := s.knownCodes(ctx, rows)
	if err != nil {
		return 0, err
	}
	for _, d := range rows {
		if d.Code != "" && !known[d.Code] {
			errs = append(errs, ImportError{File: file, Row: d.Row, Column: "code", Msg: "unknown region code " + d.Code})
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			if errs[i].Row != errs[j].Row {
				return errs[i].Row < errs[j].Row
			}
			return slices.Index(detailsColumns, errs[i].Column) < slices.Index(detailsColumns, errs[j].Column)
		})
		return 0, errs
	}
	updated := 0
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, d := range rows {
			var sets []string
			var args []any
			add := func(col string, v any) {
				args = append(args, v)
				sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
			}
			if d.NameMN != nil {
				add("name_mn", *d.NameMN)
			}
			if d.Population != nil {
				add("population", *d.Population)
			}
			if d.PopYear != nil {
				add("population_year", *d.PopYear)
			}
			if len(sets) == 0 {
				continue
			}
			args = append(args, d.Code)
			q := fmt.Sprintf(`UPDATE regions SET %s WHERE code = $%d`, strings.Join(sets, ", "), len(args))
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("region.ImportDetails %s row %d: %w", file, d.Row, db.Map(err))
			}
			updated++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return updated, nil
}

// knownCodes returns which of the rows' codes are in the regions table.
func (s *Store) knownCodes(ctx context.Context, rows []DetailsRow) (map[string]bool, error) {
	known := map[string]bool{}
	for start := 0; start < len(rows); start += 500 {
		var marks []string
		var args []any
		for _, d := range rows[start:min(start+500, len(rows))] {
			if d.Code != "" {
				args = append(args, d.Code)
				marks = append(marks, s.DB.Dialect.Placeholder(len(args)))
			}
		}
		if len(args) == 0 {
			continue
		}
		rs, err := s.DB.QueryContext(ctx, `SELECT code FROM regions WHERE code IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, db.Map(err)
		}
		for rs.Next() {
			var c string
			if err := rs.Scan(&c); err != nil {
				rs.Close()
				return nil, err
			}
			known[c] = true
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, err
		}
	}
	return known, nil
}

// Names returns the Chinese names of the given units (unknown codes are left out).
func (s *Store) Names(ctx context.Context, codes []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(codes); start += 500 {
		var marks []string
		var args []any
		for _, c := range codes[start:min(start+500, len(codes))] {
			args = append(args, c)
			marks = append(marks, s.DB.Dialect.Placeholder(len(args)))
		}
		rows, err := s.DB.QueryContext(ctx, `SELECT code, name FROM regions WHERE code IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, db.Map(err)
		}
		for rows.Next() {
			var c, n string
			if err := rows.Scan(&c, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[c] = n
		}
		rows.Close()
	}
	return out, nil
}

// Levels returns every loaded unit's level by canonical code, for checking many codes at once
// (an import): about 16,000 entries for one province.
func (s *Store) Levels(ctx context.Context) (map[string]Level, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT code, level FROM regions`)
	if err != nil {
		return nil, db.Map(err)
	}
	defer rows.Close()
	out := make(map[string]Level, 16384)
	for rows.Next() {
		var c string
		var l Level
		if err := rows.Scan(&c, &l); err != nil {
			return nil, err
		}
		out[c] = l
	}
	return out, rows.Err()
}

// UnitsAt returns every unit of a level, in code order, with its details.
func (s *Store) UnitsAt(ctx context.Context, l Level) ([]Unit, error) {
	return s.queryUnits(ctx, `SELECT `+unitCols+` FROM regions WHERE level = $1 ORDER BY code`, int(l))
}
