//go:build browser

package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db/dbtest"
)

// A phone at the door, in headless chromium at 360 px: a visitor signs up and gets the ticket
// page; staff sign in, lose the network, scan (type) two codes and add a walk-in — kept in
// the page's queue across a reload — and when the network returns the queue is uploaded and
// the live count shows all three.
func TestBrowserSignupAndOfflineCheckIn(t *testing.T) {
	ts := newTestSite(t, dbtest.SQLite(t))
	id := signupActivity(t, ts, 5)
	// The network: while offline is set, every connection is cut before an answer.
	var offline atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if offline.Load() {
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.(*net.TCPConn).SetLinger(0)
					c.Close()
					return
				}
			}
		}
		ts.site.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx := browser(t)
	fits := func(what string) {
		t.Helper()
		// KEPU_SCREENSHOTS=dir keeps a picture of each page checked, to look at.
		if dir := os.Getenv("KEPU_SCREENSHOTS"); dir != "" {
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(filepath.Join(dir, strings.ReplaceAll(what, " ", "-")+".png"), png, 0o644)
			}
		}
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || w > 360 {
			t.Errorf("%s is %d px wide on a 360 px screen (%v)", what, w, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}

	err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(fmt.Sprintf("%s/activities/%d/signup", srv.URL, id)),
		chromedp.SendKeys(`input[name="name"]`, "乌云"),
		chromedp.SendKeys(`input[name="phone"]`, "13900000001"),
		chromedp.Click(`form button[type="submit"]`),
		chromedp.WaitVisible(`svg.qr`))
	if err != nil {
		t.Fatalf("sign up: %v", err)
	}
	fits("the ticket page")
	code1 := text(`.ticket-code`)
	second, err := ts.site.Activity.SignUp(context.Background(), id, activity.SignupInput{Name: "巴特尔", Phone: "13900000002"})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := secretKey(context.Background(), ts.d, "ticket_key")
	code2 := activity.TicketPayload(key, second.SeriesID, second.ID)

	page := fmt.Sprintf("%s/console/activities/%d/checkin", srv.URL, id)
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.SendKeys(`input[name="username"]`, "banner-152502"),
		chromedp.SendKeys(`input[name="password"]`, pw),
		chromedp.Click(`form[action="/login"] button[type="submit"]`),
		chromedp.WaitVisible(`ul.roles`),
		chromedp.Navigate(page),
		chromedp.WaitVisible(`#code-form`))
	if err != nil {
		t.Fatalf("check-in page: %v", err)
	}
	fits("the check-in page")

	offline.Store(true)
	err = chromedp.Do(ctx,
		chromedp.SendKeys(`#code`, code1),
		chromedp.Click(`#code-form button[type="submit"]`),
		chromedp.SendKeys(`#code`, code2),
		chromedp.Click(`#code-form button[type="submit"]`),
		chromedp.SendKeys(`#walkin-form input[name="name"]`, "现场观众"),
		chromedp.Click(`#walkin-form button[type="submit"]`),
		chromedp.WaitVisible(`#unsynced`))
	if err != nil {
		t.Fatalf("scanning offline: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('unsynced-n').textContent === '3'`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("offline queue shows %q, want 3", text(`#unsynced-n`))
	}
	fits("the check-in page offline")
	if got := text(`#verified`); got != "0" {
		t.Errorf("verified %s while offline", got)
	}
	// Back online, and the page loaded anew (the queue is in localStorage, not in the page):
	// the queue is sent and the live count shows the three check-ins.
	offline.Store(false)
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(`#code-form`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('verified').textContent === '3' && document.getElementById('unsynced').hidden`,
		chromedp.WithPollingTimeout(20*time.Second), chromedp.WithPollingInterval(200*time.Millisecond))); err != nil {
		t.Fatalf("after the network returned: verified %s, unsynced %s", text(`#verified`), text(`#unsynced-n`))
	}
	fits("the check-in page synced")
	var verified int64
	ts.d.QueryRowContext(context.Background(), `SELECT verified_attendance FROM activities WHERE id = $1`, id).Scan(&verified)
	if verified != 3 {
		t.Errorf("verified_attendance %d, want 3", verified)
	}
}
