package sheet

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// toHalfWidth folds full-width ASCII forms (０-９, Ａ-Ｚ, ，．－ …) and the ideographic space to
// their half-width forms, as people type numbers with a Chinese input method.
func toHalfWidth(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0xFF01 && r <= 0xFF5E || r == 0x3000 }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			b.WriteRune(r - 0xFEE0)
		case r == 0x3000:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// approx matches the ways people write a number they do not know exactly.
var approx = regexp.MustCompile(`^(约|大约|近|将近|超过|逾|上|~|≈)|(多|余|左右|以上|以下|来|\+)$`)

// thousands matches a number written with comma thousands separators: 1,300 or 48,000.5.
var thousands = regexp.MustCompile(`^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)

// parseNumber reads an exact number: full-width digits and thousands separators are accepted,
// approximate numbers ("1300多", "约500") are refused with a message that says so.
func parseNumber(raw string) (float64, string) {
	s := strings.TrimSpace(toHalfWidth(raw))
	if approx.MatchString(s) {
		return 0, fmt.Sprintf("“%s”是约数，请填写确切的数字", raw)
	}
	if strings.Contains(s, ",") {
		if !thousands.MatchString(s) {
			return 0, fmt.Sprintf("“%s”中的逗号不是千位分隔（应为 1,300 或 1300；小数用点）", raw)
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Sprintf("“%s”不是数字", raw)
	}
	return f, ""
}

var dateLayouts = []string{"2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日", "20060102", "2006-1-2 15:04:05", "2006/1/2 15:04:05", "2006-1-2 15:04", "2006/1/2 15:04", "2006-01-02T15:04:05Z07:00"}

// parseDate reads a calendar date: an Excel serial number in the workbook's date system
// (1900 or 1904), or text such as 2023-06-30, 2023/6/30, 2023.6.30, 2023年6月30日, 20230630.
// The result is midnight UTC of that day.
func parseDate(raw string, date1904 bool) (time.Time, string) {
	s := strings.TrimSpace(toHalfWidth(raw))
	bad := fmt.Sprintf("“%s”不是日期（应为 2023-06-30 或 2023年6月30日）", raw)
	if serialNumber.MatchString(s) {
		if len(s) == 8 { // 20230630 typed as a number
			if t, err := time.Parse("20060102", s); err == nil {
				return plausible(t, raw)
			}
		}
		f, _ := strconv.ParseFloat(s, 64)
		if f < 1 || f >= 2958466 { // 1900-01-01 … 9999-12-31
			return time.Time{}, bad
		}
		t, err := excelize.ExcelDateToTime(f, date1904)
		if err != nil {
			return time.Time{}, bad
		}
		y, m, d := t.Date()
		return plausible(time.Date(y, m, d, 0, 0, 0, 0, time.UTC), raw)
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			y, m, d := t.Date()
			return plausible(time.Date(y, m, d, 0, 0, 0, 0, time.UTC), raw)
		}
	}
	return time.Time{}, bad
}

// plausible refuses dates outside 1900–2100, which are typing slips in this field.
func plausible(t time.Time, raw string) (time.Time, string) {
	if y := t.Year(); y < 1900 || y > 2100 {
		return time.Time{}, fmt.Sprintf("“%s”的年份不在 1900–2100 之间", raw)
	}
	return t, ""
}

var serialNumber = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// parseBool reads yes/no in the ways Chinese forms write it.
func parseBool(raw string) (bool, string) {
	switch strings.ToLower(strings.TrimSpace(toHalfWidth(raw))) {
	case "是", "有", "y", "yes", "true", "1", "√", "✓", "对":
		return true, ""
	case "否", "无", "没有", "n", "no", "false", "0", "×", "✗", "不是":
		return false, ""
	}
	return false, fmt.Sprintf("“%s”应为“是”或“否”", raw)
}

var sciNotation = regexp.MustCompile(`^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$`)

// parseCode reads a string of digits kept as text (a division code, a phone number). A long
// number that Excel stored in scientific notation has lost digits and is refused.
func parseCode(raw string) (string, string) {
	s := strings.TrimSpace(toHalfWidth(raw))
	s = strings.TrimPrefix(s, "'")
	if sciNotation.MatchString(s) {
		return "", fmt.Sprintf("“%s”被 Excel 存成了科学计数法，已丢失数字；请把该列设为文本格式后重新填写", raw)
	}
	s = strings.TrimSuffix(s, ".0")
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return "", fmt.Sprintf("“%s”应只含数字", raw)
	}
	return s, ""
}

// Parse converts one raw cell to the column's type: string, int64, float64, time.Time or
// bool. An empty cell gives nil (and a message when the column is required).
func (c Column) Parse(raw string, date1904 bool) (any, string) {
	if strings.TrimSpace(strings.ReplaceAll(raw, "\u3000", " ")) == "" {
		if c.Required {
			return nil, "必填，不能为空"
		}
		return nil, ""
	}
	switch c.Kind {
	case Int, Decimal:
		f, msg := parseNumber(raw)
		if msg != "" {
			return nil, msg
		}
		if c.Kind == Int && f != math.Trunc(f) {
			return nil, fmt.Sprintf("“%s”应为整数", raw)
		}
		lo, hi := c.bounds()
		if f < lo {
			return nil, fmt.Sprintf("不能小于 %s", strconv.FormatFloat(lo, 'f', -1, 64))
		}
		if hi != nil && f > *hi {
			return nil, fmt.Sprintf("不能大于 %s", strconv.FormatFloat(*hi, 'f', -1, 64))
		}
		if c.Kind == Int {
			if math.Abs(f) > 1<<53 {
				return nil, fmt.Sprintf("“%s”太大", raw)
			}
			return int64(f), ""
		}
		return f, ""
	case Date:
		t, msg := parseDate(raw, date1904)
		if msg != "" {
			return nil, msg
		}
		return t, ""
	case Bool:
		b, msg := parseBool(raw)
		if msg != "" {
			return nil, msg
		}
		return b, ""
	case Enum:
		s := strings.TrimSpace(raw)
		for _, ch := range c.Choices {
			if s == ch.Label || s == ch.Value {
				return ch.Value, ""
			}
		}
		return nil, fmt.Sprintf("“%s”应为以下之一：%s", raw, c.choiceLabels())
	case Code:
		s, msg := parseCode(raw)
		if msg != "" {
			return nil, msg
		}
		if c.MaxLen > 0 && len(s) > c.MaxLen {
			return nil, fmt.Sprintf("最多 %d 位", c.MaxLen)
		}
		return s, ""
	}
	s := strings.TrimSpace(strings.Trim(raw, "\u3000"))
	limit := c.MaxLen
	if limit == 0 {
		limit = 200
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return nil, fmt.Sprintf("最多 %d 个字，这里有 %d 个", limit, n)
	}
	if !utf8.ValidString(s) {
		return nil, "含有无法识别的字符"
	}
	return s, ""
}
