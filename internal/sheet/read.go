package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// DefaultMaxBytes is the largest file Read accepts unless told otherwise: 100 MB, room for
// 580,000 information officers in .xlsx.
const DefaultMaxBytes = 100 << 20

// headerScan is how many rows from the top may hold title rows before the header.
const headerScan = 20

// Record is one data row, parsed. Get values with its typed methods; report a problem only the
// domain can see (an unknown code, a duplicate key) with Fail, which keeps it with the file's
// other errors.
type Record struct {
	Row    int // 1-based row of the file
	values map[string]any
	rd     *reader
	failed bool
}

// Present reports whether the file has a column for key at all (an optional column may be
// left out of a file; its values should then be left as they are).
func (r *Record) Present(key string) bool {
	for _, ci := range r.rd.cols {
		if ci >= 0 && r.rd.schema.Columns[ci].Key == key {
			return true
		}
	}
	return false
}

// Has reports whether the cell of key held a value.
func (r *Record) Has(key string) bool { _, ok := r.values[key]; return ok }

// Str returns a Text, Code or Enum value ("" when empty).
func (r *Record) Str(key string) string { s, _ := r.values[key].(string); return s }

// Int returns an Int value and whether the cell held one.
func (r *Record) Int(key string) (int64, bool) { v, ok := r.values[key].(int64); return v, ok }

// Float returns a Decimal value and whether the cell held one.
func (r *Record) Float(key string) (float64, bool) { v, ok := r.values[key].(float64); return v, ok }

// Date returns a Date value (midnight UTC) and whether the cell held one.
func (r *Record) Date(key string) (time.Time, bool) { v, ok := r.values[key].(time.Time); return v, ok }

// Bool returns a Bool value and whether the cell held one.
func (r *Record) Bool(key string) (bool, bool) { v, ok := r.values[key].(bool); return v, ok }

// Fail records a problem with the cell of key (any key of the schema; "" for the whole row).
func (r *Record) Fail(key, format string, args ...any) {
	r.failed = true
	header := ""
	if c, ok := r.rd.schema.Column(key); ok {
		header = c.Header
	}
	r.rd.add(Error{Row: r.Row, Column: header, Msg: fmt.Sprintf(format, args...)})
}

// Failed reports whether this row has a problem (its own or reported with Fail).
func (r *Record) Failed() bool { return r.failed }

// Result says what Read found.
type Result struct {
	Rows    int    // data rows read (good and bad)
	Format  string // "xlsx" or "csv"
	Charset string // for CSV: "UTF-8" or "GB18030"
	Errors  Errors // every problem, at most MaxErrors
	More    int    // problems beyond MaxErrors, counted only
}

// Err returns the problems as an error, or nil when there are none.
func (res Result) Err() error {
	if len(res.Errors) == 0 {
		return nil
	}
	if res.More > 0 {
		return append(res.Errors[:len(res.Errors):len(res.Errors)], Error{Msg: fmt.Sprintf("另有 %d 处错误未列出", res.More)})
	}
	return res.Errors
}

type reader struct {
	schema   Schema
	date1904 bool
	res      Result
	cols     []int // file column index → schema column index, -1 for ignored
}

func (rd *reader) add(e Error) {
	if len(rd.res.Errors) >= MaxErrors {
		rd.res.More++
		return
	}
	rd.res.Errors = append(rd.res.Errors, e)
}

