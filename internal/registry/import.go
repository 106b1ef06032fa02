package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
)

// ImportResult says what an import did, or every problem that stopped it.
type ImportResult struct {
	ImportID  int64
	Rows      int
	Created   int
	Updated   int
	Unchanged int
	Errors    sheet.Errors // when not empty, nothing was written
	More      int          // problems beyond those listed
}

// importRow is one good row of a file: its values in field order and its file row.
type importRow struct {
	row  int
	vals []any
}

// Import reads a .xlsx or .csv file of one kind and writes it all or nothing. Pass 1 parses
// and checks every row (types, limits, unit known and inside scope and at an allowed level,
// cross-field rules, natural keys repeated inside the file) without touching the records.
// Pass 2, in one transaction, matches rows to live records by natural key: unknown keys are
// inserted, changed records updated with an audit entry, identical ones left alone — so
// importing the same file twice changes nothing the second time. A key that exists outside the
// importer's scope is an error. Any problem in either pass and nothing is written.
func (s *Store) Import(ctx context.Context, k *Kind, scope region.Scope, actor int64, r io.Reader, fileName string, maxBytes int64) (ImportResult, error) {
	var res ImportResult
	levels, err := s.Regions.Levels(ctx)
	if err != nil {
		return res, err
	}
	keyIdx := make([]int, len(k.NaturalKey))
	for i, key := range k.NaturalKey {
		for j, f := range k.Fields {
			if f.Key == key {
				keyIdx[i] = j
			}
		}
	}
	refs := map[string]map[string]int{}
	for _, f := range k.Fields {
		if f.Ref != nil {
			if refs[f.Key], err = s.RefNames(ctx, f.Ref, scope); err != nil {
				return res, err
			}
		}
	}
	seen := map[string]int{}
	uniqueSeen := map[string]map[string]int{} // field → value → first row
	for _, key := range k.Unique {
		uniqueSeen[key] = map[string]int{}
	}
	var rows []importRow
	read, err := sheet.Read(r, k.Schema(), maxBytes, func(rec *sheet.Record) error {
		v := Values{}
		var absent []string
		for _, f := range k.Fields {
			var val any
			switch f.Kind {
			case sheet.Int:
				if x, ok := rec.Int(f.Key); ok {
					val = x
				}
			case sheet.Decimal:
				if x, ok := rec.Float(f.Key); ok {
					val = x
				}
			case sheet.Bool:
				if x, ok := rec.Bool(f.Key); ok {
					val = x
				}
			case sheet.Date:
				if x, ok := rec.Date(f.Key); ok {
					val = x.Format("2006-01-02")
				}
			default:
				if rec.Has(f.Key) {
					val = rec.Str(f.Key)
				}
			}
			if val != nil {
				v[f.Key] = val
			} else if !rec.Present(f.Key) {
				absent = append(absent, f.Key)
			}
		}
		k.fillDefaults(v, rec.Present) // a blank cell takes the default; an absent column stays as it is
		if code := v.Str(RegionKey); code != "" {
			c, err := region.Normalize(code)
			level, known := levels[c]
			switch {
			case err != nil:
				rec.Fail(RegionKey, "区划代码应为 6、9 或 12 位数字")
			case !known:
				rec.Fail(RegionKey, "区划代码 %s 不存在", code)
			default:
				v[RegionKey] = c
				if msg := regionProblem(k, scope, c, level); msg != "" {
					rec.Fail(RegionKey, "%s", msg)
				}
			}
		}
		for key, names := range refs {
			if name := v.Str(key); name != "" {
				f, _ := k.Field(key)
				if msg := refProblem(f.Ref, names, name); msg != "" {
					rec.Fail(key, "%s", msg)
				}
			}
		}
		if k.Check != nil && !rec.Failed() {
			// Checked as the record would be inserted: defaults in for absent columns too.
			full := Values{}
			for key, val := range v {
				full[key] = val
			}
			k.fillDefaults(full, func(string) bool { return true })
			for key, msg := range k.Check(full) {
				rec.Fail(key, "%s", msg)
			}
		}
		if rec.Failed() {
			return nil
		}
		vals := k.args(v)
		for _, key := range absent {
			for i, f := range k.Fields {
				if f.Key == key {
					vals[i] = keep{}
				}
			}
		}
		key := naturalKey(vals, keyIdx)
		if first, dup := seen[key]; dup {
			rec.Fail(k.NaturalKey[len(k.NaturalKey)-1], "与第 %d 行重复（%s）", first, strings.ReplaceAll(key, "\x00", "，"))
			return nil
		}
		for field, values := range uniqueSeen {
			if val := v.Str(field); val != "" {
				if first, dup := values[val]; dup {
					rec.Fail(field, "与第 %d 行重复", first)
					return nil
				}
				values[val] = rec.Row
			}
		}
		seen[key] = rec.Row
		rows = append(rows, importRow{row: rec.Row, vals: vals})
		return nil
	})
	if err != nil {
		return res, err
	}
	res.Rows = read.Rows
	if len(read.Errors) > 0 {
		res.Errors, res.More = read.Errors, read.More
		return res, nil
	}
	seen = nil
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO registry_imports (kind, file_name, account_id, at, created, updated) VALUES ($1, $2, $3, $4, 0, 0) RETURNING id`,
			k.Slug, fileName, nullID(actor), now).Scan(&res.ImportID); err != nil {
			return db.Map(err)
		}
		// The rows this import inserts have ids above the largest before it (and its import id).
		var before int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+k.Table).Scan(&before); err != nil {
			return db.Map(err)
		}
		const chunk = 500
		for start := 0; start < len(rows); start += chunk {
			if err := s.importChunk(ctx, tx, k, scope, actor, now, rows[start:min(start+chunk, len(rows))], keyIdx, &res); err != nil {
				return err
			}
		}
		if len(res.Errors) > 0 {
			return errImportRejected
		}
		if err := s.stockAdded(ctx, tx, k, "id > $1 AND import_id = $2", before, res.ImportID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE registry_imports SET created = $1, updated = $2 WHERE id = $3`, res.Created, res.Updated, res.ImportID)
		return db.Map(err)
	})
	if err == errImportRejected {
		sort.SliceStable(res.Errors, func(i, j int) bool { return res.Errors[i].Row < res.Errors[j].Row })
		res.ImportID, res.Created, res.Updated, res.Unchanged = 0, 0, 0, 0
		return res, nil
	}
	return res, err
}

