package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	_ "image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
)

// TestPosterSizes serves a published item's 2400×1600 PNG poster at each channel size, on
// the public and the console route, and lists the sizes in the TV feed.
func TestPosterSizes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		id := publishContent(t, ts, nil)
		bare := publishContent(t, ts, nil)
		img := image.NewNRGBA(image.Rect(0, 0, 2400, 1600))
		for y := 0; y < 1600; y += 7 {
			for x := 0; x < 2400; x++ {
				img.Set(x, y, color.NRGBA{uint8(x), 80, uint8(y), 255})
			}
		}
		var buf bytes.Buffer
		png.Encode(&buf, img)
		setPoster := func(id int64, data []byte) {
			t.Helper()
			if _, err := d.ExecContext(context.Background(), `UPDATE content_items SET poster_type = 'image/png', poster = $1 WHERE id = $2`, data, id); err != nil {
				t.Fatal(err)
			}
		}
		setPoster(id, buf.Bytes())
		anon := newClient(t, ts.srv.URL)
		public := fmt.Sprintf("/content/posters/%d", id)
		for size, want := range map[string][2]int{"thumb": {320, 213}, "web": {960, 640}, "tv": {1920, 1280}} {
			status, body := anon.get(public + "?size=" + size)
			cfg, format, err := image.DecodeConfig(strings.NewReader(body))
			if status != 200 || err != nil || format != "jpeg" || cfg.Width != want[0] || cfg.Height != want[1] {
				t.Errorf("%s: %d %s %dx%d %v, want a %d×%d JPEG", size, status, format, cfg.Width, cfg.Height, err, want[0], want[1])
			}
		}
		if status, body := anon.get(public); status != 200 || body != buf.String() {
			t.Errorf("original: %d, %d bytes", status, len(body))
		}
		if status, body := anon.get(public + "?size=huge"); status != http.StatusBadRequest || !strings.Contains(body, "只能是 thumb、web 或 tv") {
			t.Errorf("unknown size: %d", status)
		}
		if status, _ := anon.get(fmt.Sprintf("/content/posters/%d?size=web", bare)); status != http.StatusNotFound {
			t.Errorf("item without a poster: %d", status)
		}

		console := fmt.Sprintf("/console/content/%d/poster?size=thumb", id)
		editor := newClient(t, ts.srv.URL).loginAnd("banner-152502")
		if status, body := editor.get(console); status != 200 {
			t.Errorf("console thumb: %d", status)
		} else if cfg, _, err := image.DecodeConfig(strings.NewReader(body)); err != nil || cfg.Width != 320 {
			t.Errorf("console thumb: %d wide, %v", cfg.Width, err)
		}
		if status, _ := newClient(t, ts.srv.URL).loginAnd("banner-152501").get(console); status != http.StatusNotFound {
			t.Errorf("another banner reads the resized poster: %d", status)
		}

		var feed struct {
			Items []struct {
				ID      int64 `json:"id"`
				Posters []struct {
					Width int `json:"width"`
					Sizes []struct {
						Name          string
						URL           string
						Width, Height int
					} `json:"sizes"`
				} `json:"posters"`
			} `json:"items"`
		}
		status, body := anon.get("/api/v1/content/tv")
		if status != 200 || json.Unmarshal([]byte(body), &feed) != nil {
			t.Fatalf("tv feed: %d %.200s", status, body)
		}
		found := false
		for _, it := range feed.Items {
			if it.ID != id {
				continue
			}
			found = true
			if len(it.Posters) != 1 || len(it.Posters[0].Sizes) != 3 {
				t.Fatalf("tv feed posters: %+v", it.Posters)
			}
			s := it.Posters[0].Sizes
			if s[0].Name != "thumb" || s[2].Name != "tv" || s[2].Width != 1920 || s[2].Height != 1280 || !strings.HasSuffix(s[1].URL, public+"?size=web") {
				t.Errorf("tv feed sizes: %+v", s)
			}
		}
		if !found {
			t.Error("the item is not in the tv feed")
		}

		// A stored poster whose header declares 50000×50000 pixels is refused, not decoded.
		bomb := []byte("\x89PNG\r\n\x1a\n")
		ihdr := make([]byte, 13)
		binary.BigEndian.PutUint32(ihdr[0:], 50000)
		binary.BigEndian.PutUint32(ihdr[4:], 50000)
		ihdr[8], ihdr[9] = 8, 2
		chunk := append([]byte("IHDR"), ihdr...)
		bomb = binary.BigEndian.AppendUint32(bomb, uint32(len(ihdr)))
		bomb = append(bomb, chunk...)
		bomb = binary.BigEndian.AppendUint32(bomb, crc32.ChecksumIEEE(chunk))
		setPoster(bare, bomb)
		if status, body := anon.get(fmt.Sprintf("/content/posters/%d?size=web", bare)); status != http.StatusUnprocessableEntity || !strings.Contains(body, "像素不得超过") {
			t.Errorf("bomb: %d %.300s", status, body)
		}
	})
}
