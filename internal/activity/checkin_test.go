package activity_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

// signUps makes n confirmed tickets and returns their payloads.
func signUps(t *testing.T, st *activity.Store, id int64, from, n int) []string {
	t.Helper()
	var out []string
	for i := from; i < from+n; i++ {
		r, err := st.SignUp(context.Background(), id, activity.SignupInput{Name: fmt.Sprintf("观众%d", i), Phone: phone(i)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, activity.TicketPayload(testKey, r.SeriesID, r.ID))
	}
	return out
}

func scans(codes ...string) []activity.Scan {
	var out []activity.Scan
	for _, c := range codes {
		out = append(out, activity.Scan{Code: c, Device: "phone-1"})
	}
	return out
}

func outcomes(rs []activity.ScanResult) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Outcome)
	}
	return strings.Join(out, " ")
}

// verified reads verified_attendance of every version of a series.
func verified(t testing.TB, d *db.DB, series int64) []int64 {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), `SELECT verified_attendance FROM activities WHERE series_id = $1 ORDER BY version`, series)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		rows.Scan(&n)
		out = append(out, n)
	}
	return out
}

// acceptAndCorrect takes version id of banner 152502 through review and acceptance (a league
// admin decides) and starts a correction; it returns the correction's id.
func acceptAndCorrect(t *testing.T, st *activity.Store, id int64) int64 {
	t.Helper()
	acceptVersion(t, st, id)
	v2, err := st.Correct(context.Background(), bannerScope, 0, id)
	if err != nil {
		t.Fatal(err)
	}
	return v2
}

