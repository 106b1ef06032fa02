package quiz

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// clock is a settable server clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var bankCSV = "题型,主题,难度,题目,选项,答案,解析,蒙古文题目\n" +
	"判断题,气象,1,沙尘暴来临时应远离广告牌。,,对,高空物体可能坠落。,ᠰᠢᠷᠤᠢ\n" +
	"单选题,气象,2,下列哪种云预示降雨？,积雨云|卷云|高积云,A,积雨云常带来雷阵雨。,\n" +
	"多选题,健康,2,预防流感的做法有？,勤洗手|接种疫苗|服用抗生素|开窗通风,abd,抗生素对病毒无效。,\n" +
	"单选题,健康,3,人体最大的器官是？,皮肤|肝脏|心脏,A,,\n" +
	"判断题,农牧,1,苜蓿是豆科牧草。,,对,,\n" +
	"单选题,农牧,2,羊的瘤胃属于？,复胃|单胃,A,,\n"

// setup makes a bank of six questions and an open contest of n questions, 20 s each.
func setup(t *testing.T, d *db.DB, n int, mut func(*Contest)) (*Store, *clock, Contest) {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 9, 16, 2, 0, 0, 0, time.UTC)}
	s := &Store{DB: d, Regions: &region.Store{DB: d}, Now: clk.Now}
	all := region.NewScope("150000")
	bank, err := s.CreateBank(ctx, all, 0, "150000", "全国科普日题库")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.ImportQuestions(ctx, all, bank, strings.NewReader(bankCSV)); err != nil || n != 6 {
		t.Fatalf("import: %d %v", n, err)
	}
	c := Contest{RegionCode: "150000", BankID: bank, Title: "科普知识答题", StartsAt: clk.t.Add(-time.Hour), EndsAt: clk.t.Add(72 * time.Hour),
		Questions: n, SecondsPerQuestion: 20, AttemptsPerDay: 2, Practice: true, MinAnswerMS: 1000, Winners: 3}
	if mut != nil {
		mut(&c)
	}
	id, err := s.CreateContest(ctx, all, 0, c)
	if err != nil {
		t.Fatal(err)
	}
	c, _ = s.Contest(ctx, id)
	return s, clk, c
}

func TestImportRefusesBadRowsAndExportRoundTrips(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _, _ := setup(t, d, 3, nil)
		all := region.NewScope("150000")
		bank, _ := s.CreateBank(ctx, all, 0, "152502", "锡林浩特题库")
		bad := "题型,题目,选项,答案\n单选题,一加一等于？,1|2,C\n多选题,只有两项？,甲|乙,AB\n问答题,什么？,,A\n判断题,地球是圆的,,对\n"
		_, err := s.ImportQuestions(ctx, all, bank, strings.NewReader(bad))
		var es sheet.Errors
		if !errors.As(err, &es) || len(es) != 3 {
			t.Fatalf("bad file: %v", err)
		}
		msg := err.Error()
		for _, want := range []string{"第 2 行", "答案“C”不是本题的选项", "第 3 行", "选项应有 3 至 6 个", "第 4 行"} {
			if !strings.Contains(msg, want) {
				t.Errorf("errors lack %q: %s", want, msg)
			}
		}
		if b, _ := s.Bank(ctx, all, bank); b.Questions != 0 {
			t.Errorf("a bad file imported %d questions", b.Questions)
		}
		if _, err := s.ImportQuestions(ctx, region.NewScope("152501"), bank, strings.NewReader(bankCSV)); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("import into a bank outside scope: %v", err)
		}
		banks, _ := s.Banks(ctx, all)
		var src int64
		for _, b := range banks {
			if b.Questions == 6 {
				src = b.ID
			}
		}
		var buf bytes.Buffer
		if err := s.ExportQuestions(ctx, all, src, &buf, "xlsx"); err != nil {
			t.Fatal(err)
		}
		if n, err := s.ImportQuestions(ctx, all, bank, &buf); err != nil || n != 6 {
			t.Fatalf("re-import of the export: %d %v", n, err)
		}
		a, _ := s.Questions(ctx, src)
		b, _ := s.Questions(ctx, bank)
		for i := range a {
			x, y := a[i], b[i]
			x.ID, y.ID, x.BankID, y.BankID = 0, 0, 0, 0
			if fmt.Sprint(x) != fmt.Sprint(y) {
				t.Errorf("question %d changed in the round trip:\n%v\n%v", i, x, y)
			}
		}
		if a[2].Answer != "ABD" || a[0].Answer != "A" || a[0].TextMn == "" {
			t.Errorf("answers as stored: %q %q, mn %q", a[2].Answer, a[0].Answer, a[0].TextMn)
		}
	})
}

