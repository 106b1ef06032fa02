package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
)

// Store reads and writes accounts, grants, sessions, setup tokens and the audit log.
type Store struct {
	DB      *db.DB
	Regions *region.Store
	Now     func() time.Time // UTC clock; time.Now when nil
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// NewAccount is the input of Create.
type NewAccount struct {
	Username     string
	DisplayName  string
	Phone        string
	Password     string // plain; hashed by Create
	PasswordHash string // already hashed (used instead of Password when set; the demo shares one hash)
	Grants       []Grant
	CreatedBy    int64 // 0 for the command line or setup
}

// FieldError is a validation error on one form field; Key is a message catalogue key.
type FieldError struct {
	Field string
	Key   string
	Args  []any
	Msg   string // English, for the command line
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

// ValidateNew checks a new account's fields and grants (a staff role's level must match the
// unit's level, a content role may be bound to any level; the unit must exist). It returns a *FieldError for the first problem.
func (s *Store) ValidateNew(ctx context.Context, a *NewAccount) error {
	a.Username = strings.ToLower(strings.TrimSpace(a.Username))
	a.DisplayName = strings.TrimSpace(a.DisplayName)
	a.Phone = strings.TrimSpace(a.Phone)
	if !usernameRE.MatchString(a.Username) {
		return &FieldError{Field: "username", Key: "account.err.username", Msg: "3–32 characters: lower-case letters, digits, dot, dash, underscore"}
	}
	if a.DisplayName == "" {
		a.DisplayName = a.Username
	}
	if len([]rune(a.DisplayName)) > 64 {
		return &FieldError{Field: "display_name", Key: "account.err.display_name", Msg: "at most 64 characters"}
	}
	if a.Phone != "" && !regexp.MustCompile(`^\+?[0-9 -]{5,20}$`).MatchString(a.Phone) {
		return &FieldError{Field: "phone", Key: "account.err.phone", Msg: "digits only"}
	}
	if a.PasswordHash == "" && (len([]rune(a.Password)) < MinPasswordLen || strings.TrimSpace(a.Password) == "") {
		return &FieldError{Field: "password", Key: "account.err.password", Args: []any{MinPasswordLen}, Msg: fmt.Sprintf("at least %d characters", MinPasswordLen)}
	}
	for i := range a.Grants {
		if err := s.checkGrant(ctx, &a.Grants[i]); err != nil {
			return err
		}
	}
	return nil
}

// checkGrant checks one grant (known role; existing unit; for a staff role, a unit of the
// role's level) and fills its canonical code and the unit's name.
func (s *Store) checkGrant(ctx context.Context, g *Grant) error {
	if g.Role.Level() == 0 && !g.Role.IsContentRole() {
		return &FieldError{Field: "role", Key: "account.err.role", Msg: fmt.Sprintf("unknown role %q", g.Role)}
	}
	u, err := s.Regions.Get(ctx, g.RegionCode)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return &FieldError{Field: "region", Key: "account.err.region_unknown", Args: []any{g.RegionCode}, Msg: fmt.Sprintf("unknown region code %s", g.RegionCode)}
		}
		return err
	}
	if !g.Role.IsContentRole() && u.Level != g.Role.Level() {
		return &FieldError{Field: "region", Key: "account.err.region_level", Args: []any{u.Code, u.Name, RoleName(g.Role)},
			Msg: fmt.Sprintf("%s %s is a %s-level unit; %s needs a %s-level unit", u.Code, u.Name, u.Level, g.Role, g.Role.Level())}
	}
	g.RegionCode, g.RegionName = u.Code, u.Name
	return nil
}

// ErrStaffRole is returned by GrantRole and RevokeRole for a staff role: staff roles are given
// when an account is created and are not added to or taken from an existing account here.
var ErrStaffRole = errors.New("only content roles (content_editor, content_reviewer) are granted to or revoked from an existing account")

