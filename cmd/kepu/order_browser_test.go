//go:build browser

package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
)

// The service-order pages fit a 360 px phone: the list, the form, and an order page with the
// dispatch form and a long history.
func TestBrowserOrderPages(t *testing.T) {
	ts := newTestSite(t, dbtest.SQLite(t))
	ctx := context.Background()
	// Before both orders' windows, so that they may be filed.
	ts.site.Activity.Now = func() time.Time { return time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC) }
	all := region.NewScope("150000")
	if _, err := ts.site.Registry.Create(ctx, &registry.VolunteerTeams, all, 0, registry.Values{"name": "希日塔拉街道科技志愿服务队（应急科普与健康卫生）", "region_code": "152502001"}); err != nil {
		t.Fatal(err)
	}
	p, err := ts.site.Accounts.Principal(ctx, ts.ids["banner-152502"])
	if err != nil {
		t.Fatal(err)
	}
	id, err := ts.site.Activity.SubmitOrder(ctx, p, p.ID, activity.OrderInput{RegionCode: "152502001001", RequesterKind: "community", RequesterName: "赛罕社区居委会",
		Topic: "冬季防火与燃气安全知识讲座及应急演练", Place: "赛罕社区活动室", WindowStart: time.Date(2026, 6, 10, 1, 0, 0, 0, time.UTC),
		WindowEnd: time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC), Audience: 80, Language: "both"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.site.Activity.ActOnOrder(ctx, ts.site.Registry, p, p.ID, id, activity.OrderStep{Action: activity.ActReview, Note: "已受理，请耐心等待派单结果"}); err != nil {
		t.Fatal(err)
	}
	// A second order, accepted by the team, shows the start form and a longer history.
	id2, err := ts.site.Activity.SubmitOrder(ctx, p, p.ID, activity.OrderInput{RegionCode: "152502001", RequesterKind: "school", RequesterName: "希日塔拉街道第二小学",
		Topic: "青少年科学实验秀", Place: "学校礼堂", WindowStart: time.Date(2026, 7, 1, 1, 0, 0, 0, time.UTC), WindowEnd: time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC),
		Audience: 600, Language: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	teams, err := ts.site.Registry.ServiceTeams(ctx, all, registry.TeamVolunteer, 10)
	if err != nil || len(teams) != 1 {
		t.Fatalf("teams: %v %v", teams, err)
	}
	// The region dispatches and the township's team (its operator) accepts, so that the banner,
	// which took neither step, is offered the start form (a dispatcher would not be).
	town, err := ts.site.Accounts.Principal(ctx, ts.ids["township-152502001"])
	if err != nil {
		t.Fatal(err)
	}
	admin, err := ts.site.Accounts.Principal(ctx, ts.ids["admin"])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		who *account.Principal
		st  activity.OrderStep
	}{{p, activity.OrderStep{Action: activity.ActReview}}, {admin, activity.OrderStep{Action: activity.ActDispatch, TeamKind: registry.TeamVolunteer, TeamID: teams[0].ID}},
		{town, activity.OrderStep{Action: activity.ActAccept, Note: "已联系学校确认场地、音响和投影设备，届时提前一小时到场布置"}}} {
		if err := ts.site.Activity.ActOnOrder(ctx, ts.site.Registry, s.who, s.who.ID, id2, s.st); err != nil {
			t.Fatal(err)
		}
	}
	bctx := browser(t)
	err = chromedp.Do(bctx,
		chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(ts.srv.URL+"/login"),
		chromedp.SendKeys(`input[name="username"]`, "banner-152502"),
		chromedp.SendKeys(`input[name="password"]`, pw),
		chromedp.Submit(`form[action="/login"]`),
		chromedp.WaitVisible(`ul.roles`))
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	for _, path := range []string{"/console/orders", "/console/orders/new", fmt.Sprintf("/console/orders/%d", id), fmt.Sprintf("/console/orders/%d", id2)} {
		if err := chromedp.Do(bctx, chromedp.Navigate(ts.srv.URL+path), chromedp.WaitReady("body")); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		scrollWidth, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('main form, main table').length`)); n == 0 {
			t.Errorf("%s shows no form or table", path)
		}
		if scrollWidth > 360 {
			t.Errorf("%s is %d px wide on a 360 px screen", path, scrollWidth)
		}
	}
}
