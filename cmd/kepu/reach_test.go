package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"golang.org/x/text/encoding/simplifiedchinese"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
)

const tabletUA = "Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 Chrome/100 Safari/537.36"

// publishContent creates an item of banner 152502 with the form, has a league reviewer
// publish it, and returns its id.
func publishContent(t *testing.T, ts *testSite, edit func(url.Values)) int64 {
	t.Helper()
	return publishAs(t, ts, "banner-152502", edit)
}

// publishAs is publishContent with the item written by another account.
func publishAs(t *testing.T, ts *testSite, user string, edit func(url.Values)) int64 {
	t.Helper()
	editor := newClient(t, ts.srv.URL).loginAnd(user)
	f := contentForm()
	if edit != nil {
		edit(f)
	}
	id := createContent(t, editor, f)
	console := fmt.Sprintf("/console/content/%d", id)
	editor.post(console+"/submit", console, url.Values{})
	reviewer := newClient(t, ts.srv.URL).loginAnd("league-152500")
	if status, body, _ := reviewer.post(console+"/publish", console, url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("publish: %d %.300s", status, body)
	}
	return id
}

// addStation puts an accredited e-station in village 152502001001 and returns its id.
func addStation(t *testing.T, d *db.DB, name string) int64 {
	t.Helper()
	now := time.Now().UTC()
	if _, err := d.ExecContext(context.Background(), `INSERT INTO science_estations (region_code, name, site_type, status, created_at, updated_at)
		VALUES ('152502001001', $1, 'village', 'accredited', $2, $2)`, name, now); err != nil {
		t.Fatal(err)
	}
	var id int64
	d.QueryRowContext(context.Background(), `SELECT id FROM science_estations WHERE name = $1`, name).Scan(&id)
	return id
}

// browse gets a page as a person's browser would (the test client's own User-Agent is a bot's).
func browse(t *testing.T, base, path, ua string, hdr ...string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("User-Agent", ua)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestKiosk(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		id := publishContent(t, ts, nil)
		station := addStation(t, d, "赛罕嘎查科普e站")
		kiosk := fmt.Sprintf("/kiosk/%d", station)
		status, page, hdr := browse(t, ts.srv.URL, kiosk, tabletUA)
		if status != 200 || !strings.Contains(page, "赛罕嘎查科普e站") || !strings.Contains(page, fmt.Sprintf(`href="/kiosk/%d/items/%d"`, station, id)) ||
			!strings.Contains(page, "草原防火知识") {
			t.Fatalf("kiosk page: %d %.500s", status, page)
		}
		if hdr.Get("Set-Cookie") != "" && !strings.HasPrefix(hdr.Get("Cache-Control"), "private") {
			t.Errorf("a kiosk page that sets a cookie may be cached by shared caches: %q", hdr.Get("Cache-Control"))
		}
		if cc := hdr.Get("Cache-Control"); !strings.Contains(cc, "stale-if-error") {
			t.Errorf("kiosk page Cache-Control %q keeps nothing for a dropped link", cc)
		}
		// Emergency items first, then the station's own units' items before others'.
		other := publishAs(t, ts, "banner-152501", func(f url.Values) {
			f.Set("region_code", "152501")
			f.Del("emergency")
			f.Set("zh_title", "别的旗的内容")
		})
		local := publishContent(t, ts, func(f url.Values) { f.Del("emergency"); f.Set("zh_title", "本旗的新内容") })
		_, ordered, _ := browse(t, ts.srv.URL, kiosk, tabletUA)
		pos := func(id int64) int {
			return strings.Index(ordered, fmt.Sprintf(`href="/kiosk/%d/items/%d"`, station, id))
		}
		if !(pos(id) >= 0 && pos(id) < pos(local) && pos(local) < pos(other)) {
			t.Errorf("kiosk order: emergency at %d, local at %d, other banner's at %d", pos(id), pos(local), pos(other))
		}
		// First load: the page and everything it references (no font, no image on a kiosk).
		total := len(page)
		refs := regexp.MustCompile(`(?:href|src)="(/[^"]+)"`).FindAllStringSubmatch(page, -1)
		fetched := 0
		for _, m := range refs {
			ref := strings.ReplaceAll(m[1], "&amp;", "&")
			if strings.HasPrefix(ref, "/kiosk/"+fmt.Sprint(station)+"/") {
				continue // links to items, not loaded with the page
			}
			status, b, h := browse(t, ts.srv.URL, ref, tabletUA)
			if status != 200 {
				t.Errorf("%s: %d", ref, status)
			}
			if !strings.Contains(h.Get("Cache-Control"), "immutable") {
				t.Errorf("%s is not cached for good: %q", ref, h.Get("Cache-Control"))
			}
			total += len(b)
			fetched++
		}
		status, sw, swh := browse(t, ts.srv.URL, "/kiosk/sw.js", tabletUA)
		if status != 200 || !strings.Contains(sw, "caches.match") || !strings.Contains(swh.Get("Content-Type"), "javascript") {
			t.Errorf("service worker: %d %q", status, swh.Get("Content-Type"))
		}
		total += len(sw)
		t.Logf("kiosk first load: %d bytes (HTML %d, %d files and the service worker)", total, len(page), fetched)
		if fetched < 2 || total > 300<<10 {
			t.Errorf("kiosk first load %d bytes with %d files; want both the style sheet and script, under 300 KB", total, fetched)
		}
		status, item, _ := browse(t, ts.srv.URL, fmt.Sprintf("%s/items/%d", kiosk, id), tabletUA)
		if status != 200 || !strings.Contains(item, "不要在草原上用火。") || strings.Contains(item, "<script>alert") || !strings.Contains(item, `href="`+kiosk+`"`) {
			t.Errorf("kiosk item: %d %.300s", status, item)
		}
		for _, bad := range []string{"/kiosk/999999", "/kiosk/abc", fmt.Sprintf("%s/items/999999", kiosk)} {
			if status, _, _ := browse(t, ts.srv.URL, bad, tabletUA); status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", bad, status)
			}
		}
		d.ExecContext(context.Background(), `UPDATE science_estations SET status = 'revoked' WHERE id = $1`, station)
		if status, _, _ := browse(t, ts.srv.URL, kiosk, tabletUA); status != http.StatusNotFound {
			t.Errorf("a revoked station's kiosk: %d, want 404", status)
		}
	})
}

