package content

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/demo"
	"github.com/kepu/kepu/internal/region"
)

// reachRecord is one reach record as stored, with its item's kind and flag now.
type reachRecord struct {
	code, day, channel, kind string
	emergency                bool
	a                        reachAmounts
}

func reachRecords(t *testing.T, d *db.DB) []reachRecord {
	t.Helper()
	recs, err := db.QueryAll(context.Background(), d, func(row db.Scanner) (reachRecord, error) {
		var r reachRecord
		return r, row.Scan(&r.code, &r.day, &r.channel, &r.kind, &r.emergency, &r.a.Views, &r.a.Likes, &r.a.Shares, &r.a.Pushes)
	}, `SELECT v.region_code, v.day, v.channel, i.kind, i.emergency, v.views, 0, 0, 0 FROM content_views v JOIN content_items i ON i.id = v.item_id
		UNION ALL
		SELECT p.region_code, p.pushed_on, p.channel, i.kind, i.emergency, p.views, p.likes, p.shares, 1 FROM content_pushes p JOIN content_items i ON i.id = p.item_id`)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// rollTable reads a roll-up table's non-zero rows (period: month or year column).
func rollTable(t *testing.T, d *db.DB, table, period string) map[rollKey]reachAmounts {
	t.Helper()
	out := map[rollKey]reachAmounts{}
	_, err := db.QueryAll(context.Background(), d, func(row db.Scanner) (struct{}, error) {
		var k rollKey
		var a reachAmounts
		if err := row.Scan(&k.Parent, &k.Unit, &k.Month, &k.Channel, &k.Kind, &k.Emergency, &a.Views, &a.Likes, &a.Shares, &a.Pushes); err != nil {
			return struct{}{}, err
		}
		if a != (reachAmounts{}) {
			out[k] = a
		}
		return struct{}{}, nil
	}, `SELECT parent, unit, `+period+`, channel, kind, emergency, views, likes, shares, pushes FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkReachRollup compares the roll-ups with the records, row by row and through ReachSums,
// PublishedSums, Reach and PublishedCounts for several scopes and periods.
func checkReachRollup(t *testing.T, d *db.DB, s *Store, after string) {
	t.Helper()
	ctx := context.Background()
	recs := reachRecords(t, d)
	// Every row of both tables: each record at its own code and every ancestor (walked here
	// by the code's digits, not by region.ParentOf, so that a wrong chain shows).
	months, years := map[rollKey]reachAmounts{}, map[rollKey]reachAmounts{}
	for _, r := range recs {
		units := []string{r.code[:2] + "0000"}
		if r.code[2:4] != "00" {
			units = append(units, r.code[:4]+"00")
		}
		if r.code[4:6] != "00" {
			units = append(units, r.code[:6])
		}
		if len(r.code) >= 9 {
			units = append(units, r.code[:9])
		}
		if len(r.code) == 12 {
			units = append(units, r.code)
		}
		for i, u := range units {
			parent := ""
			if i > 0 {
				parent = units[i-1]
			}
			for _, m := range []struct {
				to  map[rollKey]reachAmounts
				per string
			}{{months, r.day[:7]}, {years, r.day[:4]}} {
				k := rollKey{parent, u, m.per, r.channel, r.kind, r.emergency}
				m.to[k] = m.to[k].plus(r.a, 1)
			}
		}
	}
	for _, c := range []struct {
		table, period string
		want          map[rollKey]reachAmounts
	}{{"content_reach_months", "month", months}, {"content_reach_years", "year", years}} {
		for k := range c.want {
			if c.want[k] == (reachAmounts{}) {
				delete(c.want, k)
			}
		}
		got := rollTable(t, d, c.table, c.period)
		bad := 0
		for k, w := range c.want {
			if got[k] != w && bad < 5 {
				t.Errorf("after %s: %s %+v = %+v, records give %+v", after, c.table, k, got[k], w)
				bad++
			}
		}
		for k, g := range got {
			if _, ok := c.want[k]; !ok && bad < 5 {
				t.Errorf("after %s: %s %+v = %+v, no records", after, c.table, k, g)
				bad++
			}
		}
	}

	// ReachSums and PublishedSums against sums of the records and the direct functions.
	type group struct {
		code, channel, kind string
		emergency           bool
	}
	for _, sc := range []region.Scope{region.NewScope("150000"), region.NewScope("152500"), region.NewScope("152502"), region.NewScope("152502", "150100"),
		region.NewScope("150102")} {
		for _, children := range []bool{false, true} {
			attribute := func(code string) string {
				for _, r := range sc.Roots() {
					if !strings.HasPrefix(code, region.Prefix(r)) {
						continue
					}
					if !children {
						return r
					}
					for u := code; u != ""; u = region.ParentOf(u) {
						if region.ParentOf(u) == r {
							return u
						}
					}
				}
				return ""
			}
			for _, p := range [][2]string{{"2026-01-01", "2026-12-31"}, {"2026-06-01", "2026-06-30"}, {"2026-11-01", "2026-11-30"}, {"2025-01-01", "2025-12-31"},
				{"2026-03-15", "2026-11-20"}, {"2025-12-10", "2026-02-03"}, {"2025-11-01", "2026-12-31"}, {"2026-11-28", "2026-11-28"}, {"", ""}, {"2026-05-01", ""}} {
				want := map[group]reachAmounts{}
				for _, r := range recs {
					if (p[0] != "" && r.day < p[0]) || (p[1] != "" && r.day > p[1]) {
						continue
					}
					if u := attribute(r.code); u != "" {
						g := group{u, r.channel, r.kind, r.emergency}
						want[g] = want[g].plus(r.a, 1)
					}
				}
				for g, a := range want {
					if a == (reachAmounts{}) {
						delete(want, g)
					}
				}
				sums, err := s.ReachSums(ctx, sc, children, p[0], p[1])
				if err != nil {
					t.Fatal(err)
				}
				got := map[group]reachAmounts{}
				for _, x := range sums {
					if a := (reachAmounts{x.Views, x.Likes, x.Shares, x.Pushes}); a != (reachAmounts{}) {
						got[group{x.Code, x.Channel, x.Kind, x.Emergency}] = a
					}
				}
				if fmt.Sprint(sortedGroups(got)) != fmt.Sprint(sortedGroups(want)) {
					t.Errorf("after %s: ReachSums(%v, children %v, %s..%s) =\n%v\nrecords give\n%v", after, sc.Roots(), children, p[0], p[1], sortedGroups(got), sortedGroups(want))
				}
				if children {
					continue
				}
				// The same totals as Reach (the console report, straight from the records).
				for _, em := range []bool{false, true} {
					_, total, err := s.Reach(ctx, ReachQuery{Scope: sc, From: p[0], To: p[1], By: "channel", Emergency: em})
					if err != nil {
						t.Fatal(err)
					}
					var views, likes, shares int64
					byChannel := map[string]int64{}
					for _, x := range sums {
						if em && !x.Emergency {
							continue
						}
						views, likes, shares = views+x.Views, likes+x.Likes, shares+x.Shares
						byChannel[x.Channel] += x.Views
					}
					for ch, n := range total.ByChannel {
						if byChannel[ch] != n {
							t.Errorf("after %s: %v %s..%s emergency %v: %s views %d from ReachSums, %d from Reach", after, sc.Roots(), p[0], p[1], em, ch, byChannel[ch], n)
						}
					}
					if views != total.Views || likes != total.Likes || shares != total.Shares {
						t.Errorf("after %s: %v %s..%s emergency %v: ReachSums %d/%d/%d, Reach %d/%d/%d", after, sc.Roots(), p[0], p[1], em, views, likes, shares, total.Views, total.Likes, total.Shares)
					}
				}
			}
			// Published items now.
			direct, err := s.PublishedCounts(ctx, sc)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]map[string]KindCounts{}
			for code, kinds := range direct {
				u := attribute(code)
				if u == "" {
					continue
				}
				for kind, c := range kinds {
					if want[u] == nil {
						want[u] = map[string]KindCounts{}
					}
					w := want[u][kind]
					w.All, w.Emergency = w.All+c.All, w.Emergency+c.Emergency
					want[u][kind] = w
				}
			}
			got, err := s.PublishedSums(ctx, sc, children)
			if err != nil {
				t.Fatal(err)
			}
			for u, kinds := range got { // zero rows (all withdrawn) count as absent
				for kind, c := range kinds {
					if c == (KindCounts{}) {
						delete(kinds, kind)
					}
				}
				if len(kinds) == 0 {
					delete(got, u)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("after %s: PublishedSums(%v, children %v) = %v, PublishedCounts gives %v", after, sc.Roots(), children, got, want)
			}
		}
	}
}

func sortedGroups[K comparable](m map[K]reachAmounts) []string {
	var out []string
	for k, a := range m {
		out = append(out, fmt.Sprintf("%v=%v", k, a))
	}
	sort.Strings(out)
	return out
}

// TestReachRollupIsExact checks content_reach_months, content_reach_years and
// content_published_units against the records after every kind of write that changes them:
// the migration's backfill, the demo's bulk loads, counted views (Views.Flush), a recorded
// push, an imported export, a withdrawal, an edit that changes an item's kind and emergency
// flag, and publishing again.
func TestReachRollupIsExact(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := demo.Run(ctx, d, 1, 0.05, []demo.Step{region.DemoStep(), DemoStep()}, nil); err != nil {
			t.Fatal(err)
		}
		s, now, ids := fixture(t, d)
		*now = time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)
		checkReachRollup(t, d, s, "the demo")

		backfill(t, d)
		checkReachRollup(t, d, s, "the backfill")

		// Items of the demo: one published before the fixture's day with views, one emergency
		// video.
		var item int64
		var code string
		if err := d.QueryRowContext(ctx, `SELECT i.id, i.region_code FROM content_items i WHERE i.status = 'published' AND i.kind = 'article' AND NOT i.emergency
			AND EXISTS (SELECT 1 FROM content_views v WHERE v.item_id = i.id) ORDER BY i.id LIMIT 1`).Scan(&item, &code); err != nil {
			t.Fatal(err)
		}

		// Counted views, on two days of two months and at a kiosk's village.
		v := NewViews(s, nil)
		v.pending = map[viewKey]int64{
			{item, ChannelWeb, code, "2026-11-29"}: 3, {item, ChannelWeb, code, "2026-10-31"}: 2,
			{item, ChannelEStation, "152502001001", "2026-11-29"}: 4, {item, ChannelEStation, "150102001001", "2025-12-31"}: 1,
		}
		if err := v.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		checkReachRollup(t, d, s, "counted views")

		// A push, then an export that sets its figures, then one that changes them.
		everyone := region.NewScope("150000")
		u := "https://douyin.example.org/p/rollup-test"
		if _, err := s.RecordPush(ctx, everyone, ids[0], PushInput{ItemID: item, Channel: "douyin", PushedOn: "2026-09-30", URL: u, RegionCode: "152502"}); err != nil {
			t.Fatal(err)
		}
		checkReachRollup(t, d, s, "a push")
		for _, views := range []int{700, 650} {
			if _, err := s.ImportReach(ctx, everyone, ids[0], ReachInput{Channel: "douyin", RegionCode: "150000", FiguresOn: "2026-11-01", FileName: "d.csv"},
				strings.NewReader(fmt.Sprintf("链接,阅读量,点赞,转发\n%s,%d,%d,%d\n", u, views, views/10, views/50))); err != nil {
				t.Fatal(err)
			}
			checkReachRollup(t, d, s, fmt.Sprintf("an import of %d views", views))
		}

		// Withdraw, reopen, make it an emergency video, publish again.
		if err := s.Act(ctx, everyone, ids[1], item, ActWithdraw, "核实"); err != nil {
			t.Fatal(err)
		}
		checkReachRollup(t, d, s, "a withdrawal")
		if err := s.Act(ctx, everyone, ids[1], item, ActReopen, ""); err != nil {
			t.Fatal(err)
		}
		it, err := s.Get(ctx, everyone, item)
		if err != nil {
			t.Fatal(err)
		}
		in := it.Input
		in.Kind, in.Emergency, in.VideoURL, in.Duration = "video", true, "https://video.example.org/rollup.mp4", 60
		if err := s.Update(ctx, everyone, ids[0], item, in, "", nil); err != nil {
			t.Fatal(err)
		}
		checkReachRollup(t, d, s, "an edit of kind and emergency flag")
		if err := s.Act(ctx, everyone, ids[0], item, ActSubmit, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.Act(ctx, everyone, ids[1], item, ActPublish, ""); err != nil {
			t.Fatal(err)
		}
		checkReachRollup(t, d, s, "publishing again")
		backfill(t, d) // now with views at a village (the demo here has no kiosks)
		checkReachRollup(t, d, s, "the backfill over every write")
	})
}

// backfill empties the roll-ups and runs migration 0019's INSERT statements again.
func backfill(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	ms, err := db.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"content_reach_months", "content_reach_years", "content_published_units"} {
		if _, err := d.ExecContext(ctx, `DELETE FROM `+table); err != nil {
			t.Fatal(err)
		}
	}
	ran := 0
	for _, m := range ms {
		if m.Version != 19 {
			continue
		}
		var code []string // without comments, which may hold semicolons
		for _, line := range strings.Split(m.For(d.Dialect), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "--") {
				code = append(code, line)
			}
		}
		for _, stmt := range strings.Split(strings.Join(code, "\n"), ";") {
			if q := strings.TrimSpace(stmt); strings.HasPrefix(q, "INSERT") {
				if _, err := d.ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
				ran++
			}
		}
	}
	if ran != 3 {
		t.Fatalf("ran %d backfill statements of migration 0019, want 3", ran)
	}
}
