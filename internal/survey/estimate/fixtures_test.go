package estimate

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The fixtures in testdata/ are written by scripts/survey-fixtures.sh with R's survey package
// (Debian r-cran-survey 4.1-1): the example data sets as CSV and R's results in expected.json.

const relTol = 1e-9

type table struct {
	cols map[string][]string
	n    int
}

var (
	tablesMu sync.Mutex
	tables   = map[string]*table{}
)

func load(t testing.TB, name string) *table {
	t.Helper()
	tablesMu.Lock()
	defer tablesMu.Unlock()
	if tb, ok := tables[name]; ok {
		return tb
	}
	f, err := os.Open(filepath.Join("testdata", name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	tb := &table{cols: map[string][]string{}, n: len(recs) - 1}
	for j, h := range recs[0] {
		col := make([]string, tb.n)
		for i := range col {
			col[i] = recs[i+1][j]
		}
		tb.cols[h] = col
	}
	tables[name] = tb
	return tb
}

func (tb *table) str(t testing.TB, col string) []string {
	t.Helper()
	c, ok := tb.cols[col]
	if !ok {
		t.Fatalf("no column %q", col)
	}
	return c
}

func (tb *table) num(t testing.TB, col string) []float64 {
	t.Helper()
	c := tb.str(t, col)
	out := make([]float64, len(c))
	for i, s := range c {
		if s == "" {
			out[i] = math.NaN()
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s row %d: %v", col, i+1, err)
		}
		out[i] = v
	}
	return out
}

// rows keeps only the given rows (1-based) of a column.
func pick[T any](x []T, rows []int) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = x[r-1]
	}
	return out
}

type result struct {
	Value []float64 `json:"value"`
	SE    []float64 `json:"se"`
	DEff  []float64 `json:"deff"`
	Names []string  `json:"names"`
	Keys  []string  `json:"keys"`
	Error string    `json:"error"`
}

var (
	expOnce sync.Once
	exp     map[string]result
	expErr  error
)

func want(t testing.TB, name string) result {
	t.Helper()
	expOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join("testdata", "expected.json"))
		if err != nil {
			expErr = err
			return
		}
		expErr = json.Unmarshal(b, &exp)
	})
	if expErr != nil {
		t.Fatal(expErr)
	}
	r, ok := exp[name]
	if !ok {
		t.Fatalf("no expected result %q", name)
	}
	return r
}

func near(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if want == 0 {
		return math.Abs(got) <= 1e-12
	}
	return math.Abs(got-want) <= tol*math.Abs(want)
}

func checkNum(t testing.TB, what string, got, want float64) {
	t.Helper()
	if !near(got, want, relTol) {
		t.Errorf("%s = %.17g, R %.17g (rel %.2g)", what, got, want, math.Abs(got-want)/math.Abs(want))
	}
}

func checkEst(t testing.TB, name string, i int, e Estimate) {
	t.Helper()
	r := want(t, name)
	checkNum(t, name+" value", e.Value, r.Value[i])
	// a standard error at rounding level (a calibrated total) is zero in both
	if floor := 1e-9 * math.Max(math.Abs(r.Value[i]), 1); r.SE != nil && r.SE[i] < floor && e.SE < floor {
		return
	}
	if r.SE != nil {
		checkNum(t, name+" se", e.SE, r.SE[i])
	}
	if r.DEff != nil {
		checkNum(t, name+" deff", e.DEff, r.DEff[i])
	}
}

func checkLevels(t testing.TB, name, prefix string, ls []Level) {
	t.Helper()
	r := want(t, name)
	if len(ls) != len(r.Value) {
		t.Fatalf("%s: %d levels, R %d", name, len(ls), len(r.Value))
	}
	for i, l := range ls {
		if prefix+l.Level != r.Names[i] {
			t.Errorf("%s: level %d is %q, R %q", name, i, l.Level, r.Names[i])
		}
		checkEst(t, name, i, l.Estimate)
	}
}

func checkBy(t testing.TB, name string, ds []DomainEstimate) {
	t.Helper()
	checkByResult(t, name, want(t, name), ds)
}

func checkByResult(t testing.TB, name string, r result, ds []DomainEstimate) {
	t.Helper()
	if len(ds) != len(r.Keys) {
		t.Fatalf("%s: %d domains, R %d", name, len(ds), len(r.Keys))
	}
	idx := map[string]int{}
	for i, k := range r.Keys {
		idx[k] = i
	}
	for _, e := range ds {
		k := strings.Join(e.Key, "|")
		i, ok := idx[k]
		if !ok {
			t.Errorf("%s: domain %q not in R's result", name, k)
			continue
		}
		checkNum(t, name+" "+k+" value", e.Value, r.Value[i])
		checkNum(t, name+" "+k+" se", e.SE, r.SE[i])
		if r.DEff != nil {
			checkNum(t, name+" "+k+" deff", e.DEff, r.DEff[i])
		}
	}
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// std checks the estimates that scripts/survey-fixtures.R computes for every api design.
func std(t *testing.T, p string, d *Design, tb *table, tot string) {
	t.Helper()
	checkEst(t, p+"/mean", 0, must[Estimate](t)(d.Mean(tb.num(t, "api00"))))
	checkEst(t, p+"/total", 0, must[Estimate](t)(d.Total(tb.num(t, tot), NARemove())))
	checkEst(t, p+"/ratio", 0, must[Estimate](t)(d.Ratio(tb.num(t, "api00"), tb.num(t, "api99"))))
	checkLevels(t, p+"/prop", "sch.wide", must[[]Level](t)(d.Proportions(tb.str(t, "sch.wide"))))
	checkLevels(t, p+"/levtot", "stype", must[[]Level](t)(d.LevelTotals(tb.str(t, "stype"))))
	checkNum(t, p+"/degf", d.DegF(), want(t, p+"/degf").Value[0])
}