func TestTVFeed(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		var ids []int64
		for _, title := range []string{"电视科普一", "电视科普二", "电视科普三"} {
			ids = append(ids, publishContent(t, ts, func(f url.Values) { f.Set("zh_title", title) }))
		}
		var buf bytes.Buffer
		png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1920, 1080)))
		if _, err := d.ExecContext(context.Background(), `UPDATE content_items SET poster_type = 'image/png', poster = $1 WHERE id = $2`, buf.Bytes(), ids[1]); err != nil {
			t.Fatal(err)
		}
		anon := newClient(t, ts.srv.URL)
		type page struct {
			Items []struct {
				ID      int64  `json:"id"`
				Title   string `json:"title"`
				Body    string `json:"body_html"`
				Posters []struct {
					URL           string
					Width, Height int
					Bytes         int
				} `json:"posters"`
			} `json:"items"`
			Withdrawn []int64 `json:"withdrawn"`
			Next      string  `json:"next"`
			Until     string  `json:"until"`
		}
		get := func(path string) page {
			t.Helper()
			status, body := anon.get(path)
			var p page
			if status != 200 || json.Unmarshal([]byte(body), &p) != nil {
				t.Fatalf("%s: %d %.300s", path, status, body)
			}
			return p
		}
		p1 := get("/api/v1/content/tv?limit=2")
		if len(p1.Items) != 2 || p1.Items[0].ID != ids[0] || p1.Items[1].ID != ids[1] || p1.Next == "" || !strings.Contains(p1.Items[0].Body, "不要在草原上用火") {
			t.Fatalf("first page: %+v", p1)
		}
		if ps := p1.Items[1].Posters; len(ps) != 1 || ps[0].Width != 1920 || ps[0].Height != 1080 || ps[0].Bytes != buf.Len() || !strings.HasSuffix(ps[0].URL, fmt.Sprintf("/content/posters/%d", ids[1])) {
			t.Errorf("poster: %+v", ps)
		}
		if len(p1.Items[0].Posters) != 0 {
			t.Errorf("an item without a poster lists %d", len(p1.Items[0].Posters))
		}
		p2 := get(p1.Next)
		if len(p2.Items) != 1 || p2.Items[0].ID != ids[2] || p2.Next != "" {
			t.Fatalf("second page: %+v", p2)
		}
		// Later: nothing new, but the reviewer withdraws the first item.
		reviewer := newClient(t, ts.srv.URL).loginAnd("league-152500")
		console := fmt.Sprintf("/console/content/%d", ids[0])
		if status, body, _ := reviewer.post(console+"/withdraw", console, url.Values{"note": {"内容过时"}}); status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d %.300s", status, body)
		}
		p3 := get("/api/v1/content/tv?since=" + url.QueryEscape(p2.Until))
		if len(p3.Items) != 0 || len(p3.Withdrawn) != 1 || p3.Withdrawn[0] != ids[0] {
			t.Errorf("since the last page: %+v", p3)
		}
		for _, bad := range []string{"?since=yesterday", "?limit=0", "?limit=201", "?after=-1"} {
			if status, body := anon.get("/api/v1/content/tv" + bad); status != http.StatusUnprocessableEntity || !strings.Contains(body, "参数") {
				t.Errorf("%s: %d %.200s", bad, status, body)
			}
		}
	})
}

