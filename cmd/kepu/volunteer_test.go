package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// TestVolunteerPages walks the volunteer workflow through the real site: a banner admin makes
// a shift, signs members up, records hours; a league admin approves; the volunteer's page, the
// award report and its export show the figures; other units see nothing.
func TestVolunteerPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		ctx := context.Background()
		reg := ts.site.Registry
		all := region.NewScope("150000")
		team, err := reg.Create(ctx, &registry.VolunteerTeams, all, 0, registry.Values{"name": "锡林浩特市科技志愿服务队", "region_code": "152502"})
		if err != nil {
			t.Fatal(err)
		}
		var vols []int64
		for i, name := range []string{"萨仁", "宝音", "其其格"} {
			id, err := reg.Create(ctx, &registry.Volunteers, all, 0, registry.Values{"name": name, "phone": fmt.Sprintf("1370000000%d", i+1), "region_code": "152502001"})
			if err != nil {
				t.Fatal(err)
			}
			vols = append(vols, id)
			if i == 2 {
				break // 其其格 is not a member
			}
			mid, err := reg.Join(ctx, all, 0, id, team)
			if err != nil {
				t.Fatal(err)
			}
			if err := reg.Decide(ctx, all, 0, mid, true, ""); err != nil {
				t.Fatal(err)
			}
		}

		c := newClient(t, ts.srv.URL)
		c.login("banner-152502", pw)
		status, body := c.get("/console/volunteer")
		if status != 200 || !strings.Contains(body, "志愿服务岗位") || !strings.Contains(body, "锡林浩特市科技志愿服务队") {
			t.Fatalf("shift list: %d", status)
		}
		// New shift: a bad one comes back with the message beside the field and the values kept.
		status, body, _ = c.post("/console/volunteer/shifts", "/console/volunteer/shifts/new", url.Values{"team_id": {fmt.Sprint(team)}, "title": {"科普日展台讲解"},
			"starts_at": {"2026-06-01T12:00"}, "ends_at": {"2026-06-01T09:00"}, "headcount": {"2"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "结束时间早于开始时间") || !strings.Contains(body, "科普日展台讲解") {
			t.Errorf("shift ending before it starts: %d", status)
		}
		status, _, hdr := c.post("/console/volunteer/shifts", "/console/volunteer/shifts/new", url.Values{"team_id": {fmt.Sprint(team)}, "title": {"科普日展台讲解"},
			"starts_at": {"2026-06-01T09:00"}, "ends_at": {"2026-06-01T12:00"}, "headcount": {"1"}})
		if status != http.StatusSeeOther {
			t.Fatalf("create shift: %d", status)
		}
		shift := hdr.Get("Location")
		if !strings.HasPrefix(shift, "/console/volunteer/shifts/") {
			t.Fatalf("redirect to %q", shift)
		}

		// Sign-up: a non-member is refused with a reason; a member is listed with the phone masked.
		status, body, _ = c.post(shift+"/signups", shift, url.Values{"phone": {"13700000003"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "已获批加入本服务队") {
			t.Errorf("non-member sign-up: %d", status)
		}
		// Staff see phones masked, so they pick members from the team's list.
		_, body = c.get(shift)
		opt := regexp.MustCompile(`<option value="(\d+)">[^<]*137\*\*\*\*0001</option>`).FindStringSubmatch(body)
		if opt == nil || strings.Contains(body, "13700000001") {
			t.Fatal("the shift page does not offer the team's members by name and masked phone")
		}
		if status, _, _ = c.post(shift+"/signups", shift, url.Values{"member": {opt[1]}}); status != http.StatusSeeOther {
			t.Fatalf("sign-up of a chosen member: %d", status)
		}
		status, body, _ = c.post(shift+"/signups", shift, url.Values{"phone": {"13700000002"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "报名人数已满") {
			t.Errorf("beyond the headcount: %d", status)
		}
		_, body = c.get(shift)
		if !strings.Contains(body, "137****0001") || strings.Contains(body, "13700000001") || !strings.Contains(body, "已满") {
			t.Errorf("shift page: phone not masked or not full")
		}
		m := regexp.MustCompile(`/console/volunteer/hours/(\d+)/record`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no record form")
		}
		hours := "/console/volunteer/hours/" + m[1]

		// Record: end before start is refused naming the field; then a good record.
		status, body, _ = c.post(hours+"/record", shift, url.Values{"starts_at": {"2026-06-01T11:00"}, "ends_at": {"2026-06-01T10:00"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "实际结束时间：结束时间早于开始时间") || !strings.Contains(body, `value="2026-06-01T11:00"`) {
			t.Errorf("end before start: %d", status)
		}
		if status, _, _ = c.post(hours+"/record", shift, url.Values{"starts_at": {"2026-06-01T09:05"}, "ends_at": {"2026-06-01T11:55"}}); status != http.StatusSeeOther {
			t.Fatalf("record: %d", status)
		}
		// The recorder cannot approve; another account (the league admin) can.
		status, body, _ = c.post(hours+"/approve", shift, url.Values{})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "记录时长以外的人员") {
			t.Errorf("approval by the recorder: %d", status)
		}
		league := newClient(t, ts.srv.URL)
		league.login("league-152500", pw)
		status, body, _ = league.post(hours+"/decline", shift, url.Values{"reason": {""}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写理由") {
			t.Errorf("decline without a reason: %d", status)
		}
		if status, _, _ = league.post(hours+"/approve", shift, url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("approve: %d", status)
		}
		// Walk-in hours: a name only.
		if status, _, _ = c.post(shift+"/walkins", shift, url.Values{"name": {"路过的牧民"}, "starts_at": {"2026-06-01T10:00"}, "ends_at": {"2026-06-01T11:00"}}); status != http.StatusSeeOther {
			t.Errorf("walk-in: %d", status)
		}
		status, body, _ = c.post(shift+"/walkins", shift, url.Values{"name": {"路过的牧民"}, "starts_at": {"2026-06-01T10:00"}, "ends_at": {"2026-06-01T20:00"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "比岗位结束时间晚 3 小时以上") || !strings.Contains(body, `value="2026-06-01T20:00"`) {
			t.Errorf("walk-in far outside the shift: %d", status)
		}
		_, body = c.get(shift)
		if !strings.Contains(body, "已通过") || !strings.Contains(body, "2 小时 50 分") || !strings.Contains(body, "路过的牧民") {
			t.Errorf("shift page after approval lacks the approved hours or the walk-in")
		}
		// A pending walk-in can be declined with a reason; the reason is shown.
		w := regexp.MustCompile(`/console/volunteer/hours/(\d+)/decline`).FindStringSubmatch(body)
		if w == nil {
			t.Fatal("no decline form for the pending walk-in")
		}
		if status, _, _ = league.post("/console/volunteer/hours/"+w[1]+"/decline", shift, url.Values{"reason": {"签到表上无此人"}}); status != http.StatusSeeOther {
			t.Errorf("decline: %d", status)
		}
		if _, body = c.get(shift); !strings.Contains(body, "签到表上无此人") {
			t.Error("decline reason not shown")
		}

		// The volunteer's page.
		status, body = c.get(fmt.Sprintf("/console/volunteer/volunteers/%d?from=2026-01-01&to=2026-12-31", vols[0]))
		if status != 200 || !strings.Contains(body, "萨仁") || !strings.Contains(body, "未评星") || !strings.Contains(body, "97 小时 10 分") {
			t.Errorf("volunteer page: %d", status)
		}
		if status, _ = c.get(fmt.Sprintf("/console/volunteer/volunteers/%d?from=2026-13-01", vols[0])); status != http.StatusBadRequest {
			t.Errorf("bad date: %d", status)
		}

		// Nine more served shifts for 萨仁 (2 h each, approved): 10 activities and 20 h 50 min.
		v := &activity.Volunteering{Activities: ts.site.Activity, Registry: reg}
		for day := 2; day <= 10; day++ {
			start := time.Date(2026, 6, day, 9, 0, 0, 0, activity.China)
			sid, err := v.CreateShift(ctx, all, 0, activity.ShiftInput{TeamID: team, Title: fmt.Sprintf("科普大篷车第 %d 站", day), StartsAt: start, EndsAt: start.Add(2 * time.Hour), Headcount: 3})
			if err != nil {
				t.Fatal(err)
			}
			hid, err := v.SignUp(ctx, all, 0, sid, "13700000001")
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Record(ctx, all, ts.ids["banner-152502"], hid, start, start.Add(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := v.Decide(ctx, all, ts.ids["league-152500"], hid, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		status, body = c.get("/console/volunteer/awards?from=2026-01-01&to=2026-12-31")
		if status != 200 || !strings.Contains(body, "符合条件的志愿者（1）") || !strings.Contains(body, "20 小时 50 分") || !strings.Contains(body, "137****0001") ||
			!strings.Contains(body, fmt.Sprintf(`href="/console/volunteer/volunteers/%d?from=2026-01-01&amp;to=2026-12-31#hours">10</a>`, vols[0])) {
			t.Errorf("award report: %d", status)
		}
		if status, _ = c.get("/console/volunteer/awards?from=2026-12-31&to=2026-01-01"); status != http.StatusBadRequest {
			t.Errorf("reversed period: %d", status)
		}
		resp, err := c.http.Get(ts.srv.URL + "/console/volunteer/awards/export?kind=volunteers&from=2026-01-01&to=2026-12-31")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows(x.GetSheetName(0))
		if err != nil || len(rows) != 2 || rows[1][0] != "萨仁" || rows[1][1] != "137****0001" || rows[1][3] != "10" || rows[1][5] != "1250" {
			t.Errorf("exported rows: %v %v", rows, err)
		}
		if status, _ = c.get("/console/volunteer/awards/export?kind=teams&from=2026-01-01&to=2026-12-31&format=csv"); status != 200 {
			t.Errorf("team export: %d", status)
		}
		// The team's shift list filtered as the report links it.
		status, body = c.get(fmt.Sprintf("/console/volunteer?team=%d&approved=1&from=2026-01-01&to=2026-12-31", team))
		if status != 200 || !strings.Contains(body, "共 10 个岗位") {
			t.Errorf("filtered shift list: %d", status)
		}

		// Another banner and a township below sees none of it.
		other := newClient(t, ts.srv.URL)
		other.login("banner-152501", pw)
		if status, _ = other.get(shift); status != http.StatusNotFound {
			t.Errorf("another banner reads the shift: %d", status)
		}
		if status, _, _ = other.post(hours+"/cancel", "/console/volunteer", url.Values{}); status != http.StatusNotFound {
			t.Errorf("another banner cancels: %d", status)
		}
		if _, body = other.get("/console/volunteer/awards?from=2026-01-01&to=2026-12-31"); strings.Contains(body, "萨仁") {
			t.Error("another banner's award report lists 萨仁")
		}
		if status, _ = other.get(fmt.Sprintf("/console/volunteer/volunteers/%d", vols[0])); status != http.StatusNotFound {
			t.Errorf("another banner reads the volunteer: %d", status)
		}
		// Without the CSRF token nothing is written.
		if status, _, _ = c.post(shift+"/signups", "", url.Values{"phone": {"13700000002"}}); status != http.StatusForbidden {
			t.Errorf("post without CSRF: %d", status)
		}
	})
}
