package main

import (
	"context"
	"fmt"
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
	editor := newClient(t, ts.srv.URL).loginAnd("banner-152502")
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
		if cc := hdr.Get("Cache-Control"); !strings.Contains(cc, "stale-if-error") {
			t.Errorf("kiosk page Cache-Control %q keeps nothing for a dropped link", cc)
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
