package registry_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/registry"
)

func principal(id int64, role account.Role, code string) *account.Principal {
	return &account.Principal{ID: id, Grants: []account.Grant{{Role: role, RegionCode: code}}}
}

func application(name string) registry.ApplicationInput {
	return registry.ApplicationInput{RegionCode: "152502001001", Name: name, SiteType: "community", ContactName: "乌云", ContactPhone: "13912345678",
		Requirements: map[string]string{"req_network": "光纤 100M", "req_staff": "社区专干 1 名", "req_venue": "活动室 60 平方米", "req_activities": "每月科普讲座", "req_terminal": "触摸屏一体机"}}
}

func TestEStationWorkflow(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		st.Now = func() time.Time { return time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC) }
		township := principal(0, account.TownshipOperator, "152502001")
		bannerAdmin := principal(0, account.BannerAdmin, "152502")
		otherBanner := principal(0, account.BannerAdmin, "152501")
		leagueAdmin := principal(0, account.LeagueAdmin, "152500")

		bad := application("")
		bad.Requirements["req_terminal"] = ""
		if _, err := st.Submit(ctx, township.Scope(), 0, bad); err == nil || !strings.Contains(err.Error(), "req_terminal") || !strings.Contains(err.Error(), "name") {
			t.Errorf("incomplete application: %v", err)
		}
		outside := application("外站")
		outside.RegionCode = "152501"
		if _, err := st.Submit(ctx, township.Scope(), 0, outside); err == nil {
			t.Error("application for a unit outside the scope")
		}
		id, err := st.Submit(ctx, township.Scope(), 0, application("赛罕社区科普e站"))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Review(ctx, township, 0, id, true, "2026-06-01", ""); !errors.Is(err, registry.ErrNotYours) {
			t.Errorf("township operator reviews: %v", err)
		}
		if err := st.Review(ctx, otherBanner, 0, id, true, "", ""); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("another banner reviews: %v", err)
		}
		if err := st.Publish(ctx, leagueAdmin, 0, id, true, "", "NMKX-E"); !errors.Is(err, registry.ErrWrongStep) {
			t.Errorf("publish before review: %v", err)
		}
		if err := st.Review(ctx, bannerAdmin, 0, id, false, "", " "); !errors.Is(err, registry.ErrNoReason) {
			t.Errorf("reject without reason: %v", err)
		}
		if err := st.Review(ctx, bannerAdmin, 0, id, true, "2026-05-28", "实地核查符合五有"); err != nil {
			t.Fatal(err)
		}
		if err := st.Publish(ctx, bannerAdmin, 0, id, true, "", "NMKX-E"); !errors.Is(err, registry.ErrNotYours) {
			t.Errorf("banner admin publishes: %v", err)
		}
		if err := st.Publish(ctx, leagueAdmin, 0, id, true, "复核通过", "NMKX-E"); err != nil {
			t.Fatal(err)
		}
		a, err := st.Application(ctx, township.Scope(), id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != registry.AppAccredited || a.PlaqueNo != "NMKX-E-2026-00001" || a.StationID == nil || len(a.Steps) != 3 ||
			a.Steps[1].InspectedOn != "2026-05-28" || a.Steps[2].Decision != "pass" {
			t.Errorf("accredited application: %+v", a)
		}
		station, err := st.Get(ctx, &registry.EStations, township.Scope(), *a.StationID)
		if err != nil || station.Values.Str("plaque_no") != "NMKX-E-2026-00001" || station.Values.Str("accredited_on") != "2026-06-01" {
			t.Errorf("registered station: %+v %v", station, err)
		}
		// A refusal, answered by a new application.
		id2, _ := st.Submit(ctx, township.Scope(), 0, application("希日塔拉学校科普e站"))
		st.Review(ctx, bannerAdmin, 0, id2, true, "2026-05-30", "")
		if err := st.Publish(ctx, leagueAdmin, 0, id2, false, "终端未到位", "NMKX-E"); err != nil {
			t.Fatal(err)
		}
		a2, _ := st.Application(ctx, township.Scope(), id2)
		if a2.Status != registry.AppRejected || a2.Reason != "终端未到位" {
			t.Errorf("rejected: %+v", a2)
		}
		again := application("希日塔拉学校科普e站")
		again.PreviousID = id
		if _, err := st.Submit(ctx, township.Scope(), 0, again); err == nil {
			t.Error("answered an accredited application")
		}
		again.PreviousID = id2
		id3, err := st.Submit(ctx, township.Scope(), 0, again)
		if err != nil {
			t.Fatal(err)
		}
		st.Review(ctx, bannerAdmin, 0, id3, true, "2026-06-01", "")
		if err := st.Publish(ctx, leagueAdmin, 0, id3, true, "", "NMKX-E"); err != nil {
			t.Fatal(err)
		}
		a3, _ := st.Application(ctx, township.Scope(), id3)
		if a3.PlaqueNo != "NMKX-E-2026-00002" || a3.PreviousID == nil || *a3.PreviousID != id2 {
			t.Errorf("second plaque: %+v", a3)
		}
		list, _ := st.Applications(ctx, bannerAdmin.Scope(), registry.AppRejected, 50)
		if len(list) != 1 || list[0].ID != id2 {
			t.Errorf("rejected list: %+v", list)
		}
		if list, _ := st.Applications(ctx, otherBanner.Scope(), "", 50); len(list) != 0 {
			t.Errorf("another banner sees %d applications", len(list))
		}
	})
}

