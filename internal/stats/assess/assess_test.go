package assess

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/stats"
)

// TestDemoRankings runs the demo at a small scale and checks the five demo systems: every
// figure equals a direct count through the owning package, scores add up, and a banner
// admin's ranking holds only its own subtree.
func TestDemoRankings(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := demo.Run(ctx, d, 1, 0.05, []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), activity.DemoStep(), DemoStep()}, nil); err != nil {
			t.Fatal(err)
		}
		regions := &region.Store{DB: d}
		acts := &activity.Store{DB: d, Regions: regions}
		recs := &registry.Store{DB: d, Regions: regions}
		figures := stats.New(stats.Deps{DB: d, Regions: regions, Registry: recs, Activity: acts, Content: &content.Store{DB: d, Regions: regions}})
		eng := &Engine{Source: &Indicators{Stats: figures, Records: &Records{Regions: regions, Activity: acts, Registry: recs}}}
		st := &Store{DB: d, Regions: regions}
		all := region.NewScope("150000")
		list, err := st.List(ctx, all)
		if err != nil || len(list) != 5 {
			t.Fatalf("systems: %d %v", len(list), err)
		}
		for _, line := range list {
			sys, err := st.Get(ctx, all, line.ID)
			if err != nil {
				t.Fatal(err)
			}
			rk, err := eng.Rank(ctx, all, sys)
			if err != nil {
				t.Fatalf("%s: %v", sys.Name, err)
			}
			if len(rk.Rows) == 0 {
				t.Fatalf("%s: nothing ranked", sys.Name)
			}
			if rk.Rows[0].Rank != 1 || rk.Rows[0].Score <= 0 {
				t.Errorf("%s: first row %+v", sys.Name, rk.Rows[0].Result)
			}
			if sys.Award != "" {
				sl := rk.Shortlist(sys.TopN)
				if len(sl) == 0 || sl[len(sl)-1].Rank > sys.TopN {
					t.Errorf("%s: shortlist of %d", sys.Name, len(sl))
				}
			}
			switch sys.Level {
			case LevelLeague:
				if len(rk.Rows) != 12 {
					t.Errorf("leagues ranked: %d", len(rk.Rows))
				}
				// A league's sessions equal the activity roll-up's direct count of its records.
				top := rk.Rows[0]
				roll, err := acts.Rollup(ctx, activity.Filter{Scope: all, Region: top.Row.Key, From: "2026-01-01", To: "2026-12-31"}, activity.ByYear)
				if err != nil {
					t.Fatal(err)
				}
				if got := *top.Figures["KH02"].Value; got != float64(roll.Total.Sessions) || got == 0 {
					t.Errorf("%s sessions %v, roll-up %d", top.Name, got, roll.Total.Sessions)
				}
				if !strings.Contains(top.Figures["KH02"].Records, "region="+top.Row.Key) {
					t.Errorf("records link %q", top.Figures["KH02"].Records)
				}
				// A banner admin ranks no leagues.
				rb, err := eng.Rank(ctx, region.NewScope("152502"), sys)
				if err != nil || len(rb.Rows) != 0 {
					t.Errorf("banner admin sees %d leagues (%v)", len(rb.Rows), err)
				}
			case LevelBanner:
				rl, err := eng.Rank(ctx, region.NewScope("152500"), sys)
				if err != nil {
					t.Fatal(err)
				}
				if len(rl.Rows) == 0 || len(rl.Rows) >= len(rk.Rows) {
					t.Errorf("league admin ranks %d of %d banners", len(rl.Rows), len(rk.Rows))
				}
				for _, r := range rl.Rows {
					if !strings.HasPrefix(r.Row.Key, "1525") {
						t.Errorf("league admin ranks %s", r.Row.Key)
					}
				}
			case LevelMuseum:
				// A banner admin's shortlist holds only the museums of its banner.
				code := ""
				for _, r := range rk.Rows {
					if region.LevelOf(r.Region) == region.LevelBanner {
						code = r.Region
						break
					}
				}
				rb, err := eng.Rank(ctx, region.NewScope(code), sys)
				if err != nil || len(rb.Rows) == 0 {
					t.Fatalf("banner %s: %d museums (%v)", code, len(rb.Rows), err)
				}
				for _, r := range rb.Rows {
					if !strings.HasPrefix(r.Region, code) {
						t.Errorf("banner %s ranks a museum of %s", code, r.Region)
					}
				}
				// The evidence counts equal the activity roll-up of the records the link lists:
				// those that reference the museum as their registered venue.
				top := rk.Rows[0]
				link, err := url.Parse(top.Figures["museum.sessions"].Records)
				if err != nil {
					t.Fatal(err)
				}
				f := activity.ParseFilter(link.Query(), all)
				if f.VenueKind != "museums" || "museum-"+strconv.FormatInt(f.VenueID, 10) != top.Row.Key || f.Query != "" {
					t.Errorf("%s (%s): records link %s", top.Name, top.Row.Key, link)
				}
				roll, err := acts.Rollup(ctx, f, activity.ByType)
				if err != nil {
					t.Fatal(err)
				}
				var sessions int64
				for _, r := range roll.Rows {
					if r.Key == "exhibition" || r.Key == "competition" || r.Key == "joint" {
						sessions += r.Sessions
					}
				}
				if got := *top.Figures["museum.sessions"].Value; got != float64(sessions) || sessions == 0 {
					t.Errorf("%s: sessions %v, roll-up %d", top.Name, got, sessions)
				}
			case LevelCaravan:
				// The top caravan's trips equal a direct count of its trip records in the year.
				top := rk.Rows[0]
				page, err := recs.List(ctx, &registry.CaravanTrips, registry.Filter{Scope: all, Q: top.Name, Limit: 500})
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, tr := range page.Records {
					if tr.Values.Str("caravan") == top.Name && strings.HasPrefix(tr.Values.Str("trip_on"), "2022-") {
						n++
					}
				}
				if got := *top.Figures["caravan.trips"].Value; got != float64(n) || n == 0 {
					t.Errorf("%s trips %v, direct %d", top.Name, got, n)
				}
			}
		}
	})
}

