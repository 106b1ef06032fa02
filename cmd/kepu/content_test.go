package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/content"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
)

const mnText = "ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠤᠬᠠᠭᠠᠨ ᠤ ᠮᠡᠳᠡᠯᠭᠡ"

// contentForm is an article of banner 152502 with both language versions.
func contentForm() url.Values {
	return url.Values{"kind": {"article"}, "region_code": {"152502"}, "zh_title": {"草原防火知识"}, "zh_summary": {"春季草原防火要点。"},
		"zh_body":  {`<h2>要点</h2><p onclick="steal()" style="color:red">不要在草原上用火。<script>alert("x")</script></p><iframe src="https://evil.example"></iframe>`},
		"mn_title": {mnText}, "mn_body": {"<p>" + mnText + "</p>"}, "topics": {"防灾减灾、应急"}, "target_groups": {"farmers"}, "emergency": {"1"}}
}

// postMultipart submits a form with files as the browser does (the CSRF token in the URL).
func (c *client) postMultipart(path, from string, fields url.Values, files map[string][]byte) (int, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for k, b := range files {
		fw, _ := mw.CreateFormFile(k, k+".jpg")
		fw.Write(b)
	}
	mw.Close()
	resp, err := c.http.Post(c.base+path+"?csrf="+url.QueryEscape(c.token(from)), mw.FormDataContentType(), &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var itemPath = regexp.MustCompile(`^/console/content/(\d+)$`)

// createContent creates an item through the form and returns its id.
func createContent(t *testing.T, c *client, form url.Values) int64 {
	t.Helper()
	status, body, hdr := c.post("/console/content", "/console/content/new", form)
	m := itemPath.FindStringSubmatch(hdr.Get("Location"))
	if status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %s", status, body)
	}
	var id int64
	fmt.Sscan(m[1], &id)
	return id
}

func TestContentWorkflowAndPublicPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		editor := newClient(t, ts.srv.URL)
		editor.login("banner-152502", pw)
		anon := newClient(t, ts.srv.URL)

		id := createContent(t, editor, contentForm())
		item := fmt.Sprintf("/content/%d", id)
		console := fmt.Sprintf("/console/content/%d", id)
		if status, _ := anon.get(item); status != http.StatusNotFound {
			t.Errorf("a draft is public: %d", status)
		}
		if status, body := editor.get(console + "/edit"); status != 200 || !strings.Contains(body, `name="mn_title" lang="mn-Mong" value="`+mnText) {
			t.Errorf("edit form: %d", status)
		}
		other := newClient(t, ts.srv.URL).loginAnd("banner-152501")
		if status, body := other.get(console); status != http.StatusNotFound {
			t.Errorf("another banner sees the item: %d %.200s", status, body)
		}
		if status, _ := other.get(console + "/preview"); status != http.StatusNotFound {
			t.Errorf("another banner previews the item: %d", status)
		}
		if status, body := editor.get(console + "/preview"); status != 200 || !strings.Contains(body, "状态为“草稿”") || !strings.Contains(body, `lang="mn-Mong"`) ||
			strings.Contains(body, "<script>alert") {
			t.Errorf("preview of a draft: %d", status)
		}
		if status, _, _ := editor.post(console+"/submit", console, url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("submit: %d", status)
		}
		status, body, _ := editor.post(console+"/publish", console, url.Values{})
		if status != http.StatusConflict || !strings.Contains(body, "没有审核权限") {
			t.Errorf("the banner's editor, no reviewer, publishes: %d", status)
		}
		reviewer := newClient(t, ts.srv.URL).loginAnd("league-152500")
		if status, body := reviewer.get(console); status != 200 || !strings.Contains(body, `action="/console/content/`+fmt.Sprint(id)+`/publish"`) {
			t.Errorf("reviewer's page lacks the publish button: %d", status)
		}
		if status, body, _ := reviewer.post(console+"/publish", console, url.Values{"note": {"同意发布"}}); status != http.StatusSeeOther {
			t.Fatalf("publish: %d %s", status, body)
		}

		status, body = anon.get(item)
		if status != 200 {
			t.Fatalf("public item: %d", status)
		}
		for _, want := range []string{`<div class="content-mn" lang="mn-Mong">`, mnText, `<meta property="og:title" content="草原防火知识">`,
			`<meta property="og:description" content="春季草原防火要点。">`, "/content/mongolian-font.css?f=", "<h2>要点</h2>", "不要在草原上用火。", "应急科普"} {
			if !strings.Contains(body, want) {
				t.Errorf("item page lacks %q", want)
			}
		}
		for _, bad := range []string{"<script>alert", "onclick", "style=\"color", "<iframe"} {
			if strings.Contains(body, bad) {
				t.Errorf("item page carries %q", bad)
			}
		}
		css := regexp.MustCompile(`href="(/content/mongolian-font\.css\?f=[^"]+)"`).FindStringSubmatch(body)
		if css == nil {
			t.Fatal("no font style sheet")
		}
		_, sheet := anon.get(strings.ReplaceAll(css[1], "&amp;", "&"))
		font := regexp.MustCompile(`url\((/static/mongolian-noto-sans\.[0-9a-f]+\.woff2)\)`).FindStringSubmatch(sheet)
		if font == nil {
			t.Fatalf("font sheet %q names no hashed woff2", sheet)
		}
		if status, woff := anon.get(font[1]); status != 200 || !strings.HasPrefix(woff, "wOF2") {
			t.Errorf("font: %d", status)
		}
		if status, body := anon.get("/content"); status != 200 || !strings.Contains(body, item) || !strings.Contains(body, "#防灾减灾") || !strings.Contains(body, `href="/content/lectures"`) {
			t.Errorf("content home: %d", status)
		}
		if status, body := anon.get("/content/topics/" + url.PathEscape("防灾减灾")); status != 200 || !strings.Contains(body, item) {
			t.Errorf("topic page: %d", status)
		}
		if status, _ := anon.get("/content/topics/" + url.PathEscape("没有的话题")); status != 404 {
			t.Errorf("empty topic: %d", status)
		}
		status, feed := anon.get("/content/feed.xml")
		if status != 200 || !strings.Contains(feed, `<feed xmlns="http://www.w3.org/2005/Atom">`) || !strings.Contains(feed, "<title>草原防火知识</title>") {
			t.Errorf("feed: %d %.300s", status, feed)
		}
		status, api := anon.get("/api/v1/content?topic=" + url.QueryEscape("应急"))
		if status != 200 || !strings.Contains(api, `"title":"草原防火知识"`) || !strings.Contains(api, `"mn_title":"`+mnText+`"`) || strings.Contains(api, "body_html") {
			t.Errorf("API list: %d %.300s", status, api)
		}
		status, api = anon.get(fmt.Sprintf("/api/v1/content/%d", id))
		if status != 200 || !strings.Contains(api, `"body_html":"<h2>要点</h2>`) || strings.Contains(api, "<script") {
			t.Errorf("API item: %d %.300s", status, api)
		}
		if status, body := editor.get("/console/content?status=published&emergency=1&kind=article&topic=" + url.QueryEscape("应急")); status != 200 || !strings.Contains(body, console) {
			t.Errorf("console list with filters: %d", status)
		}
		if status, body := editor.get("/console/content?status=draft"); status != 200 || strings.Contains(body, console) {
			t.Errorf("draft filter lists the published item: %d", status)
		}

		status, body, _ = reviewer.post(console+"/withdraw", console, url.Values{"note": {" "}})
		if status != http.StatusConflict || !strings.Contains(body, "请填写理由") {
			t.Errorf("withdraw without reason: %d", status)
		}
		if status, _, _ := reviewer.post(console+"/withdraw", console, url.Values{"note": {"需要更新数据"}}); status != http.StatusSeeOther {
			t.Errorf("withdraw: %d", status)
		}
		if status, _ := anon.get(item); status != http.StatusNotFound {
			t.Errorf("a withdrawn item is public: %d", status)
		}
		if status, _ := anon.get(fmt.Sprintf("/api/v1/content/%d", id)); status != http.StatusNotFound {
			t.Errorf("a withdrawn item is in the API: %d", status)
		}
		status, body = editor.get(console)
		for _, want := range []string{"需要更新数据", "同意发布", "名152500", "名152502"} {
			if !strings.Contains(body, want) {
				t.Errorf("history lacks %q", want)
			}
		}
		_ = status
		if status, _, hdr := editor.post(console+"/reopen", console, url.Values{}); status != http.StatusSeeOther || !strings.HasSuffix(hdr.Get("Location"), "/edit") {
			t.Errorf("reopen: %d", status)
		}
	})
}

