package survey

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
)

// respondentColumns are the design and class columns of the response sheet, before the items.
func respondentColumns() []sheet.Column {
	ages := make([]sheet.Choice, len(AgeGroups))
	for i, a := range AgeGroups {
		ages[i] = sheet.Choice{Label: a, Value: a}
	}
	return []sheet.Column{
		{Key: "region_code", Header: "区划代码", Aliases: []string{"旗县区划代码", "旗县代码"}, Kind: sheet.Code, Required: true, Example: "152502",
			Note: "受访者所在旗县（或苏木乡镇、嘎查村）的统计用区划代码"},
		{Key: "stratum", Header: "层", Aliases: []string{"抽样层", "分层"}, Kind: sheet.Text, Required: true, MaxLen: 100, Example: "锡林郭勒盟"},
		{Key: "psu", Header: "初级抽样单元", Aliases: []string{"PSU", "一级单元"}, Kind: sheet.Text, Required: true, MaxLen: 100, Example: "152502-01"},
		{Key: "weight", Header: "权数", Aliases: []string{"权重", "抽样权数"}, Kind: sheet.Decimal, Example: "1250.5",
			Note: "抽样权数（入样概率的倒数）；不填时由两阶段入样概率计算"},
		{Key: "prob1", Header: "第一阶段入样概率", Kind: sheet.Decimal, Max: sheet.F(1), Example: "0.25"},
		{Key: "prob2", Header: "第二阶段入样概率", Kind: sheet.Decimal, Max: sheet.F(1), Example: "0.0032"},
		{Key: "urban", Header: "城乡", Kind: sheet.Enum, Required: true, Choices: []sheet.Choice{{Label: "城镇", Value: "1"}, {Label: "乡村", Value: "0"}}, Example: "城镇"},
		{Key: "sex", Header: "性别", Kind: sheet.Enum, Required: true, Choices: []sheet.Choice{{Label: "男", Value: "male"}, {Label: "女", Value: "female"}}, Example: "女"},
		{Key: "age_group", Header: "年龄组", Kind: sheet.Enum, Required: true, Choices: ages, Example: "30-39"},
	}
}

// itemKey is the schema key of item n's column.
func itemKey(n int) string { return fmt.Sprintf("q%d", n) }

// ResponseSchema is the response sheet of a questionnaire: the design and class columns, then
// one column per item ("第 1 题" …), whose cell holds the answer as letters (A, AC) or, for
// true/false items, 对/错; an empty cell is an unanswered item.
func ResponseSchema(items []Item) sheet.Schema {
	cols := respondentColumns()
	for _, it := range items {
		ex := Answer(it.Answer).Format()
		if it.Kind == TrueFalse {
			ex = map[int]string{0: "对", 1: "错"}[it.Answer[0]]
		}
		cols = append(cols, sheet.Column{Key: itemKey(it.Position), Header: fmt.Sprintf("第%d题", it.Position), Aliases: []string{fmt.Sprintf("Q%d", it.Position)},
			Kind: sheet.Text, MaxLen: 30, Example: ex, Note: KindLabel(it.Kind) + "：" + it.Zh + "（空格为未作答）"})
	}
	return sheet.Schema{Name: "科学素质调查答卷", Columns: cols}
}

