package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
)

// Search through the real site: the box on /content, the public results page, the console
// search of a scope, the JSON API, and the refusals of a one-character and a 10,000-character
// query.
func TestContentSearch(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		editor := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		reviewer := newClient(t, ts.srv.URL).loginAnd("league-152500")
		anon := newClient(t, ts.srv.URL)

		published := createContent(t, editor, contentForm()) // 草原防火知识, banner 152502
		console := fmt.Sprintf("/console/content/%d", published)
		if status, _, _ := editor.post(console+"/submit", console, url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("submit: %d", status)
		}
		if status, body, _ := reviewer.post(console+"/publish", console, url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("publish: %d %s", status, body)
		}
		draft := contentForm()
		draft.Set("zh_title", "草原鼠害草稿")
		draftID := createContent(t, editor, draft)

		if _, body := anon.get("/content"); !strings.Contains(body, `action="/content/search"`) {
			t.Error("the content home has no search box")
		}
		q := "/content/search?q=" + url.QueryEscape("草原")
		status, body := anon.get(q)
		if status != 200 || !strings.Contains(body, fmt.Sprintf(`href="/content/%d"`, published)) || strings.Contains(body, "草原鼠害草稿") {
			t.Errorf("public search 草原: %d; want the published item and not the draft", status)
		}
		if !strings.Contains(body, `value="草原"`) || !strings.Contains(body, "找到 1 条") {
			t.Error("the results page does not repeat the query and the count")
		}
		if status, body = anon.get("/content/search?q=" + url.QueryEscape("ᠮᠡᠳᠡᠯᠭᠡ")); status != 200 || !strings.Contains(body, fmt.Sprintf(`href="/content/%d"`, published)) {
			t.Errorf("public search in Mongolian: %d", status)
		}
		if status, body = anon.get("/content/search?q=" + url.QueryEscape("沙漠")); status != 200 || !strings.Contains(body, "没有找到") {
			t.Errorf("search without results: %d", status)
		}
		if status, body = anon.get("/content/search"); status != 200 || strings.Contains(body, "没有找到") {
			t.Errorf("the empty search page: %d", status)
		}
		// Bad input: one character, 10,000 characters.
		if status, body = anon.get("/content/search?q=" + url.QueryEscape("草")); status != http.StatusUnprocessableEntity || !strings.Contains(body, "搜索词太短") {
			t.Errorf("one character: %d", status)
		}
		long := strings.Repeat("草原", 5000)
		status, body = anon.get("/content/search?q=" + url.QueryEscape(long))
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "搜索词太长：最多 100 个字") {
			t.Errorf("10,000 characters: %d", status)
		}
		if strings.Contains(body, strings.Repeat("草原", 51)) {
			t.Error("the page repeats more than 100 characters of the query")
		}

		// Console: the caller's scope, drafts included; another banner sees neither.
		status, body = editor.get("/console/content/search?q=" + url.QueryEscape("草原"))
		if status != 200 || !strings.Contains(body, fmt.Sprintf(`href="/console/content/%d"`, draftID)) || !strings.Contains(body, console+`"`) {
			t.Errorf("console search 草原: %d", status)
		}
		other := newClient(t, ts.srv.URL).loginAnd("banner-152501")
		if status, body = other.get("/console/content/search?q=" + url.QueryEscape("草原")); status != 200 || strings.Contains(body, "草原鼠害草稿") || strings.Contains(body, console+`"`) {
			t.Errorf("another banner finds 152502's items: %d", status)
		}
		if status, body = other.get("/console/content/search?q=x"); status != http.StatusUnprocessableEntity || !strings.Contains(body, "搜索词太短") {
			t.Errorf("console one character: %d", status)
		}
		if status, _ = anon.get("/console/content/search?q=" + url.QueryEscape("草原")); status != http.StatusSeeOther {
			t.Errorf("console search without sign-in: %d", status)
		}

		// The API.
		status, body = anon.get("/api/v1/content/search?q=" + url.QueryEscape("防火 草原"))
		var res struct {
			Items []struct {
				ID    int64  `json:"id"`
				Title string `json:"title"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if err := json.Unmarshal([]byte(body), &res); status != 200 || err != nil || res.Total != 1 || len(res.Items) != 1 || res.Items[0].ID != published {
			t.Errorf("API search: %d %s", status, body)
		}
		for _, bad := range []string{"", "草", url.QueryEscape(long)} {
			if status, body = anon.get("/api/v1/content/search?q=" + bad); status != http.StatusUnprocessableEntity || !strings.Contains(body, `"message":"搜索词太`) {
				t.Errorf("API q=%.10s: %d %.200s", bad, status, body)
			}
		}
	})
}
