package activity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/mask"
	"github.com/kepu/kepu/internal/region"
)

// Check-in timing rules. A scan counts at the time the device says it was made (a phone that
// was offline uploads later), except that a device clock more than ClockSkew ahead of the
// server is not believed: such a scan counts as made when it arrived. A device time in the
// past is believed only while the upload arrives within MaxOfflineLag after the end plus
// grace: after that nothing is accepted, whatever the device says, so that staff cannot add
// backdated check-ins to a past activity.
const (
	// MaxOfflineLag is how long after an activity's end plus grace a phone that scanned
	// offline may still upload its queue (a venue without signal, a phone that reaches the
	// network the next day). Chosen as two days: a weekend outing uploaded on the Monday
	// would need more, and is then entered by hand as declared attendance.
	MaxOfflineLag = 48 * time.Hour
	// EarlyCheckIn is how long before the start doors may open.
	EarlyCheckIn = time.Hour
	// DefaultGrace is the check-in grace after the end when --checkin-grace is 0.
	DefaultGrace = 2 * time.Hour
	// ClockSkew is how far ahead of the server a device clock may be.
	ClockSkew = time.Minute
	// MaxScans and MaxWalkIns bound one batch (a phone's offline queue after a long outage
	// is sent in several).
	MaxScans   = 1000
	MaxWalkIns = 200
	// MaxDevice is the longest device id kept (bytes).
	MaxDevice = 64
)

// Scan is one reading of a ticket at the door.
type Scan struct {
	Code      string    // the payload as read from the QR code or typed
	ScannedAt time.Time // the device's clock; zero means "when it arrived"
	Device    string    // the device's own id, for the record
}

// WalkIn is a person added at the door without a ticket (or a phone to show it). Key is
// required: a device-made id (16–64 characters of A–Z a–z 0–9 _ -) that makes a re-sent
// walk-in add nothing; it is kept as the walk-in ticket's nonce. A walk-in without one is
// refused (it would count again on every resend).
type WalkIn struct {
	Key       string
	Name      string
	Phone     string // optional
	ScannedAt time.Time
	Device    string
}

// Outcomes of a scan.
const (
	OutcomeNew     = "new"     // checked in now: the verified count went up by one
	OutcomeAlready = "already" // this ticket was checked in before: nothing added
	OutcomeRefused = "refused" // not checked in; Reason says why
)

// ScanResult is what became of one scan or walk-in, in the order sent.
type ScanResult struct {
	Code           string `json:"code,omitempty"`
	Key            string `json:"key,omitempty"`
	Outcome        string `json:"status"`
	Reason         string `json:"reason,omitempty"`
	RegistrationID int64  `json:"registration_id,omitempty"`
	Name           string `json:"name,omitempty"`
	Phone          string `json:"phone,omitempty"` // masked
	WalkIn         bool   `json:"walk_in,omitempty"`
}

// CheckInBatch is one upload from a staff device for one activity.
type CheckInBatch struct {
	ActivityID int64        // any version id of the activity
	Scope      region.Scope // the staff member's scope: the activity must lie in it
	Actor      int64        // the staff account
	Scans      []Scan
	WalkIns    []WalkIn
	// AdmitWaitlisted lets waitlisted tickets in as walk-ins (staff decided there is room);
	// otherwise they are refused.
	AdmitWaitlisted bool
}

// CheckInResult answers a batch: one result per scan and per walk-in, in the order sent, and
// the series' verified attendance after the batch was committed.
type CheckInResult struct {
	Scans    []ScanResult `json:"scans"`
	WalkIns  []ScanResult `json:"walk_ins"`
	Verified int64        `json:"verified"`
	Added    int          `json:"added"` // check-ins this batch added
}

// CheckInRules are the installation's settings for check-in.
type CheckInRules struct {
	Key   []byte        // Handler.TicketKey
	Grace time.Duration // accepted after the end; 0 means DefaultGrace
}

