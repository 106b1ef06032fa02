package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
)

func assessForm(name, level, root string) url.Values {
	return url.Values{"name": {name}, "year": {"2026"}, "level": {level}, "root": {root}, "award": {""},
		"code_0": {"KH02"}, "weight_0": {"60"}, "norm_0": {"minmax"}, "min_0": {""},
		"code_1": {"KR11"}, "weight_1": {"40"}, "norm_1": {"per10k"}, "min_1": {""}}
}

func TestAssessPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		league := newClient(t, ts.srv.URL)
		league.login("league-152500", pw)

		status, body := league.get("/console/stats/assess")
		if status != 200 || !strings.Contains(body, "新建指标体系") {
			t.Fatalf("index: %d", status)
		}
		status, body = league.get("/console/stats/assess/new")
		if status != 200 || !strings.Contains(body, "KH02") || !strings.Contains(body, "同级极差标准化") {
			t.Fatalf("form: %d", status)
		}
		// Every problem at once, values kept.
		bad := assessForm("旗县考核", "banner", "152500")
		bad.Set("weight_0", "abc")
		bad.Set("code_1", "museum.sessions")
		bad.Set("year", "20x6")
		status, body, _ = league.post("/console/stats/assess", "/console/stats/assess/new", bad)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "第 1 行：权重应为数字") || !strings.Contains(body, "不适用于旗县") ||
			!strings.Contains(body, "年份应为四位数字") || !strings.Contains(body, `value="旗县考核"`) {
			t.Fatalf("bad form: %d", status)
		}
		// A league admin may not define a region-wide system.
		status, body, _ = league.post("/console/stats/assess", "/console/stats/assess/new", assessForm("盟市考核", "league", "150000"))
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "不在您的管理范围内") {
			t.Fatalf("out of scope root: %d", status)
		}
		status, _, hdr := league.post("/console/stats/assess", "/console/stats/assess/new", assessForm("旗县考核", "banner", "152500"))
		if status != http.StatusSeeOther {
			t.Fatalf("create: %d", status)
		}
		page := hdr.Get("Location")
		status, body = league.get(page)
		if status != 200 || !strings.Contains(body, "旗县考核") || !strings.Contains(body, "锡林浩特市") || !strings.Contains(body, "原值 → 标准化值 → 得分") {
			t.Fatalf("ranking: %d", status)
		}
		// Every banner of the league is ranked; each figure links to its records.
		if !strings.Contains(body, "/console/activities?") || !strings.Contains(body, "/console/registry/officers") {
			t.Error("ranking figures do not link to their records")
		}
		// A banner admin sees the system, ranked inside its own banner only.
		banner := newClient(t, ts.srv.URL)
		banner.login("banner-152502", pw)
		status, body = banner.get(page)
		if status != 200 || !strings.Contains(body, "锡林浩特市") || strings.Contains(body, "二连浩特市") {
			t.Fatalf("banner admin ranking: %d", status)
		}
		// …and may not delete it.
		id := regexp.MustCompile(`\d+$`).FindString(page)
		if status, _, _ := banner.post("/console/stats/assess/"+id+"/delete", page, url.Values{}); status != http.StatusForbidden {
			t.Fatalf("banner admin deletes: %d", status)
		}
		// The export is a real .xlsx.
		resp, err := league.http.Get(ts.srv.URL + page + "/export")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "PK") || !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("export: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		// Another league's admin does not see it.
		other := newClient(t, ts.srv.URL)
		other.login("banner-152501", pw)
		if status, _ := other.get("/console/stats/assess/999"); status != http.StatusNotFound {
			t.Fatalf("missing system: %d", status)
		}
		// An award selection shows its shortlist and evidence.
		award := url.Values{"name": {"二十佳科技馆"}, "year": {"2026"}, "level": {"museum"}, "root": {"152500"}, "award": {"museums20"},
			"code_0": {"museum.sessions"}, "weight_0": {"1"}, "norm_0": {"minmax"}}
		status, _, hdr = league.post("/console/stats/assess", "/console/stats/assess/new", award)
		if status != http.StatusSeeOther {
			t.Fatalf("award: %d", status)
		}
		status, body = league.get(hdr.Get("Location"))
		if status != 200 || !strings.Contains(body, "入围名单") || !strings.Contains(body, "前 20 名") {
			t.Fatalf("award page: %d", status)
		}
		// Editing: the form comes back filled; a banner admin may not edit.
		status, body = league.get(page + "/edit")
		if status != 200 || !strings.Contains(body, `value="旗县考核"`) || !strings.Contains(body, `value="60"`) {
			t.Fatalf("edit form: %d", status)
		}
		if status, _ := banner.get(page + "/edit"); status != http.StatusForbidden {
			t.Fatalf("banner admin edit form: %d", status)
		}
		changed := assessForm("旗县考核（修订）", "banner", "152500")
		changed.Set("min_0", "5")
		status, _, hdr = league.post(page, page+"/edit", changed)
		if status != http.StatusSeeOther || hdr.Get("Location") != page {
			t.Fatalf("update: %d %s", status, hdr.Get("Location"))
		}
		// No banner has 5 sessions in the test network: all are listed below the threshold.
		status, body = league.get(page)
		if status != 200 || !strings.Contains(body, "旗县考核（修订）") || !strings.Contains(body, "未达到门槛") {
			t.Fatalf("after update: %d", status)
		}
		status, _, hdr = league.post(page+"/delete", page, url.Values{})
		if status != http.StatusSeeOther {
			t.Fatalf("delete: %d", status)
		}
	})
}
