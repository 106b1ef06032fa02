package stats_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/stats/forms"
)

var formLines = []string{"X01", "X02", "X03", "X04", "X05", "X06", "X07", "X08"}

// file opens a unit's form for a year, saves figs, and takes it to status (draft, submitted,
// accepted or returned) through the store's workflow.
func file(t *testing.T, fs *forms.Store, key string, year int, figs forms.Figures, status string) forms.Form {
	t.Helper()
	ctx := context.Background()
	u, err := fs.UnitByKey(ctx, everyone, key)
	if err != nil {
		t.Fatal(err)
	}
	f, err := fs.Open(ctx, u, year, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Save(ctx, f.ID, 0, figs, nil); err != nil {
		t.Fatal(err)
	}
	f.Figures = figs
	if status == forms.Draft {
		return f
	}
	if probs, err := fs.Submit(ctx, f, 0); err != nil {
		t.Fatal(err, probs)
	}
	switch status {
	case forms.Accepted:
		err = fs.Review(ctx, f.ID, 0, true, "")
	case forms.Returned:
		err = fs.Review(ctx, f.ID, 0, false, "请核对")
	}
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// X01–X08 are the sums of the accepted forms of the year in the unit's subtree: equal to the
// forms' own summary (Summarize, which adds the accepted forms) and to the values a person
// would add by hand; drafts, submitted and returned forms and other years do not count; a
// banner admin sees only the banner's forms; the records link lists exactly the forms counted;
// a month has no figure (the forms are annual); accepting a form shows at once even where
// figures are kept as snapshots.
func TestFormIndicatorsSumAcceptedForms(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		regions := &region.Store{DB: d}
		fs := &forms.Store{DB: d, Regions: regions, Registry: &registry.Store{DB: d, Regions: regions}}
		reg := stats.New(stats.Deps{DB: d, Regions: regions, Forms: fs})
		file(t, fs, "150000", 2026, forms.Figures{"X01": 42, "X02": 4_616_000, "X03": 11, "X04": 40, "X05": 3_100_000, "X06": 2_167_000, "X07": 300, "X08": 60, "KH23": 900}, forms.Accepted)
		file(t, fs, "152500", 2026, forms.Figures{"X03": 1, "X04": 2, "X07": 27, "X08": 4, "KH23": 60}, forms.Accepted)
		file(t, fs, "152502", 2026, forms.Figures{"X07": 5}, forms.Accepted)
		file(t, fs, "152502001", 2026, forms.Figures{"X04": 1}, forms.Accepted)
		pending := file(t, fs, "152501", 2026, forms.Figures{"X07": 100}, forms.Submitted)
		file(t, fs, "150100", 2026, forms.Figures{"X07": 1000, "X03": 50}, forms.Returned)
		file(t, fs, "152522", 2026, forms.Figures{"X07": 77}, forms.Draft)
		file(t, fs, "152500", 2025, forms.Figures{"X07": 999, "X01": 7}, forms.Accepted)

		want := map[string]map[string]int64{
			"150000": {"X01": 42, "X02": 4_616_000, "X03": 12, "X04": 43, "X05": 3_100_000, "X06": 2_167_000, "X07": 332, "X08": 64},
			"152500": {"X03": 1, "X04": 3, "X07": 32, "X08": 4},
			"152502": {"X04": 1, "X07": 5},
		}
		for unit, lines := range want {
			q := stats.Query{Unit: unit, Year: 2026, Scope: everyone}
			vals, err := reg.Values(ctx, q, formLines...)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := fs.Summarize(ctx, everyone, unit, 2026)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if v.Exact != lines[v.Code] || v.Exact != sum.Figures[v.Code] {
					t.Errorf("%s at %s: %d; accepted forms add to %d (summary %d)", v.Code, unit, v.Exact, lines[v.Code], sum.Figures[v.Code])
				}
				_, carried := lines[v.Code]
				if v.Known != carried || v.Indicator.Basis != stats.Declared {
					t.Errorf("%s at %s: known %v, basis %v", v.Code, unit, v.Known, v.Indicator.Basis)
				}
				if v.Known {
					checkFormsLink(t, fs, v)
				}
			}
		}
		// The unit's own part and its children's add up (league 152500: its own form, then
		// 152502 with its township's, 152501 whose form is only submitted).
		q := stats.Query{Unit: "152500", Year: 2026, Scope: everyone}
		own, err := reg.Own(ctx, q, "X07", "X04")
		if err != nil {
			t.Fatal(err)
		}
		kids, err := reg.ChildrenValues(ctx, q, "X07", "X04")
		if err != nil {
			t.Fatal(err)
		}
		if own[0].Exact != 27 || own[1].Exact != 2 {
			t.Errorf("own X07 %d, X04 %d", own[0].Exact, own[1].Exact)
		}
		for _, k := range kids {
			wantX07 := map[string]int64{"152502": 5}[k[0].Unit]
			if k[0].Exact != wantX07 {
				t.Errorf("child %s: X07 %d, want %d", k[0].Unit, k[0].Exact, wantX07)
			}
		}
		// A banner admin's query: the banner's forms only; above it is out of scope.
		banner := region.NewScope("152502")
		v, err := reg.Value(ctx, "X07", stats.Query{Unit: "152502", Year: 2026, Scope: banner})
		if err != nil || v.Exact != 5 {
			t.Errorf("banner admin's X07: %d, %v", v.Exact, err)
		}
		if _, err := reg.Value(ctx, "X07", stats.Query{Unit: "152500", Year: 2026, Scope: banner}); !errors.Is(err, stats.ErrOutOfScope) {
			t.Errorf("banner admin reading the league: %v", err)
		}
		// Last year's accepted form is last year's figure.
		if v, _ := reg.Value(ctx, "X07", stats.Query{Unit: "150000", Year: 2025, Scope: everyone}); v.Exact != 999 {
			t.Errorf("2025 X07 = %d", v.Exact)
		}
		// Annual forms give no monthly figure.
		if v, _ := reg.Value(ctx, "X07", stats.Query{Unit: "150000", Year: 2026, Month: 6, Scope: everyone}); v.Known || v.Exact != 0 {
			t.Errorf("a month's X07: %+v", v)
		}
		// With snapshots kept, accepting the submitted form shows at once (the store's hook
		// forgets the forms' snapshots of the unit and above, as cmd/kepu wires it).
		reg.MaxAge = time.Hour
		fs.Accepted = func(ctx context.Context, code string) {
			if err := reg.Forget(ctx, code, "forms"); err != nil {
				t.Error(err)
			}
		}
		if v, _ := reg.Value(ctx, "X07", q); v.Exact != 32 {
			t.Fatalf("X07 before accepting: %d", v.Exact)
		}
		if err := fs.Review(ctx, pending.ID, 0, true, ""); err != nil {
			t.Fatal(err)
		}
		if v, _ := reg.Value(ctx, "X07", q); v.Exact != 132 {
			t.Errorf("X07 after accepting 152501's form: %d, want 132", v.Exact)
		}
	})
}

