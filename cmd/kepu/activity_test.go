package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
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
)

var activityLink = regexp.MustCompile(`/console/activities/(\d+)`)

// uploadField posts a file under a given field name to the multipart form whose action starts
// with prefix on the page at from (the CSRF token rides in the action URL).
func (c *client) uploadField(from, prefix, field, name string, data []byte) (int, string) {
	c.t.Helper()
	_, page := c.get(from)
	m := regexp.MustCompile(`action="(` + regexp.QuoteMeta(prefix) + `[^"]*)" enctype="multipart/form-data"`).FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("no upload form %s on %s", prefix, from)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(data)
	mw.Close()
	resp, err := c.http.Post(c.base+strings.ReplaceAll(m[1], "&amp;", "&"), mw.FormDataContentType(), &body)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func activityForm(title string) url.Values {
	return url.Values{"title": {title}, "type": {"expert_training"}, "region_code": {"152502001"}, "organizer": {"锡林浩特市科协"},
		"starts_at": {"2026-05-20T09:00"}, "ends_at": {"2026-05-20T11:30"}, "mode": {"offline"}, "programmes": {"百名专家走进盟市旗县"},
		"target_groups": {"farmers"}, "sessions": {"1"}, "declared_attendance": {"120"}, "capacity": {"100"}, "walkin_allowance": {"10"}}
}

func TestActivityPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		town := newClient(t, ts.srv.URL)
		town.login("township-152502001", pw)

		// A refused form comes back with the values kept and the problem beside its field.
		bad := activityForm("牧草种植技术培训")
		bad.Set("ends_at", "2026-05-20T08:00")
		status, body, _ := town.post("/console/activities", "/console/activities/new", bad)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "结束时间早于开始时间") || !strings.Contains(body, `value="牧草种植技术培训"`) {
			t.Fatalf("bad form: %d", status)
		}
		if status, _, _ := town.post("/console/activities", "", activityForm("无令牌")); status != http.StatusForbidden {
			t.Fatalf("post without CSRF token: %d", status)
		}
		status, _, hdr := town.post("/console/activities", "/console/activities/new", activityForm("牧草种植技术培训"))
		if status != http.StatusSeeOther {
			t.Fatalf("create: %d", status)
		}
		page := hdr.Get("Location")
		id := activityLink.FindStringSubmatch(page)[1]
		status, body = town.get(page)
		if status != 200 || !strings.Contains(body, "申报人次") || !strings.Contains(body, "草稿") || !strings.Contains(body, "专家服务：实用技术培训") {
			t.Fatalf("detail: %d", status)
		}
		// Over capacity by more than the walk-ins allow: flagged, not refused.
		if !strings.Contains(body, "申报人次 120 超过容量 110") {
			t.Error("over-capacity record not flagged")
		}
		if _, body := town.get("/console/activities?flagged=1"); !strings.Contains(body, "牧草种植技术培训") {
			t.Error("flagged filter misses the record")
		}
		// A photo: an image is kept, a text file is refused.
		var img bytes.Buffer
		m := image.NewRGBA(image.Rect(0, 0, 4, 4))
		m.Set(1, 1, color.RGBA{200, 0, 0, 255})
		png.Encode(&img, m)
		if status, body := town.uploadField(page, page+"/photos", "photo", "a.png", img.Bytes()); status != http.StatusSeeOther {
			t.Fatalf("photo: %d %s", status, body)
		}
		if status, body := town.uploadField(page, page+"/photos", "photo", "a.png", []byte("not an image")); status != http.StatusConflict || !strings.Contains(body, "JPEG") {
			t.Fatalf("text as photo: %d", status)
		}
		_, body = town.get(page)
		photo := regexp.MustCompile(`/console/activities/\d+/photos/\d+`).FindString(body)
		if photo == "" {
			t.Fatal("photo not shown")
		}
		// Edit, then submit; the edit form is gone once submitted.
		edit := activityForm("牧草种植技术培训")
		edit.Set("declared_attendance", "95")
		if status, _, _ := town.post(page, page+"/edit", edit); status != http.StatusSeeOther {
			t.Fatalf("edit: %d", status)
		}
		if status, _, _ := town.post(page+"/submit", page, url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("submit: %d", status)
		}
		if _, body := town.get(page); strings.Contains(body, page+"/edit") || strings.Contains(body, "审核通过</button>") || !strings.Contains(body, "提交审核 · 名152502001（township-152502001）") {
			t.Error("a submitted record still offers edit, or the organizer is offered the review")
		}
		// Another banner's staff cannot see it.
		other := newClient(t, ts.srv.URL)
		other.login("banner-152501", pw)
		if status, _ := other.get(page); status != http.StatusNotFound {
			t.Fatalf("other banner sees the record: %d", status)
		}
		if status, _ := other.get(photo); status != http.StatusNotFound {
			t.Fatalf("other banner sees the photo: %d", status)
		}
		// The banner reviews; the same person cannot also accept; the league accepts.
		bn := newClient(t, ts.srv.URL)
		bn.login("banner-152502", pw)
		if status, body, _ := bn.post(page+"/review", page, url.Values{"decision": {"return"}}); status != http.StatusConflict || !strings.Contains(body, "退回时请填写理由") {
			t.Fatalf("return without reason: %d", status)
		}
		if status, _, _ := bn.post(page+"/review", page, url.Values{"decision": {"pass"}, "note": {"材料齐全"}}); status != http.StatusSeeOther {
			t.Fatalf("review: %d", status)
		}
		if status, body, _ := bn.post(page+"/accept", page, url.Values{"decision": {"pass"}}); status != http.StatusConflict || !strings.Contains(body, "审核人以外") {
			t.Fatalf("reviewer accepting: %d", status)
		}
		lg := newClient(t, ts.srv.URL)
		lg.login("league-152500", pw)
		if status, _, _ := lg.post(page+"/accept", page, url.Values{"decision": {"pass"}}); status != http.StatusSeeOther {
			t.Fatalf("accept: %d", status)
		}
		// The roll-up counts it, and its figure links to the list holding it.
		_, body = lg.get("/console/activities/rollup?by=type&from=2026-01-01&to=2026-12-31")
		link := regexp.MustCompile(`<a href="(/console/activities\?[^"]*type=expert_training[^"]*)">1</a>`).FindStringSubmatch(body)
		if link == nil {
			t.Fatalf("roll-up by type has no linked figure 1 for the record")
		}
		if _, body := lg.get(strings.ReplaceAll(link[1], "&amp;", "&")); !strings.Contains(body, "牧草种植技术培训") || !strings.Contains(body, "共 1 条") {
			t.Error("the figure's list does not hold the record")
		}
		_, body = lg.get("/console/activities/rollup?by=region&from=2026-01-01&to=2026-12-31")
		if !strings.Contains(body, "锡林浩特市") {
			t.Error("league roll-up by unit does not list its banners")
		}
		for _, by := range []string{"month", "quarter", "year", "programme", "group"} {
			if status, body := lg.get("/console/activities/rollup?by=" + by + "&from=2026-01-01&to=2026-12-31"); status != 200 || !strings.Contains(body, ">95</a>") {
				t.Errorf("roll-up by %s: %d", by, status)
			}
		}
		// A correction is a new version; the accepted one stays.
		status, _, hdr = town.post(page+"/correct", page, url.Values{})
		if status != http.StatusSeeOther || !strings.HasSuffix(hdr.Get("Location"), "/edit") {
			t.Fatalf("correct: %d %s", status, hdr.Get("Location"))
		}
		if _, body := town.get(strings.TrimSuffix(hdr.Get("Location"), "/edit")); !strings.Contains(body, "第 2 版") || !strings.Contains(body, "/console/activities/"+id+`">v1</a>`) {
			t.Error("the correction does not show its versions")
		}
		// API: the scoped list and the roll-up with links to the records.
		status, body = lg.get("/api/v1/activities?status=current")
		var list struct {
			Total int `json:"total"`
			Items []struct {
				Title    string `json:"title"`
				Declared int64  `json:"declared_attendance"`
			} `json:"items"`
		}
		if status != 200 || json.Unmarshal([]byte(body), &list) != nil || list.Total != 1 || list.Items[0].Declared != 95 {
			t.Fatalf("api list: %d %s", status, body)
		}
		status, body = lg.get("/api/v1/activities/rollup?by=region&from=2026-01-01&to=2026-12-31")
		if status != 200 || !strings.Contains(body, `"declared_attendance":95`) || !strings.Contains(body, `"records":"/api/v1/activities?`) {
			t.Fatalf("api rollup: %d %s", status, body)
		}
		if status, _ := lg.get("/api/v1/activities/rollup?by=colour"); status != http.StatusBadRequest {
			t.Errorf("unknown dimension: %d", status)
		}
		// Another banner's unit is not found (not an empty table that reads as "no activity");
		// an unknown dimension is a bad request on the page as in the API.
		for _, p := range []string{"/console/activities/rollup?by=region&region=152502", "/console/activities?region=152502", "/api/v1/activities?region=152502"} {
			if status, _ := other.get(p); status != http.StatusNotFound {
				t.Errorf("%s by banner-152501: %d", p, status)
			}
		}
		if status, _ := lg.get("/console/activities/rollup?by=colour"); status != http.StatusBadRequest {
			t.Errorf("rollup page by=colour: %d", status)
		}
		anon := newClient(t, ts.srv.URL)
		if status, _ := anon.get("/api/v1/activities"); status != http.StatusUnauthorized {
			t.Errorf("anonymous api: %d", status)
		}
	})
}

