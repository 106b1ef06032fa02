package content

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // poster formats ReadPoster accepts
	"sync"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // WebP posters (ReadPoster accepts them)
)

// PosterSizes are the widths in pixels a poster is served at, by the ?size= name of
// GET /content/posters/{id} and GET /console/content/{id}/poster (issue #5):
//
//   - thumb 320: list tiles and the kiosk's grid (a 360 px phone column at 1×, ~2× a
//     160 px tile);
//   - web 960: the item page on phones (360–480 px at 2–3×) and desktop (max ~960 px column);
//   - tv 1920: the TV feed's full-HD background (1920×1080). A 4K TV guide wants 3840×2160;
//     there is no 3840 size because a poster is at most MaxPosterBytes (2 MB) and never
//     enlarged: a 3840-wide original is listed in the feed as "original" with its width, and
//     the set-top box scales a 1920 one up for 4K (which TV guides do for backgrounds).
//
// The height follows the original's aspect ratio.
var PosterSizes = map[string]int{"thumb": 320, "web": 960, "tv": 1920}

// PosterSizeNames lists PosterSizes' names from the smallest.
var PosterSizeNames = []string{"thumb", "web", "tv"}

// MaxPosterPixels bounds the width × height a poster may declare in its header before it is
// decoded: 40 megapixels decode to 160 MB (RGBA), where a 2 MB file could otherwise declare
// far more (a "decompression bomb").
const MaxPosterPixels = 40_000_000

// PosterJPEGQuality is the quality resized posters are encoded at (0–100): 82 is the usual
// web trade-off, visually close to the original at about half the bytes of quality 95.
const PosterJPEGQuality = 82

// Errors of ResizePoster (Chinese: shown to staff).
var (
	ErrPosterDecode = errors.New("封面图片无法读取：不是完整的 JPEG、PNG 或 WebP 图片")
	ErrPosterPixels = fmt.Errorf("封面图片过大：像素不得超过 %d 万", MaxPosterPixels/10000)
)

// posterConfig reads a poster's header: its size and format, refusing what cannot be decoded
// and what declares more than MaxPosterPixels (a decompression bomb) before any decoding.
func posterConfig(data []byte) (image.Config, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width < 1 || cfg.Height < 1 {
		return cfg, "", ErrPosterDecode
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPosterPixels {
		return cfg, "", fmt.Errorf("%w（此图 %d×%d）", ErrPosterPixels, cfg.Width, cfg.Height)
	}
	return cfg, format, nil
}

// ResizePoster scales a JPEG, PNG or WebP image down to width pixels wide (never up), keeping
// the aspect ratio, and encodes it as JPEG at PosterJPEGQuality; transparent areas become
// white. It returns the bytes and their type ("image/jpeg"). An image not wider than width is
// returned unchanged with its own type ("image/png", ...), so no quality is lost re-encoding
// it. Scaling uses draw.CatmullRom: it looks at every source pixel under the kernel, so a
// 3000→320 shrink does not alias (moiré on text, jagged lines) as ApproxBiLinear's 2×2 sample
// does; its cost (BenchmarkResizePoster, docs/BENCHMARKS.md) is paid once per poster and
// size thanks to the handlers' cache. The header's dimensions are checked before decoding.
// Errors: ErrPosterDecode (not an image, or broken), ErrPosterPixels (above MaxPosterPixels),
// or an error for width < 1.
func ResizePoster(data []byte, width int) ([]byte, string, error) {
	if width < 1 {
		return nil, "", fmt.Errorf("content.ResizePoster: width %d", width)
	}
	cfg, format, err := posterConfig(data)
	if err != nil {
		return nil, "", err
	}
	if cfg.Width <= width {
		return data, "image/" + format, nil
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", ErrPosterDecode
	}
	b := src.Bounds()
	w, h := scaledSize(b.Dx(), b.Dy(), width)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	op := draw.Src // an opaque image (every JPEG) needs no background: Src skips blending
	if o, ok := src.(interface{ Opaque() bool }); !ok || !o.Opaque() {
		draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		op = draw.Over
	}
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, op, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: PosterJPEGQuality}); err != nil {
		return nil, "", fmt.Errorf("content.ResizePoster: %w", err)
	}
	return out.Bytes(), "image/jpeg", nil
}

// scaledSize is the size of a w×h image scaled to width (w > width), height rounded, at least 1.
func scaledSize(w, h, width int) (int, int) {
	nh := int((int64(h)*int64(width) + int64(w)/2) / int64(w))
	return width, max(nh, 1)
}

// PosterCacheBytes bounds the resized posters kept in memory (least recently used first out).
const PosterCacheBytes = 32 << 20

// posterCache keeps resized posters by the original's SHA-256 and the width, so an edited
// poster (new bytes) is never served stale and no invalidation is needed. resizing bounds the
// decodes running at once (each may take up to 160 MB).
var (
	posterCache = newResizeCache(PosterCacheBytes)
	resizing    = make(chan struct{}, 2)
)

type resizeKey struct {
	sum   [sha256.Size]byte
	width int
}

type resizeEntry struct {
	key  resizeKey
	data []byte
	typ  string
}

// resizeCache is a byte-bounded LRU of resized posters; safe for concurrent use.
type resizeCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // front: most recently used; values *resizeEntry
	items map[resizeKey]*list.Element
}

func newResizeCache(maxBytes int) *resizeCache {
	return &resizeCache{max: maxBytes, order: list.New(), items: map[resizeKey]*list.Element{}}
}

func (c *resizeCache) get(k resizeKey) (*resizeEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*resizeEntry), true
	}
	return nil, false
}

func (c *resizeCache) put(e *resizeEntry) {
	if len(e.data) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[e.key]; ok {
		return
	}
	c.items[e.key] = c.order.PushFront(e)
	c.size += len(e.data)
	for c.size > c.max {
		last := c.order.Back()
		old := last.Value.(*resizeEntry)
		c.order.Remove(last)
		delete(c.items, old.key)
		c.size -= len(old.data)
	}
}

// resizedPoster is ResizePoster through posterCache.
func resizedPoster(data []byte, width int) ([]byte, string, error) {
	k := resizeKey{sum: sha256.Sum256(data), width: width}
	if e, ok := posterCache.get(k); ok {
		return e.data, e.typ, nil
	}
	resizing <- struct{}{}
	out, typ, err := ResizePoster(data, width)
	<-resizing
	if err != nil {
		return nil, "", err
	}
	if len(out) > 0 && len(data) > 0 && &out[0] == &data[0] {
		return out, typ, nil // not wider than width: the original, which is not kept twice
	}
	posterCache.put(&resizeEntry{key: k, data: out, typ: typ})
	return out, typ, nil
}