var errImportRejected = fmt.Errorf("import rejected")

// keep marks a field whose column the file does not have: an update leaves it as it is, an
// insert leaves it empty.
type keep struct{}

func naturalKey(vals []any, idx []int) string {
	parts := make([]string, len(idx))
	for i, j := range idx {
		parts[i] = fmt.Sprint(vals[j])
	}
	return strings.Join(parts, "\x00")
}

// importChunk matches up to 500 rows to live records in one query, then inserts the new ones
// in one statement and updates the changed ones.
func (s *Store) importChunk(ctx context.Context, tx *sql.Tx, k *Kind, scope region.Scope, actor int64, now time.Time, rows []importRow, keyIdx []int, res *ImportResult) error {
	d := s.DB.Dialect
	var tuples []string
	var args []any
	for _, r := range rows {
		marks := make([]string, len(keyIdx))
		for i, j := range keyIdx {
			args = append(args, r.vals[j])
			marks[i] = d.Placeholder(len(args))
		}
		tuples = append(tuples, "("+strings.Join(marks, ", ")+")")
	}
	q := fmt.Sprintf(`SELECT id, created_at, updated_at, import_id, closed_on, %s FROM %s WHERE deleted_at IS NULL AND (%s) IN (VALUES %s)`,
		strings.Join(k.columns(), ", "), k.Table, strings.Join(k.NaturalKey, ", "), strings.Join(tuples, ", "))
	found, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("registry import lookup: %w", db.Map(err))
	}
	existing := map[string]Record{}
	for found.Next() {
		rec, err := k.scan(found)
		if err != nil {
			found.Close()
			return err
		}
		existing[naturalKey(k.args(rec.Values), keyIdx)] = rec
	}
	found.Close()
	if err := found.Err(); err != nil {
		return err
	}
	var inserts [][]any
	var insertRows []int // file row of each insert
	for _, r := range rows {
		key := naturalKey(r.vals, keyIdx)
		old, ok := existing[key]
		if !ok {
			row := make([]any, 0, len(r.vals)+5)
			for i, x := range r.vals {
				if _, absent := x.(keep); absent || x == nil {
					x = k.Defaults[k.Fields[i].Key]
				}
				row = append(row, x)
			}
			inserts = append(inserts, append(row, now, now, nullID(actor), nullID(actor), res.ImportID))
			insertRows = append(insertRows, r.row)
			continue
		}
		if !scope.Contains(old.Region()) {
			f := k.Fields[keyIdx[len(keyIdx)-1]]
			res.Errors = append(res.Errors, sheet.Error{Row: r.row, Column: f.Header, Msg: fmt.Sprintf("已登记在区划 %s，不在您的管理范围内", old.Region())})
			continue
		}
		v := Values{}
		for i, f := range k.Fields {
			switch x := r.vals[i].(type) {
			case nil:
			case keep:
				if old, ok := old.Values[f.Key]; ok {
					v[f.Key] = old
				}
			default:
				v[f.Key] = x
			}
		}
		changes := k.diff(old.Values, v)
		if len(changes) == 0 {
			res.Unchanged++
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT import_update`); err != nil {
			return err
		}
		if err := s.update(ctx, tx, k, old.ID, v, actor, now); err != nil {
			var verr ValidationError
			if !errors.As(err, &verr) {
				return err
			}
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT import_update`); err != nil {
				return err
			}
			for key, msg := range verr {
				f, _ := k.Field(key)
				res.Errors = append(res.Errors, sheet.Error{Row: r.row, Column: f.Header, Msg: msg})
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT import_update`); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, k, old.ID, now, actor, "import", changes); err != nil {
			return err
		}
		res.Updated++
	}
	if len(inserts) > 0 && len(res.Errors) == 0 {
		cols := append(k.columns(), "created_at", "updated_at", "created_by", "updated_by", "import_id")
		// Inside a savepoint, so that a conflict (a plaque or ID number already used by a
		// record outside the file) can be found row by row and reported with its row.
		if _, err := tx.ExecContext(ctx, `SAVEPOINT import_chunk`); err != nil {
			return err
		}
		err := db.BulkInsert(ctx, tx, d, k.Table, cols, inserts, "")
		if err == nil {
			if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT import_chunk`); err != nil {
				return err
			}
			res.Created += len(inserts)
			return nil
		}
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT import_chunk`); rerr != nil {
			return rerr
		}
		var verr ValidationError
		if !errors.As(s.keyConflict(k, err), &verr) {
			return err
		}
		for i, row := range inserts {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT import_row`); err != nil {
				return err
			}
			err := db.BulkInsert(ctx, tx, d, k.Table, cols, [][]any{row}, "")
			if err == nil {
				tx.ExecContext(ctx, `RELEASE SAVEPOINT import_row`)
				continue
			}
			tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT import_row`)
			if !errors.As(s.keyConflict(k, err), &verr) {
				return err
			}
			for key, msg := range verr {
				f, _ := k.Field(key)
				res.Errors = append(res.Errors, sheet.Error{Row: insertRows[i], Column: f.Header, Msg: msg})
			}
		}
	}
	return nil
}