func TestActivityImport(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := newClient(t, ts.srv.URL)
		c.login("banner-152502", pw)
		status, body := c.get("/console/activities/template?format=csv")
		if status != 200 || !strings.Contains(body, "区划代码") || !strings.Contains(body, "申报人次") {
			t.Fatalf("template: %d", status)
		}
		if status, _ := c.get("/console/activities/template"); status != 200 {
			t.Fatalf("xlsx template: %d", status)
		}
		head := "区划代码,活动名称,活动类型,主办单位,开始日期,开始时间,结束日期,结束时间,形式,所属品牌活动,重点人群,场次,参与人次\n"
		bad := head +
			"152502001,牧草种植培训,专家服务：实用技术培训,市科协,2026-05-20,09:00,2026-05-20,11:00,线下,百名专家走进盟市旗县,农牧民,1,120\n" +
			"152501200,越界,科普讲座（含科学家精神宣讲）,市科协,2026-05-21,,,,线下,,,1,50\n" +
			"152502001,倒序,应急科普,市科协,2026-05-22,10:00,2026-05-22,09:00,线下,,,1,50\n" +
			"152502001,人群,应急科普,市科协,2026-05-22,25:00,,,线下,,学生,1,50\n"
		status, body = c.upload("/console/activities/import", "/console/activities/import", "a.csv", []byte(bad))
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("bad import: %d", status)
		}
		for _, want := range []string{"第 3 行", "不在您的管辖范围内", "第 4 行", "结束时间早于开始时间", "第 5 行", "开始时间", "不是重点人群之一"} {
			if !strings.Contains(body, want) {
				t.Errorf("bad import: missing %q", want)
			}
		}
		if _, body := c.get("/console/activities"); !strings.Contains(body, "共 0 条") {
			t.Fatal("a refused import wrote records")
		}
		good := head +
			"152502001,牧草种植培训,专家服务：实用技术培训,市科协,2026-05-20,09:00,2026-05-20,11:00,线下,百名专家走进盟市旗县,农牧民,1,120\n" +
			"152502,科技馆周末课堂,场馆展教活动,锡林郭勒盟科技馆,2026-06-06,,2026-06-07,,线下,,青少年、老年人,4,800\n"
		status, body = c.upload("/console/activities/import", "/console/activities/import", "good.csv", []byte(good))
		if status != 200 || !strings.Contains(body, "good.csv") {
			t.Fatalf("good import: %d %s", status, body)
		}
		if _, body := c.get("/console/activities?status=submitted"); !strings.Contains(body, "共 2 条") || !strings.Contains(body, "科技馆周末课堂") {
			t.Fatal("imported records are not awaiting review")
		}
		// The same file again adds nothing.
		c.upload("/console/activities/import", "/console/activities/import", "good.csv", []byte(good))
		if _, body := c.get("/console/activities"); !strings.Contains(body, "共 2 条") {
			t.Fatal("a second upload of the same file recorded twice")
		}
		_ = fmt.Sprint()
	})
}

