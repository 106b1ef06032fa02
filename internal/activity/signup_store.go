package activity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/mask"
	"github.com/kepu/kepu/internal/region"
)

// Registration statuses (registrations.status). A confirmed ticket holds a place; a
// waitlisted one waits, first come first served by id; a cancelled one is kept for the record.
const (
	Confirmed  = "confirmed"
	Waitlisted = "waitlisted"
	Cancelled  = "cancelled"
)

// Registration is one ticket of a series: a public sign-up or a walk-in added at the door.
type Registration struct {
	ID          int64
	SeriesID    int64
	Name        string
	Phone       string // unmasked: mask before listing (mask.Phone)
	Status      string
	WalkIn      bool
	Nonce       string // the holder's secret: the ticket link carries it
	CreatedAt   time.Time
	CancelledAt time.Time // zero unless cancelled
	CheckedInAt time.Time // device time of the check-in, zero if none
	Position    int       // place in the waiting list, 1 = next; 0 unless waitlisted
}

// CheckedIn reports whether the ticket has been checked in.
func (r Registration) CheckedIn() bool { return !r.CheckedInAt.IsZero() }

// Sign-up refusals, in Chinese, for the public page.
var (
	ErrSignupClosed  = errors.New("该活动未开放报名")
	ErrSignupEnded   = errors.New("活动已结束，报名已关闭")
	ErrSignupFull    = errors.New("名额和候补名额都已报满")
	ErrCancelled     = errors.New("这张票券已取消")
	ErrCheckedInKept = errors.New("这张票券已签到，不能取消")
)

// Limits of a sign-up.
const (
	MaxName = 40 // runes
)

// SignupInput is what the public sign-up form sends.
type SignupInput struct {
	Name  string
	Phone string
}

// NormalizePhone returns a mainland mobile number as 11 ASCII digits: full-width digits are
// folded, spaces and dashes dropped, a leading +86 or 86 removed. ok is false when the result
// is not 1[3-9] followed by 9 digits (the numbering plan of MIIT's 电信网码号资源管理办法).
func NormalizePhone(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		if r >= '０' && r <= '９' {
			r = r - '０' + '0'
		}
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '－' || r == 0x3000 || r == '+' || r == '＋':
		default:
			return s, false
		}
		if b.Len() > 15 {
			return s, false
		}
	}
	p := b.String()
	if len(p) == 13 && strings.HasPrefix(p, "86") {
		p = p[2:]
	}
	if len(p) != 11 || p[0] != '1' || p[1] < '3' {
		return s, false
	}
	return p, true
}