func (r CheckInRules) grace() time.Duration {
	if r.Grace <= 0 {
		return DefaultGrace
	}
	return r.Grace
}

// ErrBatchTooLarge refuses a batch over MaxScans scans or MaxWalkIns walk-ins.
var ErrBatchTooLarge = fmt.Errorf("一次最多上传 %d 条扫码和 %d 条现场登记，请分批上传", MaxScans, MaxWalkIns)

// CheckIn records one batch in its own transaction (see CheckInWriter for many batches in
// one). A ticket is checked in at most once (checkins' primary key is the registration id and
// the insert is ON CONFLICT DO NOTHING), so a repeated scan or a re-sent batch adds nothing,
// and verified_attendance on every version of the series grows by exactly the rows inserted,
// in the same transaction. Refusals (forged or truncated code, a ticket of another activity,
// cancelled or waitlisted, too early or after the end plus grace, uploaded later than
// MaxOfflineLag after that, a record in force already accepted; for walk-ins also a missing
// key and no room left under WalkInLimit) are per scan. Errors:
// db.ErrNotFound (no such activity in scope), ErrBatchTooLarge.
func (s *Store) CheckIn(ctx context.Context, rules CheckInRules, b CheckInBatch) (CheckInResult, error) {
	var res CheckInResult
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		results, errs, err := s.checkInGroup(ctx, tx, rules, []CheckInBatch{b})
		if err != nil {
			return err
		}
		res = results[0]
		return errs[0]
	})
	if err != nil {
		return CheckInResult{}, fmt.Errorf("activity.CheckIn: %w", err)
	}
	return res, nil
}

type regRow struct {
	series  int64
	status  string
	name    string
	phone   string
	walkIn  bool
	checked bool
}

// when is the time a scan counts at: the device's, unless missing or too far ahead.
func when(t, now time.Time) time.Time {
	if t.IsZero() || t.After(now.Add(ClockSkew)) {
		return now
	}
	return t.UTC()
}

// ErrRecordAccepted is the reason a check-in or walk-in is refused once the series' record in
// force is accepted (locked): its verified attendance is final.
var ErrRecordAccepted = errors.New("活动记录已确认，不再接受签到")

// timeRefusal says why a check-in made at device time t (already passed through when) and
// arriving at the server's now is refused, or "": the record in force is accepted; now is
// past EndsAt + grace + MaxOfflineLag (whatever t says); t is before StartsAt − EarlyCheckIn
// or after EndsAt + grace.
func timeRefusal(a Activity, t, now time.Time, grace time.Duration) string {
	if a.Status == Accepted {
		return ErrRecordAccepted.Error()
	}
	if now.After(a.EndsAt.Add(grace + MaxOfflineLag)) {
		return fmt.Sprintf("活动已于 %s 结束，离线签到须在结束后 %s 加 %d 小时内上传，已超过期限，不能再签到",
			a.EndsAt.In(China).Format("01-02 15:04"), graceText(grace), int(MaxOfflineLag/time.Hour))
	}
	if t.Before(a.StartsAt.Add(-EarlyCheckIn)) {
		return fmt.Sprintf("活动尚未开始：%s 开始，开始前 1 小时起可以签到", a.StartsAt.In(China).Format("01-02 15:04"))
	}
	if t.After(a.EndsAt.Add(grace)) {
		return fmt.Sprintf("活动已于 %s 结束，超过签到宽限 %s，不能再签到", a.EndsAt.In(China).Format("01-02 15:04"), graceText(grace))
	}
	return ""
}

func graceText(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d 小时", d/time.Hour)
	}
	return fmt.Sprintf("%d 分钟", d/time.Minute)
}

