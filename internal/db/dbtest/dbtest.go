// Package dbtest gives each test a fresh, migrated database holding the embedded division
// tree: SQLite always, PostgreSQL when KEPU_TEST_POSTGRES holds a connection URL. Fresh
// databases are copies of a template built once (a file for SQLite, a template database for
// PostgreSQL), so a test costs a file copy or a CREATE DATABASE, not a migration.
//
// It is for tests only and must not be imported by product code.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// EnvPostgres names the variable that enables the PostgreSQL runs, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable
const EnvPostgres = "KEPU_TEST_POSTGRES"

// Run runs fn as two subtests, "sqlite" and "postgres", each on its own fresh database. The
// PostgreSQL run is skipped, with one line saying how to enable it, when KEPU_TEST_POSTGRES is
// unset.
func Run(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// Bench runs fn as two sub-benchmarks, "sqlite" and "postgres", each on its own fresh
// database (the PostgreSQL one skipped as in Run when KEPU_TEST_POSTGRES is unset).
func Bench(b *testing.B, fn func(b *testing.B, d *db.DB)) {
	b.Helper()
	b.Run("sqlite", func(b *testing.B) { fn(b, SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, Postgres(b)) })
}

// fingerprint changes whenever the migrations or the embedded tree change, so stale templates
// are never reused.
var fingerprint = sync.OnceValue(func() string {
	h := sha256.New()
	ms, _ := db.Migrations()
	for _, m := range ms {
		fmt.Fprintf(h, "%d %s %s %s\n", m.Version, m.Name, m.SQL, m.PostgresSQL)
	}
	units, _ := region.Embedded()
	fmt.Fprintf(h, "%d", len(units))
	for _, u := range units {
		io.WriteString(h, u.Code+u.Name)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
})

// prepare migrates a database and loads the embedded tree.
func prepare(ctx context.Context, d *db.DB) error {
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	_, err := (&region.Store{DB: d}).EnsureLoaded(ctx)
	return err
}

var sqliteTemplate struct {
	once sync.Once
	path string
	err  error
}

// SQLite returns a fresh migrated SQLite database in the test's temporary folder.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	sqliteTemplate.once.Do(func() {
		dir := filepath.Join(os.TempDir(), "kepu-dbtest")
		path := filepath.Join(dir, "template-"+fingerprint()+".db")
		sqliteTemplate.path = path
		if _, err := os.Stat(path); err == nil {
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			sqliteTemplate.err = err
			return
		}
		tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
		ctx := context.Background()
		d, err := db.Open(ctx, tmp)
		if err == nil {
			err = prepare(ctx, d)
			if err == nil {
				_, err = d.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
			}
			d.Close()
		}
		if err == nil {
			err = os.Rename(tmp, path) // atomic: other test processes see a whole file or none
		}
		os.Remove(tmp + "-wal")
		os.Remove(tmp + "-shm")
		sqliteTemplate.err = err
	})
	if sqliteTemplate.err != nil {
		t.Fatalf("dbtest: SQLite template: %v", sqliteTemplate.err)
	}
	path := filepath.Join(t.TempDir(), "kepu.db")
	src, err := os.ReadFile(sqliteTemplate.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

var pgTemplate struct {
	once sync.Once
	name string
	err  error
}

// withDatabase returns the connection URL with another database name.
func withDatabase(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a postgres:// URL", EnvPostgres)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// Postgres returns a fresh migrated PostgreSQL database, dropped when the test ends, or skips
// the test when KEPU_TEST_POSTGRES is unset.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		t.Skip("PostgreSQL run skipped: set " + EnvPostgres + "=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run it")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	pgTemplate.once.Do(func() { pgTemplate.name, pgTemplate.err = buildPgTemplate(ctx, admin, dsn) })
	if pgTemplate.err != nil {
		t.Fatalf("dbtest: PostgreSQL template: %v", pgTemplate.err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "kepu_t_" + hex.EncodeToString(b)
	var lastErr error
	for try := 0; try < 20; try++ {
		_, lastErr = admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+pgTemplate.name)
		if lastErr == nil || !strings.Contains(lastErr.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(time.Duration(50*(try+1)) * time.Millisecond)
	}
	if lastErr != nil {
		t.Fatalf("dbtest: create database: %v", lastErr)
	}
	tdsn, _ := withDatabase(dsn, name)
	d, err := db.Open(ctx, tdsn)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() {
		d.Close()
		if a, err := sql.Open("pgx", dsn); err == nil {
			a.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
			a.Close()
		}
	})
	return d
}

// buildPgTemplate makes (once across all test processes, under an advisory lock) a migrated
// database named after the fingerprint, and returns its name.
func buildPgTemplate(ctx context.Context, admin *sql.DB, dsn string) (string, error) {
	name := "kepu_tmpl_" + fingerprint()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7243191)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(7243191)`)
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return name, nil
	}
	building := name + "_building"
	conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`)
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	bdsn, err := withDatabase(dsn, building)
	if err != nil {
		return "", err
	}
	d, err := db.Open(ctx, bdsn)
	if err != nil {
		return "", err
	}
	err = prepare(ctx, d)
	d.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", err
	}
	return name, nil
}
