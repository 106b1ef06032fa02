package share

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/kepu/kepu/internal/account"
	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
)

// NationalSchema is the import file of the national platform's back-office figures: one row
// per unit and month (officers registered there, shares, clicks as the platform reports them).
var NationalSchema = sheet.Schema{Name: "国家平台信息员数据", Columns: []sheet.Column{
	{Key: "region_code", Header: "区划代码", Aliases: []string{"统计用区划代码", "地区代码"}, Kind: sheet.Code, Required: true, MaxLen: 12, Example: "152502"},
	{Key: "month", Header: "月份", Aliases: []string{"统计月份"}, Kind: sheet.Text, Required: true, MaxLen: 7, Example: "2026-11", Note: "YYYY-MM"},
	{Key: "officers", Header: "信息员数", Aliases: []string{"注册信息员数", "信息员人数"}, Kind: sheet.Int, Required: true, Example: "5600"},
	{Key: "shares", Header: "分享数", Aliases: []string{"分享量", "转发数"}, Kind: sheet.Int, Required: true, Example: "12000"},
	{Key: "clicks", Header: "点击数", Aliases: []string{"点击量", "阅读量"}, Kind: sheet.Int, Required: true, Example: "36000"},
}}

// ImportNational reads a .csv/.xlsx of NationalSchema and stores every row (replacing the
// figures of the same unit and month), all or nothing: a unit outside scope or unknown, a bad
// month or number, or a unit and month given twice is an error with its row and column, and
// then nothing is written. It returns the rows stored. Errors: sheet.Errors for bad content.
func (s *Store) ImportNational(ctx context.Context, scope region.Scope, actor int64, r io.Reader) (int, error) {
	var rows [][]any
	seen := map[string]int{}
	res, err := sheet.Read(r, NationalSchema, 0, func(rec *sheet.Record) error {
		code, err := region.Normalize(rec.Str("region_code"))
		if err != nil {
			rec.Fail("region_code", "不是有效的统计用区划代码：%s", rec.Str("region_code"))
			return nil
		}
		if !scope.Contains(code) {
			rec.Fail("region_code", "%s 不在您的管辖范围内", code)
			return nil
		}
		if _, err := s.Regions.Get(ctx, code); errors.Is(err, db.ErrNotFound) {
			rec.Fail("region_code", "区划代码 %s 不存在", code)
			return nil
		} else if err != nil {
			return err
		}
		month := strings.TrimSpace(rec.Str("month"))
		if !monthRE.MatchString(month) {
			rec.Fail("month", "月份应写成 2026-11 这样的年-月：%s", month)
			return nil
		}
		if prev, dup := seen[code+month]; dup {
			rec.Fail("", "%s %s 与第 %d 行重复", code, month, prev)
			return nil
		}
		seen[code+month] = rec.Row
		o, _ := rec.Int("officers")
		sh, _ := rec.Int("shares")
		c, _ := rec.Int("clicks")
		if !rec.Failed() {
			rows = append(rows, []any{code, month, o, sh, c, s.now(), nullID(actor)})
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("share.ImportNational: %w", err)
	}
	if err := res.Err(); err != nil {
		return 0, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return db.BulkInsert(ctx, tx, s.DB.Dialect, "share_national", []string{"region_code", "month", "officers", "shares", "clicks", "imported_at", "imported_by"}, rows,
			`ON CONFLICT (month, region_code) DO UPDATE SET officers = excluded.officers, shares = excluded.shares, clicks = excluded.clicks,
			imported_at = excluded.imported_at, imported_by = excluded.imported_by`)
	})
	if err != nil {
		return 0, fmt.Errorf("share.ImportNational: %w", db.Map(err))
	}
	return len(rows), nil
}

// importNational takes the national platform's figures from an uploaded file.
func (h *Handler) importNational(w http.ResponseWriter, r *http.Request) error {
	pr := account.FromContext(r.Context())
	file, _, err := r.FormFile("file")
	if err != nil {
		return h.renderReport(w, r, http.StatusUnprocessableEntity, "share.report_title", "share/report", func(p *ReportPage) {
			p.Error = p.T("share.national_no_file")
		})
	}
	defer file.Close()
	n, err := h.Store.ImportNational(r.Context(), pr.Scope(), pr.ID, file)
	var es sheet.Errors
	if errors.As(err, &es) {
		return h.renderReport(w, r, http.StatusUnprocessableEntity, "share.report_title", "share/report", func(p *ReportPage) {
			for _, e := range es {
				p.ImportErrors = append(p.ImportErrors, e.Error())
			}
		})
	}
	if err != nil {
		return err
	}
	return h.renderReport(w, r, http.StatusOK, "share.report_title", "share/report", func(p *ReportPage) {
		p.Notice = p.T("share.national_done", n)
	})
}

// nationalTemplate serves the import template (.xlsx, or .csv with ?format=csv).
func (h *Handler) nationalTemplate(w http.ResponseWriter, r *http.Request) error {
	format := "xlsx"
	if r.FormValue("format") == "csv" {
		format = "csv"
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	w.Header().Set("Content-Disposition", "attachment; filename=national."+format)
	return sheet.Template(w, format, NationalSchema)
}

// nullID is NULL for 0 (no account: the command line, the demo, tests), else the id.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
