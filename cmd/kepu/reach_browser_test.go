//go:build browser

package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

// kioskState is what the browser reports of a kiosk page.
type kioskState struct {
	Rotating    bool `json:"rotating"`    // the script took over the list
	Shown       int  `json:"shown"`       // list items displayed
	Items       int  `json:"items"`       // list items in the page
	Worker      bool `json:"worker"`      // a service worker controls or is registered for the page
	ScrollWidth int  `json:"scrollWidth"` // the page's, on a 360 px screen
}

// On a 360 px screen the kiosk page shows one featured item at a time (the script rotates
// the list), registers its service worker, and fits the screen's width; so do the reach
// console pages after a staff sign-in.
func TestBrowserKioskAndReach(t *testing.T) {
	d := dbtest.SQLite(t)
	ts := newTestSite(t, d)
	ctx := context.Background()
	store := &content.Store{DB: d, Regions: &region.Store{DB: d}}
	scope := region.NewScope("152502")
	for _, title := range []string{"草原防火知识", "冬季取暖安全", "科学种草"} {
		id, err := store.Create(ctx, scope, ts.ids["banner-152502"], content.Input{RegionCode: "152502", Kind: "article",
			Zh: content.Version{Title: title, Summary: "要点。", Body: "<p>正文。</p>"}}, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		store.Act(ctx, scope, ts.ids["banner-152502"], id, content.ActSubmit, "")
		if err := store.Act(ctx, scope, ts.ids["league-152500"], id, content.ActPublish, ""); err != nil {
			t.Fatal(err)
		}
	}
	station := addStation(t, d, "赛罕嘎查科普e站")
	bctx := browser(t)
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(360, 740), chromedp.Navigate(fmt.Sprintf("%s/kiosk/%d", ts.srv.URL, station)),
		chromedp.WaitVisible(`ol.kiosk-rotating`)); err != nil {
		t.Fatal(err)
	}
	s, err := chromedp.Run(bctx, chromedp.Evaluate[kioskState](`(async () => {
		const l = document.querySelector('ol.kiosk-items');
		const shown = [...l.children].filter(li => getComputedStyle(li).display !== 'none').length;
		// Wait for the worker to become active, giving up after 10 s.
		const ready = navigator.serviceWorker ? await Promise.race([navigator.serviceWorker.ready.then(() => true),
			new Promise(r => setTimeout(() => r(false), 10000))]) : false;
		return {rotating: l.classList.contains('kiosk-rotating'), shown: shown, items: l.children.length,
			worker: ready, scrollWidth: document.documentElement.scrollWidth};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", s)
	if !s.Rotating || s.Shown != 1 || s.Items != 3 {
		t.Errorf("kiosk shows %d of %d items (rotating %v), want one at a time", s.Shown, s.Items, s.Rotating)
	}
	if !s.Worker {
		t.Error("the kiosk's service worker is not registered")
	}
	if s.ScrollWidth > 360 {
		t.Errorf("kiosk is %d px wide on a 360 px screen", s.ScrollWidth)
	}
	err = chromedp.Do(bctx, chromedp.Navigate(ts.srv.URL+"/login"),
		chromedp.SendKeys(`input[name="username"]`, "banner-152502"), chromedp.SendKeys(`input[name="password"]`, pw),
		chromedp.Submit(`form[action="/login"]`), chromedp.WaitVisible(`ul.roles`))
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	for _, p := range []string{"/console/reach", "/console/reach/pushes", "/console/reach/records"} {
		if err := chromedp.Do(bctx, chromedp.Navigate(ts.srv.URL+p), chromedp.WaitReady("body")); err != nil {
			t.Fatal(err)
		}
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || n > 360 {
			t.Errorf("%s is %d px wide on a 360 px screen (%v)", p, n, err)
		}
	}
}
