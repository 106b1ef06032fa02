package forms

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
	"github.com/xuri/excelize/v2"
)

// The sheet layout that export writes and import reads, one form per sheet:
//
//	A1  全国科普统计调查表（2025年度）
//	A2  填报单位   B2 name      C2 单位代码   D2 unit key
//	A3  统计年度   B3 2025      C3 状态       D3 status
//	row 5: 代码 | 指标名称 | 计量单位 | 数值 | 备注
//	then one row per section heading (A empty, B the heading) and per line (A the code).
const (
	headerRow = 5
	firstRow  = 6
)

var columnHeaders = []string{"代码", "指标名称", "计量单位", "数值", "备注"}

// Sheet is one form as written to or read from a workbook.
type Sheet struct {
	Name      string // sheet name ("" picks one from the unit and year)
	UnitKey   string
	UnitName  string
	Year      int
	Status    string // Chinese status label, for the reader
	Figures   Figures
	Remarks   map[string]string
	ExtraRows [][]string     // written after the form (e.g. a summary's missing units)
	rows      map[string]int // on reading: field code → its row
}

// WriteXLSX writes the sheets as one .xlsx workbook in the form's layout.
func WriteXLSX(w io.Writer, sheets []Sheet) error {
	x := excelize.NewFile()
	defer x.Close()
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	for i, s := range sheets {
		name := s.Name
		if name == "" {
			name = sheetName(fmt.Sprintf("%d %s", s.Year, s.UnitName), i)
		}
		if i == 0 {
			x.SetSheetName("Sheet1", name)
		} else if _, err := x.NewSheet(name); err != nil {
			return err
		}
		set := func(cell string, v any) {
			if str, ok := v.(string); ok {
				v = sheet.Escape(str)
			}
			x.SetCellValue(name, cell, v)
		}
		set("A1", fmt.Sprintf("全国科普统计调查表（%d年度）", s.Year))
		x.SetCellStyle(name, "A1", "A1", bold)
		set("A2", "填报单位")
		set("B2", s.UnitName)
		set("C2", "单位代码")
		set("D2", s.UnitKey)
		set("A3", "统计年度")
		x.SetCellValue(name, "B3", s.Year)
		set("C3", "状态")
		set("D3", s.Status)
		for j, h := range columnHeaders {
			cell, _ := excelize.CoordinatesToCellName(j+1, headerRow)
			set(cell, h)
			x.SetCellStyle(name, cell, cell, bold)
		}
		row := firstRow
		for _, sec := range Layout {
			set(fmt.Sprintf("B%d", row), sec.Title)
			x.SetCellStyle(name, fmt.Sprintf("B%d", row), fmt.Sprintf("B%d", row), bold)
			row++
			for _, f := range sec.Fields {
				set(fmt.Sprintf("A%d", row), f.Code)
				set(fmt.Sprintf("B%d", row), strings.Repeat("  ", f.Depth)+f.Label)
				set(fmt.Sprintf("C%d", row), f.Unit)
				if v, ok := s.Figures[f.Code]; ok {
					x.SetCellValue(name, fmt.Sprintf("D%d", row), v)
				}
				if r := s.Remarks[f.Code]; r != "" {
					set(fmt.Sprintf("E%d", row), r)
				}
				row++
			}
		}
		row++
		for _, extra := range s.ExtraRows {
			for j, v := range extra {
				cell, _ := excelize.CoordinatesToCellName(j+1, row)
				set(cell, v)
			}
			row++
		}
		x.SetColWidth(name, "B", "B", 48)
		x.SetColWidth(name, "D", "E", 16)
	}
	return x.Write(w)
}

func sheetName(s string, i int) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 28 {
		s = string(r[:28])
	}
	return fmt.Sprintf("%s %d", s, i+1)
}

// ImportError is one problem of an imported workbook: the sheet, the 1-based row, the column
// header and the field code concerned (Row 0 for the sheet as a whole).
type ImportError struct {
	Sheet  string
	Row    int
	Column string
	Field  string
	Msg    string
}

func (e ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "工作表“%s”", e.Sheet)
	if e.Row > 0 {
		fmt.Fprintf(&b, "第 %d 行", e.Row)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, "“%s”列", e.Column)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "（%s）", e.Field)
	}
	return b.String() + "：" + e.Msg
}

