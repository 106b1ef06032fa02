package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/mask"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// Store reads and writes registry records of every kind.
type Store struct {
	DB      *db.DB
	Regions *region.Store
	Now     func() time.Time // UTC clock; time.Now when nil

	built sync.Map // kind slug → true once its stock rows are built (stocksBuilt)
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Record is one registry record.
type Record struct {
	ID         int64
	Values     Values
	RegionName string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ImportID   *int64
	// ClosedOn is the date (2006-01-02) from which a deleted record no longer counts; "" for a
	// live record, and for one deleted before closing dates were kept (it ends at its deletion).
	ClosedOn string
}

// Region returns the record's division code.
func (r Record) Region() string { return r.Values.Str(RegionKey) }

// ValidationError maps field keys to messages in Chinese; nothing was written.
type ValidationError = web.FieldErrors

// ErrOutOfScope is returned when a record or a unit lies outside the caller's scope.
var ErrOutOfScope = errors.New("outside your scope")

func (k *Kind) columns() []string {
	cols := make([]string, len(k.Fields))
	for i, f := range k.Fields {
		cols[i] = f.Key
	}
	return cols
}

// holders returns scan targets for the kind's fields.
func (k *Kind) holders() []any {
	hs := make([]any, len(k.Fields))
	for i, f := range k.Fields {
		switch f.Kind {
		case sheet.Int:
			hs[i] = new(sql.NullInt64)
		case sheet.Decimal:
			hs[i] = new(sql.NullFloat64)
		case sheet.Bool:
			hs[i] = new(sql.NullBool)
		default:
			hs[i] = new(sql.NullString)
		}
	}
	return hs
}

// values turns scanned holders into Values.
func (k *Kind) values(hs []any) Values {
	v := make(Values, len(k.Fields))
	for i, f := range k.Fields {
		switch h := hs[i].(type) {
		case *sql.NullInt64:
			if h.Valid {
				v[f.Key] = h.Int64
			}
		case *sql.NullFloat64:
			if h.Valid {
				v[f.Key] = h.Float64
			}
		case *sql.NullBool:
			if h.Valid {
				v[f.Key] = h.Bool
			}
		case *sql.NullString:
			if h.Valid {
				v[f.Key] = h.String
			}
		}
	}
	return v
}

// args returns the values in field order for SQL (nil for empty).
func (k *Kind) args(v Values) []any {
	out := make([]any, len(k.Fields))
	for i, f := range k.Fields {
		out[i] = v[f.Key]
	}
	return out
}

// Parse reads a record from raw text values (a form, an API body) with the same rules as a
// spreadsheet import, and checks the cross-field rules. Errors are per field, in Chinese.
func (k *Kind) Parse(raw map[string]string) (Values, ValidationError) {
	v := Values{}
	errs := ValidationError{}
	for _, f := range k.Fields {
		val, msg := f.Column.Parse(raw[f.Key], false)
		if msg != "" {
			errs[f.Key] = msg
			continue
		}
		if val != nil {
			v[f.Key] = normalizeValue(val)
		}
	}
	k.fillDefaults(v, func(key string) bool { _, bad := errs[key]; return !bad })
	if c, ok := v[RegionKey].(string); ok {
		if code, err := region.Normalize(c); err == nil {
			v[RegionKey] = code
		} else {
			errs[RegionKey] = "区划代码应为 6、9 或 12 位数字"
		}
	}
	// Cross-field rules run on what parsed, so that one submission shows every problem.
	if k.Check != nil {
		for key, msg := range k.Check(v) {
			if _, already := errs[key]; !already {
				errs[key] = msg
			}
		}
	}
	if len(errs) > 0 {
		return v, errs
	}
	return v, nil
}

// fillDefaults puts the kind's default into every empty field that may take one ("空白视为…").
func (k *Kind) fillDefaults(v Values, may func(key string) bool) {
	for key, d := range k.Defaults {
		if _, ok := v[key]; !ok && may(key) {
			v[key] = d
		}
	}
}

// Check runs the checks that need the database — the unit (known, in scope, at an allowed
// level) and references to other kinds — and returns their problems by field, or nil.
func (s *Store) Check(ctx context.Context, k *Kind, scope region.Scope, v Values) ValidationError {
	errs := ValidationError{}
	if code := v.Str(RegionKey); code != "" {
		if msg := s.checkRegion(ctx, k, scope, code); msg != "" {
			errs[RegionKey] = msg
		}
	}
	for key, msg := range s.checkRefs(ctx, k, scope, v) {
		errs[key] = msg
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// normalizeValue stores dates as ISO text.
func normalizeValue(val any) any {
	if t, ok := val.(time.Time); ok {
		return t.Format("2006-01-02")
	}
	return val
}

// checkRegion verifies a record's unit: known, inside scope, at a level the kind allows.
func (s *Store) checkRegion(ctx context.Context, k *Kind, scope region.Scope, code string) string {
	u, err := s.Regions.Get(ctx, code)
	if err != nil {
		return fmt.Sprintf("区划代码 %s 不存在", code)
	}
	return regionProblem(k, scope, u.Code, u.Level)
}

func regionProblem(k *Kind, scope region.Scope, code string, level region.Level) string {
	if !scope.Contains(code) {
		return fmt.Sprintf("区划 %s 不在您的管理范围内", code)
	}
	if level < k.MinLevel || level > k.MaxLevel {
		return fmt.Sprintf("%s不能登记在这一级区划（%s）", k.Name, code)
	}
	return ""
}

// Create validates and inserts a record inside scope, with an audit entry, in one transaction.
func (s *Store) Create(ctx context.Context, k *Kind, scope region.Scope, actor int64, v Values) (int64, error) {
	k.fillDefaults(v, func(string) bool { return true })
	if errs := s.Check(ctx, k, scope, v); errs != nil {
		return 0, errs
	}
	now := s.now()
	var id int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		cols := append(k.columns(), "created_at", "updated_at", "created_by", "updated_by")
		args := append(k.args(v), now, now, nullID(actor), nullID(actor))
		marks := make([]string, len(cols))
		for i := range marks {
			marks[i] = fmt.Sprintf("$%d", i+1)
		}
		err := tx.QueryRowContext(ctx, fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s) RETURNING id`, k.Table, strings.Join(cols, ", "), strings.Join(marks, ", ")), args...).Scan(&id)
		if err != nil {
			return s.keyConflict(k, db.Map(err))
		}
		if err := s.stockAdded(ctx, tx, k, "id = $1", id); err != nil {
			return err
		}
		return s.audit(ctx, tx, k, id, now, actor, "create", k.diff(nil, v))
	})
	return id, err
}

// keyConflict turns a unique-index conflict into a message on the natural key's fields.
func (s *Store) keyConflict(k *Kind, err error) error {
	if errors.Is(err, db.ErrConflict) {
		for _, key := range k.Unique {
			// SQLite names the column (table.column), PostgreSQL the index (table_column).
			if strings.Contains(err.Error(), k.Table+"."+key) || strings.Contains(err.Error(), key) && !strings.Contains(err.Error(), k.Table+"_key") {
				f, _ := k.Field(key)
				return ValidationError{key: "已有相同" + f.Header + "的记录"}
			}
		}
		var labels []string
		for _, key := range k.NaturalKey {
			f, _ := k.Field(key)
			labels = append(labels, f.Header)
		}
		return ValidationError{k.NaturalKey[len(k.NaturalKey)-1]: "已有相同" + strings.Join(labels, "和") + "的记录"}
	}
	return err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Get returns a live record inside scope; any other id is db.ErrNotFound.
func (s *Store) Get(ctx context.Context, k *Kind, scope region.Scope, id int64) (Record, error) {
	cond, args := scope.Where("region_code", 2)
	row := s.DB.QueryRowContext(ctx, fmt.Sprintf(`SELECT id, created_at, updated_at, import_id, closed_on, %s FROM %s WHERE id = $1 AND deleted_at IS NULL AND %s`,
		strings.Join(k.columns(), ", "), k.Table, cond), append([]any{id}, args...)...)
	rec, err := k.scan(row)
	if err != nil {
		return Record{}, fmt.Errorf("%s %d: %w", k.Slug, id, db.Map(err))
	}
	if names, err := s.Regions.Names(ctx, []string{rec.Region()}); err == nil {
		rec.RegionName = names[rec.Region()]
	}
	return rec, nil
}

func (k *Kind) scan(row interface{ Scan(...any) error }) (Record, error) {
	var rec Record
	var imp sql.NullInt64
	var closed sql.NullString
	hs := k.holders()
	if err := row.Scan(append([]any{&rec.ID, &rec.CreatedAt, &rec.UpdatedAt, &imp, &closed}, hs...)...); err != nil {
		return Record{}, err
	}
	rec.ClosedOn = closed.String
	if imp.Valid {
		rec.ImportID = &imp.Int64
	}
	rec.Values = k.values(hs)
	return rec, nil
}

// Update replaces a record's values (inside scope, and the new unit too), writing an audit
// entry with every changed field from → to. Nothing changed writes nothing.
func (s *Store) Update(ctx context.Context, k *Kind, scope region.Scope, actor, id int64, v Values) error {
	old, err := s.Get(ctx, k, scope, id)
	if err != nil {
		return err
	}
	k.fillDefaults(v, func(string) bool { return true })
	if errs := s.Check(ctx, k, scope, v); errs != nil {
		return errs
	}
	changes := k.diff(old.Values, v)
	if len(changes) == 0 {
		return nil
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.update(ctx, tx, k, id, v, actor, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, k, id, now, actor, "update", changes)
	})
}

func (s *Store) update(ctx context.Context, tx *sql.Tx, k *Kind, id int64, v Values, actor int64, now time.Time) error {
	sets := make([]string, 0, len(k.Fields)+2)
	args := k.args(v)
	for i, f := range k.Fields {
		sets = append(sets, fmt.Sprintf("%s = $%d", f.Key, i+1))
	}
	args = append(args, now, nullID(actor), id)
	n := len(k.Fields)
	sets = append(sets, fmt.Sprintf("updated_at = $%d", n+1), fmt.Sprintf("updated_by = $%d", n+2))
	return s.restock(ctx, tx, k, []int64{id}, func() error {
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE %s SET %s WHERE id = $%d AND deleted_at IS NULL`, k.Table, strings.Join(sets, ", "), n+3), args...)
		return s.keyConflict(k, db.Map(err))
	})
}

