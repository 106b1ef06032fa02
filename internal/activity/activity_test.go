package activity_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

var (
	everyone = region.NewScope("150000")
	banner   = region.NewScope("152502")
	township = region.NewScope("152502001")
)

func newStore(d *db.DB) *activity.Store {
	return &activity.Store{DB: d, Regions: &region.Store{DB: d}}
}

// people creates real accounts so that the review steps can name who took them.
type people struct {
	township, banner, banner2, league, region, region2 *account.Principal
}

func newPeople(t *testing.T, d *db.DB) people {
	t.Helper()
	st := &account.Store{DB: d, Regions: &region.Store{DB: d}}
	mk := func(name string, role account.Role, code string) *account.Principal {
		g := []account.Grant{{Role: role, RegionCode: code}}
		id, err := st.Create(context.Background(), account.NewAccount{Username: name, DisplayName: name, PasswordHash: "x", Grants: g})
		if err != nil {
			t.Fatalf("account %s: %v", name, err)
		}
		return &account.Principal{ID: id, Username: name, Grants: g}
	}
	return people{
		township: mk("town1", account.TownshipOperator, "152502001"),
		banner:   mk("ban1", account.BannerAdmin, "152502"),
		banner2:  mk("ban2", account.BannerAdmin, "152502"),
		league:   mk("lea1", account.LeagueAdmin, "152500"),
		region:   mk("reg1", account.RegionAdmin, "150000"),
		region2:  mk("reg2", account.RegionAdmin, "150000"),
	}
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, activity.China)
	if err != nil {
		panic(err)
	}
	return t
}

func input(code, start string) activity.Input {
	return activity.Input{RegionCode: code, Title: "科普讲座 " + start, Type: "lecture", Organizer: "锡林浩特市科协",
		StartsAt: at(start), EndsAt: at(start).Add(2 * time.Hour), Mode: "offline", Sessions: 1, DeclaredAttendance: 100,
		Programmes: []string{"全国科普日 2026"}, TargetGroups: []string{"farmers"}}
}

func TestValidate(t *testing.T) {
	good := input("152502001", "2026-05-01 09:00")
	cases := []struct {
		name, field string
		edit        func(in *activity.Input)
	}{
		{"end before start", "ends_at", func(in *activity.Input) { in.EndsAt = in.StartsAt.Add(-time.Minute) }},
		{"no title", "title", func(in *activity.Input) { in.Title = "  " }},
		{"unknown type", "type", func(in *activity.Input) { in.Type = "party" }},
		{"type by Chinese label ok", "", func(in *activity.Input) { in.Type = "应急科普" }},
		{"unknown group", "target_groups", func(in *activity.Input) { in.TargetGroups = []string{"学生"} }},
		{"group by label ok", "", func(in *activity.Input) { in.TargetGroups = []string{"老年人", "elderly"} }},
		{"offline with viewers", "live_viewers", func(in *activity.Input) { in.LiveViewers = 5 }},
		{"negative attendance", "declared_attendance", func(in *activity.Input) { in.DeclaredAttendance = -1 }},
		{"zero sessions", "sessions", func(in *activity.Input) { in.Sessions = 0 }},
		{"sign-up without capacity", "capacity", func(in *activity.Input) { in.SignupOpen = true }},
		{"bad region", "region_code", func(in *activity.Input) { in.RegionCode = "15250" }},
		{"too many tags", "programmes", func(in *activity.Input) {
			in.Programmes = strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")
		}},
		{"over a year", "ends_at", func(in *activity.Input) { in.EndsAt = in.StartsAt.AddDate(1, 0, 2) }},
		{"year 1999", "starts_at", func(in *activity.Input) { in.StartsAt = at("1999-01-01 00:00"); in.EndsAt = in.StartsAt }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := good
			in.TargetGroups = append([]string(nil), good.TargetGroups...)
			c.edit(&in)
			errs := in.Validate()
			if c.field == "" {
				if errs != nil {
					t.Fatalf("want no error, got %v", errs)
				}
				return
			}
			if errs[c.field] == "" {
				t.Fatalf("want an error on %s, got %v", c.field, errs)
			}
		})
	}
	in := good
	in.TargetGroups = []string{"老年人", "elderly", "youth"}
	in.Programmes = []string{"百名专家走进盟市旗县、全国科普日 2026", "百名专家走进盟市旗县"}
	if errs := in.Validate(); errs != nil {
		t.Fatal(errs)
	}
	if fmt.Sprint(in.TargetGroups) != "[elderly youth]" || fmt.Sprint(in.Programmes) != "[百名专家走进盟市旗县 全国科普日 2026]" {
		t.Fatalf("normalized to %v / %v", in.TargetGroups, in.Programmes)
	}
}

