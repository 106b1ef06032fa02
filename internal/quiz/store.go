package quiz

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kepu/kepu/internal/activity"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// Store keeps banks, contests, participants, attempts and answers. Questions and contests
// never change once written, so the store caches them by id for the answer path.
type Store struct {
	DB      *db.DB
	Regions *region.Store
	// Now is the server clock (time.Now when nil): every served and answered time comes from it.
	Now func() time.Time

	questions sync.Map // id → Question
	contests  sync.Map // id → Contest
	tokens    tokenCache
	boards    boardCache
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Errors of the attempt and answer path; the handlers map each to a status and a message.
var (
	ErrClosed          = errors.New("quiz: the contest is not open")
	ErrNoPractice      = errors.New("quiz: the contest offers no practice")
	ErrAttemptsUsed    = errors.New("quiz: no attempts left today")
	ErrFinished        = errors.New("quiz: the attempt is finished")
	ErrNotServed       = errors.New("quiz: the question has not been shown yet")
	ErrReplay          = errors.New("quiz: this question was already answered")
	ErrNotDrawn        = errors.New("quiz: the question is not the one drawn for this step")
	ErrBadChoice       = errors.New("quiz: the choice is not an option of the question")
	ErrAlreadyServed   = errors.New("quiz: the question is already shown")
	ErrNotParticipant  = errors.New("quiz: not signed up")
	ErrInvitationTaken = errors.New("quiz: invitation code already used")
)

// Grace is added to a question's time limit for the network: an answer that reaches the
// server up to this long after the limit still counts.
const Grace = 1500 * time.Millisecond

const contestSelect = `SELECT id, region_code, bank_id, campaign, title, title_mn, starts_at, ends_at, questions, seconds_per_question,
	attempts_per_day, stratified, practice, invitation_only, min_answer_ms, winners FROM quiz_contests`

func scanContest(r db.Scanner) (Contest, error) {
	var c Contest
	err := r.Scan(&c.ID, &c.RegionCode, &c.BankID, &c.Campaign, &c.Title, &c.TitleMn, &c.StartsAt, &c.EndsAt, &c.Questions, &c.SecondsPerQuestion,
		&c.AttemptsPerDay, &c.Stratified, &c.Practice, &c.InvitationOnly, &c.MinAnswerMS, &c.Winners)
	c.StartsAt, c.EndsAt = c.StartsAt.UTC(), c.EndsAt.UTC()
	return c, err
}

// CreateContest adds a contest held by c.RegionCode (inside scope) on a bank inside scope.
// Errors: ValidationError, db.ErrNotFound (unit or bank outside scope).
func (s *Store) CreateContest(ctx context.Context, scope region.Scope, accountID int64, c Contest) (int64, error) {
	if errs := c.Validate(); errs != nil {
		return 0, ValidationError(errs)
	}
	if !scope.Contains(c.RegionCode) {
		return 0, ValidationError{"region_code": "主办单位不在您的管辖范围内"}
	}
	b, err := s.Bank(ctx, scope, c.BankID)
	if err != nil {
		return 0, ValidationError{"bank_id": "题库不存在或不在您的管辖范围内"}
	}
	if b.Questions == 0 {
		return 0, ValidationError{"bank_id": "题库中还没有题目"}
	}
	var id int64
	err = s.DB.QueryRowContext(ctx, `INSERT INTO quiz_contests (region_code, bank_id, campaign, title, title_mn, starts_at, ends_at, questions,
		seconds_per_question, attempts_per_day, stratified, practice, invitation_only, min_answer_ms, winners, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
		c.RegionCode, c.BankID, c.Campaign, c.Title, c.TitleMn, c.StartsAt.UTC(), c.EndsAt.UTC(), c.Questions, c.SecondsPerQuestion,
		c.AttemptsPerDay, c.Stratified, c.Practice, c.InvitationOnly, c.MinAnswerMS, c.Winners, s.now(), nullID(accountID)).Scan(&id)
	return id, db.Map(err)
}

// Contest returns a contest by id (public: contests are public pages); db.ErrNotFound.
func (s *Store) Contest(ctx context.Context, id int64) (Contest, error) {
	if c, ok := s.contests.Load(id); ok {
		return c.(Contest), nil
	}
	c, err := scanContest(s.DB.QueryRowContext(ctx, contestSelect+` WHERE id = $1`, id))
	if err != nil {
		return Contest{}, db.Map(err)
	}
	s.contests.Store(id, c)
	return c, nil
}

// Contests lists contests whose unit lies in scope, newest first; with public set, every
// contest that has not ended more than 30 days before now instead.
func (s *Store) Contests(ctx context.Context, scope region.Scope, public bool) ([]Contest, error) {
	if public {
		return db.QueryAll(ctx, s.DB, scanContest, contestSelect+` WHERE ends_at > $1 ORDER BY starts_at DESC, id DESC LIMIT 200`, s.now().AddDate(0, 0, -30))
	}
	where, args := scope.Where("region_code", 1)
	return db.QueryAll(ctx, s.DB, scanContest, contestSelect+` WHERE `+where+` ORDER BY starts_at DESC, id DESC LIMIT 500`, args...)
}

// AddInvitations creates n random invitation codes (8 characters, no look-alikes) for a
// contest in scope and returns them.
func (s *Store) AddInvitations(ctx context.Context, scope region.Scope, contestID int64, n int) ([]string, error) {
	c, err := s.Contest(ctx, contestID)
	if err != nil || !scope.Contains(c.RegionCode) {
		return nil, db.ErrNotFound
	}
	if n < 1 || n > 10000 {
		return nil, ValidationError{"n": "一次可生成 1 至 10000 个邀请码"}
	}
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	codes := make([]string, n)
	rows := make([][]any, n)
	now := s.now()
	for i := range codes {
		b := make([]byte, 8)
		rand.Read(b)
		for j := range b {
			b[j] = alphabet[int(b[j])%len(alphabet)]
		}
		codes[i] = string(b)
		rows[i] = []any{contestID, codes[i], now}
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return db.BulkInsert(ctx, tx, s.DB.Dialect, "quiz_invitations", []string{"contest_id", "code", "created_at"}, rows, "")
	})
	return codes, err
}

// SignUp is what a participant gives at sign-up.
type SignUp struct {
	Name       string
	Phone      string // one participant per phone number in a contest
	Invitation string // or one per invitation code (required when the contest is invitation-only)
	RegionCode string // a banner or township inside the contest's unit
	School     string
}

// Participant is one person in one contest. Phone is the full number: mask it in lists.
type Participant struct {
	ID          int64
	ContestID   int64
	Name        string
	Phone       string
	RegionCode  string
	LeagueCode  string
	BannerCode  string
	School      string
	Attempts    int
	BestScore   int // -1 until a counted attempt is finished
	BestMS      int64
	BestAttempt int64
	CreatedAt   time.Time
}

// Ranked reports whether the participant has a finished counted attempt.
func (p Participant) Ranked() bool { return p.BestScore >= 0 }

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// Register signs a person up for a contest and returns the participant id and the secret
// token that identifies them from then on (kept in a cookie, or by API clients). Errors:
// ValidationError (name, phone, invitation, region_code: each problem at once), ErrClosed
// (the contest has ended), db.ErrNotFound (no such contest).
func (s *Store) Register(ctx context.Context, contestID int64, in SignUp) (int64, string, error) {
	c, err := s.Contest(ctx, contestID)
	if err != nil {
		return 0, "", err
	}
	if c.Ended(s.now()) {
		return 0, "", ErrClosed
	}
	errs := ValidationError{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len([]rune(in.Name)) > 40 {
		errs["name"] = "请填写姓名（不超过 40 字）"
	}
	in.School = strings.TrimSpace(in.School)
	if len([]rune(in.School)) > 100 {
		errs["school"] = "学校名称不能超过 100 字"
	}
	var phone, invitation any
	in.Invitation = strings.ToUpper(strings.TrimSpace(in.Invitation))
	switch {
	case c.InvitationOnly || in.Invitation != "":
		if in.Invitation == "" {
			errs["invitation"] = "本竞赛凭邀请码报名，请填写邀请码"
			break
		}
		var n int
		if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM quiz_invitations WHERE contest_id = $1 AND code = $2`, contestID, in.Invitation).Scan(&n); err != nil {
			return 0, "", db.Map(err)
		}
		if n == 0 {
			errs["invitation"] = "邀请码不正确"
		}
		invitation = in.Invitation
	default:
		p, ok := activity.NormalizePhone(in.Phone)
		if !ok {
			errs["phone"] = "手机号应为 11 位数字"
		}
		phone = p
	}
	code, err := region.Normalize(strings.TrimSpace(in.RegionCode))
	lvl := region.LevelOf(code)
	switch {
	case err != nil || (lvl != region.LevelBanner && lvl != region.LevelTownship):
		errs["region_code"] = "请选择所在旗县（市、区）或苏木乡镇"
	case !region.Within(code, c.RegionCode):
		errs["region_code"] = "所在地区不在本竞赛的范围内"
	default:
		if _, err := s.Regions.Get(ctx, code); err != nil {
			errs["region_code"] = "区划代码不存在"
		}
	}
	if len(errs) > 0 {
		return 0, "", errs
	}
	b := make([]byte, 24)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	var id int64
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO quiz_participants (contest_id, token_hash, name, phone, invitation, region_code, league_code, banner_code, school, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			contestID, hashToken(token), in.Name, phone, invitation, code, code[:4]+"00", code[:6], in.School, now).Scan(&id)
		if err != nil {
			return db.Map(err)
		}
		if _, err := tx.ExecContext(ctx, countSignUp, contestID, code, chinaMonth(now)); err != nil {
			return db.Map(err)
		}
		_, err = tx.ExecContext(ctx, countSignUpBanner, bannerOf(code), chinaMonth(now))
		return db.Map(err)
	})
	if errors.Is(err, db.ErrConflict) {
		if invitation != nil {
			return 0, "", ValidationError{"invitation": "该邀请码已被使用"}
		}
		return 0, "", ValidationError{"phone": "该手机号已报名本竞赛"}
	}
	return id, token, err
}