// Delete marks a record deleted (soft delete) with an audit entry; it stays in the database
// and its audit trail, and counts as of earlier dates (Filter.AsOf) until the day it closed:
// today (China date) when closedOn is "", else closedOn ("2006-01-02"), which may not lie in
// the future (a ValidationError on "closed_on"). A record entered in error is closed on its
// Since date, so that it counts on no day.
func (s *Store) Delete(ctx context.Context, k *Kind, scope region.Scope, actor, id int64, closedOn string) error {
	if _, err := s.Get(ctx, k, scope, id); err != nil {
		return err
	}
	now := s.now()
	today := now.In(China).Format("2006-01-02")
	if closedOn == "" {
		closedOn = today
	}
	if t, err := time.Parse("2006-01-02", closedOn); err != nil || t.Format("2006-01-02") != closedOn {
		return ValidationError{"closed_on": "关闭日期应为 2006-01-02 格式"}
	} else if closedOn > today {
		return ValidationError{"closed_on": "关闭日期不能晚于今天"}
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := s.restock(ctx, tx, k, []int64{id}, func() error {
			_, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE %s SET deleted_at = $1, closed_on = $2, updated_at = $1, updated_by = $3 WHERE id = $4`, k.Table), now, closedOn, nullID(actor), id)
			return db.Map(err)
		})
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, k, id, now, actor, "delete", []Change{{Field: "closed_on", Label: "关闭日期", To: closedOn}})
	})
}

// China is China Standard Time (UTC+8), in which dates of the registry and the statistics are
// reckoned.
var China = time.FixedZone("CST", 8*3600)

// Change is one field's change in the audit trail; personal data is masked.
type Change struct {
	Field string `json:"field"`
	Label string `json:"label"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// diff lists the fields whose values differ between old and new, shown as on pages.
func (k *Kind) diff(old, new Values) []Change {
	var out []Change
	for _, f := range k.Fields {
		a, b := f.display(old[f.Key]), f.display(new[f.Key])
		if a == b {
			continue
		}
		if f.PII != NotPII {
			a, b = maskPII(f, a), maskPII(f, b)
		}
		out = append(out, Change{Field: f.Key, Label: f.Header, From: a, To: b})
	}
	return out
}

func maskPII(f Field, s string) string {
	switch f.PII {
	case Phone:
		return mask.Phone(s)
	case IDNumber:
		return mask.IDNumber(s)
	}
	return s
}

func (s *Store) audit(ctx context.Context, ex db.Execer, k *Kind, id int64, at time.Time, actor int64, action string, changes []Change) error {
	text := ""
	if len(changes) > 0 {
		b, _ := json.Marshal(changes)
		text = string(b)
	}
	_, err := ex.ExecContext(ctx, `INSERT INTO registry_audit (kind, record_id, at, account_id, action, changes) VALUES ($1, $2, $3, $4, $5, $6)`,
		k.Slug, id, at, nullID(actor), action, text)
	if err != nil {
		return fmt.Errorf("registry audit: %w", db.Map(err))
	}
	return nil
}

// AuditEntry is one line of a record's history.
type AuditEntry struct {
	At        time.Time
	AccountID int64
	Action    string // create, update, delete, import, reveal
	Changes   []Change
}

// History returns a record's audit trail, oldest first.
func (s *Store) History(ctx context.Context, k *Kind, id int64) ([]AuditEntry, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT at, COALESCE(account_id, 0), action, changes FROM registry_audit WHERE kind = $1 AND record_id = $2 ORDER BY id`, k.Slug, id)
	if err != nil {
		return nil, db.Map(err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var changes string
		if err := rows.Scan(&e.At, &e.AccountID, &e.Action, &changes); err != nil {
			return nil, err
		}
		if changes != "" {
			json.Unmarshal([]byte(changes), &e.Changes)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Reveal returns a personal-data field in full to a caller whose scope holds the record, and
// logs that it was shown (audit action "reveal" with the field).
func (s *Store) Reveal(ctx context.Context, k *Kind, scope region.Scope, actor, id int64, key string) (string, error) {
	f, ok := k.Field(key)
	if !ok || f.PII == NotPII {
		return "", fmt.Errorf("%s has no personal field %q: %w", k.Slug, key, db.ErrNotFound)
	}
	rec, err := s.Get(ctx, k, scope, id)
	if err != nil {
		return "", err
	}
	if err := s.audit(ctx, s.DB, k, id, s.now(), actor, "reveal", []Change{{Field: key, Label: f.Header}}); err != nil {
		return "", err
	}
	return rec.Values.Str(key), nil
}

// Filter selects records for a list or an export.
type Filter struct {
	Scope  region.Scope      // the caller's scope (required)
	Within string            // narrow to this unit's subtree ("" for the whole scope)
	Own    bool              // with Within: only the records at exactly that unit, none below it
	Enums  map[string]string // field key → value; an enum's value may be several, comma-separated (any of them)
	Q      string            // text in any Search field
	After  Cursor            // keyset: records after this one
	Limit  int               // page size (default 50, at most 500)
	// AsOf ("2006-01-02", China date), when set, selects the records that existed at the end
	// of that day instead of the live ones: begun on or before it (the Kind.Since date, or the
	// day of entry when that is empty or the kind has none) and not closed by then (closed_on
	// after it, or — deleted before closing dates were kept — deleted after that day). Deleted
	// records are among them when they closed later. Check it with ParseAsOf.
	AsOf string
}

// ParseAsOf checks a date for Filter.AsOf: "" or a real date in 2006-01-02 form.
func ParseAsOf(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil || t.Format("2006-01-02") != s {
		return "", false
	}
	return s, true
}

// asOfWhere is the condition of Filter.AsOf for the day asOf, with its arguments from $next.
func (k *Kind) asOfWhere(asOf string, next int) (string, []any) {
	day, _ := time.ParseInLocation("2006-01-02", asOf, China)
	end := day.AddDate(0, 0, 1).UTC() // the first instant after the day
	began := fmt.Sprintf("created_at < $%d", next+1)
	if k.Since != "" {
		// An empty date ('' written by a caller that skipped Parse, or NULL) is the day of entry.
		began = fmt.Sprintf("((%s > '' AND %s <= $%d) OR (COALESCE(%s, '') = '' AND created_at < $%d))", k.Since, k.Since, next, k.Since, next+1)
	}
	open := fmt.Sprintf("(closed_on > $%d OR (COALESCE(closed_on, '') = '' AND (deleted_at IS NULL OR deleted_at >= $%d)))", next, next+1)
	return began + " AND " + open, []any{asOf, end}
}

// Cursor is a keyset position: lists are ordered by (region code, id).
type Cursor struct {
	Region string
	ID     int64
}

// String encodes a cursor for a URL ("" for the start).
func (c Cursor) String() string {
	if c.ID == 0 {
		return ""
	}
	return c.Region + "." + strconv.FormatInt(c.ID, 10)
}

// ParseCursor decodes Cursor.String; a bad cursor is the start.
func ParseCursor(s string) Cursor {
	code, id, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || strings.Trim(code, "0123456789") != "" {
		return Cursor{}
	}
	return Cursor{Region: code, ID: n}
}

// where builds the WHERE clause of a filter (without the cursor) from $next on.
func (k *Kind) where(f Filter, next int) (string, []any) {
	conds := []string{"deleted_at IS NULL"}
	var args []any
	if f.AsOf != "" {
		c, a := k.asOfWhere(f.AsOf, next)
		conds, args = []string{c}, a
	}
	// One code range per subtree: Within narrows the scope in Go, so the database gets the
	// narrow range alone (given both ranges, SQLite may walk the wide one).
	c, a := f.Scope.Narrow(f.Within).Where("region_code", next+len(args))
	conds, args = append(conds, c), append(args, a...)
	if f.Own && f.Within != "" {
		args = append(args, f.Within)
		conds = append(conds, fmt.Sprintf("region_code = $%d", next+len(args)-1))
	}
	for _, fl := range k.Fields {
		if v, ok := f.Enums[fl.Key]; ok && v != "" && (fl.Filter || fl.Kind == sheet.Enum || fl.Kind == sheet.Bool) {
			if fl.Kind == sheet.Bool {
				args = append(args, v == "true")
			} else if vs := strings.Split(v, ","); len(vs) > 1 {
				var ps []string
				for _, x := range vs {
					args = append(args, x)
					ps = append(ps, fmt.Sprintf("$%d", next+len(args)-1))
				}
				conds = append(conds, fmt.Sprintf("%s IN (%s)", fl.Key, strings.Join(ps, ", ")))
				continue
			} else {
				args = append(args, v)
			}
			conds = append(conds, fmt.Sprintf("%s = $%d", fl.Key, next+len(args)-1))
		}
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		if r := []rune(q); len(r) > 50 {
			q = string(r[:50])
		}
		args = append(args, "%"+db.EscapeLike(q)+"%")
		var ors []string
		for _, fl := range k.Fields {
			if fl.Search {
				ors = append(ors, fmt.Sprintf(`%s LIKE $%d ESCAPE '\'`, fl.Key, next+len(args)-1))
			}
		}
		if len(ors) > 0 {
			conds = append(conds, "("+strings.Join(ors, " OR ")+")")
		} else {
			args = args[:len(args)-1]
		}
	}
	return strings.Join(conds, " AND "), args
}

// ListPage is one page of a list.
type ListPage struct {
	Records []Record
	Next    Cursor // zero when this is the last page
	Total   int
}

// Count returns how many live records match the filter (its cursor and limit aside), or, with
// f.AsOf, how many existed at the end of that day.
func (s *Store) Count(ctx context.Context, k *Kind, f Filter) (int, error) {
	if n, ok, err := s.stockCount(ctx, k, f); ok || err != nil {
		return n, err
	}
	return s.countRecords(ctx, k, f)
}

// countRecords is Count from the records themselves.
func (s *Store) countRecords(ctx context.Context, k *Kind, f Filter) (int, error) {
	cond, args := k.where(f, 1)
	var n int
	if err := s.DB.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s`, k.Table, cond), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("registry.Count %s: %w", k.Slug, db.Map(err))
	}
	return n, nil
}

// List returns one page of live records matching the filter (with f.AsOf: of the records that
// existed at the end of that day, closed ones included with their ClosedOn), ordered by (region code, id),
// starting after f.After; the index (region_code, id) serves both the scope range and the
// order, so any page costs about the same.
func (s *Store) List(ctx context.Context, k *Kind, f Filter) (ListPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	var page ListPage
	var err error
	if page.Total, err = s.Count(ctx, k, f); err != nil {
		return page, err
	}
	cond, args := k.where(f, 1)
	if f.After.ID != 0 {
		args = append(args, f.After.Region, f.After.ID)
		cond += fmt.Sprintf(" AND (region_code, id) > ($%d, $%d)", len(args)-1, len(args))
	}
	args = append(args, limit+1)
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT id, created_at, updated_at, import_id, closed_on, %s FROM %s WHERE %s ORDER BY region_code, id LIMIT $%d`,
		strings.Join(k.columns(), ", "), k.Table, cond, len(args)), args...)
	if err != nil {
		return page, fmt.Errorf("registry.List %s: %w", k.Slug, db.Map(err))
	}
	defer rows.Close()
	for rows.Next() {
		rec, err := k.scan(rows)
		if err != nil {
			return page, err
		}
		page.Records = append(page.Records, rec)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	if len(page.Records) > limit {
		page.Records = page.Records[:limit]
		last := page.Records[limit-1]
		page.Next = Cursor{Region: last.Region(), ID: last.ID}
	}
	codes := map[string]bool{}
	var list []string
	for _, r := range page.Records {
		if !codes[r.Region()] {
			codes[r.Region()] = true
			list = append(list, r.Region())
		}
	}
	names, err := s.Regions.Names(ctx, list)
	if err != nil {
		return page, err
	}
	for i := range page.Records {
		page.Records[i].RegionName = names[page.Records[i].Region()]
	}
	return page, nil
}