func TestDrawStratified(t *testing.T) {
	var pool []Question
	for i := range 30 {
		topic := "A"
		if i >= 24 {
			topic = "B"
		}
		if i >= 28 {
			topic = "C"
		}
		pool = append(pool, Question{ID: int64(i + 1), Topic: topic})
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		ids := Draw(r, pool, 6, true)
		count := map[string]int{}
		seen := map[int64]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Fatal("a question drawn twice")
			}
			seen[id] = true
			count[pool[id-1].Topic]++
		}
		if len(ids) != 6 || count["A"] != 2 || count["B"] != 2 || count["C"] != 2 {
			t.Fatalf("stratified draw %v", count)
		}
	}
	if ids := Draw(r, pool, 40, false); len(ids) != 30 {
		t.Errorf("draw more than the pool: %d", len(ids))
	}
}

func TestNormalizeChoice(t *testing.T) {
	for _, c := range []struct {
		in   string
		kind Kind
		n    int
		want string
	}{{"ac", Multiple, 4, "AC"}, {"C, A", Multiple, 4, "AC"}, {"对", TrueFalse, 2, "A"}, {"错", TrueFalse, 2, "B"}, {"E", Single, 4, ""}, {"", Single, 4, ""}, {"ＢＢ", Single, 3, "B"}, {"A1", Single, 3, ""}} {
		if got := NormalizeChoice(c.in, c.kind, c.n); got != c.want {
			t.Errorf("NormalizeChoice(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// play answers every question of an attempt, each after wait, correctly when right is set.
func play(t *testing.T, s *Store, w *Writer, clk *clock, p Participant, a Attempt, wait time.Duration, right bool) Outcome {
	t.Helper()
	ctx := context.Background()
	var last Outcome
	if _, err := w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Serve: true}); err != nil {
		t.Fatal(err)
	}
	for i, qid := range a.QuestionIDs {
		q, _ := s.Question(ctx, qid)
		choice := q.Answer
		if !right {
			choice = map[string]string{"A": "B", "B": "A", "AB": "C", "ABD": "C", "AC": "B"}[q.Answer]
		}
		clk.Add(wait)
		out, err := w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Answer: &AnswerInput{Seq: i + 1, QuestionID: qid, Choice: choice, Next: true}})
		if err != nil {
			t.Fatalf("answer %d: %v", i+1, err)
		}
		last = out
	}
	return last
}

