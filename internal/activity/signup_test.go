package activity_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	qr "github.com/piglig/go-qr"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// day is the activity's day in the tests: 09:00–11:00 China time (01:00–03:00 UTC).
var (
	starts = time.Date(2026, 9, 12, 1, 0, 0, 0, time.UTC)
	ends   = starts.Add(2 * time.Hour)
)

func newClockStore(d *db.DB, now *time.Time) *activity.Store {
	return &activity.Store{DB: d, Regions: &region.Store{DB: d}, Now: func() time.Time { return *now }}
}

var bannerScope = region.NewScope("152502")

// newActivity creates an activity of banner 152502 with sign-up open.
func newActivity(t testing.TB, st *activity.Store, capacity, walkIns int) int64 {
	t.Helper()
	id, err := st.Create(context.Background(), bannerScope, 0, activity.Input{RegionCode: "152502", Title: "星空科普讲座", Type: "lecture",
		Organizer: "锡林浩特市科协", Venue: "市科技馆报告厅", StartsAt: starts, EndsAt: ends, Mode: "offline", Sessions: 1,
		Capacity: capacity, WalkInAllowance: walkIns, SignupOpen: true})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func phone(i int) string { return fmt.Sprintf("139%08d", i) }

func TestSignupCapacityWaitlistCancel(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := starts.Add(-48 * time.Hour)
		st := newClockStore(d, &now)
		id := newActivity(t, st, 2, 1)

		var regs []activity.Registration
		for i := range 4 {
			r, err := st.SignUp(ctx, id, activity.SignupInput{Name: " 乌云 " + strconv.Itoa(i), Phone: "139 " + phone(i)[3:]})
			if err != nil {
				t.Fatalf("sign-up %d: %v", i, err)
			}
			regs = append(regs, r)
		}
		for i, want := range []string{activity.Confirmed, activity.Confirmed, activity.Waitlisted, activity.Waitlisted} {
			if regs[i].Status != want || regs[i].Nonce == "" || regs[i].SeriesID != id {
				t.Errorf("sign-up %d: %+v, want %s", i, regs[i], want)
			}
		}
		if regs[3].Position != 2 || regs[0].Name != "乌云 0" || regs[0].Phone != phone(0) {
			t.Errorf("waitlist position %d, name %q, phone %q", regs[3].Position, regs[0].Name, regs[0].Phone)
		}
		// The waiting list is as long as the capacity: the fifth is refused.
		if _, err := st.SignUp(ctx, id, activity.SignupInput{Name: "五", Phone: phone(4)}); !errors.Is(err, activity.ErrSignupFull) {
			t.Errorf("fifth sign-up: %v, want ErrSignupFull", err)
		}
		// One live ticket per phone, in any writing of the number.
		var verr activity.ValidationError
		if _, err := st.SignUp(ctx, id, activity.SignupInput{Name: "重复", Phone: "+86 １３９-" + phone(1)[3:]}); !errors.As(err, &verr) || !strings.Contains(verr["phone"], "已报名") {
			t.Errorf("same phone twice: %v", err)
		}
		if _, err := st.SignUp(ctx, id, activity.SignupInput{Name: "", Phone: "12345"}); !errors.As(err, &verr) || verr["name"] == "" || !strings.Contains(verr["phone"], "11 位") {
			t.Errorf("bad input: %v", err)
		}
		// Reading or cancelling needs the nonce; a wrong one is "not found".
		if _, err := st.Ticket(ctx, regs[0].ID, "guess"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("ticket with a wrong nonce: %v", err)
		}
		if err := st.CancelTicket(ctx, regs[0].ID, regs[1].Nonce); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("cancel with another ticket's nonce: %v", err)
		}
		// Cancelling a confirmed ticket promotes the first waitlisted one, in the same step.
		if err := st.CancelTicket(ctx, regs[0].ID, regs[0].Nonce); err != nil {
			t.Fatal(err)
		}
		if err := st.CancelTicket(ctx, regs[0].ID, regs[0].Nonce); err != nil {
			t.Errorf("cancelling twice: %v", err)
		}
		for i, want := range []string{activity.Cancelled, activity.Confirmed, activity.Confirmed, activity.Waitlisted} {
			r, err := st.Ticket(ctx, regs[i].ID, regs[i].Nonce)
			if err != nil || r.Status != want {
				t.Errorf("after cancel, ticket %d: %s %v, want %s", i, r.Status, err, want)
			}
			if i == 3 && r.Position != 1 {
				t.Errorf("waitlist position after promotion: %d, want 1", r.Position)
			}
		}
		// The cancelled phone may sign up again (it goes to the end of the queue).
		if r, err := st.SignUp(ctx, id, activity.SignupInput{Name: "乌云 0", Phone: phone(0)}); err != nil || r.Status != activity.Waitlisted {
			t.Errorf("sign-up again after cancelling: %+v %v", r, err)
		}
		// A checked-in ticket cannot be cancelled.
		now = starts
		payload := activity.TicketPayload(testKey, id, regs[1].ID)
		if _, err := st.CheckIn(ctx, activity.CheckInRules{Key: testKey}, activity.CheckInBatch{ActivityID: id, Scope: bannerScope, Scans: []activity.Scan{{Code: payload}}}); err != nil {
			t.Fatal(err)
		}
		if err := st.CancelTicket(ctx, regs[1].ID, regs[1].Nonce); !errors.Is(err, activity.ErrCheckedInKept) {
			t.Errorf("cancel after check-in: %v", err)
		}
		// After the end, sign-up is closed.
		now = ends
		if _, err := st.SignUp(ctx, id, activity.SignupInput{Name: "迟到", Phone: phone(9)}); !errors.Is(err, activity.ErrSignupEnded) {
			t.Errorf("sign-up after the end: %v", err)
		}
	})
}

