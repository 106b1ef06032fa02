package estimate

import (
	"errors"
	"strings"
	"testing"
)

var popTypes = map[string]float64{"E": 4421, "H": 755, "M": 1018}

func popSchWide(t *testing.T) map[string]float64 {
	v := want(t, "pop/schwide").Value
	return map[string]float64{"No": v[0], "Yes": v[1]}
}

func calColumns(tb *table, t *testing.T) [][]float64 {
	st := tb.str(t, "stype")
	one, h, m := make([]float64, len(st)), make([]float64, len(st)), make([]float64, len(st))
	for i, s := range st {
		one[i] = 1
		if s == "H" {
			h[i] = 1
		}
		if s == "M" {
			m[i] = 1
		}
	}
	return [][]float64{one, h, m, tb.num(t, "api99")}
}

func TestPostStratify(t *testing.T) {
	ds := apiDesigns(t)
	c1, st := ds["clus1"], ds["strat"]
	ps := must[*Design](t)(c1.d.PostStratify(Margin{Name: "stype", Var: c1.tb.str(t, "stype"), Totals: popTypes}))
	std(t, "ps", ps, c1.tb, "enroll")
	api := c1.tb.num(t, "api00")
	checkBy(t, "ps/by_schwide", must[[]DomainEstimate](t)(ps.MeanBy(api, [][]string{c1.tb.str(t, "sch.wide")})))
	checkBy(t, "ps/by_stype", must[[]DomainEstimate](t)(ps.MeanBy(api, [][]string{c1.tb.str(t, "stype")})))
	checkEst(t, "ps/mean_acsk3", 0, must[Estimate](t)(ps.Mean(c1.tb.num(t, "acs.k3"), NARemove())))
	ps2 := must[*Design](t)(st.d.PostStratify(Margin{Name: "sch.wide", Var: st.tb.str(t, "sch.wide"), Totals: popSchWide(t)}))
	std(t, "ps_strat", ps2, st.tb, "enroll")
}

func TestRake(t *testing.T) {
	c1 := apiDesigns(t)["clus1"]
	margins := []Margin{
		{Name: "stype", Var: c1.tb.str(t, "stype"), Totals: popTypes},
		{Name: "sch.wide", Var: c1.tb.str(t, "sch.wide"), Totals: popSchWide(t)},
	}
	rk := must[*Design](t)(c1.d.Rake(margins, RakeControl{}))
	std(t, "rake", rk, c1.tb, "enroll")
	checkBy(t, "rake/by_stype", must[[]DomainEstimate](t)(rk.MeanBy(c1.tb.num(t, "api00"), [][]string{c1.tb.str(t, "stype")})))
	w := want(t, "rake/weights").Value
	for i, v := range rk.Weights() {
		checkNum(t, "raked weight", v, w[i])
	}
	// R's default rake (epsilon 1, at most 10 sweeps) stops early: the fixed point differs
	// from it by about 1e-7 here
	rd := want(t, "rake_default/mean").Value[0]
	m := must[Estimate](t)(rk.Mean(c1.tb.num(t, "api00")))
	if !near(m.Value, rd, 1e-6) {
		t.Errorf("raked mean %v far from R's default %v", m.Value, rd)
	}
	// not converging within the limit is an error, not a design
	if d, err := c1.d.Rake(margins, RakeControl{MaxIter: 1, Epsilon: 1e-15}); !errors.Is(err, ErrNotConverged) || d != nil {
		t.Errorf("raking stopped after one sweep: %v, %v", d, err)
	}
}

func TestCalibrate(t *testing.T) {
	ds := apiDesigns(t)
	c1, c2 := ds["clus1"], ds["clus2"]
	api99 := want(t, "pop/api99").Value[0]
	tot := []float64{6194, 755, 1018, api99}
	cl := must[*Design](t)(c1.d.Calibrate(calColumns(c1.tb, t), tot, CalLinear))
	std(t, "cal_linear", cl, c1.tb, "enroll")
	checkBy(t, "cal_linear/by_stype", must[[]DomainEstimate](t)(cl.MeanBy(c1.tb.num(t, "api00"), [][]string{c1.tb.str(t, "stype")})))
	cr := must[*Design](t)(c1.d.Calibrate(calColumns(c1.tb, t), tot, CalRaking))
	std(t, "cal_raking", cr, c1.tb, "enroll")
	checkBy(t, "cal_raking/by_stype", must[[]DomainEstimate](t)(cr.MeanBy(c1.tb.num(t, "api00"), [][]string{c1.tb.str(t, "stype")})))
	cc := calColumns(c2.tb, t)[:3]
	c2c := must[*Design](t)(c2.d.Calibrate(cc, []float64{6194, 755, 1018}, CalLinear))
	std(t, "cal_clus2", c2c, c2.tb, "enroll")
}

func TestMarginErrors(t *testing.T) {
	c1 := apiDesigns(t)["clus1"]
	st := c1.tb.str(t, "stype")
	_, err := c1.d.PostStratify(Margin{Name: "stype", Var: st, Totals: map[string]float64{"E": 4421, "H": 755}})
	if !errors.Is(err, ErrMargin) || !strings.Contains(err.Error(), `"M"`) {
		t.Errorf("sample category without a total: %v", err)
	}
	_, err = c1.d.PostStratify(Margin{Name: "stype", Var: st, Totals: map[string]float64{"E": 4421, "H": 755, "M": 1018, "X": 5}})
	if !errors.Is(err, ErrMargin) || !strings.Contains(err.Error(), `"X"`) {
		t.Errorf("population category without respondents: %v", err)
	}
	var me *MarginError
	if !errors.As(err, &me) || me.Problem != "no respondent" || me.Margin != "stype" || len(me.Categories) != 1 || me.Categories[0] != "X" {
		t.Errorf("margin error details: %+v", me)
	}
	_, err = c1.d.Rake([]Margin{{Name: "sex", Var: st, Totals: map[string]float64{"E": 1, "H": 1, "M": 1, "Q": 3}}}, RakeControl{})
	if !errors.Is(err, ErrMargin) || !strings.Contains(err.Error(), `"Q"`) || !strings.Contains(err.Error(), `"sex"`) {
		t.Errorf("raking margin without respondents: %v", err)
	}
	_, err = c1.d.PostStratify(Margin{Name: "stype", Var: st[:5], Totals: popTypes})
	if !errors.Is(err, ErrColumns) {
		t.Errorf("short margin column: %v", err)
	}
	one := make([]float64, c1.d.N())
	for i := range one {
		one[i] = 1
	}
	if _, err := c1.d.Calibrate([][]float64{one, one}, []float64{6194, 6194}, CalLinear); !errors.Is(err, ErrMargin) {
		t.Errorf("collinear calibration columns: %v", err)
	}
}
