package report

import "testing"

func TestRoundDown(t *testing.T) {
	for _, c := range []struct {
		n    int64
		sig  int
		want int64
	}{
		{0, 2, 0}, {7, 2, 7}, {99, 2, 99}, {99, 1, 90}, {100, 2, 100}, {1349, 2, 1300},
		{1399, 2, 1300}, {1300, 2, 1300}, {4012345, 2, 4000000}, {-5, 2, -5}, {1349, 0, 1349},
		{11523, 3, 11500}, {9_223_372_036_854_775_807, 2, 9_200_000_000_000_000_000},
	} {
		if got := RoundDown(c.n, c.sig); got != c.want {
			t.Errorf("RoundDown(%d, %d) = %d, want %d", c.n, c.sig, got, c.want)
		}
	}
}

func TestApprox(t *testing.T) {
	for _, c := range []struct {
		n     int64
		text  string
		floor int64
		more  bool
	}{
		{0, "0", 0, false},
		{48, "48", 48, false},
		{99, "99", 99, false},
		{100, "100", 100, false},
		{191, "190多", 190, true},
		{1300, "1,300", 1300, false},
		{1301, "1,300多", 1300, true},
		{1349, "1,300多", 1300, true},
		{6403, "6,400多", 6400, true},
		{11523, "11,000多", 11000, true},
		{99999, "99,000多", 99000, true},
		{100000, "10万", 100000, false},
		{123456, "12万多", 120000, true},
		{235000, "23万多", 230000, true},
		{230000, "23万", 230000, false},
		{580000, "58万", 580000, false},
		{605000, "60多万", 600000, true},
		{1_300_001, "130多万", 1300000, true},
		{4_012_345, "400多万", 4000000, true},
		{2_167_000, "210多万", 2100000, true},
		{4_616_000, "460多万", 4600000, true},
		{50_000_001, "5000多万", 50000000, true},
		{67_560_000, "6700多万", 67000000, true},
		{120_000_000, "1.2亿", 120000000, false},
		{67_560_001, "6700多万", 67000000, true},
		{123_456_789, "1.2亿多", 120000000, true},
		{200_000_000, "2亿", 200000000, false},
		{1_000_000_001, "10多亿", 1000000000, true},
		{-1349, "-1349", -1349, false},
	} {
		got := Approx(c.n)
		if got.Text != c.text || got.Floor != c.floor || got.More != c.more {
			t.Errorf("Approx(%d) = %+v, want {%q %d %v}", c.n, got, c.text, c.floor, c.more)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
