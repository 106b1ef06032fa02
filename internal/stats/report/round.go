package report

import (
	"strconv"
	"strings"
)

// SigFigs is how many significant figures a large count keeps in the report's sentences: the
// seed report writes "1300多场次", "400多万人次", "12万多人次", "60多万", i.e. two significant
// figures, rounded down, with 多 ("more than") when the true value is larger.
const SigFigs = 2

// exactBelow: counts under this are written exactly (the seed writes "191场次", "48套",
// "55人"); rounding a two-digit count would say less than the exact figure does.
const exactBelow = 100

// Rounded is a count as the report writes it.
type Rounded struct {
	Text  string // e.g. "1,300多", "400多万", "12万多", "6,400多", "1.2亿"
	Floor int64  // the value the text states before 多: n rounded down to SigFigs significant figures
	More  bool   // the true value is larger than Floor (the text says 多)
}

// RoundDown returns n (≥ 0) rounded down to sig significant figures: RoundDown(1349, 2) = 1300,
// RoundDown(99, 1) = 90. A negative n or sig < 1 returns n unchanged.
func RoundDown(n int64, sig int) int64 {
	if n <= 0 || sig < 1 {
		return n
	}
	digits := len(strconv.FormatInt(n, 10))
	if digits <= sig {
		return n
	}
	p := int64(1)
	for i := 0; i < digits-sig; i++ {
		p *= 10
	}
	return n / p * p
}

// Approx writes a count (a whole number of sessions, person-times, clicks, …) the way the
// field's reports do: below 100 exactly; otherwise rounded down to SigFigs significant figures
// with 多 when the true value is larger. From 100,000 the figure is written in 万 (10⁴), from
// 10⁸ in 亿; 多 goes before the unit after a round number ("400多万", "130多万", "5000多万")
// and after it otherwise ("12万多", "1.2亿多"), as in the seed report. Numbers under 万 carry
// thousands separators ("1,300多"). Negative counts are written exactly with a minus sign.
//
// Examples: 1349 → "1,300多"; 1300 → "1,300"; 4012345 → "400多万"; 123456 → "12万多";
// 230000 → "23万"; 120000000 → "1.2亿"; 191 → "190多"; 48 → "48".
func Approx(n int64) Rounded {
	if n < exactBelow {
		return Rounded{Text: strconv.FormatInt(n, 10), Floor: n}
	}
	floor := RoundDown(n, SigFigs)
	more := floor < n
	unit, unitName := int64(1), ""
	switch {
	case n >= 100_000_000:
		unit, unitName = 100_000_000, "亿"
	case n >= 100_000:
		unit, unitName = 10_000, "万"
	}
	// Without 多 the exact value is written (it may need decimals in 亿: 1.2亿).
	shown := floor
	if !more {
		shown = n
	}
	num := scaled(shown, unit)
	if !more {
		return Rounded{Text: num + unitName, Floor: floor}
	}
	if unitName == "" {
		return Rounded{Text: num + "多", Floor: floor, More: true}
	}
	if shown%unit == 0 && (shown/unit)%10 == 0 {
		return Rounded{Text: num + "多" + unitName, Floor: floor, More: true}
	}
	return Rounded{Text: num + unitName + "多", Floor: floor, More: true}
}

// scaled writes v/unit with as many decimals as needed (no trailing zeros); with unit 1 it
// adds thousands separators.
func scaled(v, unit int64) string {
	if unit == 1 {
		return Thousands(v)
	}
	whole, frac := v/unit, v%unit
	if frac == 0 {
		return strconv.FormatInt(whole, 10)
	}
	width := len(strconv.FormatInt(unit, 10)) - 1
	f := strconv.FormatInt(frac, 10)
	f = strings.Repeat("0", width-len(f)) + f
	return strconv.FormatInt(whole, 10) + "." + strings.TrimRight(f, "0")
}

// Thousands writes n with comma thousands separators: 24049155 → "24,049,155".
func Thousands(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