func TestReviewWorkflowAndVersions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		p := newPeople(t, d)
		if _, err := st.Create(ctx, township, p.township.ID, input("152501200", "2026-05-01 09:00")); err == nil {
			t.Fatal("a township operator created a record outside its township")
		}
		id, err := st.Create(ctx, township, p.township.ID, input("152502001", "2026-05-01 09:00"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Get(ctx, region.NewScope("152501"), id); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("read outside scope: %v", err)
		}
		in := input("152502001", "2026-05-01 09:00")
		in.DeclaredAttendance = 120
		if err := st.Update(ctx, township, p.township.ID, id, in); err != nil {
			t.Fatal(err)
		}
		if err := st.Review(ctx, p.banner, banner, p.banner.ID, id, true, ""); !errors.Is(err, activity.ErrWrongStep) {
			t.Fatalf("review of a draft: %v", err)
		}
		if err := st.Submit(ctx, township, p.township.ID, id); err != nil {
			t.Fatal(err)
		}
		if err := st.Update(ctx, township, p.township.ID, id, in); !errors.Is(err, activity.ErrLocked) {
			t.Fatalf("edit after submit: %v", err)
		}
		if err := st.Review(ctx, p.township, township, p.township.ID, id, true, ""); !errors.Is(err, activity.ErrNotYours) {
			t.Fatalf("the organizer reviewed its own record: %v", err)
		}
		if err := st.Review(ctx, p.banner, banner, p.banner.ID, id, false, " "); !errors.Is(err, activity.ErrNoReason) {
			t.Fatalf("return without a reason: %v", err)
		}
		if err := st.Review(ctx, p.banner, banner, p.banner.ID, id, false, "照片缺失"); err != nil {
			t.Fatal(err)
		}
		a, _ := st.Get(ctx, township, id)
		if a.Status != activity.Returned || a.Reason != "照片缺失" {
			t.Fatalf("after return: %s %q", a.Status, a.Reason)
		}
		if err := st.Submit(ctx, township, p.township.ID, id); err != nil {
			t.Fatal(err)
		}
		if err := st.Accept(ctx, p.banner, banner, p.banner.ID, id, true, ""); !errors.Is(err, activity.ErrWrongStep) {
			t.Fatalf("accept before review: %v", err)
		}
		if err := st.Review(ctx, p.banner, banner, p.banner.ID, id, true, "已核"); err != nil {
			t.Fatal(err)
		}
		if err := st.Accept(ctx, p.banner, banner, p.banner.ID, id, true, ""); !errors.Is(err, activity.ErrSameAccount) {
			t.Fatalf("reviewer accepted too: %v", err)
		}
		if err := st.Accept(ctx, p.banner2, banner, p.banner2.ID, id, true, ""); err != nil {
			t.Fatal(err)
		}
		counted := activity.Filter{Scope: everyone, Status: activity.Counted}
		total := func() activity.Figures {
			t.Helper()
			r, err := st.Rollup(ctx, counted, activity.ByType)
			if err != nil {
				t.Fatal(err)
			}
			return r.Total
		}
		if f := total(); f.Activities != 1 || f.Declared != 120 {
			t.Fatalf("after accept: %+v", f)
		}
		if err := st.Update(ctx, banner, p.banner.ID, id, in); !errors.Is(err, activity.ErrLocked) {
			t.Fatalf("edit of an accepted record: %v", err)
		}
		// A correction is a new version; the accepted one keeps counting until it is replaced.
		v2, err := st.Correct(ctx, township, p.township.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Correct(ctx, township, p.township.ID, id); !errors.Is(err, activity.ErrOpenVersion) {
			t.Fatalf("second open correction: %v", err)
		}
		in.DeclaredAttendance = 90
		if err := st.Update(ctx, township, p.township.ID, v2, in); err != nil {
			t.Fatal(err)
		}
		if f := total(); f.Activities != 1 || f.Declared != 120 {
			t.Fatalf("while the correction is open: %+v", f)
		}
		if err := st.Submit(ctx, township, p.township.ID, v2); err != nil {
			t.Fatal(err)
		}
		if err := st.Review(ctx, p.banner, banner, p.banner.ID, v2, true, ""); err != nil {
			t.Fatal(err)
		}
		if err := st.Accept(ctx, p.league, region.NewScope("152500"), p.league.ID, v2, true, ""); err != nil {
			t.Fatal(err)
		}
		if f := total(); f.Activities != 1 || f.Declared != 90 {
			t.Fatalf("after the correction: %+v", f)
		}
		vs, err := st.Versions(ctx, township, id)
		if err != nil || len(vs) != 2 || !vs[0].Superseded || vs[0].DeclaredAttendance != 120 || vs[1].Version != 2 || vs[1].PreviousID != id {
			t.Fatalf("versions: %v %+v", err, vs)
		}
		steps, _ := st.Steps(ctx, id)
		var names []string
		for _, s := range steps {
			names = append(names, s.Step)
		}
		if strings.Join(names, " ") != "create update submit return submit review accept" {
			t.Fatalf("steps: %v", names)
		}
		// A record reports what happened: one that has not ended stays a draft.
		future, _ := st.Create(ctx, township, p.township.ID, input("152502001", "2099-05-01 09:00"))
		if err := st.Submit(ctx, township, p.township.ID, future); !errors.Is(err, activity.ErrNotEnded) {
			t.Fatalf("submit before the end: %v", err)
		}
		// A banner's own record is reviewed by its league, not by the banner itself.
		bid, _ := st.Create(ctx, banner, p.banner.ID, input("152502", "2026-06-01 09:00"))
		st.Submit(ctx, banner, p.banner.ID, bid)
		if err := st.Review(ctx, p.banner2, banner, p.banner2.ID, bid, true, ""); !errors.Is(err, activity.ErrNotYours) {
			t.Fatalf("banner reviewed a banner record: %v", err)
		}
		if err := st.Review(ctx, p.league, region.NewScope("152500"), p.league.ID, bid, true, ""); err != nil {
			t.Fatal(err)
		}
	})
}

