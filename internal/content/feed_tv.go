package content

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // poster sizes
	_ "image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/web"
)

// TVPageSize is the default and TVMaxPage the largest page of the TV feed.
const (
	TVPageSize = 50
	TVMaxPage  = 200
)

// TVPoster is a poster image as the TV feed gives it: the uploaded original (JPEG, PNG or
// WebP, at most MaxPosterBytes) with its pixel size, and in Sizes the server-resized JPEGs
// narrower than it (PosterSizes: thumb 320, web 960, tv 1920 wide; never enlarged, so an
// original narrower than a size has no entry for it; a 4K guide takes "tv" or a wider
// original). Width and Height are 0 when they can not be read from the file's first 64 KB (an
// unusual JPEG); Sizes then lists every size without its pixel size.
type TVPoster struct {
	URL    string         `json:"url"`
	Type   string         `json:"type"`
	Bytes  int64          `json:"bytes"`
	Width  int            `json:"width,omitempty"`
	Height int            `json:"height,omitempty"`
	Role   string         `json:"role"` // "original"
	Sizes  []TVPosterSize `json:"sizes,omitempty"`
}

// TVPosterSize is a resized poster: Name is a PosterSizes key, URL the poster's URL with
// ?size=Name (a JPEG), Width and Height its pixels (0 when the original's are unknown).
type TVPosterSize struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
}

// tvItem is one item of the TV feed: the API item plus its posters.
type tvItem struct {
	apiItem
	Posters []TVPoster `json:"posters"`
}

// tvFeed is a page of the TV feed.
type tvFeed struct {
	Items     []tvItem `json:"items"`
	Withdrawn []int64  `json:"withdrawn"`
	Next      string   `json:"next,omitempty"`
	Until     string   `json:"until"`
}

// tvFeed serves GET /api/v1/content/tv: public items in publish order (publish_at, then id,
// ascending) from since (RFC 3339, default the beginning), TVPageSize at a time (limit up to
// TVMaxPage), with their bodies and posters; no sign-in. next is the URL of the following page
// ("" on the last); a client keeps its last next (or until) and asks again later for what was
// published since. withdrawn lists the ids of items withdrawn since `since`, which the
// operator must take off the air. 422 for a bad since or limit.
func (h *Handler) tvFeed(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var since time.Time
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return web.Errorf(http.StatusUnprocessableEntity, "tv.bad_since")
		}
		since = t.UTC()
	}
	var after int64
	if s := q.Get("after"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 0 {
			return web.Errorf(http.StatusUnprocessableEntity, "tv.bad_since")
		}
		after = v
	}
	limit := TVPageSize
	if s := q.Get("limit"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > TVMaxPage {
			return web.Errorf(http.StatusUnprocessableEntity, "tv.bad_limit", TVMaxPage)
		}
		limit = v
	}
	ctx := r.Context()
	now := h.Store.now()
	items, err := db.QueryAll(ctx, h.Store.DB, scanItem, `SELECT `+itemCols+itemFrom+`
		WHERE i.status = 'published' AND i.publish_at <= $1 AND (i.publish_at > $2 OR (i.publish_at = $2 AND i.id > $3))
		ORDER BY i.publish_at, i.id LIMIT `+strconv.Itoa(limit+1), now, since, after)
	if err != nil {
		return fmt.Errorf("content.tvFeed: %w", err)
	}
	out := tvFeed{Items: []tvItem{}, Withdrawn: []int64{}, Until: now.Format(time.RFC3339Nano)}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		out.Next = fmt.Sprintf("/api/v1/content/tv?since=%s&after=%d&limit=%d", url.QueryEscape(last.PublishAt.UTC().Format(time.RFC3339Nano)), last.ID, limit)
	}
	posters, err := h.tvPosters(ctx, r, items)
	if err != nil {
		return err
	}
	for _, it := range items {
		full, err := h.Store.GetPublic(ctx, it.ID) // the bodies
		if err != nil {
			return err
		}
		out.Items = append(out.Items, tvItem{apiItem: h.apiOf(r, full, true), Posters: nonNilPosters(posters[it.ID])})
	}
	if !since.IsZero() {
		ids, err := db.QueryAll(ctx, h.Store.DB, func(row db.Scanner) (int64, error) {
			var id int64
			return id, row.Scan(&id)
		}, `SELECT id FROM content_items WHERE status = 'withdrawn' AND updated_at >= $1 ORDER BY id`, since)
		if err != nil {
			return fmt.Errorf("content.tvFeed: %w", err)
		}
		out.Withdrawn = append(out.Withdrawn, ids...)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func nonNilPosters(p []TVPoster) []TVPoster {
	if p == nil {
		return []TVPoster{}
	}
	return p
}

// tvPosters reads the type, byte size and first 64 KB of each item's poster (never the
// whole image) and the pixel size from them.
func (h *Handler) tvPosters(ctx context.Context, r *http.Request, items []Item) (map[int64][]TVPoster, error) {
	out := map[int64][]TVPoster{}
	var ids []string
	for _, it := range items {
		if it.HasPoster {
			ids = append(ids, strconv.FormatInt(it.ID, 10))
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := h.Store.DB.QueryContext(ctx, `SELECT id, poster_type, length(poster), substr(poster, 1, 65536) FROM content_items WHERE id IN (`+strings.Join(ids, ",")+`)`)
	if err != nil {
		return nil, fmt.Errorf("content.tvPosters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			typ  string
			n    int64
			head []byte
		)
		if err := rows.Scan(&id, &typ, &n, &head); err != nil {
			return nil, fmt.Errorf("content.tvPosters: %w", err)
		}
		p := TVPoster{URL: h.Kit.AbsURL(r, fmt.Sprintf("/content/posters/%d", id)), Type: typ, Bytes: n, Role: "original"}
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(head)); err == nil {
			p.Width, p.Height = cfg.Width, cfg.Height
		}
		for _, name := range PosterSizeNames {
			width := PosterSizes[name]
			sz := TVPosterSize{Name: name, URL: p.URL + "?size=" + name}
			if p.Width > 0 {
				if p.Width <= width {
					continue
				}
				sz.Width, sz.Height = scaledSize(p.Width, p.Height, width)
			}
			p.Sizes = append(p.Sizes, sz)
		}
		out[id] = append(out[id], p)
	}
	return out, rows.Err()
}
