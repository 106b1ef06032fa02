package estimate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The speed set of issue #7: 300,000 respondents in 30 strata and 3,000 PSUs; design, mean
// with SE, domain means for 10 regions and 40 region × age cells, raking to two margins
// (region, age group) and the same domain means on the raked design. scripts/survey-bench.sh
// runs it side by side with R (scripts/survey-bench.R) on the same data and checks that the
// results agree.

type benchData struct {
	stratum, psu, region, age []string
	w, y                      []float64
	regionTot, ageTot         map[string]float64
}

func makeBenchData() *benchData {
	const strata, psuPer, per = 30, 100, 100
	n := strata * psuPer * per
	r := rand.New(rand.NewPCG(7, 2026))
	b := &benchData{stratum: make([]string, n), psu: make([]string, n), region: make([]string, n), age: make([]string, n),
		w: make([]float64, n), y: make([]float64, n)}
	i := 0
	for h := 0; h < strata; h++ {
		for p := 0; p < psuPer; p++ {
			reg := r.IntN(10)
			base := 50 + 10*float64(h%7) + 5*r.Float64()
			for k := 0; k < per; k++ {
				a := r.IntN(4)
				b.stratum[i] = "s" + strconv.Itoa(h+1)
				b.psu[i] = strconv.Itoa(p + 1)
				b.region[i] = "r" + strconv.Itoa(reg+1)
				if r.Float64() < 0.2 {
					b.region[i] = "r" + strconv.Itoa(r.IntN(10)+1)
				}
				b.age[i] = "a" + strconv.Itoa(a+1)
				b.w[i] = base * (0.8 + 0.4*r.Float64())
				pr := 0.03 + 0.01*float64(reg%5) + 0.02*float64(3-a)
				if r.Float64() < pr {
					b.y[i] = 1
				}
				i++
			}
		}
	}
	// population margins: the weighted sample counts, shifted a little, with one grand total
	rs, as := map[string]float64{}, map[string]float64{}
	var tot float64
	for i := range b.w {
		rs[b.region[i]] += b.w[i]
		as[b.age[i]] += b.w[i]
		tot += b.w[i]
	}
	b.regionTot, b.ageTot = map[string]float64{}, map[string]float64{}
	var rt, at float64
	for k, v := range rs {
		j, _ := strconv.Atoi(k[1:])
		b.regionTot[k] = math.Round(v * (1 + 0.04*float64(j%3-1)))
		rt += b.regionTot[k]
	}
	for k, v := range as {
		j, _ := strconv.Atoi(k[1:])
		as[k] = v * (1 + 0.05*float64(j-2))
		at += as[k]
	}
	for k, v := range as {
		b.ageTot[k] = v * rt / at
	}
	return b
}

type benchResult struct {
	Mean, SE               float64
	Region, RegionAge      []DomainEstimate
	RakedRegion, RakedCell []DomainEstimate
}

func runBench(b *benchData) (benchResult, error) {
	var out benchResult
	d, err := NewDesign(Spec{Weights: b.w, Nest: true, Stages: []Stage{{Cluster: b.psu, Strata: b.stratum}}})
	if err != nil {
		return out, err
	}
	m, err := d.Mean(b.y)
	if err != nil {
		return out, err
	}
	out.Mean, out.SE = m.Value, m.SE
	if out.Region, err = d.MeanBy(b.y, [][]string{b.region}); err != nil {
		return out, err
	}
	if out.RegionAge, err = d.MeanBy(b.y, [][]string{b.region, b.age}); err != nil {
		return out, err
	}
	rk, err := d.Rake([]Margin{{Name: "region", Var: b.region, Totals: b.regionTot}, {Name: "age", Var: b.age, Totals: b.ageTot}}, RakeControl{})
	if err != nil {
		return out, err
	}
	if out.RakedRegion, err = rk.MeanBy(b.y, [][]string{b.region}); err != nil {
		return out, err
	}
	out.RakedCell, err = rk.MeanBy(b.y, [][]string{b.region, b.age})
	return out, err
}

func BenchmarkSpeedSet300k(b *testing.B) {
	data := makeBenchData()
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	n := 0
	for b.Loop() {
		if _, err := runBench(data); err != nil {
			b.Fatal(err)
		}
		n++
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	b.ReportMetric(cpu.Seconds()/float64(n), "cpu-s/op")
}

// TestSpeedSetAgainstR writes the benchmark data for R (KEPU_SURVEY_BENCH_DIR/data.csv and
// margins.csv) and, when R's results (r.json) are there, compares them with ours.
func TestSpeedSetAgainstR(t *testing.T) {
	dir := os.Getenv("KEPU_SURVEY_BENCH_DIR")
	if dir == "" {
		t.Skip("KEPU_SURVEY_BENCH_DIR not set (scripts/survey-bench.sh sets it)")
	}
	data := makeBenchData()
	rpath := filepath.Join(dir, "r.json")
	if _, err := os.Stat(rpath); err != nil {
		writeBenchData(t, dir, data)
		return
	}
	got, err := runBench(data)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(rpath)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]result
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	checkNum(t, "mean", got.Mean, r["mean"].Value[0])
	checkNum(t, "se", got.SE, r["mean"].SE[0])
	checkByResult(t, "region", r["region"], got.Region)
	checkByResult(t, "region_age", r["region_age"], got.RegionAge)
	checkByResult(t, "raked_region", r["raked_region"], got.RakedRegion)
	checkByResult(t, "raked_region_age", r["raked_region_age"], got.RakedCell)
	t.Logf("%d results equal R's to %g", 2+2*(len(got.Region)+len(got.RegionAge)+len(got.RakedRegion)+len(got.RakedCell)), relTol)
}

func writeBenchData(t *testing.T, dir string, b *benchData) {
	f, err := os.Create(filepath.Join(dir, "data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "stratum,psu,region,age,w,y")
	for i := range b.w {
		fmt.Fprintf(w, "%s,%s,%s,%s,%s,%g\n", b.stratum[i], b.psu[i], b.region[i], b.age[i],
			strconv.FormatFloat(b.w[i], 'g', 17, 64), b.y[i])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var m strings.Builder
	m.WriteString("margin,category,total\n")
	for _, k := range levelsOf(keys(b.regionTot)) {
		fmt.Fprintf(&m, "region,%s,%s\n", k, strconv.FormatFloat(b.regionTot[k], 'g', 17, 64))
	}
	for _, k := range levelsOf(keys(b.ageTot)) {
		fmt.Fprintf(&m, "age,%s,%s\n", k, strconv.FormatFloat(b.ageTot[k], 'g', 17, 64))
	}
	if err := os.WriteFile(filepath.Join(dir, "margins.csv"), []byte(m.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func keys(m map[string]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