// Validate trims and checks the input; problems come back per field, in Chinese. The phone
// is required for a public sign-up (one live ticket per phone per activity).
func (in *SignupInput) Validate() ValidationError {
	errs := ValidationError{}
	in.Name = strings.TrimSpace(in.Name)
	if msg := nameProblem(in.Name); msg != "" {
		errs["name"] = msg
	}
	if p, ok := NormalizePhone(strings.TrimSpace(in.Phone)); ok {
		in.Phone = p
	} else if strings.TrimSpace(in.Phone) == "" {
		errs["phone"] = "请填写手机号"
	} else {
		errs["phone"] = "手机号应为 11 位数字，以 1 开头"
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// nameProblem says what is wrong with a trimmed name of a person (a sign-up or a walk-in), in
// Chinese, or "": empty, longer than MaxName runes, or holding a control character
// (unicode.IsControl: line breaks, tabs, NUL) or a bidirectional formatting character
// (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, Unicode UAX #9), which would break lines of
// lists and exports or reorder what staff read (the "Trojan Source" trick, CVE-2021-42574).
func nameProblem(name string) string {
	if name == "" || utf8.RuneCountInString(name) > MaxName {
		return fmt.Sprintf("请填写姓名（最多 %d 字）", MaxName)
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == 0x200E || r == 0x200F || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 {
			return fmt.Sprintf("姓名中有不可见的控制字符或换行（%U），请删去后重新填写", r)
		}
	}
	return ""
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inForce is the SQL condition that a version may be the one in force: version 1, or an
// accepted version (a correction counts only once accepted, so a draft correction changes
// nothing the public or the door sees). The version in force is the newest live version
// meeting it. alias is the table alias with its dot ("a.") or "".
func inForce(alias string) string {
	return `(` + alias + `version = 1 OR ` + alias + `status = 'accepted')`
}

// head reads the version in force (see inForce) of the series that version id belongs to.
// Sign-up and check-in follow it: its capacity, times, unit and signup_open are the ones in
// force. With a non-nil scope the version in force must lie in it: the scope is tested on
// that row after it was chosen, never while choosing, so once a correction moving the record
// to another unit is accepted, the old unit's staff no longer reach the series. A nil scope
// means the public, unscoped read. Errors: db.ErrNotFound (no such version, or the version in
// force is outside scope).
func head(ctx context.Context, q queryer, scope *region.Scope, id int64) (Activity, error) {
	a, err := scanActivity(q.QueryRowContext(ctx, `SELECT `+activityCols+` FROM activities
		WHERE series_id = (SELECT COALESCE(series_id, id) FROM activities WHERE id = $1) AND deleted_at IS NULL AND `+inForce("")+`
		ORDER BY version DESC LIMIT 1`, id))
	if err != nil {
		return a, fmt.Errorf("activity %d: %w", id, db.Map(err))
	}
	if scope != nil && !scope.Contains(a.RegionCode) {
		return Activity{}, fmt.Errorf("activity %d: %w", id, db.ErrNotFound)
	}
	return a, nil
}

// SignupActivity reads, for the public sign-up page, the version in force of the series that
// version id belongs to, with the number of places taken (placesTakenSQL) and waitlisted
// tickets. Errors: db.ErrNotFound.
func (s *Store) SignupActivity(ctx context.Context, id int64) (a Activity, confirmed, waitlisted int, err error) {
	a, err = head(ctx, s.DB, nil, id)
	if err != nil {
		return a, 0, 0, err
	}
	confirmed, waitlisted, err = counts(ctx, s.DB, a.SeriesID)
	return a, confirmed, waitlisted, err
}

// placesTakenSQL is the one definition of the places a series' sign-ups take, used by the
// sign-up page, the sign-up itself, the check-in page and the public list (OpenForSignup):
// confirmed tickets that are not walk-ins. Walk-ins, waitlisted tickets admitted at the door
// included, fill the walk-in allowance instead. series is an SQL expression for the series id
// (a placeholder or a column); the result is an SQL subquery giving a count.
func placesTakenSQL(series string) string {
	return `(SELECT count(*) FROM registrations r WHERE r.activity_id = ` + series + ` AND r.status = 'confirmed' AND r.walk_in = FALSE)`
}

// counts returns the places taken (placesTakenSQL) and the length of the waiting list of a
// series.
func counts(ctx context.Context, q queryer, series int64) (confirmed, waitlisted int, err error) {
	err = q.QueryRowContext(ctx, `SELECT `+placesTakenSQL("$1")+`,
		(SELECT count(*) FROM registrations w WHERE w.activity_id = $1 AND w.status = 'waitlisted')`, series).Scan(&confirmed, &waitlisted)
	return confirmed, waitlisted, db.Map(err)
}

// walkInCount returns the walk-in tickets of a series (waitlisted tickets admitted at the door
// included): what the walk-in limit (WalkInLimit) counts.
func walkInCount(ctx context.Context, q queryer, series int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM registrations WHERE activity_id = $1 AND walk_in = TRUE AND status = 'confirmed'`, series).Scan(&n)
	return n, db.Map(err)
}

// lockSeries takes the write lock that orders every change of a series' places (sign-up,
// cancellation, walk-ins): the first version's row, FOR UPDATE on PostgreSQL (SQLite's
// immediate transactions serialize already).
func (s *Store) lockSeries(ctx context.Context, tx *sql.Tx, series int64) error {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM activities WHERE id = $1`+s.DB.Dialect.ForUpdate(), series).Scan(&id)
	return db.Map(err)
}

// fill promotes waitlisted tickets, oldest first, while confirmed tickets are fewer than the
// capacity (after a cancellation, or when a correction raised the capacity). Walk-ins do not
// take a place: they fill the walk-in allowance beyond capacity.
func fill(ctx context.Context, tx *sql.Tx, series int64, capacity int) error {
	confirmed, waitlisted, err := counts(ctx, tx, series)
	if err != nil || waitlisted == 0 || confirmed >= capacity {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM registrations WHERE activity_id = $1 AND status = 'waitlisted' ORDER BY id LIMIT $2`,
		series, capacity-confirmed)
	if err != nil {
		return db.Map(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return db.Map(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return db.Map(err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE registrations SET status = 'confirmed' WHERE id = $1 AND status = 'waitlisted'`, id); err != nil {
			return db.Map(err)
		}
	}
	return nil
}

func newNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SignUp makes a ticket for the series that version id belongs to, in one transaction: a
// confirmed place while confirmed tickets are fewer than the capacity of the version in force,
// else a place on the waiting list, which is at most as long as the capacity. It returns the
// ticket with its secret nonce (for the ticket link). Errors: ValidationError (name, phone;
// "phone" also when that phone already holds a live ticket of this activity), ErrSignupClosed
// (signup_open not set), ErrSignupEnded (the activity has ended), ErrSignupFull,
// db.ErrNotFound.
func (s *Store) SignUp(ctx context.Context, id int64, in SignupInput) (Registration, error) {
	if errs := in.Validate(); errs != nil {
		return Registration{}, errs
	}
	var reg Registration
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		a, err := head(ctx, tx, nil, id)
		if err != nil {
			return err
		}
		if err := s.lockSeries(ctx, tx, a.SeriesID); err != nil {
			return err
		}
		now := s.now()
		switch {
		case !a.SignupOpen || a.Capacity <= 0:
			return ErrSignupClosed
		case !now.Before(a.EndsAt):
			return ErrSignupEnded
		}
		var taken int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM registrations WHERE activity_id = $1 AND phone = $2 AND status <> 'cancelled'`, a.SeriesID, in.Phone).Scan(&taken)
		if err == nil {
			return ValidationError{"phone": "这个手机号已报名本活动；请用报名时保存的票券链接查看或取消"}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return db.Map(err)
		}
		if err := fill(ctx, tx, a.SeriesID, a.Capacity); err != nil {
			return err
		}
		confirmed, waitlisted, err := counts(ctx, tx, a.SeriesID)
		if err != nil {
			return err
		}
		status := Confirmed
		if confirmed >= a.Capacity {
			if waitlisted >= a.Capacity {
				return ErrSignupFull
			}
			status = Waitlisted
		}
		reg = Registration{SeriesID: a.SeriesID, Name: in.Name, Phone: in.Phone, Status: status, Nonce: newNonce(), CreatedAt: now}
		err = tx.QueryRowContext(ctx, `INSERT INTO registrations (activity_id, name, phone, status, walk_in, nonce, created_at)
			VALUES ($1, $2, $3, $4, FALSE, $5, $6) RETURNING id`, reg.SeriesID, reg.Name, reg.Phone, reg.Status, reg.Nonce, now).Scan(&reg.ID)
		if errors.Is(db.Map(err), db.ErrConflict) {
			return ValidationError{"phone": "这个手机号已报名本活动；请用报名时保存的票券链接查看或取消"}
		}
		return db.Map(err)
	})
	if err != nil {
		return Registration{}, fmt.Errorf("activity.SignUp: %w", err)
	}
	if reg.Status == Waitlisted {
		reg.Position, _ = s.position(ctx, reg)
	}
	return reg, nil
}

const registrationCols = `r.id, r.activity_id, r.name, r.phone, r.status, r.walk_in, r.nonce, r.created_at, r.cancelled_at, c.scanned_at`

func scanRegistration(row interface{ Scan(...any) error }) (Registration, error) {
	var r Registration
	var cancelled, checked sql.NullTime
	err := row.Scan(&r.ID, &r.SeriesID, &r.Name, &r.Phone, &r.Status, &r.WalkIn, &r.Nonce, &r.CreatedAt, &cancelled, &checked)
	r.CreatedAt = r.CreatedAt.UTC()
	if cancelled.Valid {
		r.CancelledAt = cancelled.Time.UTC()
	}
	if checked.Valid {
		r.CheckedInAt = checked.Time.UTC()
	}
	return r, err
}

// position is a waitlisted ticket's place in the queue (1 = next to be promoted).
func (s *Store) position(ctx context.Context, r Registration) (int, error) {
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM registrations WHERE activity_id = $1 AND status = 'waitlisted' AND id <= $2`,
		r.SeriesID, r.ID).Scan(&n)
	return n, db.Map(err)
}

