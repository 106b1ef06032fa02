package survey

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// Store keeps surveys, their items, invitations, responses and margins.
type Store struct {
	DB      *db.DB
	Regions *region.Store
	Now     func() time.Time // the clock; nil means time.Now
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Store) ph(n int) string { return s.DB.Dialect.Placeholder(n) }

// q rewrites ? placeholders into the dialect's ($1, $2, … on PostgreSQL).
func (s *Store) q(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString(s.ph(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// visible is the condition under which a survey row (alias v) is visible to scope: its unit
// lies in the scope, or it covers a unit of the scope (a league survey seen by a banner
// admin, who then sees only its own subtree's responses). Arguments are numbered from next.
func visible(scope region.Scope, next int) (string, []any) {
	where, args := scope.Where("v.region_code", next)
	var cover []string
	for _, r := range scope.Roots() {
		for c := r; c != ""; c = region.ParentOf(c) {
			if c != r {
				cover = append(cover, c)
			}
		}
	}
	if len(cover) == 0 {
		return where, args
	}
	marks := make([]string, len(cover))
	for i, c := range cover {
		args = append(args, c)
		marks[i] = "$" + strconv.Itoa(next+len(args)-1)
	}
	return "(" + where + " OR v.region_code IN (" + strings.Join(marks, ", ") + "))", args
}

const surveyCols = `v.id, v.region_code, COALESCE(r.name, ''), v.title, v.title_mn, v.year, v.scheme, v.scheme_json, v.demo_true_share, v.created_at, v.version`

func scanSurvey(row db.Scanner) (Survey, error) {
	var sv Survey
	var truth sql.NullFloat64
	err := row.Scan(&sv.ID, &sv.RegionCode, &sv.RegionName, &sv.Title, &sv.TitleMn, &sv.Year, &sv.Scheme, &sv.SchemeJSON, &truth, &sv.CreatedAt, &sv.Version)
	if truth.Valid {
		sv.DemoTrueShare = &truth.Float64
	}
	sv.CreatedAt = sv.CreatedAt.UTC()
	return sv, err
}

// Create records a survey of a unit in scope and, when asked, its questionnaire from the
// sample bank, in one transaction. Errors: web.FieldErrors.
func (s *Store) Create(ctx context.Context, scope region.Scope, actor int64, in Input) (int64, error) {
	if err := in.Validate(); err != nil {
		return 0, err
	}
	if _, err := s.Regions.Get(ctx, in.RegionCode); err != nil || !scope.Contains(in.RegionCode) {
		return 0, web.FieldErrors{"region_code": "区划 " + in.RegionCode + " 不存在或不在您的管辖范围内"}
	}
	schemeJSON := ""
	if in.Scheme == Custom {
		sc, _ := in.CustomScheme()
		schemeJSON = sc.JSON()
	}
	var id int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO survey_surveys (region_code, title, title_mn, year, scheme, scheme_json, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			in.RegionCode, in.Title, in.TitleMn, in.Year, in.Scheme, schemeJSON, nullID(actor), s.now()).Scan(&id)
		if err != nil {
			return err
		}
		if in.Sample {
			return s.insertItems(ctx, tx, id, SampleBank())
		}
		return nil
	})
	return id, db.Map(err)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s *Store) insertItems(ctx context.Context, tx *sql.Tx, surveyID int64, items []Item) error {
	var rows [][]any
	for _, it := range items {
		rows = append(rows, []any{surveyID, it.Position, it.Kind, it.Dimension, it.Benchmark, it.Points, it.Zh, it.Mn, formatOptions(it.Options), formatKey(it.Answer)})
	}
	return db.BulkInsert(ctx, tx, s.DB.Dialect, "survey_items",
		[]string{"survey_id", "position", "kind", "dimension", "benchmark", "points", "text_zh", "text_mn", "options", "answer"}, rows, "")
}

func formatOptions(os []Option) string {
	var lines []string
	for _, o := range os {
		lines = append(lines, strings.ReplaceAll(o.Zh, "|", "｜")+"|"+strings.ReplaceAll(o.Mn, "|", "｜"))
	}
	return strings.Join(lines, "\n")
}

func parseOptions(s string) []Option {
	if s == "" {
		return nil
	}
	var out []Option
	for _, l := range strings.Split(s, "\n") {
		zh, mn, _ := strings.Cut(l, "|")
		out = append(out, Option{zh, mn})
	}
	return out
}

func formatKey(a []int) string {
	var ss []string
	for _, c := range a {
		ss = append(ss, strconv.Itoa(c))
	}
	return strings.Join(ss, ",")
}

func parseKey(s string) []int {
	if s == "" {
		return nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	return out
}

// List returns the surveys visible to scope, newest year first, each with its count of
// responses inside scope.
func (s *Store) List(ctx context.Context, scope region.Scope) ([]Survey, error) {
	where, args := visible(scope, 1)
	svs, err := db.QueryAll(ctx, s.DB, scanSurvey, `SELECT `+surveyCols+` FROM survey_surveys v LEFT JOIN regions r ON r.code = v.region_code
		WHERE `+where+` ORDER BY v.year DESC, v.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	rw, rargs := scope.Where("region_code", 1)
	counts, err := s.DB.Counts(ctx, `SELECT CAST(survey_id AS TEXT), COUNT(*) FROM survey_responses WHERE `+rw+` GROUP BY survey_id`, rargs...)
	if err != nil {
		return nil, err
	}
	for i := range svs {
		svs[i].Responses = counts[strconv.FormatInt(svs[i].ID, 10)]
	}
	return svs, nil
}

// Get returns a survey visible to scope; db.ErrNotFound otherwise.
func (s *Store) Get(ctx context.Context, scope region.Scope, id int64) (Survey, error) {
	where, args := visible(scope, 2)
	sv, err := scanSurvey(s.DB.QueryRowContext(ctx, `SELECT `+surveyCols+` FROM survey_surveys v LEFT JOIN regions r ON r.code = v.region_code
		WHERE v.id = `+s.ph(1)+` AND `+where, append([]any{id}, args...)...))
	return sv, db.Map(err)
}

// getAny returns a survey whatever the scope (for the public questionnaire, reached by code).
func (s *Store) getAny(ctx context.Context, id int64) (Survey, error) {
	sv, err := scanSurvey(s.DB.QueryRowContext(ctx, `SELECT `+surveyCols+` FROM survey_surveys v LEFT JOIN regions r ON r.code = v.region_code
		WHERE v.id = `+s.ph(1), id))
	return sv, db.Map(err)
}

// Items returns a survey's items in order.
func (s *Store) Items(ctx context.Context, surveyID int64) ([]Item, error) {
	return db.QueryAll(ctx, s.DB, func(row db.Scanner) (Item, error) {
		var it Item
		var opts, key string
		err := row.Scan(&it.ID, &it.Position, &it.Kind, &it.Dimension, &it.Benchmark, &it.Points, &it.Zh, &it.Mn, &opts, &key)
		it.Options, it.Answer = parseOptions(opts), parseKey(key)
		return it, err
	}, s.q(`SELECT id, position, kind, dimension, benchmark, points, text_zh, text_mn, options, answer FROM survey_items WHERE survey_id = ? ORDER BY position`), surveyID)
}

// canChange returns the survey when scope may change it (its unit in scope); otherwise
// db.ErrNotFound when invisible, web 403 when only visible.
func (s *Store) canChange(ctx context.Context, scope region.Scope, id int64) (Survey, error) {
	sv, err := s.Get(ctx, scope, id)
	if err != nil {
		return sv, err
	}
	if !scope.Contains(sv.RegionCode) {
		return sv, web.Forbidden(fmt.Errorf("survey %d belongs to %s", id, sv.RegionCode))
	}
	return sv, nil
}

// AddItem appends an item to the questionnaire of a survey scope may change, while it has no
// responses. Errors: web.FieldErrors ("item"), ErrHasAnswers.
func (s *Store) AddItem(ctx context.Context, scope region.Scope, id int64, it Item) error {
	if _, err := s.canChange(ctx, scope, id); err != nil {
		return err
	}
	return db.Map(s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n, pos int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM survey_responses WHERE survey_id = ?`), id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrHasAnswers
		}
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(position), 0) FROM survey_items WHERE survey_id = ?`), id).Scan(&pos); err != nil {
			return err
		}
		it.Position = pos + 1
		if err := it.Validate(); err != nil {
			return web.FieldErrors{"item": err.Error()}
		}
		return s.insertItems(ctx, tx, id, []Item{it})
	}))
}

// Invitation is a code sent to one sampled person, with the design variables the survey
// team fixed for them.
type Invitation struct {
	Code     string
	SurveyID int64
	Respondent
	UsedAt    *time.Time
	CreatedAt time.Time
}

// newCode returns a random invitation code: 10 characters of base32 (50 bits), without
// padding, in capitals, easy to read out over the phone.
func newCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)[:10]
}

// Invite creates an invitation for one sampled person of a survey visible to scope (a banner
// association invites the sampled people of its banner for a league's survey); the
// respondent's unit must lie in scope and inside the survey's unit. Errors: web.FieldErrors.
func (s *Store) Invite(ctx context.Context, scope region.Scope, id int64, p Respondent) (string, error) {
	sv, err := s.Get(ctx, scope, id)
	if err != nil {
		return "", err
	}
	if errs := s.checkRespondent(ctx, scope, sv, &p); errs != nil {
		return "", errs
	}
	code := newCode()
	_, err = s.DB.ExecContext(ctx, s.q(`INSERT INTO survey_invitations (code, survey_id, region_code, stratum, psu, weight, prob1, prob2, urban, sex, age_group, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), code, id, p.RegionCode, p.Stratum, p.PSU, p.Weight, nullFloat(p.Prob1), nullFloat(p.Prob2), p.Urban, p.Sex, p.AgeGroup, s.now())
	return code, db.Map(err)
}

