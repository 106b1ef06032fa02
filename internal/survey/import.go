package survey

import (
	"context"
	"database/sql"
	"fmt"
	"io"

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
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("问卷还没有题目，无法导入答卷")
	}
	schema := ResponseSchema(items)
	var out []Response
	res, err := sheet.Read(r, schema, 0, func(rec *sheet.Record) error {
		p := Respondent{RegionCode: rec.Str("region_code"), Stratum: rec.Str("stratum"), PSU: rec.Str("psu"),
			Urban: rec.Str("urban") == "1", Sex: rec.Str("sex"), AgeGroup: rec.Str("age_group")}
		p.Weight, _ = rec.Float("weight")
		p.Prob1, _ = rec.Float("prob1")
		p.Prob2, _ = rec.Float("prob2")
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
