package estimate

import (
	"fmt"
	"math"
	"sort"
	"sync"
)

// psStep is one post-stratification as R stores it for svyrecvar: the category of each row
// and the weights before and after.
type psStep struct {
	cat        []int32 // category of each row, -1 outside the design
	ncat       int
	oldw, psw  []float64
	marginName string
	once       sync.Once
	P, den     []float64 // unit totals of psw per category; Σ oldw per category
}

// adjust removes the post-stratum means (R's svyrecvar, "ordinary post-stratification").
func (p *psStep) adjust(d *Design, z []float64) {
	num := make([]float64, p.ncat)
	den := make([]float64, p.ncat)
	for i, k := range p.cat {
		if k < 0 {
			continue
		}
		psw := p.psw[i]
		if psw == 0 && p.oldw[i] == 0 {
			psw = 1
		}
		if psw != 0 {
			num[k] += z[i] * p.oldw[i] / psw
		}
		den[k] += p.oldw[i]
	}
	for i, k := range p.cat {
		if k < 0 {
			continue
		}
		psw := p.psw[i]
		if psw == 0 && p.oldw[i] == 0 {
			psw = 1
		}
		z[i] -= num[k] / den[k] * psw
	}
}

// rakeStep is R's "raking" entry: ten sweeps of back-fitting of the estimating functions
// on the margins, x ← x − psw·ave(x/psw, margin) for each margin in turn. The sweeps are
// linear in x and only move category means, so they run on the category sums: with
// S_m[k] = Σ_{i∈k} x_i/psw_m,i and A_mm'[k][k'] = Σ_{i∈k∩k'} psw_m',i/psw_m,i (fixed by the
// raking), two passes over the rows replace the 2·10·(number of margins) of R.
type rakeStep struct {
	margins []*psStep
	once    sync.Once
	cnt     [][]float64     // rows per category, per margin
	a       [][][][]float64 // a[m][m2][k][k2]
	ponce   sync.Once
	P       [][]float64 // per margin: unit totals of psw per category
}

func (r *rakeStep) prepare() {
	M := len(r.margins)
	r.cnt = make([][]float64, M)
	r.a = make([][][][]float64, M)
	for m, pm := range r.margins {
		r.cnt[m] = make([]float64, pm.ncat)
		r.a[m] = make([][][]float64, M)
		for m2, pm2 := range r.margins {
			r.a[m][m2] = make([][]float64, pm.ncat)
			for k := range r.a[m][m2] {
				r.a[m][m2][k] = make([]float64, pm2.ncat)
			}
		}
	}
	for i, k0 := range r.margins[0].cat {
		if k0 < 0 {
			continue
		}
		for m, pm := range r.margins {
			k := pm.cat[i]
			r.cnt[m][k]++
			if pm.psw[i] == 0 {
				continue
			}
			for m2, pm2 := range r.margins {
				r.a[m][m2][k][pm2.cat[i]] += pm2.psw[i] / pm.psw[i]
			}
		}
	}
}

// sweeps runs R's ten back-fitting sweeps on the category sums S and returns the total
// amount C[m][k] subtracted (times psw) from the rows of category k of margin m.
func (r *rakeStep) sweeps(S [][]float64) [][]float64 {
	C := make([][]float64, len(r.margins))
	for m, pm := range r.margins {
		C[m] = make([]float64, pm.ncat)
	}
	for it := 0; it < 10; it++ {
		for m := range r.margins {
			for k := range S[m] {
				cur := S[m][k]
				for m2 := range r.margins {
					row := r.a[m][m2][k]
					for k2, c := range C[m2] {
						cur -= row[k2] * c
					}
				}
				C[m][k] += cur / r.cnt[m][k]
			}
		}
	}
	return C
}

