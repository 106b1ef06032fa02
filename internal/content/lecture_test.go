package content

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestICSEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain":         "plain",
		`a\b`:           `a\\b`,
		"时间;地点,人物":      `时间\;地点\,人物`,
		"第一行\n第二行":      `第一行\n第二行`,
		"CRLF\r\nline":  `CRLF\nline`,
		`all\;,` + "\n": `all\\\;\,\n`,
		"冒号:不转义 \"引号\"也不转义": "冒号:不转义 \"引号\"也不转义",
	} {
		if got := icsEscape(in); got != want {
			t.Errorf("icsEscape(%q) = %q, want %q", in, got, want)
		}
	}
}

// unfold undoes folding (RFC 5545 §3.1): a CRLF followed by one space is removed.
func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

func TestICSFold(t *testing.T) {
	for name, line := range map[string]string{
		"short":     "SUMMARY:草原防火",
		"exact 75":  "DESCRIPTION:" + strings.Repeat("a", 63),
		"76 ascii":  "DESCRIPTION:" + strings.Repeat("a", 64),
		"long cjk":  "DESCRIPTION:" + strings.Repeat("草原防火，人人有责。", 20),
		"mixed":     "SUMMARY:" + strings.Repeat("ab草", 40),
		"mongolian": "SUMMARY:" + strings.Repeat("ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ", 15),
	} {
		var b strings.Builder
		icsFold(&b, line)
		out := b.String()
		if !strings.HasSuffix(out, "\r\n") {
			t.Errorf("%s: no CRLF at the end: %q", name, out)
		}
		phys := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
		for i, p := range phys {
			if len(p) > icsMaxLine {
				t.Errorf("%s: line %d has %d octets", name, i, len(p))
			}
			if !utf8.ValidString(p) {
				t.Errorf("%s: line %d splits a character: %q", name, i, p)
			}
			if i > 0 && !strings.HasPrefix(p, " ") {
				t.Errorf("%s: continuation line %d does not start with a space", name, i)
			}
			if strings.Contains(p, "\n") || strings.Contains(p, "\r") {
				t.Errorf("%s: a bare line break in line %d", name, i)
			}
		}
		if got := strings.TrimSuffix(unfold(out), "\r\n"); got != line {
			t.Errorf("%s: unfolds to %q, want %q", name, got, line)
		}
		if wantLines := len(line) <= icsMaxLine; wantLines != (len(phys) == 1) {
			t.Errorf("%s (%d octets): %d physical lines", name, len(line), len(phys))
		}
	}
}

func TestWriteICS(t *testing.T) {
	start := time.Date(2026, 5, 20, 9, 0, 0, 0, China)
	var b strings.Builder
	WriteICS(&b, "讲座", []ICSEvent{{UID: "content-7@kepu.test", Stamp: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Start: start,
		End: start.Add(90 * time.Minute), Summary: "草原防火, 人人有责", Details: "主讲：王研究员\n直播：https://live.example.org/1", URL: "https://kepu.test/content/7"}})
	out := b.String()
	if strings.Count(out, "\n") != strings.Count(out, "\r\n") {
		t.Errorf("a line ends without CR")
	}
	body := unfold(out)
	for _, want := range []string{"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "BEGIN:VEVENT\r\nUID:content-7@kepu.test\r\n", "DTSTAMP:20260501T000000Z\r\n",
		"DTSTART:20260520T010000Z\r\n", "DTEND:20260520T023000Z\r\n", `SUMMARY:草原防火\, 人人有责` + "\r\n",
		`DESCRIPTION:主讲：王研究员\n直播：https://live.example.org/1` + "\r\n", "URL:https://kepu.test/content/7\r\n", "END:VEVENT\r\nEND:VCALENDAR\r\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("calendar lacks %q:\n%s", want, out)
		}
	}
}

func TestShareQR(t *testing.T) {
	svg, err := ShareQR("https://kepu.test/content/7", "本页二维码")
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, `<svg class="qr content-share-qr" width="160" height="160" xmlns=`) || !strings.Contains(s, `aria-label="本页二维码"`) ||
		!strings.Contains(s, `<path fill="#000" d="M`) || strings.Contains(s, "style=") {
		t.Errorf("share QR: %.200s", s)
	}
	p := ItemPage{It: Row{Item: Item{ID: 7, Input: Input{Zh: Version{Title: "草原 防火&"}}}}}
	p.OG.URL = "https://kepu.test/console/content/7/preview"
	if got := p.ShareURL(); got != "https://kepu.test/content/7" {
		t.Errorf("ShareURL = %q", got)
	}
	if got, want := p.WeiboURL(), "https://service.weibo.com/share/share.php?title=%E8%8D%89%E5%8E%9F+%E9%98%B2%E7%81%AB%26&url=https%3A%2F%2Fkepu.test%2Fcontent%2F7"; got != want {
		t.Errorf("WeiboURL = %q, want %q", got, want)
	}
}
