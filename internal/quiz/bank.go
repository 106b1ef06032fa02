package quiz

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// Bank is a question bank held by a unit.
type Bank struct {
	ID         int64
	RegionCode string
	Name       string
	CreatedAt  time.Time
	Questions  int // active questions
}

var kindChoices = []sheet.Choice{{Label: "判断题", Value: string(TrueFalse)}, {Label: "单选题", Value: string(Single)}, {Label: "多选题", Value: string(Multiple)}}

// KindLabel is a kind's Chinese name.
func KindLabel(k Kind) string {
	for _, c := range kindChoices {
		if c.Value == string(k) {
			return c.Label
		}
	}
	return string(k)
}

// BankSchema is the question bank sheet: one row per question; options one per line in a
// cell (or separated by "|"), the answer as option letters.
func BankSchema() sheet.Schema {
	return sheet.Schema{Name: "科普答题题库", Columns: []sheet.Column{
		{Key: "kind", Header: "题型", Kind: sheet.Enum, Required: true, Choices: kindChoices, Example: "单选题"},
		{Key: "topic", Header: "主题", Aliases: []string{"分类", "知识点"}, Kind: sheet.Text, MaxLen: 40, Example: "气象与防灾", Note: "分层抽题时按主题均衡抽取"},
		{Key: "difficulty", Header: "难度", Kind: sheet.Int, Min: sheet.F(1), Max: sheet.F(3), Example: "2", Note: "1 易、2 中、3 难；不填为 2"},
		{Key: "text_zh", Header: "题目", Aliases: []string{"题干", "题目（中文）"}, Kind: sheet.Text, Required: true, MaxLen: MaxText, Example: "沙尘暴天气外出时，最应该做的是？"},
		{Key: "options_zh", Header: "选项", Aliases: []string{"选项（中文）"}, Kind: sheet.Text, MaxLen: MaxOptions * (MaxOption + 1), Example: "戴口罩和护目镜|骑摩托车快速赶路|在广告牌下躲避",
			Note: "每行一个选项，或用“|”分隔，依次为 A、B、C……；判断题不填"},
		{Key: "answer", Header: "答案", Aliases: []string{"正确答案"}, Kind: sheet.Text, Required: true, MaxLen: 20, Example: "A", Note: "选项字母，多选题如 ACD；判断题填“对”或“错”"},
		{Key: "explanation_zh", Header: "解析", Aliases: []string{"答案解析"}, Kind: sheet.Text, MaxLen: MaxText, Example: "沙尘天气应减少外出，外出时戴口罩护目镜，远离广告牌等高空物体。"},
		{Key: "text_mn", Header: "蒙古文题目", Kind: sheet.Text, MaxLen: MaxText},
		{Key: "options_mn", Header: "蒙古文选项", Kind: sheet.Text, MaxLen: MaxOptions * (MaxOption + 1)},
		{Key: "explanation_mn", Header: "蒙古文解析", Kind: sheet.Text, MaxLen: MaxText},
	}}
}

// splitOptions reads a cell of options: one per line, or separated by "|".
func splitOptions(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	sep := "\n"
	if !strings.Contains(s, "\n") {
		sep = "|"
	}
	var out []string
	for _, o := range strings.Split(s, sep) {
		out = append(out, strings.TrimSpace(strings.TrimRight(o, "\r")))
	}
	return out
}

var questionColumns = []string{"bank_id", "kind", "topic", "difficulty", "text_zh", "text_mn", "options_zh", "options_mn", "answer", "explanation_zh", "explanation_mn", "created_at"}

func questionRow(bankID int64, q Question, now time.Time) []any {
	optsZh := strings.Join(q.OptionsZh, "\n")
	if q.Kind == TrueFalse {
		optsZh = ""
	}
	return []any{bankID, string(q.Kind), q.Topic, q.Difficulty, q.TextZh, q.TextMn, optsZh, strings.Join(q.OptionsMn, "\n"), q.Answer, q.ExplanationZh, q.ExplanationMn, now}
}

