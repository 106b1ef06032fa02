// Package db owns the connection to Kepu's database: opening SQLite (the embedded default) or
// PostgreSQL from one connection string, the forward-only migrations, the small set of dialect
// differences, and the mapping of driver errors to the sentinels ErrNotFound and ErrConflict.
//
// It must not know any domain: no table here but the migration version table and settings,
// and no query that reads a domain's rows.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the pure-Go "sqlite" driver (no cgo)
)

// Dialect names the SQL dialect behind a DB.
type Dialect string

// The two dialects Kepu runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DefaultPath is the embedded SQLite database used when no --db is given.
const DefaultPath = "kepu-data/kepu.db"

// DB is a database handle with its dialect. It embeds *sql.DB, so it is used like one.
type DB struct {
	*sql.DB
	Dialect Dialect
	// Where is a human-readable, password-free description of the target, for messages.
	Where string
	// Path is the SQLite file ("" on PostgreSQL).
	Path string
}

// Sentinel errors that every store returns instead of driver errors.
var (
	// ErrNotFound: the row asked for does not exist (or is outside the caller's scope).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique or foreign-key constraint refused the write.
	ErrConflict = errors.New("conflict")
)

// Target is a parsed --db value.
type Target struct {
	Dialect Dialect
	// DSN is what is handed to the driver.
	DSN string
	// Path is the SQLite file path ("" for PostgreSQL).
	Path string
	// Where is the password-free description.
	Where string
}

// ParseTarget interprets a --db value: "" means DefaultPath; postgres:// or postgresql://
// URLs (and libpq key=value strings containing "host=" or "dbname=") mean PostgreSQL;
// "sqlite:PATH", "file:PATH" or a plain path mean SQLite. Any other scheme is an error that
// says which forms are accepted.
func ParseTarget(s string) (Target, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = DefaultPath
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"),
		strings.Contains(lower, "host=") || strings.Contains(lower, "dbname="):
		cfg, err := pgx.ParseConfig(s)
		if err != nil {
			return Target{}, fmt.Errorf("--db %q is not a valid PostgreSQL connection string (%v); expected postgres://user@host:5432/dbname?sslmode=disable", Redact(s), shortPgErr(err))
		}
		where := fmt.Sprintf("PostgreSQL %s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
		return Target{Dialect: Postgres, DSN: s, Where: where}, nil
	case strings.HasPrefix(lower, "sqlite:"):
		s = strings.TrimPrefix(s[len("sqlite:"):], "//")
	case strings.HasPrefix(lower, "file:"):
		s = s[len("file:"):]
	case strings.Contains(s, "://"):
		scheme := s[:strings.Index(s, "://")]
		return Target{}, fmt.Errorf("--db: unsupported scheme %q; use a SQLite file path (e.g. %s) or postgres://user@host:5432/dbname", scheme, DefaultPath)
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return Target{}, fmt.Errorf("--db: empty SQLite path; give a file path such as %s", DefaultPath)
	}
	dsn := "file:" + s + "?_pragma=foreign_keys(on)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(normal)&_txlock=immediate&_time_format=sqlite"
	return Target{Dialect: SQLite, DSN: dsn, Path: s, Where: "SQLite " + s}, nil
}

// Open connects to the database named by a --db value and checks that it answers. For SQLite
// it creates the file's folder first. Errors are one line that says what is wrong and what to
// do: an unreachable server, a file that is not a database, a folder that cannot be written.
func Open(ctx context.Context, dbFlag string) (*DB, error) {
	t, err := ParseTarget(dbFlag)
	if err != nil {
		return nil, err
	}
	return OpenTarget(ctx, t)
}

// OpenTarget is Open for an already parsed Target.
func OpenTarget(ctx context.Context, t Target) (*DB, error) {
	switch t.Dialect {
	case Postgres:
		sdb, err := sql.Open("pgx", t.DSN)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", t.Where, err)
		}
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := sdb.PingContext(pctx); err != nil {
			sdb.Close()
			return nil, fmt.Errorf("cannot reach %s: %s; is the server running and is --db right?", t.Where, shortPgErr(err))
		}
		sdb.SetMaxOpenConns(20)
		sdb.SetMaxIdleConns(10)
		return &DB{DB: sdb, Dialect: Postgres, Where: t.Where}, nil
	default:
		dir := filepath.Dir(t.Path)
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("cannot create the data folder %s: %v; choose a writable place with --db", dir, unwrapPath(err))
		}
		if err := checkWritable(dir, t.Path); err != nil {
			return nil, err
		}
		sdb, err := sql.Open("sqlite", t.DSN)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", t.Where, err)
		}
		// One writer at a time is SQLite's rule; a small pool lets readers run beside it (WAL).
		sdb.SetMaxOpenConns(8)
		sdb.SetMaxIdleConns(8)
		sdb.SetConnMaxIdleTime(0)
		var n int
		if err := sdb.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
			sdb.Close()
			if strings.Contains(err.Error(), "not a database") || strings.Contains(err.Error(), "SQLITE_NOTADB") {
				return nil, fmt.Errorf("%s is not a SQLite database; point --db at a Kepu database or at a new file", t.Path)
			}
			return nil, fmt.Errorf("cannot open %s: %v", t.Where, err)
		}
		return &DB{DB: sdb, Dialect: SQLite, Where: t.Where, Path: t.Path}, nil
	}
}

