package estimate

import (
	"fmt"
	"math"
	"sort"
)

// prepare checks the analysis columns and applies NARemove: it returns the design to
// estimate on (a domain of the complete cases with NARemove).
func (d *Design) prepare(o options, cols ...[]float64) (*Design, error) {
	for k, y := range cols {
		if len(y) != d.n {
			return nil, fmt.Errorf("%w: analysis variable %d has %d rows, design %d", ErrColumns, k+1, len(y), d.n)
		}
	}
	var drop []int32
	for _, i := range d.act {
		for _, y := range cols {
			if math.IsNaN(y[i]) {
				if !o.narm {
					return nil, fmt.Errorf("%w: row %d", ErrMissingValue, i+1)
				}
				drop = append(drop, i)
				break
			}
		}
	}
	if drop == nil {
		return d, nil
	}
	rows := make([]int32, 0, len(d.prows))
	k := 0
	for _, i := range d.prows {
		if k < len(drop) && drop[k] == i {
			k++
			continue
		}
		rows = append(rows, i)
	}
	return d.subsetRows(rows, false), nil
}

// val reads y[i] with missing values (outside the estimate) as 0.
func val(y []float64, i int) float64 {
	if math.IsNaN(y[i]) {
		return 0
	}
	return y[i]
}

func (d *Design) sumw() (sw float64, nobs int) {
	for _, i := range d.act {
		sw += d.w[i]
	}
	return sw, len(d.act)
}

func (d *Design) mean(y []float64, o options) (Estimate, error) {
	d, err := d.prepare(o, y)
	if err != nil {
		return Estimate{}, err
	}
	return d.meanOf(y)
}

func (d *Design) meanOf(y []float64) (Estimate, error) {
	psum, _ := d.sumw()
	if psum == 0 {
		return Estimate{}, ErrEmpty
	}
	avg := 0.0
	for _, i := range d.act {
		avg += val(y, int(i)) * d.w[i] / psum
	}
	var v float64
	var err error
	if d.rep != nil {
		v, err = d.repVar(avg, func(w []float64) float64 { return d.wmean(y, w) })
	} else {
		zv := make([]float64, len(d.act))
		for j, i := range d.act {
			zv[j] = (val(y, int(i)) - avg) * d.w[i] / psum
		}
		v, err = d.linVarAct(zv)
	}
	if err != nil {
		return Estimate{}, err
	}
	return Estimate{Value: avg, SE: math.Sqrt(v), DEff: v / d.srsVarMean(y, avg, psum), DF: d.degf()}, nil
}

// wmean is Σwy/Σw over the present rows for weights w.
func (d *Design) wmean(y, w []float64) float64 {
	var sy, sw float64
	for _, i := range d.act {
		sy += w[i] * val(y, int(i))
		sw += w[i]
	}
	return sy / sw
}

func (d *Design) wtotal(y, w []float64) float64 {
	var sy float64
	for _, i := range d.act {
		sy += w[i] * val(y, int(i))
	}
	return sy
}

// svyvar is R's svyvar of one variable y−shift, n/(n-1)·Σw(x-x̄)²/Σw: n counts the rows with
// a non-zero weight (linearization) or the rows present (replicate designs).
func (d *Design) svyvar(y []float64, shift float64) (v float64, n int, psum float64) {
	var sy float64
	for _, i := range d.act {
		w := d.w[i]
		psum += w
		sy += w * (val(y, int(i)) - shift)
	}
	n = len(d.act)
	if d.rep != nil {
		n = len(d.prows)
	}
	xbar := sy / psum
	var ss float64
	for _, i := range d.act {
		e := val(y, int(i)) - shift - xbar
		ss += d.w[i] * e * e
	}
	fn := float64(n)
	return fn / (fn - 1) * ss / psum, n, psum
}