// ImportErrors is every problem of a workbook; when there is any, nothing is written.
type ImportErrors []ImportError

func (es ImportErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "；")
}

// ReadXLSX reads every sheet of a workbook written in the form's layout (WriteXLSX). Problems
// (a sheet not in the layout, an unknown code, a value that is not a non-negative integer, a
// line given twice) are all returned together as ImportErrors. maxBytes bounds the file.
func ReadXLSX(r io.Reader, maxBytes int64) ([]Sheet, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > maxBytes {
		return nil, ImportErrors{{Msg: fmt.Sprintf("文件超过 %d MB", maxBytes>>20)}}
	}
	// The unzipped size is bounded too, so that a small file cannot expand without limit.
	x, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: 16 * maxBytes, UnzipXMLSizeLimit: 16 * maxBytes})
	if err != nil {
		return nil, ImportErrors{{Msg: "无法读取文件：请上传按本表格式填写的 .xlsx 文件"}}
	}
	defer x.Close()
	var out []Sheet
	var errs ImportErrors
	for _, name := range x.GetSheetList() {
		rows, err := x.GetRows(name)
		if err != nil {
			errs = append(errs, ImportError{Sheet: name, Msg: "无法读取工作表"})
			continue
		}
		cell := func(row, col int) string {
			if row-1 < len(rows) && col-1 < len(rows[row-1]) {
				return strings.TrimSpace(rows[row-1][col-1])
			}
			return ""
		}
		if cell(2, 3) != "单位代码" || cell(3, 1) != "统计年度" || cell(headerRow, 1) != columnHeaders[0] || cell(headerRow, 4) != columnHeaders[3] {
			errs = append(errs, ImportError{Sheet: name, Msg: "不是本系统的科普统计调查表格式（第 2、3 行应为填报单位、单位代码、统计年度，第 5 行为表头“代码、指标名称、计量单位、数值、备注”）"})
			continue
		}
		s := Sheet{Name: name, UnitKey: cell(2, 4), UnitName: cell(2, 2), Figures: Figures{}, Remarks: map[string]string{}}
		if s.UnitKey == "" {
			errs = append(errs, ImportError{Sheet: name, Row: 2, Column: "单位代码", Msg: "缺少单位代码"})
		}
		y, err := strconv.Atoi(toHalf(cell(3, 2)))
		if err != nil || y < 1990 || y > 2100 {
			errs = append(errs, ImportError{Sheet: name, Row: 3, Column: "统计年度", Msg: fmt.Sprintf("“%s”不是年份", cell(3, 2))})
		}
		s.Year = y
		seen := map[string]int{}
		s.rows = seen
		for i := firstRow; i <= len(rows); i++ {
			code := strings.ToUpper(cell(i, 1))
			if code == "" {
				if cell(i, 4) != "" && cell(i, 2) != "" {
					errs = append(errs, ImportError{Sheet: name, Row: i, Column: "代码", Msg: "有数值却没有代码"})
				}
				continue
			}
			f, ok := FieldOf(code)
			if !ok {
				errs = append(errs, ImportError{Sheet: name, Row: i, Column: "代码", Field: code, Msg: "表中没有这个代码"})
				continue
			}
			if r, dup := seen[code]; dup {
				errs = append(errs, ImportError{Sheet: name, Row: i, Column: "代码", Field: code, Msg: fmt.Sprintf("与第 %d 行重复", r)})
				continue
			}
			seen[code] = i
			if raw := cell(i, 4); raw != "" {
				v, msg := sheet.Column{Kind: sheet.Int, Min: sheet.F(0), Max: sheet.F(1e15)}.Parse(raw, false)
				if msg != "" {
					errs = append(errs, ImportError{Sheet: name, Row: i, Column: "数值", Field: f.Code + " " + f.Label, Msg: msg})
				} else {
					s.Figures[code] = v.(int64)
				}
			}
			if rem := cell(i, 5); rem != "" {
				s.Remarks[code] = rem
			}
		}
		out = append(out, s)
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, ImportError{Msg: "文件中没有工作表"})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