func TestSignupClosed(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := starts.Add(-time.Hour)
		st := newClockStore(d, &now)
		id, err := st.Create(ctx, bannerScope, 0, activity.Input{RegionCode: "152502", Title: "不开放报名", Type: "lecture", Organizer: "科协",
			StartsAt: starts, EndsAt: ends, Mode: "offline", Sessions: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SignUp(ctx, id, activity.SignupInput{Name: "甲", Phone: phone(1)}); !errors.Is(err, activity.ErrSignupClosed) {
			t.Errorf("sign-up when not open: %v", err)
		}
		if _, err := st.SignUp(ctx, 999999, activity.SignupInput{Name: "甲", Phone: phone(1)}); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("sign-up for no activity: %v", err)
		}
	})
}

// Names with control or bidirectional formatting characters are refused by field.
func TestSignupNameCharacters(t *testing.T) {
	for _, name := range []string{"乌云\u202e", "乌\n云", "乌\r云", "乌\t云", "\u200e乌云", "乌云\u200f", "乌\u202a云", "乌\u2066云", "乌\u2069云", "乌\x00云"} {
		in := activity.SignupInput{Name: name, Phone: phone(1)}
		errs := in.Validate()
		if errs == nil || !strings.Contains(errs["name"], "控制字符") {
			t.Errorf("name %q: %v", name, errs)
		}
	}
	for _, name := range []string{"乌云", "Anna-Maria O'Neil", "ᠤᠶᠤᠨ", " 乌云\n"} {
		in := activity.SignupInput{Name: name, Phone: phone(1)}
		if errs := in.Validate(); errs != nil {
			t.Errorf("name %q refused: %v", name, errs)
		}
	}
}

// The public sees the version in force: version 1, or the newest accepted correction. A draft
// correction changes neither the sign-up page, nor the list, nor the capacity sign-ups fill.
// The list counts places taken as the sign-up page does (walk-ins and admitted waitlisted
// tickets do not take a place).
func TestSignupFollowsVersionInForce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := starts.Add(-48 * time.Hour)
		st := newClockStore(d, &now)
		id := newActivity(t, st, 1, 5)
		codes := signUps(t, st, id, 0, 2) // one place taken, one waiting
		v2 := acceptAndCorrect(t, st, id)
		a, err := st.Get(ctx, bannerScope, v2)
		if err != nil {
			t.Fatal(err)
		}
		in := activity.InputOf(a)
		in.Title, in.Capacity = "改过的标题", 10
		if err := st.Update(ctx, bannerScope, 0, v2, in); err != nil {
			t.Fatal(err)
		}
		check := func(what, title string, capacity int) {
			t.Helper()
			for _, vid := range []int64{id, v2} {
				a, confirmed, waitlisted, err := st.SignupActivity(ctx, vid)
				if err != nil || a.Title != title || a.Capacity != capacity {
					t.Errorf("%s: sign-up page of version %d shows %q, capacity %d, %v", what, vid, a.Title, a.Capacity, err)
				}
				list, err := st.OpenForSignup(ctx, "", now, 10)
				if err != nil || len(list) != 1 || list[0].Title != title || list[0].Confirmed != confirmed {
					t.Errorf("%s: list %+v (sign-up page: %d taken, %d waiting), %v", what, list, confirmed, waitlisted, err)
				}
			}
		}
		check("draft correction", "星空科普讲座", 1)
		// Capacity 1 is in force (10 would confirm a place): the waiting list is full.
		if _, err := st.SignUp(ctx, v2, activity.SignupInput{Name: "第三位", Phone: phone(2)}); !errors.Is(err, activity.ErrSignupFull) {
			t.Errorf("sign-up while the correction is a draft: %v, want ErrSignupFull (capacity 1 in force)", err)
		}
		// A walk-in and a waitlisted ticket admitted at the door (both walk-in tickets) take
		// no place, on the list either. The record is accepted, so no check-in would take
		// them now: they are written as the door would have written them before.
		tk, _ := activity.ParseTicket(testKey, codes[1])
		if _, err := d.ExecContext(ctx, `UPDATE registrations SET status = 'confirmed', walk_in = TRUE WHERE id = $1`, tk.RegistrationID); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, `INSERT INTO registrations (activity_id, name, phone, status, walk_in, nonce, created_at)
			VALUES ($1, '现场', '', 'confirmed', TRUE, 'walkin-nonce-0000000001', $2)`, id, now); err != nil {
			t.Fatal(err)
		}
		check("with a walk-in", "星空科普讲座", 1)
		acceptVersion(t, st, v2)
		check("correction accepted", "改过的标题", 10)
	})
}