// loginAnd signs the client in with the test password and returns it.
func (c *client) loginAnd(user string) *client {
	c.login(user, pw)
	return c
}

func TestContentBadInput(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		c := newClient(t, ts.srv.URL)
		c.login("banner-152502", pw)
		for name, tc := range map[string]struct {
			edit func(url.Values)
			want string
		}{
			"menksoft":  {func(f url.Values) { f.Set("mn_title", "\ue2b1\ue2c4\ue26c") }, "蒙科立"},
			"oversized": {func(f url.Values) { f.Set("zh_body", "<p>"+strings.Repeat("科普", content.MaxBody/5)+"</p>") }, "正文过长"},
			"no title":  {func(f url.Values) { f.Del("zh_title") }, "请填写中文标题"},
			"scope":     {func(f url.Values) { f.Set("region_code", "152501") }, "不在您的管辖范围内"},
		} {
			f := contentForm()
			tc.edit(f)
			status, body, _ := c.post("/console/content", "/console/content/new", f)
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
				t.Errorf("%s: %d, want 422 saying %q", name, status, tc.want)
			}
		}
		f := contentForm()
		f.Set("kind", "video")
		f.Set("video_url", "https://video.example.org/a.mp4")
		status, body := c.postMultipart("/console/content", "/console/content/new", f, map[string][]byte{"poster": []byte("<html><script>not an image</script>")})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "只收 JPEG、PNG 或 WebP 图片") || !strings.Contains(body, "草原防火知识") {
			t.Errorf("a poster that is not an image: %d", status)
		}
		var poster bytes.Buffer
		png.Encode(&poster, image.NewRGBA(image.Rect(0, 0, 4, 3)))
		status, body = c.postMultipart("/console/content", "/console/content/new", f, map[string][]byte{"poster": poster.Bytes()})
		if status != http.StatusSeeOther {
			t.Fatalf("video with a poster: %d %s", status, body)
		}
		status, body = c.get("/console/content?kind=video")
		m := regexp.MustCompile(`href="(/console/content/\d+)"`).FindStringSubmatch(body)
		if status != 200 || !strings.Contains(body, "草原防火知识") || !strings.Contains(body, "锡林浩特市") || m == nil {
			t.Fatalf("video list: %d", status)
		}
		if status, b := c.get(m[1] + "/poster"); status != 200 || b != poster.String() {
			t.Errorf("poster: %d, %d bytes", status, len(b))
		}
		if status, _ := newClient(t, ts.srv.URL).loginAnd("banner-152501").get(m[1] + "/poster"); status != http.StatusNotFound {
			t.Errorf("another banner reads the poster: %d", status)
		}
		public := strings.Replace(m[1], "/console/content/", "/content/posters/", 1)
		anon := newClient(t, ts.srv.URL)
		if status, _ := anon.get(public); status != http.StatusNotFound {
			t.Errorf("the poster of a draft is public: %d", status)
		}
		c.post(m[1]+"/submit", m[1], url.Values{})
		if status, _, _ := newClient(t, ts.srv.URL).loginAnd("league-152500").post(m[1]+"/publish", m[1], url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("publish the video: %d", status)
		}
		if status, b := anon.get(public); status != 200 || b != poster.String() {
			t.Errorf("public poster: %d", status)
		}
		if _, page := anon.get(strings.Replace(m[1], "/console", "", 1)); !strings.Contains(page, `<meta property="og:image" content="`+ts.srv.URL+public+`?size=web">`) ||
			!strings.Contains(page, `href="https://video.example.org/a.mp4"`) {
			t.Errorf("video page lacks og:image or the video link")
		}
	})
}

