package db

import (
	"strings"
	"testing"
	"testing/fstest"
)

// A version may be one shared file or a .sqlite.sql/.postgres.sql pair, each dialect getting
// its own half; a lone half or a second file of a version is an error naming the version.
func TestMigrationPairs(t *testing.T) {
	ok := fstest.MapFS{
		"m/0001_base.sql":            {Data: []byte("CREATE TABLE a (id {{id}})")},
		"m/0002_search.sqlite.sql":   {Data: []byte("CREATE VIRTUAL TABLE s USING fts5(doc)")},
		"m/0002_search.postgres.sql": {Data: []byte("CREATE TABLE s (doc TEXT)")},
	}
	ms, err := parseMigrations(ok, "m")
	if err != nil || len(ms) != 2 {
		t.Fatalf("parseMigrations = %v, %v", ms, err)
	}
	if ms[1].Name != "search" || ms[1].For(SQLite) != "CREATE VIRTUAL TABLE s USING fts5(doc)" || ms[1].For(Postgres) != "CREATE TABLE s (doc TEXT)" {
		t.Errorf("pair: %+v", ms[1])
	}
	if got := ms[0].For(Postgres); !strings.Contains(got, "IDENTITY") || ms[0].For(SQLite) != "CREATE TABLE a (id INTEGER PRIMARY KEY)" {
		t.Errorf("shared file: %q", got)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"lone half":     {"m/0001_x.sqlite.sql": {}},
		"shared + half": {"m/0001_x.sql": {}, "m/0001_x.postgres.sql": {}},
		"two shared":    {"m/0001_x.sql": {}, "m/0001_y.sql": {}},
		"names differ":  {"m/0001_x.sqlite.sql": {}, "m/0001_y.postgres.sql": {}},
		"gap":           {"m/0001_x.sql": {}, "m/0003_y.sql": {}},
	} {
		if _, err := parseMigrations(fsys, "m"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// The embedded set has the search pair.
	all, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var pairs int
	for _, m := range all {
		if m.PostgresSQL != "" {
			pairs++
		}
	}
	if pairs == 0 {
		t.Error("no embedded migration is a dialect pair")
	}
}