// CreateBank adds an empty bank held by unit code, which must lie in scope. Errors:
// db.ErrNotFound (unit outside scope or unknown), ValidationError (name).
func (s *Store) CreateBank(ctx context.Context, scope region.Scope, accountID int64, code, name string) (int64, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return 0, ValidationError{"name": "请填写题库名称（不超过 100 字）"}
	}
	if !scope.Contains(code) {
		return 0, db.ErrNotFound
	}
	var id int64
	err := s.DB.QueryRowContext(ctx, `INSERT INTO quiz_banks (region_code, name, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
		code, name, s.now(), nullID(accountID)).Scan(&id)
	return id, db.Map(err)
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// Banks lists the banks held inside scope, newest first, with their active question counts.
func (s *Store) Banks(ctx context.Context, scope region.Scope) ([]Bank, error) {
	where, args := scope.Where("b.region_code", 1)
	return db.QueryAll(ctx, s.DB, func(r db.Scanner) (Bank, error) {
		var b Bank
		err := r.Scan(&b.ID, &b.RegionCode, &b.Name, &b.CreatedAt, &b.Questions)
		return b, err
	}, `SELECT b.id, b.region_code, b.name, b.created_at,
		(SELECT COUNT(*) FROM quiz_questions q WHERE q.bank_id = b.id AND q.retired_at IS NULL)
		FROM quiz_banks b WHERE `+where+` ORDER BY b.id DESC`, args...)
}

// Bank returns one bank inside scope; db.ErrNotFound otherwise.
func (s *Store) Bank(ctx context.Context, scope region.Scope, id int64) (Bank, error) {
	var b Bank
	err := s.DB.QueryRowContext(ctx, `SELECT b.id, b.region_code, b.name, b.created_at,
		(SELECT COUNT(*) FROM quiz_questions q WHERE q.bank_id = b.id AND q.retired_at IS NULL)
		FROM quiz_banks b WHERE b.id = $1`, id).Scan(&b.ID, &b.RegionCode, &b.Name, &b.CreatedAt, &b.Questions)
	if err != nil {
		return Bank{}, db.Map(err)
	}
	if !scope.Contains(b.RegionCode) {
		return Bank{}, db.ErrNotFound
	}
	return b, nil
}

func scanQuestion(r db.Scanner) (Question, error) {
	var q Question
	var kind, optsZh, optsMn string
	var retired sql.NullTime
	err := r.Scan(&q.ID, &q.BankID, &kind, &q.Topic, &q.Difficulty, &q.TextZh, &q.TextMn, &optsZh, &optsMn, &q.Answer, &q.ExplanationZh, &q.ExplanationMn, &retired)
	q.Kind = Kind(kind)
	q.OptionsZh = splitOptions(optsZh)
	q.OptionsMn = splitOptions(optsMn)
	if q.Kind == TrueFalse {
		q.OptionsZh = TrueFalseOptions
	}
	q.Retired = retired.Valid
	return q, err
}

const questionSelect = `SELECT id, bank_id, kind, topic, difficulty, text_zh, text_mn, options_zh, options_mn, answer, explanation_zh, explanation_mn, retired_at FROM quiz_questions`

// Questions lists a bank's questions in order of entry (retired ones too, marked).
func (s *Store) Questions(ctx context.Context, bankID int64) ([]Question, error) {
	return db.QueryAll(ctx, s.DB, scanQuestion, questionSelect+` WHERE bank_id = $1 ORDER BY id`, bankID)
}

// RetireQuestion takes a question out of future draws; answers already given keep it.
func (s *Store) RetireQuestion(ctx context.Context, scope region.Scope, bankID, id int64) error {
	if _, err := s.Bank(ctx, scope, bankID); err != nil {
		return err
	}
	res, err := s.DB.ExecContext(ctx, `UPDATE quiz_questions SET retired_at = $1 WHERE id = $2 AND bank_id = $3 AND retired_at IS NULL`, s.now(), id, bankID)
	if err != nil {
		return db.Map(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// ImportQuestions reads a .xlsx or .csv file of questions (BankSchema) and adds every row to
// the bank in one transaction, or nothing when any row is wrong: the error is then a
// sheet.Errors listing every problem with its row and column, in Chinese. It returns how many
// questions were added.
func (s *Store) ImportQuestions(ctx context.Context, scope region.Scope, bankID int64, r io.Reader) (int, error) {
	if _, err := s.Bank(ctx, scope, bankID); err != nil {
		return 0, err
	}
	schema := BankSchema()
	var qs []Question
	res, err := sheet.Read(r, schema, 0, func(rec *sheet.Record) error {
		if rec.Failed() {
			return nil
		}
		q := Question{Kind: Kind(rec.Str("kind")), Topic: rec.Str("topic"), TextZh: rec.Str("text_zh"), TextMn: rec.Str("text_mn"),
			OptionsZh: splitOptions(rec.Str("options_zh")), OptionsMn: splitOptions(rec.Str("options_mn")), Answer: rec.Str("answer"),
			ExplanationZh: rec.Str("explanation_zh"), ExplanationMn: rec.Str("explanation_mn")}
		if d, ok := rec.Int("difficulty"); ok {
			q.Difficulty = int(d)
		}
		for field, msg := range q.Validate() {
			key := field
			if _, ok := schema.Column(key); !ok {
				key = ""
			}
			rec.Fail(key, "%s", msg)
		}
		qs = append(qs, q)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("quiz.ImportQuestions: %w", err)
	}
	if err := res.Err(); err != nil {
		return 0, err
	}
	if len(qs) == 0 {
		return 0, sheet.Errors{{Msg: "文件中没有题目"}}
	}
	now := s.now()
	rows := make([][]any, len(qs))
	for i, q := range qs {
		rows[i] = questionRow(bankID, q, now)
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return db.BulkInsert(ctx, tx, s.DB.Dialect, "quiz_questions", questionColumns, rows, "")
	})
	if err != nil {
		return 0, fmt.Errorf("quiz.ImportQuestions: %w", err)
	}
	return len(qs), nil
}

// ExportQuestions writes a bank's active questions as "xlsx" or "csv" in BankSchema, so that
// an export imports again unchanged.
func (s *Store) ExportQuestions(ctx context.Context, scope region.Scope, bankID int64, w io.Writer, format string) error {
	if _, err := s.Bank(ctx, scope, bankID); err != nil {
		return err
	}
	qs, err := s.Questions(ctx, bankID)
	if err != nil {
		return err
	}
	return sheet.Write(w, format, BankSchema(), func(yield func([]any) bool) error {
		for _, q := range qs {
			if q.Retired {
				continue
			}
			opts := strings.Join(q.OptionsZh, "\n")
			answer := q.Answer
			if q.Kind == TrueFalse {
				opts = ""
				answer = map[string]string{"A": "对", "B": "错"}[q.Answer]
			}
			if !yield([]any{KindLabel(q.Kind), q.Topic, int64(q.Difficulty), q.TextZh, opts, answer, q.ExplanationZh, q.TextMn, strings.Join(q.OptionsMn, "\n"), q.ExplanationMn}) {
				return nil
			}
		}
		return nil
	})
}

// ValidationError maps a field key to what is wrong with it, in Chinese.
type ValidationError = web.FieldErrors

var errBankEmpty = errors.New("quiz: the bank has no active questions")
