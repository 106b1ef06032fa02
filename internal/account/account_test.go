package account_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

func TestPasswordHash(t *testing.T) {
	h, err := account.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q is not argon2id in PHC format", h)
	}
	h2, _ := account.HashPassword("correct horse")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if ok, err := account.CheckPassword(h, "correct horse"); !ok || err != nil {
		t.Errorf("right password refused: %v", err)
	}
	if ok, _ := account.CheckPassword(h, "correct horsE"); ok {
		t.Error("wrong password accepted")
	}
	if _, err := account.CheckPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Error("a foreign hash format was not reported")
	}
	if _, err := account.HashPassword("            "); err == nil {
		t.Error("a password of spaces was hashed")
	}
	if _, err := account.HashPassword("short"); err == nil {
		t.Error("a 5-character password was hashed")
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := account.NewLimiter(3, 10*time.Minute)
	l.Now = func() time.Time { return now }
	for i := range 3 {
		if blocked, _ := l.Blocked("k"); blocked {
			t.Fatalf("blocked after %d failures", i)
		}
		l.Fail("k")
	}
	blocked, wait := l.Blocked("k")
	if !blocked || wait != 10*time.Minute {
		t.Fatalf("after 3 failures: blocked=%v wait=%v", blocked, wait)
	}
	if b, _ := l.Blocked("other"); b {
		t.Error("another key is blocked")
	}
	now = now.Add(10 * time.Minute)
	if b, _ := l.Blocked("k"); b {
		t.Error("still blocked after the window")
	}
	l.Fail("k")
	l.Reset("k")
	if b, _ := l.Blocked("k"); b {
		t.Error("blocked after Reset")
	}
}

// A stranger who fails 5 times locks a username only for their own address; 30 failures from
// many addresses lock it everywhere; 100 from one address lock that address.
func TestLoginLimits(t *testing.T) {
	l := account.NewLoginLimits()
	for range 5 {
		if ok, _, _ := l.Begin("admin", "203.0.113.9"); !ok {
			t.Fatal("refused before the limit")
		}
	}
	if ok, _, which := l.Begin("admin", "203.0.113.9"); ok || which != "user+addr" {
		t.Errorf("attacker's address not blocked: %v %s", ok, which)
	}
	if ok, _, _ := l.Begin("admin", "10.1.1.1"); !ok {
		t.Error("the owner is locked out by a stranger's 5 failures")
	}
	l.Succeed("admin", "10.1.1.1") // the owner's right password does not count
	for i := range 25 {
		l.Begin("admin", fmt.Sprintf("198.51.100.%d", i))
	}
	if ok, _, which := l.Begin("admin", "10.1.1.2"); ok || which != "user" {
		t.Errorf("30 failures from many addresses: allowed=%v %s", ok, which)
	}
	for i := range 100 {
		l.Begin(fmt.Sprintf("user%d", i), "192.0.2.1")
	}
	if ok, _, which := l.Begin("someone-else", "192.0.2.1"); ok || which != "addr" {
		t.Errorf("100 failures from one address: allowed=%v %s", ok, which)
	}
}

// Parallel guesses cannot slip past the limit: exactly Max attempts go ahead.
func TestLimiterTakeParallel(t *testing.T) {
	l := account.NewLimiter(5, time.Minute)
	var wg sync.WaitGroup
	var allowed atomic.Int32
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.Take("k"); ok {
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	if allowed.Load() != 5 {
		t.Errorf("%d of 50 parallel attempts allowed, want 5", allowed.Load())
	}
}

func TestRoleLevels(t *testing.T) {
	for _, r := range account.Roles {
		got, err := account.ParseRole(strings.ReplaceAll(string(r), "_", "-"))
		if err != nil || got != r {
			t.Errorf("ParseRole(%s) = %v, %v", r, got, err)
		}
	}
	if _, err := account.ParseRole("root"); err == nil {
		t.Error("unknown role accepted")
	}
}

func newStore(d *db.DB) *account.Store {
	return &account.Store{DB: d, Regions: &region.Store{DB: d}}
}

func TestCreateAndAuthenticate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		id, err := st.Create(ctx, account.NewAccount{Username: "Banner-152502", DisplayName: "其其格", Password: "long enough",
			Grants: []account.Grant{{Role: account.BannerAdmin, RegionCode: "152502"}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = st.Create(ctx, account.NewAccount{Username: "banner-152502", Password: "long enough",
			Grants: []account.Grant{{Role: account.BannerAdmin, RegionCode: "152501"}}})
		if !errors.Is(err, db.ErrConflict) || !strings.Contains(err.Error(), `"banner-152502" already exists`) {
			t.Errorf("duplicate user: %v", err)
		}
		cases := []struct {
			a     account.NewAccount
			field string
		}{
			{account.NewAccount{Username: "x", Password: "long enough"}, "username"},
			{account.NewAccount{Username: "okname", Password: "short"}, "password"},
			{account.NewAccount{Username: "okname", Password: "long enough", Grants: []account.Grant{{Role: account.BannerAdmin, RegionCode: "159999"}}}, "region"},
			{account.NewAccount{Username: "okname", Password: "long enough", Grants: []account.Grant{{Role: account.BannerAdmin, RegionCode: "152500"}}}, "region"},
			{account.NewAccount{Username: "okname", Password: "long enough", Grants: []account.Grant{{Role: "boss", RegionCode: "152500"}}}, "role"},
		}
		for _, c := range cases {
			_, err := st.Create(ctx, c.a)
			var fe *account.FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Errorf("Create(%+v) = %v, want a %s error", c.a, err, c.field)
			}
		}
		if n, _ := st.Count(ctx); n != 1 {
			t.Errorf("%d accounts after failed creates, want 1: nothing half-written", n)
		}
		p, err := st.Authenticate(ctx, "BANNER-152502 ", "long enough")
		if err != nil || p.ID != id || p.Name != "其其格" || len(p.Grants) != 1 || p.Grants[0].RegionName != "锡林浩特市" {
			t.Fatalf("Authenticate = %+v, %v", p, err)
		}
		if _, err := st.Authenticate(ctx, "banner-152502", "wrong password"); !errors.Is(err, account.ErrBadCredentials) {
			t.Errorf("wrong password: %v", err)
		}
		if _, err := st.Authenticate(ctx, "nobody", "long enough"); !errors.Is(err, account.ErrBadCredentials) {
			t.Errorf("unknown user: %v", err)
		}
	})
}

