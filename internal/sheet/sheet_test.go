package sheet

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var museums = Schema{Name: "科技馆", Columns: []Column{
	{Key: "name", Header: "名称", Kind: Text, Required: true, MaxLen: 10},
	{Key: "region", Header: "区划代码", Aliases: []string{"所在地区划代码"}, Kind: Code, Required: true, MaxLen: 12},
	{Key: "tier", Header: "级别", Kind: Enum, Required: true, Choices: []Choice{{"自治区级", "region"}, {"盟市级", "league"}, {"旗县级", "banner"}}},
	{Key: "area", Header: "建筑面积", Kind: Decimal},
	{Key: "exhibits", Header: "展品数", Kind: Int},
	{Key: "opened", Header: "开馆日期", Kind: Date},
	{Key: "library", Header: "馆内图书馆", Kind: Bool},
}}

type got struct {
	rows []*Record
	res  Result
}

func read(t *testing.T, data []byte, max int64) got {
	t.Helper()
	var g got
	res, err := Read(bytes.NewReader(data), museums, max, func(r *Record) error {
		g.rows = append(g.rows, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	g.res = res
	return g
}

func gbk(t *testing.T, s string) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const goodCSV = "名称,区划代码,级别,建筑面积（平方米）,展品数,开馆日期,馆内图书馆\n" +
	"内蒙古科技馆,150105,自治区级,\"48,000\",５００,2013/6/20,是\n" +
	"锡林郭勒盟科技馆,152502,盟市级,12000.5,300,2016年9月1日,否\n"

func TestReadCSVEncodings(t *testing.T) {
	for name, data := range map[string][]byte{
		"UTF-8":                                  []byte(goodCSV),
		"UTF-8 with BOM":                         append([]byte("\xEF\xBB\xBF"), goodCSV...),
		"GB18030 (Excel/WPS on Chinese Windows)": gbk(t, goodCSV),
	} {
		t.Run(name, func(t *testing.T) {
			g := read(t, data, 0)
			if err := g.res.Err(); err != nil {
				t.Fatal(err)
			}
			if len(g.rows) != 2 {
				t.Fatalf("%d rows", len(g.rows))
			}
			r := g.rows[0]
			area, _ := r.Float("area")
			ex, _ := r.Int("exhibits")
			opened, _ := r.Date("opened")
			lib, hasLib := r.Bool("library")
			if r.Str("name") != "内蒙古科技馆" || r.Str("region") != "150105" || r.Str("tier") != "region" || area != 48000 || ex != 500 ||
				!opened.Equal(time.Date(2013, 6, 20, 0, 0, 0, 0, time.UTC)) || !lib || !hasLib || r.Row != 2 {
				t.Errorf("row 2 = %+v", r.values)
			}
			if d, _ := g.rows[1].Date("opened"); !d.Equal(time.Date(2016, 9, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("Chinese date: %v", d)
			}
		})
	}
}

// An .xlsx as people make it: a merged title row, a header with units, dates as serial
// numbers, full-width digits, and a totals row.
func makeXLSX(t *testing.T, date1904 bool, rows [][]any) []byte {
	f := excelize.NewFile()
	defer f.Close()
	if date1904 {
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			t.Fatal(err)
		}
	}
	f.SetCellStr("Sheet1", "A1", "2022年全区科技馆统计表")
	f.MergeCell("Sheet1", "A1", "G1")
	f.SetSheetRow("Sheet1", "A2", &[]any{"名称*", "所在地区划代码", "级别", "建筑面积（㎡）", "展品数\n（件）", "开馆日期", "馆内图书馆"})
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		f.SetSheetRow("Sheet1", cell, &r)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadXLSX(t *testing.T) {
	// 41445 is 2013-06-20 in the 1900 system; the same day is 39983 in the 1904 system.
	for _, tc := range []struct {
		name     string
		date1904 bool
		serial   float64
	}{{"1900 date system", false, 41445}, {"1904 date system", true, 39983}} {
		t.Run(tc.name, func(t *testing.T) {
			data := makeXLSX(t, tc.date1904, [][]any{
				{"内蒙古科技馆", "150105", "自治区级", 48000, "５００", tc.serial, "是"},
				{"阿拉善盟科技馆", 152921, "盟市级", 8000, 120, "2019-05-18", "否"},
				{},
				{"合计", "", "", 56000, 620},
			})
			g := read(t, data, 0)
			if err := g.res.Err(); err != nil {
				t.Fatal(err)
			}
			if len(g.rows) != 2 || g.res.Format != "xlsx" {
				t.Fatalf("%d rows, format %s", len(g.rows), g.res.Format)
			}
			if d, _ := g.rows[0].Date("opened"); !d.Equal(time.Date(2013, 6, 20, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("serial date: %v", d)
			}
			if g.rows[0].Row != 3 || g.rows[1].Str("region") != "152921" {
				t.Errorf("rows: %d %q", g.rows[0].Row, g.rows[1].Str("region"))
			}
		})
	}
}

func TestReadBadCells(t *testing.T) {
	csv := "名称,区划代码,级别,建筑面积,展品数,开馆日期,馆内图书馆\n" +
		"甲科技馆,150105,自治区级,1300多,约500,2023-13-45,也许\n" +
		",15x,国家级,-5,3.5,,\n" +
		"这是一个名字特别特别长的科技馆,1.50105E+11,旗县级,\"12,94\",\"1,300\",1800-01-01,\n"
	g := read(t, []byte(csv), 0)
	var msgs []string
	for _, e := range g.res.Errors {
		msgs = append(msgs, e.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"第 2 行，“建筑面积”列：“1300多”是约数，请填写确切的数字",
		"第 2 行，“展品数”列：“约500”是约数",
		"第 2 行，“开馆日期”列：“2023-13-45”不是日期",
		"第 2 行，“馆内图书馆”列：“也许”应为“是”或“否”",
		"第 3 行，“名称”列：必填，不能为空",
		"第 3 行，“区划代码”列：“15x”应只含数字",
		"第 3 行，“级别”列：“国家级”应为以下之一：自治区级、盟市级、旗县级",
		"第 3 行，“建筑面积”列：不能小于 0",
		"第 3 行，“展品数”列：“3.5”应为整数",
		"第 4 行，“名称”列：最多 10 个字",
		"第 4 行，“区划代码”列：“1.50105E+11”被 Excel 存成了科学计数法",
		"第 4 行，“建筑面积”列：“12,94”中的逗号不是千位分隔",
		"第 4 行，“开馆日期”列：“1800-01-01”的年份不在 1900–2100 之间",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
	if len(g.rows) != 3 || !g.rows[0].Failed() {
		t.Errorf("rows %d; bad rows are still handed over, marked failed", len(g.rows))
	}
}

func TestReadBadFiles(t *testing.T) {
	big := []byte("名称,区划代码,级别\n" + strings.Repeat("某科技馆,150105,自治区级\n", 50000))
	for name, tc := range map[string]struct {
		data []byte
		max  int64
		want string
	}{
		"empty":            {nil, 0, "文件是空的"},
		"only header":      {[]byte("名称,区划代码,级别\n"), 0, "表头下面没有数据行"},
		"no header":        {[]byte("a,b,c\n1,2,3\n"), 0, "找不到表头"},
		"missing required": {[]byte("名称,展品数\n甲,1\n"), 0, "缺少必填列：区划代码、级别"},
		"duplicate header": {[]byte("名称,区划代码,级别,名称\n甲,150105,自治区级,乙\n"), 0, "表头重复"},
		"binary":           {[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0, "这不是表格文件"},
		"old xls":          {[]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), 0, "旧版 Excel（.xls）"},
		"broken xlsx":      {[]byte("PK\x03\x04 not really a zip"), 0, "无法读取这个 .xlsx 文件"},
		"too big":          {big, 100_000, "文件超过"},
	} {
		t.Run(name, func(t *testing.T) {
			n := 0
			res, err := Read(bytes.NewReader(tc.data), museums, tc.max, func(*Record) error { n++; return nil })
			if err != nil {
				t.Fatal(err)
			}
			if res.Err() == nil || !strings.Contains(res.Err().Error(), tc.want) {
				t.Errorf("got %v, want %q", res.Err(), tc.want)
			}
		})
	}
}

func TestWriteRoundTripAndEscaping(t *testing.T) {
	rows := [][]any{
		{"=1+2", "150105", "region", 48000.5, int64(500), time.Date(2013, 6, 20, 0, 0, 0, 0, time.UTC), true},
		{"@A1", "152502", "league", nil, nil, nil, false},
	}
	for _, format := range []string{"xlsx", "csv"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, format, museums, func(yield func([]any) bool) error {
				for _, r := range rows {
					if !yield(r) {
						break
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			g := read(t, buf.Bytes(), 0)
			if err := g.res.Err(); err != nil {
				t.Fatal(err)
			}
			if len(g.rows) != 2 {
				t.Fatalf("%d rows back", len(g.rows))
			}
			r := g.rows[0]
			area, _ := r.Float("area")
			d, _ := r.Date("opened")
			if r.Str("name") != "'=1+2" || r.Str("tier") != "region" || area != 48000.5 || !d.Equal(time.Date(2013, 6, 20, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("round trip: %+v", r.values)
			}
			if g.rows[1].Str("name") != "'@A1" || g.rows[1].Has("area") {
				t.Errorf("second row: %+v", g.rows[1].values)
			}
		})
	}
	var tmpl bytes.Buffer
	if err := Template(&tmpl, "xlsx", museums); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&tmpl)
	if err != nil {
		t.Fatal(err)
	}
	header, _ := f.GetRows("科技馆")
	notes, _ := f.GetRows("填写说明")
	if len(header) != 1 || header[0][0] != "名称*" || len(notes) != len(museums.Columns)+1 || !strings.Contains(notes[3][2], "自治区级、盟市级、旗县级") {
		t.Errorf("template: %v / %v", header, notes)
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+86": "'+86", "-3": "'-3", "@x": "'@x", "\t=x": "'\t=x", "科技馆": "科技馆", "": ""} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(goodCSV))
	f.Add(gbk(&testing.T{}, goodCSV))
	f.Add([]byte("名称,区划代码,级别\n\"unterminated,1,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Read(bytes.NewReader(data), museums, 1<<20, func(r *Record) error {
			if r.Failed() {
				return nil
			}
			if r.Str("name") == "" || r.Str("region") == "" {
				return fmt.Errorf("a good row lacks a required value: %+v", r.values)
			}
			if v, ok := r.Float("area"); ok && v < 0 {
				return fmt.Errorf("negative area passed")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Err()
	})
}

func FuzzReadXLSX(f *testing.F) {
	f.Add(makeXLSX(&testing.T{}, false, [][]any{{"甲", "150105", "自治区级", 1, 2, 41445, "是"}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 4 || string(data[:4]) != "PK\x03\x04" {
			return
		}
		if _, err := Read(bytes.NewReader(data), museums, 1<<20, func(*Record) error { return nil }); err != nil {
			t.Fatal(err)
		}
	})
}

// A two-row header whose top row groups columns in merged cells: the row that names the
// columns is found, the group row above is passed over.
func TestReadTwoRowMergedHeader(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetRow("Sheet1", "A1", &[]any{"基本信息", "", "", "设施情况"})
	f.MergeCell("Sheet1", "A1", "C1")
	f.MergeCell("Sheet1", "D1", "G1")
	f.SetSheetRow("Sheet1", "A2", &[]any{"名称", "区划代码", "级别", "建筑面积", "展品数", "开馆日期", "馆内图书馆"})
	f.SetSheetRow("Sheet1", "A3", &[]any{"乌海市科技馆", "150300", "盟市级", 9000, 200, "2015-10-01", "否"})
	var buf bytes.Buffer
	f.Write(&buf)
	g := read(t, buf.Bytes(), 0)
	if err := g.res.Err(); err != nil || len(g.rows) != 1 || g.rows[0].Row != 3 || g.rows[0].Str("name") != "乌海市科技馆" {
		t.Fatalf("rows %d, err %v", len(g.rows), err)
	}
}