// A station accredited in the first hours of a China day (still the day before in UTC) is
// accredited on that China day, with a plaque of that China year, and counts from it.
func TestEStationAccreditedOnChinaDay(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		st.Now = func() time.Time { return time.Date(2026, 12, 31, 18, 30, 0, 0, time.UTC) } // 2027-01-01 02:30 in China
		township := principal(0, account.TownshipOperator, "152502001")
		id, err := st.Submit(ctx, township.Scope(), 0, application("新年社区科普e站"))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Review(ctx, principal(0, account.BannerAdmin, "152502"), 0, id, true, "2026-12-30", ""); err != nil {
			t.Fatal(err)
		}
		if err := st.Publish(ctx, principal(0, account.LeagueAdmin, "152500"), 0, id, true, "", "NMKX-E"); err != nil {
			t.Fatal(err)
		}
		a, err := st.Application(ctx, township.Scope(), id)
		if err != nil || a.StationID == nil {
			t.Fatalf("application: %+v %v", a, err)
		}
		station, err := st.Get(ctx, &registry.EStations, township.Scope(), *a.StationID)
		if err != nil || station.Values.Str("accredited_on") != "2027-01-01" || station.Values.Str("plaque_no") != "NMKX-E-2027-00001" {
			t.Errorf("station accredited at 02:30 China time on 2027-01-01: %v %v %v", station.Values["accredited_on"], station.Values["plaque_no"], err)
		}
		for day, want := range map[string]int{"2026-12-31": 0, "2027-01-01": 1} {
			if n, err := st.Count(ctx, &registry.EStations, registry.Filter{Scope: everyone, Within: "152502", AsOf: day}); err != nil || n != want {
				t.Errorf("e-stations of 152502 as of %s: %d, %v; want %d", day, n, err, want)
			}
		}
	})
}

