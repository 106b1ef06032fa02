package survey

import (
	"strings"
	"testing"
	"unicode"
)

func TestSampleBankFitsNationalScheme(t *testing.T) {
	items := SampleBank()
	if err := NationalScheme2024().Check(items); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Mn == "" || !strings.ContainsFunc(it.Mn, func(r rune) bool { return r >= 0x1800 && r <= 0x18AF }) {
			t.Errorf("item %d has no traditional Mongolian text", it.Position)
		}
		for _, o := range it.Options {
			if o.Zh == "" || o.Mn == "" {
				t.Errorf("item %d: option without both languages", it.Position)
			}
		}
		if !strings.ContainsFunc(it.Zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("item %d: no Chinese", it.Position)
		}
	}
}

// key returns the correct answers of items.
func key(items []Item) []Answer {
	out := make([]Answer, len(items))
	for i, it := range items {
		out[i] = Answer(it.Answer)
	}
	return out
}

func TestNationalScheme(t *testing.T) {
	sc := NationalScheme2024()
	items := SampleBank()
	s, err := sc.Score(items, key(items))
	if err != nil || s.Total != 100 || s.Level != High || !s.Literate || s.Unanswered != 0 {
		t.Fatalf("all correct: %+v %v", s, err)
	}
	if s.ByDim[Knowledge] != 40 || s.ByDim[Method] != 20 || s.ByDim[Spirit] != 20 || s.ByDim[Application] != 20 {
		t.Errorf("dimension points: %v", s.ByDim)
	}
	// Nothing answered: zero, lower, every item counted as unanswered.
	s, _ = sc.Score(items, nil)
	if s.Total != 0 || s.Level != Lower || s.Unanswered != len(items) || s.Literate {
		t.Errorf("blank: %+v", s)
	}
	// The cut points: strictly above 85, 70, 55.
	for _, c := range []struct {
		score float64
		want  string
	}{{85.01, High}, {85, Literate}, {70.01, Literate}, {70, Basic}, {55.5, Basic}, {55, Lower}, {0, Lower}, {100, High}} {
		if got := sc.Level(c.score, 100); got != c.want {
			t.Errorf("Level(%g) = %s, want %s", c.score, got, c.want)
		}
	}
	// Knowledge has 10 items of 40 points: missing one costs 4 points.
	a := key(items)
	a[0] = Answer{1}
	s, _ = sc.Score(items, a)
	if s.Total != 96 || s.Correct != len(items)-1 {
		t.Errorf("one knowledge item wrong: %+v", s)
	}
	// A multiple-choice item needs exactly the key: a subset or superset is wrong.
	for i, it := range items {
		if it.Kind == Multi {
			a := key(items)
			a[i] = Answer{it.Answer[0]}
			if s, _ := sc.Score(items, a); s.Correct != len(items)-1 {
				t.Errorf("a partial multiple-choice answer counted as correct")
			}
			a[i] = Answer{0, 1, 2}
			if s, _ := sc.Score(items, a); s.Correct != len(items)-1 {
				t.Errorf("a superset multiple-choice answer counted as correct")
			}
			break
		}
	}
	// An answer naming an option the item lacks is refused.
	a = key(items)
	a[9] = Answer{7}
	if _, err := sc.Score(items, a); err == nil || !strings.Contains(err.Error(), "第 10 题") {
		t.Errorf("bad option: %v", err)
	}
}

// benchmarkBank builds n true/false items over benchmarks 1..cover in turn.
func benchmarkBank(n, cover int) []Item {
	var items []Item
	for i := range n {
		items = append(items, Item{Position: i + 1, Kind: TrueFalse, Dimension: Knowledge, Benchmark: i%cover + 1, Points: 1, Zh: "题", Answer: []int{0}})
	}
	return items
}

func TestBenchmarkScheme(t *testing.T) {
	sc := BenchmarkScheme()
	items := benchmarkBank(50, 26)
	if err := sc.Check(items); err != nil {
		t.Fatal(err)
	}
	if err := sc.Check(benchmarkBank(49, 26)); err == nil || !strings.Contains(err.Error(), "50") {
		t.Errorf("49 items: %v", err)
	}
	if err := sc.Check(benchmarkBank(50, 25)); err == nil || !strings.Contains(err.Error(), "缺第 26 条") {
		t.Errorf("25 benchmarks: %v", err)
	}
	a := make([]Answer, 50)
	for i := range 30 {
		a[i] = Answer{0}
	}
	s, _ := sc.Score(items, a)
	if s.Total != 30 || !s.Literate || s.Unanswered != 20 {
		t.Errorf("30 of 50: %+v", s)
	}
	a[0] = Answer{1}
	if s, _ := sc.Score(items, a); s.Literate || s.Level != Lower {
		t.Errorf("29 of 50 is literate: %+v", s)
	}
}

func TestCustomScheme(t *testing.T) {
	sc, err := ParseCustom(`{"points":{"knowledge":50,"application":50},"pass":0.5}`)
	if err != nil {
		t.Fatal(err)
	}
	items := SampleBank()
	if err := sc.Check(items); err != nil {
		t.Fatal(err)
	}
	// Knowledge all right, application all wrong: 50 points, literate at 50 %.
	a := key(items)
	for i, it := range items {
		if it.Dimension == Application {
			a[i] = nil
		}
	}
	s, _ := sc.Score(items, a)
	if s.Total != 50 || !s.Literate {
		t.Errorf("custom: %+v", s)
	}
	if back, err := ParseCustom(sc.JSON()); err != nil || back.Pass != 0.5 || back.Points[Knowledge] != 50 {
		t.Errorf("round trip: %+v %v", back, err)
	}
	for _, bad := range []string{`{`, `{"points":{"knowledge":10},"pass":1.5}`, `{"points":{"magic":10},"pass":0.5}`, `{"points":{},"pass":0.5}`, `{"points":{"knowledge":-5,"method":10},"pass":0.5}`} {
		if _, err := ParseCustom(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	// A dimension with points but no item.
	sc2, _ := ParseCustom(`{"points":{"knowledge":50,"method":50},"pass":0.6}`)
	if err := sc2.Check(items[:3]); err == nil || !strings.Contains(err.Error(), "科学方法") {
		t.Errorf("missing dimension: %v", err)
	}
}

func TestParseAnswer(t *testing.T) {
	items := SampleBank()
	tfItem, single, multi := items[0], items[9], items[12]
	for _, c := range []struct {
		it   Item
		in   string
		want string
		err  bool
	}{
		{tfItem, "对", "A", false}, {tfItem, "×", "B", false}, {tfItem, " ", "", false}, {tfItem, "也许", "", true},
		{single, "C", "C", false}, {single, "3", "C", false}, {single, "AB", "", true}, {single, "D", "", true},
		{multi, "a,b", "AB", false}, {multi, "BA", "AB", false}, {multi, "1、2", "AB", false}, {multi, "A?", "", true}, {multi, "0", "", true},
	} {
		a, err := c.it.ParseAnswer(c.in)
		if (err != nil) != c.err || a.Format() != c.want {
			t.Errorf("%s %q: %q %v", c.it.Kind, c.in, a.Format(), err)
		}
	}
}
