package report

import (
	"io"

	"github.com/kepu/kepu/internal/sheet"
)

// appendixSchema is the data appendix's columns: every figure of the report with its code,
// section, definition, exact value (counts as integers, money in yuan with fen, shares in
// percent), the text the report writes, the year before, the national rank and whether it is
// verified or declared.
var appendixSchema = sheet.Schema{Name: "数据附表", Columns: []sheet.Column{
	{Key: "code", Header: "指标代码", Kind: sheet.Code},
	{Key: "section", Header: "部分", Kind: sheet.Text},
	{Key: "name", Header: "指标", Kind: sheet.Text},
	{Key: "unit", Header: "单位", Kind: sheet.Text},
	{Key: "value", Header: "精确值", Kind: sheet.Decimal},
	{Key: "text", Header: "报告中写作", Kind: sheet.Text},
	{Key: "prev", Header: "上年精确值", Kind: sheet.Decimal},
	{Key: "change", Header: "与上年比较", Kind: sheet.Text},
	{Key: "rank", Header: "全国排名", Kind: sheet.Int},
	{Key: "basis", Header: "来源性质", Kind: sheet.Text},
	{Key: "definition", Header: "定义", Kind: sheet.Text},
	{Key: "records", Header: "记录链接", Kind: sheet.Text},
}}

var sectionNames = map[string]string{
	"infrastructure": "基础设施", "talent": "人才队伍", "informatization": "信息化",
	"activities": "科普活动", "literacy": "公民科学素质",
}

// exact is a figure's exact value as a number: the count, money in yuan (fen as decimals), or
// the share; nil when not known.
func exactValue(f *Figure, exact int64, value float64, known bool) any {
	if !known {
		return nil
	}
	switch {
	case f.indicator.Money:
		return float64(exact) / 100
	case f.IsCount:
		return exact
	}
	return value
}

// Appendix writes the report's data appendix as .xlsx ("xlsx") or .csv ("csv"): one row per
// figure, in the report's order. baseURL (e.g. "https://kepu.example.org") is put before the
// records links; "" leaves them relative.
func Appendix(w io.Writer, format string, rep *Report, baseURL string) error {
	rows := func(yield func([]any) bool) error {
		for _, f := range rep.Figures {
			var prev, change any
			if f.Prev != nil {
				prev = exactValue(f, f.Prev.Exact, f.Prev.Value, true)
				change = f.Change
			}
			var rank any
			if f.Rank > 0 {
				rank = int64(f.Rank)
			}
			basis := "核实"
			if f.Basis == "declared" {
				basis = "填报"
			}
			text := f.Text + f.Unit
			if !f.Known {
				text = "（无记录）"
			}
			link := ""
			if f.Records != "" {
				link = baseURL + f.Records
			}
			if !yield([]any{f.Code, sectionNames[f.Section], f.Name, f.Unit, exactValue(f, f.Exact, f.Value, f.Known),
				text, prev, change, rank, basis, f.Definition, link}) {
				return nil
			}
		}
		return nil
	}
	return sheet.Write(w, format, appendixSchema, rows)
}
