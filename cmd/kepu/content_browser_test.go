//go:build browser

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

// glyphs is what the browser reports of the Mongolian block of an item page.
type glyphs struct {
	FontLoaded  bool    `json:"fontLoaded"`  // document.fonts.check for the text in Kepu's font
	Width       float64 `json:"width"`       // the heading text's bounding box
	Height      float64 `json:"height"`      //
	Missing     float64 `json:"missing"`     // the same heading's height in a font that does not exist
	WritingMode string  `json:"writingMode"` // computed writing-mode of the block
	ScrollWidth int     `json:"scrollWidth"` // the page's, on a 360 px screen
	InnerWidth  int     `json:"innerWidth"`
}

// On a 360 px phone, an item page with a Mongolian version draws its Mongolian heading in
// Kepu's own Noto Sans Mongolian (served from /static, not the system's fonts): the font has
// loaded and covers the text, the heading's length differs from the same text in a missing
// font (empty boxes or another fallback), and it runs top to bottom (taller than wide), while
// the page still fits the screen's width, as do the home, a topic and the console pages. A
// screenshot goes to KEPU_SCREENSHOTS or the test's temp dir.
func TestBrowserContentMongolian(t *testing.T) {
	d := dbtest.SQLite(t)
	ts := newTestSite(t, d)
	ctx := context.Background()
	store := &content.Store{DB: d, Regions: &region.Store{DB: d}}
	mn := "ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ ᠤ ᠮᠡᠳᠡᠯᠭᠡ"
	in := content.Input{RegionCode: "152502", Kind: "article", Topics: []string{"健康"},
		Zh: content.Version{Title: "草原防火知识", Summary: "春季草原防火要点。", Body: "<p>不要在草原上用火。</p>"},
		Mn: content.Version{Title: mn, Summary: mn, Body: "<p>" + mn + " " + mn + "</p>"}}
	scope := region.NewScope("152502")
	id, err := store.Create(ctx, scope, ts.ids["banner-152502"], in, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		who    string
		action string
	}{{"banner-152502", content.ActSubmit}, {"league-152500", content.ActPublish}} {
		if err := store.Act(ctx, scope, ts.ids[step.who], id, step.action, ""); err != nil {
			t.Fatal(err)
		}
	}
	bctx := browser(t)
	var g glyphs
	err = chromedp.Do(bctx, chromedp.EmulateViewport(360, 740), chromedp.Navigate(fmt.Sprintf("%s/content/%d", ts.srv.URL, id)),
		chromedp.WaitVisible(`.content-mn h2`))
	if err != nil {
		t.Fatal(err)
	}
	g, err = chromedp.Run(bctx, chromedp.Evaluate[glyphs](`(async () => {
		await document.fonts.ready;
		const h = document.querySelector('.content-mn h2');
		await document.fonts.load('16px "Noto Sans Mongolian"', h.textContent);
		const textBox = (el) => { const r = document.createRange(); r.selectNodeContents(el); return r.getBoundingClientRect(); };
		const box = textBox(h);
		const other = h.cloneNode(true);
		other.style.fontFamily = '"Kepu Missing Font"';
		h.parentNode.appendChild(other);
		const missing = textBox(other).height;
		other.remove();
		return {fontLoaded: document.fonts.check('16px "Noto Sans Mongolian"', h.textContent),
			width: box.width, height: box.height, missing: missing,
			writingMode: getComputedStyle(h.parentNode).writingMode,
			scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", g)
	if !g.FontLoaded {
		t.Error("Noto Sans Mongolian did not load for the Mongolian text")
	}
	if g.Height <= g.Width {
		t.Errorf("Mongolian heading is %.0f × %.0f px: not vertical", g.Width, g.Height)
	}
	if g.WritingMode != "vertical-lr" {
		t.Errorf("writing-mode %q", g.WritingMode)
	}
	if g.Missing == g.Height {
		t.Errorf("the heading measures %.1f px in Kepu's font and in a missing one: its glyphs are not Kepu's font's", g.Height)
	}
	if g.ScrollWidth > g.InnerWidth {
		t.Errorf("item page is %d px wide on a %d px screen", g.ScrollWidth, g.InnerWidth)
	}
	dir := os.Getenv("KEPU_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "content-mongolian.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	// The console pages fit too, after a staff sign-in.
	err = chromedp.Do(bctx, chromedp.Navigate(ts.srv.URL+"/login"),
		chromedp.SendKeys(`input[name="username"]`, "banner-152502"), chromedp.SendKeys(`input[name="password"]`, pw),
		chromedp.Submit(`form[action="/login"]`), chromedp.WaitVisible(`ul.roles`))
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	for _, p := range []string{"/content", "/content/topics/%E5%81%A5%E5%BA%B7", "/console/content", "/console/content/new",
		fmt.Sprintf("/console/content/%d", id), fmt.Sprintf("/console/content/%d/preview", id)} {
		if err := chromedp.Do(bctx, chromedp.Navigate(ts.srv.URL+p), chromedp.WaitReady("body")); err != nil {
			t.Fatal(err)
		}
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || n > 360 {
			t.Errorf("%s is %d px wide on a 360 px screen (%v)", p, n, err)
		}
	}
}
