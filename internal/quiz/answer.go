package quiz

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kepu/kepu/internal/db"
)

// MaxAnswerBody is the largest answer body the decoder reads, in bytes.
const MaxAnswerBody = 1024

// AnswerInput is an answer as a client sends it: {"seq": 3, "question_id": 812, "choice":
// "AC", "next": true}. seq is the 1-based position in the attempt; choice is option letters
// (or 对/错 for true/false; see NormalizeChoice); next asks for the following question to be
// shown (its clock started) in the same reply.
type AnswerInput struct {
	Seq        int    `json:"seq"`
	QuestionID int64  `json:"question_id"`
	Choice     string `json:"choice"`
	Next       bool   `json:"next"`
}

// ErrMalformed is a body the decoder refuses; its message says what is wrong, in Chinese.
type ErrMalformed struct{ Msg string }

func (e *ErrMalformed) Error() string { return "quiz: malformed answer: " + e.Msg }

// DecodeAnswer reads one answer body of at most MaxAnswerBody bytes: a JSON object with
// exactly the fields of AnswerInput (unknown fields, trailing data, a missing or non-positive
// seq or question_id, a choice longer than 40 bytes or of control characters are refused).
// The choice is only trimmed here; it is checked against the question by the writer.
func DecodeAnswer(r io.Reader) (AnswerInput, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxAnswerBody+1))
	if err != nil {
		return AnswerInput{}, &ErrMalformed{"请求体读取失败"}
	}
	if len(body) > MaxAnswerBody {
		return AnswerInput{}, &ErrMalformed{fmt.Sprintf("请求体超过 %d 字节", MaxAnswerBody)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var in AnswerInput
	if err := dec.Decode(&in); err != nil {
		return AnswerInput{}, &ErrMalformed{"不是有效的答题 JSON：" + err.Error()}
	}
	if dec.More() {
		return AnswerInput{}, &ErrMalformed{"JSON 之后还有多余内容"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return AnswerInput{}, &ErrMalformed{"JSON 之后还有多余内容"}
	}
	if in.Seq <= 0 || in.Seq > 100 {
		return AnswerInput{}, &ErrMalformed{"seq 应为 1 至 100 的题序"}
	}
	if in.QuestionID <= 0 {
		return AnswerInput{}, &ErrMalformed{"缺少 question_id"}
	}
	in.Choice = strings.TrimSpace(in.Choice)
	if len(in.Choice) > 40 {
		return AnswerInput{}, &ErrMalformed{"choice 过长"}
	}
	for _, r := range in.Choice {
		if r < ' ' || r == 0x7f || r == 0xfffd {
			return AnswerInput{}, &ErrMalformed{"choice 含有无效字符"}
		}
	}
	return in, nil
}

// Step is one request on an attempt, run by the Writer: an answer to the question at Seq
// (Answer set) and/or showing the next question (Serve, or Answer.Next).
type Step struct {
	AttemptID     int64
	ParticipantID int64 // the attempt must be theirs
	Answer        *AnswerInput
	Serve         bool // show the current question (start its clock) if not yet shown
	IP            string
}

// Served is a question shown to the participant: no answer key, no explanation.
type Served struct {
	Seq      int       `json:"seq"`
	Of       int       `json:"of"`
	Question Question  `json:"-"`
	Deadline time.Time `json:"deadline"` // the limit, without Grace
}

// Outcome is what a Step did: the judged answer (with the key and explanation, now that it was
// answered), the attempt after it, and the question served next if any.
type Outcome struct {
	Answered bool
	Seq      int
	Question Question // the question answered, with its key
	Choice   string
	Correct  bool
	Flag     string // "", "too_fast", "late"
	MS       int64
	Attempt  Attempt
	Next     *Served
}

// Writer runs attempt steps by group commit, as activity.CheckInWriter does for check-ins:
// steps that arrive within Window are judged and written in ONE transaction by one goroutine,
// and each caller is answered after that commit. The attempt rows are read inside the
// transaction, so two processes stay exact (a replay of the same step is refused by the
// answers' primary key and the attempt's current position); when a group fails as a whole,
// each step is retried alone.
type Writer struct {
	Store *Store
	// Window is how long the writer waits for more steps before committing; 0 commits at once
	// what is queued (steps that arrive during a commit form the next group by themselves).
	Window   time.Duration
	MaxSteps int // a group's most steps; 0: 1,000

	mu      sync.Mutex
	queue   []*stepJob
	running bool

	conn     *sql.Conn // the writer goroutine's own connection (one goroutine runs at a time)
	prepared map[string]*sql.Stmt
}

type stepJob struct {
	ctx  context.Context
	step Step
	out  Outcome
	err  error
	done chan struct{}
}

// Do runs one step and returns its outcome after it is committed. Errors: db.ErrNotFound (no
// such attempt, or another participant's), ErrFinished, ErrNotServed, ErrReplay, ErrNotDrawn,
// ErrBadChoice, ErrAlreadyServed (Serve of a question already shown is not an error: the
// outcome's Next is the question as shown), ctx.Err().
func (w *Writer) Do(ctx context.Context, st Step) (Outcome, error) {
	j := &stepJob{ctx: ctx, step: st, done: make(chan struct{})}
	w.mu.Lock()
	w.queue = append(w.queue, j)
	if !w.running {
		w.running = true
		go w.run()
	}
	w.mu.Unlock()
	select {
	case <-j.done:
		return j.out, j.err
	case <-ctx.Done():
		return Outcome{}, ctx.Err()
	}
}

func (w *Writer) run() {
	window := w.Window
	maxSteps := w.MaxSteps
	if maxSteps <= 0 {
		maxSteps = 1000
	}
	for {
		deadline := time.Now().Add(window)
		for time.Now().Before(deadline) {
			w.mu.Lock()
			n := len(w.queue)
			w.mu.Unlock()
			if n >= maxSteps {
				break
			}
			time.Sleep(window / 4)
		}
		w.mu.Lock()
		group := w.queue
		if len(group) > maxSteps {
			group, w.queue = group[:maxSteps:maxSteps], group[maxSteps:]
		} else {
			w.queue = nil
		}
		if len(group) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		w.commit(group)
	}
}

func (w *Writer) commit(group []*stepJob) {
	live := group[:0:0]
	for _, j := range group {
		if err := j.ctx.Err(); err != nil {
			j.err = err
			close(j.done)
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	err := w.tx(live)
	if err != nil && len(live) > 1 {
		for _, j := range live {
			if err := w.tx([]*stepJob{j}); err != nil {
				j.err = fmt.Errorf("quiz.Writer: %w", err)
			}
			close(j.done)
		}
		return
	}
	for _, j := range live {
		if err != nil {
			j.err = fmt.Errorf("quiz.Writer: %w", err)
		}
		close(j.done)
	}
}

// tx runs jobs in one transaction on the writer's own connection, where the answer path's
// statements stay prepared (stmts). A connection that fails is given back and a new one
// taken next time.
func (w *Writer) tx(jobs []*stepJob) error {
	ctx := context.Background() // a caller that hangs up does not cancel the group
	if w.conn == nil {
		c, err := w.Store.DB.Conn(ctx)
		if err != nil {
			return db.Map(err)
		}
		w.conn = c
		if w.prepared == nil {
			w.prepared = map[string]*sql.Stmt{}
		}
	}
	fail := func(err error) error {
		w.conn.Close()
		w.conn = nil
		return err
	}
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return fail(db.Map(err))
	}
	if err := w.Store.runSteps(ctx, tx, &stmts{db: w.Store.DB, tx: tx, cache: w.prepared}, jobs); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fail(db.Map(err))
	}
	return nil
}

// stepError fails one step of a group without failing the group.
type stepError struct{ err error }

// runSteps judges and writes a group of steps in tx. A step's own refusal goes to its job;
// a database failure is returned and fails the group.
func (s *Store) runSteps(ctx context.Context, tx *sql.Tx, st *stmts, jobs []*stepJob) error {
	// Read every attempt of the group at once.
	ids := map[int64]bool{}
	var list []int64
	for _, j := range jobs {
		j.err = nil
		if !ids[j.step.AttemptID] {
			ids[j.step.AttemptID] = true
			list = append(list, j.step.AttemptID)
		}
	}
	attempts := map[int64]*Attempt{}
	for _, id := range list {
		a, err := scanAttempt(st.queryRow(ctx, tx, attemptSelect+` WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return db.Map(err)
		}
		attempts[id] = &a
	}
	changed := map[int64]bool{}
	var answers [][]any
	var finished []*Attempt
	now := s.now()
	for _, j := range jobs {
		a := attempts[j.step.AttemptID]
		if a == nil || a.ParticipantID != j.step.ParticipantID {
			j.err = db.ErrNotFound
			continue
		}
		c, err := s.Contest(ctx, a.ContestID)
		if err != nil {
			return err
		}
		out, row, err := s.judge(ctx, c, a, j.step, now)
		if err != nil {
			if _, ok := err.(*stepError); ok {
				j.err = err.(*stepError).err
				continue
			}
			return err
		}
		if row != nil {
			answers = append(answers, row)
			if a.Finished() {
				finished = append(finished, a)
			}
		}
		if out.Answered || out.Next != nil {
			changed[a.ID] = true
		}
		out.Attempt = *a
		j.out = out
	}
	for _, row := range answers {
		if _, err := st.exec(ctx, tx, `INSERT INTO quiz_answers (attempt_id, seq, question_id, choice, correct, ms, flag, served_at, answered_at, ip)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, row...); err != nil {
			return db.Map(err)
		}
	}
	for _, id := range list {
		if !changed[id] {
			continue
		}
		a := attempts[id]
		if _, err := st.exec(ctx, tx, `UPDATE quiz_attempts SET current = $1, served_at = $2, score = $3, total_ms = $4, flagged = $5, finished_at = $6 WHERE id = $7`,
			a.Current, a.ServedAt, a.Score, a.TotalMS, a.Flagged, a.FinishedAt, a.ID); err != nil {
			return db.Map(err)
		}
	}
	for _, a := range finished {
		if !a.Practice {
			if err := s.keepBest(ctx, tx, st, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// judge applies one step to the attempt a (in memory) and returns the outcome and the answer
// row to store. Refusals are *stepError.
func (s *Store) judge(ctx context.Context, c Contest, a *Attempt, st Step, now time.Time) (Outcome, []any, error) {
	var out Outcome
	var row []any
	refuse := func(err error) (Outcome, []any, error) { return Outcome{}, nil, &stepError{err} }
	limit := time.Duration(c.SecondsPerQuestion) * time.Second
	serveNext := st.Serve
	if in := st.Answer; in != nil {
		switch {
		case in.Seq < a.Current:
			return refuse(ErrReplay)
		case a.Finished():
			return refuse(ErrFinished)
		case in.Seq > a.Current || a.QuestionIDs[a.Current-1] != in.QuestionID:
			return refuse(ErrNotDrawn)
		case a.ServedAt == nil:
			return refuse(ErrNotServed)
		}
		q, err := s.Question(ctx, in.QuestionID)
		if err != nil {
			return Outcome{}, nil, err
		}
		choice := NormalizeChoice(in.Choice, q.Kind, len(q.OptionsZh))
		if choice == "" || (q.Kind != Multiple && len(choice) != 1) {
			return refuse(ErrBadChoice)
		}
		ms := now.Sub(*a.ServedAt).Milliseconds()
		flag := ""
		correct := choice == q.Answer
		switch {
		case now.Sub(*a.ServedAt) > limit+Grace:
			flag, correct = "late", false
			ms = limit.Milliseconds()
		case ms < int64(c.MinAnswerMS):
			flag = "too_fast"
			a.Flagged++
		}
		row = []any{a.ID, in.Seq, q.ID, choice, correct, ms, flag, *a.ServedAt, now, st.IP}
		if correct {
			a.Score++
		}
		a.TotalMS += min(ms, limit.Milliseconds())
		a.Current++
		a.ServedAt = nil
		if a.Current > len(a.QuestionIDs) {
			t := now
			a.FinishedAt = &t
		}
		out = Outcome{Answered: true, Seq: in.Seq, Question: q, Choice: choice, Correct: correct, Flag: flag, MS: ms}
		serveNext = serveNext || in.Next
	}
	if serveNext && !a.Finished() {
		if a.ServedAt == nil {
			t := now
			a.ServedAt = &t
		} else if st.Answer == nil && st.Serve {
			// Showing a question again (a reload) keeps its clock.
		}
		q, err := s.Question(ctx, a.QuestionIDs[a.Current-1])
		if err != nil {
			return Outcome{}, nil, err
		}
		out.Next = &Served{Seq: a.Current, Of: len(a.QuestionIDs), Question: q, Deadline: a.ServedAt.Add(limit)}
	}
	return out, row, nil
}

func (e *stepError) Error() string { return e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// keepBest makes a finished counted attempt the participant's best when it beats the best so
// far (more correct answers, or as many in less total time), and moves the participant between
// leaderboard buckets (whole contest, league, banner).
func (s *Store) keepBest(ctx context.Context, tx *sql.Tx, st *stmts, a *Attempt) error {
	var best, sec int
	var bestMS int64
	var league, banner string
	if err := st.queryRow(ctx, tx, `SELECT best_score, best_sec, best_ms, league_code, banner_code FROM quiz_participants WHERE id = $1`, a.ParticipantID).
		Scan(&best, &sec, &bestMS, &league, &banner); err != nil {
		return db.Map(err)
	}
	if best >= 0 && (a.Score < best || (a.Score == best && a.TotalMS >= bestMS)) {
		return nil
	}
	newSec := int(a.TotalMS / 1000)
	if _, err := st.exec(ctx, tx, `UPDATE quiz_participants SET best_score = $1, best_sec = $2, best_ms = $3, best_attempt_id = $4 WHERE id = $5`,
		a.Score, newSec, a.TotalMS, a.ID, a.ParticipantID); err != nil {
		return db.Map(err)
	}
	for _, scope := range []string{"", league, banner} {
		if best >= 0 {
			if _, err := st.exec(ctx, tx, `UPDATE quiz_board_buckets SET n = n - 1 WHERE contest_id = $1 AND scope = $2 AND score = $3 AND sec = $4`,
				a.ContestID, scope, best, sec); err != nil {
				return db.Map(err)
			}
			if _, err := st.exec(ctx, tx, `UPDATE quiz_board_scores SET n = n - 1 WHERE contest_id = $1 AND scope = $2 AND score = $3`,
				a.ContestID, scope, best); err != nil {
				return db.Map(err)
			}
		}
		if _, err := st.exec(ctx, tx, `INSERT INTO quiz_board_buckets (contest_id, scope, score, sec, n) VALUES ($1, $2, $3, $4, 1)
			ON CONFLICT (contest_id, scope, score, sec) DO UPDATE SET n = quiz_board_buckets.n + 1`, a.ContestID, scope, a.Score, newSec); err != nil {
			return db.Map(err)
		}
		if _, err := st.exec(ctx, tx, `INSERT INTO quiz_board_scores (contest_id, scope, score, n) VALUES ($1, $2, $3, 1)
			ON CONFLICT (contest_id, scope, score) DO UPDATE SET n = quiz_board_scores.n + 1`, a.ContestID, scope, a.Score); err != nil {
			return db.Map(err)
		}
	}
	return nil
}

// IsRefusal reports whether err is a refusal of a participant's step (as opposed to a failure).
func IsRefusal(err error) bool {
	for _, e := range []error{ErrFinished, ErrNotServed, ErrReplay, ErrNotDrawn, ErrBadChoice, ErrClosed, ErrNoPractice, ErrAttemptsUsed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// stmts runs the answer path's statements prepared once on the writer's connection and bound
// to the group's transaction (tx.StmtContext reuses a preparation made on the same
// connection): SQLite spends more time parsing a short statement than running it.
type stmts struct {
	db    *db.DB
	tx    *sql.Tx
	cache map[string]*sql.Stmt
}

func (s *stmts) get(ctx context.Context, q string) (*sql.Stmt, error) {
	st, ok := s.cache[q]
	if !ok {
		var err error
		// Prepared on the database, not on the connection: tx.StmtContext re-prepares a
		// connection's own statement every time, but reuses a database statement's
		// preparation on the connection it made before.
		if st, err = s.db.PrepareContext(ctx, q); err != nil {
			return nil, db.Map(err)
		}
		s.cache[q] = st
	}
	return s.tx.StmtContext(ctx, st), nil
}

func (s *stmts) exec(ctx context.Context, _ *sql.Tx, q string, args ...any) (sql.Result, error) {
	st, err := s.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// queryRow runs a one-row query; a failed prepare comes back from Scan.
func (s *stmts) queryRow(ctx context.Context, _ *sql.Tx, q string, args ...any) interface{ Scan(...any) error } {
	st, err := s.get(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
