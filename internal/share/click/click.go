// Package click decides what a click on an information officer's share link is: counted, or
// not counted and why. It holds pure functions on plain values — visitor classification,
// filtering reasons, the repeat-click window, visitor hashes and the anti-gaming detectors —
// with no HTTP and no SQL, so that they are tested on plain values and reused by the server,
// the demo and the command line. It must not import net/http or database/sql.
package click

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Reason says why a click was not counted; Counted ("") means it was.
type Reason string

// The reasons, in the order Classify tests them (issue 6, "Filtering — flag, never delete").
const (
	Counted    Reason = ""
	Head       Reason = "head"       // a HEAD request: nobody saw a page
	Unfurl     Reason = "unfurl"     // a link unfurler or prefetch (chat apps fetch a pasted link)
	Bot        Reason = "bot"        // a known bot, HTTP library or headless browser, or no User-Agent
	DataCentre Reason = "datacentre" // from a configured data-centre address range
	Self       Reason = "self"       // the officer's own click (their session or device)
	Repeat     Reason = "repeat"     // the same visitor on the same link within RepeatWindow
)

// Reasons lists every reason a click is not counted, in Classify's order.
var Reasons = []Reason{Head, Unfurl, Bot, DataCentre, Self, Repeat}

// RepeatWindow is how long after a counted click the same visitor's clicks on the same link are
// repeats (issue 6: "within an hour").
const RepeatWindow = time.Hour

// Request is what Classify needs of a click, taken from the HTTP request by the caller.
type Request struct {
	Method    string     // "GET" or "HEAD"
	UserAgent string     // the User-Agent header, as sent
	Purpose   string     // Sec-Purpose, Purpose and X-Moz headers joined (prefetch marks)
	Addr      netip.Addr // the visitor's address (behind trusted proxies: the real one)
	// Own is true when the visitor is the link's officer: signed in as that officer, or on a
	// device (visitor hash) that officer signed in or took links from today.
	Own bool
}

// unfurlMarks are lower-case User-Agent fragments of link-preview fetchers: chat apps and
// social sites fetch a link when it is pasted, before (or without) anybody opening it.
var unfurlMarks = []string{"facebookexternalhit", "facebot", "twitterbot", "slackbot", "slack-imgproxy", "telegrambot",
	"discordbot", "whatsapp", "linkedinbot", "skypeuripreview", "iframely", "embedly", "redditbot", "vkshare",
	"pinterest", "google-inspectiontool", "qqbrowser-preview", "wechatshare", "mattermost", "pleroma", "mastodon"}

// botMarks are lower-case User-Agent fragments of clients that are not people: crawlers, tools,
// HTTP libraries and headless browsers (the list of content.IsBot, with more libraries).
var botMarks = []string{"bot", "spider", "crawler", "curl", "wget", "python-requests", "python-urllib", "go-http-client",
	"headless", "phantomjs", "puppeteer", "playwright", "selenium", "okhttp", "java/", "libwww", "httpclient", "scrapy", "axios", "node-fetch"}

// Classify returns why a click is not counted, testing in order: HEAD, unfurler or prefetch,
// bot, data-centre range, the officer's own; Counted when none applies. Repeats are decided
// afterwards by a Window, as they depend on earlier clicks.
func Classify(r Request, dataCentres []netip.Prefix) Reason {
	if strings.EqualFold(r.Method, "HEAD") {
		return Head
	}
	ua := strings.ToLower(strings.TrimSpace(r.UserAgent))
	if strings.Contains(strings.ToLower(r.Purpose), "prefetch") || strings.Contains(strings.ToLower(r.Purpose), "prerender") {
		return Unfurl
	}
	for _, m := range unfurlMarks {
		if strings.Contains(ua, m) {
			return Unfurl
		}
	}
	if ua == "" {
		return Bot
	}
	for _, m := range botMarks {
		if strings.Contains(ua, m) {
			return Bot
		}
	}
	if r.Addr.IsValid() {
		a := r.Addr.Unmap()
		for _, p := range dataCentres {
			if p.Contains(a) {
				return DataCentre
			}
		}
	}
	if r.Own {
		return Self
	}
	return Counted
}

