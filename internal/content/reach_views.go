package content

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kepu/kepu/internal/db"
)

// Channels of views counted on Kepu's own pages.
const (
	ChannelWeb      = "web"      // the public item page /content/{id}
	ChannelEStation = "estation" // an e-station kiosk /kiosk/{station}
)

// botMarks are lower-case User-Agent fragments of clients that are not people: crawlers,
// command-line tools, HTTP libraries and headless browsers. A request whose User-Agent holds
// one of them, or has none, is not counted.
var botMarks = []string{"bot", "spider", "crawler", "curl", "wget", "python-requests", "go-http-client", "headless"}

// IsBot reports whether a User-Agent is a known bot (botMarks) or empty.
func IsBot(userAgent string) bool {
	ua := strings.ToLower(strings.TrimSpace(userAgent))
	if ua == "" {
		return true
	}
	for _, m := range botMarks {
		if strings.Contains(ua, m) {
			return true
		}
	}
	return false
}

// IsPrefetch reports whether a request is a browser's prefetch or prerender rather than a
// person opening the page: Sec-Purpose: prefetch (Fetch Metadata, Chromium), Purpose:
// prefetch (older Chromium and Safari) or X-Moz: prefetch (Firefox).
func IsPrefetch(r *http.Request) bool {
	for _, h := range []string{"Sec-Purpose", "Purpose", "X-Moz"} {
		if strings.Contains(strings.ToLower(r.Header.Get(h)), "prefetch") {
			return true
		}
	}
	return false
}

// MaxVisitorsPerDay bounds the memory of who has been counted today: pairs of (visitor,
// item), about 40 bytes each, so 1,000,000 pairs take about 40 MB. Past the bound, views are
// still counted but no longer de-duplicated until the next day.
const MaxVisitorsPerDay = 1_000_000

// FlushEvery is how long counted views wait in memory before they are written.
const FlushEvery = 5 * time.Second

type viewKey struct {
	Item    int64
	Channel string
	Region  string
	Day     string // China date YYYY-MM-DD
}

// Views counts views of items without cookies and without storing anything about a visitor.
//
// A visitor is known only by SHA-256(salt, IP, User-Agent), where the salt is 32 random
// bytes made when the China calendar day (UTC+8) starts and dropped when it ends; it lives
// only in this process's memory, never in the database or a log, so yesterday's hashes can
// not be recomputed by anyone. Each (visitor, item) is counted once a day; bots (IsBot) and
// prefetches (IsPrefetch) are not counted.
//
// Counts are added up in memory (a mutex and two maps, no I/O on the request) and written by
// Flush in one transaction as increments of the daily roll-up content_views (item, channel,
// region, day, views). A flush is scheduled FlushEvery after the first view that finds
// nothing pending, so views reach the database at most FlushEvery after they happen; reports
// call Flush first and are exact. A failed flush puts its counts back to be retried.
//
// What a restart loses: views counted since the last flush (at most FlushEvery of them,
// unless the database was failing) and the day's de-duplication memory, so a visitor who
// returns after a restart on the same day is counted once more. With several processes each
// de-duplicates on its own (a visitor balanced to two processes counts twice a day).
type Views struct {
	DB    viewsDB
	Log   *slog.Logger
	Every time.Duration    // 0: FlushEvery
	Now   func() time.Time // nil: time.Now

	mu      sync.Mutex
	day     string
	salt    [32]byte
	seen    map[[16]byte]struct{}
	pending map[viewKey]int64
	timer   *time.Timer
	flushMu sync.Mutex
}

type viewsDB interface {
	Tx(ctx context.Context, fn func(tx *sql.Tx) error) error
}

// NewViews returns a counter that writes to the store's database.
func NewViews(s *Store, log *slog.Logger) *Views {
	return &Views{DB: s.DB, Log: log, Now: s.Now}
}

func (v *Views) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// Count counts a view of item on channel in region (a division code) by the request's
// visitor, unless it is a bot or a prefetch or the visitor already viewed the item today. It
// reports whether the view was counted. r.RemoteAddr must already be the visitor's address
// (web.RealIP).
func (v *Views) Count(r *http.Request, item int64, channel, region string) bool {
	if IsBot(r.UserAgent()) || IsPrefetch(r) {
		return false
	}
	ip := r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	return v.add(ip, r.UserAgent(), item, channel, region)
}

func (v *Views) add(ip, ua string, item int64, channel, region string) bool {
	day := v.now().In(China).Format(time.DateOnly)
	v.mu.Lock()
	defer v.mu.Unlock()
	if day != v.day || v.seen == nil {
		v.day = day
		rand.Read(v.salt[:])
		v.seen = make(map[[16]byte]struct{})
	}
	h := sha256.New()
	h.Write(v.salt[:])
	h.Write([]byte(ip))
	h.Write([]byte{0})
	h.Write([]byte(ua))
	var idb [8]byte
	binary.BigEndian.PutUint64(idb[:], uint64(item))
	h.Write(idb[:])
	var k [16]byte
	copy(k[:], h.Sum(nil))
	if _, dup := v.seen[k]; dup {
		return false
	}
	if len(v.seen) < MaxVisitorsPerDay {
		v.seen[k] = struct{}{}
	}
	if v.pending == nil {
		v.pending = make(map[viewKey]int64)
	}
	v.pending[viewKey{item, channel, region, day}]++
	if v.timer == nil && v.DB != nil {
		every := v.Every
		if every <= 0 {
			every = FlushEvery
		}
		v.timer = time.AfterFunc(every, func() {
			if err := v.Flush(context.Background()); err != nil && v.Log != nil {
				v.Log.Error("content views flush", "err", err)
			}
		})
	}
	return true
}

// Pending returns how many views wait in memory to be written.
func (v *Views) Pending() int64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	var n int64
	for _, c := range v.pending {
		n += c
	}
	return n
}

// Flush writes the views counted since the last flush in one transaction (one upsert per
// (item, channel, region, day)). On error nothing is written and the counts are kept for the
// next flush.
func (v *Views) Flush(ctx context.Context) error {
	v.flushMu.Lock()
	defer v.flushMu.Unlock()
	v.mu.Lock()
	batch := v.pending
	v.pending = nil
	if v.timer != nil {
		v.timer.Stop()
		v.timer = nil
	}
	v.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO content_views (item_id, channel, region_code, day, views) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (item_id, channel, region_code, day) DO UPDATE SET views = content_views.views + excluded.views`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		d := reachDelta{}
		for k, n := range batch {
			if _, err := stmt.ExecContext(ctx, k.Item, k.Channel, k.Region, k.Day, n); err != nil {
				return err
			}
			d.view(k.Item, k.Channel, k.Region, k.Day, n)
		}
		dialect := db.SQLite // the dialect only decides whether d.add locks rows
		if x, ok := v.DB.(*db.DB); ok {
			dialect = x.Dialect
		}
		return d.add(ctx, tx, dialect)
	})
	if err != nil {
		v.mu.Lock()
		if v.pending == nil {
			v.pending = make(map[viewKey]int64)
		}
		for k, n := range batch {
			v.pending[k] += n
		}
		v.mu.Unlock()
		return fmt.Errorf("content.Views.Flush: %w", err)
	}
	return nil
}

// Close writes what is pending; call it when the server stops.
func (v *Views) Close(ctx context.Context) error { return v.Flush(ctx) }
