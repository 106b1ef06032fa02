// Package sheet is Kepu's spreadsheet machinery, built once for every import and export:
// reading .xlsx (streamed, through excelize) and .csv (UTF-8 with or without BOM, or GB18030
// as Excel and WPS save it on Chinese Windows), finding the header row under title rows,
// mapping Chinese headers to fields, parsing values (dates as serial numbers in both date
// systems or as text, full-width digits, exact numbers only), and collecting every bad cell
// with its row, column and a reason in Chinese. Writing .xlsx and .csv with formula-safe cells.
//
// It knows no domain and no database: a domain describes its columns in a Schema, receives
// parsed Records, checks what only it can (codes, scope, natural keys) and writes everything in
// one transaction or nothing.
package sheet

import (
	"fmt"
	"strings"
)

// Kind is how a column's cells are parsed.
type Kind int

// Column kinds.
const (
	Text    Kind = iota // trimmed string, at most MaxLen runes
	Int                 // whole number; "1,300" accepted, "1300多" refused
	Decimal             // number with a fraction, e.g. an area in m²
	Date                // a calendar date: a serial number (1900 or 1904 system) or text
	Bool                // 是/否, 有/无, Y/N, 1/0, √/×
	Enum                // one of Choices (Chinese labels)
	Code                // digits only, kept as text (division codes, phone numbers)
)

// Choice is one accepted label of an Enum column and the value stored for it.
type Choice struct {
	Label string // as written in the sheet, e.g. "盟市级"
	Value string // as stored, e.g. "league"
}

// Column describes one column of a sheet.
type Column struct {
	Key      string   // field name used in code
	Header   string   // header in the template, in Chinese
	Aliases  []string // other headers accepted on import
	Kind     Kind
	Required bool
	MaxLen   int      // Text: most runes allowed (0: 200)
	Min, Max *float64 // Int, Decimal: bounds (nil: none; Min defaults to 0)
	Choices  []Choice // Enum
	Example  string   // shown in the template's second row
	Note     string   // shown in the template's notes sheet
}

// Schema is the set of columns of one kind of record.
type Schema struct {
	Name    string // e.g. "科普信息员", used in file and sheet names
	Columns []Column
}

// Column returns the column with the given key.
func (s Schema) Column(key string) (Column, bool) {
	for _, c := range s.Columns {
		if c.Key == key {
			return c, true
		}
	}
	return Column{}, false
}

// normHeader makes headers comparable: no spaces (ASCII, full-width, line breaks), no
// required-field marks (*, ＊), no unit in brackets, full-width letters folded.
func normHeader(h string) string {
	h = toHalfWidth(strings.TrimPrefix(h, "\ufeff"))
	var b strings.Builder
	depth := 0
	for _, r := range h {
		switch {
		case r == '(' || r == '（' || r == '[' || r == '【':
			depth++
		case r == ')' || r == '）' || r == ']' || r == '】':
			if depth > 0 {
				depth--
			}
		case depth > 0, r == '*', r == ' ', r == '\t', r == '\n', r == '\r', r == '\u3000':
		default:
			b.WriteRune(r)
		}
	}
	return strings.ToLower(b.String())
}

// label returns the column's header with a star when it is required, as in templates.
func (c Column) label() string {
	if c.Required {
		return c.Header + "*"
	}
	return c.Header
}

// bounds returns the column's numeric bounds (Min 0 unless set).
func (c Column) bounds() (float64, *float64) {
	lo := 0.0
	if c.Min != nil {
		lo = *c.Min
	}
	return lo, c.Max
}

// F returns a pointer to v, for Column.Min and Column.Max.
func F(v float64) *float64 { return &v }

// choiceLabels lists an enum's labels for messages: "A、B、C".
func (c Column) choiceLabels() string {
	var ls []string
	sep := "、"
	for _, ch := range c.Choices {
		ls = append(ls, ch.Label)
		if strings.Contains(ch.Label, sep) {
			sep = "；" // labels that list things themselves ("竞赛、制作、研学") need a stronger separator
		}
	}
	return strings.Join(ls, sep)
}

// Error is one problem in a file: a cell, a row, or the file as a whole (Row 0).
type Error struct {
	Row    int    // 1-based row of the file; 0 for the whole file
	Column string // header of the column, "" for the whole row
	Msg    string // in Chinese
}

func (e Error) Error() string {
	switch {
	case e.Row == 0:
		return e.Msg
	case e.Column == "":
		return fmt.Sprintf("第 %d 行：%s", e.Row, e.Msg)
	}
	return fmt.Sprintf("第 %d 行，“%s”列：%s", e.Row, e.Column, e.Msg)
}

// Errors is every problem found in one file; when a file has any, nothing of it is written.
type Errors []Error

// MaxErrors is how many problems are kept for one file; more are counted, not listed.
const MaxErrors = 1000

func (es Errors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "文件有 %d 处错误，未导入任何数据：", len(es))
	for _, e := range es {
		b.WriteString("\n")
		b.WriteString(e.Error())
	}
	return b.String()
}