// Ticket reads a ticket for its holder: the registration id and its secret nonce must both
// match (compared in constant time), so that knowing an id or a phone number shows nothing.
// Errors: db.ErrNotFound (no such ticket, or a wrong nonce).
func (s *Store) Ticket(ctx context.Context, id int64, nonce string) (Registration, error) {
	r, err := scanRegistration(s.DB.QueryRowContext(ctx, `SELECT `+registrationCols+` FROM registrations r
		LEFT JOIN checkins c ON c.registration_id = r.id WHERE r.id = $1`, id))
	if err != nil {
		return r, fmt.Errorf("activity.Ticket %d: %w", id, db.Map(err))
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(nonce), []byte(r.Nonce)) != 1 {
		return Registration{}, fmt.Errorf("activity.Ticket %d: %w", id, db.ErrNotFound)
	}
	if r.Status == Waitlisted {
		r.Position, err = s.position(ctx, r)
	}
	return r, err
}

// CancelTicket cancels a ticket for its holder (id and nonce as for Ticket) and, in the same
// transaction, promotes the first waitlisted tickets into the places that are now free.
// Cancelling a cancelled ticket is a no-op. Errors: db.ErrNotFound, ErrCheckedInKept (a
// checked-in ticket cannot be cancelled: the attendance is counted).
func (s *Store) CancelTicket(ctx context.Context, id int64, nonce string) error {
	r, err := s.Ticket(ctx, id, nonce)
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		a, err := head(ctx, tx, nil, r.SeriesID)
		if err != nil {
			return err
		}
		if err := s.lockSeries(ctx, tx, a.SeriesID); err != nil {
			return err
		}
		return s.cancelIn(ctx, tx, a, id)
	})
	if err != nil {
		return fmt.Errorf("activity.CancelTicket %d: %w", id, err)
	}
	return nil
}