// checkInGroup records several batches in one transaction with a fixed number of statements
// for the whole group, whatever its size: one read of each activity (per scope), one read of
// every ticket named, one multi-row insert of the check-ins, one update and one read of each
// series' count (walk-ins and admitted waitlisted tickets add a few statements each). The
// first scan of a ticket in the group is the one inserted; later copies, in the same batch or
// another, are "already". errs[i] is batch i's own failure found before any write (a
// preWriteError: the others go on); a returned error fails the transaction.
func (s *Store) checkInGroup(ctx context.Context, tx *sql.Tx, rules CheckInRules, batches []CheckInBatch) ([]CheckInResult, []error, error) {
	now, grace := s.now(), rules.grace()
	results := make([]CheckInResult, len(batches))
	errs := make([]error, len(batches))
	acts := make([]Activity, len(batches))
	type actKey struct {
		id    int64
		scope string
	}
	seen := map[actKey]int{} // → index of the batch whose head read is reused
	var ids []int64
	for i, b := range batches {
		if len(b.Scans) > MaxScans || len(b.WalkIns) > MaxWalkIns {
			errs[i] = &preWriteError{ErrBatchTooLarge}
			continue
		}
		k := actKey{b.ActivityID, strings.Join(b.Scope.Roots(), ",")}
		if j, ok := seen[k]; ok {
			acts[i], errs[i] = acts[j], errs[j]
		} else {
			a, err := head(ctx, tx, &b.Scope, b.ActivityID)
			if err != nil {
				err = &preWriteError{err}
			}
			acts[i], errs[i] = a, err
			seen[k] = i
		}
		if errs[i] != nil {
			continue
		}
		res := &results[i]
		res.Scans = make([]ScanResult, len(b.Scans))
		for j, sc := range b.Scans {
			r := &res.Scans[j]
			r.Code = sc.Code
			if len(r.Code) > 4*MaxTicketLen {
				r.Code = r.Code[:4*MaxTicketLen]
			}
			t, err := ParseTicket(rules.Key, sc.Code)
			switch {
			case err != nil:
				r.Outcome, r.Reason = OutcomeRefused, err.Error()
			case t.SeriesID != acts[i].SeriesID:
				r.Outcome, r.Reason = OutcomeRefused, fmt.Sprintf("这张票属于另一场活动（编号 %d），不是本场", t.SeriesID)
			default:
				r.RegistrationID = t.RegistrationID
				ids = append(ids, t.RegistrationID)
			}
		}
	}
	regs, err := readRegs(ctx, tx, s.DB.Dialect, ids)
	if err != nil {
		return nil, nil, err
	}
	// Decide each scan; the first scan of a ticket in the group is the one inserted.
	type claim struct{ batch, scan int }
	first := map[int64]claim{}
	var rows []checkinRow
	for i, b := range batches {
		if errs[i] != nil {
			continue
		}
		a := acts[i]
		for j, sc := range b.Scans {
			r := &results[i].Scans[j]
			if r.Outcome != "" {
				continue
			}
			reg, ok := regs[r.RegistrationID]
			if ok {
				r.Name, r.Phone, r.WalkIn = reg.name, mask.Phone(reg.phone), reg.walkIn
			}
			at := when(sc.ScannedAt, now)
			switch {
			case !ok || reg.series != a.SeriesID:
				r.Outcome, r.Reason = OutcomeRefused, "票券不存在或不属于本场活动"
			case reg.checked:
				r.Outcome = OutcomeAlready
			case reg.status == Cancelled:
				r.Outcome, r.Reason = OutcomeRefused, "票券已取消"
			case reg.status == Waitlisted && !b.AdmitWaitlisted:
				r.Outcome, r.Reason = OutcomeRefused, "候补票券，尚未获得名额；如现场有空位，请勾选“候补人员按现场名额入场”后再扫"
			default:
				if msg := timeRefusal(a, at, now, grace); msg != "" {
					r.Outcome, r.Reason = OutcomeRefused, msg
					continue
				}
				if _, dup := first[r.RegistrationID]; dup {
					r.Outcome = OutcomeAlready
					continue
				}
				first[r.RegistrationID] = claim{i, j}
				rows = append(rows, checkinRow{reg: r.RegistrationID, series: a.SeriesID, at: at, device: clip(sc.Device, MaxDevice), actor: b.Actor})
				if reg.status == Waitlisted {
					// Staff admit it: it becomes a walk-in (it fills the walk-in allowance).
					if _, err := tx.ExecContext(ctx, `UPDATE registrations SET status = 'confirmed', walk_in = TRUE WHERE id = $1 AND status = 'waitlisted'`, r.RegistrationID); err != nil {
						return nil, nil, db.Map(err)
					}
					r.WalkIn = true
				}
			}
		}
	}
	inserted, err := insertCheckins(ctx, tx, s.DB.Dialect, now, rows)
	if err != nil {
		return nil, nil, err
	}
	added := map[int64]int{} // series → check-ins added
	for id, c := range first {
		r := &results[c.batch].Scans[c.scan]
		if inserted[id] {
			r.Outcome = OutcomeNew
			results[c.batch].Added++
			added[acts[c.batch].SeriesID]++
		} else {
			r.Outcome = OutcomeAlready
		}
	}
	// Walk-ins: each is a confirmed walk-in ticket checked in at once.
	for i, b := range batches {
		if errs[i] != nil || len(b.WalkIns) == 0 {
			continue
		}
		if err := s.lockSeries(ctx, tx, acts[i].SeriesID); err != nil {
			return nil, nil, err
		}
		results[i].WalkIns = make([]ScanResult, 0, len(b.WalkIns))
		taken, _, err := counts(ctx, tx, acts[i].SeriesID)
		if err != nil {
			return nil, nil, err
		}
		walkIns, err := walkInCount(ctx, tx, acts[i].SeriesID)
		if err != nil {
			return nil, nil, err
		}
		for _, w := range b.WalkIns {
			r, n, err := s.walkIn(ctx, tx, acts[i], b.Actor, w, now, grace, walkIns >= WalkInLimit(acts[i], taken))
			if err != nil {
				return nil, nil, err
			}
			walkIns += n
			results[i].WalkIns = append(results[i].WalkIns, r)
			results[i].Added += n
			added[acts[i].SeriesID] += n
		}
	}
	// One update per series, in id order (the same lock order in every transaction).
	var series []int64
	for _, a := range acts {
		if a.SeriesID != 0 && !slices.Contains(series, a.SeriesID) {
			series = append(series, a.SeriesID)
		}
	}
	slices.Sort(series)
	counts := map[int64]int64{}
	for _, sid := range series {
		if n := added[sid]; n > 0 {
			err := recounting(ctx, tx, sid, func() error {
				_, err := tx.ExecContext(ctx, `UPDATE activities SET verified_attendance = verified_attendance + $1 WHERE series_id = $2`, n, sid)
				return db.Map(err)
			})
			if err != nil {
				return nil, nil, err
			}
		}
		var v int64
		if err := tx.QueryRowContext(ctx, `SELECT verified_attendance FROM activities WHERE id = $1`, sid).Scan(&v); err != nil {
			return nil, nil, db.Map(err)
		}
		counts[sid] = v
	}
	for i := range batches {
		if errs[i] == nil {
			results[i].Verified = counts[acts[i].SeriesID]
		}
	}
	return results, errs, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// readRegs loads the registrations named by ids, with whether each is checked in.
func readRegs(ctx context.Context, tx *sql.Tx, d db.Dialect, ids []int64) (map[int64]regRow, error) {
	out := make(map[int64]regRow, len(ids))
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		marks := make([]string, len(part))
		args := make([]any, len(part))
		for i, id := range part {
			marks[i], args[i] = d.Placeholder(i+1), id
		}
		rows, err := tx.QueryContext(ctx, `SELECT r.id, r.activity_id, r.status, r.name, r.phone, r.walk_in, c.registration_id IS NOT NULL
			FROM registrations r LEFT JOIN checkins c ON c.registration_id = r.id WHERE r.id IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, db.Map(err)
		}
		for rows.Next() {
			var id int64
			var r regRow
			if err := rows.Scan(&id, &r.series, &r.status, &r.name, &r.phone, &r.walkIn, &r.checked); err != nil {
				rows.Close()
				return nil, db.Map(err)
			}
			out[id] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, db.Map(err)
		}
	}
	return out, nil
}

type checkinRow struct {
	reg, series int64
	at          time.Time
	device      string
	actor       int64
}

// insertCheckins inserts check-ins, ordered by registration id (so that two transactions
// never wait on each other's rows in opposite orders on PostgreSQL), skipping tickets already
// checked in, and returns the ids actually inserted (RETURNING after ON CONFLICT DO NOTHING
// lists only those, on SQLite ≥ 3.35 and PostgreSQL alike).
func insertCheckins(ctx context.Context, tx *sql.Tx, d db.Dialect, now time.Time, rows []checkinRow) (map[int64]bool, error) {
	sort.Slice(rows, func(i, j int) bool { return rows[i].reg < rows[j].reg })
	inserted := make(map[int64]bool, len(rows))
	const cols = 6
	for start := 0; start < len(rows); start += 300 {
		part := rows[start:min(start+300, len(rows))]
		var q strings.Builder
		q.WriteString(`INSERT INTO checkins (registration_id, activity_id, scanned_at, recorded_at, device, account_id) VALUES `)
		args := make([]any, 0, len(part)*cols)
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for j := 0; j < cols; j++ {
				if j > 0 {
					q.WriteString(", ")
				}
				q.WriteString(d.Placeholder(len(args) + j + 1))
			}
			q.WriteByte(')')
			args = append(args, r.reg, r.series, r.at, now, r.device, nullID(r.actor))
		}
		q.WriteString(` ON CONFLICT (registration_id) DO NOTHING RETURNING registration_id`)
		res, err := tx.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, db.Map(err)
		}
		for res.Next() {
			var id int64
			if err := res.Scan(&id); err != nil {
				res.Close()
				return nil, db.Map(err)
			}
			inserted[id] = true
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, db.Map(err)
		}
	}
	return inserted, nil
}

// validKey reports whether a walk-in key is 16–64 characters of A–Z a–z 0–9 _ -.
func validKey(k string) bool {
	if len(k) < 16 || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// WalkInLimit is how many walk-ins (waitlisted tickets admitted at the door included) an
// activity takes: its walk-in allowance plus the places its sign-ups left free
// (WalkInAllowance + max(Capacity − taken, 0), taken as placesTakenSQL counts), and none at
// all when Capacity is 0 (no public sign-up: the organizer declares the headcount instead).
// Walk-ins beyond it are refused, so that staff cannot raise the verified attendance without
// bound.
func WalkInLimit(a Activity, taken int) int {
	if a.Capacity <= 0 {
		return 0
	}
	return a.WalkInAllowance + max(a.Capacity-taken, 0)
}

// walkIn adds one walk-in in tx (the series is locked) and returns its result and whether a
// check-in was added; full says the walk-ins already reach WalkInLimit.
func (s *Store) walkIn(ctx context.Context, tx *sql.Tx, a Activity, actor int64, w WalkIn, now time.Time, grace time.Duration, full bool) (ScanResult, int, error) {
	r := ScanResult{Key: w.Key, WalkIn: true, Outcome: OutcomeRefused}
	w.Name = strings.TrimSpace(w.Name)
	r.Name = w.Name
	if w.Key == "" {
		r.Reason = "现场登记缺少编号（key）：每条现场登记须带设备生成的编号，重发时才不会重复计数"
		return r, 0, nil
	}
	if !validKey(w.Key) {
		r.Reason = "现场登记的编号无效（应为 16–64 位字母、数字、- 或 _）"
		return r, 0, nil
	}
	if msg := nameProblem(w.Name); msg != "" {
		r.Reason = "姓名：" + msg
		return r, 0, nil
	}
	phone := strings.TrimSpace(w.Phone)
	if phone != "" {
		p, ok := NormalizePhone(phone)
		if !ok {
			r.Reason = "手机号：应为 11 位数字，以 1 开头（可不填）"
			return r, 0, nil
		}
		phone = p
		r.Phone = mask.Phone(p)
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM registrations WHERE activity_id = $1 AND walk_in = TRUE AND nonce = $2`, a.SeriesID, w.Key).Scan(&id)
	if err == nil {
		r.Outcome, r.RegistrationID = OutcomeAlready, id
		return r, 0, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return r, 0, db.Map(err)
	}
	at := when(w.ScannedAt, now)
	if msg := timeRefusal(a, at, now, grace); msg != "" {
		r.Reason = msg
		return r, 0, nil
	}
	if phone != "" {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM registrations WHERE activity_id = $1 AND phone = $2 AND status <> 'cancelled'`, a.SeriesID, phone).Scan(&id)
		if err == nil {
			r.Reason = fmt.Sprintf("手机号 %s 已有报名，请扫描其票券；如无法出示，现场登记时可不填手机号", mask.Phone(phone))
			r.RegistrationID = id
			return r, 0, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return r, 0, db.Map(err)
		}
	}
	if full {
		r.Reason = fmt.Sprintf("现场名额已满：容量 %d 人，现场名额 %d 人，已按报名和现场登记用完，不能再登记", a.Capacity, a.WalkInAllowance)
		if a.Capacity <= 0 {
			r.Reason = "现场名额已满：本活动未设容量，不接受现场登记"
		}
		return r, 0, nil
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO registrations (activity_id, name, phone, status, walk_in, nonce, created_at)
		VALUES ($1, $2, $3, 'confirmed', TRUE, $4, $5) RETURNING id`, a.SeriesID, w.Name, phone, w.Key, now).Scan(&r.RegistrationID)
	if err != nil {
		return r, 0, db.Map(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO checkins (registration_id, activity_id, scanned_at, recorded_at, device, account_id) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.RegistrationID, a.SeriesID, at, now, clip(w.Device, MaxDevice), nullID(actor)); err != nil {
		return r, 0, db.Map(err)
	}
	r.Outcome = OutcomeNew
	return r, 1, nil
}

// CheckInView is what the staff check-in page shows of an activity.
type CheckInView struct {
	Activity   Activity
	Confirmed  int // places taken by sign-ups
	Waitlisted int
	WalkIns    int // walk-in tickets (including admitted waitlisted ones)
	Recent     []Registration
}

// CheckInStatus reads an activity in scope for the check-in page: the version in force (with
// its verified attendance and so its Flags), the sign-up counts and the latest check-ins
// (phones unmasked: mask before showing). Errors: db.ErrNotFound.
func (s *Store) CheckInStatus(ctx context.Context, scope region.Scope, id int64, recent int) (CheckInView, error) {
	a, err := head(ctx, s.DB, &scope, id)
	if err != nil {
		return CheckInView{}, err
	}
	v := CheckInView{Activity: a}
	if v.Confirmed, v.Waitlisted, err = counts(ctx, s.DB, a.SeriesID); err != nil {
		return v, err
	}
	if v.WalkIns, err = walkInCount(ctx, s.DB, a.SeriesID); err != nil {
		return v, err
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT `+registrationCols+` FROM checkins c JOIN registrations r ON r.id = c.registration_id
		WHERE c.activity_id = $1 ORDER BY c.recorded_at DESC, c.registration_id DESC LIMIT $2`, a.SeriesID, recent)
	if err != nil {
		return v, db.Map(err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRegistration(rows)
		if err != nil {
			return v, db.Map(err)
		}
		v.Recent = append(v.Recent, r)
	}
	return v, db.Map(rows.Err())
}