func TestAttemptFairPlay(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk, c := setup(t, d, 4, nil)
		w := &Writer{Store: s}
		pid, token, err := s.Register(ctx, c.ID, SignUp{Name: "乌云", Phone: "139 0000 0001", RegionCode: "152502001"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Register(ctx, c.ID, SignUp{Name: "又是乌云", Phone: "13900000001", RegionCode: "152502"}); err == nil || !strings.Contains(err.Error(), "已报名") {
			t.Errorf("same phone twice: %v", err)
		}
		if _, _, err := s.Register(ctx, c.ID, SignUp{Name: "", Phone: "139", RegionCode: "110101"}); err == nil ||
			!strings.Contains(err.Error(), "姓名") || !strings.Contains(err.Error(), "11 位") || !strings.Contains(err.Error(), "地区") {
			t.Errorf("every problem at once: %v", err)
		}
		p, err := s.ParticipantByToken(ctx, c.ID, token)
		if err != nil || p.ID != pid || p.BannerCode != "152502" || p.LeagueCode != "152500" {
			t.Fatalf("participant by token: %+v %v", p, err)
		}
		other, _, _ := s.Register(ctx, c.ID, SignUp{Name: "巴特尔", Phone: "13900000002", RegionCode: "152501"})
		a, err := s.Start(ctx, p, false)
		if err != nil || len(a.QuestionIDs) != 4 {
			t.Fatalf("start: %v", err)
		}
		q1 := a.QuestionIDs[0]
		// Not shown yet: no answer accepted.
		if _, err := w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Answer: &AnswerInput{Seq: 1, QuestionID: q1, Choice: "A"}}); !errors.Is(err, ErrNotServed) {
			t.Errorf("answer before shown: %v", err)
		}
		out, err := w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Serve: true})
		if err != nil || out.Next == nil || out.Next.Seq != 1 || out.Answered {
			t.Fatalf("serve: %+v %v", out, err)
		}
		// Another participant's attempt is not found.
		if _, err := w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: other, Answer: &AnswerInput{Seq: 1, QuestionID: q1, Choice: "A"}}); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("someone else's attempt: %v", err)
		}
		// A question not drawn for this step.
		if _, err := w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Answer: &AnswerInput{Seq: 1, QuestionID: a.QuestionIDs[1], Choice: "A"}}); !errors.Is(err, ErrNotDrawn) {
			t.Errorf("question not drawn here: %v", err)
		}
		if _, err := w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Answer: &AnswerInput{Seq: 1, QuestionID: q1, Choice: "Z"}}); !errors.Is(err, ErrBadChoice) {
			t.Errorf("not an option: %v", err)
		}
		// Too fast: scored and flagged.
		clk.Add(300 * time.Millisecond)
		q, _ := s.Question(ctx, q1)
		out, err = w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Answer: &AnswerInput{Seq: 1, QuestionID: q1, Choice: q.Answer}})
		if err != nil || !out.Correct || out.Flag != "too_fast" || out.MS != 300 || out.Next != nil || out.Question.Answer != q.Answer {
			t.Fatalf("fast answer: %+v %v", out, err)
		}
		// A replay of the same submission.
		if _, err := w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Answer: &AnswerInput{Seq: 1, QuestionID: q1, Choice: q.Answer}}); !errors.Is(err, ErrReplay) {
			t.Errorf("replay: %v", err)
		}
		// Question 2: answered after the limit and the grace: refused (kept, scored 0).
		w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Serve: true})
		clk.Add(20*time.Second + Grace + time.Millisecond)
		q2, _ := s.Question(ctx, a.QuestionIDs[1])
		out, err = w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Answer: &AnswerInput{Seq: 2, QuestionID: q2.ID, Choice: q2.Answer, Next: true}})
		if err != nil || out.Correct || out.Flag != "late" || out.Next == nil || out.Next.Seq != 3 {
			t.Fatalf("late answer: %+v %v", out, err)
		}
		// A reload shows question 3 again with its clock unchanged.
		clk.Add(5 * time.Second)
		again, _ := w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Serve: true})
		if !again.Next.Deadline.Equal(out.Next.Deadline) {
			t.Errorf("a reload restarted the clock: %v → %v", out.Next.Deadline, again.Next.Deadline)
		}
		for seq := 3; seq <= 4; seq++ {
			q, _ := s.Question(ctx, a.QuestionIDs[seq-1])
			clk.Add(2 * time.Second)
			out, err = w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Answer: &AnswerInput{Seq: seq, QuestionID: q.ID, Choice: q.Answer, Next: true}})
			if err != nil {
				t.Fatal(err)
			}
		}
		if !out.Attempt.Finished() || out.Attempt.Score != 3 || out.Attempt.Flagged != 1 || out.Next != nil {
			t.Fatalf("finished attempt: %+v", out.Attempt)
		}
		if _, err := w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Answer: &AnswerInput{Seq: 5, QuestionID: q1, Choice: "A"}}); !errors.Is(err, ErrFinished) && !errors.Is(err, ErrNotDrawn) {
			t.Errorf("answer after the end: %v", err)
		}
		answers, _ := s.Answers(ctx, a.ID)
		if len(answers) != 4 || answers[0].Flag != "too_fast" || answers[1].Flag != "late" || answers[1].Correct {
			t.Errorf("audit trail: %+v", answers)
		}
		p, _ = s.Participant(ctx, pid)
		if p.BestScore != 3 || p.BestAttempt != a.ID {
			t.Errorf("best kept: %+v", p)
		}
		// Attempts per day: 2; practice does not count and does not change the best.
		if _, err := s.Start(ctx, p, false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Start(ctx, p, false); !errors.Is(err, ErrAttemptsUsed) {
			t.Errorf("third attempt today: %v", err)
		}
		pr, err := s.Start(ctx, p, true)
		if err != nil {
			t.Fatal(err)
		}
		play(t, s, w, clk, p, pr, 2*time.Second, true)
		if p2, _ := s.Participant(ctx, pid); p2.BestScore != 3 {
			t.Errorf("practice changed the best: %d", p2.BestScore)
		}
		clk.Add(24 * time.Hour)
		if _, err := s.Start(ctx, p, false); err != nil {
			t.Errorf("next day: %v", err)
		}
		clk.Add(72 * time.Hour)
		if _, err := s.Start(ctx, p, false); !errors.Is(err, ErrClosed) {
			t.Errorf("after the end: %v", err)
		}
	})
}