func TestPushesAndReachImport(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		a := publishContent(t, ts, nil)
		b := publishContent(t, ts, func(f url.Values) { f.Set("zh_title", "冬季取暖安全") })
		staff := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		const page = "/console/reach/pushes"
		push := func(item int64, channel, on, addr, title string) (int, string) {
			status, body, _ := staff.post(page, page, url.Values{"item_id": {fmt.Sprint(item)}, "channel": {channel}, "pushed_on": {on}, "url": {addr}, "title": {title}, "region_code": {"152502"}})
			return status, body
		}
		if status, body := push(a, "wechat", "2026-11-20", "https://mp.weixin.qq.com/s/AAA", ""); status != http.StatusSeeOther {
			t.Fatalf("record a push: %d %.300s", status, body)
		}
		if status, body := push(b, "wechat", "2026-11-21", "https://mp.weixin.qq.com/s/BBB", ""); status != http.StatusSeeOther {
			t.Fatalf("record a push: %d %.300s", status, body)
		}
		for name, tc := range map[string]struct {
			item           int64
			channel, on, u string
			want           string
		}{
			"unpublished": {999999, "wechat", "2026-11-20", "https://mp.weixin.qq.com/s/X", "不是已发布的内容"},
			"twice":       {a, "wechat", "2026-11-22", "https://mp.weixin.qq.com/s/AAA", "已在该平台登记过"},
			"no platform": {a, "myspace", "2026-11-22", "https://x.example/1", "请选择推送平台"},
			"bad date":    {a, "douyin", "11月20日", "https://x.example/1", "推送日期须为"},
			"bad address": {a, "douyin", "2026-11-20", "javascript:alert(1)", "地址须以 http:// 或 https:// 开头"},
		} {
			if status, body := push(tc.item, tc.channel, tc.on, tc.u, ""); status != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
				t.Errorf("%s: %d, want 422 saying %q", name, status, tc.want)
			}
		}
		if status, body, _ := staff.post(page, page, url.Values{"item_id": {fmt.Sprint(a)}, "channel": {"douyin"}, "pushed_on": {"2026-11-20"}, "url": {"https://v.douyin.com/1"},
			"region_code": {"152501"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "管辖范围") {
			t.Errorf("a push for another banner: %d", status)
		}
		if status, body := staff.get(page); status != 200 || !strings.Contains(body, "https://mp.weixin.qq.com/s/AAA") || !strings.Contains(body, "微信公众号") {
			t.Fatalf("push list: %d", status)
		}
		if _, body := newClient(t, ts.srv.URL).loginAnd("banner-152501").get(page); strings.Contains(body, "mp.weixin.qq.com/s/AAA") {
			t.Error("another banner sees the pushes")
		}
		gbk := func(s string) []byte {
			b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		imp := url.Values{"channel": {"wechat"}, "figures_on": {"2026-11-25"}, "region_code": {"152502"}}
		count := func() (n int) {
			d.QueryRowContext(context.Background(), `SELECT count(*) FROM content_reach_imports`).Scan(&n)
			return
		}
		// A bad cell refuses the whole file.
		status, body := staff.postMultipart("/console/reach/imports", page, imp, map[string][]byte{"file": gbk("标题,链接,阅读量\n草原防火知识,https://mp.weixin.qq.com/s/AAA,很多\n")})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "第 2 行") || !strings.Contains(body, "未导入任何数据") || count() != 0 {
			t.Errorf("bad file: %d, %d imports %.600s", status, count(), body)
		}
		csv := "公众号后台导出\n标题,链接,发表时间,阅读量,点赞数,转发数,在看数\n" +
			"草原防火知识,http://MP.weixin.qq.com/s/AAA/,2026-11-20 08:00,1300,25,7,3\n" +
			"冬季取暖安全,,2026/11/21,800,10,2,1\n" +
			"别人的文章,https://mp.weixin.qq.com/s/ZZZ,2026-11-22,55,1,0,0\n"
		status, body = staff.postMultipart("/console/reach/imports", page, imp, map[string][]byte{"file": gbk(csv)})
		if status != http.StatusSeeOther {
			t.Fatalf("import: %d %.600s", status, body)
		}
		_, body = staff.get(page)
		var imported string
		if !strings.Contains(body, "共 3 行，对应上 2 行，未对应 1 行") {
			t.Error("the import is not listed on the pushes page")
		}
		if m := regexp.MustCompile(`href="(/console/reach/imports/\d+)"`).FindStringSubmatch(body); m != nil {
			imported = m[1]
		}
		if !strings.Contains(body, "1,300") || !strings.Contains(body, "800") || imported == "" {
			t.Fatalf("figures not on the push list: %.2000s", body)
		}
		status, body = staff.get(imported)
		if status != 200 || !strings.Contains(body, "共 3 行，对应上 2 行，未对应 1 行") || !strings.Contains(body, "别人的文章") || !strings.Contains(body, "没有登记过这个链接的推送") {
			t.Errorf("import page: %d %.1500s", status, body)
		}
		if status, _ := newClient(t, ts.srv.URL).loginAnd("banner-152501").get(imported); status != http.StatusNotFound {
			t.Errorf("another banner sees the import: %d", status)
		}
		// Views on the public page and on a kiosk, then the report.
		item := fmt.Sprintf("/content/%d", a)
		for _, v := range []struct {
			ua  string
			hdr []string
		}{{tabletUA, nil}, {tabletUA, nil}, {tabletUA + " Edg/120", nil}, {"Baiduspider/2.0", nil}, {tabletUA + " X", []string{"Sec-Purpose", "prefetch"}}} {
			if status, _, _ := browse(t, ts.srv.URL, item, v.ua, v.hdr...); status != 200 {
				t.Fatalf("%s: %d", item, status)
			}
		}
		station := addStation(t, d, "赛罕嘎查科普e站")
		browse(t, ts.srv.URL, fmt.Sprintf("/kiosk/%d/items/%d", station, a), tabletUA+" Kiosk") // another device
		const period = "from=2000-01-01&to=2100-01-01"
		status, body = staff.get("/console/reach?by=channel&" + period)
		if status != 200 {
			t.Fatalf("report: %d %.500s", status, body)
		}
		cell := func(body, href string) string {
			m := regexp.MustCompile(`href="` + regexp.QuoteMeta(strings.ReplaceAll(href, "&", "&amp;")) + `">([0-9,]+)</a>`).FindStringSubmatch(body)
			if m == nil {
				return ""
			}
			return m[1]
		}
		for ch, want := range map[string]string{"web": "2", "estation": "1", "wechat": "2,100"} {
			if got := cell(body, "/console/reach/records?channel="+ch+"&from=2000-01-01&to=2100-01-01"); got != want {
				t.Errorf("channel %s total: %q, want %s", ch, got, want)
			}
		}
		// The emergency report keeps emergency items only: this item is one, a new ordinary
		// item's view is left out of it.
		plain := publishContent(t, ts, func(f url.Values) { f.Del("emergency"); f.Set("zh_title", "普通科普文章") })
		browse(t, ts.srv.URL, fmt.Sprintf("/content/%d", plain), tabletUA+" Plain")
		_, body = staff.get("/console/reach?by=channel&" + period)
		all := cell(body, "/console/reach/records?channel=web&from=2000-01-01&to=2100-01-01")
		status, body = staff.get("/console/reach?by=channel&emergency=1&" + period)
		if got := cell(body, "/console/reach/records?channel=web&emergency=1&from=2000-01-01&to=2100-01-01"); status != 200 || all != "3" || got != "2" || !strings.Contains(body, `name="emergency" value="1" checked`) {
			t.Errorf("emergency report: %d, web %q of %q", status, got, all)
		}
		// By region, a banner sees its townships; narrowed to a township, its villages.
		status, body = staff.get("/console/reach?by=region&" + period)
		if got := cell(body, "/console/reach/records?channel=estation&from=2000-01-01&region=152502001&to=2100-01-01"); status != 200 || got != "1" || !strings.Contains(body, "（152502001）") {
			t.Errorf("by region: %d, kiosk township %q", status, got)
		}
		status, body = staff.get("/console/reach?by=region&region=152502001&" + period)
		if got := cell(body, "/console/reach/records?channel=estation&from=2000-01-01&region=152502001001&to=2100-01-01"); status != 200 || got != "1" {
			t.Errorf("by region in a township: %d, kiosk village %q", status, got)
		}
		status, body = staff.get(fmt.Sprintf("/console/reach?by=day&item=%d&", a) + period)
		if status != 200 || !strings.Contains(body, "2026-11-20") || cell(body, fmt.Sprintf("/console/reach/records?channel=wechat&day=2026-11-20&from=2000-01-01&item=%d&to=2100-01-01", a)) != "1,300" {
			t.Errorf("by day: %d %.2000s", status, body)
		}
		status, body = staff.get(fmt.Sprintf("/console/reach/records?channel=wechat&item=%d&", a) + period)
		if status != 200 || !strings.Contains(body, "2026-11-20") || !strings.Contains(body, "1,300") || !strings.Contains(body, "草原防火知识") || strings.Contains(body, "冬季取暖安全") {
			t.Errorf("records: %d %.2000s", status, body)
		}
		if _, body := newClient(t, ts.srv.URL).loginAnd("banner-152501").get("/console/reach?by=item&" + period); strings.Contains(body, "草原防火知识") {
			t.Error("another banner sees this banner's reach")
		}
		for _, bad := range []string{"/console/reach?from=2026-13-01", "/console/reach?from=2026-12-01&to=2026-11-01", "/console/reach/records?region=abc"} {
			if status, body := staff.get(bad); status != http.StatusUnprocessableEntity || !strings.Contains(body, "日期") && !strings.Contains(body, "区划代码") {
				t.Errorf("%s: %d", bad, status)
			}
		}
		// The template names the columns the import reads (views required).
		status, tmpl := staff.get("/console/reach/template?format=csv")
		if status != 200 || !strings.Contains(tmpl, "链接") || !strings.Contains(tmpl, "阅读量*") {
			t.Errorf("template: %d %q", status, tmpl)
		}
		if status, _ := staff.get("/console/reach/template"); status != 200 {
			t.Errorf("xlsx template: %d", status)
		}
		// Two rows for one push refuse the file.
		dup := "链接,阅读量\nhttps://mp.weixin.qq.com/s/AAA,1\nhttps://mp.weixin.qq.com/s/AAA,2\n"
		if status, body := staff.postMultipart("/console/reach/imports", page, imp, map[string][]byte{"file": []byte(dup)}); status != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "与第 2 行对应同一条推送") || count() != 1 {
			t.Errorf("two rows for one push: %d %d", status, count())
		}
	})
}