// The public list shows activities whose sign-up is open and which have not ended, in the
// unit asked for; nothing else (drafts with sign-up closed, past ones, other banners).
func TestUpcomingActivities(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := newClient(t, ts.srv.URL)
		c.login("banner-152502", pw)
		mk := func(title, code, start, end string, open bool) {
			f := activityForm(title)
			f.Set("region_code", code)
			f.Set("starts_at", start)
			f.Set("ends_at", end)
			f.Set("declared_attendance", "0")
			if open {
				f.Set("signup_open", "1")
			}
			if status, body, _ := c.post("/console/activities", "/console/activities/new", f); status != http.StatusSeeOther {
				t.Fatalf("create %s: %d %s", title, status, body)
			}
		}
		mk("冬季草原防火讲座", "152502001", "2099-12-20T09:00", "2099-12-20T11:00", true)
		mk("去年的讲座", "152502001", "2020-12-20T09:00", "2020-12-20T11:00", true)
		mk("未开放报名", "152502001", "2099-12-21T09:00", "2099-12-21T11:00", false)
		mk("乡镇讲座", "152502", "2099-12-22T09:00", "2099-12-22T11:00", true)
		anon := newClient(t, ts.srv.URL)
		status, body := anon.get("/activities")
		if status != 200 || !strings.Contains(body, "冬季草原防火讲座") || !strings.Contains(body, "乡镇讲座") || !strings.Contains(body, "剩余 100 / 共 100") {
			t.Fatalf("upcoming: %d", status)
		}
		if strings.Contains(body, "去年的讲座") || strings.Contains(body, "未开放报名") {
			t.Error("the public list shows an ended activity or one whose sign-up is closed")
		}
		if strings.Index(body, "冬季草原防火讲座") > strings.Index(body, "乡镇讲座") {
			t.Error("not soonest first")
		}
		_, body = anon.get("/activities?region=152502001")
		if !strings.Contains(body, "冬季草原防火讲座") || strings.Contains(body, "乡镇讲座") {
			t.Error("the township's list is not narrowed to the township")
		}
		_, body = anon.get("/activities?region=152501")
		if strings.Contains(body, "讲座") {
			t.Error("another banner's list shows 152502's activities")
		}
	})
}

