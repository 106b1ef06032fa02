package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
)

// publishLecture creates a lecture of banner 152502 starting at start (China time, 90 minutes)
// through the form, has a reviewer publish it, and returns its id.
func publishLecture(t *testing.T, editor, reviewer *client, title string, start time.Time) int64 {
	t.Helper()
	f := contentForm()
	f.Del("mn_title")
	f.Del("mn_body")
	f.Del("emergency")
	start = start.In(content.China)
	for k, v := range map[string]string{"kind": "lecture", "zh_title": title, "speaker": "王研究员", "starts_at": start.Format("2006-01-02T15:04"),
		"ends_at": start.Add(90 * time.Minute).Format("2006-01-02T15:04"), "stream_url": "https://live.example.org/1", "replay_url": "https://live.example.org/1/replay"} {
		f.Set(k, v)
	}
	id := createContent(t, editor, f)
	console := fmt.Sprintf("/console/content/%d", id)
	editor.post(console+"/submit", console, url.Values{})
	if status, body, _ := reviewer.post(console+"/publish", console, url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("publish %s: %d %.300s", title, status, body)
	}
	return id
}

// getFull fetches a path and returns the status, the content type and the body.
func getFull(t *testing.T, base, path string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b.String()
}

// The lecture schedule lists upcoming and recent public lectures, not old ones nor articles,
// and both it and each lecture give an iCalendar file; an item page carries share links.
func TestLectureScheduleAndCalendar(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		editor := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		reviewer := newClient(t, ts.srv.URL).loginAnd("league-152500")
		anon := newClient(t, ts.srv.URL)
		now := time.Now()
		soon := now.Add(10 * 24 * time.Hour).Truncate(time.Hour)
		upcoming := publishLecture(t, editor, reviewer, "即将开讲：草原防火, 人人有责", soon)
		recent := publishLecture(t, editor, reviewer, "近期讲座：沙尘暴", now.Add(-10*24*time.Hour))
		old := publishLecture(t, editor, reviewer, "很久以前的讲座", now.Add(-200*24*time.Hour))
		draft := createContent(t, editor, url.Values{"kind": {"lecture"}, "region_code": {"152502"}, "zh_title": {"草稿讲座"}, "speaker": {"李老师"},
			"starts_at": {soon.In(content.China).Format("2006-01-02T15:04")}, "ends_at": {soon.Add(time.Hour).In(content.China).Format("2006-01-02T15:04")}})

		status, page := anon.get("/content/lectures")
		if status != 200 {
			t.Fatalf("schedule: %d", status)
		}
		up, rec := strings.Index(page, "即将开讲：草原防火"), strings.Index(page, "近期讲座：沙尘暴")
		if up < 0 || rec < 0 || up > rec {
			t.Errorf("schedule lacks the upcoming (%d) or the recent (%d) lecture, or lists them out of order", up, rec)
		}
		for _, bad := range []string{"很久以前的讲座", "草稿讲座", "草原防火知识"} {
			if strings.Contains(page, bad) {
				t.Errorf("schedule lists %q", bad)
			}
		}
		for _, want := range []string{soon.In(content.China).Format("2006-01-02 15:04"), "王研究员", `href="https://live.example.org/1/replay"`,
			`href="/content/lectures.ics"`, fmt.Sprintf(`href="/content/lectures/%d.ics"`, upcoming)} {
			if !strings.Contains(page, want) {
				t.Errorf("schedule lacks %q", want)
			}
		}

		status, ctype, cal := getFull(t, ts.srv.URL, "/content/lectures.ics")
		if status != 200 || ctype != "text/calendar; charset=utf-8" {
			t.Fatalf("calendar: %d %q", status, ctype)
		}
		if strings.Count(cal, "\n") != strings.Count(cal, "\r\n") || strings.Count(cal, "BEGIN:VEVENT") != 2 {
			t.Errorf("calendar: bare LF or not 2 events:\n%s", cal)
		}
		for _, line := range strings.Split(cal, "\r\n") {
			if len(line) > 75 {
				t.Errorf("calendar line of %d octets: %q", len(line), line)
			}
		}
		unfolded := strings.ReplaceAll(cal, "\r\n ", "")
		host := strings.TrimPrefix(ts.srv.URL, "http://")
		for _, want := range []string{fmt.Sprintf("UID:content-%d@%s\r\n", upcoming, host), fmt.Sprintf("UID:content-%d@%s\r\n", recent, host),
			"DTSTART:" + soon.UTC().Format("20060102T150405Z") + "\r\n", "DTEND:" + soon.Add(90*time.Minute).UTC().Format("20060102T150405Z") + "\r\n",
			`SUMMARY:即将开讲：草原防火\, 人人有责` + "\r\n", `DESCRIPTION:主讲：王研究员\n`, fmt.Sprintf("URL:%s/content/%d\r\n", ts.srv.URL, upcoming)} {
			if !strings.Contains(unfolded, want) {
				t.Errorf("calendar lacks %q:\n%s", want, cal)
			}
		}
		if strings.Contains(unfolded, fmt.Sprintf("content-%d@", old)) {
			t.Errorf("calendar holds the old lecture")
		}

		status, ctype, one := getFull(t, ts.srv.URL, fmt.Sprintf("/content/lectures/%d.ics", upcoming))
		if status != 200 || ctype != "text/calendar; charset=utf-8" || strings.Count(one, "BEGIN:VEVENT") != 1 ||
			!strings.Contains(one, fmt.Sprintf("UID:content-%d@%s\r\n", upcoming, host)) {
			t.Errorf("one lecture's calendar: %d %q\n%s", status, ctype, one)
		}
		for _, path := range []string{fmt.Sprintf("/content/lectures/%d.ics", draft), fmt.Sprintf("/content/lectures/%d", upcoming), "/content/lectures/x.ics"} {
			if status, _ := anon.get(path); status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, status)
			}
		}

		status, item := anon.get(fmt.Sprintf("/content/%d", upcoming))
		if status != 200 {
			t.Fatalf("lecture page: %d", status)
		}
		share := fmt.Sprintf("%s/content/%d", ts.srv.URL, upcoming)
		for _, want := range []string{fmt.Sprintf(`href="/content/lectures/%d.ics"`, upcoming), `readonly value="` + share + `"`,
			`href="https://service.weibo.com/share/share.php?title=`, "url=" + url.QueryEscape(share), `<svg class="qr content-share-qr"`, "微信扫一扫"} {
			if !strings.Contains(item, want) {
				t.Errorf("lecture page lacks %q", want)
			}
		}
		if strings.Contains(item, "<script") {
			t.Errorf("the share block needs a script")
		}
		// A staff preview shares the public address, not its own.
		if status, prev := editor.get(fmt.Sprintf("/console/content/%d/preview", draft)); status != 200 || strings.Contains(prev, "content-share-qr") {
			t.Errorf("preview: %d, or a share block on it", status)
		}
	})
}