func (r *rakeStep) adjust(d *Design, z []float64) {
	r.once.Do(r.prepare)
	M := len(r.margins)
	S := make([][]float64, M)
	for m, pm := range r.margins {
		S[m] = make([]float64, pm.ncat)
	}
	for i, k0 := range r.margins[0].cat {
		if k0 < 0 || z[i] == 0 {
			continue
		}
		for m, pm := range r.margins {
			if pm.psw[i] != 0 {
				S[m][pm.cat[i]] += z[i] / pm.psw[i]
			}
		}
	}
	C := r.sweeps(S)
	for i, k0 := range r.margins[0].cat {
		if k0 < 0 {
			continue
		}
		for m, pm := range r.margins {
			z[i] -= pm.psw[i] * C[m][pm.cat[i]]
		}
	}
}

// gregStep is R's greg_calibration: residuals of the regression on the calibration
// variables.
type gregStep struct {
	q    [][]float64 // orthonormal basis of the columns x·√w (rows outside: 0)
	wcal []float64   // g·√w
}

func (g *gregStep) adjust(d *Design, z []float64) {
	u := make([]float64, len(z))
	for i := range z {
		if g.wcal[i] != 0 {
			u[i] = z[i] / g.wcal[i]
		}
	}
	for pass := 0; pass < 2; pass++ {
		for _, q := range g.q {
			var s float64
			for i, v := range q {
				s += v * u[i]
			}
			for i, v := range q {
				u[i] -= s * v
			}
		}
	}
	for i := range z {
		if g.wcal[i] != 0 || z[i] != 0 {
			z[i] = u[i] * g.wcal[i]
		}
	}
}

// categories numbers the categories of a margin over the present rows.
func (d *Design) categories(m Margin) (cat []int32, names []string, err error) {
	if len(m.Var) != d.n {
		return nil, nil, fmt.Errorf("%w: margin %q has %d rows, design %d", ErrColumns, m.Name, len(m.Var), d.n)
	}
	idx := map[string]int32{}
	cat = make([]int32, d.n)
	for i, v := range m.Var {
		cat[i] = -1
		if !d.isPresent(i) {
			continue
		}
		if v == "" {
			return nil, nil, &MarginError{Margin: m.Name, Problem: "missing", Row: i + 1}
		}
		k, ok := idx[v]
		if !ok {
			k = int32(len(names))
			idx[v] = k
			names = append(names, v)
		}
		cat[i] = k
	}
	return cat, names, nil
}