// A visitor who is not signed in cannot post a large body anywhere (public forms are a few
// fields), while staff still upload files.
func TestAnonymousBodyLimit(t *testing.T) {
	ts := newTestSite(t, dbtest.SQLite(t))
	anon := newClient(t, ts.srv.URL)
	tok := anon.token("/login")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", tok)
	fw, _ := mw.CreateFormFile("f", "big.bin")
	fw.Write(make([]byte, 200<<10))
	mw.Close()
	resp, err := anon.http.Post(ts.srv.URL+"/login?csrf="+url.QueryEscape(tok), mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "64 KB") {
		t.Fatalf("anonymous 200 KB post: %d", resp.StatusCode)
	}
	staff := newClient(t, ts.srv.URL)
	staff.login("banner-152502", pw)
	csv := []byte(strings.Repeat("区划代码,活动名称\n", 1) + strings.Repeat("152502001,"+strings.Repeat("长", 30)+"\n", 3000))
	if status, _ := staff.upload("/console/activities/import", "/console/activities/import", "big.csv", csv); status == http.StatusRequestEntityTooLarge {
		t.Fatalf("staff upload of %d KB refused as too large", len(csv)>>10)
	}
}

// Nobody reviews or accepts what they submitted, and a review needs an explicit decision.
func TestActivityOwnRecordAndDecision(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		bn := newClient(t, ts.srv.URL)
		bn.login("banner-152502", pw)
		_, _, hdr := bn.post("/console/activities", "/console/activities/new", activityForm("旗县代填的乡镇活动"))
		page := hdr.Get("Location")
		bn.post(page+"/submit", page, url.Values{})
		if _, body := bn.get(page); strings.Contains(body, page+"/review") {
			t.Error("the submitter is offered the review of its own record")
		}
		if status, body, _ := bn.post(page+"/review", page, url.Values{"decision": {"pass"}}); status != http.StatusConflict || !strings.Contains(body, "提交人以外") {
			t.Fatalf("submitter reviewing: %d", status)
		}
		lg := newClient(t, ts.srv.URL)
		lg.login("league-152500", pw)
		for _, dec := range []string{"reject", ""} {
			if status, body, _ := lg.post(page+"/review", page, url.Values{"decision": {dec}, "note": {"数据有误"}}); status != http.StatusConflict || !strings.Contains(body, "请选择") {
				t.Fatalf("decision %q: %d", dec, status)
			}
		}
		if _, body := lg.get(page); !strings.Contains(body, "待审核") {
			t.Fatal("an unknown decision moved the record")
		}
		if status, _, _ := lg.post(page+"/review", page, url.Values{"decision": {"pass"}}); status != http.StatusSeeOther {
			t.Fatalf("league review: %d", status)
		}
	})
}

