package quiz

import (
	"bytes"
	"image/png"
	"os"
	"testing"
	"time"
)

// TestCertificatePNG draws a certificate: the right size, Chinese text drawn (no "?" for the
// characters of the subset), and a QR code. KEPU_CERT_PNG=path writes it out to look at.
func TestCertificatePNG(t *testing.T) {
	c := Certificate{Code: "ABCD2345EFGH", Kind: CertWinner, Name: "乌云其其格", Score: 9, TotalMS: 83500, Rank: 3,
		IssuedAt: time.Date(2026, 11, 28, 4, 0, 0, 0, time.UTC), Contest: Contest{Title: "2026 年全区科普知识网络答题 第 10 期", Questions: 10}}
	var buf bytes.Buffer
	if err := CertificatePNG(&buf, c, "锡林浩特市", "https://kepu.example.cn/quiz-certificates/ABCD2345EFGH"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 850 {
		t.Fatalf("png: %v", err)
	}
	for _, r := range "荣誉证书乌云其其格锡林浩特市参加全区科普知识网络答题名列第特发此证颁发日期证书编号扫码或访问以下地址核验" {
		if _, ok := glyphs()[r]; !ok {
			t.Errorf("the font subset lacks %q", r)
		}
	}
	if textWidth("荣誉", 1) != 32 || textWidth("AB", 1) != 16 {
		t.Errorf("glyph widths: %d %d", textWidth("荣誉", 1), textWidth("AB", 1))
	}
	if p := os.Getenv("KEPU_CERT_PNG"); p != "" {
		os.WriteFile(p, buf.Bytes(), 0o644)
	}
}
