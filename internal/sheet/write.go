package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Escape makes a text cell safe to open in a spreadsheet: a cell that would start a formula
// (=, +, -, @, or a tab or carriage return before one) gets a leading apostrophe (OWASP CSV
// injection guidance).
func Escape(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// cell turns a value into what a sheet shows: text escaped, enum values as their labels,
// dates as 2006-01-02, booleans as 是/否, numbers as numbers.
func (c Column) cell(v any) any {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if c.Kind == Enum {
			for _, ch := range c.Choices {
				if ch.Value == x {
					return ch.Label
				}
			}
		}
		return Escape(x)
	case *string:
		if x == nil {
			return ""
		}
		return c.cell(*x)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.Format("2006-01-02")
	case *time.Time:
		if x == nil || x.IsZero() {
			return ""
		}
		return x.Format("2006-01-02")
	case bool:
		if x {
			return "是"
		}
		return "否"
	case int:
		return int64(x)
	case int64, float64:
		return x
	case *int64:
		if x == nil {
			return ""
		}
		return *x
	case *float64:
		if x == nil {
			return ""
		}
		return *x
	}
	return Escape(fmt.Sprint(v))
}

// Rows yields export rows; each row has one value per schema column, in schema order.
type Rows func(yield func(row []any) bool) error

// Write writes a header row and then every row, as "xlsx" or "csv" (UTF-8 with a BOM, which
// Excel on Chinese Windows needs to read UTF-8). The xlsx is streamed, so memory does not
// grow with the number of rows.
func Write(w io.Writer, format string, schema Schema, rows Rows) error {
	switch format {
	case "csv":
		io.WriteString(w, "\ufeff")
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		cw.Write(schema.labels())
		record := make([]string, len(schema.Columns))
		var werr error
		err := rows(func(row []any) bool {
			for i, c := range schema.Columns {
				var v any
				if i < len(row) {
					v = c.cell(row[i])
				}
				switch x := v.(type) {
				case int64:
					record[i] = strconv.FormatInt(x, 10)
				case float64:
					record[i] = strconv.FormatFloat(x, 'f', -1, 64)
				default:
					record[i] = fmt.Sprint(x)
				}
			}
			werr = cw.Write(record)
			return werr == nil
		})
		cw.Flush()
		if err == nil {
			err = werr
		}
		if err == nil {
			err = cw.Error()
		}
		return err
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		sheet := sheetName(schema.Name)
		f.SetSheetName("Sheet1", sheet)
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		header := make([]any, len(schema.Columns))
		for i, l := range schema.labels() {
			header[i] = l
		}
		if err := sw.SetRow("A1", header); err != nil {
			return err
		}
		n := 1
		var werr error
		err = rows(func(row []any) bool {
			n++
			out := make([]any, len(schema.Columns))
			for i, c := range schema.Columns {
				if i < len(row) {
					out[i] = c.cell(row[i])
				}
			}
			cellName, _ := excelize.CoordinatesToCellName(1, n)
			werr = sw.SetRow(cellName, out)
			return werr == nil
		})
		if err == nil {
			err = werr
		}
		if err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return f.Write(w)
	}
	return fmt.Errorf("sheet.Write: unknown format %q (xlsx or csv)", format)
}

// Template writes an empty sheet with the schema's headers (required ones marked *) and, in
// .xlsx, a second sheet 填写说明 that explains every column with an example.
func Template(w io.Writer, format string, schema Schema) error {
	if format == "csv" {
		return Write(w, "csv", schema, rowFunc(func(func([]any) bool) bool { return true }).asRows())
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName(schema.Name)
	f.SetSheetName("Sheet1", sheet)
	for i, l := range schema.labels() {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr(sheet, cell, l)
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetColWidth(sheet, col, col, 16)
		if c := schema.Columns[i]; c.Kind == Code || c.Kind == Text {
			// Text format keeps codes and phone numbers from turning into numbers.
			style, _ := f.NewStyle(&excelize.Style{NumFmt: 49})
			f.SetColStyle(sheet, col, style)
		}
	}
	notes := "填写说明"
	f.NewSheet(notes)
	for i, h := range []string{"列", "是否必填", "格式", "示例", "说明"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr(notes, cell, h)
	}
	for r, c := range schema.Columns {
		req := "否"
		if c.Required {
			req = "是"
		}
		for i, v := range []string{c.Header, req, c.kindText(), c.Example, c.Note} {
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			f.SetCellStr(notes, cell, v)
		}
	}
	return f.Write(w)
}

// asRows adapts an iteration function that cannot fail.
type rowFunc func(yield func([]any) bool) bool

func (fn rowFunc) asRows() Rows {
	return func(yield func([]any) bool) error { fn(yield); return nil }
}

func (s Schema) labels() []string {
	out := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = c.label()
	}
	return out
}

func (c Column) kindText() string {
	switch c.Kind {
	case Int:
		return "整数，填确切数字"
	case Decimal:
		return "数字"
	case Date:
		return "日期，如 2023-06-30"
	case Bool:
		return "是 / 否"
	case Enum:
		return "以下之一：" + c.choiceLabels()
	case Code:
		return "数字代码（文本格式）"
	}
	limit := c.MaxLen
	if limit == 0 {
		limit = 200
	}
	return fmt.Sprintf("文字，最多 %d 字", limit)
}

// sheetName makes a valid worksheet name (at most 31 characters, none of []:*?/\).
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if s == "" {
		s = "Sheet1"
	}
	return s
}
