package quiz

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// refusal maps a refused step to its status and message (Chinese, for the participant).
func refusal(err error) *web.Error {
	key := ""
	status := http.StatusConflict
	switch {
	case errors.Is(err, ErrClosed):
		key = "quiz.err.closed"
	case errors.Is(err, ErrNoPractice):
		key = "quiz.err.no_practice"
	case errors.Is(err, ErrAttemptsUsed):
		key, status = "quiz.err.attempts_used", http.StatusTooManyRequests
	case errors.Is(err, ErrFinished):
		key = "quiz.err.finished"
	case errors.Is(err, ErrNotServed):
		key = "quiz.err.not_served"
	case errors.Is(err, ErrReplay):
		key = "quiz.err.replay"
	case errors.Is(err, ErrNotDrawn):
		key = "quiz.err.not_drawn"
	case errors.Is(err, ErrBadChoice):
		key, status = "quiz.err.bad_choice", http.StatusUnprocessableEntity
	case errors.Is(err, errBankEmpty):
		key = "quiz.err.bank_empty"
	case errors.Is(err, ErrNotParticipant):
		key, status = "quiz.err.not_participant", http.StatusUnauthorized
	case errors.Is(err, db.ErrNotFound):
		return &web.Error{Status: http.StatusNotFound, Key: "error.not_found", Err: err}
	default:
		return nil
	}
	return &web.Error{Status: status, Key: key, Err: err}
}

func (h *Handler) contestOf(r *http.Request) (Contest, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return Contest{}, err
	}
	c, err := h.Store.Contest(r.Context(), id)
	if err != nil {
		return Contest{}, web.NotFound(err)
	}
	return c, nil
}

// participant returns the visitor's participant in contest c: the token from the contest's
// cookie on pages, from X-Quiz-Token in the API.
func (h *Handler) participant(r *http.Request, contestID int64) (Participant, error) {
	token := r.Header.Get("X-Quiz-Token")
	if !web.IsAPI(r) {
		token = ""
		if ck, err := r.Cookie(tokenCookiePrefix + strconv.FormatInt(contestID, 10)); err == nil {
			token = ck.Value
		}
	}
	return h.Store.ParticipantByToken(r.Context(), contestID, token)
}

// takeStep counts a step of participant pid against StepsPerParticipant.
func (h *Handler) takeStep(w http.ResponseWriter, pid int64) error {
	if ok, wait := h.steps.Take(strconv.FormatInt(pid, 10)); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
		return web.Errorf(http.StatusTooManyRequests, "quiz.err.too_many")
	}
	return nil
}

// ListPage is the public list of contests.
type ListPage struct {
	web.Page
	Contests []Contest
	Now      time.Time
}

func (h *Handler) publicList(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.Store.Contests(r.Context(), region.Scope{}, true)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "quiz/list", ListPage{Page: h.Kit.Page(r, "quiz.title"), Contests: cs, Now: h.Store.now()})
}

// ContestPage is a contest's public page: its rules, the sign-up form or the participant's
// own best, ranks, attempts and certificates.
type ContestPage struct {
	web.Page
	Contest      Contest
	Open, Ended  bool
	Me           *Participant
	Ranks        []Rank
	Attempts     []Attempt
	LeftToday    int
	Certificates []Certificate
	In           SignUp
	Errors       ValidationError
	Problem      string
}

func (h *Handler) contestPage(r *http.Request, c Contest) (ContestPage, error) {
	now := h.Store.now()
	p := ContestPage{Page: h.Kit.Page(r, "quiz.contest_title", c.Title), Contest: c, Open: c.Open(now), Ended: c.Ended(now)}
	me, err := h.participant(r, c.ID)
	if err != nil {
		return p, nil
	}
	p.Me = &me
	if p.Ranks, err = h.Store.Ranks(r.Context(), me); err != nil {
		return p, err
	}
	if p.Attempts, err = h.Store.Attempts(r.Context(), me.ID); err != nil {
		return p, err
	}
	p.LeftToday = c.AttemptsPerDay
	today := ChinaDay(now)
	for _, a := range p.Attempts {
		if !a.Practice && ChinaDay(a.StartedAt) == today {
			p.LeftToday--
		}
	}
	p.LeftToday = max(p.LeftToday, 0)
	p.Certificates, err = h.Store.CertificatesOf(r.Context(), me.ID)
	return p, err
}

func (h *Handler) contest(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	p, err := h.contestPage(r, c)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.Kit.Render.HTML(w, r, http.StatusOK, "quiz/contest", p)
}

