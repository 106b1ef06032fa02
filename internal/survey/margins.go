package survey

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/kepu/kepu/internal/web"
)

// Margin variables: the census counts raking uses.
const (
	BySex   = "sex"
	ByAge   = "age_group"
	ByUrban = "urban"
)

// MarginVariables lists the margin variables in order.
var MarginVariables = []string{BySex, ByAge, ByUrban}

// MarginRow is one census count: the population of a unit (the survey's unit or a league in
// it) in one category of one variable. Categories are the response codes: "male"/"female",
// an age group, "1" (urban) / "0" (rural).
type MarginRow struct {
	RegionCode string
	RegionName string
	Variable   string
	Category   string
	Population int64
}

// Label is the category's Chinese name.
func (m MarginRow) Label() string { return CategoryLabel(m.Variable, m.Category) }

// CategoryLabel names a category of a margin variable in Chinese.
func CategoryLabel(variable, category string) string {
	switch variable {
	case BySex:
		return SexLabel(category)
	case ByUrban:
		switch category {
		case "1":
			return "城镇"
		case "0":
			return "乡村"
		}
	}
	return category
}

// VariableLabel names a margin variable in Chinese.
func VariableLabel(v string) string {
	switch v {
	case BySex:
		return "性别"
	case ByAge:
		return "年龄组"
	case ByUrban:
		return "城乡"
	}
	return v
}

// MarginSchema is the margins sheet: one census count a row.
func MarginSchema() sheet.Schema {
	return sheet.Schema{Name: "人口边际", Columns: []sheet.Column{
		{Key: "region_code", Header: "区划代码", Kind: sheet.Code, Required: true, Example: "152500", Note: "本调查的区划，或其下的盟市"},
		{Key: "variable", Header: "变量", Kind: sheet.Enum, Required: true, Example: "性别",
			Choices: []sheet.Choice{{Label: "性别", Value: BySex}, {Label: "年龄组", Value: ByAge}, {Label: "城乡", Value: ByUrban}}},
		{Key: "category", Header: "类别", Kind: sheet.Text, Required: true, MaxLen: 20, Example: "女", Note: "性别：男/女；年龄组：18-29 等；城乡：城镇/乡村"},
		{Key: "population", Header: "人口数", Kind: sheet.Int, Required: true, Min: sheet.F(1), Example: "512340", Note: "普查人口数"},
	}}
}

// parseCategory turns a category as typed (女, 城镇, 18-29) into its code; ok false when the
// variable has no such category.
func parseCategory(variable, s string) (string, bool) {
	switch variable {
	case BySex:
		switch s {
		case "男", "male":
			return "male", true
		case "女", "female":
			return "female", true
		}
	case ByUrban:
		switch s {
		case "城镇", "城市", "1":
			return "1", true
		case "乡村", "农村", "0":
			return "0", true
		}
	case ByAge:
		if contains(AgeGroups, s) {
			return s, true
		}
	}
	return "", false
}

// checkMarginUnit checks a margin's unit: the survey's unit or a league inside it, in scope.
func (s *Store) checkMarginUnit(ctx context.Context, scope region.Scope, sv Survey, code string) (string, string) {
	c, err := region.Normalize(code)
	if err != nil {
		return "", "区划代码 " + code + " 格式不对"
	}
	if c != sv.RegionCode && !(region.Within(c, sv.RegionCode) && region.LevelOf(c) == region.LevelLeague) {
		return "", "区划 " + code + " 须是本调查的区划（" + sv.RegionName + "）或其下的盟市"
	}
	if !scope.Contains(c) {
		return "", "区划 " + code + " 不在您的管辖范围内"
	}
	if _, err := s.Regions.Get(ctx, c); err != nil {
		return "", "区划代码 " + code + " 不存在"
	}
	return c, ""
}

