package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
)

// signupActivity creates an activity of banner 152502 that starts in half an hour, with
// sign-up open.
func signupActivity(t *testing.T, ts *testSite, capacity int) int64 {
	t.Helper()
	start := time.Now().UTC().Add(30 * time.Minute).Truncate(time.Minute)
	id, err := ts.site.Activity.Create(context.Background(), region.NewScope("152502"), 0, activity.Input{RegionCode: "152502",
		Title: "草原星空观测", Type: "lecture", Organizer: "锡林浩特市科协", Venue: "市科技馆", StartsAt: start, EndsAt: start.Add(2 * time.Hour),
		Mode: "offline", Sessions: 1, Capacity: capacity, WalkInAllowance: 3, SignupOpen: true})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var ticketCode = regexp.MustCompile(`<code class="ticket-code">(KP1-[0-9A-Z -]+)</code>`)

// signUp posts the public form and returns the ticket link.
func (c *client) signUp(id int64, name, phone string) string {
	c.t.Helper()
	path := fmt.Sprintf("/activities/%d/signup", id)
	status, body, hdr := c.post(path, path, url.Values{"name": {name}, "phone": {phone}})
	if status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/tickets/") {
		c.t.Fatalf("sign-up %s: %d %s", name, status, body)
	}
	return hdr.Get("Location")
}

// cancelPath and nonceOf split a ticket link /tickets/{id}?k={nonce}.
func cancelPath(ticket string) string { return ticket[:strings.Index(ticket, "?")] + "/cancel" }

func nonceOf(ticket string) string {
	u, _ := url.Parse(ticket)
	return u.Query().Get("k")
}

