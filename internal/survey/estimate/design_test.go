package estimate

import (
	"errors"
	"testing"
)

// apiDesigns builds the designs of scripts/survey-fixtures.R on the api samples.
func apiDesigns(t *testing.T) map[string]struct {
	d   *Design
	tb  *table
	tot string
} {
	srs, strat, clus1, clus2 := load(t, "apisrs"), load(t, "apistrat"), load(t, "apiclus1"), load(t, "apiclus2")
	strat2 := load(t, "apistrat2")
	mk := func(s Spec) *Design { return must[*Design](t)(NewDesign(s)) }
	type entry = struct {
		d   *Design
		tb  *table
		tot string
	}
	return map[string]entry{
		"srs":         {mk(Spec{Stages: []Stage{{FPC: srs.num(t, "fpc")}}}), srs, "enroll"},
		"srs_w":       {mk(Spec{Weights: srs.num(t, "pw")}), srs, "enroll"},
		"strat":       {mk(Spec{Weights: strat.num(t, "pw"), Stages: []Stage{{Strata: strat.str(t, "stype"), FPC: strat.num(t, "fpc")}}}), strat, "enroll"},
		"strat_nofpc": {mk(Spec{Weights: strat.num(t, "pw"), Stages: []Stage{{Strata: strat.str(t, "stype")}}}), strat, "enroll"},
		"clus1":       {mk(Spec{Weights: clus1.num(t, "pw"), Stages: []Stage{{Cluster: clus1.str(t, "dnum"), FPC: clus1.num(t, "fpc")}}}), clus1, "enroll"},
		"clus1_nofpc": {mk(Spec{Weights: clus1.num(t, "pw"), Stages: []Stage{{Cluster: clus1.str(t, "dnum")}}}), clus1, "enroll"},
		"clus2": {mk(Spec{Stages: []Stage{
			{Cluster: clus2.str(t, "dnum"), FPC: clus2.num(t, "fpc1")},
			{Cluster: clus2.str(t, "snum"), FPC: clus2.num(t, "fpc2")}}}), clus2, "enroll"},
		"clus2_frac": {mk(Spec{Stages: []Stage{
			{Cluster: clus2.str(t, "dnum"), FPC: clus2.num(t, "f1")},
			{Cluster: clus2.str(t, "snum"), FPC: clus2.num(t, "f2")}}}), clus2, "enroll"},
		"clus2_w": {mk(Spec{Weights: clus2.num(t, "pw"), Stages: []Stage{
			{Cluster: clus2.str(t, "dnum")}, {Cluster: clus2.str(t, "snum")}}}), clus2, "enroll"},
		"clus2_wfpc": {mk(Spec{Weights: clus2.num(t, "pw"), Stages: []Stage{
			{Cluster: clus2.str(t, "dnum"), FPC: clus2.num(t, "fpc1")},
			{Cluster: clus2.str(t, "snum"), FPC: clus2.num(t, "fpc2")}}}), clus2, "enroll"},
		"clus2_inf": {mk(Spec{Weights: clus2.num(t, "pw"), Lonely: LonelyAdjust, Stages: []Stage{
			{Cluster: clus2.str(t, "dnum"), FPC: clus2.num(t, "fpc1")}, {Cluster: clus2.str(t, "snum")}}}), clus2, "enroll"},
		"strat2": {mk(Spec{Nest: true, Lonely: LonelyRemove, Stages: []Stage{
			{Cluster: strat2.str(t, "dnum"), Strata: strat2.str(t, "stype"), FPC: strat2.num(t, "N1")},
			{Cluster: strat2.str(t, "snum"), FPC: strat2.num(t, "N2")}}}), strat2, "enroll"},
		"strat2_w": {mk(Spec{Nest: true, Lonely: LonelyAdjust, Weights: strat2.num(t, "pw"), Stages: []Stage{
			{Cluster: strat2.str(t, "dnum"), Strata: strat2.str(t, "stype"), FPC: strat2.num(t, "N1")},
			{Cluster: strat2.str(t, "snum"), FPC: strat2.num(t, "N2")}}}), strat2, "enroll"},
	}
}

func TestDesignsMatchR(t *testing.T) {
	for name, e := range apiDesigns(t) {
		t.Run(name, func(t *testing.T) { std(t, name, e.d, e.tb, e.tot) })
	}
}

func TestWeightsFromFPC(t *testing.T) {
	d := apiDesigns(t)["clus2"].d
	w := want(t, "clus2/weights").Value
	for i, v := range d.Weights() {
		checkNum(t, "weight", v, w[i])
	}
}

func TestNARemove(t *testing.T) {
	ds := apiDesigns(t)
	clus1, clus2 := ds["clus1"], ds["clus2"]
	acs1, acs2 := clus1.tb.num(t, "acs.k3"), clus2.tb.num(t, "acs.k3")
	checkEst(t, "clus2/mean_acsk3", 0, must[Estimate](t)(clus2.d.Mean(acs2, NARemove())))
	checkEst(t, "clus1/mean_acsk3", 0, must[Estimate](t)(clus1.d.Mean(acs1, NARemove())))
	checkEst(t, "clus1/ratio_acsk3", 0, must[Estimate](t)(clus1.d.Ratio(acs1, clus1.tb.num(t, "api99"), NARemove())))
	if _, err := clus1.d.Mean(acs1); !errors.Is(err, ErrMissingValue) {
		t.Errorf("missing value without NARemove: %v", err)
	}
}

func TestNhanesYrbsScd(t *testing.T) {
	nh := load(t, "nhanes")
	d := must[*Design](t)(NewDesign(Spec{Weights: nh.num(t, "WTMEC2YR"), Nest: true,
		Stages: []Stage{{Cluster: nh.str(t, "SDMVPSU"), Strata: nh.str(t, "SDMVSTRA")}}}))
	hc := nh.num(t, "HI_CHOL")
	checkEst(t, "nhanes/mean", 0, must[Estimate](t)(d.Mean(hc, NARemove())))
	checkEst(t, "nhanes/total", 0, must[Estimate](t)(d.Total(hc, NARemove())))
	checkLevels(t, "nhanes/prop", "agecat", must[[]Level](t)(d.Proportions(nh.str(t, "agecat"))))
	checkNum(t, "nhanes/degf", d.DegF(), want(t, "nhanes/degf").Value[0])

	yr := load(t, "yrbs")
	dy := must[*Design](t)(NewDesign(Spec{Weights: yr.num(t, "weight"), Nest: true,
		Stages: []Stage{{Cluster: yr.str(t, "psu"), Strata: yr.str(t, "stratum")}}}))
	checkEst(t, "yrbs/mean", 0, must[Estimate](t)(dy.Mean(yr.num(t, "qn8"), NARemove())))
	checkNum(t, "yrbs/degf", dy.DegF(), want(t, "yrbs/degf").Value[0])

	sc := load(t, "scd")
	ds := must[*Design](t)(NewDesign(Spec{Weights: []float64{1, 1, 1, 1, 1, 1}, Nest: true,
		Stages: []Stage{{Cluster: sc.str(t, "ambulance"), Strata: sc.str(t, "ESA"), FPC: []float64{5, 5, 5, 5, 5, 5}}}}))
	checkEst(t, "scd/ratio", 0, must[Estimate](t)(ds.Ratio(sc.num(t, "alive"), sc.num(t, "arrests"))))
	checkEst(t, "scd/total", 0, must[Estimate](t)(ds.Total(sc.num(t, "alive"))))
}