// GrantRole gives an existing account a content role over a unit of any level, and writes
// the audit log (action "account.grant", detail "role@code"), in one transaction. Granting a
// role the account already holds there is no error and writes nothing. by is the granting
// account (0 from the command line); the caller has checked that by may change records of
// the unit. Errors: *FieldError (unknown role or unit), ErrStaffRole, db.ErrNotFound (no such
// account).
func (s *Store) GrantRole(ctx context.Context, by, accountID int64, g Grant) error {
	if err := s.checkGrant(ctx, &g); err != nil {
		return err
	}
	if !g.Role.IsContentRole() {
		return ErrStaffRole
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		username, err := usernameOf(ctx, tx, accountID)
		if err != nil {
			return fmt.Errorf("account.GrantRole: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO role_grants (account_id, role, region_code, granted_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (account_id, role, region_code) DO NOTHING`, accountID, string(g.Role), g.RegionCode, s.now())
		if err != nil {
			return fmt.Errorf("account.GrantRole: %w", db.Map(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit(ctx, tx, s.now(), by, "account.grant", username, grantsText([]Grant{g}), "")
	})
}

// RevokeRole takes a content role over a unit from an account and writes the audit log
// ("account.revoke") in one transaction. Errors: ErrStaffRole, db.ErrNotFound when the
// account does not hold that grant.
func (s *Store) RevokeRole(ctx context.Context, by, accountID int64, g Grant) error {
	if !g.Role.IsContentRole() {
		return ErrStaffRole
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		username, err := usernameOf(ctx, tx, accountID)
		if err != nil {
			return fmt.Errorf("account.RevokeRole: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM role_grants WHERE account_id = $1 AND role = $2 AND region_code = $3`,
			accountID, string(g.Role), g.RegionCode)
		if err != nil {
			return fmt.Errorf("account.RevokeRole: %w", db.Map(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("account.RevokeRole: %s holds no %s at %s: %w", username, g.Role, g.RegionCode, db.ErrNotFound)
		}
		return audit(ctx, tx, s.now(), by, "account.revoke", username, grantsText([]Grant{g}), "")
	})
}

func usernameOf(ctx context.Context, tx *sql.Tx, id int64) (string, error) {
	var username string
	if err := tx.QueryRowContext(ctx, `SELECT username FROM accounts WHERE id = $1`, id).Scan(&username); err != nil {
		return "", fmt.Errorf("account %d: %w", id, db.Map(err))
	}
	return username, nil
}

// Create validates and inserts an account with its grants in one transaction. A taken
// username gives an error wrapping db.ErrConflict that names it.
func (s *Store) Create(ctx context.Context, a NewAccount) (int64, error) {
	if err := s.ValidateNew(ctx, &a); err != nil {
		return 0, err
	}
	var id int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.insert(ctx, tx, a)
		return err
	})
	return id, err
}

func (s *Store) insert(ctx context.Context, tx *sql.Tx, a NewAccount) (int64, error) {
	hash := a.PasswordHash
	if hash == "" {
		var err error
		if hash, err = HashPassword(a.Password); err != nil {
			return 0, err
		}
	}
	var createdBy any
	if a.CreatedBy != 0 {
		createdBy = a.CreatedBy
	}
	now := s.now()
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO accounts (username, display_name, phone, password_hash, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, a.Username, a.DisplayName, a.Phone, hash, now, createdBy).Scan(&id)
	if err = db.Map(err); err != nil {
		if errors.Is(err, db.ErrConflict) {
			return 0, fmt.Errorf("user %q already exists: %w", a.Username, err)
		}
		return 0, fmt.Errorf("account.Create: %w", err)
	}
	for _, g := range a.Grants {
		if _, err := tx.ExecContext(ctx, `INSERT INTO role_grants (account_id, role, region_code, granted_at) VALUES ($1, $2, $3, $4)`,
			id, string(g.Role), g.RegionCode, now); err != nil {
			return 0, fmt.Errorf("account.Create grant: %w", db.Map(err))
		}
	}
	if err := audit(ctx, tx, now, a.CreatedBy, "account.create", a.Username, grantsText(a.Grants), ""); err != nil {
		return 0, err
	}
	return id, nil
}

func grantsText(gs []Grant) string {
	var parts []string
	for _, g := range gs {
		parts = append(parts, string(g.Role)+"@"+g.RegionCode)
	}
	return strings.Join(parts, ",")
}

// audit writes one audit_log row.
func audit(ctx context.Context, ex db.Execer, at time.Time, accountID int64, action, target, detail, ip string) error {
	var acc any
	if accountID != 0 {
		acc = accountID
	}
	_, err := ex.ExecContext(ctx, `INSERT INTO audit_log (at, account_id, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)`,
		at, acc, action, target, detail, ip)
	if err != nil {
		return fmt.Errorf("account.audit: %w", db.Map(err))
	}
	return nil
}

// Audit records an event in the audit log.
func (s *Store) Audit(ctx context.Context, accountID int64, action, target, detail, ip string) error {
	return audit(ctx, s.DB, s.now(), accountID, action, target, detail, ip)
}

// Authenticate checks a username and password. Unknown users and wrong passwords both give
// ErrBadCredentials (after the same amount of hashing work); a disabled account ErrDisabled.
func (s *Store) Authenticate(ctx context.Context, username, password string) (*Principal, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	var id int64
	var hash string
	var disabled bool
	err := db.Map(s.DB.QueryRowContext(ctx, `SELECT id, password_hash, disabled FROM accounts WHERE username = $1`, username).Scan(&id, &hash, &disabled))
	if errors.Is(err, db.ErrNotFound) {
		CheckPassword(dummyHash(), password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("account.Authenticate: %w", err)
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return nil, fmt.Errorf("account.Authenticate %s: %w", username, err)
	}
	if !ok {
		return nil, ErrBadCredentials
	}
	if disabled {
		return nil, ErrDisabled
	}
	return s.Principal(ctx, id)
}

// Principal loads an account with its grants (and the grants' unit names).
func (s *Store) Principal(ctx context.Context, id int64) (*Principal, error) {
	p := &Principal{ID: id}
	err := s.DB.QueryRowContext(ctx, `SELECT username, display_name FROM accounts WHERE id = $1`, id).Scan(&p.Username, &p.Name)
	if err != nil {
		return nil, fmt.Errorf("account %d: %w", id, db.Map(err))
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT role, region_code FROM role_grants WHERE account_id = $1 ORDER BY region_code, role`, id)
	if err != nil {
		return nil, db.Map(err)
	}
	defer rows.Close()
	for rows.Next() {
		var g Grant
		if err := rows.Scan(&g.Role, &g.RegionCode); err != nil {
			return nil, err
		}
		p.Grants = append(p.Grants, g)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, g := range p.Grants {
		if u, err := s.Regions.Get(ctx, g.RegionCode); err == nil {
			p.Grants[i].RegionName = u.Name
		}
	}
	return p, nil
}

// IDByUsername returns the id of the account with this username.
func (s *Store) IDByUsername(ctx context.Context, username string) (int64, error) {
	var id int64
	err := s.DB.QueryRowContext(ctx, `SELECT id FROM accounts WHERE username = $1`, strings.ToLower(strings.TrimSpace(username))).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("user %q: %w", username, db.Map(err))
	}
	return id, nil
}

// SetPassword replaces an account's password.
func (s *Store) SetPassword(ctx context.Context, id int64, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = $1 WHERE id = $2`, hash, id); err != nil {
			return db.Map(err)
		}
		// A new password signs the account out everywhere.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = $1`, id); err != nil {
			return db.Map(err)
		}
		return audit(ctx, tx, s.now(), id, "account.password", fmt.Sprint(id), "", "")
	})
}

// Count returns the number of accounts.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&n)
	return n, db.Map(err)
}

// Row is one account in a list.
type Row struct {
	ID          int64
	Username    string
	DisplayName string
	Phone       string // as stored; lists show mask.Phone of it
	Grants      []Grant
	CreatedAt   time.Time
}

// List returns the accounts holding at least one grant inside scope, newest first, with the
// total count. q filters by username or display name (substring).
func (s *Store) List(ctx context.Context, scope region.Scope, q string, limit, offset int) ([]Row, int, error) {
	cond, args := scope.Where("g.region_code", 1)
	filter := ""
	if q = strings.TrimSpace(q); q != "" {
		args = append(args, "%"+db.EscapeLike(strings.ToLower(q))+"%")
		filter = fmt.Sprintf(` AND (lower(a.username) LIKE $%d ESCAPE '\' OR lower(a.display_name) LIKE $%d ESCAPE '\')`, len(args), len(args))
	}
	ids := `SELECT DISTINCT a.id FROM accounts a JOIN role_grants g ON g.account_id = a.id WHERE ` + cond + filter
	var total int
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM (`+ids+`) x`, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("account.List: %w", db.Map(err))
	}
	args = append(args, limit, offset)
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT a.id, a.username, a.display_name, a.phone, a.created_at FROM accounts a
		WHERE a.id IN (%s) ORDER BY a.id DESC LIMIT $%d OFFSET $%d`, ids, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("account.List: %w", db.Map(err))
	}
	defer rows.Close()
	var out []Row
	index := map[int64]int{}
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.ID, &r.Username, &r.DisplayName, &r.Phone, &r.CreatedAt); err != nil {
			return nil, 0, err
		}
		index[r.ID] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) == 0 {
		return out, total, nil
	}
	var marks []string
	var gargs []any
	for _, r := range out {
		gargs = append(gargs, r.ID)
		marks = append(marks, fmt.Sprintf("$%d", len(gargs)))
	}
	grows, err := s.DB.QueryContext(ctx, `SELECT g.account_id, g.role, g.region_code, r.name FROM role_grants g
		JOIN regions r ON r.code = g.region_code WHERE g.account_id IN (`+strings.Join(marks, ",")+`) ORDER BY g.region_code`, gargs...)
	if err != nil {
		return nil, 0, db.Map(err)
	}
	defer grows.Close()
	for grows.Next() {
		var id int64
		var g Grant
		if err := grows.Scan(&id, &g.Role, &g.RegionCode, &g.RegionName); err != nil {
			return nil, 0, err
		}
		out[index[id]].Grants = append(out[index[id]].Grants, g)
	}
	return out, total, grows.Err()
}