// postJSON posts a JSON body with the CSRF token in the X-CSRF-Token header.
func (c *client) postJSON(path, token string, v any) (int, string) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("X-CSRF-Token", token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func TestSignupAndTicketPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		id := signupActivity(t, ts, 2)
		pub := newClient(t, ts.srv.URL)
		status, body := pub.get(fmt.Sprintf("/activities/%d/signup", id))
		if status != 200 || !strings.Contains(body, "草原星空观测") || !strings.Contains(body, "剩余 2 / 共 2") || !strings.Contains(body, `name="csrf"`) {
			t.Fatalf("sign-up page: %d", status)
		}
		path := fmt.Sprintf("/activities/%d/signup", id)
		status, body, _ = pub.post(path, path, url.Values{"name": {"乌云"}, "phone": {"1391234"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "手机号应为 11 位数字") || !strings.Contains(body, `value="乌云"`) {
			t.Errorf("bad phone: %d", status)
		}
		if status, _, _ := pub.post(path, "", url.Values{"name": {"乌云"}, "phone": {"13900000001"}}); status != http.StatusForbidden {
			t.Errorf("sign-up without a CSRF token: %d", status)
		}
		t1 := pub.signUp(id, "乌云", "13900000001")
		if !regexp.MustCompile(`^/tickets/\d+\?k=[A-Za-z0-9_-]{22}$`).MatchString(t1) {
			t.Errorf("ticket link %q: the nonce belongs in the query (request logs record paths)", t1)
		}
		status, body, _ = pub.post(path, path, url.Values{"name": {"又是乌云"}, "phone": {"13900000001"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "已报名本活动") {
			t.Errorf("same phone again: %d", status)
		}
		// Refused sign-ups do not count against the address's limit (3 per activity).
		t2 := pub.signUp(id, "巴特尔", "139 0000 0002")
		t3 := pub.signUp(id, "其其格", "13900000003")

		resp, err := pub.http.Get(ts.srv.URL + t1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(body, `<svg class="qr"`) ||
			!strings.Contains(body, "报名成功") || !strings.Contains(body, "139****0001") || strings.Contains(body, "13900000001") {
			t.Errorf("ticket page: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		if m := ticketCode.FindStringSubmatch(body); m == nil {
			t.Error("ticket page shows no code to type")
		}
		css := regexp.MustCompile(`href="(/static/checkin\.[0-9a-f]+\.css)"`).FindStringSubmatch(body)
		if css == nil {
			t.Fatal("ticket page links no hashed checkin.css")
		}
		if status, sheet := pub.get(css[1]); status != 200 || !strings.Contains(sheet, "@media print") {
			t.Errorf("ticket stylesheet: %d, without print rules", status)
		}
		if _, body := pub.get(t3); !strings.Contains(body, "候补中：排第 1 位") || !strings.Contains(body, `<svg class="qr"`) {
			t.Error("third ticket is not waitlisted first in line")
		}
		if status, _ := pub.get(t1[:strings.Index(t1, "?")] + "?k=not-the-nonce"); status != 404 {
			t.Errorf("ticket with a wrong nonce: %d", status)
		}
		// The ticket's own language switch posts the nonce and comes back to the ticket (the
		// footer's link, without the nonce, cannot).
		langPath := t1[:strings.Index(t1, "?")] + "/lang"
		if !strings.Contains(body, `action="`+langPath+`"`) {
			t.Error("ticket page has no language form")
		}
		if status, _, _ := pub.post(langPath, t1, url.Values{"k": {"guess"}, "set": {"en"}}); status != 404 {
			t.Errorf("language switch with a wrong nonce: %d", status)
		}
		if status, _, _ := pub.post(langPath, t1, url.Values{"k": {nonceOf(t1)}, "set": {"xx"}}); status != 400 {
			t.Errorf("unknown language: %d", status)
		}
		status, _, hdr := pub.post(langPath, t1, url.Values{"k": {nonceOf(t1)}, "set": {"en"}})
		if status != http.StatusSeeOther || hdr.Get("Location") != t1 {
			t.Errorf("language switch: %d to %q", status, hdr.Get("Location"))
		}
		if _, body := pub.get(t1); !strings.Contains(body, "You have a place") {
			t.Error("ticket page not in English after the switch")
		}
		pub.post(langPath, t1, url.Values{"k": {nonceOf(t1)}, "set": {"zh-Hans"}})
		// Cancelling the second ticket promotes the third.
		if status, _, _ := pub.post(cancelPath(t2), t2, url.Values{"k": {"guess"}}); status != 404 {
			t.Errorf("cancel with a wrong nonce: %d", status)
		}
		status, _, hdr = pub.post(cancelPath(t2), t2, url.Values{"k": {nonceOf(t2)}})
		if status != http.StatusSeeOther || hdr.Get("Location") != t2 {
			t.Fatalf("cancel: %d", status)
		}
		if _, body := pub.get(t2); !strings.Contains(body, "此票券已取消") || strings.Contains(body, "<svg") || strings.Contains(body, "取消报名</button>") {
			t.Error("cancelled ticket still shows a QR code or a cancel button")
		}
		_, body = pub.get(t3)
		if !strings.Contains(body, "报名成功") {
			t.Error("waitlisted ticket not promoted after a cancellation")
		}
		code3 := ticketCode.FindStringSubmatch(body)[1]
		_, body = pub.get(t1)
		code1 := ticketCode.FindStringSubmatch(body)[1]

		// Staff check in through the page (no JavaScript) and the API.
		staff := newClient(t, ts.srv.URL)
		staff.login("banner-152502", pw)
		page := fmt.Sprintf("/console/activities/%d/checkin", id)
		status, body = staff.get(page)
		if status != 200 || !strings.Contains(body, `<strong id="verified">0</strong>`) || !regexp.MustCompile(`<script src="/static/checkin\.[0-9a-f]+\.js" defer>`).MatchString(body) || !strings.Contains(body, `data-api="/api/v1/activities/`) {
			t.Fatalf("check-in page: %d", status)
		}
		status, body, _ = staff.post(page, page, url.Values{"code": {strings.ToLower(code1)}})
		if status != 200 || !strings.Contains(body, "签到成功") || !strings.Contains(body, "乌云") || !strings.Contains(body, `<strong id="verified">1</strong>`) {
			t.Errorf("check in by form: %d", status)
		}
		status, body, _ = staff.post(page, page, url.Values{"code": {code1}})
		if status != 200 || !strings.Contains(body, "已签到过") || !strings.Contains(body, `<strong id="verified">1</strong>`) {
			t.Errorf("same code again: %d", status)
		}
		altered := code1[:len(code1)-1] + "0"
		if strings.HasSuffix(code1, "0") {
			altered = code1[:len(code1)-1] + "1" // the check code is random: alter it for sure
		}
		status, body, _ = staff.post(page, page, url.Values{"code": {altered}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "校验失败") {
			t.Errorf("altered code: %d", status)
		}
		// The walk-in form carries its key; a post without one is refused.
		walkKey := regexp.MustCompile(`name="key" value="([^"]+)"`)
		status, body, _ = staff.post(fmt.Sprintf("/console/activities/%d/walkins", id), page, url.Values{"name": {"没有编号"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "缺少编号") || !strings.Contains(body, `value="没有编号"`) {
			t.Errorf("walk-in without a key: %d", status)
		}
		status, body, _ = staff.post(fmt.Sprintf("/console/activities/%d/walkins", id), page, url.Values{"name": {"现场观众"}, "phone": {"13800001111"},
			"key": {walkKey.FindStringSubmatch(body)[1]}})
		if status != 200 || !strings.Contains(body, "签到成功") || !strings.Contains(body, "138****1111") || strings.Contains(body, "13800001111") {
			t.Errorf("walk-in by form: %d", status)
		}
		// The same walk-in form posted again (a refresh) adds nobody: it carries its key.
		_, body = staff.get(page)
		key := walkKey.FindStringSubmatch(body)[1]
		for range 2 {
			staff.post(fmt.Sprintf("/console/activities/%d/walkins", id), page, url.Values{"name": {"刷新的人"}, "key": {key}})
		}
		var walkIns int
		d.QueryRowContext(context.Background(), `SELECT count(*) FROM registrations WHERE name = '刷新的人'`).Scan(&walkIns)
		if walkIns != 1 {
			t.Errorf("a re-posted walk-in form added %d walk-ins, want 1", walkIns)
		}
		api := fmt.Sprintf("/api/v1/activities/%d/checkins", id)
		token := staff.token(page)
		batch := map[string]any{"scans": []map[string]string{{"code": code3, "device": "t"}, {"code": code3}, {"code": code1}, {"code": "KP1-1-2"}},
			"walk_ins": []map[string]string{{"key": "offline-walkin-000000000001", "name": "离线登记"}}}
		for round := range 2 {
			status, body = staff.postJSON(api, token, batch)
			var res activity.CheckInResult
			if err := json.Unmarshal([]byte(body), &res); status != 200 || err != nil {
				t.Fatalf("API batch: %d %s", status, body)
			}
			want := "new already already refused new"
			if round == 1 {
				want = "already already already refused already"
			}
			var got []string
			for _, r := range append(res.Scans, res.WalkIns...) {
				got = append(got, r.Outcome)
			}
			if strings.Join(got, " ") != want || res.Verified != 5 {
				t.Errorf("API batch round %d: %v, verified %d; want %s and 5", round, got, res.Verified, want)
			}
		}
		if status, _ := staff.postJSON(api, "", batch); status != http.StatusForbidden {
			t.Errorf("API without a CSRF token: %d", status)
		}
		if status, body := staff.postJSON(api, token, map[string]any{"scans": []map[string]string{{"code": code1, "scanned_at": "yesterday"}}}); status != 400 || !strings.Contains(body, "RFC 3339") {
			t.Errorf("bad scanned_at: %d %s", status, body)
		}
		if status, _ := staff.postJSON(api, token, map[string]any{"scanz": 1}); status != 400 {
			t.Errorf("unknown field: %d", status)
		}
		// The walk-ins reach the allowance (3, both places being taken): a fourth is refused, and
		// one without a key is refused whatever the room.
		status, body = staff.postJSON(api, token, map[string]any{"walk_ins": []map[string]string{{"key": "offline-walkin-000000000002", "name": "第四位"}, {"name": "无编号"}}})
		if status != 200 || strings.Count(body, `"status":"refused"`) != 2 || !strings.Contains(body, "现场名额已满") || !strings.Contains(body, "缺少编号") || !strings.Contains(body, `"verified":5`) {
			t.Errorf("walk-ins over the allowance or without a key: %d %s", status, body)
		}
		status, body = staff.get(api)
		if status != 200 || !strings.Contains(body, `"verified":5`) || !strings.Contains(body, `"walk_ins":3`) || !strings.Contains(body, `"flags":[]`) {
			t.Errorf("API status: %d %s", status, body)
		}
		// The page lists the latest check-ins with masked phones.
		_, body = staff.get(page)
		if !strings.Contains(body, "139****0003") || strings.Contains(body, "13900000003") {
			t.Error("check-in page: recent list unmasked")
		}
		// A checked-in ticket cannot be cancelled by its holder.
		status, body, _ = pub.post(cancelPath(t1), path, url.Values{"k": {nonceOf(t1)}}) // its page offers no cancel form any more
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "已签到，不能取消") {
			t.Errorf("cancel after check-in: %d", status)
		}

		// Scope: another banner sees nothing; anonymous callers are told to sign in.
		other := newClient(t, ts.srv.URL)
		other.login("banner-152501", pw)
		if status, _ := other.get(page); status != 404 {
			t.Errorf("other banner's check-in page: %d", status)
		}
		if status, _ := other.postJSON(api, other.token("/console/users"), batch); status != 404 {
			t.Errorf("other banner's API batch: %d", status)
		}
		if status, _ := newClient(t, ts.srv.URL).get(api); status != 401 {
			t.Errorf("anonymous API: %d", status)
		}
		if status, _ := newClient(t, ts.srv.URL).get(page); status != http.StatusSeeOther {
			t.Errorf("anonymous check-in page: %d", status)
		}
	})
}

// One address may sign up at most 3 times an activity and 10 times in all per hour; the next
// is answered 429 with the reason and writes nothing.
func TestSignupRateLimit(t *testing.T) {
	ts := newTestSite(t, dbtest.SQLite(t))
	c := newClient(t, ts.srv.URL)
	var ids []int64
	for range 4 {
		ids = append(ids, signupActivity(t, ts, 50))
	}
	n := 0
	signUp := func(id int64) (int, string) {
		n++
		path := fmt.Sprintf("/activities/%d/signup", id)
		status, body, hdr := c.post(path, path, url.Values{"name": {fmt.Sprintf("脚本%d", n)}, "phone": {fmt.Sprintf("137%08d", n)}})
		if status == http.StatusTooManyRequests && hdr.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		return status, body
	}
	for i := range activity.SignupsPerAddrActivity {
		if status, body := signUp(ids[0]); status != http.StatusSeeOther {
			t.Fatalf("sign-up %d: %d %s", i, status, body)
		}
	}
	status, body := signUp(ids[0])
	if status != http.StatusTooManyRequests || !strings.Contains(body, "报名过于频繁") || !strings.Contains(body, fmt.Sprintf("同一活动最多 %d 次", activity.SignupsPerAddrActivity)) {
		t.Errorf("sign-up over the limit for one activity: %d", status)
	}
	// A later version's id is the same activity (the limit is per series).
	v2 := signupCorrection(t, ts, ids[0])
	if status, _ := signUp(v2); status != http.StatusTooManyRequests {
		t.Errorf("sign-up through the correction's id: %d", status)
	}
	for i := range activity.SignupsPerAddr - activity.SignupsPerAddrActivity {
		id := ids[1+i/activity.SignupsPerAddrActivity]
		if status, body := signUp(id); status != http.StatusSeeOther {
			t.Fatalf("sign-up for %d: %d %s", id, status, body)
		}
	}
	if status, body := signUp(ids[3]); status != http.StatusTooManyRequests || !strings.Contains(body, fmt.Sprintf("每小时最多报名 %d 次", activity.SignupsPerAddr)) {
		t.Errorf("sign-up over the limit from one address: %d", status)
	}
	// Staff signed in, registering people at a desk, are not limited.
	c.login("banner-152502", pw)
	if status, body := signUp(ids[3]); status != http.StatusSeeOther {
		t.Errorf("staff sign-up: %d %s", status, body)
	}
	var rows int
	ts.d.QueryRowContext(context.Background(), `SELECT count(*) FROM registrations`).Scan(&rows)
	if rows != activity.SignupsPerAddr+1 {
		t.Errorf("%d registrations written, want %d", rows, activity.SignupsPerAddr+1)
	}
}

// signupCorrection accepts an activity of banner 152502 (a league admin decides) and starts a
// correction, whose id it returns.
func signupCorrection(t *testing.T, ts *testSite, id int64) int64 {
	t.Helper()
	ctx, st, banner := context.Background(), ts.site.Activity, region.NewScope("152502")
	league := &account.Principal{Grants: []account.Grant{{Role: account.LeagueAdmin, RegionCode: "152500"}}}
	a, err := st.Get(ctx, banner, id)
	if err != nil {
		t.Fatal(err)
	}
	clock := st.Now // a record is submitted once its activity ended: step past the end and back
	st.Now = func() time.Time { return a.EndsAt.Add(time.Minute) }
	defer func() { st.Now = clock }()
	if err := st.Submit(ctx, banner, 0, id); err != nil {
		t.Fatal(err)
	}
	if err := st.Review(ctx, league, league.Scope(), 0, id, true, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.Accept(ctx, league, league.Scope(), 0, id, true, ""); err != nil {
		t.Fatal(err)
	}
	v2, err := st.Correct(ctx, banner, 0, id)
	if err != nil {
		t.Fatal(err)
	}
	return v2
}

// Staff cancel a sign-up by phone from the check-in page: the place goes to the first on the
// waiting list; another unit's staff, or a post without the CSRF token, change nothing.
func TestStaffCancelPage(t *testing.T) {
	ts := newTestSite(t, dbtest.SQLite(t))
	ctx := context.Background()
	id := signupActivity(t, ts, 1)
	var regs []activity.Registration
	for i, name := range []string{"乌云", "巴特尔"} {
		r, err := ts.site.Activity.SignUp(ctx, id, activity.SignupInput{Name: name, Phone: fmt.Sprintf("1390000000%d", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		regs = append(regs, r)
	}
	page := fmt.Sprintf("/console/activities/%d/checkin", id)
	path := fmt.Sprintf("/console/activities/%d/cancellations", id)
	other := newClient(t, ts.srv.URL)
	other.login("banner-152501", pw)
	if status, _, _ := other.post(path, "/console/users", url.Values{"phone": {"13900000001"}}); status != 404 {
		t.Errorf("another banner's staff: %d", status)
	}
	staff := newClient(t, ts.srv.URL)
	staff.login("banner-152502", pw)
	if status, _, _ := staff.post(path, "", url.Values{"phone": {"13900000001"}}); status != http.StatusForbidden {
		t.Errorf("without a CSRF token: %d", status)
	}
	status, body, _ := staff.post(path, page, url.Values{"phone": {"13900000009"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "没有有效的报名") || !strings.Contains(body, `value="13900000009"`) {
		t.Errorf("a phone without a ticket: %d", status)
	}
	status, body, _ = staff.post(path, page, url.Values{"phone": {"139 0000 0001"}})
	if status != 200 || !strings.Contains(body, "已取消乌云（139****0001）的报名") || strings.Contains(body, "13900000001") {
		t.Errorf("cancel by phone: %d", status)
	}
	for i, want := range []string{activity.Cancelled, activity.Confirmed} {
		if r, err := ts.site.Activity.Ticket(ctx, regs[i].ID, regs[i].Nonce); err != nil || r.Status != want {
			t.Errorf("ticket %d after the staff cancellation: %s %v, want %s", i, r.Status, err, want)
		}
	}
}

// An activity whose record does not open sign-up is not public at all: no title, no form.
func TestSignupClosedPage(t *testing.T) {
	ts := newTestSite(t, dbtest.SQLite(t))
	start := time.Now().UTC().Add(time.Hour)
	id, err := ts.site.Activity.Create(context.Background(), region.NewScope("152502"), 0, activity.Input{RegionCode: "152502",
		Title: "内部培训", Type: "training", Organizer: "科协", StartsAt: start, EndsAt: start.Add(time.Hour), Mode: "offline", Sessions: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, ts.srv.URL)
	status, body := c.get(fmt.Sprintf("/activities/%d/signup", id))
	if status != 404 || strings.Contains(body, "内部培训") {
		t.Errorf("sign-up page of an activity without sign-up: %d", status)
	}
	path := fmt.Sprintf("/activities/%d/signup", id)
	if status, _, _ := c.post(path, "/login", url.Values{"name": {"甲"}, "phone": {"13900000001"}}); status != 404 {
		t.Errorf("sign-up posted anyway: %d", status)
	}
	var n int
	ts.d.QueryRowContext(context.Background(), `SELECT count(*) FROM registrations`).Scan(&n)
	if n != 0 {
		t.Errorf("%d registrations written", n)
	}
	if status, _ := c.get("/activities/99999/signup"); status != 404 {
		t.Errorf("unknown activity: %d", status)
	}
}

// loadSite is a real site on loopback with one activity of n tickets and a signed-in staff
// client whose connections the load goroutines share.
type loadSite struct {
	srv      *httptest.Server
	api      string
	token    string
	client   *http.Client
	codes    []string
	d        *db.DB
	seriesID int64
}

func newLoadSite(tb testing.TB, d *db.DB, n int) *loadSite {
	tb.Helper()
	ctx := context.Background()
	s, err := newSite(ctx, d, siteConfig{Province: "15"}, quiet)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler)
	tb.Cleanup(srv.Close)
	if _, err := s.Accounts.Create(ctx, account.NewAccount{Username: "door", Password: pw, Grants: []account.Grant{{Role: account.BannerAdmin, RegionCode: "152502"}}}); err != nil {
		tb.Fatal(err)
	}
	start := time.Now().UTC().Add(10 * time.Minute)
	id, err := s.Activity.Create(ctx, region.NewScope("152502"), 0, activity.Input{RegionCode: "152502", Title: "压力测试", Type: "lecture",
		Organizer: "科协", StartsAt: start, EndsAt: start.Add(3 * time.Hour), Mode: "offline", Sessions: 1, Capacity: n, SignupOpen: true})
	if err != nil {
		tb.Fatal(err)
	}
	// The tickets are written in bulk: sign-up is not what is measured.
	rows := make([][]any, n)
	now := time.Now().UTC()
	for i := range rows {
		rows[i] = []any{id, fmt.Sprintf("观众%d", i), fmt.Sprintf("139%08d", i), "confirmed", false, fmt.Sprintf("nonce-%d", i), now}
	}
	if err := db.BulkInsert(ctx, d, d.Dialect, "registrations", []string{"activity_id", "name", "phone", "status", "walk_in", "nonce", "created_at"}, rows, ""); err != nil {
		tb.Fatal(err)
	}
	hexKey, err := d.Setting(ctx, "ticket_key")
	if err != nil {
		tb.Fatal(err)
	}
	key, _ := hex.DecodeString(hexKey)
	ls := &loadSite{srv: srv, api: fmt.Sprintf("/api/v1/activities/%d/checkins", id), d: d, seriesID: id}
	r, err := d.QueryContext(ctx, `SELECT id FROM registrations WHERE activity_id = $1 ORDER BY id`, id)
	if err != nil {
		tb.Fatal(err)
	}
	for r.Next() {
		var rid int64
		r.Scan(&rid)
		ls.codes = append(ls.codes, activity.TicketPayload(key, id, rid))
	}
	r.Close()
	jar, _ := cookiejar.New(nil)
	ls.client = &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 256}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c := &client{t: nil, base: srv.URL, http: ls.client}
	resp, err := c.http.Get(srv.URL + "/login")
	if err != nil {
		tb.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tok := csrfField.FindStringSubmatch(string(b))[1]
	resp, err = c.http.PostForm(srv.URL+"/login", url.Values{"csrf": {tok}, "username": {"door"}, "password": {pw}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("login: %v", err)
	}
	resp.Body.Close()
	resp, err = c.http.Get(srv.URL + "/console")
	if err != nil {
		tb.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	ls.token = csrfField.FindStringSubmatch(string(b))[1]
	return ls
}

// run sends every ticket k times, from c concurrent clients, batch scans a request (the
// copies of one ticket land in different requests of different clients), and returns the
// time taken and the scans the server answered "new".
func (ls *loadSite) run(tb testing.TB, k, c, batch int) (time.Duration, int) {
	var all []string
	for range k {
		all = append(all, ls.codes...)
	}
	// Deterministic shuffle: copies of a ticket are spread over the run.
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	var next atomic.Int64
	var news atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	begin := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				from := int(next.Add(int64(batch))) - batch
				if from >= len(all) || failed.Load() != nil {
					return
				}
				var body struct {
					Scans []map[string]string `json:"scans"`
				}
				for _, code := range all[from:min(from+batch, len(all))] {
					body.Scans = append(body.Scans, map[string]string{"code": code, "device": "load"})
				}
				b, _ := json.Marshal(body)
				req, _ := http.NewRequest(http.MethodPost, ls.srv.URL+ls.api, bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-CSRF-Token", ls.token)
				resp, err := ls.client.Do(req)
				if err != nil {
					failed.Store(err)
					return
				}
				var res activity.CheckInResult
				err = json.NewDecoder(resp.Body).Decode(&res)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					failed.Store(fmt.Errorf("status %d: %v", resp.StatusCode, err))
					return
				}
				for _, r := range res.Scans {
					if r.Outcome == activity.OutcomeNew {
						news.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(begin)
	if err := failed.Load(); err != nil {
		tb.Fatal(err)
	}
	return took, int(news.Load())
}

// verified is the series' verified attendance and the check-in rows written.
func (ls *loadSite) verified(tb testing.TB) (int64, int) {
	var v int64
	var rows int
	ctx := context.Background()
	if err := ls.d.QueryRowContext(ctx, `SELECT verified_attendance FROM activities WHERE id = $1`, ls.seriesID).Scan(&v); err != nil {
		tb.Fatal(err)
	}
	ls.d.QueryRowContext(ctx, `SELECT count(*) FROM checkins WHERE activity_id = $1`, ls.seriesID).Scan(&rows)
	return v, rows
}

// The load test at a small size: each ticket sent 3 times by 8 clients over loopback; the
// verified count is exactly the number of tickets and each was answered "new" once.
func TestCheckInLoadExact(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		const n = 300
		ls := newLoadSite(t, d, n)
		for _, batch := range []int{1, 7} {
			if batch == 7 {
				ls.d.ExecContext(context.Background(), `DELETE FROM checkins`)
				ls.d.ExecContext(context.Background(), `UPDATE activities SET verified_attendance = 0`)
			}
			_, news := ls.run(t, 3, 8, batch)
			v, rows := ls.verified(t)
			if v != n || rows != n || news != n {
				t.Errorf("batch %d: verified %d, rows %d, answered new %d; want %d each", batch, v, rows, news, n)
			}
		}
	})
}

// BenchmarkCheckInLoad: b.N tickets, each sent 3 times by 32 clients over loopback through
// the whole stack (session, CSRF, JSON, group commit); reports scans/s (all requests' scans,
// duplicates included) and checkins/s (distinct tickets recorded). See docs/BENCHMARKS.md.
// KEPU_BENCH_SQLITE_SYNC=full runs SQLite with synchronous=FULL (an fsync per commit).
func BenchmarkCheckInLoad(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		for _, batch := range []int{1, 20} {
			b.Run(fmt.Sprintf("%s/batch=%d", dialect, batch), func(b *testing.B) {
				var d *db.DB
				if dialect == "sqlite" {
					d = dbtest.SQLite(b)
					if os.Getenv("KEPU_BENCH_SQLITE_SYNC") == "full" {
						d = reopenFullSync(b, d)
					}
				} else {
					d = dbtest.Postgres(b)
				}
				ls := newLoadSite(b, d, b.N)
				b.ResetTimer()
				took, news := ls.run(b, 3, 32, batch)
				b.StopTimer()
				v, rows := ls.verified(b)
				if v != int64(b.N) || rows != b.N || news != b.N {
					b.Fatalf("verified %d, rows %d, new %d; want %d", v, rows, news, b.N)
				}
				b.ReportMetric(float64(3*b.N)/took.Seconds(), "scans/s")
				b.ReportMetric(float64(b.N)/took.Seconds(), "checkins/s")
			})
		}
	}
}

// reopenFullSync opens the same SQLite file again with synchronous=FULL.
func reopenFullSync(tb testing.TB, d *db.DB) *db.DB {
	t, err := db.ParseTarget(d.Path)
	if err != nil {
		tb.Fatal(err)
	}
	d.Close()
	t.DSN = strings.Replace(t.DSN, "synchronous(normal)", "synchronous(full)", 1)
	full, err := db.OpenTarget(context.Background(), t)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { full.Close() })
	return full
}