func nullFloat(x float64) any {
	if x == 0 {
		return nil
	}
	return x
}

// checkRespondent validates p and checks its unit: known, in scope, inside the survey's unit.
func (s *Store) checkRespondent(ctx context.Context, scope region.Scope, sv Survey, p *Respondent) web.FieldErrors {
	errs := p.Validate()
	if errs == nil {
		errs = web.FieldErrors{}
	}
	if p.RegionCode != "" {
		code, err := region.Normalize(p.RegionCode)
		switch {
		case err != nil:
			errs["region_code"] = "区划代码 " + p.RegionCode + " 格式不对"
		case !region.Within(code, sv.RegionCode):
			errs["region_code"] = "区划 " + p.RegionCode + " 不在本调查的范围（" + sv.RegionName + "）内"
		case !scope.Contains(code):
			errs["region_code"] = "区划 " + p.RegionCode + " 不在您的管辖范围内"
		case region.LevelOf(code) < region.LevelBanner:
			errs["region_code"] = "请填写受访者所在旗县（或更下一级）的区划代码"
		default:
			if _, err := s.Regions.Get(ctx, code); err != nil {
				errs["region_code"] = "区划代码 " + p.RegionCode + " 不存在"
			}
			p.RegionCode = code
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Invitations lists a survey's invitations whose unit lies in scope, newest first, at most
// limit (0: all).
func (s *Store) Invitations(ctx context.Context, scope region.Scope, id int64, limit int) ([]Invitation, error) {
	where, args := scope.Where("region_code", 2)
	q := `SELECT ` + invCols + ` FROM survey_invitations WHERE survey_id = ` + s.ph(1) + ` AND ` + where + ` ORDER BY created_at DESC, code`
	if limit > 0 {
		q += " LIMIT " + strconv.Itoa(limit)
	}
	return db.QueryAll(ctx, s.DB, scanInvitation, q, append([]any{id}, args...)...)
}

// ImportInvitations reads a sample list (.xlsx/.csv, the respondent columns of the response
// sheet) and creates one invitation a row, all or nothing, for a survey visible to scope, every
// respondent in scope (as Invite). Returns the codes in row order. Errors: sheet.Errors with
// row and column.
func (s *Store) ImportInvitations(ctx context.Context, scope region.Scope, id int64, r io.Reader) ([]string, error) {
	sv, err := s.Get(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	var ps []Respondent
	res, err := sheet.Read(r, sheet.Schema{Name: "调查样本名单", Columns: respondentColumns()}, 0, func(rec *sheet.Record) error {
		p := respondentOf(rec)
		for k, msg := range s.checkRespondent(ctx, scope, sv, &p) {
			rec.Fail(k, "%s", msg)
		}
		if !rec.Failed() {
			ps = append(ps, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, sheet.Errors{{Msg: "文件里没有受访者"}}
	}
	codes := make([]string, len(ps))
	rows := make([][]any, len(ps))
	now := s.now()
	for i, p := range ps {
		codes[i] = newCode()
		rows[i] = []any{codes[i], id, p.RegionCode, p.Stratum, p.PSU, p.Weight, nullFloat(p.Prob1), nullFloat(p.Prob2), p.Urban, p.Sex, p.AgeGroup, now}
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < len(rows); i += 500 {
			if err := db.BulkInsert(ctx, tx, s.DB.Dialect, "survey_invitations", []string{"code", "survey_id", "region_code", "stratum", "psu", "weight", "prob1", "prob2",
				"urban", "sex", "age_group", "created_at"}, rows[i:min(i+500, len(rows))], ""); err != nil {
				return err
			}
		}
		return nil
	})
	return codes, db.Map(err)
}

const invCols = `code, survey_id, region_code, stratum, psu, COALESCE(weight, 0), COALESCE(prob1, 0), COALESCE(prob2, 0), urban, sex, age_group, used_at, created_at`

func scanInvitation(row db.Scanner) (Invitation, error) {
	var iv Invitation
	var used sql.NullTime
	err := row.Scan(&iv.Code, &iv.SurveyID, &iv.RegionCode, &iv.Stratum, &iv.PSU, &iv.Weight, &iv.Prob1, &iv.Prob2, &iv.Urban, &iv.Sex, &iv.AgeGroup, &used, &iv.CreatedAt)
	if used.Valid {
		t := used.Time.UTC()
		iv.UsedAt = &t
	}
	return iv, err
}

// Invitation returns the invitation with this code and its survey. Errors: ErrNoCode.
func (s *Store) Invitation(ctx context.Context, code string) (Invitation, Survey, error) {
	iv, err := scanInvitation(s.DB.QueryRowContext(ctx, s.q(`SELECT `+invCols+` FROM survey_invitations WHERE code = ?`), strings.ToUpper(strings.TrimSpace(code))))
	if err != nil {
		if errors.Is(db.Map(err), db.ErrNotFound) {
			return iv, Survey{}, ErrNoCode
		}
		return iv, Survey{}, err
	}
	sv, err := s.getAny(ctx, iv.SurveyID)
	return iv, sv, err
}

// Response is a stored response.
type Response struct {
	ID       int64
	SurveyID int64
	Mode     string // online, interview, import, demo
	Respondent
	Answers []Answer
	Score
	CreatedAt time.Time
	// invitation is the code an online response answers.
	invitation string
}

func formatAnswers(as []Answer) string {
	lines := make([]string, len(as))
	for i, a := range as {
		lines[i] = a.Format()
	}
	return strings.Join(lines, "\n")
}

// score scores answers with the survey's scheme and items; the errors name the item.
func score(sv Survey, items []Item, answers []Answer) (Score, error) {
	sc, err := sv.ScoringScheme()
	if err != nil {
		return Score{}, err
	}
	if err := sc.Check(items); err != nil {
		return Score{}, fmt.Errorf("问卷与评分方案不符，暂不能收集答卷：%w", err)
	}
	return sc.Score(items, answers)
}

// insertResponses writes scored responses in one statement batch.
func (s *Store) insertResponses(ctx context.Context, tx *sql.Tx, actor int64, rs []Response) error {
	rows := make([][]any, 0, len(rs))
	now := s.now()
	for _, r := range rs {
		var code any
		if r.Mode == "online" {
			code = r.invitation
		}
		rows = append(rows, []any{r.SurveyID, code, r.Mode, r.RegionCode, r.Stratum, r.PSU, r.Weight, nullFloat(r.Prob1), nullFloat(r.Prob2), r.Urban, r.Sex, r.AgeGroup,
			formatAnswers(r.Answers), r.Unanswered, r.Total, r.Level, r.Literate, nullID(actor), now})
	}
	return db.BulkInsert(ctx, tx, s.DB.Dialect, "survey_responses", []string{"survey_id", "invitation_code", "mode", "region_code", "stratum", "psu", "weight", "prob1", "prob2",
		"urban", "sex", "age_group", "answers", "unanswered", "score", "level", "literate", "created_by", "created_at"}, rows, "")
}

// Respond records the online answers of an invitation: once per code (ErrUsedCode for a
// second time, also when two arrive together: the response's invitation code is unique).
// Unanswered items are allowed and counted (see Score); the form asks the respondent to
// confirm them first. Errors: ErrNoCode, ErrUsedCode, web.FieldErrors ("answers": an answer
// outside an item's options, or a questionnaire that does not fit its scheme).
func (s *Store) Respond(ctx context.Context, code string, answers []Answer) (Score, error) {
	iv, sv, err := s.Invitation(ctx, code)
	if err != nil {
		return Score{}, err
	}
	if iv.UsedAt != nil {
		return Score{}, ErrUsedCode
	}
	items, err := s.Items(ctx, sv.ID)
	if err != nil {
		return Score{}, err
	}
	sc, err := score(sv, items, answers)
	if err != nil {
		return Score{}, web.FieldErrors{"answers": err.Error()}
	}
	r := Response{SurveyID: sv.ID, Mode: "online", Respondent: iv.Respondent, Answers: answers, Score: sc, invitation: iv.Code}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE survey_invitations SET used_at = ? WHERE code = ? AND used_at IS NULL`), s.now(), iv.Code)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrUsedCode
		}
		return s.insertResponses(ctx, tx, 0, []Response{r})
	})
	if errors.Is(db.Map(err), db.ErrConflict) {
		return Score{}, ErrUsedCode
	}
	return sc, err
}

// Interview records a response an interviewer entered in the browser for a respondent in
// scope. Errors: web.FieldErrors (the respondent's fields; "answers" as in Respond).
func (s *Store) Interview(ctx context.Context, scope region.Scope, actor, id int64, p Respondent, answers []Answer) (Score, error) {
	sv, err := s.Get(ctx, scope, id)
	if err != nil {
		return Score{}, err
	}
	if errs := s.checkRespondent(ctx, scope, sv, &p); errs != nil {
		return Score{}, errs
	}
	items, err := s.Items(ctx, sv.ID)
	if err != nil {
		return Score{}, err
	}
	sc, err := score(sv, items, answers)
	if err != nil {
		return Score{}, web.FieldErrors{"answers": err.Error()}
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.insertResponses(ctx, tx, actor, []Response{{SurveyID: id, Mode: "interview", Respondent: p, Answers: answers, Score: sc}})
	})
	return sc, db.Map(err)
}

// Responses returns the responses of a survey whose unit lies in scope, in id order (the rows
// a report estimates from). Answers are not read.
func (s *Store) Responses(ctx context.Context, scope region.Scope, id int64) ([]Response, error) {
	where, args := scope.Where("region_code", 2)
	return db.QueryAll(ctx, s.DB, func(row db.Scanner) (Response, error) {
		var r Response
		err := row.Scan(&r.ID, &r.SurveyID, &r.Mode, &r.RegionCode, &r.Stratum, &r.PSU, &r.Weight, &r.Prob1, &r.Prob2, &r.Urban, &r.Sex, &r.AgeGroup,
			&r.Unanswered, &r.Total, &r.Level, &r.Literate, &r.CreatedAt)
		return r, err
	}, `SELECT id, survey_id, mode, region_code, stratum, psu, weight, COALESCE(prob1, 0), COALESCE(prob2, 0), urban, sex, age_group,
		unanswered, score, level, literate, created_at FROM survey_responses WHERE survey_id = `+s.ph(1)+` AND `+where+` ORDER BY id`, append([]any{id}, args...)...)
}

// CountResponses counts the responses of a survey whose unit lies in scope.
func (s *Store) CountResponses(ctx context.Context, scope region.Scope, id int64) (int, error) {
	where, args := scope.Where("region_code", 2)
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_responses WHERE survey_id = `+s.ph(1)+` AND `+where, append([]any{id}, args...)...).Scan(&n)
	return n, db.Map(err)
}
