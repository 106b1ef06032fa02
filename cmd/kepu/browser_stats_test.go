//go:build browser

package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/stats"
)

// chartInk is what the browser reports of one chart container.
type chartInk struct {
	ID     string `json:"id"`
	Hidden bool   `json:"hidden"`
	Kind   string `json:"kind"`  // canvas, svg or ""
	W      int    `json:"w"`     // the drawing's size in CSS pixels
	H      int    `json:"h"`     //
	Inked  int    `json:"inked"` // canvas pixels not transparent, or svg shapes drawn
}

// tableView is what a reader without JavaScript sees of the dashboard.
type tableView struct {
	Tables        int      `json:"tables"`        // figure tables laid out with a size
	Rows          int      `json:"rows"`          // figure rows
	Links         int      `json:"links"`         // figures linking to their records
	ChartsVisible int      `json:"chartsVisible"` // chart containers shown
	Canvases      int      `json:"canvases"`
	Headings      []string `json:"headings"`
	KC01          string   `json:"kc01"` // the science museums figure as written
}

// inkJS measures every chart container: a canvas counts its non-transparent pixels (ECharts
// draws on a transparent canvas), an svg its drawn shapes.
const inkJS = `Array.from(document.querySelectorAll('.dash-chart')).map(box => {
	const out = {id: box.id, hidden: box.hidden || box.offsetParent === null, kind: '', w: 0, h: 0, inked: 0};
	const c = box.querySelector('canvas'), s = box.querySelector('svg');
	if (c) {
		out.kind = 'canvas'; out.w = c.clientWidth; out.h = c.clientHeight;
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		for (let i = 3; i < d.length; i += 4) if (d[i] > 0) out.inked++;
	} else if (s) {
		out.kind = 'svg'; out.w = s.clientWidth; out.h = s.clientHeight;
		out.inked = s.querySelectorAll('path, rect, circle, text').length;
	}
	return out;
})`

