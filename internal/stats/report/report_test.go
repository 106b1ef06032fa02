package report_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
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
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/stats"
	"github.com/kepu/kepu/internal/stats/report"
	"github.com/xuri/excelize/v2"
)

const demoYear = 2026

var everyone = region.NewScope("150000")

// demoNetwork fills d with the demo network at 1% of the seed's scale and returns the
// indicator registry over it.
func demoNetwork(t testing.TB, d *db.DB) (*stats.Registry, *region.Store) {
	t.Helper()
	ctx := context.Background()
	steps := []demo.Step{region.DemoStep(), account.DemoStep(), registry.DemoStep(), activity.DemoStep(), content.DemoStep()}
	if _, err := demo.Run(ctx, d, 1, 0.01, steps, nil); err != nil {
		t.Fatal(err)
	}
	return newRegistry(d)
}

func newRegistry(d *db.DB) (*stats.Registry, *region.Store) {
	regions := &region.Store{DB: d}
	return stats.New(stats.Deps{DB: d, Regions: regions, Registry: &registry.Store{DB: d, Regions: regions},
		Activity: &activity.Store{DB: d, Regions: regions}, Content: &content.Store{DB: d, Regions: regions}}), regions
}

// Every figure in the generated report equals a direct count: the registry's value of that
// indicator alone, and for a few, an independent count through the owning domain's exported
// functions. Every sentence's number is the customary rounding of that exact value, and the
// rendered document carries both.
func TestReportFiguresEqualCounts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		reg, regions := demoNetwork(t, d)
		for _, unit := range []string{"150000", "152500"} {
			q := stats.Query{Unit: unit, Year: demoYear, Scope: everyone}
			rep, err := report.Build(ctx, reg, regions, q, map[string]int{"KC01": 1, "KR11": 7})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Figures) < 40 {
				t.Fatalf("%s: only %d figures", unit, len(rep.Figures))
			}
			var html bytes.Buffer
			if err := report.Render(&html, rep, report.Options{InlineCSS: true}); err != nil {
				t.Fatal(err)
			}
			doc := html.String()
			nonzero := 0
			for _, f := range rep.Figures {
				v, err := reg.Value(ctx, f.Code, q)
				if err != nil {
					t.Fatal(err)
				}
				if f.Exact != v.Exact || f.Value != v.Value || f.Known != v.Known || f.Records != v.Records {
					t.Errorf("%s %s: report %d/%v, direct %d/%v", unit, f.Code, f.Exact, f.Value, v.Exact, v.Value)
				}
				if !f.Known {
					continue
				}
				if f.IsCount {
					r := report.Approx(f.Exact)
					if f.Text != r.Text || r.Floor > f.Exact || (r.Floor < f.Exact) != r.More {
						t.Errorf("%s %s: text %q for %d (Approx %+v)", unit, f.Code, f.Text, f.Exact, r)
					}
					if f.Exact > 0 {
						nonzero++
					}
				}
				if !strings.Contains(doc, ">"+f.Text+f.Unit+"</a>") && f.Records != "" {
					t.Errorf("%s %s: the document does not link %q", unit, f.Code, f.Text+f.Unit)
				}
				if !strings.Contains(doc, f.ExactText()) {
					t.Errorf("%s %s: the appendix table lacks the exact value %s", unit, f.Code, f.ExactText())
				}
			}
			if nonzero < 20 {
				t.Errorf("%s: only %d non-zero counts on the demo network", unit, nonzero)
			}
			byCode := map[string]*report.Figure{}
			for _, f := range rep.Figures {
				byCode[f.Code] = f
			}
			// Independent counts: museums through the registry's Count, activity sessions and
			// records through activity's list of counted records.
			museums, _ := registry.KindBySlug("museums")
			n, err := (&registry.Store{DB: d, Regions: regions}).Count(ctx, museums, registry.Filter{Scope: everyone, Within: unit})
			if err != nil {
				t.Fatal(err)
			}
			if int64(n) != byCode["KC01"].Exact || n == 0 {
				t.Errorf("%s museums: registry count %d, report %d", unit, n, byCode["KC01"].Exact)
			}
			var records, sessions int64
			acts := &activity.Store{DB: d, Regions: regions}
			f := activity.Filter{Scope: everyone, Region: unit, From: "2026-01-01", To: "2026-12-31", Status: activity.Counted, Limit: 500}
			for {
				pg, err := acts.List(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range pg.Items {
					records++
					sessions += int64(a.Sessions)
				}
				if pg.Next == 0 {
					break
				}
				f.After = pg.Next
			}
			if records != byCode["KH01"].Exact || sessions != byCode["KH02"].Exact || records == 0 {
				t.Errorf("%s activities: listed %d records, %d sessions; report %d, %d", unit, records, sessions, byCode["KH01"].Exact, byCode["KH02"].Exact)
			}
			// National ranks entered by the operator are written after their figure.
			if unit == "150000" && !strings.Contains(doc, "排在全国第1位") {
				t.Error("the rank of KC01 is not in the report")
			}
			if rep.RankCount != 2 {
				t.Errorf("rank count %d", rep.RankCount)
			}
			for _, s := range rep.Sections {
				if len(s.Sentences) == 0 || !strings.Contains(doc, s.Heading) {
					t.Errorf("%s: section %s missing", unit, s.Code)
				}
			}
		}
	})
}