// acceptVersion takes a version of league 152500 through submission, review and acceptance,
// with the clock just past the activity's end (a record is submitted once the activity ended)
// and back.
func acceptVersion(t *testing.T, st *activity.Store, id int64) {
	t.Helper()
	ctx := context.Background()
	a, err := st.Get(ctx, region.NewScope("152500"), id)
	if err != nil {
		t.Fatal(err)
	}
	clock := st.Now
	st.Now = func() time.Time { return a.EndsAt.Add(time.Minute) }
	defer func() { st.Now = clock }()
	if err := st.Submit(ctx, region.NewScope("152500"), 0, id); err != nil {
		t.Fatal(err)
	}
	league := &account.Principal{Grants: []account.Grant{{Role: account.LeagueAdmin, RegionCode: "152500"}}}
	if err := st.Review(ctx, league, league.Scope(), 0, id, true, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.Accept(ctx, league, league.Scope(), 0, id, true, ""); err != nil {
		t.Fatal(err)
	}
}

func TestCheckInBatch(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := starts.Add(-72 * time.Hour)
		st := newClockStore(d, &now)
		rules := activity.CheckInRules{Key: testKey}
		id := newActivity(t, st, 3, 1)
		other := newActivity(t, st, 3, 0)
		codes := signUps(t, st, id, 0, 3)
		waiting := signUps(t, st, id, 3, 1)[0]
		otherCode := signUps(t, st, other, 10, 1)[0]
		cancelled := codes[2]
		// Cancel the third ticket: the waiting one is promoted.
		tk, _ := activity.ParseTicket(testKey, cancelled)
		var nonce string
		d.QueryRowContext(ctx, `SELECT nonce FROM registrations WHERE id = $1`, tk.RegistrationID).Scan(&nonce)
		if err := st.CancelTicket(ctx, tk.RegistrationID, nonce); err != nil {
			t.Fatal(err)
		}
		late := signUps(t, st, id, 4, 1)[0] // waitlisted, never admitted

		now = starts.Add(10 * time.Minute)
		b := activity.CheckInBatch{ActivityID: id, Scope: bannerScope, Scans: scans(codes[0], codes[1], codes[0], otherCode, cancelled,
			codes[1][:len(codes[1])-3], "KP1-1-2-AAAAAAAAAAAAAAAA", waiting)}
		res, err := st.CheckIn(ctx, rules, b)
		if err != nil {
			t.Fatal(err)
		}
		if got := outcomes(res.Scans); got != "new new already refused refused refused refused new" {
			t.Errorf("outcomes: %s", got)
		}
		for i, want := range map[int]string{3: "另一场活动", 4: "已取消", 5: "不完整", 6: "校验失败"} {
			if !strings.Contains(res.Scans[i].Reason, want) {
				t.Errorf("scan %d: reason %q, want %q", i, res.Scans[i].Reason, want)
			}
		}
		if res.Scans[0].Name != "观众0" || res.Scans[0].Phone != "139****0000" {
			t.Errorf("scan 0 names %q %q (phone must be masked)", res.Scans[0].Name, res.Scans[0].Phone)
		}
		if res.Verified != 3 || res.Added != 3 {
			t.Errorf("verified %d added %d, want 3 and 3", res.Verified, res.Added)
		}
		// The same batch sent again adds nothing, and every version carries the count.
		res, err = st.CheckIn(ctx, rules, b)
		if err != nil || res.Added != 0 || res.Verified != 3 || outcomes(res.Scans) != "already already already refused refused refused refused already" {
			t.Errorf("re-sent batch: %s, added %d, verified %d, %v", outcomes(res.Scans), res.Added, res.Verified, err)
		}
		// Accept the record and start a correction, so that the series has two versions: the
		// correction carries the count, and the accepted record takes no more check-ins (a
		// ticket already in says "already"; a new one is refused).
		acceptAndCorrect(t, st, id)
		var v2 int64
		d.QueryRowContext(ctx, `SELECT id FROM activities WHERE series_id = $1 AND version = 2`, id).Scan(&v2)
		b.ActivityID = v2
		b.AdmitWaitlisted = true
		b.Scans = append(b.Scans, scans(late)...)
		res, err = st.CheckIn(ctx, rules, b)
		if err != nil || res.Added != 0 || res.Verified != 3 || outcomes(res.Scans) != "already already already refused refused refused refused already refused" ||
			res.Scans[8].Reason != activity.ErrRecordAccepted.Error() {
			t.Errorf("after acceptance: %s (%q), added %d, verified %d, %v", outcomes(res.Scans), res.Scans[len(res.Scans)-1].Reason, res.Added, res.Verified, err)
		}
		res, err = st.CheckIn(ctx, rules, activity.CheckInBatch{ActivityID: v2, Scope: bannerScope, WalkIns: []activity.WalkIn{{Key: "after-accept-0000000001", Name: "来晚的人"}}})
		if err != nil || outcomes(res.WalkIns) != "refused" || res.WalkIns[0].Reason != activity.ErrRecordAccepted.Error() || res.Verified != 3 {
			t.Errorf("walk-in after acceptance: %+v %v", res, err)
		}
		if v := verified(t, d, id); len(v) != 2 || v[0] != 3 || v[1] != 3 {
			t.Errorf("verified_attendance per version: %v, want [3 3]", v)
		}
		// Scope: another banner's staff cannot check in here.
		if _, err := st.CheckIn(ctx, rules, activity.CheckInBatch{ActivityID: id, Scope: region.NewScope("152501"), Scans: scans(codes[0])}); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("check-in outside scope: %v", err)
		}
		big := make([]activity.Scan, activity.MaxScans+1)
		if _, err := st.CheckIn(ctx, rules, activity.CheckInBatch{ActivityID: id, Scope: bannerScope, Scans: big}); !errors.Is(err, activity.ErrBatchTooLarge) {
			t.Errorf("too large a batch: %v", err)
		}
	})
}