// poststratWeights returns the post-stratified weights w·N_k/Σ_k w and the step record.
func (d *Design) poststratWeights(m Margin, w []float64, cat []int32, names []string) ([]float64, []float64, error) {
	freq := make([]float64, len(names))
	for i, k := range cat {
		if k >= 0 {
			freq[k] += w[i]
		}
	}
	ratio := make([]float64, len(names))
	for k, nm := range names {
		pop, ok := m.Totals[nm]
		switch {
		case freq[k] == 0:
			continue
		case !ok || pop == 0:
			return nil, nil, &MarginError{Margin: m.Name, Categories: []string{nm}, Problem: "no total"}
		case pop < 0 || math.IsNaN(pop) || math.IsInf(pop, 0):
			return nil, nil, &MarginError{Margin: m.Name, Categories: []string{nm}, Problem: "bad total"}
		}
		ratio[k] = pop / freq[k]
	}
	var missing []string
	for nm, pop := range m.Totals {
		if pop == 0 {
			continue
		}
		k := -1
		for j, x := range names {
			if x == nm {
				k = j
				break
			}
		}
		if k < 0 || freq[k] == 0 {
			missing = append(missing, nm)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, nil, &MarginError{Margin: m.Name, Categories: missing, Problem: "no respondent"}
	}
	nw := make([]float64, len(w))
	for i, k := range cat {
		if k >= 0 {
			nw[i] = w[i] * ratio[k]
		}
	}
	return nw, ratio, nil
}

func (d *Design) postStratify(m Margin) (*Design, error) {
	cat, names, err := d.categories(m)
	if err != nil {
		return nil, err
	}
	dw := d.dense()
	nw, ratio, err := d.poststratWeights(m, dw, cat, names)
	if err != nil {
		return nil, err
	}
	nd := *d
	nd.w, nd.shared = nw, false
	nd.act = nd.activeOf(nw)
	if d.rep != nil {
		nd.rep = d.rep.poststrat(d, m, cat, names)
		_ = ratio
		return &nd, nil
	}
	nd.cal = append(append([]calStep(nil), d.cal...), &psStep{cat: cat, ncat: len(names), oldw: dw, psw: nw, marginName: m.Name})
	return &nd, nil
}

func (d *Design) rake(margins []Margin, ctl RakeControl) (*Design, error) {
	if len(margins) == 0 {
		return nil, fmt.Errorf("%w: no margin to rake to", ErrMargin)
	}
	maxit, eps := ctl.MaxIter, ctl.Epsilon
	if maxit <= 0 {
		maxit = 100
	}
	if eps <= 0 {
		eps = 1e-12
	}
	sw, _ := d.sumw()
	if d.rep != nil {
		sw = 0
		for i, w := range d.dense() {
			if d.isPresent(i) {
				sw += w
			}
		}
	}
	eps *= sw
	cats := make([][]int32, len(margins))
	names := make([][]string, len(margins))
	for j, m := range margins {
		var err error
		if cats[j], names[j], err = d.categories(m); err != nil {
			return nil, err
		}
	}
	// cells of the cross table of all margins
	cellIdx := map[int64]int{}
	cell := make([]int, d.n)
	for i := 0; i < d.n; i++ {
		cell[i] = -1
		if !d.isPresent(i) {
			continue
		}
		var key int64
		for j := range margins {
			key = key*int64(len(names[j])+1) + int64(cats[j][i])
		}
		k, ok := cellIdx[key]
		if !ok {
			k = len(cellIdx)
			cellIdx[key] = k
		}
		cell[i] = k
	}
	tableOf := func(w []float64) []float64 {
		t := make([]float64, len(cellIdx))
		for i, k := range cell {
			if k >= 0 {
				t[k] += w[i]
			}
		}
		return t
	}
	cw := d.dense()
	old := tableOf(cw)
	cur := d
	delta := math.Inf(1)
	for iter := 0; iter < maxit; iter++ {
		w := cw
		var steps []*psStep
		next := *cur
		for j, m := range margins {
			nw, _, err := d.poststratWeights(m, w, cats[j], names[j])
			if err != nil {
				return nil, err
			}
			steps = append(steps, &psStep{cat: cats[j], ncat: len(names[j]), oldw: w, psw: nw, marginName: m.Name})
			if next.rep != nil {
				tmp := next
				tmp.w, tmp.shared = w, false
				next.rep = next.rep.poststrat(&tmp, m, cats[j], names[j])
			}
			w = nw
		}
		next.w, next.shared = w, false
		cw = w
		nt := tableOf(w)
		delta = 0
		for k := range nt {
			delta = math.Max(delta, math.Abs(nt[k]-old[k]))
		}
		old = nt
		next.act = next.activeOf(w)
		cur = &next
		if delta < eps {
			if d.rep == nil {
				cur.cal = append(append([]calStep(nil), d.cal...), &rakeStep{margins: steps})
			}
			return cur, nil
		}
	}
	return nil, fmt.Errorf("%w: raking changed a cell of the weighted table by %.3g after %d sweeps (limit %.3g)",
		ErrNotConverged, delta, maxit, eps)
}

// calWeights returns the calibration factors g for base weights w: linear (GREG) in closed
// form, raking by Newton steps on η in g = exp(xᵀη) (R's grake).
func calWeights(d *Design, x [][]float64, pop []float64, w []float64, method CalMethod) ([]float64, error) {
	p := len(x)
	st := make([]float64, p)
	for j := range x {
		for i, v := range x[j] {
			if d.isPresent(i) {
				st[j] += v * w[i]
			}
		}
	}
	g := make([]float64, d.n)
	eta := make([]float64, p)
	gOf := func() {
		for i := range g {
			if !d.isPresent(i) {
				g[i] = 0
				continue
			}
			var s float64
			for j := range x {
				s += x[j][i] * eta[j]
			}
			if method == CalLinear {
				g[i] = 1 + s
			} else {
				g[i] = math.Exp(s)
			}
		}
	}
	gOf()
	for iter := 0; iter <= 100; iter++ {
		// T = Σ w·g'·x xᵀ, misfit = pop − Σ w·g·x
		T := make([][]float64, p)
		for j := range T {
			T[j] = make([]float64, p)
		}
		mis := append([]float64(nil), pop...)
		for i := 0; i < d.n; i++ {
			if !d.isPresent(i) || w[i] == 0 {
				continue
			}
			dw := w[i]
			if method == CalRaking {
				dw *= g[i]
			}
			for j := 0; j < p; j++ {
				mis[j] -= w[i] * g[i] * x[j][i]
				for k := 0; k <= j; k++ {
					T[j][k] += dw * x[j][i] * x[k][i]
				}
			}
		}
		worst := 0.0
		for j := range mis {
			worst = math.Max(worst, math.Abs(mis[j])/(1+math.Abs(pop[j])))
		}
		if method == CalLinear && iter == 1 {
			return g, nil
		}
		if method == CalRaking && worst < 1e-13 {
			return g, nil
		}
		for j := 0; j < p; j++ {
			for k := j + 1; k < p; k++ {
				T[j][k] = T[k][j]
			}
		}
		step, err := solve(T, mis)
		if err != nil {
			return nil, err
		}
		for j := range eta {
			eta[j] += step[j]
		}
		gOf()
	}
	return nil, fmt.Errorf("%w: raking calibration did not meet the totals after 100 Newton steps", ErrNotConverged)
}

// solve solves A x = b by Gaussian elimination with partial pivoting.
func solve(A [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	M := make([][]float64, n)
	for i := range M {
		M[i] = append(append([]float64(nil), A[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(M[r][c]) > math.Abs(M[piv][c]) {
				piv = r
			}
		}
		if M[piv][c] == 0 || math.Abs(M[piv][c]) < 1e-13*math.Abs(M[c][c])+1e-300 {
			return nil, fmt.Errorf("%w: the calibration variables are collinear (column %d)", ErrMargin, c+1)
		}
		M[c], M[piv] = M[piv], M[c]
		for r := c + 1; r < n; r++ {
			f := M[r][c] / M[c][c]
			for k := c; k <= n; k++ {
				M[r][k] -= f * M[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := M[r][n]
		for k := r + 1; k < n; k++ {
			s -= M[r][k] * x[k]
		}
		x[r] = s / M[r][r]
	}
	return x, nil
}

func (d *Design) calibrate(x [][]float64, totals []float64, method CalMethod) (*Design, error) {
	if len(x) == 0 || len(x) != len(totals) {
		return nil, fmt.Errorf("%w: %d calibration columns and %d totals", ErrColumns, len(x), len(totals))
	}
	for j, c := range x {
		if len(c) != d.n {
			return nil, fmt.Errorf("%w: calibration column %d has %d rows, design %d", ErrColumns, j+1, len(c), d.n)
		}
		for i, v := range c {
			if d.isPresent(i) && (math.IsNaN(v) || math.IsInf(v, 0)) {
				return nil, fmt.Errorf("%w: calibration column %d row %d", ErrMissingValue, j+1, i+1)
			}
		}
	}
	if method != CalLinear && method != CalRaking {
		return nil, fmt.Errorf("estimate: unknown calibration method %d", method)
	}
	// drop columns that are zero in the sample with a zero total (R)
	var xs [][]float64
	var pop []float64
	for j, c := range x {
		zero := true
		for i, v := range c {
			if d.isPresent(i) && v != 0 {
				zero = false
				break
			}
		}
		if zero && totals[j] == 0 {
			continue
		}
		xs = append(xs, c)
		pop = append(pop, totals[j])
	}
	dw := d.dense()
	g, err := calWeights(d, xs, pop, dw, method)
	if err != nil {
		return nil, err
	}
	nd := *d
	nd.w, nd.shared = make([]float64, d.n), false
	for i := range g {
		nd.w[i] = dw[i] * g[i]
	}
	nd.act = nd.activeOf(nd.w)
	if d.rep != nil {
		r, err := d.rep.calibrate(d, xs, pop, method)
		if err != nil {
			return nil, err
		}
		nd.rep = r
		return &nd, nil
	}
	// orthonormal basis of x·√w (modified Gram–Schmidt, twice)
	step := &gregStep{wcal: make([]float64, d.n)}
	for i := range g {
		if d.isPresent(i) {
			step.wcal[i] = g[i] * math.Sqrt(dw[i])
		}
	}
	for _, c := range xs {
		q := make([]float64, d.n)
		for i, v := range c {
			if d.isPresent(i) {
				q[i] = v * math.Sqrt(dw[i])
			}
		}
		n0 := norm(q)
		for pass := 0; pass < 2; pass++ {
			for _, b := range step.q {
				var s float64
				for i := range q {
					s += q[i] * b[i]
				}
				for i := range q {
					q[i] -= s * b[i]
				}
			}
		}
		nq := norm(q)
		if nq <= 1e-7*n0 {
			continue // dependent column, as R's qr drops it
		}
		for i := range q {
			q[i] /= nq
		}
		step.q = append(step.q, q)
	}
	nd.cal = append(append([]calStep(nil), d.cal...), step)
	return &nd, nil
}

func norm(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

// calStep is one calibration of a linearization design, replayed on the estimating
// functions before the variance (R's design$postStrata).
type calStep interface {
	adjust(d *Design, z []float64)
}

// psuTotals is P[c·ncat+k] = Σ psw_i over the rows of first-stage unit c in category k.
func psuTotals(d *Design, cat []int32, ncat int, psw func(i int) float64) []float64 {
	st := &d.stages[0]
	P := make([]float64, st.ncl*ncat)
	for i, k := range cat {
		if k >= 0 {
			P[int(st.cluster[i])*ncat+int(k)] += psw(i)
		}
	}
	return P
}

func (p *psStep) eff(i int) float64 {
	if p.psw[i] == 0 && p.oldw[i] == 0 {
		return 1
	}
	return p.psw[i]
}

func (p *psStep) adjustTotals(d *Design, zv []float64, tot []float64) {
	p.once.Do(func() {
		p.P = psuTotals(d, p.cat, p.ncat, p.eff)
		p.den = make([]float64, p.ncat)
		for i, k := range p.cat {
			if k >= 0 {
				p.den[k] += p.oldw[i]
			}
		}
	})
	num := make([]float64, p.ncat)
	for j, i := range d.act {
		if k := p.cat[i]; k >= 0 {
			num[k] += zv[j] * p.oldw[i] / p.eff(int(i))
		}
	}
	for c := range tot {
		row := p.P[c*p.ncat : (c+1)*p.ncat]
		for k, v := range row {
			tot[c] -= num[k] / p.den[k] * v
		}
	}
}

func (r *rakeStep) adjustTotals(d *Design, zv []float64, tot []float64) {
	r.once.Do(r.prepare)
	r.ponce.Do(func() {
		for _, m := range r.margins {
			r.P = append(r.P, psuTotals(d, m.cat, m.ncat, func(i int) float64 { return m.psw[i] }))
		}
	})
	S := make([][]float64, len(r.margins))
	for m, pm := range r.margins {
		S[m] = make([]float64, pm.ncat)
	}
	for j, i := range d.act {
		for m, pm := range r.margins {
			if k := pm.cat[i]; k >= 0 && pm.psw[i] != 0 {
				S[m][k] += zv[j] / pm.psw[i]
			}
		}
	}
	C := r.sweeps(S)
	for m, pm := range r.margins {
		P := r.P[m]
		for c := range tot {
			row := P[c*pm.ncat : (c+1)*pm.ncat]
			for k, v := range row {
				tot[c] -= C[m][k] * v
			}
		}
	}
}