// UAClass is the coarse class of a User-Agent kept with a raw click (never the User-Agent
// itself): "wechat", "qq", "weibo", "douyin", "unfurler", "bot", "mobile", "desktop" or "other".
func UAClass(userAgent string) string {
	ua := strings.ToLower(userAgent)
	switch {
	case ua == "":
		return "bot"
	case strings.Contains(ua, "micromessenger"):
		return "wechat"
	case strings.Contains(ua, " qq/") || strings.Contains(ua, "mqqbrowser"):
		return "qq"
	case strings.Contains(ua, "weibo"):
		return "weibo"
	case strings.Contains(ua, "aweme") || strings.Contains(ua, "bytedance"):
		return "douyin"
	}
	for _, m := range unfurlMarks {
		if strings.Contains(ua, m) {
			return "unfurler"
		}
	}
	for _, m := range botMarks {
		if strings.Contains(ua, m) {
			return "bot"
		}
	}
	switch {
	case strings.Contains(ua, "mobile") || strings.Contains(ua, "android") || strings.Contains(ua, "iphone"):
		return "mobile"
	case strings.Contains(ua, "windows") || strings.Contains(ua, "macintosh") || strings.Contains(ua, "x11"):
		return "desktop"
	}
	return "other"
}

// ReferrerDomain is the host of a Referer header in lower case, without "www." and port, at
// most 100 bytes; "" when there is none or it is not an http(s) URL.
func ReferrerDomain(referer string) string {
	u, err := url.Parse(strings.TrimSpace(referer))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	h := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if len(h) > 100 {
		h = h[:100]
	}
	return h
}

// Subnet is the network of an address kept for the burst detector: the /24 of an IPv4 address,
// the /48 of an IPv6 one ("" for an invalid address).
func Subnet(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, _ := a.Prefix(bits)
	return p.String()
}

// VisitorHash is the hex of the first 16 bytes of SHA-256(salt, address, 0, User-Agent): the
// same visitor gives the same hash for as long as the salt lives (one China calendar day),
// and nobody can recompute it once the salt is dropped.
func VisitorHash(salt []byte, addr netip.Addr, userAgent string) string {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(addr.Unmap().String()))
	h.Write([]byte{0})
	h.Write([]byte(userAgent))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Window remembers when each (visitor, link) was last counted, to flag repeats within
// RepeatWindow. It is not safe for concurrent use; its memory is bounded by Max keys (past it,
// the oldest half is forgotten, so a repeat may then be counted: never a first click lost).
type Window struct {
	Span time.Duration // 0: RepeatWindow
	Max  int           // 0: 1,000,000 keys (about 100 MB at most)
	last map[string]time.Time
}

func (w *Window) span() time.Duration {
	if w.Span <= 0 {
		return RepeatWindow
	}
	return w.Span
}

// Repeat reports whether visitor's click on link at is a repeat of a counted click less than
// the window before; if not, at is remembered as the visitor's last counted click there.
func (w *Window) Repeat(visitor, link string, at time.Time) bool {
	if w.last == nil {
		w.last = make(map[string]time.Time)
	}
	k := visitor + "/" + link
	if t, ok := w.last[k]; ok && at.Sub(t) < w.span() && !at.Before(t) {
		return true
	}
	max := w.Max
	if max <= 0 {
		max = 1_000_000
	}
	if len(w.last) >= max {
		w.prune(at, max/2)
	}
	w.last[k] = at
	return false
}

// Remember records a counted click read back from storage (after a restart).
func (w *Window) Remember(visitor, link string, at time.Time) {
	if w.last == nil {
		w.last = make(map[string]time.Time)
	}
	k := visitor + "/" + link
	if t, ok := w.last[k]; !ok || at.After(t) {
		w.last[k] = at
	}
}

// prune forgets keys older than the window, then any keys until at most keep remain.
func (w *Window) prune(now time.Time, keep int) {
	for k, t := range w.last {
		if now.Sub(t) >= w.span() {
			delete(w.last, k)
		}
	}
	for k := range w.last {
		if len(w.last) <= keep {
			break
		}
		delete(w.last, k)
	}
}

// Len is how many (visitor, link) pairs the window remembers.
func (w *Window) Len() int { return len(w.last) }