func TestCheckInWaitlistTimesWalkIns(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := starts.Add(-72 * time.Hour)
		st := newClockStore(d, &now)
		rules := activity.CheckInRules{Key: testKey, Grace: 30 * time.Minute}
		id := newActivity(t, st, 1, 2)
		codes := signUps(t, st, id, 0, 2) // one confirmed, one waitlisted
		batch := func(admit bool, at time.Time, cs ...string) activity.CheckInBatch {
			b := activity.CheckInBatch{ActivityID: id, Scope: bannerScope, AdmitWaitlisted: admit}
			for _, c := range cs {
				b.Scans = append(b.Scans, activity.Scan{Code: c, ScannedAt: at})
			}
			return b
		}
		// Too early (device time more than an hour before the start).
		now = starts.Add(-2 * time.Hour)
		res, _ := st.CheckIn(ctx, rules, batch(false, time.Time{}, codes[0]))
		if outcomes(res.Scans) != "refused" || !strings.Contains(res.Scans[0].Reason, "尚未开始") {
			t.Errorf("two hours early: %+v", res.Scans)
		}
		// A device clock far ahead is not believed: the scan counts as made now (too early).
		res, _ = st.CheckIn(ctx, rules, batch(false, starts, codes[0]))
		if outcomes(res.Scans) != "refused" {
			t.Errorf("device clock two hours ahead: %+v", res.Scans)
		}
		// After the end plus grace (30 min): refused; a scan made offline within grace and
		// uploaded later: accepted.
		now = ends.Add(3 * time.Hour)
		res, _ = st.CheckIn(ctx, rules, batch(false, time.Time{}, codes[0]))
		if outcomes(res.Scans) != "refused" || !strings.Contains(res.Scans[0].Reason, "30 分钟") {
			t.Errorf("after grace: %+v", res.Scans)
		}
		res, _ = st.CheckIn(ctx, rules, batch(false, ends.Add(20*time.Minute), codes[0]))
		if outcomes(res.Scans) != "new" || res.Verified != 1 {
			t.Errorf("offline scan within grace uploaded later: %+v", res)
		}
		// Waitlisted: refused unless staff admit them, then a walk-in.
		at := starts.Add(time.Minute)
		res, _ = st.CheckIn(ctx, rules, batch(false, at, codes[1]))
		if outcomes(res.Scans) != "refused" || !strings.Contains(res.Scans[0].Reason, "候补") {
			t.Errorf("waitlisted: %+v", res.Scans)
		}
		res, _ = st.CheckIn(ctx, rules, batch(true, at, codes[1]))
		if outcomes(res.Scans) != "new" || !res.Scans[0].WalkIn || res.Verified != 2 {
			t.Errorf("waitlisted admitted: %+v", res)
		}
		// Walk-ins: a re-sent one (same key) adds nothing; a bad one is refused by field; one
		// without a key is refused (it would count again on every resend).
		key := "device-1-walkin-000000001"
		wb := activity.CheckInBatch{ActivityID: id, Scope: bannerScope, WalkIns: []activity.WalkIn{
			{Key: key, Name: "现场观众", Phone: "13800001111", ScannedAt: at},
			{Key: "device-1-walkin-000000002", Name: " ", ScannedAt: at},
			{Key: "device-1-walkin-000000003", Name: "有票的人", Phone: phone(1), ScannedAt: at},
			{Key: "device-1-walkin-000000004", Name: "号码不对", Phone: "12345", ScannedAt: at},
			{Name: "没有编号", ScannedAt: at},
			{Key: "device-1-walkin-000000005", Name: "换\u202e行", ScannedAt: at},
		}}
		res, err := st.CheckIn(ctx, rules, wb)
		if err != nil || outcomes(res.WalkIns) != "new refused refused refused refused refused" || res.Verified != 3 {
			t.Fatalf("walk-ins: %+v %v", res, err)
		}
		if !strings.Contains(res.WalkIns[1].Reason, "姓名") || !strings.Contains(res.WalkIns[2].Reason, "已有报名") || !strings.Contains(res.WalkIns[3].Reason, "手机号") ||
			!strings.Contains(res.WalkIns[4].Reason, "缺少编号") || !strings.Contains(res.WalkIns[5].Reason, "控制字符") {
			t.Errorf("walk-in reasons: %+v", res.WalkIns)
		}
		if res.WalkIns[0].Phone != "138****1111" {
			t.Errorf("walk-in phone not masked: %q", res.WalkIns[0].Phone)
		}
		res, _ = st.CheckIn(ctx, rules, wb)
		if outcomes(res.WalkIns)[:7] != "already" || res.Verified != 3 {
			t.Errorf("re-sent walk-in: %+v", res)
		}
		// The walk-in allowance (2: the admitted waitlisted ticket and 现场观众) is used up, and
		// the one place is taken: the next walk-in is refused.
		res, _ = st.CheckIn(ctx, rules, activity.CheckInBatch{ActivityID: id, Scope: bannerScope, WalkIns: []activity.WalkIn{{Key: "device-1-walkin-000000009", Name: "又一位", ScannedAt: at}}})
		if res.Verified != 3 || outcomes(res.WalkIns) != "refused" || !strings.Contains(res.WalkIns[0].Reason, "现场名额已满") {
			t.Errorf("walk-in over the allowance: verified %d, %+v", res.Verified, res.WalkIns)
		}
		v, err := st.CheckInStatus(ctx, bannerScope, id, 10)
		if err != nil || len(v.Activity.Flags()) != 0 || len(v.Recent) != 3 || v.WalkIns != 2 {
			t.Errorf("status: flags %v, %d recent, %d walk-ins, %v", v.Activity.Flags(), len(v.Recent), v.WalkIns, err)
		}
	})
}