// parseRows reads a response sheet against the questionnaire: every row becomes a scored
// response, or the file's errors (row, column, reason in Chinese) come back as sheet.Errors and
// nothing is returned. check validates a respondent's unit (scope, survey area); it may be nil.
func parseRows(r io.Reader, sv Survey, items []Item, check func(*Respondent) map[string]string) ([]Response, error) {
	sc, err := sv.ScoringScheme()
	if err != nil {
		return nil, sheet.Errors{{Msg: err.Error()}}
	}
	if err := sc.Check(items); err != nil {
		return nil, sheet.Errors{{Msg: "问卷与评分方案不符，暂不能导入答卷：" + err.Error()}}
	}
	schema := ResponseSchema(items)
	var out []Response
	res, err := sheet.Read(r, schema, 0, func(rec *sheet.Record) error {
		p := respondentOf(rec)
		var errs map[string]string
		if check != nil {
			errs = check(&p)
		} else if fe := p.Validate(); fe != nil {
			errs = fe
		}
		for k, msg := range errs {
			rec.Fail(k, "%s", msg)
		}
		answers := make([]Answer, len(items))
		for i, it := range items {
			a, err := it.ParseAnswer(rec.Str(itemKey(it.Position)))
			if err != nil {
				rec.Fail(itemKey(it.Position), "%s", err.Error())
			}
			answers[i] = a
		}
		if rec.Failed() {
			return nil
		}
		s, err := sc.Score(items, answers)
		if err != nil {
			rec.Fail("", "%s", err.Error())
			return nil
		}
		out = append(out, Response{SurveyID: sv.ID, Mode: "import", Respondent: p, Answers: answers, Score: s})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, sheet.Errors{{Msg: "文件里没有答卷数据"}}
	}
	return out, nil
}

// Import reads a .xlsx or .csv file of responses into a survey visible to scope, all or
// nothing: every respondent's unit must lie in scope and in the survey's unit. Returns how many
// responses were written. Errors: sheet.Errors (every bad cell with its row and column), or
// db errors.
func (s *Store) Import(ctx context.Context, scope region.Scope, actor, id int64, r io.Reader) (int, error) {
	sv, err := s.Get(ctx, scope, id)
	if err != nil {
		return 0, err
	}
	items, err := s.Items(ctx, id)
	if err != nil {
		return 0, err
	}
	known := map[string]bool{}
	rs, err := parseRows(r, sv, items, func(p *Respondent) map[string]string {
		// checkRespondent asks the database about each unit; remember the answers per code.
		code := p.RegionCode
		if ok, seen := known[code]; seen && ok {
			errs := p.Validate()
			if errs == nil {
				p.RegionCode, _ = region.Normalize(code)
				return nil
			}
			return errs
		}
		errs := s.checkRespondent(ctx, scope, sv, p)
		if _, bad := errs["region_code"]; !bad {
			known[code] = true
		}
		return errs
	})
	if err != nil {
		return 0, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < len(rs); i += 500 {
			if err := s.insertResponses(ctx, tx, actor, rs[i:min(i+500, len(rs))]); err != nil {
				return err
			}
		}
		return nil
	})
	return len(rs), db.Map(err)
}

// ItemSchema is the questionnaire sheet: one item a row, for banks too long to type in one by
// one (the benchmark test's 50 items).
func ItemSchema() sheet.Schema {
	return sheet.Schema{Name: "科学素质调查题目", Columns: []sheet.Column{
		{Key: "kind", Header: "题型", Kind: sheet.Enum, Required: true, Example: "单选题",
			Choices: []sheet.Choice{{Label: "判断题", Value: TrueFalse}, {Label: "单选题", Value: Single}, {Label: "多选题", Value: Multi}}},
		{Key: "dimension", Header: "维度", Kind: sheet.Enum, Required: true, Example: "科学知识",
			Choices: []sheet.Choice{{Label: "科学知识", Value: Knowledge}, {Label: "科学方法", Value: Method}, {Label: "科学精神与思想", Value: Spirit}, {Label: "科学应用", Value: Application}}},
		{Key: "benchmark", Header: "基准编号", Kind: sheet.Int, Max: sheet.F(Benchmarks), Example: "3", Note: "基准测评用：1–26；其他方案可不填"},
		{Key: "points", Header: "分值", Kind: sheet.Decimal, Example: "1", Note: "维度内的权重，不填为 1"},
		{Key: "zh", Header: "题目", Kind: sheet.Text, Required: true, MaxLen: 500, Example: "地球绕太阳转一圈需要多长时间？"},
		{Key: "mn", Header: "蒙古文题目", Kind: sheet.Text, MaxLen: 1000, Example: "ᠳᠡᠯᠡᠬᠡᠢ ᠨᠠᠷᠠ ᠶᠢ ᠨᠢᠭᠡ ᠲᠣᠢᠷᠢᠬᠤ ᠳᠤ ᠬᠡᠳᠦᠢ ᠬᠤᠭᠤᠴᠠᠭ᠎ᠠ ᠪᠣᠯᠬᠤ ᠪᠤᠢ？"},
		{Key: "options", Header: "选项", Kind: sheet.Text, MaxLen: 2000, Example: "一天|ᠨᠢᠭᠡ ᠡᠳᠦᠷ；一个月|ᠨᠢᠭᠡ ᠰᠠᠷ᠎ᠠ；一年|ᠨᠢᠭᠡ ᠵᠢᠯ",
			Note: "选择题的选项按 A、B、C… 顺序，用“；”分隔，每项“中文|蒙古文”；判断题不填"},
		{Key: "answer", Header: "答案", Kind: sheet.Text, Required: true, MaxLen: 30, Example: "C", Note: "选项字母（多选如 AC）；判断题填 对 或 错"},
	}}
}