// CountByRegion counts the accounts holding a grant inside scope, grouped by the first
// groupLen digits of the grant's unit code (a region.Counter). An account with grants at two
// units counts at both.
func (s *Store) CountByRegion(ctx context.Context, scope region.Scope, groupLen int) (map[string]int, error) {
	cond, args := scope.Where("region_code", 1)
	return s.DB.Counts(ctx, fmt.Sprintf(`SELECT substr(region_code, 1, %d), count(DISTINCT account_id) FROM role_grants
		WHERE %s GROUP BY substr(region_code, 1, %d)`, groupLen, cond, groupLen), args...)
}

// SessionTTL is how long a session lives without use; SessionMaxAge is its absolute limit.
const (
	SessionTTL    = 7 * 24 * time.Hour
	SessionMaxAge = 30 * 24 * time.Hour
)

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession starts a session for an account and returns the token for the cookie; only
// its SHA-256 is stored, so a copy of the database cannot be used to sign in.
func (s *Store) CreateSession(ctx context.Context, accountID int64, ip, userAgent string) (string, error) {
	token := newToken()
	now := s.now()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES ($1, $2, $3, $3, $4, $5, $6)`, hashToken(token), accountID, now, now.Add(SessionTTL), ip, userAgent); err != nil {
			return db.Map(err)
		}
		return audit(ctx, tx, now, accountID, "session.login", "", "", ip)
	})
	if err != nil {
		return "", fmt.Errorf("account.CreateSession: %w", err)
	}
	return token, nil
}

// SessionPrincipal returns the principal of a live session. An unknown or expired token gives
// db.ErrNotFound. Use slides the expiry forward (at most once a minute, and never past
// SessionMaxAge from creation).
func (s *Store) SessionPrincipal(ctx context.Context, token string) (*Principal, error) {
	if token == "" {
		return nil, db.ErrNotFound
	}
	h := hashToken(token)
	// One round trip per request: the session, its account and the account's grants with
	// their units' names (a request with a session pays this on every page and API call).
	type row struct {
		id                        int64
		created, lastSeen, expire time.Time
		disabled                  bool
		username, name            string
		role, code, unit          sql.NullString
	}
	rows, err := db.QueryAll(ctx, s.DB, func(sc db.Scanner) (row, error) {
		var r row
		err := sc.Scan(&r.id, &r.created, &r.lastSeen, &r.expire, &r.disabled, &r.username, &r.name, &r.role, &r.code, &r.unit)
		return r, err
	}, `SELECT s.account_id, s.created_at, s.last_seen_at, s.expires_at, a.disabled, a.username, a.display_name, g.role, g.region_code, rg.name
		FROM sessions s JOIN accounts a ON a.id = s.account_id
		LEFT JOIN role_grants g ON g.account_id = a.id LEFT JOIN regions rg ON rg.code = g.region_code
		WHERE s.token_hash = $1 ORDER BY g.region_code, g.role`, h)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, db.ErrNotFound
	}
	first := rows[0]
	now := s.now()
	if !now.Before(first.expire) || first.disabled {
		s.DB.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, h)
		return nil, db.ErrNotFound
	}
	if now.Sub(first.lastSeen) > time.Minute {
		next := now.Add(SessionTTL)
		if max := first.created.Add(SessionMaxAge); next.After(max) {
			next = max
		}
		// Extending the session is a keep-alive, not the request's work: when the database is
		// busy with a long write (a 20,000-row import holds SQLite's write lock for seconds),
		// wait at most a second and let the request go on with the session as it is.
		uctx, cancel := context.WithTimeout(ctx, time.Second)
		s.DB.ExecContext(uctx, `UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3`, now, next, h)
		cancel()
	}
	p := &Principal{ID: first.id, Username: first.username, Name: first.name}
	for _, r := range rows {
		if r.role.Valid {
			p.Grants = append(p.Grants, Grant{Role: Role(r.role.String), RegionCode: r.code.String, RegionName: r.unit.String})
		}
	}
	return p, nil
}

// DeleteSession ends a session (sign-out). An unknown token is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.DB.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashToken(token))
	return db.Map(err)
}

// SetupTTL is how long a first-admin setup link stays valid.
const SetupTTL = 24 * time.Hour

// CreateSetupToken returns a one-time token for creating the first region admin, or
// ok=false when accounts already exist (then no link is needed and none is made).
func (s *Store) CreateSetupToken(ctx context.Context) (token string, ok bool, err error) {
	n, err := s.Count(ctx)
	if err != nil || n > 0 {
		return "", false, err
	}
	token = newToken()
	now := s.now()
	_, err = s.DB.ExecContext(ctx, `INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)`,
		hashToken(token), now, now.Add(SetupTTL))
	if err != nil {
		return "", false, fmt.Errorf("account.CreateSetupToken: %w", db.Map(err))
	}
	return token, true, nil
}

// ErrSetupUsed means the setup link is unknown, expired, used, or accounts already exist.
var ErrSetupUsed = errors.New("this setup link is no longer valid")

// CheckSetupToken reports whether a setup token can still be used.
func (s *Store) CheckSetupToken(ctx context.Context, token string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.checkSetup(ctx, tx, token) })
}

func (s *Store) checkSetup(ctx context.Context, tx *sql.Tx, token string) error {
	var expires time.Time
	var used sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT expires_at, used_at FROM setup_tokens WHERE token_hash = $1`, hashToken(token)).Scan(&expires, &used)
	if err != nil {
		if errors.Is(db.Map(err), db.ErrNotFound) {
			return ErrSetupUsed
		}
		return err
	}
	if used.Valid || !s.now().Before(expires) {
		return ErrSetupUsed
	}
	return s.checkAccountsEmpty(ctx, tx)
}

