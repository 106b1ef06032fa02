package quiz

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/web"
)

// QuestionJSON is a question as shown to a participant: never its answer key or explanation.
type QuestionJSON struct {
	Seq         int       `json:"seq"`
	Of          int       `json:"of"`
	QuestionID  int64     `json:"question_id"`
	Kind        Kind      `json:"kind"`
	TextZh      string    `json:"text_zh"`
	TextMn      string    `json:"text_mn,omitempty"`
	OptionsZh   []string  `json:"options_zh"`
	OptionsMn   []string  `json:"options_mn,omitempty"`
	Deadline    time.Time `json:"deadline"`
	SecondsLeft int       `json:"seconds_left"`
}

func (h *Handler) questionJSON(s *Served) *QuestionJSON {
	if s == nil {
		return nil
	}
	q := s.Question
	return &QuestionJSON{Seq: s.Seq, Of: s.Of, QuestionID: q.ID, Kind: q.Kind, TextZh: q.TextZh, TextMn: q.TextMn, OptionsZh: q.OptionsZh, OptionsMn: q.OptionsMn,
		Deadline: s.Deadline, SecondsLeft: max(int(s.Deadline.Sub(h.Store.now())/time.Second), 0)}
}

// ContestJSON is a contest's public description, with the CSRF token the client sends back in
// X-CSRF-Token on its POSTs.
type ContestJSON struct {
	ID                 int64     `json:"id"`
	Title              string    `json:"title"`
	TitleMn            string    `json:"title_mn,omitempty"`
	RegionCode         string    `json:"region_code"`
	StartsAt           time.Time `json:"starts_at"`
	EndsAt             time.Time `json:"ends_at"`
	Questions          int       `json:"questions"`
	SecondsPerQuestion int       `json:"seconds_per_question"`
	AttemptsPerDay     int       `json:"attempts_per_day"`
	Practice           bool      `json:"practice"`
	InvitationOnly     bool      `json:"invitation_only"`
	Open               bool      `json:"open"`
	CSRF               string    `json:"csrf"`
}

func (h *Handler) apiContest(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, ContestJSON{ID: c.ID, Title: c.Title, TitleMn: c.TitleMn, RegionCode: c.RegionCode, StartsAt: c.StartsAt, EndsAt: c.EndsAt,
		Questions: c.Questions, SecondsPerQuestion: c.SecondsPerQuestion, AttemptsPerDay: c.AttemptsPerDay, Practice: c.Practice,
		InvitationOnly: c.InvitationOnly, Open: c.Open(h.Store.now()), CSRF: web.CSRFToken(r.Context())})
	return nil
}

func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 8<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &web.Error{Status: http.StatusBadRequest, Key: "quiz.err.malformed", Args: []any{err.Error()}, Err: err}
	}
	return nil
}

func (h *Handler) apiSignup(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	var in struct {
		Name       string `json:"name"`
		Phone      string `json:"phone"`
		Invitation string `json:"invitation"`
		RegionCode string `json:"region_code"`
		School     string `json:"school"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	undo, err := h.limitSignup(w, r)
	if err != nil {
		return err
	}
	id, token, err := h.Store.Register(r.Context(), c.ID, SignUp{Name: in.Name, Phone: in.Phone, Invitation: in.Invitation, RegionCode: in.RegionCode, School: in.School})
	var ve ValidationError
	if errors.As(err, &ve) {
		undo()
		web.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": map[string]any{"status": 422, "code": "quiz.err.invalid", "message": ve.Messages(), "fields": ve}})
		return nil
	}
	if err != nil {
		undo()
		if we := refusal(err); we != nil {
			return we
		}
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"participant_id": id, "token": token})
	return nil
}

func (h *Handler) apiParticipant(r *http.Request, contestID int64) (Participant, error) {
	me, err := h.participant(r, contestID)
	if err != nil {
		return me, refusal(err)
	}
	return me, nil
}

func (h *Handler) apiStart(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	me, err := h.apiParticipant(r, c.ID)
	if err != nil {
		return err
	}
	var in struct {
		Practice bool `json:"practice"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
	}
	if err := h.takeStep(w, me.ID); err != nil {
		return err
	}
	a, err := h.Store.Start(r.Context(), me, in.Practice)
	if we := refusal(err); we != nil {
		return we
	}
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"attempt_id": a.ID, "questions": len(a.QuestionIDs), "practice": a.Practice,
		"seconds_per_question": c.SecondsPerQuestion})
	return nil
}

