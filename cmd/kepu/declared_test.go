package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
)

// indicatorOf reads one indicator of a unit for 2026 from /api/v1/indicators.
func indicatorOf(t *testing.T, c *client, region, code string) (int, map[string]any) {
	t.Helper()
	status, body := c.get("/api/v1/indicators?region=" + region + "&year=2026&codes=" + code)
	if status != http.StatusOK {
		return status, nil
	}
	var out struct {
		Indicators []map[string]any `json:"indicators"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Indicators) != 1 {
		t.Fatalf("%s: %v %.300s", code, err, body)
	}
	return status, out.Indicators[0]
}

// A declared figure on the site: a banner enters experts sent (X07) and live streams (X08) on
// its form; the figure is unknown until the league accepts the form, then shows at once (the
// site keeps figures as snapshots; accepting forgets them); its records link opens the forms
// list with exactly that form and its value; a banner admin cannot read its league.
func TestDeclaredFigureFromForms(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		banner := newClient(t, ts.srv.URL)
		banner.login("banner-152502", pw)
		league := newClient(t, ts.srv.URL)
		league.login("league-152500", pw)

		path := openForm(t, banner, "152502", 2026)
		// X08 (live streams) is part of the programme's sessions (KH23).
		bad := map[string]string{"X07": "12", "X08": "5", "KH23": "3"}
		if status, body, _ := banner.post(path, path, formValues("submit", bad, nil)); status != http.StatusUnprocessableEntity || !strings.Contains(body, "不能大于") {
			t.Fatalf("live streams above the sessions: %d", status)
		}
		good := map[string]string{"X07": "12", "X08": "5", "KH23": "40"}
		if status, body, _ := banner.post(path, path, formValues("submit", good, nil)); status != http.StatusSeeOther {
			t.Fatalf("submit: %d %.300s", status, body)
		}
		if _, v := indicatorOf(t, banner, "152502", "X07"); v["known"] != false {
			t.Errorf("a submitted form counts: %v", v)
		}
		if status, _, _ := league.post(path+"/review", path, url.Values{"decision": {"accept"}}); status != http.StatusSeeOther {
			t.Fatalf("accept: %d", status)
		}
		_, v := indicatorOf(t, banner, "152502", "X07")
		if v["exact"] != 12.0 || v["basis"] != "declared" {
			t.Fatalf("X07 after accepting: %v", v)
		}
		if _, v := indicatorOf(t, league, "152500", "X08"); v["exact"] != 5.0 {
			t.Errorf("league X08: %v", v)
		}
		if status, _ := indicatorOf(t, banner, "152500", "X07"); status != http.StatusNotFound {
			t.Errorf("a banner admin reads its league: %d", status)
		}
		status, body := banner.get(v["records"].(string))
		if status != http.StatusOK || !strings.Contains(body, "锡林浩特市科协") || !strings.Contains(body, "<td>12</td>") || !strings.Contains(body, "<th>12</th>") || strings.Contains(body, "开始填报") {
			t.Errorf("records of X07 (%s): %d %.2000s", v["records"], status, body)
		}
		// X10's kind of link: the reach records narrowed to emergency videos' counted views,
		// with the whole selection's sums above the (bounded) list.
		status, body = banner.get("/console/reach/records?from=2026-01-01&to=2026-12-31&region=152502&source=view&emergency=1&kind=video")
		if status != http.StatusOK || !strings.Contains(body, "所选范围合计：推送 0 条次，本站计数阅读量 0") || !strings.Contains(body, "本站计数") || !strings.Contains(body, "视频") {
			t.Errorf("reach records: %d %.3000s", status, body)
		}
		// Another banner's, or the region's, figures are refused, not shown as zeros.
		for _, u := range []string{"/console/reach/records?from=2026-01-01&to=2026-12-31&region=152523&channel=web", "/console/reach?region=150000", "/console/reach/records?region=150000"} {
			if status, body := banner.get(u); status != http.StatusNotFound {
				t.Errorf("banner admin, %s: %d %.300s", u, status, body)
			}
		}
	})
}