// srsVarMean is the denominator of R's deff for svymean (without replacement).
func (d *Design) srsVarMean(y []float64, avg, psum float64) float64 {
	if d.rep != nil {
		v, n, npop := d.svyvar(y, 0)
		return v / float64(n) * (npop - float64(n)) / npop
	}
	v, nobs, _ := d.svyvar(y, avg)
	if psum < float64(nobs) {
		return math.NaN()
	}
	return v * (psum - float64(nobs)) / (psum * float64(nobs))
}

// srsVarTotal is the denominator of R's deff for svytotal.
func (d *Design) srsVarTotal(y []float64) float64 {
	v, nobs, N := d.svyvar(y, 0)
	fn := float64(nobs)
	return v * N * N * (N - fn) / (N * fn)
}

func (d *Design) total(y []float64, o options) (Estimate, error) {
	d, err := d.prepare(o, y)
	if err != nil {
		return Estimate{}, err
	}
	return d.totalOf(y)
}

func (d *Design) totalOf(y []float64) (Estimate, error) {
	t := d.wtotal(y, d.w)
	var v float64
	var err error
	if d.rep != nil {
		v, err = d.repVar(t, func(w []float64) float64 { return d.wtotal(y, w) })
	} else {
		zv := make([]float64, len(d.act))
		for j, i := range d.act {
			zv[j] = val(y, int(i)) * d.w[i]
		}
		v, err = d.linVarAct(zv)
	}
	if err != nil {
		return Estimate{}, err
	}
	return Estimate{Value: t, SE: math.Sqrt(v), DEff: v / d.srsVarTotal(y), DF: d.degf()}, nil
}

func (d *Design) ratio(num, den []float64, o options) (Estimate, error) {
	d, err := d.prepare(o, num, den)
	if err != nil {
		return Estimate{}, err
	}
	tn, td := d.wtotal(num, d.w), d.wtotal(den, d.w)
	if td == 0 {
		return Estimate{}, fmt.Errorf("%w: the denominator total is zero", ErrEmpty)
	}
	r := tn / td
	res := make([]float64, d.n)
	for _, i := range d.act {
		res[i] = (val(num, int(i)) - r*val(den, int(i))) / td
	}
	var v float64
	if d.rep != nil {
		v, err = d.repVar(r, func(w []float64) float64 { return d.wtotal(num, w) / d.wtotal(den, w) })
	} else {
		v, err = d.linVarAct(weighted(d, res))
	}
	if err != nil {
		return Estimate{}, err
	}
	e := Estimate{Value: r, SE: math.Sqrt(v), DEff: math.NaN(), DF: d.degf()}
	if d.rep == nil {
		// R: deff(svytotal(r, design)) with r the linearized residual
		if vt, err := d.linVarAct(weighted(d, res)); err == nil {
			e.DEff = vt / d.srsVarTotal(res)
		}
	}
	return e, nil
}

func weighted(d *Design, y []float64) []float64 {
	zv := make([]float64, len(d.act))
	for j, i := range d.act {
		zv[j] = y[i] * d.w[i]
	}
	return zv
}

// levelsOf lists the distinct non-missing values of x over all rows, in byte order.
func levelsOf(x []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range x {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func (d *Design) levels(x []string, total bool, o options) ([]Level, error) {
	if len(x) != d.n {
		return nil, fmt.Errorf("%w: categorical variable has %d rows, design %d", ErrColumns, len(x), d.n)
	}
	miss := make([]float64, d.n)
	for i, v := range x {
		if v == "" {
			miss[i] = math.NaN()
		}
	}
	dd, err := d.prepare(o, miss)
	if err != nil {
		return nil, err
	}
	var out []Level
	ind := make([]float64, d.n)
	for _, lv := range levelsOf(x) {
		for i, v := range x {
			ind[i] = 0
			if v == lv {
				ind[i] = 1
			}
		}
		var e Estimate
		if total {
			e, err = dd.totalOf(ind)
		} else {
			e, err = dd.meanOf(ind)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Level{Level: lv, Estimate: e})
	}
	return out, nil
}