// An article page's first load, aside from images and the font, stays under 150 KB over the
// wire for the largest article Kepu accepts in both languages: the HTML plus every style sheet
// and script it references, counted uncompressed.
func TestContentPageWeight(t *testing.T) {
	ts := newTestSite(t, dbtest.SQLite(t))
	editor := newClient(t, ts.srv.URL).loginAnd("banner-152502")
	f := contentForm()
	para := "<p>" + strings.Repeat("草原防火，人人有责。", 50) + "</p>"
	f.Set("zh_body", strings.Repeat(para, content.MaxBody/len(para)))
	mnPara := "<p>" + strings.Repeat(mnText+" ", 20) + "</p>"
	f.Set("mn_body", strings.Repeat(mnPara, content.MaxBody/len(mnPara)))
	id := createContent(t, editor, f)
	console := fmt.Sprintf("/console/content/%d", id)
	editor.post(console+"/submit", console, url.Values{})
	reviewer := newClient(t, ts.srv.URL).loginAnd("league-152500")
	if status, _, _ := reviewer.post(console+"/publish", console, url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("publish: %d", status)
	}
	anon := newClient(t, ts.srv.URL)
	status, page := anon.get(fmt.Sprintf("/content/%d", id))
	if status != 200 || len(page) < content.MaxBody {
		t.Fatalf("item page: %d, %d bytes", status, len(page))
	}
	total := len(page)
	refs := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"|<script[^>]+src="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("%d style sheets and scripts referenced", len(refs))
	}
	for _, m := range refs {
		ref := strings.ReplaceAll(m[1]+m[2], "&amp;", "&")
		status, b := anon.get(ref)
		if status != 200 {
			t.Errorf("%s: %d", ref, status)
		}
		total += len(b)
	}
	const budget = 150 << 10
	t.Logf("article page first load: %d bytes (HTML %d) with %d style sheets and scripts", total, len(page), len(refs))
	if total > budget {
		t.Errorf("article page first load is %d bytes, over the %d-byte budget", total, budget)
	}
}

