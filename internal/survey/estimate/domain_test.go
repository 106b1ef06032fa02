package estimate

import (
	"errors"
	"strings"
	"testing"
)

func lonelyDesigns(t *testing.T, rule LonelyPSU) (strat, clus *Design, tb *table) {
	tb = load(t, "apistrat")
	strat = must[*Design](t)(NewDesign(Spec{Weights: tb.num(t, "pw"), Lonely: rule,
		Stages: []Stage{{Strata: tb.str(t, "cname")}}}))
	clus = must[*Design](t)(NewDesign(Spec{Weights: tb.num(t, "pw"), Lonely: rule, Nest: true,
		Stages: []Stage{{Cluster: tb.str(t, "dnum"), Strata: tb.str(t, "cname")}}}))
	return
}

func TestLonelyPSU(t *testing.T) {
	for _, rule := range []LonelyPSU{LonelyRemove, LonelyCertainty, LonelyAdjust, LonelyAverage} {
		t.Run(rule.String(), func(t *testing.T) {
			d, dc, tb := lonelyDesigns(t, rule)
			p := "lonely_" + rule.String()
			checkEst(t, p+"/mean", 0, must[Estimate](t)(d.Mean(tb.num(t, "api00"))))
			checkEst(t, p+"/total", 0, must[Estimate](t)(d.Total(tb.num(t, "enroll"))))
			checkEst(t, p+"_clus/mean", 0, must[Estimate](t)(dc.Mean(tb.num(t, "api00"))))
			checkBy(t, p+"/by_stype", must[[]DomainEstimate](t)(d.MeanBy(tb.num(t, "api00"), [][]string{tb.str(t, "stype")})))
		})
	}
	t.Run("fail", func(t *testing.T) {
		d, dc, tb := lonelyDesigns(t, LonelyFail)
		for _, dd := range []*Design{d, dc} {
			_, err := dd.Mean(tb.num(t, "api00"))
			var le *LonelyPSUError
			if !errors.Is(err, ErrLonelyPSU) || !errors.As(err, &le) || le.Stratum != "Amador" || le.Stage != 1 {
				t.Errorf("lonely PSU under fail: %v (R: %s)", err, want(t, "lonely_fail/mean").Error)
			}
		}
		// at stage 2: a district with one sampled school
		tb2 := load(t, "apistrat2")
		d2 := must[*Design](t)(NewDesign(Spec{Nest: true, Stages: []Stage{
			{Cluster: tb2.str(t, "dnum"), Strata: tb2.str(t, "stype"), FPC: tb2.num(t, "N1")},
			{Cluster: tb2.str(t, "snum"), FPC: tb2.num(t, "N2")}}}))
		if _, err := d2.Mean(tb2.num(t, "api00")); !errors.Is(err, ErrLonelyPSU) || !strings.Contains(err.Error(), "stage 2") {
			t.Errorf("lonely unit at stage 2 under fail: %v (R: %s)", err, want(t, "strat2_fail/mean").Error)
		}
	})
}