const participantSelect = `SELECT id, contest_id, name, COALESCE(phone, ''), region_code, league_code, banner_code, school, attempts, best_score, best_ms,
	COALESCE(best_attempt_id, 0), created_at FROM quiz_participants`

func scanParticipant(r db.Scanner) (Participant, error) {
	var p Participant
	err := r.Scan(&p.ID, &p.ContestID, &p.Name, &p.Phone, &p.RegionCode, &p.LeagueCode, &p.BannerCode, &p.School, &p.Attempts, &p.BestScore, &p.BestMS, &p.BestAttempt, &p.CreatedAt)
	return p, err
}

// ParticipantByToken returns the participant of a contest that holds token; ErrNotParticipant
// when none does.
func (s *Store) ParticipantByToken(ctx context.Context, contestID int64, token string) (Participant, error) {
	if token == "" {
		return Participant{}, ErrNotParticipant
	}
	if id, contest, ok := s.tokens.get(token); ok && (contestID == 0 || contest == contestID) {
		// The answer path needs only who it is; pages read the participant afresh.
		if contestID == 0 {
			return Participant{ID: id, ContestID: contest}, nil
		}
	}
	p, err := scanParticipant(s.DB.QueryRowContext(ctx, participantSelect+` WHERE token_hash = $1`, hashToken(token)))
	if err != nil || (contestID != 0 && p.ContestID != contestID) {
		return Participant{}, ErrNotParticipant
	}
	s.tokens.put(token, p.ID, p.ContestID)
	return p, nil
}