// The form reads numbers as the import does: full-width digits and thousands separators yes,
// commas elsewhere and approximate numbers no.
func TestActivityFormNumbers(t *testing.T) {
	ts := newTestSite(t, dbtest.SQLite(t))
	c := newClient(t, ts.srv.URL)
	c.login("banner-152502", pw)
	for _, bad := range []string{"1,2,0,0", "1200多", "十二"} {
		f := activityForm("人次写法")
		f.Set("declared_attendance", bad)
		if status, body, _ := c.post("/console/activities", "/console/activities/new", f); status != http.StatusUnprocessableEntity || !strings.Contains(body, "value=\""+bad+"\"") {
			t.Errorf("declared %q: %d", bad, status)
		}
	}
	f := activityForm("全角数字")
	f.Set("declared_attendance", "１,２００")
	f.Set("sessions", "１２")
	f.Set("region_code", "１５２５０２００１")
	status, _, hdr := c.post("/console/activities", "/console/activities/new", f)
	if status != http.StatusSeeOther {
		t.Fatalf("full-width digits: %d", status)
	}
	if _, body := c.get(hdr.Get("Location")); !strings.Contains(body, "1,200") || !strings.Contains(body, "152502001") {
		t.Error("full-width figures not read as 1,200 and 12 at 152502001")
	}
}

// The form's 登记场馆 names a registered facility in the user's scope: an unknown one is
// refused beside the field with the typed text kept; a known one is stored, shown on the
// page, offered back on the edit form, and given in the API list.
func TestActivityFormVenue(t *testing.T) {
	d := dbtest.SQLite(t)
	ts := newTestSite(t, d)
	c := newClient(t, ts.srv.URL)
	c.login("banner-152502", pw)
	ctx := t.Context()
	museum, err := ts.site.Registry.Create(ctx, &registry.Museums, region.NewScope("150000"), 0, registry.Values{"name": "锡林浩特市科技馆", "region_code": "152502", "tier": "banner"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.site.Registry.Create(ctx, &registry.Museums, region.NewScope("150000"), 0, registry.Values{"name": "二连浩特市科技馆", "region_code": "152501", "tier": "banner"}); err != nil {
		t.Fatal(err)
	}
	f := activityForm("场馆开放日")
	f.Set("venue_ref", "二连浩特市科技馆")
	if status, body, _ := c.post("/console/activities", "/console/activities/new", f); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "没有名为“二连浩特市科技馆”") || !strings.Contains(body, `value="二连浩特市科技馆"`) {
		t.Errorf("a venue outside the scope: %d", status)
	}
	f.Set("venue_ref", "科技馆：锡林浩特市科技馆")
	status, _, hdr := c.post("/console/activities", "/console/activities/new", f)
	if status != http.StatusSeeOther {
		t.Fatalf("create with a venue: %d", status)
	}
	page := hdr.Get("Location")
	if _, body := c.get(page); !strings.Contains(body, "科技馆：锡林浩特市科技馆") {
		t.Error("the activity page does not name its registered venue")
	}
	if _, body := c.get(page + "/edit"); !strings.Contains(body, `name="venue_ref" value="科技馆：锡林浩特市科技馆"`) {
		t.Error("the edit form does not offer the venue back")
	}
	_, body := c.get(fmt.Sprintf("/api/v1/activities?venue_kind=museums&venue_id=%d", museum))
	var out struct {
		Total int `json:"total"`
		Items []struct {
			VenueKind string `json:"venue_kind"`
			VenueID   int64  `json:"venue_id"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Total != 1 || out.Items[0].VenueKind != "museums" || out.Items[0].VenueID != museum {
		t.Errorf("API list by venue: %s", body)
	}
}