func TestRanksAndBoards(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk, c := setup(t, d, 3, func(c *Contest) { c.AttemptsPerDay = 5 })
		w := &Writer{Store: s}
		type who struct {
			name, code string
			wait       time.Duration
			right      bool
		}
		people := []who{{"甲", "152502001", 3 * time.Second, true}, {"乙", "152502", 2 * time.Second, true}, {"丙", "152501", 2 * time.Second, false},
			{"丁", "150102", 4 * time.Second, true}, {"戊", "152502", 3 * time.Second, true}}
		var ps []Participant
		for i, x := range people {
			_, token, err := s.Register(ctx, c.ID, SignUp{Name: x.name, Phone: fmt.Sprintf("1390000%04d", i), RegionCode: x.code})
			if err != nil {
				t.Fatal(err)
			}
			p, _ := s.ParticipantByToken(ctx, c.ID, token)
			a, err := s.Start(ctx, p, false)
			if err != nil {
				t.Fatal(err)
			}
			play(t, s, w, clk, p, a, x.wait, x.right)
			p, _ = s.Participant(ctx, p.ID)
			ps = append(ps, p)
		}
		// 乙 3/3 in 6 s; 甲 and 戊 3/3 in 9 s (甲 signed up first); 丁 3/3 in 12 s; 丙 0/3.
		want := []string{"乙", "甲", "戊", "丁", "丙"}
		top, err := s.Top(ctx, c.ID, "", 100)
		if err != nil || len(top) != 5 {
			t.Fatalf("top: %v %v", top, err)
		}
		for i, e := range top {
			if e.Name != want[i] || e.Rank != i+1 {
				t.Errorf("top %d = %s, want %s", i+1, e.Name, want[i])
			}
		}
		for i, name := range want {
			for _, p := range ps {
				if p.Name != name {
					continue
				}
				rs, err := s.Ranks(ctx, p)
				if err != nil || rs[0].Rank != int64(i+1) || rs[0].Of != 5 {
					t.Errorf("%s contest rank %+v %v, want %d", name, rs, err, i+1)
				}
			}
		}
		// A better second attempt moves 丁 up, in every board.
		d4 := ps[3]
		a, _ := s.Start(ctx, d4, false)
		play(t, s, w, clk, d4, a, 1500*time.Millisecond, true)
		d4, _ = s.Participant(ctx, d4.ID)
		rs, _ := s.Ranks(ctx, d4)
		if rs[0].Rank != 1 || rs[0].Of != 5 || rs[1].Rank != 1 || rs[1].Of != 1 || rs[2].Code != "150102" {
			t.Errorf("丁 after a better attempt: %+v", rs)
		}
		banner, _ := s.Top(ctx, c.ID, "152502", 100)
		if len(banner) != 3 || banner[0].Name != "乙" {
			t.Errorf("banner 152502 board: %+v", banner)
		}
		rs, _ = s.Ranks(ctx, ps[4])
		if rs[2].Rank != 3 || rs[2].Of != 3 || rs[1].Rank != 3 || rs[1].Of != 4 {
			t.Errorf("戊 in league and banner: %+v", rs)
		}
		(&region.Store{DB: d}).SetDetails(ctx, "152502", region.Details{Population: ptr(int64(300000)), PopYear: ptr(2020)})
		byRate, byScore, err := s.RegionBoard(ctx, c.ID, region.LevelBanner, "")
		if err != nil || len(byRate) != 3 || byRate[0].Code != "152502" || byRate[0].Participants != 3 || byRate[0].PerTenK != 0.1 {
			t.Fatalf("regions by rate: %+v %v", byRate, err)
		}
		if byScore[len(byScore)-1].Code != "152501" || byScore[0].AvgScore != 3 {
			t.Errorf("regions by score: %+v", byScore)
		}
		if MaskName("乌云其其格") != "乌****" {
			t.Error(MaskName("乌云其其格"))
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestWriterGroupsConcurrentAnswers sends many participants' answers at once: every answer
// is stored once, and a replay sent in the same group is refused.
func TestWriterGroupsConcurrentAnswers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _, c := setup(t, d, 2, nil)
		w := &Writer{Store: s, Window: 20 * time.Millisecond}
		const n = 40
		type pa struct {
			p Participant
			a Attempt
		}
		var all []pa
		for i := range n {
			_, token, err := s.Register(ctx, c.ID, SignUp{Name: "人", Phone: fmt.Sprintf("1380000%04d", i), RegionCode: "152502"})
			if err != nil {
				t.Fatal(err)
			}
			p, _ := s.ParticipantByToken(ctx, c.ID, token)
			a, _ := s.Start(ctx, p, false)
			w.Do(ctx, Step{AttemptID: a.ID, ParticipantID: p.ID, Serve: true})
			all = append(all, pa{p, a})
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, replays := 0, 0
		for _, x := range all {
			for range 2 { // each answer sent twice at once
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := w.Do(ctx, Step{AttemptID: x.a.ID, ParticipantID: x.p.ID, Answer: &AnswerInput{Seq: 1, QuestionID: x.a.QuestionIDs[0], Choice: "A"}})
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						ok++
					case errors.Is(err, ErrReplay):
						replays++
					default:
						t.Error(err)
					}
				}()
			}
		}
		wg.Wait()
		var stored int
		d.QueryRowContext(ctx, `SELECT COUNT(*) FROM quiz_answers`).Scan(&stored)
		if ok != n || replays != n || stored != n {
			t.Errorf("accepted %d, replays %d, stored %d; want %d each", ok, replays, stored, n)
		}
	})
}