func TestEStationWorkflowGuards(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		accounts := &account.Store{DB: d, Regions: st.Regions}
		ids := map[string]int64{}
		for _, a := range []struct {
			name string
			role account.Role
			code string
		}{{"town", account.TownshipOperator, "152502001"}, {"league1", account.LeagueAdmin, "152500"}, {"league2", account.LeagueAdmin, "152500"}} {
			id, err := accounts.Create(ctx, account.NewAccount{Username: a.name, PasswordHash: "x", Grants: []account.Grant{{Role: a.role, RegionCode: a.code}}})
			if err != nil {
				t.Fatal(err)
			}
			ids[a.name] = id
		}
		township := principal(ids["town"], account.TownshipOperator, "152502001")
		leagueAdmin := principal(ids["league1"], account.LeagueAdmin, "152500")
		otherLeagueAdmin := principal(ids["league2"], account.LeagueAdmin, "152500")
		id, err := st.Submit(ctx, township.Scope(), township.ID, application("赛罕社区科普e站"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Submit(ctx, township.Scope(), township.ID, application("赛罕社区科普e站")); err == nil || !strings.Contains(err.Error(), "正在办理") {
			t.Errorf("second open application for one station: %v", err)
		}
		// A league admin may review when the banner has none, but not also publish.
		if err := st.Review(ctx, leagueAdmin, leagueAdmin.ID, id, true, "", ""); err != nil {
			t.Fatal(err)
		}
		if err := st.Publish(ctx, leagueAdmin, leagueAdmin.ID, id, true, "", "NMKX-E"); !errors.Is(err, registry.ErrSameAccount) {
			t.Errorf("reviewer publishes: %v", err)
		}
		if err := st.Publish(ctx, otherLeagueAdmin, otherLeagueAdmin.ID, id, false, strings.Repeat("长", 501), "NMKX-E"); !errors.Is(err, registry.ErrNoteTooLong) {
			t.Errorf("501-character reason: %v", err)
		}
		// A plaque typed in by hand does not make the sequence collide.
		if _, err := st.Create(ctx, &registry.EStations, leagueAdmin.Scope(), leagueAdmin.ID, registry.Values{"name": "旧站", "region_code": "152502001002", "site_type": "community",
			"plaque_no": "NMKX-E-" + time.Now().UTC().Format("2006") + "-00041", "accredited_on": "2020-01-01"}); err != nil {
			t.Fatal(err)
		}
		if err := st.Publish(ctx, otherLeagueAdmin, otherLeagueAdmin.ID, id, true, "", "NMKX-E"); err != nil {
			t.Fatal(err)
		}
		a, _ := st.Application(ctx, township.Scope(), id)
		if !strings.HasSuffix(a.PlaqueNo, "-00042") {
			t.Errorf("plaque after a hand-typed 00041: %s", a.PlaqueNo)
		}
		if _, err := st.Submit(ctx, township.Scope(), township.ID, application("赛罕社区科普e站")); err == nil || !strings.Contains(err.Error(), "同名") {
			t.Errorf("application for an existing station: %v", err)
		}
		// A refused application is answered once.
		id2, _ := st.Submit(ctx, township.Scope(), township.ID, application("二号站"))
		st.Review(ctx, leagueAdmin, leagueAdmin.ID, id2, false, "", "材料不全")
		again := application("二号站")
		again.PreviousID = id2
		if _, err := st.Submit(ctx, township.Scope(), township.ID, again); err != nil {
			t.Fatal(err)
		}
		again.Name = "二号站（再）"
		if _, err := st.Submit(ctx, township.Scope(), township.ID, again); err == nil || !strings.Contains(err.Error(), "已重新申请过") {
			t.Errorf("answered twice: %v", err)
		}
	})
}

// Plaque numbers repeated inside a file, or already used, are reported with their rows.
func TestImportUniqueFields(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := newStore(d)
		k := &registry.EStations
		if _, err := st.Create(ctx, k, everyone, 0, registry.Values{"name": "甲站", "region_code": "152502001001", "site_type": "village", "plaque_no": "P-1", "accredited_on": "2020-01-01"}); err != nil {
			t.Fatal(err)
		}
		file := "名称,所在区划代码,类型,牌匾编号,授牌日期\n" +
			"乙站,152502001002,社区,P-2,2021-01-01\n" +
			"丙站,152502001003,社区,P-2,2021-01-01\n" +
			"丁站,152502001004,社区,P-1,2021-01-01\n" +
			"戊站,152502001005,社区,,\n"
		res, err := st.Import(ctx, k, everyone, 0, strings.NewReader(file), "e.csv", 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range res.Errors {
			got = append(got, e.Error())
		}
		all := strings.Join(got, "\n")
		for _, want := range []string{"第 3 行，“牌匾编号”列：与第 2 行重复", "第 5 行，“牌匾编号”列：已授牌的e站须有牌匾编号"} {
			if !strings.Contains(all, want) {
				t.Errorf("missing %q in\n%s", want, all)
			}
		}
		file = "名称,所在区划代码,类型,牌匾编号,授牌日期\n丁站,152502001004,社区,P-1,2021-01-01\n"
		res, err = st.Import(ctx, k, everyone, 0, strings.NewReader(file), "e.csv", 0)
		if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "第 2 行，“牌匾编号”列：已有相同牌匾编号的记录") {
			t.Errorf("plaque used by a record outside the file: %v %v", res.Errors, err)
		}
		if p, _ := st.List(ctx, k, registry.Filter{Scope: everyone}); p.Total != 1 {
			t.Errorf("%d stations after rejected imports", p.Total)
		}
	})
}