// parseItems reads a questionnaire sheet; items are numbered after first (the questionnaire's
// last position). Errors: sheet.Errors with row and column.
func parseItems(r io.Reader, first int) ([]Item, error) {
	var out []Item
	res, err := sheet.Read(r, ItemSchema(), 0, func(rec *sheet.Record) error {
		it := Item{Position: first + len(out) + 1, Kind: rec.Str("kind"), Dimension: rec.Str("dimension"), Zh: rec.Str("zh"), Mn: rec.Str("mn"), Points: 1}
		if b, ok := rec.Int("benchmark"); ok {
			it.Benchmark = int(b)
		}
		if p, ok := rec.Float("points"); ok {
			it.Points = p
		}
		if it.Kind != TrueFalse {
			for _, o := range strings.FieldsFunc(rec.Str("options"), func(r rune) bool { return r == '；' || r == ';' || r == '\n' }) {
				zh, mn, _ := strings.Cut(o, "|")
				it.Options = append(it.Options, Option{strings.TrimSpace(zh), strings.TrimSpace(mn)})
			}
		}
		if it.Kind != TrueFalse && len(it.Options) < 2 {
			rec.Fail("options", "选择题至少要有 2 个选项，用“；”分隔")
			return nil
		}
		a, err := it.ParseAnswer(rec.Str("answer"))
		if err != nil {
			rec.Fail("answer", "%s", err.Error())
			return nil
		}
		it.Answer = a
		if err := it.Validate(); err != nil {
			rec.Fail("", "%s", strings.TrimPrefix(err.Error(), fmt.Sprintf("第 %d 题：", it.Position)))
			return nil
		}
		if !rec.Failed() {
			out = append(out, it)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, sheet.Errors{{Msg: "文件里没有题目"}}
	}
	return out, nil
}

// ImportItems appends the items of a questionnaire sheet to a survey scope may change, while it
// has no responses, all or nothing. Errors: sheet.Errors, ErrHasAnswers.
func (s *Store) ImportItems(ctx context.Context, scope region.Scope, id int64, r io.Reader) (int, error) {
	if _, err := s.canChange(ctx, scope, id); err != nil {
		return 0, err
	}
	var n int
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var answered, last int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM survey_responses WHERE survey_id = ?`), id).Scan(&answered); err != nil {
			return err
		}
		if answered > 0 {
			return ErrHasAnswers
		}
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(position), 0) FROM survey_items WHERE survey_id = ?`), id).Scan(&last); err != nil {
			return err
		}
		items, err := parseItems(r, last)
		if err != nil {
			return err
		}
		n = len(items)
		return s.insertItems(ctx, tx, id, items)
	})
	return n, db.Map(err)
}

// respondentOf reads the respondent columns of a row.
func respondentOf(rec *sheet.Record) Respondent {
	p := Respondent{RegionCode: rec.Str("region_code"), Stratum: rec.Str("stratum"), PSU: rec.Str("psu"),
		Urban: rec.Str("urban") == "1", Sex: rec.Str("sex"), AgeGroup: rec.Str("age_group")}
	p.Weight, _ = rec.Float("weight")
	p.Prob1, _ = rec.Float("prob1")
	p.Prob2, _ = rec.Float("prob2")
	return p
}

// InvitationSchema is the export of invitations: the code and the questionnaire's address,
// then the respondent columns, then whether it was answered.
func InvitationSchema() sheet.Schema {
	cols := []sheet.Column{{Key: "code", Header: "邀请码", Kind: sheet.Text}, {Key: "link", Header: "问卷链接", Kind: sheet.Text}}
	cols = append(cols, respondentColumns()...)
	cols = append(cols, sheet.Column{Key: "used", Header: "已作答", Kind: sheet.Text})
	return sheet.Schema{Name: "调查邀请", Columns: cols}
}