// OutcomeJSON is the reply to an answer: the key and explanation of the question answered,
// the attempt's score so far, and the next question when it was asked for.
type OutcomeJSON struct {
	Seq           int           `json:"seq"`
	Correct       bool          `json:"correct"`
	Choice        string        `json:"choice"`
	Answer        string        `json:"answer"`
	ExplanationZh string        `json:"explanation_zh"`
	ExplanationMn string        `json:"explanation_mn,omitempty"`
	Flag          string        `json:"flag,omitempty"`
	MS            int64         `json:"ms"`
	Score         int           `json:"score"`
	Finished      bool          `json:"finished"`
	Next          *QuestionJSON `json:"next"`
}

// apiStep runs a step for the participant holding X-Quiz-Token.
func (h *Handler) apiStep(w http.ResponseWriter, r *http.Request, st Step) (Outcome, error) {
	aid, err := web.PathID(r, "aid")
	if err != nil {
		return Outcome{}, err
	}
	me, err := h.apiParticipant(r, 0)
	if err != nil {
		return Outcome{}, err
	}
	if err := h.takeStep(w, me.ID); err != nil {
		return Outcome{}, err
	}
	st.AttemptID, st.ParticipantID, st.IP = aid, me.ID, account.ClientIP(r)
	out, err := h.Writer.Do(r.Context(), st)
	if we := refusal(err); we != nil {
		return out, we
	}
	return out, err
}

func (h *Handler) apiNext(w http.ResponseWriter, r *http.Request) error {
	out, err := h.apiStep(w, r, Step{Serve: true})
	if err != nil {
		return err
	}
	if out.Next == nil {
		return refusal(ErrFinished)
	}
	web.WriteJSON(w, http.StatusOK, h.questionJSON(out.Next))
	return nil
}

func (h *Handler) apiAnswer(w http.ResponseWriter, r *http.Request) error {
	in, err := DecodeAnswer(r.Body)
	if err != nil {
		var m *ErrMalformed
		errors.As(err, &m)
		return &web.Error{Status: http.StatusBadRequest, Key: "quiz.err.malformed", Args: []any{m.Msg}, Err: err}
	}
	out, err := h.apiStep(w, r, Step{Answer: &in})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, OutcomeJSON{Seq: out.Seq, Correct: out.Correct, Choice: out.Choice, Answer: out.Question.Answer,
		ExplanationZh: out.Question.ExplanationZh, ExplanationMn: out.Question.ExplanationMn, Flag: out.Flag, MS: out.MS,
		Score: out.Attempt.Score, Finished: out.Attempt.Finished(), Next: h.questionJSON(out.Next)})
	return nil
}

// RankJSON is a participant's rank on one board.
type RankJSON struct {
	Level string `json:"level"`
	Code  string `json:"code,omitempty"`
	Rank  int64  `json:"rank"`
	Of    int64  `json:"of"`
}