// checkFormsLink follows a declared figure's records link as the forms list reads it (year,
// within, status, line) and adds the listed forms' values of the line.
func checkFormsLink(t *testing.T, fs *forms.Store, v stats.Value) {
	t.Helper()
	u, err := url.Parse(v.Records)
	if err != nil || u.Path != "/console/stats/forms" {
		t.Fatalf("%s links to %q", v.Code, v.Records)
	}
	p := u.Query()
	if p.Get("status") != forms.Accepted || p.Get("line") != v.Code || p.Get("within") != v.Unit || p.Get("year") != fmt.Sprint(v.Year) {
		t.Fatalf("%s links to %q", v.Code, v.Records)
	}
	list, err := fs.List(context.Background(), everyone, p.Get("within"), v.Year, p.Get("status"))
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, f := range list {
		sum += f.Figures[v.Code]
	}
	if sum != v.Exact {
		t.Errorf("%s at %s = %d; the forms its link lists add to %d", v.Code, v.Unit, v.Exact, sum)
	}
}

// contentFixture makes two accounts (an editor and a reviewer) and a content store whose clock
// the test sets.
func contentFixture(t *testing.T, d *db.DB) (*content.Store, *time.Time, int64, int64) {
	t.Helper()
	ctx := context.Background()
	regions := &region.Store{DB: d}
	accounts := &account.Store{DB: d, Regions: regions}
	var ids [2]int64
	for i, name := range []string{"editor", "reviewer"} {
		id, err := accounts.Create(ctx, account.NewAccount{Username: name, DisplayName: name, Phone: "13912345678", Password: "correct horse battery",
			Grants: []account.Grant{{Role: account.RegionAdmin, RegionCode: "150000"}}})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	now := time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC)
	s := &content.Store{DB: d, Regions: regions}
	s.Now = func() time.Time { return now }
	return s, &now, ids[0], ids[1]
}