// accept walks a new record through to accepted with the region's accounts.
func accept(t *testing.T, st *activity.Store, p people, in activity.Input) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := st.Create(ctx, everyone, p.region.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Submit(ctx, everyone, p.region.ID, id); err != nil {
		t.Fatal(err)
	}
	if err := st.Review(ctx, p.region, everyone, p.region.ID, id, true, ""); !errors.Is(err, activity.ErrOwnRecord) {
		t.Fatalf("the submitter reviewed its own record: %v", err)
	}
	if err := st.Review(ctx, p.region2, everyone, p.region2.ID, id, true, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.Accept(ctx, p.league, region.NewScope("152500"), p.league.ID, id, true, ""); err != nil {
		t.Fatalf("accept %s: %v", in.RegionCode, err)
	}
	return id
}

func TestRollupDrillsDownToItsRecords(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		p := newPeople(t, d)
		mk := func(code, start, typ string, declared int64, groups ...string) {
			in := input(code, start)
			in.Type, in.DeclaredAttendance, in.TargetGroups = typ, declared, groups
			accept(t, st, p, in)
		}
		mk("152502001", "2026-01-31 23:30", "lecture", 10, "farmers") // 31 Jan in China, 31 Jan 15:30 UTC
		mk("152502001001", "2026-02-01 07:00", "lecture", 20, "farmers", "youth")
		mk("152502", "2026-04-01 09:00", "exhibition", 40)
		mk("152501200", "2026-07-01 09:00", "science_day", 80, "youth")
		mk("152502001", "2025-12-31 20:00", "lecture", 1000) // last year
		// Not counted: a draft and a submitted record.
		draft := input("152502001", "2026-03-01 09:00")
		st.Create(ctx, everyone, p.region.ID, draft)
		year := activity.Filter{Scope: everyone, From: "2026-01-01", To: "2026-12-31"}
		check := func(by string, want map[string]int64) activity.Rollup {
			t.Helper()
			r, err := st.Rollup(ctx, year, by)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{}
			for _, row := range r.Rows {
				got[row.Key] = row.Declared
				// The list behind each figure holds exactly the records summed into it.
				var sum int64
				f := row.Filter
				f.Limit = 500
				page, err := st.List(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range page.Items {
					sum += a.DeclaredAttendance
				}
				if page.Total != row.Activities || sum != row.Declared {
					t.Errorf("%s %s: figure %d records / %d person-times, list %d / %d", by, row.Key, row.Activities, row.Declared, page.Total, sum)
				}
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %s = %d, want %d (all: %v)", by, k, got[k], v, got)
				}
			}
			if r.Total.Declared != 150 || r.Total.Activities != 4 {
				t.Errorf("%s: total %+v", by, r.Total)
			}
			return r
		}
		check(activity.ByMonth, map[string]int64{"2026-01": 10, "2026-02": 20, "2026-04": 40, "2026-07": 80})
		check(activity.ByQuarter, map[string]int64{"2026-Q1": 30, "2026-Q2": 40, "2026-Q3": 80})
		check(activity.ByYear, map[string]int64{"2026": 150})
		check(activity.ByType, map[string]int64{"lecture": 30, "exhibition": 40, "science_day": 80})
		check(activity.ByGroup, map[string]int64{"farmers": 30, "youth": 100})
		check(activity.ByProgramme, map[string]int64{"全国科普日 2026": 150})
		r := check(activity.ByRegion, map[string]int64{"152500": 150})
		if len(r.Rows) != 12 {
			t.Errorf("region roll-up lists %d leagues, want all 12 including empty ones", len(r.Rows))
		}
		year.Region = "152502"
		r, err := st.Rollup(ctx, year, activity.ByRegion)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, row := range r.Rows {
			got[row.Key] = row.Declared
		}
		if got["152502001"] != 30 || got["152502"] != 40 || r.Total.Declared != 70 {
			t.Errorf("banner roll-up: %v total %+v", got, r.Total)
		}
		// A banner's staff see their own banner only.
		r, err = st.Rollup(ctx, activity.Filter{Scope: banner}, activity.ByRegion)
		if err != nil || r.Total.Declared != 1070 {
			t.Fatalf("banner scope: %v %+v", err, r.Total)
		}
	})
}