// A banner admin's report covers only the banner's subtree: the region's report is refused,
// the banner's own report equals the banner's direct counts, and no sibling appears.
func TestReportBannerScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		reg, regions := demoNetwork(t, d)
		banner := region.NewScope("152502")
		if _, err := report.Build(ctx, reg, regions, stats.Query{Unit: "150000", Year: demoYear, Scope: banner}, nil); !errors.Is(err, stats.ErrOutOfScope) {
			t.Fatalf("region report for a banner admin: %v", err)
		}
		if _, err := report.Build(ctx, reg, regions, stats.Query{Unit: "152501", Year: demoYear, Scope: banner}, nil); !errors.Is(err, stats.ErrOutOfScope) {
			t.Fatalf("sibling report for a banner admin: %v", err)
		}
		rep, err := report.Build(ctx, reg, regions, stats.Query{Year: demoYear, Scope: banner}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Unit.Code != "152502" || rep.Area != "全市" {
			t.Fatalf("unit %s area %s", rep.Unit.Code, rep.Area)
		}
		for _, f := range rep.Figures {
			v, err := reg.Value(ctx, f.Code, stats.Query{Unit: "152502", Year: demoYear, Scope: everyone})
			if err != nil {
				t.Fatal(err)
			}
			if v.Exact != f.Exact {
				t.Errorf("%s: banner report %d, direct %d", f.Code, f.Exact, v.Exact)
			}
			// A link that names a unit names the banner (content links name none: the content hub
			// applies the viewer's own scope).
			if (strings.Contains(f.Records, "region=") || strings.Contains(f.Records, "within=")) && !strings.Contains(f.Records, "152502") {
				t.Errorf("%s: records link %s leaves the banner", f.Code, f.Records)
			}
		}
	})
}

// The .xlsx appendix has one row per figure with its definition and exact value.
func TestAppendix(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		reg, regions := demoNetwork(t, d)
		rep, err := report.Build(ctx, reg, regions, stats.Query{Unit: "150000", Year: demoYear, Scope: everyone}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := report.Appendix(&b, "xlsx", rep, "https://kepu.example.org"); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&b)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(rep.Figures)+1 || rows[0][0] != "指标代码" {
			t.Fatalf("%d rows for %d figures; header %v", len(rows), len(rep.Figures), rows[0])
		}
		for i, fig := range rep.Figures {
			r := rows[i+1]
			if r[0] != fig.Code || r[2] != fig.Name || r[10] != sheet.Escape(fig.Definition) {
				t.Errorf("row %d: %v", i+1, r[:3])
			}
			if fig.Known && fig.IsCount && r[4] != strings.ReplaceAll(fig.ExactText(), ",", "") {
				t.Errorf("%s: exact %q, want %s", fig.Code, r[4], fig.ExactText())
			}
			if fig.Records != "" && r[11] != "https://kepu.example.org"+fig.Records {
				t.Errorf("%s: link %q", fig.Code, r[11])
			}
		}
	})
}