// Read parses a .xlsx or .csv file (told apart by content, not name) against schema and calls
// fn for every data row, in order, with the values parsed. fn may report domain problems with
// Record.Fail; returning an error stops the read. Read never stops at a bad row: the Result
// lists every problem (row, column, reason in Chinese), and the caller writes nothing when
// there are any. maxBytes (0: DefaultMaxBytes) bounds the file; memory stays bounded by it.
// The error return is for failures of fn or of the reader itself, not for bad content.
func Read(r io.Reader, schema Schema, maxBytes int64, fn func(*Record) error) (Result, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	rd := &reader{schema: schema}
	br := bufio.NewReaderSize(&capReader{r: r, left: maxBytes}, 64<<10)
	head, _ := br.Peek(8)
	tooBig := func() (Result, error) {
		rd.res.Errors = Errors{{Msg: fmt.Sprintf("文件超过 %d MB 的上限，未导入；请拆分后分批导入", maxBytes>>20)}}
		return rd.res, nil
	}
	var next func() ([]string, error)
	switch {
	case len(head) == 0:
		rd.res.Errors = Errors{{Msg: "文件是空的"}}
		return rd.res, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		rd.res.Format = "xlsx"
		data, err := io.ReadAll(br)
		if errors.Is(err, errTooBig) {
			return tooBig()
		}
		if err != nil {
			return rd.res, err
		}
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, UnzipSizeLimit: 20 * maxBytes, UnzipXMLSizeLimit: 16 << 20})
		if err != nil {
			rd.res.Errors = Errors{{Msg: "无法读取这个 .xlsx 文件（已损坏或不是 Excel 工作簿）：" + err.Error()}}
			return rd.res, nil
		}
		defer f.Close()
		if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
			rd.date1904 = *props.Date1904
		}
		sheetName := f.GetSheetName(0)
		for _, n := range f.GetSheetList() {
			if n == schema.Name {
				sheetName = n
			}
		}
		rows, err := f.Rows(sheetName)
		if err != nil {
			rd.res.Errors = Errors{{Msg: "无法读取工作表“" + sheetName + "”：" + err.Error()}}
			return rd.res, nil
		}
		defer rows.Close()
		next = func() ([]string, error) {
			if !rows.Next() {
				if err := rows.Error(); err != nil {
					return nil, err
				}
				return nil, io.EOF
			}
			return rows.Columns(excelize.Options{RawCellValue: true})
		}
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		rd.res.Errors = Errors{{Msg: "这是旧版 Excel（.xls）文件，请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再导入"}}
		return rd.res, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		rd.res.Errors = Errors{{Msg: "这是 UTF-16 编码的文本，请另存为“CSV UTF-8”或 .xlsx 后再导入"}}
		return rd.res, nil
	default:
		rd.res.Format = "csv"
		var text io.Reader
		peek, _ := br.Peek(64 << 10)
		if bytes.IndexByte(peek, 0) >= 0 {
			rd.res.Errors = Errors{{Msg: "这不是表格文件，请上传 .xlsx 或 .csv"}}
			return rd.res, nil
		}
		switch {
		case bytes.HasPrefix(peek, []byte("\xEF\xBB\xBF")):
			br.Discard(3)
			text, rd.res.Charset = br, "UTF-8"
		case validUTF8Prefix(peek):
			text, rd.res.Charset = br, "UTF-8"
		default:
			// Excel and WPS on Chinese Windows save "CSV" in the ANSI code page: GBK, a subset of GB18030.
			text, rd.res.Charset = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), "GB18030"
		}
		cr := csv.NewReader(text)
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		next = func() ([]string, error) {
			rec, err := cr.Read()
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("第 %d 行无法解析：%v", pe.Line, pe.Err)
			}
			return rec, err
		}
	}
	err := rd.run(next, fn)
	if err != nil && errors.Is(err, errTooBig) {
		return tooBig()
	}
	if err != nil && !errors.Is(err, errContent) {
		return rd.res, err
	}
	return rd.res, nil
}

// capReader fails with errTooBig once more than left bytes have been read, so that a file
// over the limit is refused rather than cut short.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, errTooBig
	}
	return n, err
}

var (
	errTooBig  = errors.New("file too big")
	errContent = errors.New("bad content")
)