func toHalf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, s)
}

// Import records the forms of a workbook of earlier years (ReadXLSX) as accepted, all or
// nothing. Each sheet's unit must be a reporting unit inside scope that the importer may
// review (mayReview), its year before thisYear, and its figures must pass the layout's rules
// (year-on-year remarks aside: the trend is what an import is for). A unit and year that
// already has a form is refused unless that form was itself imported, which is replaced.
// Returns how many forms were written.
func (s *Store) Import(ctx context.Context, scope region.Scope, mayReview func(Unit) bool, actor int64, thisYear int, r io.Reader, maxBytes int64) (int, error) {
	sheets, err := ReadXLSX(r, maxBytes)
	if err != nil {
		return 0, err
	}
	var errs ImportErrors
	type item struct {
		sh   Sheet
		unit Unit
	}
	var items []item
	seen := map[string]string{}
	for _, sh := range sheets {
		u, err := s.UnitByKey(ctx, scope, sh.UnitKey)
		if errors.Is(err, db.ErrNotFound) {
			errs = append(errs, ImportError{Sheet: sh.Name, Row: 2, Column: "单位代码", Msg: fmt.Sprintf("“%s”不是您管辖范围内的填报单位", sh.UnitKey)})
			continue
		} else if err != nil {
			return 0, err
		}
		if !mayReview(u) {
			errs = append(errs, ImportError{Sheet: sh.Name, Row: 2, Column: "单位代码", Msg: fmt.Sprintf("%s的调查表由上一级审核，您不能导入", u.Name)})
			continue
		}
		if sh.Year >= thisYear {
			errs = append(errs, ImportError{Sheet: sh.Name, Row: 3, Column: "统计年度", Msg: fmt.Sprintf("只能导入 %d 年以前的调查表", thisYear)})
			continue
		}
		k := fmt.Sprintf("%s/%d", u.Key, sh.Year)
		if other, dup := seen[k]; dup {
			errs = append(errs, ImportError{Sheet: sh.Name, Msg: fmt.Sprintf("与工作表“%s”是同一单位同一年度", other)})
			continue
		}
		seen[k] = sh.Name
		if old, err := s.Find(ctx, u.Key, sh.Year); err == nil && !old.Imported {
			errs = append(errs, ImportError{Sheet: sh.Name, Msg: fmt.Sprintf("%s %d 年度的调查表已在系统中填报（%s），不能用导入覆盖", u.Name, sh.Year, StatusLabel(old.Status))})
			continue
		}
		for code, msg := range Check(sh.Figures, sh.Remarks, nil) {
			f, _ := FieldOf(code)
			errs = append(errs, ImportError{Sheet: sh.Name, Row: sh.rows[code], Column: "数值", Field: f.Code + " " + f.Label, Msg: msg})
		}
		items = append(items, item{sh, u})
	}
	if len(errs) > 0 {
		return 0, errs
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, it := range items {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM stat_forms WHERE unit_key = $1 AND year = $2`, it.unit.Key, it.sh.Year).Scan(&id)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				err = tx.QueryRowContext(ctx, `INSERT INTO stat_forms (unit_key, unit_kind, unit_name, region_code, year, status, figures, remarks, imported, reviewed_by, created_at, updated_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9, $10, $10) RETURNING id`, it.unit.Key, it.unit.Kind, it.unit.Name, it.unit.Region, it.sh.Year, Accepted,
					mustJSON(it.sh.Figures), mustJSON(it.sh.Remarks), nullID(actor), now).Scan(&id)
			case err == nil:
				_, err = tx.ExecContext(ctx, `UPDATE stat_forms SET figures = $1, remarks = $2, reviewed_by = $3, updated_at = $4 WHERE id = $5`,
					mustJSON(it.sh.Figures), mustJSON(it.sh.Remarks), nullID(actor), now, id)
			}
			if err != nil {
				return fmt.Errorf("forms.Import: %w", db.Map(err))
			}
			if err := event(ctx, tx, id, now, actor, "import", ""); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if s.Accepted != nil {
		for _, it := range items {
			s.Accepted(ctx, it.unit.Region)
		}
	}
	return len(items), nil
}
