package survey

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Item kinds.
const (
	TrueFalse = "tf"     // 对/错: options are implied, 0 = true (对), 1 = false (错)
	Single    = "single" // one correct option
	Multi     = "multi"  // every correct option and no wrong one
)

// Dimensions of civic scientific literacy, as the 2024 national scheme counts them.
const (
	Knowledge   = "knowledge"   // 科学知识
	Method      = "method"      // 科学方法
	Spirit      = "spirit"      // 科学精神与科学思想
	Application = "application" // 科学应用（解决实际问题的能力）
)

// Dimensions lists the dimensions in report order.
var Dimensions = []string{Knowledge, Method, Spirit, Application}

// Scheme names.
const (
	National2024 = "national2024"
	Benchmark    = "benchmark"
	Custom       = "custom"
)

// Levels a score falls in. Only the national scheme has four; the benchmark and custom
// schemes give Literate or Lower.
const (
	High     = "high"     // 高水平
	Literate = "literate" // 具备科学素质
	Basic    = "basic"    // 基本具备
	Lower    = "lower"    // 较低
)

// Item is one question of a questionnaire. Options hold the choices of single and multiple
// choice items (true/false items have none: 0 = true, 1 = false); Answer lists the 0-based
// indexes of the correct options, sorted.
type Item struct {
	ID        int64
	Position  int // 1-based order in the questionnaire
	Kind      string
	Dimension string
	Benchmark int     // 1–26 under the benchmark scheme, 0 otherwise
	Points    float64 // weight within its dimension (> 0); 1 unless set
	Zh, Mn    string  // the question in Chinese and traditional Mongolian
	Options   []Option
	Answer    []int
}

// Option is one choice of an item, in both languages.
type Option struct{ Zh, Mn string }

// Choices returns how many options the item offers (2 for true/false).
func (it Item) Choices() int {
	if it.Kind == TrueFalse {
		return 2
	}
	return len(it.Options)
}

// Validate checks an item on its own: kind, dimension, options and key.
func (it Item) Validate() error {
	switch {
	case it.Kind != TrueFalse && it.Kind != Single && it.Kind != Multi:
		return fmt.Errorf("第 %d 题：题型须为判断、单选或多选", it.Position)
	case !slices.Contains(Dimensions, it.Dimension):
		return fmt.Errorf("第 %d 题：维度须为科学知识、科学方法、科学精神与思想或科学应用", it.Position)
	case strings.TrimSpace(it.Zh) == "":
		return fmt.Errorf("第 %d 题：题目中文不能为空", it.Position)
	case it.Points <= 0 || math.IsNaN(it.Points) || math.IsInf(it.Points, 0):
		return fmt.Errorf("第 %d 题：分值须大于 0", it.Position)
	case it.Kind != TrueFalse && len(it.Options) < 2:
		return fmt.Errorf("第 %d 题：选择题至少要有 2 个选项", it.Position)
	case len(it.Answer) == 0:
		return fmt.Errorf("第 %d 题：没有标准答案", it.Position)
	case it.Kind != Multi && len(it.Answer) != 1:
		return fmt.Errorf("第 %d 题：判断题和单选题只有一个标准答案", it.Position)
	}
	for _, a := range it.Answer {
		if a < 0 || a >= it.Choices() {
			return fmt.Errorf("第 %d 题：标准答案 %d 不是它的选项", it.Position, a+1)
		}
	}
	return nil
}

// Answer is one respondent's answer to one item: the chosen option indexes, sorted; nil when
// the item was left unanswered. An unanswered item is not an error: it scores nothing and is
// counted in Score.Unanswered, as the national survey counts a blank as not known.
type Answer []int

// Correct reports whether a is exactly the item's key (for multiple choice: all the correct
// options and no other).
func (it Item) Correct(a Answer) bool {
	return a != nil && slices.Equal([]int(a), it.Answer)
}

// Scheme is how answers become a score and a level. Points per dimension sum to the scheme's
// maximum (100 for the national scheme); Pass is the literacy mark as a share of the maximum.
type Scheme struct {
	Name string
	// Points per dimension (national2024: knowledge 40, method 20, spirit 20, application 20).
	// Nil under the benchmark scheme, where every item counts the same.
	Points map[string]float64 `json:"points,omitempty"`
	// Pass is the mark for "literate": a score strictly above Pass × max under the national
	// scheme (> 70), at least Pass × max under the benchmark and custom schemes (≥ 60 %).
	Pass float64 `json:"pass"`
}