// A museum's activity figures count the counted records that reference it as their venue,
// wherever they were recorded in scope, and none that only name it.
func TestMuseumActivitiesByVenue(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		regions := &region.Store{DB: d}
		recs := &registry.Store{DB: d, Regions: regions}
		acts := &activity.Store{DB: d, Regions: regions, Registry: recs}
		all := region.NewScope("150000")
		museum, err := recs.Create(ctx, &registry.Museums, all, 0, registry.Values{"name": "锡林浩特市科技馆", "region_code": "152502", "tier": "banner"})
		if err != nil {
			t.Fatal(err)
		}
		at := func(day string) time.Time {
			tm, _ := time.ParseInLocation("2006-01-02 15:04", day+" 09:00", activity.China)
			return tm
		}
		add := func(title, unit, day string, sessions int, ref bool, status string) {
			in := activity.Input{RegionCode: unit, Title: title, Type: "exhibition", Organizer: "市科协", Venue: "锡林浩特市科技馆", Mode: "offline",
				Sessions: sessions, StartsAt: at(day), EndsAt: at(day).Add(time.Hour)}
			if !ref {
				in.Venue = ""
			} else {
				in.VenueKind, in.VenueID = "museums", museum
			}
			id, err := acts.Create(ctx, all, 0, in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.ExecContext(ctx, `UPDATE activities SET status = $1 WHERE id = $2`, status, id); err != nil {
				t.Fatal(err)
			}
		}
		add("科普讲解", "152502", "2026-03-01", 2, true, activity.Accepted)         // counted
		add("进社区巡展", "152502001", "2026-04-01", 3, true, activity.Accepted)     // counted: below the museum's unit
		add("锡林浩特市科技馆开放日", "152502", "2026-05-01", 5, false, activity.Accepted) // names it, no reference
		add("馆内展教", "152502", "2026-06-01", 7, true, activity.Submitted)        // not yet counted
		add("去年的展教", "152502", "2025-06-01", 11, true, activity.Accepted)       // another year
		src := &Records{Regions: regions, Activity: acts, Registry: recs}
		rows, err := src.Rows(ctx, all, System{Level: LevelMuseum, Root: "150000", Year: 2026}, nil)
		if err != nil || len(rows) != 1 {
			t.Fatalf("rows %v, %v", rows, err)
		}
		if got := *rows[0].Figures["museum.sessions"].Value; got != 5 {
			t.Errorf("museum sessions %v, want 5 (the two referencing records of 2026)", got)
		}
	})
}

func TestStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := &Store{DB: d, Regions: &region.Store{DB: d}}
		sys := System{Name: "考核", Year: 2026, Level: LevelBanner, Root: "152500", Items: []Item{{Code: "act.sessions", Weight: 2, Norm: MinMax, Minimum: one(3)}, {Code: "act.declared", Weight: 1, Norm: Raw}}}
		if _, err := st.Save(ctx, region.NewScope("152502"), 0, sys); !errors.Is(err, ErrOutOfScope) {
			t.Fatalf("banner admin saves a league system: %v", err)
		}
		id, err := st.Save(ctx, region.NewScope("152500"), 0, sys)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Save(ctx, region.NewScope("152500"), 0, sys); !errors.Is(err, db.ErrConflict) {
			t.Fatalf("same name twice: %v", err)
		}
		got, err := st.Get(ctx, region.NewScope("152502"), id) // visible inside, scored inside
		if err != nil || len(got.Items) != 2 || *got.Items[0].Minimum != 3 || got.Items[1].Minimum != nil || got.Items[1].Norm != Raw || got.RootName == "" {
			t.Fatalf("get: %+v %v", got, err)
		}
		if _, err := st.Get(ctx, region.NewScope("150100"), id); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("other league: %v", err)
		}
		if l, _ := st.List(ctx, region.NewScope("150100")); len(l) != 0 {
			t.Fatalf("other league lists %d", len(l))
		}
		if err := st.Delete(ctx, region.NewScope("152502"), id); !errors.Is(err, ErrOutOfScope) {
			t.Fatalf("banner admin deletes: %v", err)
		}
		if err := st.Delete(ctx, region.NewScope("152500"), id); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Get(ctx, region.NewScope("152500"), id); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})
}

func TestValidate(t *testing.T) {
	known := func(level, code string) bool { return level == LevelMuseum && strings.HasPrefix(code, "museum.") }
	s := System{Name: " ", Year: 1990, Level: LevelMuseum, Root: "15x", Award: "caravans20",
		Items: []Item{{Code: "act.sessions", Weight: 1, Norm: Raw}, {Code: "museum.sessions", Weight: 0, Norm: Raw}, {Code: "museum.visitors", Weight: 1, Norm: Per10k},
			{Code: "museum.exhibits", Weight: 1, Norm: "bogus"}, {Code: "museum.exhibits", Weight: 1, Norm: Raw}}}
	errs := s.Validate(known)
	for _, k := range []string{"name", "year", "root", "award", "item.0", "item.1", "item.2", "item.3", "item.4"} {
		if errs[k] == "" {
			t.Errorf("no error for %s: %v", k, errs)
		}
	}
	ok := System{Name: "评选", Year: 2026, Level: LevelMuseum, Root: "150000", Award: "museums20", Items: []Item{{Code: "museum.sessions", Weight: 1, Norm: MinMax}}}
	if errs := ok.Validate(known); errs != nil || ok.TopN != 20 {
		t.Errorf("valid system: %v, top %d", errs, ok.TopN)
	}
}
