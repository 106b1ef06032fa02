//go:build browser

package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

// On a 360 px phone the search box of /content works without script (type, press Enter, get
// the results page), and the results, a refused one-character query and the console search
// fit the screen's width. A screenshot of the results goes to KEPU_SCREENSHOTS or the test's
// temp dir.
func TestBrowserContentSearch(t *testing.T) {
	d := dbtest.SQLite(t)
	ts := newTestSite(t, d)
	ctx := context.Background()
	store := &content.Store{DB: d, Regions: &region.Store{DB: d}}
	scope := region.NewScope("152502")
	in := content.Input{RegionCode: "152502", Kind: "article", Topics: []string{"生态"},
		Zh: content.Version{Title: "锡林郭勒草原生态保护与退化草场的恢复治理", Summary: "草原生态保护要点。", Body: "<p>草原是牧区的根本。</p>"}}
	id, err := store.Create(ctx, scope, ts.ids["banner-152502"], in, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct{ who, action string }{{"banner-152502", content.ActSubmit}, {"league-152500", content.ActPublish}} {
		if err := store.Act(ctx, scope, ts.ids[step.who], id, step.action, ""); err != nil {
			t.Fatal(err)
		}
	}
	bctx := browser(t)
	err = chromedp.Do(bctx, chromedp.EmulateViewport(360, 740), chromedp.Navigate(ts.srv.URL+"/content"),
		chromedp.SendKeys(`form[action="/content/search"] input[name="q"]`, "草原\n"), chromedp.WaitVisible(`form[action="/content/search"] label`))
	if err != nil {
		t.Fatal(err)
	}
	found, err := chromedp.Run(bctx, chromedp.Text(`main ul.content-cards`))
	if err != nil || !strings.Contains(found, "锡林郭勒草原") {
		t.Fatalf("search from the home's box: %q %v", found, err)
	}
	check := func(path string) {
		t.Helper()
		if err := chromedp.Do(bctx, chromedp.Navigate(ts.srv.URL+path), chromedp.WaitReady("body")); err != nil {
			t.Fatal(err)
		}
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || n > 360 {
			t.Errorf("%s is %d px wide on a 360 px screen (%v)", path, n, err)
		}
	}
	check("/content/search?q=" + url.QueryEscape("草原"))
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("KEPU_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.WriteFile(filepath.Join(dir, "content-search.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	check("/content/search?q=" + url.QueryEscape("草"))
	check("/content/search?q=" + url.QueryEscape(strings.Repeat("草原", 5000)))
	err = chromedp.Do(bctx, chromedp.Navigate(ts.srv.URL+"/login"),
		chromedp.SendKeys(`input[name="username"]`, "banner-152502"), chromedp.SendKeys(`input[name="password"]`, pw),
		chromedp.Submit(`form[action="/login"]`), chromedp.WaitVisible(`ul.roles`))
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	check("/console/content/search?q=" + url.QueryEscape("草原"))
}