// Walk-ins stop at WalkInLimit: the allowance plus the places sign-ups left free; an activity
// without a capacity takes none.
func TestWalkInLimit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := starts.Add(-72 * time.Hour)
		st := newClockStore(d, &now)
		rules := activity.CheckInRules{Key: testKey}
		id := newActivity(t, st, 3, 1)
		signUps(t, st, id, 0, 1) // one place taken: 1 + (3 − 1) = 3 walk-ins
		none, err := st.Create(ctx, bannerScope, 0, activity.Input{RegionCode: "152502", Title: "无报名的讲座", Type: "lecture",
			Organizer: "锡林浩特市科协", StartsAt: starts, EndsAt: ends, Mode: "offline", Sessions: 1, WalkInAllowance: 5})
		if err != nil {
			t.Fatal(err)
		}
		now = starts.Add(time.Minute)
		var walkIns []activity.WalkIn
		for i := range 5 {
			walkIns = append(walkIns, activity.WalkIn{Key: fmt.Sprintf("limit-test-key-%08d", i), Name: fmt.Sprintf("现场%d", i)})
		}
		res, err := st.CheckIn(ctx, rules, activity.CheckInBatch{ActivityID: id, Scope: bannerScope, WalkIns: walkIns})
		if err != nil || outcomes(res.WalkIns) != "new new new refused refused" || res.Verified != 3 || !strings.Contains(res.WalkIns[3].Reason, "现场名额已满") {
			t.Errorf("walk-ins over the limit: %+v %v", res, err)
		}
		// Sent again: the three recorded say "already", the others are still refused.
		res, err = st.CheckIn(ctx, rules, activity.CheckInBatch{ActivityID: id, Scope: bannerScope, WalkIns: walkIns})
		if err != nil || outcomes(res.WalkIns) != "already already already refused refused" || res.Verified != 3 {
			t.Errorf("walk-ins re-sent: %+v %v", res, err)
		}
		res, err = st.CheckIn(ctx, rules, activity.CheckInBatch{ActivityID: none, Scope: bannerScope, WalkIns: walkIns[:1]})
		if err != nil || outcomes(res.WalkIns) != "refused" || !strings.Contains(res.WalkIns[0].Reason, "现场名额已满") || res.Verified != 0 {
			t.Errorf("walk-in without capacity: %+v %v", res, err)
		}
		if got := activity.WalkInLimit(activity.Activity{Input: activity.Input{Capacity: 10, WalkInAllowance: 2}}, 12); got != 2 {
			t.Errorf("WalkInLimit with sign-ups over capacity: %d, want 2", got)
		}
	})
}

// A scan made in time on a phone that stays offline counts only if it is uploaded within
// MaxOfflineLag after the end plus grace, whatever the device time says.
func TestCheckInOfflineLag(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := starts.Add(-72 * time.Hour)
		st := newClockStore(d, &now)
		rules := activity.CheckInRules{Key: testKey, Grace: time.Hour}
		id := newActivity(t, st, 5, 5)
		codes := signUps(t, st, id, 0, 2)
		at := starts.Add(5 * time.Minute) // device time: during the activity
		now = ends.Add(time.Hour + activity.MaxOfflineLag + time.Second)
		res, err := st.CheckIn(ctx, rules, activity.CheckInBatch{ActivityID: id, Scope: bannerScope, Scans: []activity.Scan{{Code: codes[0], ScannedAt: at}},
			WalkIns: []activity.WalkIn{{Key: "offline-lag-key-0000001", Name: "离线", ScannedAt: at}}})
		if err != nil || outcomes(res.Scans) != "refused" || outcomes(res.WalkIns) != "refused" || res.Verified != 0 ||
			!strings.Contains(res.Scans[0].Reason, "48 小时") || !strings.Contains(res.WalkIns[0].Reason, "48 小时") {
			t.Errorf("uploaded after the offline lag: %+v %v", res, err)
		}
		now = ends.Add(time.Hour + activity.MaxOfflineLag - time.Second)
		res, err = st.CheckIn(ctx, rules, activity.CheckInBatch{ActivityID: id, Scope: bannerScope, Scans: []activity.Scan{{Code: codes[1], ScannedAt: at}},
			WalkIns: []activity.WalkIn{{Key: "offline-lag-key-0000002", Name: "离线", ScannedAt: at}}})
		if err != nil || outcomes(res.Scans) != "new" || outcomes(res.WalkIns) != "new" || res.Verified != 2 {
			t.Errorf("uploaded within the offline lag: %+v %v", res, err)
		}
	})
}