// tokenCache remembers which participant holds a token (tokens never change hands), so that
// the answer path does not hash and look up the token on every request. It forgets everything
// when it holds maxTokens.
type tokenCache struct {
	mu sync.RWMutex
	m  map[string][2]int64
}

const maxTokens = 500_000

func (c *tokenCache) get(token string) (int64, int64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[token]
	return v[0], v[1], ok
}

func (c *tokenCache) put(token string, id, contest int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxTokens {
		c.m = map[string][2]int64{}
	}
	c.m[token] = [2]int64{id, contest}
}

// Participant returns one participant by id; db.ErrNotFound.
func (s *Store) Participant(ctx context.Context, id int64) (Participant, error) {
	p, err := scanParticipant(s.DB.QueryRowContext(ctx, participantSelect+` WHERE id = $1`, id))
	return p, db.Map(err)
}

// Attempt is one run through a contest's drawn questions.
type Attempt struct {
	ID            int64
	ContestID     int64
	ParticipantID int64
	Practice      bool
	QuestionIDs   []int64
	Current       int // 1-based position of the question being answered; len+1 when finished
	ServedAt      *time.Time
	Score         int   // correct answers
	TotalMS       int64 // time taken, summed over the questions
	Flagged       int   // answers flagged too fast
	StartedAt     time.Time
	FinishedAt    *time.Time
}

