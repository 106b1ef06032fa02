package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/web"
)

// api sends a JSON request with the CSRF header taken from a console page.
func (c *client) api(method, path, body string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.token("/console/orders/new"))
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var (
	orderLocation     = regexp.MustCompile(`^/console/orders/(\d+)$`)
	orderActivityLink = regexp.MustCompile(`href="/console/activities/\d+`)
)

// TestServiceOrderPages walks an order from the requester's form through review, dispatch,
// acceptance, service, the closing report and the rating, as the three sides, and checks
// what each page offers and refuses (the sides, and who took which step: the township
// operator that served its own township's order may not rate it, a second operator does);
// then the same through the JSON API, where one banner account may not dispatch an order
// and accept it as the team.
func TestServiceOrderPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		ctx := context.Background()
		// The clock stands inside the first order's window (2026-06-10 09:00–17:00 in China):
		// the order is filed before the window ends and finished after it starts.
		ts.site.Activity.Now = func() time.Time { return time.Date(2026, 6, 10, 2, 0, 0, 0, time.UTC) }
		if _, err := ts.site.Accounts.Create(ctx, account.NewAccount{Username: "township2-152502001", DisplayName: "第二操作员", Phone: "13912345679", Password: pw,
			Grants: []account.Grant{{Role: account.TownshipOperator, RegionCode: "152502001"}}}); err != nil {
			t.Fatal(err)
		}
		all := region.NewScope("150000")
		vteam, err := ts.site.Registry.Create(ctx, &registry.VolunteerTeams, all, 0, registry.Values{"name": "希日塔拉街道科技志愿服务队", "region_code": "152502001"})
		if err != nil {
			t.Fatal(err)
		}
		eteam, err := ts.site.Registry.Create(ctx, &registry.ExpertTeams, all, 0, registry.Values{"name": "锡林浩特市科普专家团", "region_code": "152502", "tier": "banner"})
		if err != nil {
			t.Fatal(err)
		}
		town := newClient(t, ts.srv.URL)
		town.login("township-152502001", pw)
		town2 := newClient(t, ts.srv.URL)
		town2.login("township2-152502001", pw)
		banner := newClient(t, ts.srv.URL)
		banner.login("banner-152502", pw)
		other := newClient(t, ts.srv.URL)
		other.login("banner-152501", pw)

		// The requester's form: defaults to the operator's township; bad input is 422 with the
		// values kept and the problem beside its field.
		status, body := town.get("/console/orders/new")
		if status != 200 || !strings.Contains(body, `name="csrf"`) || !strings.Contains(body, `value="152502001"`) || !strings.Contains(body, "汉语和蒙古语") {
			t.Fatalf("new order form: %d", status)
		}
		form := url.Values{"requester_kind": {"community"}, "requester_name": {"赛罕社区居委会"}, "region_code": {"152502001001"}, "topic": {"冬季燃气安全"},
			"place": {"赛罕社区活动室"}, "window_start": {"2026-06-10T09:00"}, "window_end": {"2026-06-10T08:00"}, "audience": {"0"}, "language": {"both"}}
		status, body, _ = town.post("/console/orders", "/console/orders/new", form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "服务时间段的结束时间早于开始时间") || !strings.Contains(body, "受众人数应为 1–100000 的整数") ||
			!strings.Contains(body, `value="冬季燃气安全"`) {
			t.Errorf("bad order: %d %s", status, body)
		}
		form.Del("csrf") // post put the page's token in
		if status, _, _ = town.post("/console/orders", "", form); status != http.StatusForbidden {
			t.Errorf("order form without the CSRF token: %d", status)
		}
		form.Set("window_end", "2026-06-10T17:00")
		form.Set("audience", "120")
		status, _, hdr := town.post("/console/orders", "/console/orders/new", form)
		m := orderLocation.FindStringSubmatch(hdr.Get("Location"))
		if status != http.StatusSeeOther || m == nil {
			t.Fatalf("create order: %d %s", status, hdr.Get("Location"))
		}
		page := m[0]
		status, body = town.get(page)
		if status != 200 || !strings.Contains(body, "已提交") || !strings.Contains(body, "2026-06-10 09:00 – 2026-06-10 17:00") || !strings.Contains(body, page+"/cancel") ||
			strings.Contains(body, page+"/review") || !strings.Contains(body, "点单") {
			t.Errorf("order page for the requester: %d %s", status, body)
		}
		// The township may not take it up: 403 with the rule named.
		status, body, _ = town.post(page+"/review", page, url.Values{})
		if status != http.StatusForbidden || !strings.Contains(body, "“受理审核”应由旗县级以上科协办理") {
			t.Errorf("township takes up: %d", status)
		}
		// Another banner does not see it.
		if status, _ := other.get(page); status != 404 {
			t.Errorf("other banner reads the order: %d", status)
		}
		if _, body := other.get("/console/orders"); strings.Contains(body, "冬季燃气安全") {
			t.Error("other banner lists the order")
		}

		// The banner association takes it up and dispatches it to the township's volunteer team.
		status, body = banner.get(page)
		if status != 200 || !strings.Contains(body, page+"/review") {
			t.Errorf("banner order page lacks the review form: %d", status)
		}
		if status, _, _ = banner.post(page+"/review", page, url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("review: %d", status)
		}
		status, body = banner.get(page)
		if !strings.Contains(body, fmt.Sprintf(`value="volunteer:%d"`, vteam)) || !strings.Contains(body, fmt.Sprintf(`value="expert:%d"`, eteam)) || !strings.Contains(body, page+"/reject") {
			t.Errorf("dispatch form lacks the teams: %s", body)
		}
		status, body, _ = banner.post(page+"/reject", page, url.Values{"note": {" "}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "驳回时请填写理由") {
			t.Errorf("reject without a reason: %d", status)
		}
		if status, _, _ = banner.post(page+"/dispatch", page, url.Values{"team": {fmt.Sprintf("volunteer:%d", vteam)}, "note": {"请按时到场"}}); status != http.StatusSeeOther {
			t.Fatalf("dispatch: %d", status)
		}
		// A step not allowed from the state: 409 naming the state and the action.
		status, body, _ = banner.post(page+"/review", page, url.Values{})
		if status != http.StatusConflict || !strings.Contains(body, "订单当前状态为“已派单”，不能办理“受理审核”") {
			t.Errorf("review a dispatched order: %d", status)
		}

		// The team side (the township operator over its team) accepts, starts, reports.
		for _, step := range []struct {
			action string
			form   url.Values
		}{{"accept", url.Values{}}, {"start", url.Values{}}} {
			if status, body, _ := town.post(page+"/"+step.action, page, step.form); status != http.StatusSeeOther {
				t.Fatalf("%s: %d %s", step.action, status, body)
			}
		}
		status, body = town.get(page)
		if !strings.Contains(body, "服务中") || !orderActivityLink.MatchString(body) || !strings.Contains(body, "希日塔拉街道科技志愿服务队") {
			t.Errorf("in-service page lacks the activity link or the team: %s", body)
		}
		activityPath := strings.TrimPrefix(orderActivityLink.FindString(body), `href="`)
		status, body, _ = town.post(page+"/finish", page, url.Values{"report": {""}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写服务总结") {
			t.Errorf("finish without a report: %d", status)
		}
		if status, _, _ = town.post(page+"/finish", page, url.Values{"report": {"讲座一场，120 人参加。"}}); status != http.StatusSeeOther {
			t.Fatalf("finish: %d", status)
		}
		// The operator served the order for its team, so it may not rate it: no rating form, the
		// rule named on the page, and a posted rating is refused.
		if _, body = town.get(page); strings.Contains(body, page+"/rate") || !strings.Contains(body, "评单须由需求方中未参与派单和服务的人员办理") {
			t.Errorf("the serving operator is offered the rating: %s", body)
		}
		status, body, _ = town.post(page+"/rate", page, url.Values{"rating": {"5"}})
		if status != http.StatusForbidden || !strings.Contains(body, "您已办理过本订单的“接单”，不能再评单") {
			t.Errorf("rating by the serving operator: %d", status)
		}
		// The requester reads the activity record the service created, filed at its unit.
		if status, body = town2.get(activityPath); status != 200 || !strings.Contains(body, "冬季燃气安全") {
			t.Errorf("the requester opens the order's activity: %d", status)
		}
		if _, body = town2.get(page); !strings.Contains(body, page+"/rate") {
			t.Error("a second operator of the requester is not offered the rating")
		}
		if status, _, _ = town2.post(page+"/rate", page, url.Values{"rating": {"5"}, "comment": {"讲得透彻"}}); status != http.StatusSeeOther {
			t.Fatalf("rate: %d", status)
		}
		status, body = town.get(page)
		if !strings.Contains(body, "已完成") || !strings.Contains(body, "5/5") || strings.Contains(body, page+"/rate") || !strings.Contains(body, "评分 5；讲得透彻") ||
			!strings.Contains(body, "派往：希日塔拉街道科技志愿服务队；请按时到场") {
			t.Errorf("done page: %s", body)
		}
		status, body, _ = town2.post(page+"/rate", page, url.Values{"rating": {"3"}})
		if status != http.StatusConflict || !strings.Contains(body, "只能评价一次") {
			t.Errorf("second rating: %d", status)
		}
		if status, body = town.get("/console/orders?status=done"); status != 200 || !strings.Contains(body, "冬季燃气安全") || !strings.Contains(body, "5/5") {
			t.Errorf("list of done orders: %d", status)
		}
		if _, body = town.get("/console/orders?status=submitted"); strings.Contains(body, "冬季燃气安全") || !strings.Contains(body, "没有符合条件的订单") {
			t.Error("the submitted filter lists a done order")
		}

		// The API: list, create, act; refusals carry the Chinese message.
		status, body = town.get("/api/v1/orders")
		var list struct {
			Items []struct {
				ID      int64    `json:"id"`
				Status  string   `json:"status"`
				Rating  int      `json:"rating"`
				Actions []string `json:"actions"`
				Team    struct{ Name string }
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &list); err != nil || status != 200 || len(list.Items) != 1 || list.Items[0].Status != "done" || list.Items[0].Rating != 5 ||
			len(list.Items[0].Actions) != 0 || list.Items[0].Team.Name != "希日塔拉街道科技志愿服务队" {
			t.Errorf("API list: %d %v %s", status, err, body)
		}
		if status, _ := newClient(t, ts.srv.URL).get("/api/v1/orders"); status != 401 {
			t.Errorf("anonymous API: %d", status)
		}
		status, body = town.api("POST", "/api/v1/orders", `{"requester_kind":"school","requester_name":"希日塔拉小学","region_code":"152502001","topic":"天文观测",
			"place":"操场","window_start":"2026-07-01T12:00:00Z","window_end":"2026-07-01T14:00:00Z","audience":300,"language":"mn"}`)
		var created struct {
			ID          int64    `json:"id"`
			Status      string   `json:"status"`
			WindowStart string   `json:"window_start"`
			Actions     []string `json:"actions"`
		}
		if err := json.Unmarshal([]byte(body), &created); err != nil || status != http.StatusCreated || created.Status != "submitted" ||
			created.WindowStart != "2026-07-01T12:00:00Z" || strings.Join(created.Actions, ",") != "cancel" {
			t.Fatalf("API create: %d %s", status, body)
		}
		if status, body = town.api("POST", "/api/v1/orders", `{"topic":"x","audience":"many"}`); status != http.StatusBadRequest {
			t.Errorf("API create with a string audience: %d %s", status, body)
		}
		if status, body = town.api("POST", "/api/v1/orders", `{"topic":"x","audience":5}`); status != http.StatusUnprocessableEntity || !strings.Contains(body, `"region_code"`) {
			t.Errorf("API create without fields: %d %s", status, body)
		}
		path := fmt.Sprintf("/api/v1/orders/%d/", created.ID)
		if status, body = town.api("POST", path+"review", `{}`); status != http.StatusForbidden || !strings.Contains(body, "应由旗县级以上科协办理") {
			t.Errorf("API review by the township: %d %s", status, body)
		}
		if status, body = banner.api("POST", path+"review", `{}`); status != 200 || !strings.Contains(body, `"status":"in_review"`) {
			t.Errorf("API review: %d %s", status, body)
		}
		if status, body = banner.api("POST", path+"dispatch", fmt.Sprintf(`{"team_kind":"expert","team_id":%d}`, eteam+100)); status != http.StatusUnprocessableEntity || !strings.Contains(body, "不存在或不在您的管辖范围内") {
			t.Errorf("API dispatch to a missing team: %d %s", status, body)
		}
		if status, body = banner.api("POST", path+"accept", `{}`); status != http.StatusConflict || !strings.Contains(body, "订单当前状态为“审核中”，不能办理“接单”") {
			t.Errorf("API accept an order in review: %d %s", status, body)
		}
		// One banner account files, takes up and dispatches to its own banner's expert team; it
		// may not then accept for the team, and is not offered to.
		status, body = banner.api("POST", "/api/v1/orders", `{"requester_kind":"township","requester_name":"希日塔拉街道","region_code":"152502001","topic":"防灾减灾",
			"place":"街道会议室","window_start":"2026-07-02 09:00","window_end":"2026-07-02 11:00","audience":50,"language":"zh"}`)
		if err := json.Unmarshal([]byte(body), &created); err != nil || status != http.StatusCreated {
			t.Fatalf("API create by the banner: %d %s", status, body)
		}
		solo := fmt.Sprintf("/api/v1/orders/%d/", created.ID)
		banner.api("POST", solo+"review", `{}`)
		if status, body = banner.api("POST", solo+"dispatch", fmt.Sprintf(`{"team_kind":"expert","team_id":%d}`, eteam)); status != 200 || strings.Contains(body, `"accept"`) {
			t.Errorf("API dispatch to the banner's expert team: %d %s", status, body)
		}
		if status, body = banner.api("POST", solo+"accept", `{}`); status != http.StatusForbidden || !strings.Contains(body, "派单与承接服务须由不同人员办理") {
			t.Errorf("API accept by the dispatcher: %d %s", status, body)
		}
		if status, body = banner.api("POST", path+"fly", `{}`); status != 404 {
			t.Errorf("API unknown action: %d", status)
		}
		if status, _ = other.api("POST", path+"cancel", `{"note":"x"}`); status != 404 {
			t.Errorf("API cancel by another banner: %d", status)
		}

		for _, p := range []string{"activity/orders", "activity/order_form", "activity/order"} {
			if _, ok := web.Rendered.Load(p); !ok {
				t.Errorf("template %s never rendered", p)
			}
		}
	})
}
