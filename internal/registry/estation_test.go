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