// Can: a banner admin sees its banner and the townships and villages below, not its sibling
// banners, not the league above.
func TestCan(t *testing.T) {
	p := &account.Principal{Grants: []account.Grant{{Role: account.BannerAdmin, RegionCode: "152502"}}}
	for code, want := range map[string]bool{"152502": true, "152502001": true, "152502001201": true,
		"152501": false, "152500": false, "150000": false, "150102": false} {
		for _, a := range []account.Action{account.View, account.Change} {
			if got := p.Can(a, code); got != want {
				t.Errorf("banner admin of 152502 Can(%v, %s) = %v, want %v", a, code, got, want)
			}
		}
	}
	var anon *account.Principal
	if anon.Can(account.View, "150000") || anon.IsStaff() {
		t.Error("anonymous visitor may see records")
	}
}

func TestSessions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		st := newStore(d)
		st.Now = func() time.Time { return now }
		id, err := st.Create(ctx, account.NewAccount{Username: "league-152500", Password: "long enough",
			Grants: []account.Grant{{Role: account.LeagueAdmin, RegionCode: "152500"}}})
		if err != nil {
			t.Fatal(err)
		}
		token, err := st.CreateSession(ctx, id, "10.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		d.QueryRowContext(ctx, `SELECT token_hash FROM sessions`).Scan(&stored)
		if stored == token || strings.Contains(stored, token) {
			t.Error("the session token is stored in clear")
		}
		p, err := st.SessionPrincipal(ctx, token)
		if err != nil || p.ID != id {
			t.Fatalf("SessionPrincipal = %+v, %v", p, err)
		}
		// Used every few days, the session lives on; unused for longer than the TTL, it ends.
		for range 3 {
			now = now.Add(6 * 24 * time.Hour)
			if _, err := st.SessionPrincipal(ctx, token); err != nil {
				t.Fatalf("session ended while in use: %v", err)
			}
		}
		now = now.Add(account.SessionTTL + time.Second)
		if _, err := st.SessionPrincipal(ctx, token); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("expired session: %v", err)
		}
		token, _ = st.CreateSession(ctx, id, "", "")
		if err := st.SetPassword(ctx, id, "another long one"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SessionPrincipal(ctx, token); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("session survived a password change: %v", err)
		}
		if _, err := st.SessionPrincipal(ctx, "made-up"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("made-up token: %v", err)
		}
	})
}

func TestSetupToken(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		token, ok, err := st.CreateSetupToken(ctx)
		if err != nil || !ok {
			t.Fatalf("CreateSetupToken = %v, %v", ok, err)
		}
		admin := account.NewAccount{Username: "admin", Password: "long enough", Grants: []account.Grant{{Role: account.RegionAdmin, RegionCode: "150000"}}}
		bad := admin
		bad.Password = "short"
		if _, err := st.UseSetupToken(ctx, token, bad); err == nil {
			t.Fatal("short password accepted")
		}
		if err := st.CheckSetupToken(ctx, token); err != nil {
			t.Fatalf("a failed attempt spent the token: %v", err)
		}
		if _, err := st.UseSetupToken(ctx, token, admin); err != nil {
			t.Fatal(err)
		}
		admin.Username = "admin2"
		if _, err := st.UseSetupToken(ctx, token, admin); !errors.Is(err, account.ErrSetupUsed) {
			t.Errorf("token used twice: %v", err)
		}
		if _, ok, _ := st.CreateSetupToken(ctx); ok {
			t.Error("a setup token was made although an account exists")
		}
	})
}