// Counter returns the region browser's counter for a kind: live records grouped by code prefix.
func (s *Store) Counter(k *Kind) region.Counter {
	return region.Counter{Key: fmt.Sprintf("registry.count.%s", k.Slug), Count: func(ctx context.Context, scope region.Scope, groupLen int) (map[string]int, error) {
		cond, args := scope.Where("region_code", 1)
		return s.DB.Counts(ctx, fmt.Sprintf(`SELECT substr(region_code, 1, %d), count(*) FROM %s WHERE deleted_at IS NULL AND %s GROUP BY substr(region_code, 1, %d)`,
			groupLen, k.Table, cond, groupLen), args...)
	}}
}

// CountsAsOf counts the records of a kind inside scope that existed at the end of the day asOf
// ("2006-01-02", China date; see Filter.AsOf), grouped by the first groupLen characters of
// their division code: prefix → count. A bad date is an error.
func (s *Store) CountsAsOf(ctx context.Context, k *Kind, scope region.Scope, groupLen int, asOf string) (map[string]int, error) {
	if d, ok := ParseAsOf(asOf); !ok || d == "" {
		return nil, fmt.Errorf("registry.CountsAsOf: bad date %q", asOf)
	}
	cond, args := k.where(Filter{Scope: scope, AsOf: asOf}, 1)
	return s.DB.Counts(ctx, fmt.Sprintf(`SELECT substr(region_code, 1, %d), count(*) FROM %s WHERE %s GROUP BY substr(region_code, 1, %d)`,
		groupLen, k.Table, cond, groupLen), args...)
}

