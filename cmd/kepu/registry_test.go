package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/xuri/excelize/v2"
)

// upload posts a file to an import form, with the CSRF token in the action URL as the page has it.
func (c *client) upload(path, from, name string, data []byte) (int, string) {
	c.t.Helper()
	_, page := c.get(from)
	m := regexp.MustCompile(`action="([^"]+)" enctype="multipart/form-data"`).FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("no upload form on %s", from)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	action := strings.ReplaceAll(m[1], "&amp;", "&")
	resp, err := c.http.Post(c.base+action, mw.FormDataContentType(), &body)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	_ = path
	return resp.StatusCode, string(b)
}

func TestRegistryPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ts := newTestSite(t, d)
		c := newClient(t, ts.srv.URL)
		c.login("banner-152502", pw)

		if status, body := c.get("/console/registry"); status != 200 || !strings.Contains(body, "科普信息员") {
			t.Fatalf("registry index: %d", status)
		}
		// Create with field errors kept beside the fields, then for real.
		status, body, _ := c.post("/console/registry/museums", "/console/registry/museums/new", url.Values{"name": {"锡林浩特市科技馆"}, "region_code": {"152502"}, "tier": {"旗县级"}, "floor_area": {"3000多"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "是约数") || !strings.Contains(body, `value="锡林浩特市科技馆"`) {
			t.Errorf("bad museum: %d", status)
		}
		status, _, hdr := c.post("/console/registry/museums", "/console/registry/museums/new", url.Values{"name": {"锡林浩特市科技馆"}, "region_code": {"152502"}, "tier": {"旗县级"}, "floor_area": {"3000"}, "opening_status": {"开放"}})
		if status != http.StatusSeeOther {
			t.Fatalf("create museum: %d", status)
		}
		museum := hdr.Get("Location")
		status, _, _ = c.post(museum, museum+"/edit", url.Values{"name": {"锡林浩特市科技馆"}, "region_code": {"152502"}, "tier": {"旗县级"}, "floor_area": {"3500"}, "opening_status": {"开放"}, "established_on": {"2020-03-01"}})
		if status != http.StatusSeeOther {
			t.Errorf("update museum: %d", status)
		}
		if status, body := c.get(museum); status != 200 || !strings.Contains(body, "建筑面积（平方米）：3000 → 3500") || !strings.Contains(body, "锡林浩特市（152502）") {
			t.Errorf("museum page lacks the audit trail: %d", status)
		}
		// Outside the scope: refused.
		status, _, _ = c.post("/console/registry/museums", "/console/registry/museums/new", url.Values{"name": {"二连浩特科技馆"}, "region_code": {"152501"}, "tier": {"旗县级"}})
		if status != http.StatusUnprocessableEntity {
			t.Errorf("museum in another banner: %d", status)
		}
		other, err := ts.site.Registry.Create(ctx, &registry.Museums, region.NewScope("150000"), 0,
			registry.Values{"name": "二连浩特科技馆", "region_code": "152501", "tier": "banner"})
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{fmt.Sprintf("/console/registry/museums/%d", other), fmt.Sprintf("/console/registry/museums/%d/edit", other), fmt.Sprintf("/api/v1/registry/museums/%d", other)} {
			if status, _ := c.get(path); status != 404 {
				t.Errorf("GET %s: %d, want 404", path, status)
			}
		}
		if status, _, _ := c.post(fmt.Sprintf("/console/registry/museums/%d/delete", other), "/console/registry", url.Values{}); status != 404 {
			t.Errorf("delete another banner's museum: %d", status)
		}
		if status, _ := c.get("/console/registry/museums?within=152501"); status != 403 {
			t.Errorf("list within another banner: %d", status)
		}
		_, body = c.get("/console/registry/museums")
		if strings.Contains(body, "二连浩特科技馆") || !strings.Contains(body, "锡林浩特市科技馆") {
			t.Error("museum list crosses the scope")
		}

		// Import officers from an .xlsx with a title row; then export masks the phones.
		f := excelize.NewFile()
		f.SetCellStr("Sheet1", "A1", "锡林浩特市科普信息员名册")
		f.SetSheetRow("Sheet1", "A2", &[]any{"姓名", "手机号", "所属区划代码", "注册日期"})
		for i := range 40 {
			row := []any{fmt.Sprintf("信息员%02d", i), fmt.Sprintf("1390000%04d", i), "152502001001", 44700 + i}
			cell, _ := excelize.CoordinatesToCellName(1, i+3)
			f.SetSheetRow("Sheet1", cell, &row)
		}
		var xlsx bytes.Buffer
		f.Write(&xlsx)
		status, body = c.upload("", "/console/registry/officers/import", "officers.xlsx", xlsx.Bytes())
		if status != 200 || !strings.Contains(body, "新增 40 条") {
			t.Fatalf("import: %d %s", status, body)
		}
		status, body = c.upload("", "/console/registry/officers/import", "officers.xlsx", xlsx.Bytes())
		if status != 200 || !strings.Contains(body, "新增 0 条，更新 0 条，未变 40 条") {
			t.Errorf("second import: %d", status)
		}
		if _, body := c.get("/console/registry"); !strings.Contains(body, "科普信息员<br><strong>40</strong>") {
			t.Error("registry index does not count the imported officers")
		}
		status, body = c.upload("", "/console/registry/officers/import", "bad.csv", []byte("姓名,手机号,所属区划代码\n甲,13800000000,152501\n乙,约500,152502\n"))
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "第 2 行，“所属区划代码”列：区划 152501 不在您的管理范围内") || !strings.Contains(body, "第 3 行，“手机号”列") {
			t.Errorf("bad import: %d", status)
		}
		status, body = c.upload("", "/console/registry/officers/import", "x.png", []byte("\x89PNG\r\n\x1a\n\x00\x00"))
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "这不是表格文件") {
			t.Errorf("not a spreadsheet: %d", status)
		}
		// Over the body limit: refused at once from the declared length.
		req, _ := http.NewRequest("POST", ts.srv.URL+"/console/registry/officers/import", strings.NewReader("x"))
		req.ContentLength = 200 << 20
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		if resp, err := c.http.Do(req); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "MB 的上限") {
				t.Errorf("oversized upload: %d", resp.StatusCode)
			}
		}
		// The next-page link works as a browser follows it, filters kept.
		_, body = c.get("/console/registry/officers?within=152502001&limit=15")
		next := regexp.MustCompile(`href="(\?[^"]+)" rel="next"`).FindStringSubmatch(body)
		if next == nil {
			t.Fatal("no next-page link")
		}
		_, page2 := c.get("/console/registry/officers" + strings.ReplaceAll(next[1], "&amp;", "&"))
		if !strings.Contains(page2, "信息员15") || strings.Contains(page2, "信息员14<") {
			t.Errorf("next page is not page 2 (link %s)", next[1])
		}
		export := regexp.MustCompile(`href="(/console/registry/officers/export\?[^"]+format=csv)"`).FindStringSubmatch(body)
		if export == nil || !strings.Contains(export[1], "within=152502001") {
			t.Errorf("export link lacks the filters: %v", export)
		}
		status, body = c.get("/console/registry/officers?q=%E4%BF%A1%E6%81%AF%E5%91%9803") // 信息员03
		if status != 200 || !strings.Contains(body, "139****0003") || strings.Contains(body, "13900000003") {
			t.Errorf("officer list does not mask phones: %d", status)
		}
		id := regexp.MustCompile(`/console/registry/officers/(\d+)"`).FindStringSubmatch(body)
		if id == nil {
			t.Fatal("no officer link")
		}
		path := "/console/registry/officers/" + id[1]
		if _, body := c.get(path); !strings.Contains(body, "由导入创建") {
			t.Error("an imported officer's history does not start with its import")
		}
		town := newClient(t, ts.srv.URL)
		town.login("township-152502001", pw)
		if _, body := town.get(path); strings.Contains(body, "查看完整号码") {
			t.Error("a township operator is offered the full phone number")
		}
		tok := town.token(path)
		if status, _, _ := town.post(path+"/reveal", "", url.Values{"csrf": {tok}, "field": {"phone"}}); status != http.StatusForbidden {
			t.Errorf("township operator reveals: %d, want 403", status)
		}
		status, body, _ = c.post(path+"/reveal", path, url.Values{"field": {"phone"}})
		if status != 200 || !strings.Contains(body, "13900000003") || !strings.Contains(body, "查看完整个人信息") {
			t.Errorf("reveal: %d", status)
		}
		for _, format := range []string{"csv", "xlsx"} {
			resp, err := c.http.Get(ts.srv.URL + "/console/registry/officers/export?format=" + format + "&within=152502001")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || bytes.Contains(b, []byte("13900000003")) {
				t.Errorf("export %s: %d, unmasked phone present: %v", format, resp.StatusCode, bytes.Contains(b, []byte("13900000003")))
			}
			if format == "csv" && (!bytes.Contains(b, []byte("139****0003")) || bytes.Count(b, []byte("\n")) != 41) {
				t.Errorf("csv export: %d lines", bytes.Count(b, []byte("\n")))
			}
		}
		if status, body := c.get("/console/registry/bases/template?format=csv"); status != 200 || !strings.Contains(body, "名称*,所在区划代码*,类别*,命名日期*,地址") {
			t.Errorf("bases template: %d %q", status, body)
		}
		// API: list, one record, create with the CSRF header.
		status, body = c.get("/api/v1/registry/officers?within=152502001&limit=5")
		var list struct {
			Total int              `json:"total"`
			Items []map[string]any `json:"items"`
			Next  string           `json:"next"`
		}
		if err := json.Unmarshal([]byte(body), &list); err != nil || status != 200 || list.Total != 40 || len(list.Items) != 5 || list.Next == "" || strings.Contains(body, "13900000000") {
			t.Errorf("API list: %d %v %s", status, err, body)
		}
		tok = c.token("/console/registry/museums/new")
		req, _ = http.NewRequest("POST", ts.srv.URL+"/api/v1/registry/bases", strings.NewReader(`{"name":"锡林郭勒草原科普基地","region_code":"152502","category":"自然公园类","accredited_on":"2021-12-01"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", tok)
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated || !strings.Contains(string(b), `"category":"nature"`) {
			t.Errorf("API create: %d %s", resp.StatusCode, b)
		}
		for _, bad := range []string{`{"name":["a","b"],"region_code":"152502","category":"其他","accredited_on":"2021-12-01"}`,
			`{"name":"x","region_code":"152502","category":"其他","accredited_on":"2021-12-01","founded":"2020-01-01"}`,
			`{"name":true,"region_code":"152502","category":"其他","accredited_on":"2021-12-01"}`} {
			req, _ := http.NewRequest("POST", ts.srv.URL+"/api/v1/registry/bases", strings.NewReader(bad))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", tok)
			resp, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("API create %s: %d, want 422", bad, resp.StatusCode)
			}
		}
		req, _ = http.NewRequest("POST", ts.srv.URL+"/api/v1/registry/officers", strings.NewReader(`{"name":"数字号码","phone":13811112222,"region_code":152502001001}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", tok)
		if resp, err := c.http.Do(req); err != nil || resp.StatusCode != http.StatusCreated {
			t.Errorf("API create with numbers for codes: %v %v", resp.StatusCode, err)
		}
		if status, body := c.get("/console/registry/bases"); status != 200 || !strings.Contains(body, "待复审") {
			t.Errorf("bases list lacks the accreditation status: %d", status)
		}
		if status, _ := newClient(t, ts.srv.URL).get("/api/v1/registry/officers"); status != 401 {
			t.Errorf("anonymous API: %d", status)
		}
		// The region browser counts what is registered below each unit.
		_, body = c.get("/regions/152500")
		if !regexp.MustCompile(`<dt>科普信息员</dt><dd>41</dd>`).MatchString(body) {
			t.Error("region browser lacks the officer count")
		}
		// Deleting closes the record on a day (not in the future); it stays in the lists as of
		// the days it was open, marked closed, and in none after.
		status, body, _ = c.post(museum+"/delete", museum, url.Values{"closed_on": {"2999-01-01"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "关闭日期不能晚于今天") {
			t.Errorf("delete closing in the future: %d", status)
		}
		status, _, _ = c.post(museum+"/delete", museum, url.Values{"closed_on": {"2024-12-31"}})
		if status != http.StatusSeeOther {
			t.Errorf("delete: %d", status)
		}
		if status, _ := c.get(museum); status != 404 {
			t.Errorf("deleted museum: %d", status)
		}
		for _, c2 := range []struct {
			asOf string
			want bool
		}{{"2020-02-29", false}, {"2020-03-01", true}, {"2024-12-30", true}, {"2024-12-31", false}} {
			status, body := c.get("/console/registry/museums?within=152502&asof=" + c2.asOf)
			if status != 200 || strings.Contains(body, "锡林浩特市科技馆") != c2.want || c2.want && !strings.Contains(body, "2024-12-31 关闭") {
				t.Errorf("museums as of %s: %d, listed %v", c2.asOf, status, !c2.want)
			}
		}
		if status, body := c.get("/console/registry/museums"); status != 200 || strings.Contains(body, "锡林浩特市科技馆") {
			t.Errorf("the live list shows a deleted museum: %d", status)
		}
		if status, _ := c.get("/console/registry/museums?asof=2024-02-30"); status != http.StatusBadRequest {
			t.Errorf("a list as of a bad date: %d", status)
		}
	})
}

func TestVolunteerTeamPages(t *testing.T) {
	ctx := context.Background()
	ts := newTestSite(t, dbtest.SQLite(t))
	st := ts.site.Registry
	all := region.NewScope("150000")
	var teams []int64
	for i := range 6 {
		id, err := st.Create(ctx, &registry.VolunteerTeams, all, 0, registry.Values{"name": fmt.Sprintf("锡林浩特队%d", i+1), "region_code": "152502"})
		if err != nil {
			t.Fatal(err)
		}
		teams = append(teams, id)
	}
	if _, err := st.Create(ctx, &registry.Volunteers, all, 0, registry.Values{"name": "萨仁", "phone": "13700000001", "region_code": "152502001"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Create(ctx, &registry.Volunteers, all, 0, registry.Values{"name": "宝音", "phone": "13700000002", "region_code": "152502001"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Create(ctx, &registry.Volunteers, all, 0, registry.Values{"name": "外旗志愿者", "phone": "13700000009", "region_code": "152501"}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, ts.srv.URL)
	c.login("banner-152502", pw)
	team := fmt.Sprintf("/console/registry/volunteer-teams/%d", teams[0])
	status, body, _ := c.post(team+"/members", team, url.Values{"phone": {"13700000009"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "您的管理范围内没有以此手机号登记的科技志愿者") || strings.Contains(body, "外旗志愿者") {
		t.Errorf("adding another banner's volunteer: %d", status)
	}
	status, _, _ = c.post(team+"/members", team, url.Values{"phone": {"１３７０００００００１"}})
	if status != http.StatusSeeOther {
		t.Fatalf("join: %d", status)
	}
	_, body = c.get(team)
	m := regexp.MustCompile(`/console/memberships/(\d+)/approve`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "待审批") {
		t.Fatalf("pending request not shown")
	}
	if status, _, _ := c.post("/console/memberships/"+m[1]+"/approve", team, url.Values{}); status != http.StatusSeeOther {
		t.Errorf("approve: %d", status)
	}
	c.post(team+"/members", team, url.Values{"phone": {"13700000002"}})
	_, body = c.get(team)
	m2 := regexp.MustCompile(`/console/memberships/(\d+)/approve`).FindStringSubmatch(body)
	if m2 == nil {
		t.Fatal("second request not shown")
	}
	c.post("/console/memberships/"+m2[1]+"/approve", team, url.Values{})
	if status, _, _ := c.post("/console/memberships/"+m[1]+"/admin", team, url.Values{"admin": {"1"}}); status != http.StatusSeeOther {
		t.Errorf("first admin: %d", status)
	}
	status, body, _ = c.post("/console/memberships/"+m2[1]+"/admin", team, url.Values{"admin": {"1"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "管理员已达上限") {
		t.Errorf("second admin of a 2-member team: %d", status)
	}
	for _, id := range teams[1:5] {
		path := fmt.Sprintf("/console/registry/volunteer-teams/%d", id)
		c.post(path+"/members", path, url.Values{"phone": {"13700000001"}})
	}
	sixth := fmt.Sprintf("/console/registry/volunteer-teams/%d", teams[5])
	status, body, _ = c.post(sixth+"/members", sixth, url.Values{"phone": {"13700000001"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "最多加入 5 支服务队") {
		t.Errorf("6th team: %d", status)
	}
	// Another banner's admin cannot act on these memberships.
	other := newClient(t, ts.srv.URL)
	other.login("banner-152501", pw)
	if status, _, _ := other.post("/console/memberships/"+m2[1]+"/approve", "/console", url.Values{}); status != 404 {
		t.Errorf("approve from another banner: %d", status)
	}
	if status, body := c.get("/console/memberships/import"); status != 200 || !strings.Contains(body, "最多加入 5 支") {
		t.Errorf("membership import page: %d", status)
	}
	status, body = c.upload("", "/console/memberships/import", "m.csv", []byte("志愿者手机号,志愿服务队\n13700000002,锡林浩特队6\n13700000002,不存在的队\n"))
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "没有名为“不存在的队”的科技志愿服务队") {
		t.Errorf("membership import: %d", status)
	}
	_, body = c.get(team)
	if !strings.Contains(body, "同意加入") || !strings.Contains(body, "名152502（banner-152502）") || !strings.Contains(body, "设为管理员</li>") && !strings.Contains(body, "设为管理员") {
		t.Error("team history lacks the membership events or the account's name")
	}
	_, body = c.get(fmt.Sprintf("/console/registry/volunteers/%d", 1))
	if !strings.Contains(body, "锡林浩特队1") || !strings.Contains(body, "管理员") {
		t.Error("volunteer page lacks the teams")
	}
}

func TestEStationPages(t *testing.T) {
	ts := newTestSite(t, dbtest.SQLite(t))
	town := newClient(t, ts.srv.URL)
	town.login("township-152502001", pw)
	form := url.Values{"name": {"赛罕社区科普e站"}, "region_code": {"152502001001"}, "site_type": {"community"}, "contact_name": {"乌云"}, "contact_phone": {"13912345678"},
		"req_network": {"光纤"}, "req_staff": {"专干 1 名"}, "req_venue": {"活动室"}, "req_activities": {"每月讲座"}, "req_terminal": {""}}
	status, body, _ := town.post("/console/estations", "/console/estations/new", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "有终端：请写明依据") || !strings.Contains(body, `value="赛罕社区科普e站"`) {
		t.Fatalf("incomplete application: %d", status)
	}
	form.Set("req_terminal", "一体机")
	status, _, hdr := town.post("/console/estations", "/console/estations/new", form)
	if status != http.StatusSeeOther {
		t.Fatalf("submit: %d", status)
	}
	app := hdr.Get("Location")
	// E-stations come from the workflow: a township operator cannot register one directly.
	if status, _ := town.get("/console/registry/e-stations/new"); status != http.StatusForbidden {
		t.Errorf("township operator opens the direct e-station form: %d", status)
	}
	if _, body := town.get("/console/registry/e-stations"); strings.Contains(body, "/console/registry/e-stations/import") || !strings.Contains(body, "/console/estations/new") {
		t.Error("e-station list offers direct entry instead of the application")
	}
	if status, body := town.get(app); status != 200 || strings.Contains(body, "旗县科协审核和实地核查</h2>") || !strings.Contains(body, "139****5678") {
		t.Errorf("application page for the applicant: %d", status)
	}
	banner := newClient(t, ts.srv.URL)
	banner.login("banner-152502", pw)
	if status, _, _ := banner.post(app+"/publish", app, url.Values{"decision": {"pass"}}); status != http.StatusUnprocessableEntity {
		t.Errorf("publish before review: %d", status)
	}
	status, body, _ = banner.post(app+"/review", app, url.Values{"decision": {"reject"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "不通过时请填写理由") {
		t.Errorf("reject without reason: %d", status)
	}
	if status, _, _ := banner.post(app+"/review", app, url.Values{"decision": {"pass"}, "inspected_on": {"2026-05-28"}}); status != http.StatusSeeOther {
		t.Fatalf("review: %d", status)
	}
	if status, _, _ := banner.post(app+"/publish", app, url.Values{"decision": {"pass"}}); status != http.StatusForbidden {
		t.Errorf("banner admin publishes: %d", status)
	}
	other := newClient(t, ts.srv.URL)
	other.login("banner-152501", pw)
	if status, _ := other.get(app); status != 404 {
		t.Errorf("another banner reads the application: %d", status)
	}
	league := newClient(t, ts.srv.URL)
	league.login("league-152500", pw)
	if status, _, _ := league.post(app+"/publish", app, url.Values{"decision": {"pass"}}); status != http.StatusSeeOther {
		t.Fatalf("publish: %d", status)
	}
	status, body = league.get(app)
	if status != 200 || !regexp.MustCompile(`NMKX-E-\d{4}-00001`).MatchString(body) || !strings.Contains(body, "盟市复核 · 通过") || !strings.Contains(body, "实地核查日期 2026-05-28") {
		t.Errorf("published application: %d", status)
	}
	if _, body := league.get("/console/estations?status=accredited"); !strings.Contains(body, "赛罕社区科普e站") {
		t.Error("accredited list lacks the station")
	}
	// A refusal and the new application that answers it.
	form.Set("name", "希日塔拉学校科普e站")
	_, _, hdr = town.post("/console/estations", "/console/estations/new", form)
	app2 := hdr.Get("Location")
	banner.post(app2+"/review", app2, url.Values{"decision": {"reject"}, "note": {"终端未到位"}})
	status, body = town.get("/console/estations/new?previous=" + strings.TrimPrefix(app2, "/console/estations/"))
	if status != 200 || !strings.Contains(body, "重新申请") || !strings.Contains(body, `value="希日塔拉学校科普e站"`) {
		t.Errorf("re-apply form: %d", status)
	}
}
