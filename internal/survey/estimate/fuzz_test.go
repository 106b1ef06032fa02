package estimate

import (
	"errors"
	"math"
	"strconv"
	"testing"
)

// FuzzEstimates builds small designs from arbitrary bytes and runs every estimator on them:
// whatever the input, the package returns numbers or an error of its own, never a panic.
func FuzzEstimates(f *testing.F) {
	f.Add([]byte{3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, uint8(0))
	f.Add([]byte{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}, uint8(3))
	f.Add([]byte{7, 7, 1, 0, 255, 128, 3, 9}, uint8(4))
	f.Fuzz(func(t *testing.T, b []byte, rule uint8) {
		n := len(b) / 2
		if n < 2 || n > 64 {
			return
		}
		strata, psu, grp := make([]string, n), make([]string, n), make([]string, n)
		w, y, fpc := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := 0; i < n; i++ {
			v, u := b[2*i], b[2*i+1]
			strata[i] = strconv.Itoa(int(v % 3))
			psu[i] = strconv.Itoa(int(u % 5))
			grp[i] = []string{"a", "b", ""}[int(v/3)%3]
			w[i] = float64(u%7) + 0.5
			y[i] = float64(v % 2)
			if v == 255 {
				y[i] = math.NaN()
			}
			fpc[i] = 40
		}
		spec := Spec{Weights: w, Nest: true, Lonely: LonelyPSU(rule % 5), LonelyDomain: rule&8 != 0,
			Stages: []Stage{{Cluster: psu, Strata: strata}}}
		if rule&16 != 0 {
			spec.Stages[0].FPC = fpc
		}
		d, err := NewDesign(spec)
		if err != nil {
			return
		}
		check := func(err error) {
			if err != nil && !errors.Is(err, ErrLonelyPSU) && !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrMissingValue) &&
				!errors.Is(err, ErrMargin) && !errors.Is(err, ErrReplicates) && !errors.Is(err, ErrNotConverged) {
				t.Errorf("unexpected error %v", err)
			}
		}
		_, err = d.Mean(y, NARemove())
		check(err)
		_, err = d.Total(y)
		check(err)
		_, err = d.Ratio(y, w, NARemove())
		check(err)
		_, err = d.Proportions(grp, NARemove())
		check(err)
		_, err = d.MeanBy(y, [][]string{grp, strata}, NARemove())
		check(err)
		for m := PropLogit; m <= PropAsin; m++ {
			_, err = d.PropCI(y, m, 0.95, NARemove())
			check(err)
		}
		rk, err := d.Rake([]Margin{{Name: "s", Var: strata, Totals: map[string]float64{"0": 10, "1": 20, "2": 30}}}, RakeControl{})
		check(err)
		if rk != nil {
			_, err = rk.MeanBy(y, [][]string{grp}, NARemove())
			check(err)
		}
		ps, err := d.PostStratify(Margin{Name: "g", Var: grp, Totals: map[string]float64{"a": 5, "b": 7}})
		check(err)
		if ps != nil {
			_, err = ps.Ratio(y, w, NARemove())
			check(err)
		}
		one := make([]float64, n)
		for i := range one {
			one[i] = 1
		}
		for _, m := range []CalMethod{CalLinear, CalRaking} {
			c, err := d.Calibrate([][]float64{one, w}, []float64{100, 400}, m)
			check(err)
			if c != nil {
				_, err = c.MeanBy(y, [][]string{grp}, NARemove())
				check(err)
			}
		}
		for _, typ := range []RepType{RepJK1, RepJKn, RepBRR, RepFay} {
			r, err := d.Replicates(RepOptions{Type: typ, FayRho: 0.5})
			check(err)
			if r != nil {
				_, err = r.Mean(y, NARemove())
				check(err)
				_, err = r.MeanBy(y, [][]string{grp}, NARemove())
				check(err)
			}
		}
	})
}
