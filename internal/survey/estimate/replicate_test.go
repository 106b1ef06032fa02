package estimate

import (
	"errors"
	"strconv"
	"testing"
)

func nhanes2(t *testing.T) (*Design, *table, []int) {
	nh := load(t, "nhanes")
	var rows []int
	for _, v := range want(t, "nhanes2/rows").Value {
		rows = append(rows, int(v))
	}
	d := must[*Design](t)(NewDesign(Spec{Weights: pick(nh.num(t, "WTMEC2YR"), rows), Nest: true,
		Stages: []Stage{{Cluster: pick(nh.str(t, "SDMVPSU"), rows), Strata: pick(nh.str(t, "SDMVSTRA"), rows)}}}))
	return d, nh, rows
}

func TestReplicatesFromDesign(t *testing.T) {
	ds := apiDesigns(t)
	c1, c1n, st, stn := ds["clus1"], ds["clus1_nofpc"], ds["strat"], ds["strat_nofpc"]
	jk1 := must[*Design](t)(c1.d.Replicates(RepOptions{Type: RepJK1}))
	std(t, "jk1", jk1, c1.tb, "enroll")
	checkBy(t, "jk1/by_stype", must[[]DomainEstimate](t)(jk1.MeanBy(c1.tb.num(t, "api00"), [][]string{c1.tb.str(t, "stype")})))
	checkEst(t, "jk1/mean_acsk3", 0, must[Estimate](t)(jk1.Mean(c1.tb.num(t, "acs.k3"), NARemove())))
	std(t, "jk1_mse", must[*Design](t)(c1.d.Replicates(RepOptions{Type: RepJK1, MSE: true})), c1.tb, "enroll")
	std(t, "jk1_nofpc", must[*Design](t)(c1n.d.Replicates(RepOptions{Type: RepJK1})), c1.tb, "enroll")
	std(t, "jkn", must[*Design](t)(st.d.Replicates(RepOptions{Type: RepJKn})), st.tb, "enroll")
	std(t, "jkn_nofpc_mse", must[*Design](t)(stn.d.Replicates(RepOptions{Type: RepJKn, MSE: true})), st.tb, "enroll")

	d2, nh, rows := nhanes2(t)
	hc := pick(nh.num(t, "HI_CHOL"), rows)
	brr := must[*Design](t)(d2.Replicates(RepOptions{Type: RepBRR}))
	checkEst(t, "brr/mean", 0, must[Estimate](t)(brr.Mean(hc, NARemove())))
	checkBy(t, "brr/by_race", must[[]DomainEstimate](t)(brr.MeanBy(hc, [][]string{pick(nh.str(t, "race"), rows)}, NARemove())))
	checkNum(t, "brr/degf", brr.DegF(), want(t, "brr/degf").Value[0])
	checkPropCIs(t, "brr", brr, hc)
	fay := must[*Design](t)(d2.Replicates(RepOptions{Type: RepFay, FayRho: 0.3}))
	checkEst(t, "fay/mean", 0, must[Estimate](t)(fay.Mean(hc, NARemove())))
	checkEst(t, "fay/total", 0, must[Estimate](t)(fay.Total(hc, NARemove())))
	fm := must[*Design](t)(d2.Replicates(RepOptions{Type: RepFay, FayRho: 0.3, MSE: true}))
	checkEst(t, "fay_mse/mean", 0, must[Estimate](t)(fm.Mean(hc, NARemove())))

	d := must[*Design](t)(NewDesign(Spec{Weights: nh.num(t, "WTMEC2YR"), Nest: true,
		Stages: []Stage{{Cluster: nh.str(t, "SDMVPSU"), Strata: nh.str(t, "SDMVSTRA")}}}))
	jkh := must[*Design](t)(d.Replicates(RepOptions{Type: RepJKn}))
	checkEst(t, "jkn_nhanes/mean", 0, must[Estimate](t)(jkh.Mean(nh.num(t, "HI_CHOL"), NARemove())))
	if _, err := d.Replicates(RepOptions{Type: RepBRR}); !errors.Is(err, ErrReplicates) {
		t.Errorf("BRR with a stratum of three PSUs: %v", err)
	}
	if _, err := d.Replicates(RepOptions{Type: RepJK1}); !errors.Is(err, ErrReplicates) {
		t.Errorf("JK1 on a stratified design: %v", err)
	}

	for _, rule := range []LonelyPSU{LonelyRemove, LonelyCertainty, LonelyAdjust, LonelyAverage} {
		dl, _, tb := lonelyDesigns(t, rule)
		j := must[*Design](t)(dl.Replicates(RepOptions{Type: RepJKn}))
		checkEst(t, "lonely_"+rule.String()+"_jkn/mean", 0, must[Estimate](t)(j.Mean(tb.num(t, "api00"))))
	}
	dl, _, _ := lonelyDesigns(t, LonelyFail)
	if _, err := dl.Replicates(RepOptions{Type: RepJKn}); !errors.Is(err, ErrLonelyPSU) {
		t.Errorf("JKn with a lonely PSU under fail: %v", err)
	}
}