// limitSignup counts a sign-up of the client's address (staff at a desk are not limited).
func (h *Handler) limitSignup(w http.ResponseWriter, r *http.Request) (undo func(), err error) {
	if account.FromContext(r.Context()).IsStaff() {
		return func() {}, nil
	}
	addr := account.ClientIP(r)
	if ok, wait := h.signups.Take(addr); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
		return nil, web.Errorf(http.StatusTooManyRequests, "quiz.err.signups", SignupsPerAddr)
	}
	return func() { h.signups.Undo(addr) }, nil
}

func (h *Handler) setToken(w http.ResponseWriter, r *http.Request, c Contest, token string) {
	http.SetCookie(w, &http.Cookie{Name: tokenCookiePrefix + strconv.FormatInt(c.ID, 10), Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || strings.HasPrefix(h.BaseURL, "https://"),
		Expires: c.EndsAt.Add(90 * 24 * time.Hour)})
}

func (h *Handler) signup(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	in := SignUp{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), Invitation: r.PostFormValue("invitation"),
		RegionCode: r.PostFormValue("region_code"), School: r.PostFormValue("school")}
	undo, err := h.limitSignup(w, r)
	if err != nil {
		return err
	}
	_, token, err := h.Store.Register(r.Context(), c.ID, in)
	var ve ValidationError
	if errors.As(err, &ve) || errors.Is(err, ErrClosed) {
		undo()
		p, perr := h.contestPage(r, c)
		if perr != nil {
			return perr
		}
		p.In, p.Errors = in, ve
		if ve == nil {
			p.Problem = p.T("quiz.err.closed")
		}
		return h.Kit.Render.HTML(w, r, http.StatusUnprocessableEntity, "quiz/contest", p)
	}
	if err != nil {
		undo()
		return err
	}
	h.setToken(w, r, c, token)
	http.Redirect(w, r, fmt.Sprintf("/quiz/%d", c.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) start(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	me, err := h.participant(r, c.ID)
	if err != nil {
		return refusal(err)
	}
	if err := h.takeStep(w, me.ID); err != nil {
		return err
	}
	a, err := h.Store.Start(r.Context(), me, r.PostFormValue("practice") == "1")
	if we := refusal(err); we != nil {
		return we
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/quiz/%d/attempts/%d", c.ID, a.ID), http.StatusSeeOther)
	return nil
}

// PlayPage is one step of an attempt on a phone: the answer just given with its key and
// explanation, then the current question (or the button that shows it), or the result.
type PlayPage struct {
	web.Page
	Contest Contest
	Attempt Attempt
	Last    *Feedback
	Current *Served
	Left    int // whole seconds left on the current question
	Ranks   []Rank
	Problem string
}

// Feedback is an answered question shown back with its key and explanation.
type Feedback struct {
	Question Question
	Answer   Answer
}

// Options pairs a question's options with their letters, for templates.
func (q Question) Options() []Option {
	out := make([]Option, len(q.OptionsZh))
	for i, o := range q.OptionsZh {
		out[i] = Option{Letter: Letter(i), Zh: o}
		if i < len(q.OptionsMn) {
			out[i].Mn = q.OptionsMn[i]
		}
	}
	return out
}

// Option is one option of a question.
type Option struct{ Letter, Zh, Mn string }

// KindLabel is the question kind's Chinese name.
func (q Question) KindLabel() string { return KindLabel(q.Kind) }

// Multiple reports whether the question takes several options.
func (q Question) Multiple() bool { return q.Kind == Multiple }

func (h *Handler) playPage(r *http.Request, c Contest, me Participant, aid int64, problem string) (PlayPage, error) {
	a, err := h.Store.Attempt(r.Context(), me.ID, aid)
	if err != nil {
		return PlayPage{}, web.NotFound(err)
	}
	p := PlayPage{Page: h.Kit.Page(r, "quiz.play_title", c.Title), Contest: c, Attempt: a, Problem: problem}
	answers, err := h.Store.Answers(r.Context(), a.ID)
	if err != nil {
		return p, err
	}
	if n := len(answers); n > 0 {
		q, err := h.Store.Question(r.Context(), answers[n-1].QuestionID)
		if err != nil {
			return p, err
		}
		p.Last = &Feedback{Question: q, Answer: answers[n-1]}
	}
	if a.ServedAt != nil && !a.Finished() {
		q, err := h.Store.Question(r.Context(), a.QuestionIDs[a.Current-1])
		if err != nil {
			return p, err
		}
		deadline := a.ServedAt.Add(time.Duration(c.SecondsPerQuestion) * time.Second)
		p.Current = &Served{Seq: a.Current, Of: len(a.QuestionIDs), Question: q, Deadline: deadline}
		p.Left = max(int(deadline.Sub(h.Store.now())/time.Second), 0)
	}
	if a.Finished() && !a.Practice {
		me, _ = h.Store.Participant(r.Context(), me.ID)
		p.Ranks, err = h.Store.Ranks(r.Context(), me)
	}
	return p, err
}

func (h *Handler) play(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	me, err := h.participant(r, c.ID)
	if err != nil {
		return web.NotFound(err)
	}
	aid, err := web.PathID(r, "aid")
	if err != nil {
		return err
	}
	p, err := h.playPage(r, c, me, aid, "")
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.Kit.Render.HTML(w, r, http.StatusOK, "quiz/play", p)
}

// step runs a page step (next question, answer) and comes back to the play page.
func (h *Handler) step(w http.ResponseWriter, r *http.Request, st func(c Contest, me Participant, aid int64) Step) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	me, err := h.participant(r, c.ID)
	if err != nil {
		return web.NotFound(err)
	}
	aid, err := web.PathID(r, "aid")
	if err != nil {
		return err
	}
	if err := h.takeStep(w, me.ID); err != nil {
		return err
	}
	_, err = h.Writer.Do(r.Context(), st(c, me, aid))
	if we := refusal(err); we != nil {
		if we.Status == http.StatusNotFound {
			return we
		}
		p, perr := h.playPage(r, c, me, aid, h.Kit.Messages.T(web.Lang(r), we.Key))
		if perr != nil {
			return perr
		}
		return h.Kit.Render.HTML(w, r, we.Status, "quiz/play", p)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/quiz/%d/attempts/%d", c.ID, aid), http.StatusSeeOther)
	return nil
}

func (h *Handler) next(w http.ResponseWriter, r *http.Request) error {
	return h.step(w, r, func(c Contest, me Participant, aid int64) Step {
		return Step{AttemptID: aid, ParticipantID: me.ID, Serve: true, IP: account.ClientIP(r)}
	})
}

func (h *Handler) answerForm(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	seq, _ := strconv.Atoi(r.PostFormValue("seq"))
	qid, _ := strconv.ParseInt(r.PostFormValue("question_id"), 10, 64)
	choice := strings.Join(r.PostForm["choice"], "")
	return h.step(w, r, func(c Contest, me Participant, aid int64) Step {
		return Step{AttemptID: aid, ParticipantID: me.ID, Answer: &AnswerInput{Seq: seq, QuestionID: qid, Choice: choice}, IP: account.ClientIP(r)}
	})
}

// BoardPage is a contest's leaderboard: the top 100 of the contest, a league or a banner, and
// the leagues and banners ranked by participation rate and by average score.
type BoardPage struct {
	web.Page
	Contest      Contest
	Region       string
	RegionName   string
	Top          []Entry
	Leagues      []RegionRow
	Banners      []RegionRow
	BannersScore []RegionRow
}

func (h *Handler) board(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	p := BoardPage{Page: h.Kit.Page(r, "quiz.board_title", c.Title), Contest: c}
	if code := strings.TrimSpace(r.URL.Query().Get("region")); code != "" {
		norm, err := region.Normalize(code)
		if err != nil || (region.LevelOf(norm) != region.LevelLeague && region.LevelOf(norm) != region.LevelBanner) {
			return web.NotFound(err)
		}
		u, err := h.Regions.Get(r.Context(), norm)
		if err != nil {
			return web.NotFound(err)
		}
		p.Region, p.RegionName = norm, u.Name
	}
	if p.Top, err = h.Store.Top(r.Context(), c.ID, p.Region, 100); err != nil {
		return err
	}
	for i := range p.Top {
		p.Top[i].Name = MaskName(p.Top[i].Name)
	}
	if p.Leagues, _, err = h.Store.RegionBoard(r.Context(), c.ID, region.LevelLeague, ""); err != nil {
		return err
	}
	within := ""
	if region.LevelOf(p.Region) == region.LevelLeague {
		within = p.Region
	}
	if p.Banners, p.BannersScore, err = h.Store.RegionBoard(r.Context(), c.ID, region.LevelBanner, within); err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "quiz/board", p)
}

// Seconds formats milliseconds as seconds with one decimal ("12.3").
func Seconds(ms int64) string { return fmt.Sprintf("%.1f", float64(ms)/1000) }

// Rate formats participants per 10,000 residents with two decimals.
func Rate(v float64) string { return fmt.Sprintf("%.2f", v) }

// Avg formats an average score with two decimals.
func Avg(v float64) string { return fmt.Sprintf("%.2f", v) }