// checkWritable fails early, with a clear line, when SQLite could open the file but not write
// it or its WAL beside it (a read-only data folder).
func checkWritable(dir, path string) error {
	probe, err := os.CreateTemp(dir, ".kepu-write-check-*")
	if err != nil {
		return fmt.Errorf("the data folder %s is not writable (%v); fix its permissions or choose another --db path", dir, unwrapPath(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
		f.Close()
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("the database file %s cannot be opened for writing (%v); fix its permissions or choose another --db path", path, unwrapPath(err))
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func shortPgErr(err error) string {
	msg := err.Error()
	// pgx repeats the whole DSN in some messages; keep the last, most specific part.
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		return Redact(msg[i+2:])
	}
	return Redact(msg)
}

// Redact hides the password in a connection string, for logs and `kepu config`: the user
// information and a password query parameter of a URL, and password=… (quoted or not) of a
// key=value string.
func Redact(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		for k := range q {
			if strings.EqualFold(k, "password") {
				q.Set(k, "xxxxx")
				u.RawQuery = q.Encode()
			}
		}
		return u.String()
	}
	return passwordKV.ReplaceAllString(s, "${1}xxxxx")
}

var passwordKV = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)`)

// EscapeLike escapes the LIKE wildcards % and _ (and the escape character \) in s, for a
// pattern used with ESCAPE '\'.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Tx runs fn in one transaction, committing when fn returns nil and rolling back otherwise.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return Map(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return Map(tx.Commit())
}

// Map turns driver errors into the package sentinels, keeping the cause wrapped:
// sql.ErrNoRows becomes ErrNotFound itself; unique and foreign-key violations (SQLite extended codes
// 1555, 2067, 787; PostgreSQL SQLSTATE 23505, 23503) become ErrConflict. nil stays nil.
func Map(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound // the driver's text would add nothing a user can act on
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
		return err
	}
	var coder interface{ Code() int }
	if errors.As(err, &coder) {
		switch coder.Code() {
		case 1555, 2067, 787, 19:
			return fmt.Errorf("%w: %v", ErrConflict, err)
		}
	}
	var sqlState interface{ SQLState() string }
	if errors.As(err, &sqlState) {
		switch sqlState.SQLState() {
		case "23505", "23503":
			return fmt.Errorf("%w: %v", ErrConflict, err)
		}
	}
	return err
}

// Setting reads a value from the settings table (name → value); ErrNotFound if unset.
func (d *DB) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := d.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
	return v, Map(err)
}

// SetSetting stores a value in the settings table, replacing any earlier one.
func (d *DB) SetSetting(ctx context.Context, name, value string) error {
	_, err := d.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	return Map(err)
}

// Execer is what both *sql.DB and *sql.Tx offer for writes.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Placeholder returns the n-th (1-based) bind parameter: "$n" on PostgreSQL, "?" on SQLite.
// Short queries use "$n" on both databases; statements with hundreds of parameters use this,
// because the SQLite driver resolves each "$n" by name, which made a 3,000-parameter INSERT
// 20 times slower than with "?" (BenchmarkBulkInsert, docs/BENCHMARKS.md).
func (d Dialect) Placeholder(n int) string {
	if d == Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// BulkInsert inserts rows into table in multi-row INSERT statements of at most 500 rows
// (500 rows × a dozen columns stays far under either driver's parameter limit). suffix is
// appended to each statement, e.g. an ON CONFLICT clause; it must hold no parameters.
func BulkInsert(ctx context.Context, ex Execer, dialect Dialect, table string, cols []string, rows [][]any, suffix string) error {
	const batch = 500
	for start := 0; start < len(rows); start += batch {
		end := min(start+batch, len(rows))
		args := make([]any, 0, (end-start)*len(cols))
		for i, row := range rows[start:end] {
			if len(row) != len(cols) {
				return fmt.Errorf("db.BulkInsert %s: row %d has %d values for %d columns", table, start+i, len(row), len(cols))
			}
			args = append(args, row...)
		}
		q := InsertSQL(dialect, table, cols, end-start)
		if suffix != "" {
			q += " " + suffix
		}
		if _, err := ex.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("db.BulkInsert %s: %w", table, Map(err))
		}
	}
	return nil
}

// InsertSQL returns "INSERT INTO table (cols…) VALUES (…), (…)" for n rows, with the dialect's
// numbered placeholders in row order (row i's column j is parameter i*len(cols)+j+1).
func InsertSQL(dialect Dialect, table string, cols []string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(dialect.Placeholder(i*len(cols) + j + 1))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// Counts runs a query whose rows are (text key, count) — a GROUP BY — and returns them as a map.
func (d *DB) Counts(ctx context.Context, query string, args ...any) (map[string]int, error) {
	rows, err := d.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, Map(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return nil, err
		}
		out[key] = n
	}
	return out, Map(rows.Err())
}

// SyncSequence moves an id column's sequence past the largest id of table, after rows were
// inserted with ids chosen by the caller (bulk loads that link child rows by id). SQLite needs
// nothing: its next id is always max(id)+1.
func SyncSequence(ctx context.Context, ex Execer, dialect Dialect, table string) error {
	if dialect != Postgres {
		return nil
	}
	_, err := ex.ExecContext(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), GREATEST((SELECT MAX(id) FROM %s), 1))`, table, table))
	return Map(err)
}

// Querier is what *sql.DB and *sql.Tx offer for reads.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Scanner is a row being read: *sql.Row or *sql.Rows.
type Scanner interface {
	Scan(dest ...any) error
}

// QueryAll runs a query and returns every row as scan reads it, in the query's order (nil
// when there are none). Errors of the driver come back mapped (Map).
func QueryAll[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, Map(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, Map(err)
		}
		out = append(out, v)
	}
	return out, Map(rows.Err())
}
