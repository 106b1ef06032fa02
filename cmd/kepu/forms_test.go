package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/registry"
	"github.com/kepu/kepu/internal/stats/forms"
	"github.com/xuri/excelize/v2"
)

var formPath = regexp.MustCompile(`^/console/stats/forms/(\d+)`)

// openForm starts a unit's form from the list and returns its path.
func openForm(t *testing.T, c *client, unit string, year int) string {
	t.Helper()
	status, body, hdr := c.post("/console/stats/forms", fmt.Sprintf("/console/stats/forms?year=%d", year), url.Values{"unit": {unit}, "year": {fmt.Sprint(year)}})
	if status != http.StatusSeeOther || !formPath.MatchString(hdr.Get("Location")) {
		t.Fatalf("open %s %d: %d %.300s", unit, year, status, body)
	}
	return hdr.Get("Location")
}

// formValues are a form's lines as posted (v.CODE), with the action.
func formValues(action string, figs map[string]string, remarks map[string]string) url.Values {
	v := url.Values{"action": {action}}
	for code, x := range figs {
		v.Set("v."+code, x)
	}
	for code, x := range remarks {
		v.Set("r."+code, x)
	}
	return v
}

// The forms' pages end to end: a banner files its form (pre-filled from the indicator
// registry), sees every problem at once, submits; the league above returns it with reasons and
// then accepts it (locked); the summary, the export and the import; a banner sees only its
// subtree.
func TestFormsPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ts := newTestSite(t, d)
		if _, err := ts.site.Registry.Create(ctx, &registry.Museums, region.NewScope("150000"), 0,
			registry.Values{"name": "锡林浩特市科技馆", "region_code": "152502", "tier": "banner", "floor_area": 3000.0, "exhibits": int64(80)}); err != nil {
			t.Fatal(err)
		}
		banner := newClient(t, ts.srv.URL)
		banner.login("banner-152502", pw)
		league := newClient(t, ts.srv.URL)
		league.login("league-152500", pw)
		other := newClient(t, ts.srv.URL)
		other.login("banner-152501", pw)

		status, body := banner.get("/console/stats/forms?year=2026")
		if status != 200 || !strings.Contains(body, "锡林浩特市科协") || !strings.Contains(body, "锡林浩特市科技馆") || strings.Contains(body, "二连浩特市科协") {
			t.Fatalf("list: %d %.500s", status, body)
		}
		if status, _ := banner.get("/console/stats/forms?within=152501"); status != 404 {
			t.Errorf("a banner lists another banner's units: %d", status)
		}
		path := openForm(t, banner, "152502", 2026)
		status, body = banner.get(path)
		// KC01 (science museums) is pre-filled from the indicator registry: the museum recorded
		// at the banner itself.
		if status != 200 || !regexp.MustCompile(`name="v.KC01" value="1"`).MatchString(body) || !strings.Contains(body, "科普专职人员") {
			t.Fatalf("form page not pre-filled: %d", status)
		}
		if status, _ := other.get(path); status != 404 {
			t.Errorf("another banner opens the form: %d", status)
		}
		// Every problem at once, beside its line; nothing submitted.
		bad := map[string]string{"KR00": "5", "KR02": "4", "KR03": "3", "KR12": "6", "KJ01": "1000", "KJ02": "1,200", "KM12": "三"}
		status, body, _ = banner.post(path, path, formValues("submit", bad, nil))
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "“三”不是数字") || !strings.Contains(body, `name="v.KR12" value="6"`) {
			t.Errorf("a word for a number: %d, want 422 with the message and the typed values kept", status)
		}
		bad["KM12"] = "2"
		status, body, _ = banner.post(path, path, formValues("submit", bad, nil))
		if status != http.StatusUnprocessableEntity || strings.Count(body, `class="field-error"`) != 3 ||
			!strings.Contains(body, "科普专职人员、科普兼职人员之和（7）不能大于科普人员合计（5）") || !strings.Contains(body, "不能大于科普专职人员（4）") || !strings.Contains(body, "政府拨款、捐赠、自筹资金、其他收入之和（1200）") {
			t.Errorf("problems not all shown: %d %s", status, body)
		}
		good := map[string]string{"KR00": "9", "KR02": "4", "KR03": "5", "KR12": "2", "KJ01": "1000", "KJ02": "800", "KC01": "1", "KM12": "2"}
		if status, body, _ := banner.post(path, path, formValues("submit", good, nil)); status != http.StatusSeeOther {
			t.Fatalf("submit: %d %.400s", status, body)
		}
		// The banner cannot review its own form; the league can. Returning needs reasons.
		if status, _, _ := banner.post(path+"/review", path, url.Values{"decision": {"accept"}}); status != http.StatusForbidden {
			t.Errorf("a banner accepted its own form: %d", status)
		}
		if status, _, _ := league.post(path+"/review", path, url.Values{"decision": {"return"}}); status != http.StatusUnprocessableEntity {
			t.Errorf("returned without reasons: %d", status)
		}
		if status, _, _ := league.post(path+"/review", path, url.Values{"decision": {"return"}, "reasons": {"经费筹集额请与财务决算核对"}}); status != http.StatusSeeOther {
			t.Errorf("return: %d", status)
		}
		if _, body := banner.get(path); !strings.Contains(body, "经费筹集额请与财务决算核对") || !strings.Contains(body, "已退回") {
			t.Error("the returned form lacks the reviewer's reasons")
		}
		banner.post(path, path, formValues("submit", good, nil))
		if status, _, _ := league.post(path+"/review", path, url.Values{"decision": {"accept"}}); status != http.StatusSeeOther {
			t.Errorf("accept: %d", status)
		}
		if status, _, _ := banner.post(path, path, formValues("save", good, nil)); status != http.StatusConflict {
			t.Errorf("an accepted form was saved: %d", status)
		}
		// Summary at the league: the banner's accepted form, the museum missing.
		status, body = league.get("/console/stats/forms/summary?unit=152500&year=2026")
		if status != 200 || !strings.Contains(body, "已汇总已确认的调查表 1 份") || !strings.Contains(body, "锡林浩特市科技馆") || !strings.Contains(body, "<td class=\"num\">1,000</td>") {
			t.Errorf("summary: %d", status)
		}
		if status, _ := banner.get("/console/stats/forms/summary?unit=152500&year=2026"); status != 404 {
			t.Errorf("a banner sees its league's summary: %d", status)
		}
		status, xlsx := banner.get(path + "/export")
		x, err := excelize.OpenReader(strings.NewReader(xlsx))
		if status != 200 || err != nil {
			t.Fatalf("export: %d %v", status, err)
		}
		if v, _ := x.GetCellValue(x.GetSheetList()[0], "D2"); v != "152502" {
			t.Errorf("export's unit key: %q", v)
		}
		// Import an earlier year of the banner's form (the league reviews it, so the league
		// imports it); it shows as last year's column on the form.
		var buf bytes.Buffer
		forms.WriteXLSX(&buf, []forms.Sheet{{UnitKey: "152502", UnitName: "锡林浩特市科协", Year: 2025, Figures: forms.Figures{"KR00": 8, "KJ01": 400}}})
		if status, body := banner.upload("/console/stats/forms/import", "/console/stats/forms/import", "2025.xlsx", buf.Bytes()); status != http.StatusUnprocessableEntity || !strings.Contains(body, "上一级审核") {
			t.Errorf("a banner imported its own form: %d", status)
		}
		status, body = league.upload("/console/stats/forms/import", "/console/stats/forms/import", "2025.xlsx", buf.Bytes())
		if status != 200 || !strings.Contains(body, "已导入 1 份") {
			t.Fatalf("import: %d %.500s", status, body)
		}
		if _, body := banner.get(path); !strings.Contains(body, "<th>2025</th>") || !strings.Contains(body, "与上年相比变化较大") {
			t.Error("last year's imported figures are not on the form")
		}
	})
}
