package demo

import (
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		total int64
		n     int
	}{{1107075, 12}, {0, 3}, {5, 7}, {24049155, 1}} {
		parts := Split(r, tc.total, tc.n)
		var sum int64
		for _, p := range parts {
			if p < 0 {
				t.Errorf("Split(%d, %d) gave a negative part %d", tc.total, tc.n, p)
			}
			sum += p
		}
		if len(parts) != tc.n || sum != tc.total {
			t.Errorf("Split(%d, %d) = %d parts summing to %d", tc.total, tc.n, len(parts), sum)
		}
	}
	if Split(r, 10, 0) != nil {
		t.Error("Split into 0 parts")
	}
}

func TestNamesAndPhones(t *testing.T) {
	a, b := rand.New(rand.NewPCG(7, 7)), rand.New(rand.NewPCG(7, 7))
	for range 100 {
		n := PersonName(a)
		if n != PersonName(b) {
			t.Fatal("the same seed gives different names")
		}
		if c := utf8.RuneCountInString(n); c < 2 || c > 4 {
			t.Errorf("name %q", n)
		}
		p := Phone(a)
		Phone(b)
		if len(p) != 11 || p[0] != '1' {
			t.Errorf("phone %q", p)
		}
	}
}