// The statistics dashboard as the region admin in Debian's chromium: ECharts draws each chart
// (a non-blank canvas or svg in the container); with JavaScript disabled the charts stay hidden
// and every figure reads in the tables, the same figures; clicking a figure's link lands on the
// list of its records, whose total is the figure. Screenshots go to KEPU_SCREENSHOTS.
func TestBrowserStatsDashboard(t *testing.T) {
	d := dbtest.SQLite(t)
	dashDemo(t, d)
	ts := newTestSite(t, d)
	museums, err := ts.site.Stats.Value(context.Background(), "KC01", stats.Query{Unit: "150000", Year: 2026, Scope: region.NewScope("150000")})
	if err != nil || museums.Exact == 0 {
		t.Fatalf("KC01 on the demo network: %+v %v", museums, err)
	}
	want := thousands(museums.Exact)

	bctx := browser(t)
	page := ts.srv.URL + "/console/stats/dashboard?region=150000&year=2026"
	err = chromedp.Do(bctx, chromedp.EmulateViewport(1280, 900),
		// A Chinese reader, whatever the machine's locale: the "lang" cookie picks the language.
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "lang", Value: "zh-Hans", URL: ts.srv.URL + "/"})
			return err
		}),
		chromedp.Navigate(ts.srv.URL+"/login"),
		chromedp.SendKeys(`input[name="username"]`, "admin"),
		chromedp.SendKeys(`input[name="password"]`, pw),
		chromedp.Submit(`form[action="/login"]`),
		chromedp.WaitVisible(`ul.roles`),
		chromedp.Navigate(page),
		chromedp.WaitVisible(`table.dash-figures`))
	if err != nil {
		t.Fatalf("dashboard with JavaScript: %v", err)
	}
	// Wait until every shown chart has ink (ECharts draws over animation frames).
	ready := `(cs => cs.some(c => !c.hidden) && cs.every(c => c.hidden || c.inked > 0))(` + inkJS + `)`
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](ready, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Logf("charts still blank after waiting: %v", err)
	}
	charts, err := chromedp.Run(bctx, chromedp.Evaluate[[]chartInk](inkJS))
	if err != nil {
		t.Fatal(err)
	}
	drawn := map[string]chartInk{}
	for _, c := range charts {
		t.Logf("%+v", c)
		if !c.Hidden {
			drawn[c.ID] = c
		}
	}
	for _, id := range []string{"chart-trends", "chart-children"} {
		c, ok := drawn[id]
		switch {
		case !ok:
			t.Errorf("%s is not shown", id)
		case c.Kind == "" || c.W < 200 || c.H < 200:
			t.Errorf("%s has no drawing of a size: %+v", id, c)
		case c.Inked < 500 && c.Kind == "canvas", c.Inked < 5 && c.Kind == "svg":
			t.Errorf("%s is blank: %+v", id, c)
		}
	}
	shot(t, bctx, "stats-dashboard.jpg")

	// JavaScript disabled, in a second tab of the same browser (the same sign-in).
	noJS, cancel := chromedp.NewContext(bctx)
	defer cancel()
	err = chromedp.Do(noJS, chromedp.EmulateViewport(1280, 900),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}),
		chromedp.Navigate(page), chromedp.WaitVisible(`table.dash-figures`))
	if err != nil {
		t.Fatalf("dashboard without JavaScript: %v", err)
	}
	tv, err := chromedp.Run(noJS, chromedp.Evaluate[tableView](`(() => {
		const sized = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
		const kc = document.querySelector('tr[data-code="KC01"] td a');
		return {tables: Array.from(document.querySelectorAll('table.dash-figures, table.dash-trends, table.dash-children')).filter(sized).length,
			rows: document.querySelectorAll('table.dash-figures tbody tr').length,
			links: document.querySelectorAll('table.dash-figures td a[href^="/console/"]').length,
			chartsVisible: Array.from(document.querySelectorAll('.dash-chart')).filter(sized).length,
			canvases: document.querySelectorAll('canvas, .dash-chart svg').length,
			headings: Array.from(document.querySelectorAll('.dash-section h2')).map(h => h.textContent.trim()),
			kc01: kc ? kc.textContent.trim() : ''};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("without JavaScript: %+v", tv)
	if tv.ChartsVisible != 0 || tv.Canvases != 0 {
		t.Errorf("charts drawn or shown without JavaScript: %+v", tv)
	}
	if tv.Tables < 3 || tv.Rows < 10 || tv.Links < tv.Rows/2 {
		t.Errorf("the figures do not read as tables: %+v", tv)
	}
	for _, h := range []string{"基础设施", "人才队伍", "科普活动", "逐月趋势", "下级单位"} {
		if !strings.Contains(strings.Join(tv.Headings, "|"), h) {
			t.Errorf("no section %q without JavaScript: %v", h, tv.Headings)
		}
	}
	if tv.KC01 != want {
		t.Errorf("science museums read %q without JavaScript, the registry has %s", tv.KC01, want)
	}
	shot(t, noJS, "stats-dashboard-nojs.jpg")

	// Clicking a figure lands on the list of its records: the science museums' figure on the
	// museum register of the region, whose total is the figure.
	err = chromedp.Do(bctx, chromedp.Click(`tr[data-code="KC01"] td a`), chromedp.WaitVisible(`main table`))
	if err != nil {
		t.Fatalf("click KC01: %v", err)
	}
	loc, _ := chromedp.Run(bctx, chromedp.Location())
	main, _ := chromedp.Run(bctx, chromedp.Text(`main`))
	u, _ := url.Parse(loc)
	if u == nil || u.Path != "/console/registry/museums" || u.Query().Get("within") != "150000" {
		t.Errorf("KC01 leads to %s", loc)
	}
	if m := regexp.MustCompile(`共 ([\d,]+) 座`).FindStringSubmatch(main); m == nil || m[1] != want {
		t.Errorf("the museum list says %v, the dashboard %s", m, want)
	}
	// …and the activity sessions' figure on the activity list of the region and year.
	err = chromedp.Do(bctx, chromedp.Navigate(page), chromedp.WaitVisible(`tr[data-code="KH02"] td a`),
		chromedp.Click(`tr[data-code="KH02"] td a`), chromedp.WaitVisible(`main table`))
	if err != nil {
		t.Fatalf("click KH02: %v", err)
	}
	loc, _ = chromedp.Run(bctx, chromedp.Location())
	main, _ = chromedp.Run(bctx, chromedp.Text(`main`))
	u, _ = url.Parse(loc)
	if u == nil || u.Path != "/console/activities" || u.Query().Get("region") != "150000" || u.Query().Get("from") != "2026-01-01" {
		t.Errorf("KH02 leads to %s", loc)
	}
	records, _ := ts.site.Stats.Value(context.Background(), "KH01", stats.Query{Unit: "150000", Year: 2026, Scope: region.NewScope("150000")})
	if !strings.Contains(main, "共 "+thousands(records.Exact)+" 条活动记录") || records.Exact == 0 {
		t.Errorf("the activity list does not hold the %d records of the year: %.200s", records.Exact, main)
	}
}

// shot saves a full-page screenshot to KEPU_SCREENSHOTS (a temporary folder when unset).
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("KEPU_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Error(err)
	}
}