// Finished reports whether every question was answered or timed out.
func (a Attempt) Finished() bool { return a.FinishedAt != nil }

const attemptSelect = `SELECT id, contest_id, participant_id, practice, question_ids, current, served_at, score, total_ms, flagged, started_at, finished_at FROM quiz_attempts`

func scanAttempt(r db.Scanner) (Attempt, error) {
	var a Attempt
	var ids string
	var served, finished sql.NullTime
	err := r.Scan(&a.ID, &a.ContestID, &a.ParticipantID, &a.Practice, &ids, &a.Current, &served, &a.Score, &a.TotalMS, &a.Flagged, &a.StartedAt, &finished)
	if err != nil {
		return a, err
	}
	for _, f := range strings.Split(ids, ",") {
		id, _ := strconv.ParseInt(f, 10, 64)
		a.QuestionIDs = append(a.QuestionIDs, id)
	}
	if served.Valid {
		t := served.Time.UTC()
		a.ServedAt = &t
	}
	if finished.Valid {
		t := finished.Time.UTC()
		a.FinishedAt = &t
	}
	return a, nil
}

// Attempt returns an attempt of participant pid; db.ErrNotFound when it is not theirs.
func (s *Store) Attempt(ctx context.Context, pid, id int64) (Attempt, error) {
	a, err := scanAttempt(s.DB.QueryRowContext(ctx, attemptSelect+` WHERE id = $1`, id))
	if err != nil {
		return Attempt{}, db.Map(err)
	}
	if a.ParticipantID != pid {
		return Attempt{}, db.ErrNotFound
	}
	return a, nil
}

// Attempts lists a participant's attempts, newest first.
func (s *Store) Attempts(ctx context.Context, pid int64) ([]Attempt, error) {
	return db.QueryAll(ctx, s.DB, scanAttempt, attemptSelect+` WHERE participant_id = $1 ORDER BY id DESC LIMIT 200`, pid)
}

// ChinaDay is the China Standard Time date of t, as attempts per day count it.
func ChinaDay(t time.Time) string { return t.In(web.China).Format("2006-01-02") }