func FuzzDecodeAnswer(f *testing.F) {
	for _, s := range []string{`{"seq":1,"question_id":5,"choice":"A"}`, `{"seq":2,"question_id":9,"choice":"对","next":true}`, `{}`, `{"seq":1,"question_id":5,"choice":"A"} x`,
		`{"seq":-1}`, `{"seq":1,"question_id":5,"choice":"A","extra":1}`, `[1,2]`, "\x00", `{"seq":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := DecodeAnswer(bytes.NewReader(b))
		if err != nil {
			var m *ErrMalformed
			if !errors.As(err, &m) || m.Msg == "" {
				t.Fatalf("error without a message: %v", err)
			}
			return
		}
		if in.Seq < 1 || in.Seq > 100 || in.QuestionID < 1 || len(in.Choice) > 40 || len(b) > MaxAnswerBody {
			t.Fatalf("accepted %q as %+v", b, in)
		}
		// Whatever was accepted normalizes to letters or to nothing, never panics.
		for _, k := range []Kind{TrueFalse, Single, Multiple} {
			if c := NormalizeChoice(in.Choice, k, MaxOptions); strings.Trim(c, "ABCDEF") != "" {
				t.Fatalf("choice %q normalized to %q", in.Choice, c)
			}
		}
	})
}

// The participation roll-ups (quiz_region_months and, per banner, quiz_banner_months) give the
// same counts as counting the rows:
// after sign-ups and counted and practice attempts on either side of a China midnight that
// ends a month, after the bulk load of FillContest, and after the migration's backfill of
// rows written before it, for every grouping, two scopes and periods of whole months, part
// months and both.
func TestParticipationRollupIsExact(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// 23:00 on 30 September, China time; the contest runs three days.
		s, clk, c := setup(t, d, 2, func(c *Contest) {
			c.AttemptsPerDay = 3
			c.StartsAt, c.EndsAt = time.Date(2026, 9, 29, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)
		})
		clk.t = time.Date(2026, 9, 30, 15, 0, 0, 0, time.UTC)
		codes := []string{"152502001", "152502", "152501", "150102", "152502002"}
		var people []Participant
		signUp := func(n int) {
			for i := range n {
				code := codes[(len(people)+i)%len(codes)]
				pid, _, err := s.Register(ctx, c.ID, SignUp{Name: "人", Phone: fmt.Sprintf("1370000%04d", len(people)), RegionCode: code})
				if err != nil {
					t.Fatal(err)
				}
				p, err := s.Participant(ctx, pid)
				if err != nil {
					t.Fatal(err)
				}
				people = append(people, p)
				clk.Add(time.Minute)
			}
		}
		start := func(every int, practice bool) {
			for i, p := range people {
				if i%every == 0 {
					if _, err := s.Start(ctx, Participant{ID: p.ID, ContestID: p.ContestID}, practice); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		signUp(12) // September (China time)
		start(2, false)
		start(3, true)
		clk.t = time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC) // 00:30 on 1 October
		signUp(7)
		start(1, false)
		start(4, true)

		check := func(t *testing.T, when string) {
			t.Helper()
			china := web.China
			periods := [][2]time.Time{
				{time.Date(2026, 1, 1, 0, 0, 0, 0, china), time.Date(2027, 1, 1, 0, 0, 0, 0, china)},   // a year
				{time.Date(2026, 9, 1, 0, 0, 0, 0, china), time.Date(2026, 10, 1, 0, 0, 0, 0, china)},  // September
				{time.Date(2026, 10, 1, 0, 0, 0, 0, china), time.Date(2026, 11, 1, 0, 0, 0, 0, china)}, // October
				{time.Date(2026, 9, 30, 23, 30, 0, 0, china), time.Date(2026, 10, 1, 0, 40, 0, 0, china)},
				{time.Date(2026, 9, 30, 23, 30, 0, 0, china), time.Date(2026, 12, 2, 0, 0, 0, 0, china)},
				{time.Date(2026, 8, 3, 0, 0, 0, 0, china), time.Date(2026, 10, 1, 0, 20, 0, 0, china)},
			}
			total := int64(0)
			// 150000 and 152500 with groups of 2, 4 and 6 digits read quiz_banner_months,
			// 152502001 (a township) and groups of 9 and 12 quiz_region_months.
			for _, scope := range []string{"150000", "152500", "152502001"} {
				for _, n := range []int{2, 4, 6, 9, 12} {
					for _, pr := range periods {
						got, err := s.ParticipationByRegion(ctx, region.NewScope(scope), n, pr[0], pr[1])
						if err != nil {
							t.Fatal(err)
						}
						rows, err := s.participationCounted(ctx, region.NewScope(scope), n, pr[0], pr[1])
						if err != nil {
							t.Fatal(err)
						}
						want := map[string]Participation{}
						for _, x := range rows {
							p := want[x.key]
							p.Participants += x.a
							p.Attempts += x.b
							want[x.key] = p
						}
						for k, w := range want {
							if g := got[k]; g.Participants != w.Participants || g.Attempts != w.Attempts {
								t.Errorf("%s: scope %s, group %d, %v–%v, %s: roll-up %d people %d attempts, rows %d people %d attempts",
									when, scope, n, pr[0], pr[1], k, g.Participants, g.Attempts, w.Participants, w.Attempts)
							}
							total += w.Participants + w.Attempts
						}
						for k, g := range got {
							if _, ok := want[k]; !ok && (g.Participants != 0 || g.Attempts != 0) {
								t.Errorf("%s: scope %s, group %d, %s: roll-up %+v, no rows", when, scope, n, k, g)
							}
						}
						// Month by month: each China month's part of the period from the rows.
						byMonth, err := s.ParticipationByMonth(ctx, region.NewScope(scope), n, pr[0], pr[1])
						if err != nil {
							t.Fatal(err)
						}
						f := pr[0].In(china)
						for m := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, china); m.Before(pr[1]); m = m.AddDate(0, 1, 0) {
							lo, hi := m, m.AddDate(0, 1, 0)
							if lo.Before(pr[0]) {
								lo = pr[0]
							}
							if hi.After(pr[1]) {
								hi = pr[1]
							}
							key := m.Format("2006-01")
							rows, err := s.participationCounted(ctx, region.NewScope(scope), n, lo, hi)
							if err != nil {
								t.Fatal(err)
							}
							want := map[string]Participation{}
							for _, x := range rows {
								p := want[x.key]
								p.Participants += x.a
								p.Attempts += x.b
								want[x.key] = p
							}
							for k, w := range want {
								if g := byMonth[key][k]; g.Participants != w.Participants || g.Attempts != w.Attempts {
									t.Errorf("%s: scope %s, group %d, %v–%v, month %s, %s: by month %d people %d attempts, rows %d people %d attempts",
										when, scope, n, pr[0], pr[1], key, k, g.Participants, g.Attempts, w.Participants, w.Attempts)
								}
							}
							for k, g := range byMonth[key] {
								if _, ok := want[k]; !ok && (g.Participants != 0 || g.Attempts != 0) {
									t.Errorf("%s: scope %s, group %d, month %s, %s: by month %+v, no rows", when, scope, n, key, k, g)
								}
							}
						}
						for key := range byMonth {
							m, err := time.ParseInLocation("2006-01", key, china)
							if err != nil || !m.Before(pr[1]) || !m.AddDate(0, 1, 0).After(pr[0]) {
								t.Errorf("%s: month %s outside %v–%v (%v)", when, key, pr[0], pr[1], err)
							}
						}
					}
				}
			}
			if total == 0 {
				t.Fatalf("%s: nothing counted", when)
			}
		}
		check(t, "after sign-ups and attempts")
		people2 := int64(0)
		if err := d.QueryRowContext(ctx, `SELECT COALESCE(SUM(participants), 0) FROM quiz_region_months`).Scan(&people2); err != nil || people2 != int64(len(people)) {
			t.Fatalf("roll-up holds %d sign-ups of %d (%v)", people2, len(people), err)
		}

		if _, err := LoadTestContest(ctx, s, 1500); err != nil {
			t.Fatal(err)
		}
		check(t, "after FillContest")

		ms, err := db.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		// Migration 0014 fills quiz_region_months from the rows, then 0022 fills
		// quiz_banner_months from quiz_region_months.
		var backfill, bannerBackfill string
		for _, m := range ms {
			if sql := m.For(d.Dialect); strings.Contains(sql, "CREATE TABLE quiz_region_months") {
				backfill = sql[strings.Index(sql, "INSERT INTO quiz_region_months"):]
			}
			if sql := m.For(d.Dialect); strings.Contains(sql, "CREATE TABLE quiz_banner_months") {
				bannerBackfill = sql[strings.Index(sql, "INSERT INTO quiz_banner_months"):]
			}
		}
		if backfill == "" || bannerBackfill == "" {
			t.Fatal("no backfill found in the migrations")
		}
		for _, q := range []string{`DELETE FROM quiz_region_months`, `DELETE FROM quiz_banner_months`, backfill, bannerBackfill} {
			if _, err := d.ExecContext(ctx, q); err != nil {
				t.Fatalf("backfill: %v", err)
			}
		}
		check(t, "after the migrations' backfill")
	})
}