// SetMargins replaces, for every (unit, variable) pair present in rows, the census counts of a
// survey scope may change, in one transaction. Errors: web.FieldErrors ("margins": a unit
// outside the survey or the scope, a count not positive).
func (s *Store) SetMargins(ctx context.Context, scope region.Scope, id int64, rows []MarginRow) error {
	sv, err := s.canChange(ctx, scope, id)
	if err != nil {
		return err
	}
	type key struct{ unit, variable string }
	replace := map[key]bool{}
	for i, m := range rows {
		c, msg := s.checkMarginUnit(ctx, scope, sv, m.RegionCode)
		if msg != "" {
			return web.FieldErrors{"margins": msg}
		}
		rows[i].RegionCode = c
		if m.Population <= 0 {
			return web.FieldErrors{"margins": fmt.Sprintf("%s %s 的人口数须大于 0", VariableLabel(m.Variable), CategoryLabel(m.Variable, m.Category))}
		}
		replace[key{c, m.Variable}] = true
	}
	return db.Map(s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for k := range replace {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM survey_margins WHERE survey_id = ? AND region_code = ? AND variable = ?`), id, k.unit, k.variable); err != nil {
				return err
			}
		}
		var ins [][]any
		for _, m := range rows {
			ins = append(ins, []any{id, m.RegionCode, m.Variable, m.Category, m.Population})
		}
		if len(ins) == 0 {
			return nil
		}
		return db.BulkInsert(ctx, tx, s.DB.Dialect, "survey_margins", []string{"survey_id", "region_code", "variable", "category", "population"}, ins, "")
	}))
}

// ImportMargins reads a margins sheet (MarginSchema) and stores it with SetMargins, all or
// nothing. Errors: sheet.Errors with row and column.
func (s *Store) ImportMargins(ctx context.Context, scope region.Scope, id int64, r io.Reader) (int, error) {
	sv, err := s.canChange(ctx, scope, id)
	if err != nil {
		return 0, err
	}
	var rows []MarginRow
	seen := map[string]int{}
	n := 0
	res, err := sheet.Read(r, MarginSchema(), 0, func(rec *sheet.Record) error {
		n++
		c, msg := s.checkMarginUnit(ctx, scope, sv, rec.Str("region_code"))
		if msg != "" {
			rec.Fail("region_code", "%s", msg)
		}
		v := rec.Str("variable")
		cat, ok := parseCategory(v, rec.Str("category"))
		if !ok && v != "" {
			rec.Fail("category", "%s没有类别“%s”", VariableLabel(v), rec.Str("category"))
		}
		k := c + "/" + v + "/" + cat
		if prev, dup := seen[k]; dup && ok && msg == "" {
			rec.Fail("category", "与第 %d 条数据重复", prev)
		}
		seen[k] = n
		pop, _ := rec.Int("population")
		if !rec.Failed() {
			rows = append(rows, MarginRow{RegionCode: c, Variable: v, Category: cat, Population: pop})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := res.Err(); err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, sheet.Errors{{Msg: "文件里没有人口数据"}}
	}
	return len(rows), s.SetMargins(ctx, scope, id, rows)
}

// Margins returns a survey's census counts, by unit, variable and category.
func (s *Store) Margins(ctx context.Context, id int64) ([]MarginRow, error) {
	return db.QueryAll(ctx, s.DB, func(row db.Scanner) (MarginRow, error) {
		var m MarginRow
		err := row.Scan(&m.RegionCode, &m.RegionName, &m.Variable, &m.Category, &m.Population)
		return m, err
	}, s.q(`SELECT m.region_code, COALESCE(r.name, ''), m.variable, m.category, m.population FROM survey_margins m LEFT JOIN regions r ON r.code = m.region_code
		WHERE m.survey_id = ? ORDER BY m.region_code, m.variable, m.category`), id)
}

// ClearMargins removes every census count of a survey scope may change.
func (s *Store) ClearMargins(ctx context.Context, scope region.Scope, id int64) error {
	if _, err := s.canChange(ctx, scope, id); err != nil {
		return err
	}
	_, err := s.DB.ExecContext(ctx, s.q(`DELETE FROM survey_margins WHERE survey_id = ?`), id)
	return db.Map(err)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
