package activity

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"strconv"
	"strings"
)

// A ticket payload is what the QR code on a sign-up ticket holds and what staff type by hand
// when the camera fails:
//
//	KP1-<series id>-<registration id>-<MAC>
//
// for example "KP1-12-3456-7QM0C4ZJ9X1RB2TD". The ids are decimal, without leading zeros;
// MAC is the first 80 bits of HMAC-SHA256(key, "kepu-ticket/1\x00<series>.<registration>")
// written as 16 characters of Crockford's base32 (0-9 and A-Z without I, L, O, U). The whole
// string uses only the QR alphanumeric character set (digits, capitals, "-"), so the code
// stays small (version 2, 25×25 modules, at error-correction level M). 80 bits make a forged
// payload a 1-in-2^80 guess per try; the key is Handler.TicketKey (32 random bytes kept in the
// settings table as ticket_key). A payload names the series (the first version's id), since
// sign-ups belong to the series and survive corrections of the record.
const (
	ticketPrefix = "KP1"
	macBytes     = 10 // 80 bits
	macChars     = 16 // 80 / 5
	maxIDDigits  = 18 // ids fit an int64
	// MaxTicketLen is the longest payload ParseTicket considers (longer input is refused
	// before any work): prefix, two 18-digit ids, the MAC and three dashes.
	MaxTicketLen = len(ticketPrefix) + 2*maxIDDigits + macChars + 3
)

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Ticket is a parsed, authenticated payload.
type Ticket struct {
	SeriesID       int64
	RegistrationID int64
}

// TicketError says why a payload was refused, in Chinese, for staff at the door.
type TicketError struct{ Reason string }

func (e *TicketError) Error() string { return e.Reason }

// Reasons ParseTicket gives.
var (
	ErrTicketEmpty     = &TicketError{"未读到票码"}
	ErrTicketFormat    = &TicketError{"票码格式不对：应为“KP1-数字-数字-16位校验码”，可能扫描或输入不完整"}
	ErrTicketTruncated = &TicketError{"票码不完整：校验码不足 16 位"}
	ErrTicketForged    = &TicketError{"票码校验失败：票码被改动或不是本系统签发的"}
)

// ticketMAC returns the 16-character MAC of a series and registration id.
func ticketMAC(key []byte, series, reg int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("kepu-ticket/1\x00" + strconv.FormatInt(series, 10) + "." + strconv.FormatInt(reg, 10)))
	return base32Crockford(m.Sum(nil)[:macBytes])
}

// base32Crockford encodes b (a multiple of 5 bytes) without padding.
func base32Crockford(b []byte) string {
	var sb strings.Builder
	for i := 0; i+5 <= len(b); i += 5 {
		v := uint64(b[i])<<32 | uint64(b[i+1])<<24 | uint64(b[i+2])<<16 | uint64(b[i+3])<<8 | uint64(b[i+4])
		for s := 35; s >= 0; s -= 5 {
			sb.WriteByte(crockford[(v>>uint(s))&31])
		}
	}
	return sb.String()
}

// TicketPayload returns the signed payload of a registration of a series (see the format
// above). key must be non-empty.
func TicketPayload(key []byte, series, reg int64) string {
	return ticketPrefix + "-" + strconv.FormatInt(series, 10) + "-" + strconv.FormatInt(reg, 10) + "-" + ticketMAC(key, series, reg)
}

// normalizeTicket turns what a scanner or a person produced into the canonical form: spaces,
// tabs and line breaks dropped, full-width ASCII (as Chinese input methods type it) folded to
// half-width, letters upper-cased, and in the MAC the look-alikes I and L read as 1 and O as 0
// (Crockford's rule). It returns "" when the input holds a character a payload never has.
func normalizeTicket(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width forms of ASCII
			r -= 0xFEE0
		}
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == 0x3000:
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case r == '—' || r == '－' || r == '–':
			r = '-'
		}
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r == '-') {
			return ""
		}
		b.WriteRune(r)
		if b.Len() > MaxTicketLen {
			return ""
		}
	}
	return b.String()
}

// parseID reads a positive decimal id without sign or leading zero.
func parseID(s string) (int64, bool) {
	if s == "" || len(s) > maxIDDigits || s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// ParseTicket checks a payload read from a QR code or typed by hand and returns the ids it
// names. It is a pure function (no SQL, no clock): whether the ticket belongs to the activity
// being checked in, is still valid and in time is for the check-in to decide. Input is
// normalized first (see normalizeTicket), so "kp1-12-3456-7qmoc4zj9x1rb2td" is accepted.
// Errors (all *TicketError): ErrTicketEmpty, ErrTicketFormat (not four dash-separated parts,
// a wrong prefix, ids that are not positive decimals, characters a payload never has, longer
// than MaxTicketLen), ErrTicketTruncated (a MAC shorter than 16 characters), ErrTicketForged
// (a MAC that does not match: altered ids, another installation's key, a made-up code).
func ParseTicket(key []byte, payload string) (Ticket, error) {
	if strings.TrimSpace(payload) == "" {
		return Ticket{}, ErrTicketEmpty
	}
	if len(payload) > 4*MaxTicketLen { // full-width input is 3 bytes a character
		return Ticket{}, ErrTicketFormat
	}
	s := normalizeTicket(payload)
	parts := strings.Split(s, "-")
	if s == "" || len(parts) != 4 || parts[0] != ticketPrefix {
		if len(parts) == 3 && parts[0] == ticketPrefix {
			return Ticket{}, ErrTicketTruncated
		}
		return Ticket{}, ErrTicketFormat
	}
	series, ok1 := parseID(parts[1])
	reg, ok2 := parseID(parts[2])
	if !ok1 || !ok2 {
		return Ticket{}, ErrTicketFormat
	}
	mac := []byte(parts[3])
	for i, c := range mac {
		switch c {
		case 'I', 'L':
			mac[i] = '1'
		case 'O':
			mac[i] = '0'
		case 'U':
			return Ticket{}, ErrTicketForged
		}
	}
	switch {
	case len(mac) < macChars:
		return Ticket{}, ErrTicketTruncated
	case len(mac) > macChars:
		return Ticket{}, ErrTicketFormat
	}
	if len(key) == 0 || !hmac.Equal(mac, []byte(ticketMAC(key, series, reg))) {
		return Ticket{}, ErrTicketForged
	}
	return Ticket{SeriesID: series, RegistrationID: reg}, nil
}

// IsTicketError reports whether err is a refusal of the payload itself (as opposed to a
// database failure).
func IsTicketError(err error) bool {
	var te *TicketError
	return errors.As(err, &te)
}