// Staff cancel the live ticket of a phone: the place goes to the first waitlisted ticket;
// a checked-in ticket is kept; another unit's staff reach nothing.
func TestStaffCancel(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := starts.Add(-48 * time.Hour)
		st := newClockStore(d, &now)
		id := newActivity(t, st, 2, 1)
		codes := signUps(t, st, id, 0, 4) // two confirmed, two waiting
		if _, err := st.StaffCancel(ctx, region.NewScope("152501"), id, phone(0)); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("another unit's staff: %v", err)
		}
		var verr activity.ValidationError
		if _, err := st.StaffCancel(ctx, bannerScope, id, phone(7)); !errors.As(err, &verr) || !strings.Contains(verr["phone"], "没有有效的报名") {
			t.Errorf("a phone without a ticket: %v", err)
		}
		if _, err := st.StaffCancel(ctx, bannerScope, id, "12"); !errors.As(err, &verr) || !strings.Contains(verr["phone"], "11 位") {
			t.Errorf("not a phone: %v", err)
		}
		r, err := st.StaffCancel(ctx, bannerScope, id, "139 "+phone(0)[3:])
		if err != nil || r.Name != "观众0" {
			t.Fatalf("staff cancel: %+v %v", r, err)
		}
		v, err := st.CheckInStatus(ctx, bannerScope, id, 0)
		if err != nil || v.Confirmed != 2 || v.Waitlisted != 1 {
			t.Errorf("after the cancellation: %d confirmed, %d waiting, %v; want 2 and 1", v.Confirmed, v.Waitlisted, err)
		}
		if _, err := st.StaffCancel(ctx, bannerScope, id, phone(0)); !errors.As(err, &verr) {
			t.Errorf("cancelled twice: %v", err)
		}
		now = starts
		if _, err := st.CheckIn(ctx, activity.CheckInRules{Key: testKey}, activity.CheckInBatch{ActivityID: id, Scope: bannerScope, Scans: []activity.Scan{{Code: codes[1]}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.StaffCancel(ctx, bannerScope, id, phone(1)); !errors.Is(err, activity.ErrCheckedInKept) {
			t.Errorf("cancel a checked-in ticket: %v", err)
		}
	})
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{"13912345678": "13912345678", "139 1234 5678": "13912345678", "+86 139-1234-5678": "13912345678",
		"１３９１２３４５６７８": "13912345678", "8613912345678": "13912345678"} {
		if got, ok := activity.NormalizePhone(in); !ok || got != want {
			t.Errorf("NormalizePhone(%q) = %q %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "1391234567", "23912345678", "12912345678", "1391234567x", "139123456789012345"} {
		if _, ok := activity.NormalizePhone(in); ok {
			t.Errorf("NormalizePhone(%q) accepted", in)
		}
	}
}

func TestParseTicket(t *testing.T) {
	good := activity.TicketPayload(testKey, 12, 3456)
	if !regexp.MustCompile(`^KP1-12-3456-[0-9A-HJKMNP-TV-Z]{16}$`).MatchString(good) {
		t.Fatalf("payload %q does not have the documented form", good)
	}
	tk, err := activity.ParseTicket(testKey, good)
	if err != nil || tk != (activity.Ticket{SeriesID: 12, RegistrationID: 3456}) {
		t.Fatalf("ParseTicket(%q) = %+v %v", good, tk, err)
	}
	mac := good[len("KP1-12-3456-"):]
	// Typed by hand: lower case, spaces, full-width, look-alike letters.
	loose := " kp1-12-3456-" + strings.ToLower(strings.NewReplacer("0", "O", "1", "I").Replace(mac)) + "\n"
	fullWidth := strings.Map(func(r rune) rune {
		if r >= '!' && r <= '~' {
			return r + 0xFEE0
		}
		return r
	}, good)
	for _, s := range []string{loose, fullWidth, "KP1 - 12 - 3456 - " + mac[:8] + " " + mac[8:]} {
		if tk, err := activity.ParseTicket(testKey, s); err != nil || tk.RegistrationID != 3456 {
			t.Errorf("ParseTicket(%q): %v", s, err)
		}
	}
	flip := []byte(mac)
	if flip[0] == 'A' {
		flip[0] = 'B'
	} else {
		flip[0] = 'A'
	}
	for s, want := range map[string]error{
		"":                            activity.ErrTicketEmpty,
		"   ":                         activity.ErrTicketEmpty,
		good[:len(good)-1]:            activity.ErrTicketTruncated,
		good[:len(good)-10]:           activity.ErrTicketTruncated,
		"KP1-12-3456":                 activity.ErrTicketTruncated,
		"KP1-12-3456-" + string(flip): activity.ErrTicketForged,
		"KP1-12-3457-" + mac:          activity.ErrTicketForged, // another registration
		"KP1-13-3456-" + mac:          activity.ErrTicketForged, // another activity
		activity.TicketPayload([]byte("another installation's key 32 b"), 12, 3456): activity.ErrTicketForged,
		good + "0":                          activity.ErrTicketFormat,
		"KP2-12-3456-" + mac:                activity.ErrTicketFormat,
		"KP1-012-3456-" + mac:               activity.ErrTicketFormat,
		"KP1--3456-" + mac:                  activity.ErrTicketFormat,
		"KP1-0-3456-" + mac:                 activity.ErrTicketFormat,
		"KP1-99999999999999999999-1-" + mac: activity.ErrTicketFormat,
		"https://example.com/?t=" + good:    activity.ErrTicketFormat,
		"KP1-12-3456-" + mac + "-X":         activity.ErrTicketFormat,
	} {
		if _, err := activity.ParseTicket(testKey, s); err != want {
			t.Errorf("ParseTicket(%q) = %v, want %v", s, err, want)
		}
	}
	if _, err := activity.ParseTicket(nil, good); err != activity.ErrTicketForged {
		t.Errorf("no key: %v", err)
	}
}

// FuzzParseTicket: ParseTicket never panics, accepts only payloads that TicketPayload would
// write for the ids it returns, and every accepted or refused input gets a known reason.
func FuzzParseTicket(f *testing.F) {
	good := activity.TicketPayload(testKey, 12, 3456)
	for _, s := range []string{good, good[:20], strings.ToLower(good), "", "KP1-1-1-", "KP1-1-1-0000000000000000", "ＫＰ１－１", "KP1-9223372036854775807-1-AAAAAAAAAAAAAAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tk, err := activity.ParseTicket(testKey, s)
		if err != nil {
			if !activity.IsTicketError(err) || err.Error() == "" {
				t.Fatalf("ParseTicket(%q): error %v is not a TicketError", s, err)
			}
			return
		}
		if tk.SeriesID <= 0 || tk.RegistrationID <= 0 {
			t.Fatalf("ParseTicket(%q) accepted ids %+v", s, tk)
		}
		again, err := activity.ParseTicket(testKey, activity.TicketPayload(testKey, tk.SeriesID, tk.RegistrationID))
		if err != nil || again != tk {
			t.Fatalf("round trip of %q: %+v %v", s, again, err)
		}
	})
}

// The inline SVG decodes back to the payload: its path is drawn into a bitmap and read by
// go-qr's decoder.
func TestTicketQRDecodes(t *testing.T) {
	payload := activity.TicketPayload(testKey, 123, 456789)
	svg, err := activity.TicketQR(payload, "入场二维码")
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if strings.Contains(s, "style=") || !strings.Contains(s, `aria-label="入场二维码"`) {
		t.Errorf("svg has an inline style or no label: %.200s", s)
	}
	vb := regexp.MustCompile(`viewBox="0 0 (\d+) \d+"`).FindStringSubmatch(s)
	if vb == nil {
		t.Fatal("no viewBox")
	}
	n, _ := strconv.Atoi(vb[1])
	const scale = 6
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-\d+z`).FindAllStringSubmatch(s, -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		w, _ := strconv.Atoi(m[3])
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+w)*scale; px++ {
				img.SetGray(px, py, color.Gray{0})
			}
		}
	}
	got, err := qr.Decode(img)
	if err != nil || got != payload {
		t.Errorf("decoded %q %v, want %q", got, err, payload)
	}
}

// newAccount creates a staff account (reviewers must be real accounts).
func newAccount(t *testing.T, d *db.DB, name string) int64 {
	t.Helper()
	accts := &account.Store{DB: d, Regions: &region.Store{DB: d}}
	id, err := accts.Create(context.Background(), account.NewAccount{Username: name, Password: "correct horse battery",
		Grants: []account.Grant{{Role: account.RegionAdmin, RegionCode: "150000"}}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
