package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/kepu/kepu/internal/quiz"
	"github.com/kepu/kepu/internal/region"
)

const quizBankCSV = "题型,主题,题目,选项,答案,解析,蒙古文题目\n" +
	"判断题,气象,沙尘暴来临时应远离广告牌。,,对,高空物体可能坠落。,ᠰᠢᠷᠤᠢ ᠰᠢᠪᠠᠭᠤᠷ\n" +
	"单选题,气象,下列哪种云预示降雨？,积雨云|卷云|高积云,A,积雨云常带来雷阵雨。,\n" +
	"多选题,健康,预防流感的做法有？,勤洗手|接种疫苗|服用抗生素|开窗通风,ABD,抗生素对病毒无效。,\n"

// quizContest makes a bank and an open contest of 3 questions through the console, as the
// region admin, and returns the contest id.
func quizContest(t *testing.T, ts *testSite, admin *client) int64 {
	t.Helper()
	status, body, hdr := admin.post("/console/quiz/banks", "/console/quiz", url.Values{"name": {"科普日题库"}, "region_code": {"150000"}})
	if status != http.StatusSeeOther {
		t.Fatalf("new bank: %d %s", status, body)
	}
	bankPath := hdr.Get("Location")
	if status, body := admin.upload(bankPath+"/import", bankPath, "bad.csv", []byte("题型,题目,答案\n单选题,缺选项,A\n")); status != 422 || !strings.Contains(body, "第 2 行") {
		t.Errorf("bad bank file: %d", status)
	}
	if status, body := admin.upload(bankPath+"/import", bankPath, "bank.csv", []byte(quizBankCSV)); status != 200 || !strings.Contains(body, "已导入 3 道题") || !strings.Contains(body, "哪种云预示降雨") {
		t.Fatalf("bank import: %d %s", status, body)
	}
	bankID := strings.TrimPrefix(bankPath, "/console/quiz/banks/")
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	form := url.Values{"title": {"全国科普日网络答题"}, "title_mn": {"ᠰᠢᠨᠵᠢᠯᠡᠬᠦ"}, "campaign": {"科普日"}, "region_code": {"150000"}, "bank_id": {bankID},
		"starts_at": {now.Add(-time.Hour).Format("2006-01-02T15:04")}, "ends_at": {now.Add(-2 * time.Hour).Format("2006-01-02T15:04")},
		"questions": {"3"}, "seconds_per_question": {"20"}, "attempts_per_day": {"2"}, "min_answer_ms": {"1000"}, "winners": {"10"}, "practice": {"1"}}
	status, body, _ = admin.post("/console/quiz/contests", "/console/quiz", form)
	if status != 422 || !strings.Contains(body, "结束时间应晚于开始时间") || !strings.Contains(body, `value="全国科普日网络答题"`) {
		t.Errorf("contest ending before it starts: %d", status)
	}
	form.Set("ends_at", now.Add(48*time.Hour).Format("2006-01-02T15:04"))
	status, body, hdr = admin.post("/console/quiz/contests", "/console/quiz", form)
	if status != http.StatusSeeOther {
		t.Fatalf("new contest: %d %s", status, body)
	}
	var id int64
	fmt.Sscanf(hdr.Get("Location"), "/console/quiz/contests/%d", &id)
	return id
}

var quizQuestion = regexp.MustCompile(`name="question_id" value="(\d+)"`)

func TestQuizConsoleAndPublicPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		admin := newClient(t, ts.srv.URL)
		admin.login("admin", pw)
		id := quizContest(t, ts, admin)
		if status, body := admin.get("/console/quiz"); status != 200 || !strings.Contains(body, "全国科普日网络答题") || !strings.Contains(body, "科普日题库") {
			t.Errorf("console: %d", status)
		}
		if status, _ := newClient(t, ts.srv.URL).loginAnd("banner-152501").get(fmt.Sprintf("/console/quiz/contests/%d", id)); status != 404 {
			t.Errorf("a banner sees the region's contest admin page: %d", status)
		}
		// Export and template.
		resp, err := admin.http.Get(ts.srv.URL + "/console/quiz/template?format=csv")
		if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("template: %v", err)
		}
		resp.Body.Close()

		// A person on a phone: the list, the contest, sign-up with mistakes, then right.
		pub := newClient(t, ts.srv.URL)
		if status, body := pub.get("/quiz"); status != 200 || !strings.Contains(body, "全国科普日网络答题") {
			t.Fatalf("public list: %d", status)
		}
		cpath := fmt.Sprintf("/quiz/%d", id)
		status, body, _ := pub.post(cpath+"/signup", cpath, url.Values{"name": {"乌云"}, "phone": {"139"}, "region_code": {"110101"}})
		if status != 422 || !strings.Contains(body, "手机号应为 11 位数字") || !strings.Contains(body, "所在地区不在本竞赛的范围内") || !strings.Contains(body, `value="乌云"`) {
			t.Errorf("bad sign-up: %d", status)
		}
		status, _, _ = pub.post(cpath+"/signup", cpath, url.Values{"name": {"乌云"}, "phone": {"13900000001"}, "region_code": {"152502001"}, "school": {"锡林浩特市第一中学"}})
		if status != http.StatusSeeOther {
			t.Fatalf("sign-up: %d", status)
		}
		if _, body := pub.get(cpath); !strings.Contains(body, "乌云，您已报名") || !strings.Contains(body, "今天还可答 2 次") {
			t.Errorf("participant's contest page")
		}
		status, _, hdr := pub.post(cpath+"/attempts", cpath, url.Values{})
		if status != http.StatusSeeOther {
			t.Fatalf("start: %d", status)
		}
		play := hdr.Get("Location")
		status, body = pub.get(play)
		if status != 200 || !strings.Contains(body, "显示题目") || quizQuestion.MatchString(body) {
			t.Fatalf("attempt before the first question: %d", status)
		}
		stranger := newClient(t, ts.srv.URL)
		if status, _ := stranger.get(play); status != 404 {
			t.Errorf("someone else opens the attempt: %d", status)
		}
		for seq := 1; seq <= 3; seq++ {
			if status, _, _ := pub.post(play+"/next", play, url.Values{}); status != http.StatusSeeOther {
				t.Fatalf("show question %d: %d", seq, status)
			}
			_, body = pub.get(play)
			m := quizQuestion.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("question %d not shown", seq)
			}
			qid := m[1]
			var key string
			d.QueryRowContext(context.Background(), `SELECT answer FROM quiz_questions WHERE id = $1`, qid).Scan(&key)
			if strings.Contains(body, fmt.Sprintf("<strong>第 %d 题</strong>", seq)) {
				t.Errorf("question %d: the key is on the page before answering", seq)
			}
			if seq == 1 {
				status, body, _ = pub.post(play+"/answers", play, url.Values{"seq": {"1"}, "question_id": {qid}, "choice": {"Z"}})
				if status != 422 || !strings.Contains(body, "请选择本题的选项") {
					t.Errorf("not an option: %d", status)
				}
			}
			form := url.Values{"seq": {fmt.Sprint(seq)}, "question_id": {qid}}
			for _, l := range key {
				form.Add("choice", string(l))
			}
			if status, _, _ := pub.post(play+"/answers", play, form); status != http.StatusSeeOther {
				t.Fatalf("answer %d: %d", seq, status)
			}
			_, body = pub.get(play)
			if !strings.Contains(body, "回答正确") || !strings.Contains(body, "正确答案："+key) || !strings.Contains(body, "作答过快") {
				t.Errorf("feedback %d lacks the key or the too-fast flag", seq)
			}
			if seq == 1 {
				status, body, _ = pub.post(play+"/answers", play, form)
				if status != 409 || !strings.Contains(body, "已经作答过") {
					t.Errorf("replay: %d", status)
				}
			}
		}
		if _, body = pub.get(play); !strings.Contains(body, "答题完成") || !strings.Contains(body, "答对 3/3 题") || !strings.Contains(body, "第 1 名（共 1 人）") {
			t.Errorf("result page")
		}
		// Certificate: claim, verify page, PNG with a QR code.
		status, _, hdr = pub.post(cpath+"/certificate", cpath, url.Values{})
		if status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/quiz-certificates/") {
			t.Fatalf("claim: %d", status)
		}
		cert := hdr.Get("Location")
		if status, body := stranger.get(cert); status != 200 || !strings.Contains(body, "该证书真实有效") || !strings.Contains(body, "乌云") || !strings.Contains(body, "参赛证书") {
			t.Errorf("verification page: %d", status)
		}
		resp, err = stranger.http.Get(ts.srv.URL + cert + "/png")
		if err != nil || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("certificate png: %v", err)
		}
		img, err := png.Decode(resp.Body)
		resp.Body.Close()
		if err != nil || img.Bounds().Dx() != 1200 {
			t.Errorf("certificate png: %v", err)
		}
		if status, _ := stranger.get("/quiz-certificates/NOTACODE0000"); status != 404 {
			t.Errorf("unknown certificate: %d", status)
		}
		// Boards: public names masked; staff see the audit trail with the phone masked.
		if status, body := stranger.get(cpath + "/board"); status != 200 || !strings.Contains(body, "乌*") || strings.Contains(body, "乌云") || !strings.Contains(body, "锡林郭勒盟") {
			t.Errorf("board: %d", status)
		}
		if status, body := stranger.get(cpath + "/board?region=152502"); status != 200 || !strings.Contains(body, "锡林浩特市 前 100 名") {
			t.Errorf("banner board: %d", status)
		}
		status, body = admin.get(fmt.Sprintf("/console/quiz/contests/%d", id))
		if status != 200 || !strings.Contains(body, "139****0001") || strings.Contains(body, "13900000001") || !strings.Contains(body, "乌云") {
			t.Fatalf("contest admin page: %d", status)
		}
		audit := regexp.MustCompile(`/console/quiz/participants/\d+`).FindString(body)
		if status, body := admin.get(audit); status != 200 || !strings.Contains(body, "过快") || strings.Contains(body, "13900000001") {
			t.Errorf("audit page: %d", status)
		}
		status, body, _ = admin.post(fmt.Sprintf("/console/quiz/contests/%d/invitations", id), fmt.Sprintf("/console/quiz/contests/%d", id), url.Values{"n": {"3"}})
		if status != 200 || !strings.Contains(body, "已生成 3 个邀请码") {
			t.Errorf("invitations: %d", status)
		}
	})
}