// NationalScheme2024 is the 2024 national scheme (中国公民科学素质基准测评, 100-point test):
// knowledge 40, method 20, spirit and thought 20, application 20; above 85 high, above 70
// literate, above 55 basic, else lower. Source: the 2024 survey's published method, see
// /work/shared/reference/literacy-published.csv (China 2024 row).
func NationalScheme2024() Scheme {
	return Scheme{Name: National2024, Points: map[string]float64{Knowledge: 40, Method: 20, Spirit: 20, Application: 20}, Pass: 0.70}
}

// BenchmarkScheme is the benchmark test (《中国公民科学素质基准》): 50 items drawn to cover all
// 26 benchmarks, each item one point; literate at 60 % correct (30 of 50).
func BenchmarkScheme() Scheme { return Scheme{Name: Benchmark, Pass: 0.60} }

// Benchmark scheme's fixed shape.
const (
	BenchmarkItems = 50
	Benchmarks     = 26
)

// ParseCustom reads an admin-defined scheme stored as JSON ({"points": {...}, "pass": 0.6}).
func ParseCustom(s string) (Scheme, error) {
	var sc Scheme
	if err := json.Unmarshal([]byte(s), &sc); err != nil {
		return Scheme{}, errors.New("自定义评分规则无法读取")
	}
	sc.Name = Custom
	return sc, sc.validate()
}

// JSON returns the scheme as stored for a custom survey.
func (sc Scheme) JSON() string {
	b, _ := json.Marshal(struct {
		Points map[string]float64 `json:"points,omitempty"`
		Pass   float64            `json:"pass"`
	}{sc.Points, sc.Pass})
	return string(b)
}

// validate checks a scheme's own numbers.
func (sc Scheme) validate() error {
	if !(sc.Pass > 0 && sc.Pass < 1) {
		return errors.New("及格线须在 0 和 100% 之间")
	}
	if sc.Name == Benchmark {
		return nil
	}
	total := 0.0
	for d, p := range sc.Points {
		if !slices.Contains(Dimensions, d) {
			return fmt.Errorf("评分规则中的维度 %q 不存在", d)
		}
		if p < 0 || math.IsNaN(p) || math.IsInf(p, 0) {
			return fmt.Errorf("维度 %s 的分值不能为负", DimensionLabel(d))
		}
		total += p
	}
	if total <= 0 {
		return errors.New("各维度分值之和须大于 0")
	}
	return nil
}

// Max is the highest score the scheme gives: the dimensions' points, or the item count under
// the benchmark scheme.
func (sc Scheme) Max(items []Item) float64 {
	if sc.Name == Benchmark {
		return float64(len(items))
	}
	t := 0.0
	for _, p := range sc.Points {
		t += p
	}
	return t
}