// Scope is tested on the version in force: once a correction moving the record to another
// unit is accepted, the old unit's staff no longer reach the series; a draft correction
// moves nothing yet.
func TestCheckInScopeFollowsVersionInForce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := starts.Add(-72 * time.Hour)
		st := newClockStore(d, &now)
		id := newActivity(t, st, 5, 0)
		signUps(t, st, id, 0, 1)
		v2 := acceptAndCorrect(t, st, id)
		a, err := st.Get(ctx, bannerScope, v2)
		if err != nil {
			t.Fatal(err)
		}
		in := activity.InputOf(a)
		in.RegionCode = "152501"
		if err := st.Update(ctx, region.NewScope("152500"), 0, v2, in); err != nil {
			t.Fatal(err)
		}
		other := region.NewScope("152501")
		if _, err := st.CheckInStatus(ctx, bannerScope, v2, 0); err != nil {
			t.Errorf("old unit, correction still a draft: %v", err)
		}
		if _, err := st.CheckInStatus(ctx, other, id, 0); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("new unit, correction still a draft: %v", err)
		}
		acceptVersion(t, st, v2)
		for _, vid := range []int64{id, v2} {
			if _, err := st.CheckInStatus(ctx, bannerScope, vid, 0); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("old unit after the move was accepted (version id %d): %v", vid, err)
			}
			if _, err := st.CheckIn(ctx, activity.CheckInRules{Key: testKey}, activity.CheckInBatch{ActivityID: vid, Scope: bannerScope,
				WalkIns: []activity.WalkIn{{Key: "scope-test-key-00000001", Name: "甲"}}}); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("old unit checks in after the move (version id %d): %v", vid, err)
			}
			if _, err := st.StaffCancel(ctx, bannerScope, vid, phone(0)); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("old unit cancels after the move (version id %d): %v", vid, err)
			}
		}
		if v, err := st.CheckInStatus(ctx, other, id, 0); err != nil || v.Activity.ID != v2 || v.Confirmed != 1 {
			t.Errorf("new unit after the move: %+v %v", v.Activity.ID, err)
		}
	})
}

// Many devices send every ticket several times at once, through the group-commit writer and
// (on PostgreSQL, truly concurrent transactions) straight to the store: the verified count is
// exactly the number of tickets.
func TestCheckInConcurrentDuplicates(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := starts.Add(-72 * time.Hour)
		st := newClockStore(d, &now)
		const tickets, times, clients = 60, 4, 8
		w := activity.NewCheckInWriter(st, activity.CheckInRules{Key: testKey})
		for _, through := range []string{"writer", "store"} {
			now = starts.Add(-72 * time.Hour)
			id := newActivity(t, st, tickets, 0)
			codes := signUps(t, st, id, 1000*len(through), tickets)
			now = starts
			var wg sync.WaitGroup
			var mu sync.Mutex
			added, news := 0, 0
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := range times * tickets / clients {
						// Client c sends tickets c, c+clients, ...: every ticket is sent `times` times.
						code := codes[(c+k*clients)%tickets]
						b := activity.CheckInBatch{ActivityID: id, Scope: bannerScope, Scans: scans(code, code)}
						var res activity.CheckInResult
						var err error
						if through == "writer" {
							res, err = w.CheckIn(ctx, b)
						} else {
							res, err = st.CheckIn(ctx, activity.CheckInRules{Key: testKey}, b)
						}
						if err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						added += res.Added
						for _, r := range res.Scans {
							if r.Outcome == activity.OutcomeNew {
								news++
							}
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			var rows int
			d.QueryRowContext(ctx, `SELECT count(*) FROM checkins WHERE activity_id = $1`, id).Scan(&rows)
			if v := verified(t, d, id); v[0] != tickets || added != tickets || news != tickets || rows != tickets {
				t.Errorf("%s: verified %v, added %d, new %d, rows %d; want %d each", through, v, added, news, rows, tickets)
			}
			// A batch for an activity outside the scope fails alone, not its group.
			_, err := w.CheckIn(ctx, activity.CheckInBatch{ActivityID: id, Scope: region.NewScope("152501"), Scans: scans(codes[0])})
			if !errors.Is(err, db.ErrNotFound) {
				t.Errorf("outside scope through the writer: %v", err)
			}
		}
	})
}

