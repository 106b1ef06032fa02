package estimate

import (
	"fmt"
	"math"
	"testing"
)

func TestQuantiles(t *testing.T) {
	// values printed by R 4.2 with sprintf("%.17g")
	for _, c := range []struct{ got, want float64 }{
		{qnorm(0.975), 1.9599639845400536},
		{qt(0.975, 14), 2.1447866879178039},
		{qt(0.05, 3), -2.3533634348018255},
		{qt(0.975, 8590), 1.9602401894113599},
		{qbeta(0.025, 2.5, 7.25), 0.050814205495634486},
		{qbeta(0.975, 1500.5, 20.25), 0.99181458547761203},
	} {
		checkNum(t, "quantile", c.got, c.want)
	}
	if q := qbeta(0.3, 2.5, 7.25); math.Abs(pbeta(q, 2.5, 7.25)-0.3) > 1e-14 {
		t.Errorf("qbeta does not invert pbeta: %v", pbeta(q, 2.5, 7.25))
	}
}

func TestConfidenceIntervals(t *testing.T) {
	c1 := apiDesigns(t)["clus1"]
	m := must[Estimate](t)(c1.d.Mean(c1.tb.num(t, "api00")))
	for _, c := range []struct {
		name   string
		lo, hi float64
	}{
		{"clus1/ci_normal", 0, 0}, {"clus1/ci_t", 0, 0}, {"clus1/ci_t90", 0, 0},
	} {
		var lo, hi float64
		switch c.name {
		case "clus1/ci_normal":
			lo, hi = m.CI(0.95)
		case "clus1/ci_t":
			lo, hi = m.CIT(0.95)
		default:
			lo, hi = m.CIT(0.9)
		}
		w := want(t, c.name).Value
		checkNum(t, c.name+" lo", lo, w[0])
		checkNum(t, c.name+" hi", hi, w[1])
	}
}

func checkPropCIs(t *testing.T, p string, d *Design, y []float64) {
	t.Helper()
	methods := map[string]PropMethod{"beta": PropBeta, "mean": PropMean, "xlogit": PropXLogit, "asin": PropAsin}
	for _, lev := range []float64{0.95, 0.9} {
		for name, m := range methods {
			ci := must[PropInterval](t)(d.PropCI(y, m, lev, NARemove()))
			key := fmt.Sprintf("%s/ciprop_%s_%g", p, name, lev)
			w := want(t, key).Value
			checkNum(t, key+" p", ci.Value, w[0])
			checkNum(t, key+" se", ci.SE, w[1])
			checkNum(t, key+" lo", ci.Lo, w[2])
			checkNum(t, key+" hi", ci.Hi, w[3])
		}
		ci := must[PropInterval](t)(d.PropCI(y, PropLogit, lev, NARemove()))
		key := fmt.Sprintf("%s/ciprop_logitexact_%g", p, lev)
		w := want(t, key).Value
		checkNum(t, key+" p", ci.Value, w[0])
		checkNum(t, key+" lo", ci.Lo, w[1])
		checkNum(t, key+" hi", ci.Hi, w[2])
		// R's default glm stops at a relative deviance change of 1e-8
		key = fmt.Sprintf("%s/ciprop_logit_%g", p, lev)
		w = want(t, key).Value
		if !near(ci.Lo, w[2], 1e-6) || !near(ci.Hi, w[3], 1e-6) {
			t.Errorf("%s: (%v, %v), R (%v, %v)", key, ci.Lo, ci.Hi, w[2], w[3])
		}
	}
}

func yesNo(x []string) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		if v == "Yes" {
			y[i] = 1
		}
	}
	return y
}

func TestPropCI(t *testing.T) {
	c1 := apiDesigns(t)["clus1"]
	y := yesNo(c1.tb.str(t, "sch.wide"))
	checkPropCIs(t, "clus1", c1.d, y)
	st := c1.tb.str(t, "stype")
	keep := make([]bool, len(st))
	for i, s := range st {
		keep[i] = s == "H"
	}
	checkPropCIs(t, "clus1_H", must[*Design](t)(c1.d.Subset(keep)), y)
	nh := load(t, "nhanes")
	d := must[*Design](t)(NewDesign(Spec{Weights: nh.num(t, "WTMEC2YR"), Nest: true,
		Stages: []Stage{{Cluster: nh.str(t, "SDMVPSU"), Strata: nh.str(t, "SDMVSTRA")}}}))
	checkPropCIs(t, "nhanes", d, nh.num(t, "HI_CHOL"))
}