// checkAccountsEmpty gives ErrSetupUsed once any account exists. On PostgreSQL it first takes
// a transaction-level advisory lock, so that two different setup links cannot both create a
// first admin.
func (s *Store) checkAccountsEmpty(ctx context.Context, tx *sql.Tx) error {
	if s.DB.Dialect == db.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7243192)`); err != nil {
			return err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return ErrSetupUsed
	}
	return nil
}

// UseSetupToken creates the first account with the token, in one transaction: the token is
// spent and the account exists, or neither.
func (s *Store) UseSetupToken(ctx context.Context, token string, a NewAccount) (int64, error) {
	if err := s.ValidateNew(ctx, &a); err != nil {
		return 0, err
	}
	var id int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// Spend the token first, conditionally: of two requests racing with one token, the
		// second waits on the row lock and then updates nothing (PostgreSQL re-checks the
		// condition; SQLite serializes the transactions).
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE setup_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1`,
			now, hashToken(token))
		if err != nil {
			return db.Map(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrSetupUsed
		}
		if err := s.checkAccountsEmpty(ctx, tx); err != nil {
			return err
		}
		id, err = s.insert(ctx, tx, a)
		return err
	})
	return id, err
}

// Usernames returns "display name (username)" for the given account ids, for histories and
// audit trails; unknown ids are left out.
func (s *Store) Usernames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var marks []string
	var args []any
	for _, id := range ids {
		args = append(args, id)
		marks = append(marks, s.DB.Dialect.Placeholder(len(args)))
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT id, display_name, username FROM accounts WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, db.Map(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name, user string
		if err := rows.Scan(&id, &name, &user); err != nil {
			return nil, err
		}
		out[id] = name + "（" + user + "）"
	}
	return out, rows.Err()
}
