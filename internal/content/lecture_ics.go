package content

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// icsMaxLine is the longest content line iCalendar allows, in octets without the CRLF
// (RFC 5545 §3.1); longer lines are folded.
const icsMaxLine = 75

// icsTime is the UTC "form #2" of DATE-TIME (RFC 5545 §3.3.5): 20260520T010000Z.
const icsTime = "20060102T150405Z"

// ICSEvent is one VEVENT of an iCalendar file. Times are instants (written in UTC); text is
// plain (escaped when written).
type ICSEvent struct {
	UID              string // stable per item, so a calendar updates an event instead of adding one
	Stamp            time.Time
	Start, End       time.Time
	Summary, Details string
	URL              string
}

// icsEscape escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma get a
// backslash; a line break becomes \n. A bare CR is dropped.
func icsEscape(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch r {
		case '\\', ';', ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// icsFold writes one content line ended by CRLF, folded so that no physical line is longer
// than 75 octets (RFC 5545 §3.1): a continuation line starts with one space, which counts
// toward its 75. A fold never splits a UTF-8 sequence.
func icsFold(w io.Writer, line string) {
	var b strings.Builder
	limit := icsMaxLine
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = icsMaxLine - 1
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	io.WriteString(w, b.String())
}

// WriteICS writes an iCalendar object (RFC 5545, VERSION 2.0) holding the events, with CRLF
// line ends and folded lines, named name (X-WR-CALNAME, read by common calendar apps).
func WriteICS(w io.Writer, name string, events []ICSEvent) {
	icsFold(w, "BEGIN:VCALENDAR")
	icsFold(w, "VERSION:2.0")
	icsFold(w, "PRODID:-//Kepu//content lectures//ZH")
	icsFold(w, "CALSCALE:GREGORIAN")
	icsFold(w, "METHOD:PUBLISH")
	icsFold(w, "X-WR-CALNAME:"+icsEscape(name))
	for _, e := range events {
		icsFold(w, "BEGIN:VEVENT")
		icsFold(w, "UID:"+e.UID)
		icsFold(w, "DTSTAMP:"+e.Stamp.UTC().Format(icsTime))
		icsFold(w, "DTSTART:"+e.Start.UTC().Format(icsTime))
		icsFold(w, "DTEND:"+e.End.UTC().Format(icsTime))
		icsFold(w, "SUMMARY:"+icsEscape(e.Summary))
		if e.Details != "" {
			icsFold(w, "DESCRIPTION:"+icsEscape(e.Details))
		}
		if e.URL != "" {
			icsFold(w, "URL:"+e.URL)
		}
		icsFold(w, "END:VEVENT")
	}
	icsFold(w, "END:VCALENDAR")
}

// lectureEvent makes the calendar event of a lecture item whose public page is at pageURL;
// host names the site in the UID ("content-12@kepu.example.org").
func lectureEvent(it Item, pageURL, host string) ICSEvent {
	var d []string
	if it.Speaker != "" {
		d = append(d, "主讲："+it.Speaker)
	}
	if it.Zh.Summary != "" {
		d = append(d, it.Zh.Summary)
	}
	if it.StreamURL != "" {
		d = append(d, "直播："+it.StreamURL)
	}
	if it.ReplayURL != "" {
		d = append(d, "回放："+it.ReplayURL)
	}
	stamp := it.UpdatedAt
	if stamp.IsZero() {
		stamp = it.PublishAt
	}
	return ICSEvent{UID: fmt.Sprintf("content-%d@%s", it.ID, host), Stamp: stamp, Start: it.StartsAt, End: it.EndsAt,
		Summary: it.Zh.Title, Details: strings.Join(d, "\n"), URL: pageURL}
}
