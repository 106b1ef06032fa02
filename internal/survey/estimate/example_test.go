package estimate_test

import (
	"fmt"

	"github.com/kepu/kepu/internal/survey/estimate"
)

// The survival of cardiac arrests in R's scd data: three emergency service areas (strata),
// two ambulance stations sampled from five in each (clusters with an fpc of 5).
func Example() {
	area := []string{"1", "1", "2", "2", "3", "3"}
	station := []string{"1", "2", "1", "2", "1", "2"}
	arrests := []float64{120, 78, 185, 228, 670, 530}
	alive := []float64{25, 24, 30, 49, 80, 70}
	d, err := estimate.NewDesign(estimate.Spec{
		Weights: []float64{1, 1, 1, 1, 1, 1},
		Nest:    true,
		Stages:  []estimate.Stage{{Cluster: station, Strata: area, FPC: []float64{5, 5, 5, 5, 5, 5}}},
	})
	if err != nil {
		panic(err)
	}
	r, err := d.Ratio(alive, arrests)
	if err != nil {
		panic(err)
	}
	lo, hi := r.CIT(0.95)
	fmt.Printf("survival %.4f (SE %.4f), 95%% CI %.4f–%.4f on %v df\n", r.Value, r.SE, lo, hi, d.DegF())
	// Output: survival 0.1535 (SE 0.0076), 95% CI 0.1293–0.1777 on 3 df
}

// Post-stratify a sample of four people to known counts of men and women, then estimate the
// share of "yes" by sex.
func ExampleDesign_PostStratify() {
	sex := []string{"m", "m", "f", "f"}
	yes := []float64{1, 0, 1, 1}
	d, _ := estimate.NewDesign(estimate.Spec{Weights: []float64{10, 10, 10, 10}})
	ps, err := d.PostStratify(estimate.Margin{Name: "sex", Var: sex, Totals: map[string]float64{"m": 60, "f": 40}})
	if err != nil {
		panic(err)
	}
	m, _ := ps.Mean(yes)
	fmt.Printf("share of yes %.2f\n", m.Value)
	_, err = d.PostStratify(estimate.Margin{Name: "sex", Var: sex, Totals: map[string]float64{"m": 60}})
	fmt.Println(err)
	// Output:
	// share of yes 0.70
	// estimate: margin does not match the sample: category "f" of "sex" is in the sample but has no population total
}
