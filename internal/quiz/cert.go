package quiz

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	qr "github.com/piglig/go-qr"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/web"
)

// Certificate kinds: a winner's (the first Contest.Winners of the whole contest once it has
// ended) and a participant's who finished a counted attempt.
const (
	CertWinner     = "winner"
	CertCompletion = "completion"
)

// Certificate is an issued certificate; Code is its public verification code (12 characters
// of [A-Z2-9] without look-alikes), printed with a QR code of its Kepu address.
type Certificate struct {
	Code          string
	ContestID     int64
	ParticipantID int64
	Kind          string
	Score         int
	TotalMS       int64
	Rank          int64
	IssuedAt      time.Time
	// Filled by Certificate (the verification lookup):
	Name       string
	RegionCode string
	Contest    Contest
}

// ErrNoCertificate: the participant has not finished a counted attempt.
var ErrNoCertificate = errors.New("quiz: nothing to certify yet")

func newCertCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// Claim issues the certificates a participant is due and does not hold yet — completion once
// they have a finished counted attempt, winner once the contest has ended with them in its
// first Winners — and returns every certificate they hold. A certificate records the best
// score, time and contest rank of when it was issued. Errors: ErrNoCertificate.
func (s *Store) Claim(ctx context.Context, p Participant) ([]Certificate, error) {
	p, err := s.Participant(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if !p.Ranked() {
		return nil, ErrNoCertificate
	}
	c, err := s.Contest(ctx, p.ContestID)
	if err != nil {
		return nil, err
	}
	ranks, err := s.Ranks(ctx, p)
	if err != nil {
		return nil, err
	}
	kinds := []string{CertCompletion}
	if c.Ended(s.now()) && ranks[0].Rank <= int64(c.Winners) {
		kinds = append(kinds, CertWinner)
	}
	for _, k := range kinds {
		_, err := s.DB.ExecContext(ctx, `INSERT INTO quiz_certificates (code, contest_id, participant_id, kind, score, total_ms, rank, issued_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (participant_id, kind) DO NOTHING`,
			newCertCode(), c.ID, p.ID, k, p.BestScore, p.BestMS, ranks[0].Rank, s.now())
		if err != nil {
			return nil, db.Map(err)
		}
	}
	return s.CertificatesOf(ctx, p.ID)
}

const certSelect = `SELECT code, contest_id, participant_id, kind, score, total_ms, rank, issued_at FROM quiz_certificates`

func scanCert(r db.Scanner) (Certificate, error) {
	var c Certificate
	err := r.Scan(&c.Code, &c.ContestID, &c.ParticipantID, &c.Kind, &c.Score, &c.TotalMS, &c.Rank, &c.IssuedAt)
	return c, err
}

// CertificatesOf lists a participant's certificates, winner first.
func (s *Store) CertificatesOf(ctx context.Context, pid int64) ([]Certificate, error) {
	return db.QueryAll(ctx, s.DB, scanCert, certSelect+` WHERE participant_id = $1 ORDER BY kind DESC`, pid)
}

// CertificateByCode looks a certificate up by its code (upper-cased, spaces dropped) with the
// holder's name and region and the contest; db.ErrNotFound.
func (s *Store) CertificateByCode(ctx context.Context, code string) (Certificate, error) {
	code = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	c, err := scanCert(s.DB.QueryRowContext(ctx, certSelect+` WHERE code = $1`, code))
	if err != nil {
		return Certificate{}, db.Map(err)
	}
	p, err := s.Participant(ctx, c.ParticipantID)
	if err != nil {
		return Certificate{}, err
	}
	c.Name, c.RegionCode = p.Name, p.RegionCode
	c.Contest, err = s.Contest(ctx, c.ContestID)
	return c, err
}

// VerifyURL is a certificate's public verification address under base (--base-url).
func VerifyURL(base, code string) string {
	return strings.TrimRight(base, "/") + certificatePathFirst + code
}

//go:embed font/unifont-gb2312.bin.gz
var unifontGz []byte

// glyphs maps a rune to its Unifont bitmap (16 rows of 1 or 2 bytes); see font/README.md.
var glyphs = sync.OnceValue(func() map[rune][]byte {
	zr, err := gzip.NewReader(bytes.NewReader(unifontGz))
	if err != nil {
		panic(err) // the embedded file is part of the build
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		panic(err)
	}
	m := map[rune][]byte{}
	for len(raw) >= 3 {
		cp, n := rune(binary.BigEndian.Uint16(raw)), int(raw[2])
		m[cp] = raw[3 : 3+n]
		raw = raw[3+n:]
	}
	return m
})

// drawText draws s at (x, y) (top left) with every font pixel scale×scale; characters the
// subset lacks are drawn as "?". It returns the width drawn.
func drawText(img *image.RGBA, x, y int, s string, scale int, c color.RGBA) int {
	g := glyphs()
	x0 := x
	for _, r := range s {
		bm, ok := g[r]
		if !ok {
			bm = g['?']
		}
		w := len(bm) / 16 * 8
		for row := 0; row < 16; row++ {
			for col := 0; col < w; col++ {
				b := bm[row*(w/8)+col/8]
				if b&(0x80>>(col%8)) == 0 {
					continue
				}
				for dy := 0; dy < scale; dy++ {
					for dx := 0; dx < scale; dx++ {
						img.SetRGBA(x+col*scale+dx, y+row*scale+dy, c)
					}
				}
			}
		}
		x += w * scale
	}
	return x - x0
}

// textWidth is the width drawText would draw.
func textWidth(s string, scale int) int {
	g := glyphs()
	w := 0
	for _, r := range s {
		bm, ok := g[r]
		if !ok {
			bm = g['?']
		}
		w += len(bm) / 16 * 8 * scale
	}
	return w
}

// CertificatePNG draws a certificate as a 1200×850 PNG for printing at A5 landscape or
// sharing on a phone: the title (荣誉证书 for winners, 参赛证书 otherwise), the holder's name
// and unit, the contest, the score, time and rank, the date of issue, the code, and a QR code
// (level M, activity.TicketQR's settings) of its verification address verifyURL. Text is drawn
// with GNU Unifont's bitmap glyphs (font/README.md), so the server needs no font installed.
func CertificatePNG(w io.Writer, c Certificate, regionName, verifyURL string) error {
	const W, H = 1200, 850
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	paper := color.RGBA{255, 252, 240, 255}
	red := color.RGBA{170, 20, 20, 255}
	ink := color.RGBA{30, 30, 30, 255}
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			img.SetRGBA(x, y, paper)
		}
	}
	for i := 0; i < 12; i++ { // a double border
		if i >= 4 && i < 8 {
			continue
		}
		for x := 20 + i; x < W-20-i; x++ {
			img.SetRGBA(x, 20+i, red)
			img.SetRGBA(x, H-21-i, red)
		}
		for y := 20 + i; y < H-20-i; y++ {
			img.SetRGBA(20+i, y, red)
			img.SetRGBA(W-21-i, y, red)
		}
	}
	title := "参赛证书"
	if c.Kind == CertWinner {
		title = "荣誉证书"
	}
	center := func(y int, s string, scale int, col color.RGBA) {
		drawText(img, (W-textWidth(s, scale))/2, y, s, scale, col)
	}
	center(70, title, 5, red)
	who := c.Name
	if regionName != "" {
		who += "（" + regionName + "）"
	}
	lines := []string{who, "参加“" + c.Contest.Title + "”"}
	n := c.Contest.Questions
	lines = append(lines, fmt.Sprintf("答对 %d/%d 题，用时 %s 秒", c.Score, n, Seconds(c.TotalMS)))
	if c.Kind == CertWinner {
		lines = append(lines, fmt.Sprintf("名列第 %d 名，特发此证。", c.Rank))
	} else {
		lines = append(lines, "完成答题，特发此证。")
	}
	y := 230
	for i, l := range lines {
		scale := 3
		if i == 0 {
			scale = 4
		}
		for len([]rune(l)) > 0 { // wrap long lines at the page width
			r := []rune(l)
			cut := len(r)
			for cut > 1 && textWidth(string(r[:cut]), scale) > W-120 {
				cut--
			}
			center(y, string(r[:cut]), scale, ink)
			y += 16*scale + 18
			l = string(r[cut:])
		}
	}
	drawText(img, 90, H-170, "颁发日期："+c.IssuedAt.In(web.China).Format("2006年1月2日"), 2, ink)
	drawText(img, 90, H-130, "证书编号："+c.Code, 2, ink)
	drawText(img, 90, H-90, "扫码或访问以下地址核验：", 2, ink)
	drawText(img, 90, H-58, verifyURL, 1, ink)
	code, err := qr.EncodeText(verifyURL, qr.Medium)
	if err != nil {
		return fmt.Errorf("quiz.CertificatePNG: %w", err)
	}
	mod := 190 / (code.Size() + 2*4)
	qx, qy := W-90-mod*(code.Size()+8), H-70-mod*(code.Size()+8)
	for yy := 0; yy < mod*(code.Size()+8); yy++ {
		for xx := 0; xx < mod*(code.Size()+8); xx++ {
			mx, my := xx/mod-4, yy/mod-4
			c := color.RGBA{255, 255, 255, 255}
			if mx >= 0 && my >= 0 && mx < code.Size() && my < code.Size() && code.Module(mx, my) {
				c = color.RGBA{0, 0, 0, 255}
			}
			img.SetRGBA(qx+xx, qy+yy, c)
		}
	}
	return png.Encode(w, img)
}

var _ = sort.Strings

// Seconds is the certified total time in seconds, one decimal.
func (c Certificate) Seconds() string { return Seconds(c.TotalMS) }
