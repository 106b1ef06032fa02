package assess

import (
	"math"
	"testing"
)

func f(v float64) *float64 { return &v }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScore(t *testing.T) {
	type want struct {
		key   string
		score float64
		rank  int
	}
	cases := []struct {
		name     string
		items    []Item
		subjects []Subject
		want     []want
	}{
		{"raw weighted, relative weights",
			[]Item{{Code: "a", Weight: 3, Norm: Raw}, {Code: "b", Weight: 1, Norm: Raw}},
			[]Subject{{Key: "x", Values: map[string]*float64{"a": f(10), "b": f(20)}}, {Key: "y", Values: map[string]*float64{"a": f(20), "b": f(0)}}},
			[]want{{"y", 15, 1}, {"x", 12.5, 2}}},
		{"min-max among siblings",
			[]Item{{Code: "a", Weight: 1, Norm: MinMax}},
			[]Subject{{Key: "x", Values: map[string]*float64{"a": f(5)}}, {Key: "y", Values: map[string]*float64{"a": f(15)}}, {Key: "z", Values: map[string]*float64{"a": f(10)}}},
			[]want{{"y", 100, 1}, {"z", 50, 2}, {"x", 0, 3}}},
		{"min-max all equal above zero: full marks; ties share a rank, listed by key",
			[]Item{{Code: "a", Weight: 1, Norm: MinMax}},
			[]Subject{{Key: "y", Values: map[string]*float64{"a": f(7)}}, {Key: "x", Values: map[string]*float64{"a": f(7)}}},
			[]want{{"x", 100, 1}, {"y", 100, 1}}},
		{"min-max all zero: nothing",
			[]Item{{Code: "a", Weight: 1, Norm: MinMax}},
			[]Subject{{Key: "x", Values: map[string]*float64{"a": f(0)}}, {Key: "y", Values: map[string]*float64{"a": f(0)}}},
			[]want{{"x", 0, 1}, {"y", 0, 1}}},
		{"competition ranks skip after a tie",
			[]Item{{Code: "a", Weight: 1, Norm: Raw}},
			[]Subject{{Key: "a", Values: map[string]*float64{"a": f(9)}}, {Key: "b", Values: map[string]*float64{"a": f(5)}}, {Key: "c", Values: map[string]*float64{"a": f(5)}}, {Key: "d", Values: map[string]*float64{"a": f(1)}}},
			[]want{{"a", 9, 1}, {"b", 5, 2}, {"c", 5, 2}, {"d", 1, 4}}},
		{"missing counts 0 and does not move the min-max scale",
			[]Item{{Code: "a", Weight: 1, Norm: MinMax}},
			[]Subject{{Key: "x", Values: map[string]*float64{"a": f(10)}}, {Key: "y", Values: map[string]*float64{"a": f(20)}}, {Key: "z", Values: map[string]*float64{}}},
			[]want{{"y", 100, 1}, {"x", 0, 2}, {"z", 0, 2}}},
		{"per 10,000 population; no population = missing",
			[]Item{{Code: "a", Weight: 1, Norm: Per10k}},
			[]Subject{{Key: "x", Values: map[string]*float64{"a": f(30)}, Population: 20000}, {Key: "y", Values: map[string]*float64{"a": f(30)}, Population: 0},
				{Key: "z", Values: map[string]*float64{"a": f(10)}, Population: 10000}},
			[]want{{"x", 15, 1}, {"z", 10, 2}, {"y", 0, 3}}},
		{"per 10,000 then min-max among the rates",
			[]Item{{Code: "a", Weight: 1, Norm: Per10kMinMax}},
			[]Subject{{Key: "x", Values: map[string]*float64{"a": f(30)}, Population: 20000}, {Key: "y", Values: map[string]*float64{"a": f(10)}, Population: 5000},
				{Key: "z", Values: map[string]*float64{"a": f(100)}, Population: 1000000}, {Key: "w", Values: map[string]*float64{"a": f(5)}}},
			// rates 15, 20, 1: (15−1)/19, 1, 0; w has no population
			[]want{{"y", 100, 1}, {"x", 1400.0 / 19, 2}, {"w", 0, 3}, {"z", 0, 3}}},
		{"per capita",
			[]Item{{Code: "a", Weight: 2, Norm: PerCapita}},
			[]Subject{{Key: "x", Values: map[string]*float64{"a": f(50)}, Population: 100}},
			[]want{{"x", 0.5, 1}}},
		{"threshold: below or missing is unqualified, listed last without rank",
			[]Item{{Code: "a", Weight: 1, Norm: Raw, Minimum: f(10)}, {Code: "b", Weight: 1, Norm: Raw}},
			[]Subject{{Key: "x", Values: map[string]*float64{"a": f(5), "b": f(1000)}}, {Key: "y", Values: map[string]*float64{"a": f(10), "b": f(0)}},
				{Key: "z", Values: map[string]*float64{"b": f(5)}}},
			[]want{{"y", 5, 1}, {"x", 502.5, 0}, {"z", 2.5, 0}}},
		{"no weights: all zero",
			[]Item{{Code: "a", Weight: 0, Norm: Raw}},
			[]Subject{{Key: "x", Values: map[string]*float64{"a": f(5)}}},
			[]want{{"x", 0, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Score(c.items, c.subjects)
			if len(got) != len(c.want) {
				t.Fatalf("%d results, want %d", len(got), len(c.want))
			}
			for i, w := range c.want {
				g := got[i]
				if g.Key != w.key || !near(g.Score, w.score) || g.Rank != w.rank {
					t.Errorf("#%d = %s %.6f rank %d, want %s %.6f rank %d", i, g.Key, g.Score, g.Rank, w.key, w.score, w.rank)
				}
				var sum float64
				for _, p := range g.Parts {
					sum += p.Contribution
				}
				if !near(sum, g.Score) {
					t.Errorf("%s: contributions add to %f, score %f", g.Key, sum, g.Score)
				}
			}
		})
	}
}

func TestScoreBreakdown(t *testing.T) {
	got := Score([]Item{{Code: "a", Weight: 30, Norm: MinMax, Minimum: f(1)}, {Code: "b", Weight: 70, Norm: Per10k}},
		[]Subject{{Key: "x", Values: map[string]*float64{"a": f(4), "b": f(7)}, Population: 70000}, {Key: "y", Values: map[string]*float64{"a": f(2), "b": nil}}})
	x := got[0]
	if x.Key != "x" || !x.Qualified {
		t.Fatalf("%+v", x)
	}
	a, b := x.Parts[0], x.Parts[1]
	if a.Raw != 4 || a.Normalized != 100 || a.Weight != 30 || !near(a.Contribution, 30) || a.Missing || a.BelowMinimum {
		t.Errorf("a: %+v", a)
	}
	if b.Raw != 7 || !near(b.Normalized, 1) || !near(b.Contribution, 0.7) {
		t.Errorf("b: %+v", b)
	}
	y := got[1]
	if !y.Parts[1].Missing || y.Parts[1].Contribution != 0 || y.Parts[0].Normalized != 0 {
		t.Errorf("y: %+v", y)
	}
}

func TestShortlist(t *testing.T) {
	item := []Item{{Code: "a", Weight: 1, Norm: Raw, Minimum: f(1)}}
	var subjects []Subject
	for i, v := range []float64{9, 8, 8, 7, 0} {
		subjects = append(subjects, Subject{Key: string(rune('a' + i)), Values: map[string]*float64{"a": f(v)}})
	}
	var rk Ranking
	for _, r := range Score(item, subjects) {
		rk.Rows = append(rk.Rows, Ranked{Result: r})
	}
	// Ties at the cut stay in; the unqualified never enter.
	for n, want := range map[int]int{1: 1, 2: 3, 3: 3, 4: 4, 10: 4, 0: 4} {
		if got := len(rk.Shortlist(n)); got != want {
			t.Errorf("top %d: %d rows, want %d", n, got, want)
		}
	}
}