var tag = regexp.MustCompile(`<[^>]+>`)

// The document prints: A4 page rule, print media rules, and nothing but the linked style sheet
// on the web (the CSP forbids inline style).
func TestRenderPrintAndCSP(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		reg, regions := newRegistry(d)
		rep, err := report.Build(ctx, reg, regions, stats.Query{Unit: "150000", Year: demoYear, Scope: everyone}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var web, file bytes.Buffer
		if err := report.Render(&web, rep, report.Options{Appendix: "/x.xlsx"}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(web.String(), "<style") || strings.Contains(web.String(), "style=") || !strings.Contains(web.String(), report.CSSPath) {
			t.Error("the web document must link its style sheet, with no inline style")
		}
		if err := report.Render(&file, rep, report.Options{InlineCSS: true, BaseURL: "https://k.example"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(file.String(), "@page{size:A4") || !strings.Contains(file.String(), "@media print") {
			t.Error("the standalone document lacks its print rules")
		}
		text := tag.ReplaceAllString(file.String(), "")
		if !strings.Contains(text, "内蒙古自治区2026年科普工作报告") || !strings.Contains(text, "加强科普人才培养") {
			t.Error("title or section headings missing")
		}
	})
}

// The demo step enters the seed's national ranks for the region and the demo year.
func TestDemoRanks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := demo.Run(ctx, d, 1, 0.01, []demo.Step{report.DemoStep()}, nil); err != nil {
			t.Fatal(err)
		}
		ranks, err := (&report.Ranks{DB: d}).Get(ctx, "150000", report.DemoYear)
		if err != nil {
			t.Fatal(err)
		}
		if ranks["KC01"] != 1 || ranks["KC03"] != 3 || ranks["KR11"] != 7 || len(ranks) != 7 {
			t.Errorf("demo ranks %v", ranks)
		}
	})
}

// While the report's year runs, its flows are not compared with the whole year before, and the
// lead says up to which day they count; once the year has ended they are compared.
func TestRunningYearFlows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		reg, regions := demoNetwork(t, d)
		// The year after the demo's: its flows (none yet) against the demo year's.
		year := demoYear + 1
		build := func(now time.Time) *report.Report {
			t.Helper()
			reg.Now = func() time.Time { return now }
			rep, err := report.Build(ctx, reg, regions, stats.Query{Unit: "150000", Year: year, Scope: everyone}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		flowChanges := func(rep *report.Report) int {
			n := 0
			for _, f := range rep.Figures {
				if ind, ok := reg.Get(f.Code); ok && ind.Period == stats.Flow && f.Change != "" {
					n++
				}
			}
			return n
		}
		running := build(time.Date(year, 11, 29, 4, 0, 0, 0, time.UTC))
		var lead []string
		for _, s := range running.Lead {
			lead = append(lead, s.Text())
		}
		if n := flowChanges(running); n != 0 || !strings.Contains(strings.Join(lead, ""), fmt.Sprintf(report.RunningYearText, year, "11月29日")) {
			t.Errorf("running year: %d flows compared; lead %q", n, lead)
		}
		if n := flowChanges(build(time.Date(year+1, 3, 1, 4, 0, 0, 0, time.UTC))); n == 0 {
			t.Error("ended year: no flow compared with the year before")
		}
	})
}