// validUTF8Prefix reports whether b is valid UTF-8, allowing a rune cut at its end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// run finds the header, then parses and hands over the data rows.
func (rd *reader) run(next func() ([]string, error), fn func(*Record) error) error {
	var top [][]string
	rowNum := 0
	for len(top) < headerScan {
		rec, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rd.readErr(err)
		}
		top = append(top, append([]string(nil), rec...))
	}
	hdr, ok := rd.findHeader(top)
	if !ok {
		return errContent
	}
	handle := func(rec []string) error {
		rowNum++
		if isBlank(rec) || isTotals(rec) {
			return nil
		}
		rd.res.Rows++
		r := &Record{Row: rowNum, values: make(map[string]any, len(rd.schema.Columns)), rd: rd}
		for i, ci := range rd.cols {
			if ci < 0 {
				continue
			}
			c := rd.schema.Columns[ci]
			raw := ""
			if i < len(rec) {
				raw = rec[i]
			}
			v, msg := c.Parse(raw, rd.date1904)
			if msg != "" {
				r.failed = true
				rd.add(Error{Row: rowNum, Column: c.Header, Msg: msg})
				continue
			}
			if v != nil {
				r.values[c.Key] = v
			}
		}
		return fn(r)
	}
	for i, rec := range top {
		rowNum = i
		if i <= hdr {
			continue
		}
		if err := handle(rec); err != nil {
			return err
		}
	}
	rowNum = len(top)
	for {
		rec, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rd.readErr(err)
		}
		if err := handle(rec); err != nil {
			return err
		}
	}
	if rd.res.Rows == 0 {
		rd.add(Error{Msg: "表头下面没有数据行"})
	}
	return nil
}

func (rd *reader) readErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.Is(err, errTooBig) || errors.As(err, &mbe) {
		return errTooBig
	}
	rd.add(Error{Msg: "文件读取失败：" + err.Error()})
	return errContent
}

// findHeader picks, among the top rows, the one whose cells match the most column headers,
// and maps its columns. Title rows and merged cells above it are passed over.
func (rd *reader) findHeader(top [][]string) (int, bool) {
	index := map[string]int{}
	for i, c := range rd.schema.Columns {
		index[normHeader(c.Header)] = i
		for _, a := range c.Aliases {
			index[normHeader(a)] = i
		}
	}
	best, bestN := -1, 0
	for r, rec := range top {
		n := 0
		for _, cell := range rec {
			if _, ok := index[normHeader(cell)]; ok {
				n++
			}
		}
		if n > bestN {
			best, bestN = r, n
		}
	}
	if best < 0 {
		if len(top) == 0 {
			rd.add(Error{Msg: "文件是空的"})
		} else {
			rd.add(Error{Msg: fmt.Sprintf("在前 %d 行中找不到表头；请使用下载的模板，表头应包括：%s", len(top), rd.headers(true))})
		}
		return 0, false
	}
	rd.cols = make([]int, len(top[best]))
	seen := map[int]int{}
	for i, cell := range top[best] {
		ci, ok := index[normHeader(cell)]
		if !ok {
			rd.cols[i] = -1
			continue
		}
		if prev, dup := seen[ci]; dup {
			rd.add(Error{Row: best + 1, Column: rd.schema.Columns[ci].Header, Msg: fmt.Sprintf("表头重复（第 %d 列和第 %d 列）", prev+1, i+1)})
		}
		seen[ci] = i
		rd.cols[i] = ci
	}
	var missing []string
	for i, c := range rd.schema.Columns {
		if _, ok := seen[i]; !ok && c.Required {
			missing = append(missing, c.Header)
		}
	}
	if len(missing) > 0 {
		rd.add(Error{Row: best + 1, Msg: "缺少必填列：" + strings.Join(missing, "、")})
	}
	return best, len(rd.res.Errors) == 0
}

// headers lists the schema's headers ("A、B、C"), only the required ones if asked.
func (rd *reader) headers(required bool) string {
	var hs []string
	for _, c := range rd.schema.Columns {
		if c.Required || !required {
			hs = append(hs, c.Header)
		}
	}
	return strings.Join(hs, "、")
}

func isBlank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(strings.ReplaceAll(c, "\u3000", "")) != "" {
			return false
		}
	}
	return true
}

// isTotals reports a totals row ("合计", "总计", "小计", "共计" as its first filled cell).
func isTotals(rec []string) bool {
	for _, c := range rec {
		c = normHeader(c)
		if c == "" {
			continue
		}
		switch strings.TrimSuffix(strings.TrimSuffix(c, ":"), "：") {
		case "合计", "总计", "小计", "共计", "总数":
			return true
		}
		return false
	}
	return false
}