func TestPhotos(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		p := newPeople(t, d)
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
		id, _ := st.Create(ctx, township, p.township.ID, input("152502001", "2026-05-01 09:00"))
		if err := st.AddPhoto(ctx, township, 0, id, strings.NewReader("plain text")); !errors.Is(err, activity.ErrPhotoType) {
			t.Fatalf("text: %v", err)
		}
		if err := st.AddPhoto(ctx, township, 0, id, strings.NewReader(string(png)+strings.Repeat("x", activity.MaxPhotoBytes))); !errors.Is(err, activity.ErrPhotoTooLarge) {
			t.Fatalf("too large: %v", err)
		}
		for range activity.MaxPhotos - 1 {
			if err := st.AddPhoto(ctx, township, 0, id, strings.NewReader(string(png))); err != nil {
				t.Fatal(err)
			}
		}
		photos, _ := st.Photos(ctx, id)
		if err := st.DeletePhoto(ctx, region.NewScope("152501"), id, photos[0].ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("delete from outside scope: %v", err)
		}
		if err := st.DeletePhoto(ctx, township, id, photos[0].ID); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			st.AddPhoto(ctx, township, 0, id, strings.NewReader(string(png)))
		}
		if photos, _ = st.Photos(ctx, id); len(photos) != activity.MaxPhotos {
			t.Fatalf("%d photos, want the limit %d", len(photos), activity.MaxPhotos)
		}
		st.Submit(ctx, township, p.township.ID, id)
		if err := st.DeletePhoto(ctx, township, id, photos[0].ID); !errors.Is(err, activity.ErrLocked) {
			t.Fatalf("delete on a submitted record: %v", err)
		}
		st.Review(ctx, p.banner, banner, p.banner.ID, id, true, "")
		st.Accept(ctx, p.banner2, banner, p.banner2.ID, id, true, "")
		v2, err := st.Correct(ctx, township, p.township.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		// The correction shows the photos it starts from and counts them against the limit.
		if err := st.AddPhoto(ctx, township, 0, v2, strings.NewReader(string(png))); !errors.Is(err, activity.ErrPhotoCount) {
			t.Fatalf("a 10th photo through a correction: %v", err)
		}
		got, _ := st.Photos(ctx, v2)
		if len(got) != activity.MaxPhotos || got[0].Own {
			t.Fatalf("correction's photos: %+v", got)
		}
		if err := st.DeletePhoto(ctx, township, v2, got[0].ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("deleting the accepted version's photo through the correction: %v", err)
		}
	})
}
