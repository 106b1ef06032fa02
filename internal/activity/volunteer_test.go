package activity_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

func TestStarLevel(t *testing.T) {
	for _, c := range []struct {
		minutes int64
		want    int
	}{
		{0, 0}, {99*60 + 59, 0}, {100 * 60, 1}, {300*60 - 1, 1}, {300 * 60, 2}, {600*60 - 1, 2}, {600 * 60, 3},
		{1000*60 - 1, 3}, {1000 * 60, 4}, {1500*60 - 1, 4}, {1500 * 60, 5}, {100_000 * 60, 5},
	} {
		if got := activity.StarLevel(c.minutes); got != c.want {
			t.Errorf("StarLevel(%d min = %s) = %d, want %d", c.minutes, activity.HoursText(c.minutes), got, c.want)
		}
	}
	if h, missing := activity.NextStar(99*60 + 59); h != 100 || missing != 1 {
		t.Errorf("NextStar(99:59) = %d h, %d min; want 100 h, 1 min", h, missing)
	}
	if h, missing := activity.NextStar(1500 * 60); h != 0 || missing != 0 {
		t.Errorf("NextStar at five stars = %d, %d", h, missing)
	}
}

func TestVolunteerEligible(t *testing.T) {
	for _, c := range []struct {
		in   activity.VolunteerTotals
		want bool
	}{
		{activity.VolunteerTotals{Activities: 10, Minutes: 20 * 60}, true},
		{activity.VolunteerTotals{Activities: 9, Minutes: 20 * 60}, false},
		{activity.VolunteerTotals{Activities: 10, Minutes: 20*60 - 1}, false},
		{activity.VolunteerTotals{Activities: 50, Minutes: 500 * 60}, true},
		{activity.VolunteerTotals{}, false},
	} {
		if got := c.in.Eligible(); got != c.want {
			t.Errorf("%+v eligible = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestTeamEligible(t *testing.T) {
	for _, c := range []struct {
		name string
		in   activity.TeamTotals
		want bool
	}{
		{"all at the thresholds", activity.TeamTotals{Volunteers: 20, Activities: 50, Minutes: 100 * 60}, true},
		{"19 volunteers", activity.TeamTotals{Volunteers: 19, Activities: 50, Minutes: 200 * 60}, false},
		{"49 activities", activity.TeamTotals{Volunteers: 20, Activities: 49, Minutes: 100 * 60}, false},
		{"99:59 in total", activity.TeamTotals{Volunteers: 20, Activities: 50, Minutes: 100*60 - 1}, false},
		{"one minute short of 5 h per volunteer", activity.TeamTotals{Volunteers: 40, Activities: 60, Minutes: 200*60 - 1}, false},
		{"exactly 5 h per volunteer", activity.TeamTotals{Volunteers: 40, Activities: 60, Minutes: 200 * 60}, true},
		{"no members", activity.TeamTotals{Volunteers: 0, Activities: 60, Minutes: 200 * 60}, false},
	} {
		if got := c.in.Eligible(); got != c.want {
			t.Errorf("%s: %+v eligible = %v, want %v", c.name, c.in, got, c.want)
		}
	}
	if got := (activity.TeamTotals{Volunteers: 4, Minutes: 90}).MinutesPerVolunteer(); got != 22.5 {
		t.Errorf("per volunteer = %v", got)
	}
}

func TestCheckServedInterval(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	shiftStart, shiftEnd, now := at("2026-06-01 09:00:00"), at("2026-06-01 12:00:00"), at("2026-06-02 00:00:00")
	for _, c := range []struct {
		start, end string
		field      string
		minutes    int64
	}{
		{"2026-06-01 09:05:40", "2026-06-01 11:55:10", "", 170}, // seconds dropped
		{"2026-06-01 10:00:00", "2026-06-01 09:59:00", "ends_at", 0},
		{"2026-06-01 10:00:00", "2026-06-01 10:00:30", "ends_at", 0}, // same minute
		{"2026-06-01 06:00:00", "2026-06-01 12:00:00", "", 360},      // exactly the margin early
		{"2026-06-01 05:59:00", "2026-06-01 12:00:00", "starts_at", 0},
		{"2026-06-01 09:00:00", "2026-06-01 15:00:00", "", 360},
		{"2026-06-01 09:00:00", "2026-06-01 15:01:00", "ends_at", 0},
	} {
		_, _, m, field, msg := activity.CheckServedInterval(at(c.start), at(c.end), shiftStart, shiftEnd, now)
		if field != c.field || m != c.minutes || (field != "") != (msg != "") {
			t.Errorf("%s–%s: field %q (%s), %d min; want field %q, %d min", c.start, c.end, field, msg, m, c.field, c.minutes)
		}
	}
	if _, _, _, field, _ := activity.CheckServedInterval(shiftStart, shiftEnd, shiftStart, shiftEnd, at("2026-06-01 11:00:00")); field != "ends_at" {
		t.Errorf("hours ending in the future: field %q", field)
	}
	if _, _, _, field, _ := activity.CheckServedInterval(at("2026-05-31 09:00:00"), at("2026-06-01 09:01:00"), at("2026-05-31 09:00:00"), at("2026-06-02 09:00:00"), now); field != "ends_at" {
		t.Errorf("over 24 hours: field %q", field)
	}
	a, b, c := at("2026-06-01 09:00:00"), at("2026-06-01 10:00:00"), at("2026-06-01 11:00:00")
	if activity.HoursOverlap(a, b, b, c) {
		t.Error("touching intervals overlap")
	}
	if !activity.HoursOverlap(a, c, b, c) || !activity.HoursOverlap(b, c, a, c) {
		t.Error("nested intervals do not overlap")
	}
}

// volunteerFixture is a team in 152502 with approved members, one volunteer who is not a
// member, and a team in 152501.
type volunteerFixture struct {
	v       *activity.Volunteering
	reg     *registry.Store
	team    int64
	other   int64
	members []int64
	phones  []string
	outside int64 // a volunteer who is no member
	// Two banner accounts: the one who records hours and the team admin's side who decides.
	recorder, approver int64
}

var (
	elsewhr = region.NewScope("152501")
	whole   = region.NewScope("150000")
	// now is after every shift the tests make.
	testNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
)

func newVolunteerFixture(t *testing.T, d *db.DB, members int) *volunteerFixture {
	t.Helper()
	ctx := context.Background()
	regions := &region.Store{DB: d}
	clock := func() time.Time { return testNow }
	reg := &registry.Store{DB: d, Regions: regions, Now: clock}
	f := &volunteerFixture{reg: reg, v: &activity.Volunteering{Activities: &activity.Store{DB: d, Regions: regions, Now: clock}, Registry: reg}}
	var err error
	if f.team, err = reg.Create(ctx, &registry.VolunteerTeams, whole, 0, registry.Values{"name": "锡林浩特市科技志愿服务队", "region_code": "152502"}); err != nil {
		t.Fatal(err)
	}
	if f.other, err = reg.Create(ctx, &registry.VolunteerTeams, whole, 0, registry.Values{"name": "二连浩特市科技志愿服务队", "region_code": "152501"}); err != nil {
		t.Fatal(err)
	}
	accounts := &account.Store{DB: d, Regions: regions}
	for i, name := range []string{"recorder", "approver"} {
		id, err := accounts.Create(ctx, account.NewAccount{Username: name, DisplayName: name, Phone: "13912345678", Password: "correct horse battery",
			Grants: []account.Grant{{Role: account.BannerAdmin, RegionCode: "152502"}}})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			f.recorder = id
		} else {
			f.approver = id
		}
	}
	for i := range members + 1 {
		phone := fmt.Sprintf("138%08d", i+1)
		id, err := reg.Create(ctx, &registry.Volunteers, whole, 0, registry.Values{"name": fmt.Sprintf("志愿者%d", i+1), "phone": phone, "region_code": "152502001"})
		if err != nil {
			t.Fatal(err)
		}
		if i == members {
			f.outside = id
			f.phones = append(f.phones, phone)
			break
		}
		mid, err := reg.Join(ctx, whole, 0, id, f.team)
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.Decide(ctx, whole, 0, mid, true, ""); err != nil {
			t.Fatal(err)
		}
		f.members = append(f.members, id)
		f.phones = append(f.phones, phone)
	}
	return f
}

// cst builds a time in China Standard Time.
func cst(day, hour, minute int) time.Time {
	return time.Date(2026, 6, day, hour, minute, 0, 0, activity.China)
}

func (f *volunteerFixture) shift(t *testing.T, headcount int, start, end time.Time) int64 {
	t.Helper()
	id, err := f.v.CreateShift(context.Background(), banner, 0, activity.ShiftInput{TeamID: f.team, Title: "科普日讲解", StartsAt: start, EndsAt: end, Headcount: headcount})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// serve signs a member up on a shift and records and approves the hours.
func (f *volunteerFixture) serve(t *testing.T, shift int64, member int, start, end time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	hid, err := f.v.SignUp(ctx, banner, 0, shift, f.phones[member])
	if err != nil {
		t.Fatal(err)
	}
	if err := f.v.Record(ctx, banner, f.recorder, hid, start, end); err != nil {
		t.Fatal(err)
	}
	if err := f.v.Decide(ctx, banner, f.approver, hid, true, ""); err != nil {
		t.Fatal(err)
	}
	return hid
}

func TestShiftSignUpAndHours(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newVolunteerFixture(t, d, 2)
		v := f.v
		if f.recorder == 0 || f.approver == 0 {
			t.Fatal("no accounts")
		}
		// Shift validation and scope.
		_, err := v.CreateShift(ctx, banner, 0, activity.ShiftInput{TeamID: f.team, Title: "讲解", StartsAt: cst(1, 12, 0), EndsAt: cst(1, 9, 0), Headcount: 1})
		var verr activity.ValidationError
		if !errors.As(err, &verr) || verr["ends_at"] == "" {
			t.Errorf("end before start: %v", err)
		}
		_, err = v.CreateShift(ctx, banner, 0, activity.ShiftInput{TeamID: f.other, Title: "讲解", StartsAt: cst(1, 9, 0), EndsAt: cst(1, 12, 0), Headcount: 1})
		if !errors.As(err, &verr) || verr["team_id"] == "" {
			t.Errorf("team outside scope: %v", err)
		}
		_, err = v.CreateShift(ctx, banner, 0, activity.ShiftInput{TeamID: f.team, Title: "讲解", StartsAt: cst(1, 9, 0), EndsAt: cst(1, 12, 0), Headcount: 1, ActivityID: 999})
		if !errors.As(err, &verr) || verr["activity_id"] == "" {
			t.Errorf("unknown activity: %v", err)
		}
		s1 := f.shift(t, 1, cst(1, 9, 0), cst(1, 12, 0))
		// A shift of an activity in scope carries the activity's title.
		act, err := f.v.Activities.Create(ctx, banner, f.recorder, activity.Input{RegionCode: "152502", Title: "全国科普日锡林浩特主场活动", Type: "volunteer_service",
			Organizer: "锡林浩特市科协", StartsAt: cst(2, 9, 0), EndsAt: cst(2, 17, 0), Mode: "offline", Sessions: 1})
		if err != nil {
			t.Fatal(err)
		}
		sa, err := v.CreateShift(ctx, banner, 0, activity.ShiftInput{TeamID: f.team, ActivityID: act, Title: "主场引导", StartsAt: cst(2, 9, 0), EndsAt: cst(2, 12, 0), Headcount: 3})
		if err != nil {
			t.Fatal(err)
		}
		if sh, err := v.Shift(ctx, banner, sa); err != nil || sh.ActivityID != act || sh.ActivityTitle != "全国科普日锡林浩特主场活动" || sh.TeamName != "锡林浩特市科技志愿服务队" || sh.RegionName == "" {
			t.Errorf("shift of an activity: %+v %v", sh, err)
		}
		if _, err := v.CreateShift(ctx, elsewhr, 0, activity.ShiftInput{TeamID: f.other, ActivityID: act, Title: "主场引导", StartsAt: cst(2, 9, 0), EndsAt: cst(2, 12, 0), Headcount: 3}); !errors.As(err, &verr) || verr["activity_id"] == "" {
			t.Errorf("activity of another banner: %v", err)
		}
		if _, err := v.Shift(ctx, elsewhr, s1); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("shift read outside scope: %v", err)
		}

		// Sign-up: members only, once, up to the headcount; cancel frees the place.
		if _, err := v.SignUp(ctx, banner, 0, s1, f.phones[2]); !errors.Is(err, activity.ErrNotTeamMember) {
			t.Errorf("non-member: %v", err)
		}
		if _, err := v.SignUp(ctx, elsewhr, 0, s1, f.phones[0]); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("sign-up outside scope: %v", err)
		}
		h1, err := v.SignUp(ctx, banner, 0, s1, f.phones[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.SignUp(ctx, banner, 0, s1, f.phones[0]); !errors.Is(err, activity.ErrSignedUp) {
			t.Errorf("twice: %v", err)
		}
		if _, err := v.SignUp(ctx, banner, 0, s1, f.phones[1]); !errors.Is(err, activity.ErrShiftFull) {
			t.Errorf("beyond the headcount: %v", err)
		}
		if err := v.Cancel(ctx, banner, 0, h1); err != nil {
			t.Fatal(err)
		}
		if err := v.Cancel(ctx, banner, 0, h1); !errors.Is(err, activity.ErrShiftSignupCancelled) {
			t.Errorf("cancel twice: %v", err)
		}
		h2, err := v.SignUp(ctx, banner, 0, s1, f.phones[1])
		if err != nil {
			t.Fatalf("place freed by a cancellation: %v", err)
		}

		// Recording, then approval by another account.
		if err := v.Record(ctx, banner, f.recorder, h2, cst(1, 11, 0), cst(1, 10, 0)); !errors.As(err, &verr) || verr["ends_at"] != "结束时间早于开始时间" {
			t.Errorf("end before start: %v", err)
		}
		if err := v.Record(ctx, banner, f.recorder, h2, cst(1, 9, 5), cst(1, 11, 55)); err != nil {
			t.Fatal(err)
		}
		if err := v.Decide(ctx, banner, f.recorder, h2, true, ""); !errors.Is(err, activity.ErrSameRecorder) {
			t.Errorf("approved by the recorder: %v", err)
		}
		if err := v.Decide(ctx, banner, f.approver, h2, false, "  "); !errors.Is(err, activity.ErrNoReason) {
			t.Errorf("decline without reason: %v", err)
		}
		if err := v.Decide(ctx, elsewhr, f.approver, h2, true, ""); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("approve outside scope: %v", err)
		}
		if err := v.Decide(ctx, banner, f.approver, h2, true, ""); err != nil {
			t.Fatal(err)
		}
		if err := v.Record(ctx, banner, f.recorder, h2, cst(1, 9, 0), cst(1, 12, 0)); !errors.Is(err, activity.ErrHoursLocked) {
			t.Errorf("re-record approved hours: %v", err)
		}
		if err := v.Cancel(ctx, banner, 0, h2); !errors.Is(err, activity.ErrHoursRecorded) {
			t.Errorf("cancel with hours: %v", err)
		}

		// Overlap with the approved 09:05–11:55 on another shift; touching is fine.
		s2 := f.shift(t, 5, cst(1, 11, 0), cst(1, 14, 0))
		h3, err := v.SignUp(ctx, banner, 0, s2, f.phones[1])
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Record(ctx, banner, f.recorder, h3, cst(1, 11, 30), cst(1, 13, 0)); !errors.As(err, &verr) || verr["starts_at"] == "" {
			t.Errorf("overlapping hours: %v", err)
		}
		if err := v.Record(ctx, banner, f.recorder, h3, cst(1, 11, 55), cst(1, 13, 0)); err != nil {
			t.Errorf("hours starting when the others end: %v", err)
		}
		// A declined record no longer blocks, and may be recorded again.
		if err := v.Decide(ctx, banner, f.approver, h3, false, "签到表上没有此人"); err != nil {
			t.Fatal(err)
		}
		hs, err := v.ShiftHours(ctx, banner, s2)
		if err != nil || len(hs) != 1 || hs[0].Status != activity.HoursDeclined || hs[0].Reason != "签到表上没有此人" || hs[0].VolunteerPhone != "138****0002" {
			t.Errorf("declined hours: %+v %v", hs, err)
		}

		// Walk-ins: a name only, pending, not counted against the headcount.
		if _, err := v.WalkIn(ctx, banner, f.recorder, s2, " ", cst(1, 11, 0), cst(1, 12, 0)); !errors.As(err, &verr) || verr["name"] == "" {
			t.Errorf("walk-in without name: %v", err)
		}
		w, err := v.WalkIn(ctx, banner, f.recorder, s2, "路人甲", cst(1, 11, 0), cst(1, 12, 0))
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Decide(ctx, banner, f.approver, w, true, ""); err != nil {
			t.Fatal(err)
		}

		// The volunteer's page: approved minutes only, scope applies.
		rec, err := v.VolunteerHours(ctx, banner, f.members[1], time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if rec.LifetimeMinutes != 170 || rec.PeriodMinutes != 170 || rec.PeriodShifts != 1 || len(rec.Hours) != 2 || rec.Stars != 0 {
			t.Errorf("volunteer record: %d min lifetime, %d min / %d shifts in period, %d rows, %d stars", rec.LifetimeMinutes, rec.PeriodMinutes, rec.PeriodShifts, len(rec.Hours), rec.Stars)
		}
		if _, err := v.VolunteerHours(ctx, elsewhr, f.members[1], time.Time{}, time.Time{}); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("volunteer outside scope without hours there: %v", err)
		}
		shifts, total, err := v.Shifts(ctx, activity.ShiftFilter{Scope: banner, TeamID: f.team, To: cst(2, 0, 0)})
		if err != nil || total != 2 || len(shifts) != 2 || shifts[0].ID != s2 || shifts[1].Approved != 170 || shifts[1].SignedUp != 1 || shifts[0].TeamName == "" {
			t.Errorf("shift list: %d %+v %v", total, shifts, err)
		}
		if _, total, _ := v.Shifts(ctx, activity.ShiftFilter{Scope: elsewhr}); total != 0 {
			t.Errorf("another banner sees %d shifts", total)
		}
	})
}