func TestUserReplicates(t *testing.T) {
	sc := load(t, "scd")
	repw := [][]float64{{2, 0, 2, 0, 2, 0}, {2, 0, 0, 2, 0, 2}, {0, 2, 2, 0, 0, 2}, {0, 2, 0, 2, 2, 0}}
	alive, arrests := sc.num(t, "alive"), sc.num(t, "arrests")
	brr := must[*Design](t)(NewReplicateDesign(RepSpec{Replicates: repw, Type: RepBRR}))
	checkEst(t, "scd_brr/ratio", 0, must[Estimate](t)(brr.Ratio(alive, arrests)))
	checkEst(t, "scd_brr/total", 0, must[Estimate](t)(brr.Total(alive)))
	brrm := must[*Design](t)(NewReplicateDesign(RepSpec{Replicates: repw, Type: RepBRR, MSE: true}))
	checkEst(t, "scd_brr_mse/ratio", 0, must[Estimate](t)(brrm.Ratio(alive, arrests)))
	other := must[*Design](t)(NewReplicateDesign(RepSpec{Replicates: repw, Type: RepOther, Scale: 0.5, RScales: []float64{1, 0.5, 1, 2}}))
	checkEst(t, "scd_other/mean", 0, must[Estimate](t)(other.Mean(alive)))
	fw := make([][]float64, len(repw))
	for k, r := range repw {
		fw[k] = make([]float64, len(r))
		for i, v := range r {
			fw[k][i] = v*0.75 + 0.25*(2-v)
		}
	}
	fay := must[*Design](t)(NewReplicateDesign(RepSpec{Replicates: fw, Type: RepFay, FayRho: 0.25}))
	checkEst(t, "scd_fay/mean", 0, must[Estimate](t)(fay.Mean(alive)))

	c1 := apiDesigns(t)["clus1"]
	jt := load(t, "apiclus1_jk1")
	var reps [][]float64
	for k := 1; ; k++ {
		c, ok := jt.cols["V"+strconv.Itoa(k)]
		if !ok {
			break
		}
		reps = append(reps, jt.num(t, "V"+strconv.Itoa(k)))
		_ = c
	}
	n := float64(len(reps))
	u := must[*Design](t)(NewReplicateDesign(RepSpec{Weights: c1.tb.num(t, "pw"), Replicates: reps, Combined: true, Type: RepJK1, Scale: (n - 1) / n}))
	std(t, "user_jk1", u, c1.tb, "enroll")

	if _, err := NewReplicateDesign(RepSpec{Replicates: [][]float64{{1, 2}, {1}}, Type: RepOther}); !errors.Is(err, ErrColumns) {
		t.Errorf("ragged replicate weights: %v", err)
	}
	if _, err := NewReplicateDesign(RepSpec{Type: RepOther}); !errors.Is(err, ErrReplicates) {
		t.Errorf("no replicates: %v", err)
	}
}

func TestCalibratedReplicates(t *testing.T) {
	c1 := apiDesigns(t)["clus1"]
	jk1 := must[*Design](t)(c1.d.Replicates(RepOptions{Type: RepJK1}))
	std(t, "jk1_ps", must[*Design](t)(jk1.PostStratify(Margin{Name: "stype", Var: c1.tb.str(t, "stype"), Totals: popTypes})), c1.tb, "enroll")
	margins := []Margin{
		{Name: "stype", Var: c1.tb.str(t, "stype"), Totals: popTypes},
		{Name: "sch.wide", Var: c1.tb.str(t, "sch.wide"), Totals: popSchWide(t)},
	}
	std(t, "jk1_rake", must[*Design](t)(jk1.Rake(margins, RakeControl{})), c1.tb, "enroll")
	tot := []float64{6194, 755, 1018, want(t, "pop/api99").Value[0]}
	std(t, "jk1_cal", must[*Design](t)(jk1.Calibrate(calColumns(c1.tb, t), tot, CalLinear)), c1.tb, "enroll")
	std(t, "jk1_calrake", must[*Design](t)(jk1.Calibrate(calColumns(c1.tb, t), tot, CalRaking)), c1.tb, "enroll")
}
