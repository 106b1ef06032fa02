// Package mask hides personal data — phone numbers, ID numbers, names — in lists, exports and
// logs. Every list or export that shows a person's phone or ID number passes it through here.
// It must not know where the data comes from.
package mask

import "unicode/utf8"

// Phone keeps the first 3 and last 4 digits of a mobile number: 13812345678 → 138****5678.
// Shorter numbers keep only their last 2 characters. "" stays "".
func Phone(s string) string {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return ""
	case n >= 11:
		r := []rune(s)
		return string(r[:3]) + "****" + string(r[n-4:])
	case n > 2:
		r := []rune(s)
		return stars(n-2) + string(r[n-2:])
	}
	return stars(n)
}

// IDNumber keeps the first 6 (the region of issue) and last 4 characters of a resident ID
// number (GB 11643, 18 characters) and stars the birth date between them:
// 150102199001011234 → 150102********1234. Shorter values keep their last 2.
func IDNumber(s string) string {
	r := []rune(s)
	n := len(r)
	switch {
	case n == 0:
		return ""
	case n >= 15:
		return string(r[:6]) + stars(n-10) + string(r[n-4:])
	case n > 2:
		return stars(n-2) + string(r[n-2:])
	}
	return stars(n)
}

func stars(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '*'
	}
	return string(b)
}
