// Package share owns information officers' tracked sharing (issue 6): personal short links
// /s/{code} per officer and item, durable click recording by group commit, roll-ups per
// (officer, item, day), per (officer, month) and per (unit, month), reports of counted and
// flagged clicks by reason, the anti-gaming review queue, points, streaks, levels and
// rankings (pages and GET /api/v1/share/rankings and /officers), and the national platform's
// figures imported beside Kepu's own. A confirmed review case sets an officer-month aside:
// its shares, counted clicks, points and place among the unit's monthly actives are left out
// of rankings, points and the 标兵 list and shown apart (held_…), until the case is reopened.
//
// What a click is (counted or why not) is decided by share/click, which holds no HTTP and no
// SQL. share never reads another domain's tables: officers come from registry.Store, items
// from content.Store, populations from region.Store.
//
// How an officer identifies themselves: staff of the officer's unit issue a sign-in code on
// 信息员分享 (/console/share) for the officer's registry record (officer number = registry id);
// the officer signs in at /share with the officer number and the code (only its SHA-256 is
// kept; issuing a new one replaces it). The session is a signed cookie naming the officer.
package share

import (
	"crypto/rand"
	"errors"
	"strings"
	"time"
)

// China is the zone of days and months: China Standard Time, UTC+8.
var China = time.FixedZone("CST", 8*3600)

// Day is the China calendar date of t as "YYYY-MM-DD".
func Day(t time.Time) string { return t.In(China).Format(time.DateOnly) }

// Month is the China calendar month of t as "YYYY-MM".
func Month(t time.Time) string { return t.In(China).Format("2006-01") }

// codeAlphabet has no 0/o, 1/l/i: codes are read aloud and typed from posters.
const codeAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// CodeLen is the length of a link code: 31^8 ≈ 8.5 × 10^11 codes, so a guessed code hits one
// of tens of millions of links about once in 10,000 tries.
const CodeLen = 8

// ErrBadCode is returned by ParseCode for anything that is not a link code.
var ErrBadCode = errors.New("share: not a link code")

// NewCode returns a random link code of CodeLen characters from codeAlphabet.
func NewCode() string {
	b := make([]byte, CodeLen)
	rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// ParseCode checks a code from a URL: CodeLen characters of codeAlphabet, upper case folded.
// Errors: ErrBadCode.
func ParseCode(s string) (string, error) {
	if len(s) != CodeLen {
		return "", ErrBadCode
	}
	s = strings.ToLower(s)
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(codeAlphabet, s[i]) < 0 {
			return "", ErrBadCode
		}
	}
	return s, nil
}

// Link is an officer's personal link to an item.
type Link struct {
	Code    string
	Officer int64
	Item    int64
	Region  string // the officer's unit when the link was taken
	Created time.Time
}

// Points for engagement (issue 6, "Points for shares and counted clicks"): a share is worth
// PointsPerShare, a counted click PointsPerClick, a daily check-in PointsPerCheckIn. Clicks
// weigh less than shares so that points follow the officer's own work more than an audience.
const (
	PointsPerShare   = 2
	PointsPerClick   = 1
	PointsPerCheckIn = 1
)

// Points returns the points of shares, counted clicks and check-ins.
func Points(shares, clicks, checkins int64) int64 {
	return shares*PointsPerShare + clicks*PointsPerClick + checkins*PointsPerCheckIn
}

// LevelFloors are the points at which levels 1…6 start (level 0 below 50): 见习 → 科普达人.
var LevelFloors = []int64{50, 200, 800, 3000, 10000, 30000}

// Level returns the level (0…len(LevelFloors)) of a points total.
func Level(points int64) int {
	l := 0
	for _, f := range LevelFloors {
		if points >= f {
			l++
		}
	}
	return l
}

// Streak returns how many consecutive days up to today (or up to yesterday, when today has no
// check-in yet) appear in days ("YYYY-MM-DD", any order, duplicates allowed).
func Streak(days []string, today string) int {
	set := make(map[string]bool, len(days))
	for _, d := range days {
		set[d] = true
	}
	t, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return 0
	}
	if !set[today] {
		t = t.AddDate(0, 0, -1)
	}
	n := 0
	for set[t.Format(time.DateOnly)] {
		n++
		t = t.AddDate(0, 0, -1)
	}
	return n
}
