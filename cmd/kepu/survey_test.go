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
	"github.com/kepu/kepu/internal/survey"
	"github.com/xuri/excelize/v2"
)

var surveyPath = regexp.MustCompile(`^/console/surveys/(\d+)$`)

// createSurvey creates a league survey with the sample bank through the form.
func createSurvey(t *testing.T, c *client) int64 {
	t.Helper()
	status, body, hdr := c.post("/console/surveys", "/console/surveys", url.Values{"title": {"锡林郭勒盟科学素质调查"}, "title_mn": {mnText},
		"year": {"2026"}, "region_code": {"152500"}, "scheme": {"national2024"}, "sample": {"1"}})
	m := surveyPath.FindStringSubmatch(hdr.Get("Location"))
	if status != http.StatusSeeOther || m == nil {
		t.Fatalf("create survey: %d %s", status, body)
	}
	var id int64
	fmt.Sscan(m[1], &id)
	return id
}

// respondentForm is a respondent of 锡林浩特市 with weight 250.
func respondentForm() url.Values {
	return url.Values{"region_code": {"152502"}, "stratum": {"152500"}, "psu": {"152502"}, "weight": {"250"}, "urban": {"1"}, "sex": {"female"}, "age_group": {"30-39"}}
}

// allRightForm answers every item of the sample bank correctly.
func allRightForm(v url.Values) url.Values {
	for i, it := range survey.SampleBank() {
		for _, a := range it.Answer {
			v.Add(fmt.Sprintf("q%d", i+1), fmt.Sprint(a))
		}
	}
	return v
}

