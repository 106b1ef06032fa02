package content

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"golang.org/x/image/draw"
)

// BenchmarkResizePoster measures ResizePoster (decode, CatmullRom scale, JPEG 82) of a
// 3000×2000 poster (PNG and a JPEG of it, the usual upload) to each size, and the cache hit
// (hashing the 2 MB-class original and a map lookup) that serving a resized poster costs
// afterwards; ApproxBiLinear is measured on the scale step alone for the choice of kernel.
func BenchmarkResizePoster(b *testing.B) {
	pngData := testPNG(b, 3000, 2000)
	img, _, err := image.Decode(bytes.NewReader(pngData))
	if err != nil {
		b.Fatal(err)
	}
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	b.Logf("original: PNG %d bytes, JPEG %d bytes", len(pngData), jb.Len())
	for _, in := range []struct {
		name string
		data []byte
	}{{"png", pngData}, {"jpeg", jb.Bytes()}} {
		for _, name := range PosterSizeNames {
			b.Run(in.name+"-"+name, func(b *testing.B) {
				var n int
				for b.Loop() {
					out, _, err := ResizePoster(in.data, PosterSizes[name])
					if err != nil {
						b.Fatal(err)
					}
					n = len(out)
				}
				b.ReportMetric(float64(n), "out-bytes")
			})
		}
	}
	for _, k := range []struct {
		name string
		k    draw.Scaler
	}{{"scale-catmullrom-web", draw.CatmullRom}, {"scale-approxbilinear-web", draw.ApproxBiLinear}} {
		b.Run(k.name, func(b *testing.B) {
			dst := image.NewRGBA(image.Rect(0, 0, 960, 640))
			for b.Loop() {
				k.k.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Over, nil)
			}
		})
	}
	b.Run("cached-jpeg-web", func(b *testing.B) {
		if _, _, err := resizedPoster(jb.Bytes(), PosterSizes["web"]); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, _, err := resizedPoster(jb.Bytes(), PosterSizes["web"]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