func TestDomains(t *testing.T) {
	ds := apiDesigns(t)
	c1, st, c2 := ds["clus1"], ds["strat"], ds["clus2"]
	api := c1.tb.num(t, "api00")
	by1 := [][]string{c1.tb.str(t, "stype")}
	checkBy(t, "clus1/by_stype", must[[]DomainEstimate](t)(c1.d.MeanBy(api, by1)))
	checkBy(t, "clus1/by_stype_schwide", must[[]DomainEstimate](t)(c1.d.MeanBy(api,
		[][]string{c1.tb.str(t, "stype"), c1.tb.str(t, "sch.wide")})))
	checkBy(t, "clus1/total_by_stype", must[[]DomainEstimate](t)(c1.d.TotalBy(c1.tb.num(t, "enroll"), by1)))
	checkBy(t, "clus1/ratio_by_stype", must[[]DomainEstimate](t)(c1.d.RatioBy(api, c1.tb.num(t, "api99"), by1)))
	checkBy(t, "strat/by_schwide", must[[]DomainEstimate](t)(st.d.MeanBy(st.tb.num(t, "api00"), [][]string{st.tb.str(t, "sch.wide")})))
	checkBy(t, "clus2/by_stype", must[[]DomainEstimate](t)(c2.d.MeanBy(c2.tb.num(t, "api00"), [][]string{c2.tb.str(t, "stype")})))

	doms := must[[]Domain](t)(c1.d.Domains(by1...))
	n := 0
	for _, dm := range doms {
		n += dm.Design.Respondents()
	}
	if n != c1.d.Respondents() || n != 183 {
		t.Errorf("respondents in the domains: %d, design %d, want 183", n, c1.d.Respondents())
	}
	for _, dm := range doms {
		if dm.Key[0] == "E" {
			checkNum(t, "clus1/degf_E", dm.Design.DegF(), want(t, "clus1/degf_E").Value[0])
		}
	}
	// order: first variable fastest, as R
	two := must[[]DomainEstimate](t)(c1.d.MeanBy(api, [][]string{c1.tb.str(t, "stype"), c1.tb.str(t, "sch.wide")}))
	var got []string
	for _, e := range two {
		got = append(got, strings.Join(e.Key, "|"))
	}
	if g, w := strings.Join(got, " "), strings.Join(want(t, "clus1/by_stype_schwide").Keys, " "); g != w {
		t.Errorf("domain order %s, R %s", g, w)
	}

	nh := load(t, "nhanes")
	d := must[*Design](t)(NewDesign(Spec{Weights: nh.num(t, "WTMEC2YR"), Nest: true,
		Stages: []Stage{{Cluster: nh.str(t, "SDMVPSU"), Strata: nh.str(t, "SDMVSTRA")}}}))
	hc := nh.num(t, "HI_CHOL")
	checkBy(t, "nhanes/by_race", must[[]DomainEstimate](t)(d.MeanBy(hc, [][]string{nh.str(t, "race")}, NARemove())))
	checkBy(t, "nhanes/by_race_agecat", must[[]DomainEstimate](t)(d.MeanBy(hc, [][]string{nh.str(t, "race"), nh.str(t, "agecat")}, NARemove())))
}

func TestLonelyInDomain(t *testing.T) {
	tb := load(t, "apistrat")
	cn := tb.str(t, "cname")
	keep := make([]bool, len(cn))
	for i, c := range cn {
		switch c {
		case "Alameda", "Fresno", "Kern", "Los Angeles", "Orange", "San Diego":
			keep[i] = true
		}
	}
	for _, rule := range []LonelyPSU{LonelyRemove, LonelyCertainty, LonelyAdjust, LonelyAverage} {
		t.Run(rule.String(), func(t *testing.T) {
			d := must[*Design](t)(NewDesign(Spec{Weights: tb.num(t, "pw"), Lonely: rule, LonelyDomain: true, Nest: true,
				Stages: []Stage{{Cluster: tb.str(t, "dnum"), Strata: tb.str(t, "stype")}}}))
			s := must[*Design](t)(d.Subset(keep))
			checkBy(t, "lonelydom_"+rule.String()+"/by_cname", must[[]DomainEstimate](t)(s.MeanBy(tb.num(t, "api00"), [][]string{cn})))
		})
	}
}

// One calibrated design used from several goroutines (run with -race): the caches filled on
// first use must be safe.
func TestConcurrentUse(t *testing.T) {
	c1 := apiDesigns(t)["clus1"]
	rk := must[*Design](t)(c1.d.Rake([]Margin{
		{Name: "stype", Var: c1.tb.str(t, "stype"), Totals: popTypes},
		{Name: "sch.wide", Var: c1.tb.str(t, "sch.wide"), Totals: popSchWide(t)},
	}, RakeControl{}))
	api, by := c1.tb.num(t, "api00"), [][]string{c1.tb.str(t, "stype")}
	done := make(chan []DomainEstimate)
	for range 4 {
		go func() {
			r, _ := rk.MeanBy(api, by)
			done <- r
		}()
	}
	for range 4 {
		checkBy(t, "rake/by_stype", <-done)
	}
}