func TestSurveyConsoleAndQuestionnaire(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		league := newClient(t, ts.srv.URL).loginAnd("league-152500")
		anon := newClient(t, ts.srv.URL)

		// Bad input comes back on the form with every problem.
		status, body, _ := league.post("/console/surveys", "/console/surveys", url.Values{"title": {""}, "year": {"1990"}, "region_code": {"152500"}, "scheme": {"custom"}, "pass": {"60"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写调查名称") || !strings.Contains(body, "调查年份") || !strings.Contains(body, "分值") {
			t.Errorf("bad survey form: %d", status)
		}
		id := createSurvey(t, league)
		page := fmt.Sprintf("/console/surveys/%d", id)
		status, body = league.get(page)
		if status != 200 || !strings.Contains(body, "地球内部的中心温度非常高") || !strings.Contains(body, `class="mn" lang="mn-Mong"`) ||
			!strings.Contains(body, "/content/mongolian-font.css?f=") || !strings.Contains(body, "2024 年全国百分制测评") {
			t.Fatalf("survey page: %d", status)
		}
		if status, body = league.get("/console/surveys"); status != 200 || !strings.Contains(body, "锡林郭勒盟科学素质调查") {
			t.Errorf("list: %d", status)
		}
		// Another league's admin does not see it; the banner admin below does.
		if status, _ = newClient(t, ts.srv.URL).loginAnd("banner-152502").get(page); status != 200 {
			t.Errorf("banner admin of the league: %d", status)
		}
		if status, _ = newClient(t, ts.srv.URL).loginAnd("admin").get(page); status != 200 {
			t.Errorf("region admin: %d", status)
		}

		// A bad item is refused with its reason; a good one is added at the end.
		status, body, _ = league.post(page+"/items", page, url.Values{"kind": {"single"}, "dimension": {"method"}, "zh": {"题"}, "options": {"甲\n乙"}, "answer": {"C"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "超出选项范围") {
			t.Errorf("bad item: %d", status)
		}
		status, _, _ = league.post(page+"/items", page, url.Values{"kind": {"tf"}, "dimension": {"knowledge"}, "zh": {"光速比声速快。"}, "mn": {mnText}, "answer": {"对"}})
		if status != http.StatusSeeOther {
			t.Fatalf("add item: %d", status)
		}
		if _, body = league.get(page); !strings.Contains(body, "光速比声速快") {
			t.Error("added item not shown")
		}
		// Items from a sheet: a bad row refuses the file.
		status, body = league.upload("", page, "题目.csv", []byte("题型,维度,题目,答案\n判断题,科学知识,水在标准大气压下100℃沸腾。,对\n单选题,科学方法,没有选项的题,A\n"))
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "第 3 行") || !strings.Contains(body, "至少要有 2 个选项") {
			t.Errorf("bad items file: %d", status)
		}
		if status, _ = league.get(page + "/template?kind=items"); status != 200 {
			t.Errorf("items template: %d", status)
		}

		// An invitation: link and QR; the questionnaire answers once.
		bad := respondentForm()
		bad.Set("weight", "-3")
		bad.Set("region_code", "150102")
		status, body, _ = league.post(page+"/invitations", page, bad)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "权数须为正数") {
			t.Errorf("bad invitation: %d", status)
		}
		status, body, hdr := league.post(page+"/invitations", page, respondentForm())
		if status != http.StatusSeeOther {
			t.Fatalf("invite: %d %s", status, body)
		}
		status, body = league.get(hdr.Get("Location"))
		m := regexp.MustCompile(`/q/([A-Z0-9]{10})`).FindStringSubmatch(body)
		if status != 200 || m == nil || !strings.Contains(body, "<svg") {
			t.Fatalf("invitation page: %d", status)
		}
		q := "/q/" + m[1]
		// A sample list makes one invitation a row; the export lists them with their links.
		status, body = league.postMultipart(page+"/invitations/import", page, nil, map[string][]byte{"file": []byte("区划代码,层,初级抽样单元,权数,城乡,性别,年龄组\n152502,152500,152502,300,城镇,男,50-59\n")})
		if status != http.StatusSeeOther {
			t.Errorf("sample list: %d %s", status, body)
		}
		status, body = league.get(page + "/invitations.xlsx")
		if x, err := excelize.OpenReader(strings.NewReader(body)); status != 200 || err != nil {
			t.Errorf("invitations export: %d %v", status, err)
		} else if rows, _ := x.GetRows(x.GetSheetName(0)); len(rows) != 3 || !strings.HasPrefix(rows[1][1], ts.srv.URL+"/q/") || rows[0][0] != "邀请码" {
			t.Errorf("invitations export: %q", rows)
		}
		status, body = anon.get(q)
		if status != 200 || !strings.Contains(body, "抗生素能杀死病毒") || !strings.Contains(body, `type="checkbox" name="q13"`) {
			t.Fatalf("questionnaire: %d", status)
		}
		css := regexp.MustCompile(`href="(/surveys/survey\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(body)
		if css == nil || !strings.Contains(body, "/content/mongolian-font.css?f=") {
			t.Fatal("the questionnaire lacks its style sheet or the Mongolian font")
		}
		if resp, err := anon.http.Get(ts.srv.URL + css[1]); err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("survey.css: %v %v", resp, err)
		} else {
			resp.Body.Close()
		}
		// The added item (20) left blank: the respondent must confirm.
		status, body, _ = anon.post(q, q, allRightForm(url.Values{}))
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "还有 1 道题没有作答") || !strings.Contains(body, `href="#q20"`) || !strings.Contains(body, `value="0" checked`) {
			t.Errorf("unanswered not asked: %d", status)
		}
		status, body, _ = anon.post(q, q, allRightForm(url.Values{"confirm_blank": {"1"}}))
		if status != 200 || !strings.Contains(body, "感谢参与") || !strings.Contains(body, "高水平") {
			t.Errorf("submit: %d %s", status, body)
		}
		if _, body = anon.get(q); !strings.Contains(body, "只能作答一次") || strings.Contains(body, "<form method=\"post\" action=\"/q/") {
			t.Error("a used code still shows the questionnaire")
		}
		status, body, _ = anon.post(q, "/login", allRightForm(url.Values{"confirm_blank": {"1"}}))
		if status != http.StatusConflict || !strings.Contains(body, "只能作答一次") {
			t.Errorf("second submission: %d", status)
		}
		if status, _ = anon.get("/q/NOSUCHCODE"); status != 404 {
			t.Errorf("unknown code: %d", status)
		}

		// Interviewer entry by the banner admin; outside its banner refused.
		banner := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		iv := page + "/interview"
		other := respondentForm()
		other.Set("region_code", "152501")
		other.Set("confirm_blank", "1")
		status, body, _ = banner.post(iv, iv, allRightForm(other))
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "管辖范围") {
			t.Errorf("interview outside scope: %d", status)
		}
		f := allRightForm(respondentForm())
		f.Set("confirm_blank", "1")
		status, _, hdr = banner.post(iv, iv, f)
		if status != http.StatusSeeOther {
			t.Fatalf("interview: %d", status)
		}
		if status, body = banner.get(hdr.Get("Location")); status != 200 || !strings.Contains(body, "已保存，得分 96.36") {
			t.Errorf("after interview: %d", status)
		}

		// Import: a bad file names row and column and writes nothing.
		head := "区划代码,层,初级抽样单元,权数,城乡,性别,年龄组"
		for i := 1; i <= 20; i++ {
			head += fmt.Sprintf(",第%d题", i)
		}
		row := func(code, weight string) string {
			return code + ",152500," + code + "," + weight + ",乡村,男,40-49,对,对,错,对,对,错,错,错,对,C,B,A,AB,对,B,错,AC,B,对,对"
		}
		status, body = league.postMultipart(page+"/imports", page, nil, map[string][]byte{"file": []byte(head + "\n" + row("152502", "80") + "\n" + row("152502", "0") + "\n")})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "第 3 行，“权数”列") || !strings.Contains(body, "未导入任何数据") {
			t.Errorf("bad import: %d", status)
		}
		status, body = league.postMultipart(page+"/imports", page, nil, map[string][]byte{"file": []byte(head + "\n" + row("152502", "80") + "\n" + row("152501", "90") + "\n")})
		if status != http.StatusSeeOther {
			t.Fatalf("import: %d %s", status, body)
		}
		if _, body = league.get(page); !strings.Contains(body, "<dd>4</dd>") {
			t.Error("the survey page does not count 4 responses")
		}
		if status, _ = league.get(page + "/template"); status != 200 {
			t.Errorf("template: %d", status)
		}

		// Margins: a variable must be complete; then stored and listed.
		status, body, _ = league.post(page+"/margins", page, url.Values{"region_code": {"152500"}, "sex_male": {"520000"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "性别须填齐") {
			t.Errorf("incomplete margin: %d", status)
		}
		status, _, _ = league.post(page+"/margins", page, url.Values{"region_code": {"152500"}, "sex_male": {"520000"}, "sex_female": {"500000"}})
		if status != http.StatusSeeOther {
			t.Errorf("margins: %d", status)
		}
		if _, body = league.get(page); !strings.Contains(body, "520,000") {
			t.Error("margins not listed")
		}
		status, body = league.postMultipart(page+"/margins/import", page, nil, map[string][]byte{"file": []byte("区划代码,变量,类别,人口数\n152500,城乡,郊区,100\n")})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "城乡没有类别“郊区”") {
			t.Errorf("bad margins file: %d", status)
		}

		// The report: 4 respondents, every cell suppressed (n < 30) with its reason. The sample
		// has no man… it has: two imported men. Raked to sex margins the report still renders.
		status, body = league.get(page + "/report?rake=0")
		if status != 200 || !strings.Contains(body, "样本量 4 少于 30") || !strings.Contains(body, "历年趋势") {
			t.Errorf("report: %d %s", status, body)
		}
		status, body = league.get(page + "/report")
		if status != 200 || !strings.Contains(body, "已按人口边际加权调整") || !strings.Contains(body, "样本量 4 少于 30") {
			t.Errorf("raked report: %d %s", status, body)
		}
		// A margin category no respondent is in: the report says which, and shows no numbers.
		league.post(page+"/margins", page, url.Values{"region_code": {"152500"}, "age_group_18-29": {"1000"}, "age_group_30-39": {"1000"}, "age_group_40-49": {"1000"},
			"age_group_50-59": {"1000"}, "age_group_60-69": {"1000"}})
		status, body = league.get(page + "/report")
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "年龄组的类别“18-29”") {
			t.Errorf("margin category without respondents: %d", status)
		}
		status, body = league.get(page + "/report.xlsx?rake=0")
		x, err := excelize.OpenReader(strings.NewReader(body))
		if status != 200 || err != nil {
			t.Fatalf("export: %d %v", status, err)
		}
		rows, _ := x.GetRows(x.GetSheetName(0))
		if len(rows) != 1+1+1+2+2+2 || rows[0][3] != "具备科学素质比例（%）" || rows[1][0] != "总体" || rows[1][2] != "4" || rows[1][9] != "样本量 4 少于 30" || len(rows[1]) != 10 || rows[1][3] != "" {
			t.Errorf("export rows: %q", rows)
		}
		if status, body = newClient(t, ts.srv.URL).loginAnd("admin").get("/console/surveys/trend"); status != 200 || !strings.Contains(body, "5.14%") || !strings.Contains(body, "8.73%") {
			t.Errorf("trend: %d", status)
		}
		status, body = league.get("/api/v1/surveys")
		if status != 200 || !strings.Contains(body, `"suppressed":true`) || !strings.Contains(body, `"n":4`) {
			t.Errorf("API list: %d %s", status, body)
		}
		if status, body = league.get(fmt.Sprintf("/api/v1/surveys/%d/report?rake=0", id)); status != 200 || !strings.Contains(body, `"group":"league"`) {
			t.Errorf("API report: %d %s", status, body)
		}
		if status, _ = anon.get("/api/v1/surveys"); status != 401 {
			t.Errorf("API anonymous: %d", status)
		}
		// Erenhot's banner admin estimates from its own banner's single respondent only.
		erlian := newClient(t, ts.srv.URL).loginAnd("banner-152501")
		if status, body = erlian.get(fmt.Sprintf("/api/v1/surveys/%d/report?rake=0", id)); status != 200 || !strings.Contains(body, `"n":1,`) {
			t.Errorf("banner's report: %d %s", status, body)
		}
		if status, _ = erlian.get(page + "/interview"); status != 200 {
			t.Errorf("banner's interview form: %d", status)
		}
	})
}