// Export writes every live record matching the filter as "xlsx" or "csv", personal data
// masked. One ordered query streams the rows (no page counts), so memory and time grow with
// the records linearly.
func (s *Store) Export(ctx context.Context, k *Kind, f Filter, w io.Writer, format string) error {
	f.After = Cursor{}
	cond, args := k.where(f, 1)
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT id, created_at, updated_at, import_id, closed_on, %s FROM %s WHERE %s ORDER BY region_code, id`,
		strings.Join(k.columns(), ", "), k.Table, cond), args...)
	if err != nil {
		return fmt.Errorf("registry.Export %s: %w", k.Slug, db.Map(err))
	}
	defer rows.Close()
	return sheet.Write(w, format, k.Schema(), func(yield func([]any) bool) error {
		for rows.Next() {
			rec, err := k.scan(rows)
			if err != nil {
				return err
			}
			row := make([]any, len(k.Fields))
			for i, fl := range k.Fields {
				v := rec.Values[fl.Key]
				if fl.PII != NotPII {
					v = maskPII(fl, rec.Values.Str(fl.Key))
				}
				row[i] = v
			}
			if !yield(row) {
				return nil
			}
		}
		return rows.Err()
	})
}

// RefNames counts the live records of a kind in scope by name: name → how many.
func (s *Store) RefNames(ctx context.Context, k *Kind, scope region.Scope) (map[string]int, error) {
	cond, args := scope.Where("region_code", 1)
	return s.DB.Counts(ctx, fmt.Sprintf(`SELECT name, count(*) FROM %s WHERE deleted_at IS NULL AND %s GROUP BY name`, k.Table, cond), args...)
}

// refProblem says what is wrong with a reference by name, or "".
func refProblem(parent *Kind, names map[string]int, name string) string {
	switch names[name] {
	case 1:
		return ""
	case 0:
		return fmt.Sprintf("您的管理范围内没有名为“%s”的%s", name, parent.Name)
	}
	return fmt.Sprintf("您的管理范围内有 %d 个名为“%s”的%s，无法确定是哪一个", names[name], name, parent.Name)
}

// checkRefs verifies the record's references to other kinds.
func (s *Store) checkRefs(ctx context.Context, k *Kind, scope region.Scope, v Values) ValidationError {
	errs := ValidationError{}
	for _, f := range k.Fields {
		if f.Ref == nil || v.Str(f.Key) == "" {
			continue
		}
		names, err := s.RefNames(ctx, f.Ref, scope)
		if err != nil {
			errs[f.Key] = err.Error()
			continue
		}
		if msg := refProblem(f.Ref, names, v.Str(f.Key)); msg != "" {
			errs[f.Key] = msg
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