// X09 counts the pushes recorded in the year (Kepu's own records: verified); X10 the views of
// emergency videos counted on Kepu's pages (verified); X11 the views the platforms report for
// the pushes of emergency videos (declared, never added to X10). Each equals a count made by
// hand of what the test recorded and the records its link lists; a banner admin's query sees
// the banner's records only.
func TestPushAndEmergencyVideoFigures(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		cs, now, editor, reviewer := contentFixture(t, d)
		reg := stats.New(stats.Deps{DB: d, Regions: cs.Regions, Content: cs})
		publish := func(code, kind string, emergency bool) int64 {
			in := content.Input{RegionCode: code, Kind: kind, Emergency: emergency, Topics: []string{"应急"},
				Zh: content.Version{Title: fmt.Sprintf("%s %s %v", code, kind, emergency), Summary: "摘要", Body: "<p>正文</p>"}}
			if kind == "video" {
				in.VideoURL, in.Duration = "https://video.example.org/a.mp4", 120
			}
			id, err := cs.Create(ctx, everyone, editor, in, "", nil)
			if err == nil {
				err = cs.Act(ctx, everyone, editor, id, content.ActSubmit, "")
			}
			if err == nil {
				err = cs.Act(ctx, everyone, reviewer, id, content.ActPublish, "")
			}
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		a := publish("152502", "video", true)   // an emergency video of banner 152502
		b := publish("152502", "video", false)  // an ordinary video
		c := publish("152501", "article", true) // an emergency article
		e := publish("150102", "video", true)   // an emergency video of another league
		views := content.NewViews(cs, nil)
		see := func(item int64, code string, visitors int) {
			for i := range visitors {
				req := httptest.NewRequest("GET", "/content/1", nil)
				req.RemoteAddr = fmt.Sprintf("10.0.%d.%d:1234", item, i)
				req.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 12; HUAWEI) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36")
				if !views.Count(req, item, content.ChannelWeb, code) {
					t.Fatalf("view %d of %d not counted", i, item)
				}
			}
			if err := views.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		*now = time.Date(2025, 12, 31, 4, 0, 0, 0, time.UTC)
		see(a, "152502", 9) // last year: not counted in 2026
		*now = time.Date(2026, 6, 1, 4, 0, 0, 0, time.UTC)
		see(a, "152502", 3)
		see(b, "152502", 2)
		see(c, "152501", 1)
		see(e, "150102", 4)
		push := func(item int64, channel, on, code string) string {
			u := fmt.Sprintf("https://%s.example.org/p/%d/%s", channel, item, on)
			if _, err := cs.RecordPush(ctx, everyone, editor, content.PushInput{ItemID: item, Channel: channel, PushedOn: on, URL: u, RegionCode: code}); err != nil {
				t.Fatal(err)
			}
			return u
		}
		imports := map[string]string{} // channel → CSV rows
		for _, p := range []struct {
			item              int64
			channel, on, code string
			views             int
		}{{a, "douyin", "2026-06-02", "152502", 1000}, {a, "kuaishou", "2026-07-01", "152502", 500}, {b, "toutiao", "2026-06-03", "152502", 300},
			{e, "wechat", "2026-06-04", "150102", 700}, {b, "douyin", "2025-12-30", "152502", 50}, {c, "wechat", "2026-08-01", "152501", 80}} {
			u := push(p.item, p.channel, p.on, p.code)
			imports[p.channel] += fmt.Sprintf("%s,%d\n", u, p.views)
		}
		for ch, rows := range imports {
			if _, err := cs.ImportReach(ctx, everyone, editor, content.ReachInput{Channel: ch, RegionCode: "150000", FiguresOn: "2026-11-01", FileName: ch + ".csv"},
				strings.NewReader("链接,阅读量\n"+rows)); err != nil {
				t.Fatal(ch, err)
			}
		}
		for _, c := range []struct {
			unit  string
			scope region.Scope
			want  map[string]int64
		}{
			{"150000", everyone, map[string]int64{"X09": 5, "X10": 3 + 4, "X11": 1000 + 500 + 700}},
			{"152500", everyone, map[string]int64{"X09": 4, "X10": 3, "X11": 1500}},
			{"152502", region.NewScope("152502"), map[string]int64{"X09": 3, "X10": 3, "X11": 1500}},
		} {
			vals, err := reg.Values(ctx, stats.Query{Unit: c.unit, Year: 2026, Scope: c.scope}, "X09", "X10", "X11")
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if v.Exact != c.want[v.Code] || !v.Known {
					t.Errorf("%s at %s: %d, want %d", v.Code, c.unit, v.Exact, c.want[v.Code])
				}
				// The link lists exactly the records counted.
				recs, err := cs.ReachRecords(ctx, reachQueryOf(t, v.Records, c.scope))
				if err != nil {
					t.Fatal(err)
				}
				var n int64
				for _, rec := range recs {
					if v.Code == "X09" {
						n++
					} else {
						n += rec.Views
					}
				}
				if n != v.Exact {
					t.Errorf("%s at %s = %d; its records (%s) give %d", v.Code, c.unit, v.Exact, v.Records, n)
				}
			}
		}
		for code, want := range map[string]stats.Basis{"X09": stats.Verified, "X10": stats.Verified, "X11": stats.Declared} {
			if ind, _ := reg.Get(code); ind.Basis != want {
				t.Errorf("%s basis %v", code, ind.Basis)
			}
		}
		if _, err := reg.Value(ctx, "X09", stats.Query{Unit: "152500", Year: 2026, Scope: region.NewScope("152502")}); !errors.Is(err, stats.ErrOutOfScope) {
			t.Errorf("banner admin reading the league: %v", err)
		}
		// Months: June holds the views and three of the pushes.
		if v, _ := reg.Value(ctx, "X09", stats.Query{Unit: "150000", Year: 2026, Month: 6, Scope: everyone}); v.Exact != 3 {
			t.Errorf("June's pushes: %d", v.Exact)
		}
	})
}