// Racing requests with one setup link (or two links) create one first admin, not several.
func TestSetupTokenRace(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		t1, _, _ := st.CreateSetupToken(ctx)
		t2, _, _ := st.CreateSetupToken(ctx)
		var wg sync.WaitGroup
		var wins atomic.Int32
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				token := t1
				if i%2 == 1 {
					token = t2
				}
				a := account.NewAccount{Username: fmt.Sprintf("admin%d", i), PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$x$y",
					Grants: []account.Grant{{Role: account.RegionAdmin, RegionCode: "150000"}}}
				if _, err := st.UseSetupToken(ctx, token, a); err == nil {
					wins.Add(1)
				} else if !errors.Is(err, account.ErrSetupUsed) && !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
					t.Errorf("racing setup: %v", err)
				}
			}()
		}
		wg.Wait()
		if n, _ := st.Count(ctx); wins.Load() != 1 || n != 1 {
			t.Errorf("%d setups succeeded, %d accounts; want exactly 1", wins.Load(), n)
		}
	})
}

func TestListIsScoped(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		for _, a := range []struct {
			user string
			role account.Role
			code string
		}{{"league-152500", account.LeagueAdmin, "152500"}, {"banner-152502", account.BannerAdmin, "152502"},
			{"banner-152501", account.BannerAdmin, "152501"}, {"township-152502001", account.TownshipOperator, "152502001"}} {
			if _, err := st.Create(ctx, account.NewAccount{Username: a.user, Password: "long enough", Phone: "13812345678",
				Grants: []account.Grant{{Role: a.role, RegionCode: a.code}}}); err != nil {
				t.Fatal(err)
			}
		}
		rows, total, err := st.List(ctx, region.NewScope("152502"), "", 50, 0)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range rows {
			names = append(names, r.Username)
		}
		if total != 2 || strings.Join(names, " ") != "township-152502001 banner-152502" {
			t.Errorf("List(152502) = %v (total %d)", names, total)
		}
		counts, _ := st.CountByRegion(ctx, region.NewScope("152500"), 12)
		if counts["152500"] != 1 || counts["152501"] != 1 || counts["152502001"] != 1 || len(counts) != 4 {
			t.Errorf("CountByRegion = %v", counts)
		}
		counts, _ = st.CountByRegion(ctx, region.NewScope("152500"), 6)
		if counts["152502"] != 2 || counts["152501"] != 1 || counts["152500"] != 1 {
			t.Errorf("CountByRegion grouped by banner = %v", counts)
		}
	})
}

// BenchmarkHashPassword measures one argon2id hash (t=3, 64 MiB, p=2): the cost of a sign-in.
func BenchmarkHashPassword(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := account.HashPassword("correct horse battery"); err != nil {
			b.Fatal(err)
		}
	}
}

// A content role opens no staff scope: not Scope, not Can, not Holds; ScopeFor gives it.
func TestContentRolesGiveNoStaffScope(t *testing.T) {
	p := &account.Principal{Grants: []account.Grant{{Role: account.ContentReviewer, RegionCode: "150000"},
		{Role: account.ContentEditor, RegionCode: "152502"}, {Role: account.TownshipOperator, RegionCode: "152502001"}}}
	if roots := p.Scope().Roots(); len(roots) != 1 || roots[0] != "152502001" {
		t.Errorf("Scope = %v, want the township operator's unit only", roots)
	}
	if p.Can(account.View, "152501") || p.Can(account.Change, "152502") {
		t.Error("a content role lets the account see registry records")
	}
	for _, lvl := range []region.Level{region.LevelRegion, region.LevelLeague, region.LevelBanner, region.LevelTownship} {
		if p.Holds(lvl, "152501") {
			t.Errorf("Holds(%v, 152501) through a content role", lvl)
		}
	}
	if !p.Holds(region.LevelTownship, "152502001") {
		t.Error("the township operator's grant is lost")
	}
	if !p.ScopeFor(account.ContentReviewer).Contains("152501") || p.ScopeFor(account.ContentEditor).Contains("152501") ||
		!p.ScopeFor(account.ContentEditor).Contains("152502001") {
		t.Error("ScopeFor mixes the content roles up")
	}
	for _, r := range account.ContentRoles {
		if got, err := account.ParseRole(string(r)); err != nil || got != r {
			t.Errorf("ParseRole(%s) = %v, %v", r, got, err)
		}
	}
}
