//go:build browser

package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kepu/kepu/internal/db/dbtest"
)

// browser starts headless Debian chromium, or skips (fails when KEPU_REQUIRE_BROWSER is set,
// as in CI) when it is not installed.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("KEPU_REQUIRE_BROWSER") != "" {
			t.Fatal("chromium not installed (apt-get install chromium) but KEPU_REQUIRE_BROWSER is set")
		}
		t.Skip("browser test skipped: chromium not installed (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(360, 740))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// On a 360 px phone every page fits the screen width, and a staff member signs in and reaches
// the console with no JavaScript of Kepu's own (a plain form post with its CSRF token).
func TestBrowserPhoneLayoutAndLogin(t *testing.T) {
	ts := newTestSite(t, dbtest.SQLite(t))
	ctx := browser(t)
	fits := func(path string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740), chromedp.Navigate(ts.srv.URL+path), chromedp.WaitReady("body")); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		title, _ := chromedp.Run(ctx, chromedp.Title())
		scrollWidth, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		innerWidth, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`window.innerWidth`))
		if innerWidth != 360 || scrollWidth > innerWidth {
			t.Errorf("%s (%q) is %d px wide on a %d px screen", path, title, scrollWidth, innerWidth)
		}
	}
	for _, p := range []string{"/", "/regions", "/regions/152500", "/regions/152502001", "/regions/152502001001", "/regions/150000?q=%E9%94%A1%E6%9E%97", "/login", "/activities"} {
		fits(p)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(ts.srv.URL+"/login"),
		chromedp.SendKeys(`input[name="username"]`, "banner-152502"),
		chromedp.SendKeys(`input[name="password"]`, pw),
		chromedp.Submit(`form[action="/login"]`),
		chromedp.WaitVisible(`ul.roles`))
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(`main`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(heading, "锡林浩特市 · 旗县级管理员") {
		t.Errorf("console after sign-in shows %q", heading)
	}
	for _, p := range []string{"/console", "/console/users", "/console/users/new", "/console/regions/152502/edit",
		"/console/activities", "/console/activities/new", "/console/activities/import", "/console/activities/rollup?by=type"} {
		fits(p)
	}
}