// cancelIn cancels registration id of the series of a (locked by the caller) unless it is
// checked in, and promotes waitlisted tickets into the places freed. A cancelled ticket stays
// as it is. Errors: ErrCheckedInKept.
func (s *Store) cancelIn(ctx context.Context, tx *sql.Tx, a Activity, id int64) error {
	var checked int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM checkins WHERE registration_id = $1`, id).Scan(&checked); err != nil {
		return db.Map(err)
	}
	if checked > 0 {
		return ErrCheckedInKept
	}
	res, err := tx.ExecContext(ctx, `UPDATE registrations SET status = 'cancelled', cancelled_at = $1 WHERE id = $2 AND activity_id = $3 AND status <> 'cancelled'`,
		s.now(), id, a.SeriesID)
	if err != nil {
		return db.Map(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return fill(ctx, tx, a.SeriesID, a.Capacity)
}

// StaffCancel cancels, for staff, the live ticket that a phone number holds for the
// activity of version id (a holder who phoned in, or lost the link): as CancelTicket does,
// in one transaction, the place is freed and the first waitlisted ticket promoted. The
// version in force must lie in scope. It returns the ticket as it was before (phone
// unmasked: mask before showing). Errors: db.ErrNotFound (no such activity in scope),
// ValidationError{"phone"} (not a mobile number, or no live ticket of this activity holds it),
// ErrCheckedInKept.
func (s *Store) StaffCancel(ctx context.Context, scope region.Scope, id int64, phone string) (Registration, error) {
	p, ok := NormalizePhone(strings.TrimSpace(phone))
	if !ok {
		return Registration{}, ValidationError{"phone": "手机号：应为 11 位数字，以 1 开头"}
	}
	var reg Registration
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		a, err := head(ctx, tx, &scope, id)
		if err != nil {
			return err
		}
		if err := s.lockSeries(ctx, tx, a.SeriesID); err != nil {
			return err
		}
		reg, err = scanRegistration(tx.QueryRowContext(ctx, `SELECT `+registrationCols+` FROM registrations r
			LEFT JOIN checkins c ON c.registration_id = r.id WHERE r.activity_id = $1 AND r.phone = $2 AND r.status <> 'cancelled'`, a.SeriesID, p))
		if errors.Is(err, sql.ErrNoRows) {
			return ValidationError{"phone": fmt.Sprintf("手机号 %s 在本活动没有有效的报名", mask.Phone(p))}
		} else if err != nil {
			return db.Map(err)
		}
		return s.cancelIn(ctx, tx, a, reg.ID)
	})
	if err != nil {
		return Registration{}, fmt.Errorf("activity.StaffCancel: %w", err)
	}
	return reg, nil
}

// seriesOf returns the series id of version id. Errors: db.ErrNotFound.
func (s *Store) seriesOf(ctx context.Context, id int64) (int64, error) {
	var series int64
	err := s.DB.QueryRowContext(ctx, `SELECT COALESCE(series_id, id) FROM activities WHERE id = $1 AND deleted_at IS NULL`, id).Scan(&series)
	if err != nil {
		return 0, fmt.Errorf("activity %d: %w", id, db.Map(err))
	}
	return series, nil
}