// Start begins an attempt: it draws the contest's questions (Draw) and keeps them on the
// server; nothing is shown yet. A counted attempt needs the contest open and an attempt left
// today (China time); a practice attempt needs the contest to offer practice. Errors:
// ErrClosed, ErrNoPractice, ErrAttemptsUsed, errBankEmpty.
func (s *Store) Start(ctx context.Context, p Participant, practice bool) (Attempt, error) {
	c, err := s.Contest(ctx, p.ContestID)
	if err != nil {
		return Attempt{}, err
	}
	now := s.now()
	if !c.Open(now) {
		return Attempt{}, ErrClosed
	}
	if practice && !c.Practice {
		return Attempt{}, ErrNoPractice
	}
	pool, err := db.QueryAll(ctx, s.DB, func(r db.Scanner) (Question, error) {
		var q Question
		return q, r.Scan(&q.ID, &q.Topic)
	}, `SELECT id, topic FROM quiz_questions WHERE bank_id = $1 AND retired_at IS NULL`, c.BankID)
	if err != nil {
		return Attempt{}, err
	}
	if len(pool) == 0 {
		return Attempt{}, errBankEmpty
	}
	var seed [16]byte
	rand.Read(seed[:])
	r := mrand.New(mrand.NewPCG(uint64FromBytes(seed[:8]), uint64FromBytes(seed[8:])))
	ids := Draw(r, pool, c.Questions, c.Stratified)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	day := ChinaDay(now)
	a := Attempt{ContestID: c.ID, ParticipantID: p.ID, Practice: practice, QuestionIDs: ids, Current: 1, StartedAt: now}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if !practice {
			// The participant's row is locked first, so that two starts at once count each other.
			if _, err := tx.ExecContext(ctx, `UPDATE quiz_participants SET attempts = attempts + 1 WHERE id = $1`, p.ID); err != nil {
				return db.Map(err)
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM quiz_attempts WHERE participant_id = $1 AND day = $2 AND NOT practice`, p.ID, day).Scan(&n); err != nil {
				return db.Map(err)
			}
			if n >= c.AttemptsPerDay {
				return ErrAttemptsUsed
			}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO quiz_attempts (contest_id, participant_id, practice, day, question_ids, started_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.ID, p.ID, practice, day, strings.Join(parts, ","), now).Scan(&a.ID); err != nil {
			return db.Map(err)
		}
		if practice {
			return nil
		}
		if _, err := tx.ExecContext(ctx, countAttempt, p.ID, day[:7]); err != nil {
			return db.Map(err)
		}
		_, err := tx.ExecContext(ctx, countAttemptBanner, p.ID, day[:7])
		return db.Map(err)
	})
	if err != nil {
		return Attempt{}, err
	}
	return a, nil
}

func uint64FromBytes(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

// Question returns a question by id from the cache (questions never change).
func (s *Store) Question(ctx context.Context, id int64) (Question, error) {
	if q, ok := s.questions.Load(id); ok {
		return q.(Question), nil
	}
	q, err := scanQuestion(s.DB.QueryRowContext(ctx, questionSelect+` WHERE id = $1`, id))
	if err != nil {
		return Question{}, db.Map(err)
	}
	s.questions.Store(id, q)
	return q, nil
}

// Answer is one stored answer, for the attempt's review and the audit.
type Answer struct {
	Seq        int
	QuestionID int64
	Choice     string
	Correct    bool
	MS         int64
	Flag       string
	ServedAt   time.Time
	AnsweredAt time.Time
	IP         string
}

// Answers lists an attempt's answers in order.
func (s *Store) Answers(ctx context.Context, attemptID int64) ([]Answer, error) {
	return db.QueryAll(ctx, s.DB, func(r db.Scanner) (Answer, error) {
		var a Answer
		err := r.Scan(&a.Seq, &a.QuestionID, &a.Choice, &a.Correct, &a.MS, &a.Flag, &a.ServedAt, &a.AnsweredAt, &a.IP)
		return a, err
	}, `SELECT seq, question_id, choice, correct, ms, flag, served_at, answered_at, ip FROM quiz_answers WHERE attempt_id = $1 ORDER BY seq`, attemptID)
}

func idList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

var _ = fmt.Sprintf

// Seconds is the attempt's total time in seconds, one decimal.
func (a Attempt) Seconds() string { return Seconds(a.TotalMS) }

// Of is how many questions the attempt has.
func (a Attempt) Of() int { return len(a.QuestionIDs) }

// BestSeconds is the best attempt's total time in seconds, one decimal.
func (p Participant) BestSeconds() string { return Seconds(p.BestMS) }

// Seconds is the answer's time in seconds, one decimal.
func (a Answer) Seconds() string { return Seconds(a.MS) }