// An online lecture and a repost go through the form and show their own facts publicly.
func TestContentLectureAndRepost(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		editor := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		reviewer := newClient(t, ts.srv.URL).loginAnd("league-152500")
		anon := newClient(t, ts.srv.URL)
		for name, tc := range map[string]struct {
			fields url.Values
			want   []string
		}{
			"lecture": {url.Values{"kind": {"lecture"}, "speaker": {"王研究员"}, "starts_at": {"2026-05-20T09:00"}, "ends_at": {"2026-05-20T10:30"},
				"stream_url": {"https://live.example.org/1"}, "replay_url": {"https://live.example.org/1/replay"}},
				[]string{"王研究员", "2026-05-20 09:00 – 2026-05-20 10:30", `href="https://live.example.org/1/replay"`}},
			"repost": {url.Values{"kind": {"repost"}, "source_platform": {"科普中国"}, "source_url": {"https://www.kepuchina.cn/article/1"}},
				[]string{"科普中国", `href="https://www.kepuchina.cn/article/1"`}},
		} {
			f := contentForm()
			f.Del("mn_title")
			f.Del("mn_body")
			for k, v := range tc.fields {
				f[k] = v
			}
			id := createContent(t, editor, f)
			console := fmt.Sprintf("/console/content/%d", id)
			editor.post(console+"/submit", console, url.Values{})
			if status, _, _ := reviewer.post(console+"/publish", console, url.Values{}); status != http.StatusSeeOther {
				t.Fatalf("%s: publish %d", name, status)
			}
			status, body := anon.get(fmt.Sprintf("/content/%d", id))
			if status != 200 || strings.Contains(body, `lang="mn-Mong"`) || strings.Contains(body, "mongolian-font.css") {
				t.Errorf("%s: %d, or a Mongolian block without a Mongolian version", name, status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s page lacks %q", name, w)
				}
			}
		}
	})
}
