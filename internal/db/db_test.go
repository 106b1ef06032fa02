package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in      string
		dialect db.Dialect
		path    string
		errHas  string
	}{
		{in: "", dialect: db.SQLite, path: db.DefaultPath},
		{in: "data/x.db", dialect: db.SQLite, path: "data/x.db"},
		{in: "sqlite:///tmp/k.db", dialect: db.SQLite, path: "/tmp/k.db"},
		{in: "file:k.db?mode=rw", dialect: db.SQLite, path: "k.db"},
		{in: "postgres://u:secret@localhost:5432/kepu?sslmode=disable", dialect: db.Postgres},
		{in: "postgresql://u@h/kepu", dialect: db.Postgres},
		{in: "mysql://root@localhost/kepu", errHas: `unsupported scheme "mysql"`},
		{in: "postgres://u@h:notaport/kepu", errHas: "not a valid PostgreSQL connection string"},
		{in: "sqlite:", errHas: "empty SQLite path"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := db.ParseTarget(tt.in)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("ParseTarget(%q) error = %v, want one containing %q", tt.in, err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Dialect != tt.dialect || got.Path != tt.path {
				t.Errorf("ParseTarget(%q) = %s %q, want %s %q", tt.in, got.Dialect, got.Path, tt.dialect, tt.path)
			}
			if strings.Contains(got.Where, "secret") {
				t.Errorf("Where leaks the password: %s", got.Where)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h/db":                          "postgres://u:xxxxx@h/db",
		"postgres://u@h/db":                                 "postgres://u@h/db",
		"host=h user=u password=secret x":                   "host=h user=u password=xxxxx x",
		"host=h password='a b' user=u":                      "host=h password=xxxxx user=u",
		"postgres://u@h/db?password=s3cret&sslmode=disable": "postgres://u@h/db?password=xxxxx&sslmode=disable",
	} {
		if got := db.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOpenBadInput(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.db")
	os.WriteFile(notDB, []byte("these are my notes, not a database, and they are long enough to matter"), 0o600)
	fileAsDir := filepath.Join(dir, "plainfile")
	os.WriteFile(fileAsDir, []byte("x"), 0o600)
	tests := []struct{ name, dsn, want string }{
		{"not a database", notDB, "is not a SQLite database"},
		{"folder is a file", filepath.Join(fileAsDir, "kepu.db"), "cannot create the data folder"},
		{"unreachable PostgreSQL", "postgres://postgres@127.0.0.1:1/kepu?sslmode=disable&connect_timeout=2", "cannot reach PostgreSQL"},
		{"malformed", "redis://localhost", "unsupported scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := db.Open(ctx, tt.dsn)
			if err == nil {
				d.Close()
				t.Fatalf("Open(%q) succeeded", tt.dsn)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Open(%q) = %q, want one line containing %q", tt.dsn, err, tt.want)
			}
		})
	}
	// The bad file is left as it was: nothing half-written.
	if b, _ := os.ReadFile(notDB); !strings.HasPrefix(string(b), "these are my notes") {
		t.Error("Open changed a file that is not a database")
	}
}

func TestOpenReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: file permissions do not stop root; covered by the folder-is-a-file case")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	os.Mkdir(dir, 0o500)
	_, err := db.Open(context.Background(), filepath.Join(dir, "kepu.db"))
	if err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Fatalf("Open in a read-only folder = %v, want 'not writable'", err)
	}
}

func TestMigrations(t *testing.T) {
	ms, err := db.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		v, err := d.Applied(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != len(ms) {
			t.Fatalf("applied version %d, want %d", v, len(ms))
		}
		n, err := d.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second Migrate applied %d (err %v), want 0", n, err)
		}
		pending, err := d.Pending(ctx)
		if err != nil || len(pending) != 0 {
			t.Fatalf("Pending = %v, %v", pending, err)
		}
	})
}

func TestErrorMapping(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.SetSetting(ctx, "k", "v1"); err != nil {
			t.Fatal(err)
		}
		if err := d.SetSetting(ctx, "k", "v2"); err != nil {
			t.Fatal(err)
		}
		if v, err := d.Setting(ctx, "k"); err != nil || v != "v2" {
			t.Fatalf("Setting = %q, %v; want v2", v, err)
		}
		if _, err := d.Setting(ctx, "missing"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("missing setting: %v, want ErrNotFound", err)
		}
		_, err := d.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('k', 'again')`)
		if err = db.Map(err); !errors.Is(err, db.ErrConflict) {
			t.Errorf("duplicate key: %v, want ErrConflict", err)
		}
		_, err = d.ExecContext(ctx, `INSERT INTO regions (code, parent_code, level, kind, name) VALUES ('159999', '159900', 3, 'banner', 'x')`)
		if err = db.Map(err); !errors.Is(err, db.ErrConflict) {
			t.Errorf("foreign key: %v, want ErrConflict", err)
		}
	})
}

func TestTxRollsBack(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('half', 'written')`); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx = %v, want boom", err)
		}
		if _, err := d.Setting(ctx, "half"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("row of a failed transaction is visible: %v", err)
		}
	})
}

func TestBulkInsert(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var rows [][]any
		for i := range 1234 {
			rows = append(rows, []any{fmt.Sprintf("bulk%04d", i), "v"})
		}
		if err := db.BulkInsert(ctx, d, d.Dialect, "settings", []string{"name", "value"}, rows, ""); err != nil {
			t.Fatal(err)
		}
		var n int
		d.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE name LIKE 'bulk%'`).Scan(&n)
		if n != 1234 {
			t.Errorf("inserted %d rows, want 1234", n)
		}
		if err := db.BulkInsert(ctx, d, d.Dialect, "settings", []string{"name", "value"}, [][]any{{"x"}}, ""); err == nil {
			t.Error("a short row was accepted")
		}
	})
}