// quizAPI sends a JSON request as a participant's app: CSRF token from the contest's GET.
func quizAPI(t *testing.T, c *client, method, path, csrf, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	if token != "" {
		req.Header.Set("X-Quiz-Token", token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(b, &out)
	if out == nil {
		out = map[string]any{"raw": string(b)}
	}
	return resp.StatusCode, out
}

func TestQuizAPI(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		admin := newClient(t, ts.srv.URL)
		admin.login("admin", pw)
		id := quizContest(t, ts, admin)
		app := newClient(t, ts.srv.URL)
		base := fmt.Sprintf("/api/v1/quiz/contests/%d", id)
		status, info := quizAPI(t, app, "GET", base, "", "", "")
		csrf, _ := info["csrf"].(string)
		if status != 200 || csrf == "" || info["questions"] != float64(3) {
			t.Fatalf("contest: %d %v", status, info)
		}
		status, out := quizAPI(t, app, "POST", base+"/participants", csrf, "", `{"name":"","phone":"12","region_code":"152502"}`)
		if status != 422 || !strings.Contains(fmt.Sprint(out), "手机号") {
			t.Errorf("bad sign-up: %d %v", status, out)
		}
		signup := func(phone string) string {
			status, out := quizAPI(t, app, "POST", base+"/participants", csrf, "", `{"name":"巴特尔","phone":"`+phone+`","region_code":"152502"}`)
			if status != 201 {
				t.Fatalf("sign-up: %d %v", status, out)
			}
			return out["token"].(string)
		}
		me, other := signup("13800000001"), signup("13800000002")
		if status, _ := quizAPI(t, app, "POST", base+"/attempts", csrf, "nope", `{}`); status != 401 {
			t.Errorf("start without a token: %d", status)
		}
		status, out = quizAPI(t, app, "POST", base+"/attempts", csrf, me, `{}`)
		if status != 201 {
			t.Fatalf("start: %d %v", status, out)
		}
		aid := int64(out["attempt_id"].(float64))
		apath := fmt.Sprintf("/api/v1/quiz/attempts/%d", aid)
		status, q := quizAPI(t, app, "POST", apath+"/next", csrf, me, "")
		if status != 200 || q["seq"] != float64(1) || q["answer"] != nil || q["explanation_zh"] != nil {
			t.Fatalf("first question: %d %v", status, q)
		}
		qid := int64(q["question_id"].(float64))
		for _, bad := range []string{`{`, `{"seq":1}`, `{"seq":1,"question_id":1,"choice":"A","x":1}`, `{"seq":1,"question_id":1,"choice":"A"}{}`, strings.Repeat(" ", 2000)} {
			if status, _ := quizAPI(t, app, "POST", apath+"/answers", csrf, me, bad); status != 400 {
				t.Errorf("malformed %q: %d", bad, status)
			}
		}
		if status, _ := quizAPI(t, app, "POST", apath+"/answers", csrf, other, fmt.Sprintf(`{"seq":1,"question_id":%d,"choice":"A"}`, qid)); status != 404 {
			t.Errorf("another participant's attempt: %d", status)
		}
		if status, _ := quizAPI(t, app, "POST", apath+"/answers", csrf, me, fmt.Sprintf(`{"seq":2,"question_id":%d,"choice":"A"}`, qid)); status != 409 {
			t.Errorf("a question not drawn for this step: %d", status)
		}
		var key string
		for seq := 1; seq <= 3; seq++ {
			d.QueryRowContext(context.Background(), `SELECT answer FROM quiz_questions WHERE id = $1`, qid).Scan(&key)
			status, out = quizAPI(t, app, "POST", apath+"/answers", csrf, me, fmt.Sprintf(`{"seq":%d,"question_id":%d,"choice":"%s","next":true}`, seq, qid, key))
			if status != 200 || out["correct"] != true || out["answer"] != key || out["flag"] != "too_fast" {
				t.Fatalf("answer %d: %d %v", seq, status, out)
			}
			if seq == 1 {
				if status, _ := quizAPI(t, app, "POST", apath+"/answers", csrf, me, fmt.Sprintf(`{"seq":1,"question_id":%d,"choice":"%s"}`, qid, key)); status != 409 {
					t.Errorf("replay: %d", status)
				}
			}
			if seq < 3 {
				next := out["next"].(map[string]any)
				if next["answer"] != nil {
					t.Error("the next question came with its key")
				}
				qid = int64(next["question_id"].(float64))
			}
		}
		if out["finished"] != true || out["score"] != float64(3) || out["next"] != nil {
			t.Errorf("last answer: %v", out)
		}
		status, out = quizAPI(t, app, "GET", base+"/me", "", me, "")
		ranks, _ := out["ranks"].([]any)
		if status != 200 || out["best_score"] != float64(3) || len(ranks) != 3 {
			t.Errorf("me: %d %v", status, out)
		}
		status, out = quizAPI(t, app, "GET", base+"/board?region=152502", "", "", "")
		entries, _ := out["entries"].([]any)
		if status != 200 || len(entries) != 1 || entries[0].(map[string]any)["name"] != "巴**" {
			t.Errorf("board: %d %v", status, out)
		}
		if status, _ := quizAPI(t, app, "GET", base+"/board?region=15250200", "", "", ""); status != 400 {
			t.Errorf("board of a bad region: %d", status)
		}
		status, out = quizAPI(t, app, "GET", base+"/regions?level=league", "", "", "")
		if status != 200 || len(out["by_rate"].([]any)) != 1 {
			t.Errorf("regions: %d %v", status, out)
		}
		p, _ := ts.site.Quiz.ParticipantByToken(context.Background(), id, me)
		certs, err := ts.site.Quiz.Claim(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		status, out = quizAPI(t, app, "GET", "/api/v1/quiz/certificates/"+certs[0].Code, "", "", "")
		if status != 200 || out["valid"] != true || out["kind"] != "completion" {
			t.Errorf("certificate: %d %v", status, out)
		}
		// The statistics' view: one contest held at the region, two people and one attempt in 152502.
		got, err := ts.site.Quiz.ParticipationByRegion(context.Background(), region.NewScope("150000"), 6, time.Now().AddDate(0, 0, -1), time.Now().AddDate(0, 0, 1))
		if err != nil || got["150000"].Contests != 1 || got["152502"].Participants != 2 || got["152502"].Attempts != 1 {
			t.Errorf("participation: %+v %v", got, err)
		}
		_ = quiz.CertWinner
		_ = bytes.MinRead
	})
}
