package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
)

var userPath = regexp.MustCompile(`^/console/users/(\d+)$`)

// newUser creates an account through the console form and returns its page.
func newUser(t *testing.T, admin *client, username, role, code string) string {
	t.Helper()
	status, body, hdr := admin.post("/console/users", "/console/users/new", url.Values{"username": {username}, "display_name": {username},
		"password": {pw}, "role": {role}, "region": {code}})
	if status != http.StatusSeeOther || !userPath.MatchString(hdr.Get("Location")) {
		t.Fatalf("create %s (%s at %s): %d %.300s", username, role, code, status, body)
	}
	return hdr.Get("Location")
}

// The editor and reviewer roles of the content hub: granted per unit of any level, they open
// the content workflow and nothing else; publishing needs the reviewer role, editing the staff
// or editor role.
func TestContentRoles(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		admin := newClient(t, ts.srv.URL).loginAnd("admin")
		newUser(t, admin, "writer", "content_editor", "152502")
		checkerPage := newUser(t, admin, "checker", "content_reviewer", "152502")

		writer := newClient(t, ts.srv.URL).loginAnd("writer")
		checker := newClient(t, ts.srv.URL).loginAnd("checker")

		// A content role gives no scope outside the content hub.
		if _, body := admin.get("/console/users"); !strings.Contains(body, "banner-152502") {
			t.Fatal("the region's admin does not list the banner's account")
		}
		for _, c := range []*client{writer, checker} {
			if status, body := c.get("/console/users"); status != 200 || strings.Contains(body, "banner-152502") {
				t.Errorf("a content-only account lists the accounts of its unit: %d", status)
			}
		}

		// The editor writes in its unit, not elsewhere.
		id := createContent(t, writer, contentForm())
		console := fmt.Sprintf("/console/content/%d", id)
		elsewhere := contentForm()
		elsewhere.Set("region_code", "152501")
		if status, body, _ := writer.post("/console/content", "/console/content/new", elsewhere); status == http.StatusSeeOther {
			t.Errorf("the editor of 152502 creates an item of 152501: %d %.200s", status, body)
		}
		// A reviewer that is no editor can not edit.
		edit := contentForm()
		edit.Set("zh_title", "审核员改的标题")
		if status, body, _ := checker.post(console, console+"/edit", edit); status != http.StatusConflict || !strings.Contains(body, "没有编辑权限") {
			t.Errorf("a reviewer edits: %d", status)
		}
		writer.post(console+"/submit", console, url.Values{})

		// Staff of the banner (an editor, not a reviewer) sees no publish button and is refused.
		banner := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		if status, body := banner.get(console); status != 200 || strings.Contains(body, "/publish") {
			t.Errorf("the banner's staff sees the publish form: %d", status)
		}
		if status, body, _ := banner.post(console+"/publish", console, url.Values{}); status != http.StatusConflict || !strings.Contains(body, "没有审核权限") {
			t.Errorf("the banner's staff publishes: %d", status)
		}
		if status, body := checker.get(console); status != 200 || !strings.Contains(body, `action="`+console+`/publish"`) || strings.Contains(body, console+"/edit") {
			t.Errorf("the reviewer's page: %d", status)
		}
		if status, body, _ := checker.post(console+"/publish", console, url.Values{"note": {"同意"}}); status != http.StatusSeeOther {
			t.Fatalf("the reviewer publishes: %d %.300s", status, body)
		}
		if status, _ := newClient(t, ts.srv.URL).get(fmt.Sprintf("/content/%d", id)); status != 200 {
			t.Errorf("published item: %d", status)
		}
		if status, _, _ := checker.post(console+"/withdraw", console, url.Values{"note": {"数据过期"}}); status != http.StatusSeeOther {
			t.Errorf("the reviewer withdraws: %d", status)
		}
		if status, body, _ := checker.post(console+"/reopen", console, url.Values{}); status != http.StatusConflict || !strings.Contains(body, "没有编辑权限") {
			t.Errorf("the reviewer reopens for editing: %d", status)
		}
		if status, _, _ := writer.post(console+"/reopen", console, url.Values{}); status != http.StatusSeeOther {
			t.Errorf("the editor reopens: %d", status)
		}

		// Granting and revoking on the account page, inside the granter's scope only.
		if status, body := banner.get(checkerPage); status != 200 || !strings.Contains(body, `/roles/revoke`) {
			t.Errorf("the banner's staff sees no revocable content role: %d", status)
		}
		if status, _, _ := banner.post(checkerPage+"/roles", checkerPage, url.Values{"role": {"content_editor"}, "region": {"152502001"}}); status != http.StatusSeeOther {
			t.Errorf("grant an editor role at a township: %d", status)
		}
		if status, _, _ := banner.post(checkerPage+"/roles", checkerPage, url.Values{"role": {"content_editor"}, "region": {"152501"}}); status != http.StatusForbidden {
			t.Errorf("grant outside the granter's scope: %d", status)
		}
		if status, body, _ := banner.post(checkerPage+"/roles", checkerPage, url.Values{"role": {"banner_admin"}, "region": {"152502"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择内容角色") {
			t.Errorf("grant a staff role on the account page: %d", status)
		}
		if status, body := checker.get(checkerPage); status != 200 || !strings.Contains(body, "152502001") || !strings.Contains(body, "科普内容编辑") {
			t.Errorf("the granted role is not shown: %d", status)
		}
		if status, _, _ := banner.post(checkerPage+"/roles/revoke", checkerPage, url.Values{"role": {"content_reviewer"}, "region": {"152502"}}); status != http.StatusSeeOther {
			t.Errorf("revoke: %d", status)
		}
		if status, _, _ := banner.post(checkerPage+"/roles/revoke", checkerPage, url.Values{"role": {"content_reviewer"}, "region": {"152502"}}); status != http.StatusNotFound {
			t.Errorf("revoke twice: %d", status)
		}
		var audits int
		d.QueryRow(`SELECT count(*) FROM audit_log WHERE action IN ('account.grant', 'account.revoke') AND target = 'checker'`).Scan(&audits)
		if audits != 2 {
			t.Errorf("audit rows for grant and revoke: %d, want 2", audits)
		}
		writer.post(console+"/submit", console, url.Values{})
		if status, _, _ := checker.post(console+"/publish", console, url.Values{}); status != http.StatusNotFound {
			t.Errorf("a reviewer whose role was revoked (left with an editor role at a township) reaches the item: %d", status)
		}
	})
}
