package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// testPNG is a w×h PNG with a gradient (so the encoder can not make it trivially small).
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x + y), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestResizePoster(t *testing.T) {
	big := testPNG(t, 3000, 2000)
	out, typ, err := ResizePoster(big, PosterSizes["web"])
	if err != nil || typ != "image/jpeg" {
		t.Fatalf("3000×2000 to web: %q %v", typ, err)
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 960 || b.Dy() != 640 {
		t.Errorf("3000×2000 to 960: %v", b)
	}

	small := testPNG(t, 200, 100)
	if out, typ, err := ResizePoster(small, PosterSizes["thumb"]); err != nil || typ != "image/png" || !bytes.Equal(out, small) {
		t.Errorf("200×100 at thumb: %q %d bytes %v, want the original PNG", typ, len(out), err)
	}

	if _, _, err := ResizePoster([]byte("<html>not an image</html>"), 320); !errors.Is(err, ErrPosterDecode) {
		t.Errorf("garbage: %v", err)
	}
	if _, _, err := ResizePoster(big[:len(big)/2], 320); !errors.Is(err, ErrPosterDecode) {
		t.Errorf("truncated PNG: %v", err)
	}
	if _, _, err := ResizePoster(big, 0); err == nil {
		t.Error("width 0 accepted")
	}
}

// TestResizePosterBomb gives a PNG whose header declares 50000×50000 pixels (2.5 gigapixels,
// 10 GB decoded) with no image data: it must be refused from the header alone.
func TestResizePosterBomb(t *testing.T) {
	bomb := []byte("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 50000)
	binary.BigEndian.PutUint32(ihdr[4:], 50000)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	bomb = binary.BigEndian.AppendUint32(bomb, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	bomb = append(bomb, chunk...)
	bomb = binary.BigEndian.AppendUint32(bomb, crc32.ChecksumIEEE(chunk))
	if cfg, err := png.DecodeConfig(bytes.NewReader(bomb)); err != nil || cfg.Width != 50000 {
		t.Fatalf("the test header is not a valid PNG header: %v", err)
	}
	if _, _, err := ResizePoster(bomb, 320); !errors.Is(err, ErrPosterPixels) {
		t.Errorf("50000×50000 header: %v, want ErrPosterPixels", err)
	}
}

func TestScaledSize(t *testing.T) {
	for _, c := range []struct{ w, h, width, wantH int }{
		{3000, 2000, 960, 640},
		{1920, 1080, 320, 180},
		{1000, 333, 320, 107}, // 106.56 rounds up
		{5000, 1, 320, 1},     // never 0
	} {
		if w, h := scaledSize(c.w, c.h, c.width); w != c.width || h != c.wantH {
			t.Errorf("%d×%d to %d: %d×%d, want height %d", c.w, c.h, c.width, w, h, c.wantH)
		}
	}
}

func TestResizeCacheBound(t *testing.T) {
	c := newResizeCache(10)
	put := func(w, n int) { c.put(&resizeEntry{key: resizeKey{width: w}, data: make([]byte, n)}) }
	put(1, 4)
	put(2, 4)
	if _, ok := c.get(resizeKey{width: 1}); !ok { // 1 is now the most recently used
		t.Fatal("entry 1 missing")
	}
	put(3, 4) // 12 > 10: drops 2, the least recently used
	if _, ok := c.get(resizeKey{width: 2}); ok {
		t.Error("entry 2 kept past the bound")
	}
	if _, ok := c.get(resizeKey{width: 1}); !ok {
		t.Error("entry 1 dropped although used recently")
	}
	put(4, 11) // larger than the whole cache: not kept
	if _, ok := c.get(resizeKey{width: 4}); ok || c.size > 10 {
		t.Errorf("oversized entry kept; size %d", c.size)
	}
}

// TestResizedPosterCache resizes one poster from several goroutines (run with -race) and checks
// every caller gets the same bytes, the second time from the cache.
func TestResizedPosterCache(t *testing.T) {
	data := testPNG(t, 800, 400)
	first, typ, err := resizedPoster(data, PosterSizes["thumb"])
	if err != nil || typ != "image/jpeg" {
		t.Fatalf("%q %v", typ, err)
	}
	if _, ok := posterCache.get(resizeKey{sum: sha256.Sum256(data), width: 320}); !ok {
		t.Fatal("the resized poster was not cached")
	}
	done := make(chan []byte)
	for range 4 {
		go func() {
			out, _, _ := resizedPoster(data, PosterSizes["thumb"])
			done <- out
		}()
	}
	for range 4 {
		if out := <-done; !bytes.Equal(out, first) {
			t.Error("a concurrent caller got other bytes")
		}
	}
	if _, _, err := resizedPoster([]byte("garbage"), 320); !errors.Is(err, ErrPosterDecode) {
		t.Errorf("garbage through the cache: %v", err)
	}
}