// BenchmarkCheckInWriter: b.N tickets, each scanned 3 times, one scan per call, from 64
// goroutines through one CheckInWriter (no HTTP): the durable check-in rate of the store
// itself; "direct" is the same through Store.CheckIn, one transaction per call, to show what
// group commit buys. Reports scans/s (calls, duplicates included) and checkins/s (distinct tickets). See
// docs/BENCHMARKS.md. KEPU_BENCH_SQLITE_SYNC=full runs SQLite with synchronous=FULL.
func BenchmarkCheckInWriter(b *testing.B) {
	for _, name := range []string{"sqlite/writer", "sqlite/direct", "postgres/writer", "postgres/direct"} {
		dialect, through, _ := strings.Cut(name, "/")
		b.Run(name, func(b *testing.B) {
			var d *db.DB
			if dialect == "sqlite" {
				d = dbtest.SQLite(b)
				if os.Getenv("KEPU_BENCH_SQLITE_SYNC") == "full" {
					t, _ := db.ParseTarget(d.Path)
					d.Close()
					t.DSN = strings.Replace(t.DSN, "synchronous(normal)", "synchronous(full)", 1)
					var err error
					if d, err = db.OpenTarget(context.Background(), t); err != nil {
						b.Fatal(err)
					}
					defer d.Close()
				}
			} else {
				d = dbtest.Postgres(b)
			}
			ctx := context.Background()
			now := starts.Add(-72 * time.Hour)
			st := newClockStore(d, &now)
			id := newActivity(b, st, b.N, 0)
			rows := make([][]any, b.N)
			for i := range rows {
				rows[i] = []any{id, fmt.Sprintf("观众%d", i), phone(i), "confirmed", false, fmt.Sprintf("n%d", i), now}
			}
			if err := db.BulkInsert(ctx, d, d.Dialect, "registrations", []string{"activity_id", "name", "phone", "status", "walk_in", "nonce", "created_at"}, rows, ""); err != nil {
				b.Fatal(err)
			}
			var codes []string
			r, _ := d.QueryContext(ctx, `SELECT id FROM registrations WHERE activity_id = $1`, id)
			for r.Next() {
				var rid int64
				r.Scan(&rid)
				codes = append(codes, activity.TicketPayload(testKey, id, rid))
			}
			r.Close()
			codes = append(append(codes, codes...), codes...) // copies of a ticket go out 1/3 of the run apart
			now = starts
			w := activity.NewCheckInWriter(st, activity.CheckInRules{Key: testKey})
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			begin := time.Now()
			for range 64 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1)) - 1
						if i >= len(codes) {
							return
						}
						batch := activity.CheckInBatch{ActivityID: id, Scope: bannerScope, Scans: scans(codes[i])}
						var err error
						if through == "writer" {
							_, err = w.CheckIn(ctx, batch)
						} else { // one transaction per call, no group commit
							_, err = st.CheckIn(ctx, activity.CheckInRules{Key: testKey}, batch)
						}
						if err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			took := time.Since(begin)
			b.StopTimer()
			if v := verified(b, d, id); v[0] != int64(b.N) {
				b.Fatalf("verified %d, want %d", v[0], b.N)
			}
			b.ReportMetric(float64(len(codes))/took.Seconds(), "scans/s")
			b.ReportMetric(float64(b.N)/took.Seconds(), "checkins/s")
		})
	}
}

// The embedded QR decoder is the pinned npm package's file (scripts/checkin-jsqr.sh). The
// byte comparison runs when node_modules is installed (scripts/test.sh runs npm ci).
func TestJsQRMatchesNpm(t *testing.T) {
	lock, err := os.ReadFile("../../package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(lock), `"node_modules/jsqr": {`+"\n"+`      "version": "1.4.0"`) {
		t.Error("package-lock.json does not pin jsqr 1.4.0")
	}
	embedded, err := os.ReadFile("../web/static/checkin-jsqr.js")
	if err != nil || !strings.Contains(string(embedded), "jsQR") {
		t.Fatalf("internal/web/static/checkin-jsqr.js: %v", err)
	}
	npm, err := os.ReadFile("../../node_modules/jsqr/dist/jsQR.js")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("node_modules/jsqr not installed (npm ci): byte comparison skipped")
	}
	if err != nil {
		t.Fatal(err)
	}
	if string(npm) != string(embedded) {
		t.Error("internal/web/static/checkin-jsqr.js differs from node_modules/jsqr/dist/jsQR.js: run scripts/checkin-jsqr.sh")
	}
}