// reachQueryOf reads a records link of the reach report as the page does.
func reachQueryOf(t *testing.T, link string, scope region.Scope) content.ReachQuery {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Path != "/console/reach/records" {
		t.Fatalf("link %q", link)
	}
	p := u.Query()
	return content.ReachQuery{Scope: scope, From: p.Get("from"), To: p.Get("to"), Region: p.Get("region"), Emergency: p.Get("emergency") == "1",
		Kind: p.Get("kind"), Source: p.Get("source"), Channel: p.Get("channel")}
}

// BenchmarkDeclaredFigures computes, live (MaxAge 0), the region's declared-form figures
// (X01–X08: every accepted form of the year read once) and its push and emergency-video
// figures (X09–X11: three grouped reads of content's views and pushes), at the region and
// for its leagues. KEPU_BENCH_DB names a database holding the demo network (`kepu demo --db
// FILE`); without it the benchmark is skipped (generating the seed-scale network takes
// minutes).
func BenchmarkDeclaredFigures(b *testing.B) {
	path := os.Getenv("KEPU_BENCH_DB")
	if path == "" {
		b.Skip("KEPU_BENCH_DB not set")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	r := newRegistry(d)
	q := stats.Query{Unit: "150000", Year: 2026, Scope: everyone}
	for _, set := range []struct {
		name  string
		codes []string
	}{{"forms", formLines}, {"push", []string{"X09", "X10", "X11"}}} {
		b.Run(set.name+"/values", func(b *testing.B) {
			for b.Loop() {
				if _, err := r.Values(ctx, q, set.codes...); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(set.name+"/children", func(b *testing.B) {
			for b.Loop() {
				if _, err := r.ChildrenValues(ctx, q, set.codes...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