func TestAwards(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newVolunteerFixture(t, d, 20)
		// 50 shifts of 2 hours, one volunteer each: member 0 serves 10 (20 h), member 1 serves 9,
		// the others share the rest. The team: 20 members, 50 activities, 100 h, 5 h each.
		var last int64 // member 0's tenth, recorded but not yet approved
		for i := range 50 {
			day := 1 + i%28
			hour := 8 + 6*(i/28)
			month := time.Month(5 + i/28)
			start, end := time.Date(2026, month, day, hour, 0, 0, 0, activity.China), time.Date(2026, month, day, hour+2, 0, 0, 0, activity.China)
			s := f.shift(t, 1, start, end)
			member := 2 + i%18
			switch {
			case i < 10:
				member = 0
			case i < 19:
				member = 1
			}
			if i == 9 {
				var err error
				if last, err = f.v.SignUp(ctx, banner, 0, s, f.phones[0]); err != nil {
					t.Fatal(err)
				}
				if err := f.v.Record(ctx, banner, 0, last, start, end); err != nil {
					t.Fatal(err)
				}
				continue
			}
			f.serve(t, s, member, start, end)
		}
		from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, activity.China), time.Date(2027, 1, 1, 0, 0, 0, 0, activity.China)
		// 9 activities and 18 h for member 0; 49 activities and 98 h for the team: nobody.
		rep, err := f.v.Awards(ctx, banner, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Volunteers) != 0 || len(rep.Teams) != 0 {
			t.Errorf("below the thresholds: %+v %+v", rep.Volunteers, rep.Teams)
		}
		if err := f.v.Decide(ctx, banner, f.approver, last, true, ""); err != nil {
			t.Fatal(err)
		}
		rep, err = f.v.Awards(ctx, banner, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Volunteers) != 1 || rep.Volunteers[0].ID != f.members[0] || rep.Volunteers[0].Activities != 10 || rep.Volunteers[0].Minutes != 1200 || rep.Volunteers[0].Phone != "138****0001" {
			t.Errorf("eligible volunteers: %+v", rep.Volunteers)
		}
		if rep.VolunteersConsidered != 20 {
			t.Errorf("considered %d volunteers", rep.VolunteersConsidered)
		}
		if len(rep.Teams) != 1 || rep.Teams[0].ID != f.team || rep.Teams[0].Activities != 50 || rep.Teams[0].Minutes != 6000 || rep.Teams[0].TeamTotals.Volunteers != 20 {
			t.Errorf("eligible teams: %+v", rep.Teams)
		}
		// Outside the period or the scope: nothing.
		if rep, _ := f.v.Awards(ctx, banner, from.AddDate(-1, 0, 0), from); len(rep.Volunteers)+len(rep.Teams) != 0 {
			t.Errorf("2025: %+v", rep)
		}
		if rep, _ := f.v.Awards(ctx, elsewhr, from, to); len(rep.Volunteers)+len(rep.Teams) != 0 || rep.TeamsConsidered != 1 {
			t.Errorf("another banner: %+v", rep)
		}
	})
}

// Two recordings of overlapping hours for one volunteer on two shifts at once: exactly one
// passes, the other is refused as an overlap (not a deadlock or a server error).
func TestConcurrentOverlap(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newVolunteerFixture(t, d, 1)
		var hids []int64
		for range 2 {
			s := f.shift(t, 2, cst(3, 9, 0), cst(3, 12, 0))
			hid, err := f.v.SignUp(ctx, banner, 0, s, f.phones[0])
			if err != nil {
				t.Fatal(err)
			}
			hids = append(hids, hid)
		}
		errs := make(chan error, 2)
		for _, hid := range hids {
			go func() { errs <- f.v.Record(ctx, banner, f.recorder, hid, cst(3, 9, 0), cst(3, 12, 0)) }()
		}
		ok, overlap := 0, 0
		for range 2 {
			err := <-errs
			var verr activity.ValidationError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &verr) && verr["starts_at"] != "":
				overlap++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || overlap != 1 {
			t.Errorf("%d recorded, %d refused as overlapping; want 1 and 1", ok, overlap)
		}
	})
}