// Check checks that a questionnaire fits the scheme: every item valid; under the benchmark
// scheme exactly 50 items covering all 26 benchmarks; otherwise every dimension that carries
// points has at least one item. The errors are in Chinese and name the item or dimension.
func (sc Scheme) Check(items []Item) error {
	if err := sc.validate(); err != nil {
		return err
	}
	if len(items) == 0 {
		return errors.New("问卷还没有题目")
	}
	for _, it := range items {
		if err := it.Validate(); err != nil {
			return err
		}
	}
	if sc.Name == Benchmark {
		if len(items) != BenchmarkItems {
			return fmt.Errorf("基准测评须有 %d 道题，现有 %d 道", BenchmarkItems, len(items))
		}
		covered := map[int]bool{}
		for _, it := range items {
			if it.Benchmark < 1 || it.Benchmark > Benchmarks {
				return fmt.Errorf("第 %d 题：基准编号须在 1–%d 之间", it.Position, Benchmarks)
			}
			covered[it.Benchmark] = true
		}
		var missing []string
		for b := 1; b <= Benchmarks; b++ {
			if !covered[b] {
				missing = append(missing, strconv.Itoa(b))
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("基准测评须覆盖全部 %d 条基准，缺第 %s 条", Benchmarks, strings.Join(missing, "、"))
		}
		return nil
	}
	has := map[string]bool{}
	for _, it := range items {
		has[it.Dimension] = true
	}
	for _, d := range Dimensions {
		if sc.Points[d] > 0 && !has[d] {
			return fmt.Errorf("维度“%s”占 %g 分，但问卷没有这一维度的题目", DimensionLabel(d), sc.Points[d])
		}
	}
	return nil
}

// Score is a scored response.
type Score struct {
	Total      float64            // 0 … scheme max, rounded to 2 decimals
	ByDim      map[string]float64 // points earned per dimension (national and custom schemes)
	Correct    int                // items answered correctly
	Unanswered int                // items left unanswered (scored as not correct)
	Level      string             // High, Literate, Basic or Lower
	Literate   bool               // Level is Literate or High
}

// Score scores answers (one per item, in item order; a shorter slice leaves the rest
// unanswered) under the scheme. National and custom: each dimension's points are shared among
// its items by their Points, so a dimension counts its full weight whatever its item count.
// Benchmark: one point an item. Errors: an answer naming an option the item does not have.
func (sc Scheme) Score(items []Item, answers []Answer) (Score, error) {
	s := Score{ByDim: map[string]float64{}}
	dimTotal := map[string]float64{}
	for _, it := range items {
		dimTotal[it.Dimension] += it.Points
	}
	for i, it := range items {
		var a Answer
		if i < len(answers) {
			a = answers[i]
		}
		for _, c := range a {
			if c < 0 || c >= it.Choices() {
				return Score{}, fmt.Errorf("第 %d 题：答案 %d 不是它的选项", it.Position, c+1)
			}
		}
		if a == nil {
			s.Unanswered++
			continue
		}
		if !it.Correct(a) {
			continue
		}
		s.Correct++
		if sc.Name == Benchmark {
			s.Total++
			continue
		}
		s.ByDim[it.Dimension] += sc.Points[it.Dimension] * it.Points / dimTotal[it.Dimension]
	}
	if sc.Name != Benchmark {
		for _, d := range Dimensions {
			s.Total += s.ByDim[d]
		}
	}
	s.Total = math.Round(s.Total*100) / 100
	s.Level = sc.Level(s.Total, sc.Max(items))
	s.Literate = s.Level == Literate || s.Level == High
	return s, nil
}

// Level places a score: national scheme > 85 high, > 70 literate, > 55 basic, else lower
// (shares of the maximum, so a scheme of another total keeps the cut points); benchmark and
// custom: literate at Pass × max or more, else lower.
func (sc Scheme) Level(score, max float64) string {
	if max <= 0 {
		return Lower
	}
	x := score / max
	const eps = 1e-9
	if sc.Name == National2024 {
		switch {
		case x > 0.85+eps:
			return High
		case x > 0.70+eps:
			return Literate
		case x > 0.55+eps:
			return Basic
		}
		return Lower
	}
	if x >= sc.Pass-eps {
		return Literate
	}
	return Lower
}

// ParseAnswer reads one answer as typed in a sheet or sent by a form: "" = unanswered;
// letters "A", "AC", "A,C" or 1-based numbers "1,3"; for true/false also 对/错, 是/否, √/×,
// T/F, Y/N. Errors name what was refused, in Chinese.
func (it Item) ParseAnswer(s string) (Answer, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if it.Kind == TrueFalse {
		switch strings.ToUpper(s) {
		case "对", "是", "√", "T", "TRUE", "Y", "1", "A", "正确":
			return Answer{0}, nil
		case "错", "否", "×", "F", "FALSE", "N", "2", "B", "错误":
			return Answer{1}, nil
		}
		return nil, fmt.Errorf("判断题答案“%s”无法识别，请填 对 或 错", s)
	}
	var out []int
	up := strings.ToUpper(s)
	fields := strings.FieldsFunc(up, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' || r == ';' })
	for _, f := range fields {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n-1)
			continue
		}
		for _, r := range f {
			if r < 'A' || r > 'Z' {
				return nil, fmt.Errorf("答案“%s”无法识别，请用选项字母（如 A 或 AC）", s)
			}
			out = append(out, int(r-'A'))
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		return nil, fmt.Errorf("答案“%s”无法识别", s)
	}
	for _, c := range out {
		if c < 0 || c >= it.Choices() {
			return nil, fmt.Errorf("答案“%s”超出选项范围（本题有 %d 个选项）", s, it.Choices())
		}
	}
	if it.Kind == Single && len(out) > 1 {
		return nil, fmt.Errorf("单选题只能选一个答案，收到“%s”", s)
	}
	return out, nil
}

// Format writes an answer the way ParseAnswer reads it back: letters ("AC"), "" when
// unanswered.
func (a Answer) Format() string {
	var b strings.Builder
	for _, c := range a {
		b.WriteRune(rune('A' + c))
	}
	return b.String()
}

// DimensionLabel is a dimension's Chinese name.
func DimensionLabel(d string) string {
	switch d {
	case Knowledge:
		return "科学知识"
	case Method:
		return "科学方法"
	case Spirit:
		return "科学精神与思想"
	case Application:
		return "科学应用"
	}
	return d
}

// KindLabel is an item kind's Chinese name.
func KindLabel(k string) string {
	switch k {
	case TrueFalse:
		return "判断题"
	case Single:
		return "单选题"
	case Multi:
		return "多选题"
	}
	return k
}
