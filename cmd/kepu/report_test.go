package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/stats/report"
	"github.com/xuri/excelize/v2"
)

// The annual report in the console: the document with its style sheet at a hashed URL, the
// .xlsx appendix, national ranks entered on a form (all problems at once, nothing saved) and
// written into the report; a banner admin gets only its own banner's report.
func TestReportPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		dashDemo(t, d)
		ts := newTestSite(t, d)
		admin := newClient(t, ts.srv.URL)
		admin.login("admin", pw)
		status, body := admin.get("/console/stats/report?region=150000&year=2026")
		if status != http.StatusOK {
			t.Fatalf("report: %d %s", status, body)
		}
		for _, want := range []string{"内蒙古自治区2026年科普工作报告", "加强科普基础设施建设", "数据附表", report.CSSPath, `href="/console/activities?`, "多"} {
			if !strings.Contains(body, want) {
				t.Errorf("report lacks %q", want)
			}
		}
		if status, css := admin.get(report.CSSPath); status != 200 || !strings.Contains(css, "@media print") {
			t.Errorf("report css: %d", status)
		}
		resp, err := admin.http.Get(ts.srv.URL + "/console/stats/report.xlsx?region=150000&year=2026")
		if err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetName(0))
		if len(rows) < 40 || rows[0][4] != "精确值" {
			t.Fatalf("appendix: %d rows", len(rows))
		}

		// Ranks: a bad entry comes back with every problem; a good one shows in the report.
		status, body, _ = admin.post("/console/stats/report/ranks", "/console/stats/report/ranks?region=150000&year=2026",
			url.Values{"region": {"150000"}, "year": {"2026"}, "rank.KC01": {"0"}, "rank.KR11": {"abc"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "“科技馆”的全国排名") || !strings.Contains(body, "“科普信息员”的全国排名") {
			t.Fatalf("bad ranks: %d", status)
		}
		status, _, _ = admin.post("/console/stats/report/ranks", "/console/stats/report/ranks?region=150000&year=2026",
			url.Values{"region": {"150000"}, "year": {"2026"}, "rank.KC01": {"1"}, "rank.KR11": {"7"}})
		if status != http.StatusSeeOther {
			t.Fatalf("ranks: %d", status)
		}
		if _, body := admin.get("/console/stats/report/ranks?region=150000&year=2026&saved=1"); !strings.Contains(body, `value="7"`) {
			t.Error("saved rank not shown on the form")
		}
		_, body = admin.get("/console/stats/report?region=150000&year=2026")
		if !strings.Contains(body, "排在全国第1位") || !strings.Contains(body, "排在全国第7位") {
			t.Error("entered ranks not in the report")
		}

		banner := newClient(t, ts.srv.URL)
		banner.login("banner-152502", pw)
		for _, p := range []string{"/console/stats/report?region=150000&year=2026", "/console/stats/report?region=152501&year=2026",
			"/console/stats/report.xlsx?region=150000&year=2026", "/console/stats/report/ranks?region=152500&year=2026"} {
			if status, _ := banner.get(p); status != http.StatusNotFound {
				t.Errorf("banner admin %s: %d", p, status)
			}
		}
		status, body = banner.get("/console/stats/report?year=2026")
		if status != 200 || !strings.Contains(body, "锡林浩特市2026年科普工作报告") || strings.Contains(body, "排在全国") {
			t.Errorf("banner report: %d", status)
		}
	})
}

// kepu report writes the same report as one standalone HTML file (style sheet inside) and the
// .xlsx appendix.
func TestCLIReport(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		dashDemo(t, d)
		dir := t.TempDir()
		out, xlsx := filepath.Join(dir, "r.html"), filepath.Join(dir, "a.xlsx")
		code, _, stderr := kepu(t, nil, "", "report", "--db", dsnOf(t, d), "--region", "150000", "--year", "2026", "--out", out, "--xlsx", xlsx,
			"--base-url", "https://kepu.example.org")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		html := string(b)
		if !strings.Contains(html, "<style>") || !strings.Contains(html, "内蒙古自治区2026年科普工作报告") || !strings.Contains(html, `href="https://kepu.example.org/console/activities?`) {
			t.Error("the report file lacks its style sheet, title or absolute records links")
		}
		if st, err := os.Stat(xlsx); err != nil || st.Size() == 0 {
			t.Errorf("appendix: %v", err)
		}
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"report", "--db", dsnOf(t, d), "--year", "2026"}, "--region"},
			{[]string{"report", "--db", dsnOf(t, d), "--region", "15x", "--year", "2026"}, "--region"},
			{[]string{"report", "--db", dsnOf(t, d), "--region", "150000", "--year", "1900"}, "--year"},
		} {
			code, _, stderr := kepu(t, nil, "", c.args...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("%v: exit %d %s", c.args, code, stderr)
			}
		}
	})
}

// BenchmarkReportRegion serves the full annual report of the region for the demo year at the
// seed's scale (every figure, the year before, five years of trends, the appendix table).
// Issue #8's target: under 2 s.
//
//	go test -run xxx -bench ReportRegion -benchtime 10x ./cmd/kepu/
func BenchmarkReportRegion(b *testing.B) {
	dbtest.Bench(b, func(b *testing.B, d *db.DB) {
		_, c := benchSite(b, d)
		b.ResetTimer()
		for range b.N {
			if status, body := c.get("/console/stats/report?region=150000&year=2026"); status != 200 {
				b.Fatalf("%d %s", status, body)
			}
		}
	})
}