func (h *Handler) apiMe(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	me, err := h.apiParticipant(r, c.ID)
	if err != nil {
		return err
	}
	ranks, err := h.Store.Ranks(r.Context(), me)
	if err != nil {
		return err
	}
	out := map[string]any{"participant_id": me.ID, "attempts": me.Attempts, "best_score": nil, "best_ms": nil, "ranks": []RankJSON{}}
	if me.Ranked() {
		out["best_score"], out["best_ms"] = me.BestScore, me.BestMS
		var rs []RankJSON
		for _, x := range ranks {
			rs = append(rs, RankJSON{Level: x.Level, Code: x.Code, Rank: x.Rank, Of: x.Of})
		}
		out["ranks"] = rs
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// EntryJSON is a leaderboard line; the name is masked (MaskName).
type EntryJSON struct {
	Rank       int    `json:"rank"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
	Score      int    `json:"score"`
	MS         int64  `json:"ms"`
}

func (h *Handler) apiBoard(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(r.URL.Query().Get("region"))
	if code != "" {
		n, err := region.Normalize(code)
		if err != nil || (region.LevelOf(n) != region.LevelLeague && region.LevelOf(n) != region.LevelBanner) {
			return web.Errorf(http.StatusBadRequest, "quiz.err.board_region")
		}
		code = n
	}
	top, err := h.Store.Top(r.Context(), c.ID, code, 100)
	if err != nil {
		return err
	}
	out := make([]EntryJSON, len(top))
	for i, e := range top {
		out[i] = EntryJSON{Rank: e.Rank, Name: MaskName(e.Name), RegionCode: e.RegionCode, Score: e.Score, MS: e.MS}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"contest_id": c.ID, "region": code, "entries": out})
	return nil
}

func (h *Handler) apiRegions(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	level := region.LevelBanner
	switch r.URL.Query().Get("level") {
	case "league":
		level = region.LevelLeague
	case "", "banner":
	default:
		return web.Errorf(http.StatusBadRequest, "quiz.err.board_level")
	}
	byRate, byScore, err := h.Store.RegionBoard(r.Context(), c.ID, level, "")
	if err != nil {
		return err
	}
	type row struct {
		Code         string  `json:"code"`
		Name         string  `json:"name"`
		Participants int64   `json:"participants"`
		Ranked       int64   `json:"ranked"`
		Population   int64   `json:"population"`
		PerTenK      float64 `json:"per_10k"`
		AvgScore     float64 `json:"avg_score"`
	}
	conv := func(rs []RegionRow) []row {
		out := make([]row, len(rs))
		for i, x := range rs {
			out[i] = row{x.Code, x.Name, x.Participants, x.Ranked, x.Population, x.PerTenK, x.AvgScore}
		}
		return out
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"contest_id": c.ID, "level": level.String(), "by_rate": conv(byRate), "by_score": conv(byScore)})
	return nil
}

// CertificatePage is the public verification page of a certificate.
type CertificatePage struct {
	web.Page
	Cert       Certificate
	RegionName string
	Winner     bool
	URL        string
}

func (h *Handler) certPage(r *http.Request) (CertificatePage, error) {
	c, err := h.Store.CertificateByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return CertificatePage{}, web.NotFound(err)
	}
	p := CertificatePage{Page: h.Kit.Page(r, "quiz.cert_title"), Cert: c, Winner: c.Kind == CertWinner, URL: VerifyURL(h.Kit.AbsURL(r, ""), c.Code)}
	if u, err := h.Regions.Get(r.Context(), c.RegionCode); err == nil {
		p.RegionName = u.Name
	}
	return p, nil
}

func (h *Handler) certificate(w http.ResponseWriter, r *http.Request) error {
	p, err := h.certPage(r)
	if err != nil {
		return err
	}
	return h.Kit.Render.HTML(w, r, http.StatusOK, "quiz/certificate", p)
}

func (h *Handler) certificatePNG(w http.ResponseWriter, r *http.Request) error {
	p, err := h.certPage(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=certificate-%s.png", p.Cert.Code))
	w.Header().Set("Cache-Control", "public, max-age=86400")
	return CertificatePNG(w, p.Cert, p.RegionName, p.URL)
}

func (h *Handler) apiCertificate(w http.ResponseWriter, r *http.Request) error {
	p, err := h.certPage(r)
	if err != nil {
		return err
	}
	c := p.Cert
	web.WriteJSON(w, http.StatusOK, map[string]any{"code": c.Code, "valid": true, "kind": c.Kind, "name": c.Name, "region_code": c.RegionCode,
		"region_name": p.RegionName, "contest_id": c.ContestID, "contest": c.Contest.Title, "score": c.Score, "questions": c.Contest.Questions,
		"ms": c.TotalMS, "rank": c.Rank, "issued_at": c.IssuedAt, "png": p.URL + "/png"})
	return nil
}

func (h *Handler) claimCertificate(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contestOf(r)
	if err != nil {
		return err
	}
	me, err := h.participant(r, c.ID)
	if err != nil {
		return refusal(err)
	}
	certs, err := h.Store.Claim(r.Context(), me)
	if errors.Is(err, ErrNoCertificate) {
		return web.Errorf(http.StatusConflict, "quiz.err.no_certificate")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, certificatePathFirst+certs[0].Code, http.StatusSeeOther)
	return nil
}
