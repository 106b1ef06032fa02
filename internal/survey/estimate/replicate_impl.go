package estimate

import (
	"fmt"
	"math"
	"sort"
	"sync"
)

// repData holds replicate weights either in full (one analysis weight per replicate and
// row) or compressed (the full-sample weight times a multiplier per replicate and PSU).
type repData struct {
	full    [][]float64 // analysis weights per replicate, or nil
	psu     []int32     // compressed: PSU of each row
	mult    [][]float64 // compressed: multiplier per replicate and PSU
	base    []float64   // compressed: full-sample weights the multipliers apply to
	scale   float64
	rscales []float64
	mse     bool

	dfOnce sync.Once
	df     float64
}

func (r *repData) count() int {
	if r.full != nil {
		return len(r.full)
	}
	return len(r.mult)
}

// weights returns the analysis weights of replicate k.
func (r *repData) weights(k int) []float64 {
	if r.full != nil {
		return r.full[k]
	}
	w := make([]float64, len(r.psu))
	m := r.mult[k]
	for i, c := range r.psu {
		w[i] = r.base[i] * m[c]
	}
	return w
}

// repVar is R's svrVar: scale·Σ rscale_r (θ_r − θ̄)², θ̄ the mean of the replicates (or the
// full-sample estimate with mse).
func (d *Design) repVar(full float64, theta func(w []float64) float64) (float64, error) {
	r := d.rep
	R := r.count()
	th := make([]float64, R)
	for k := 0; k < R; k++ {
		th[k] = theta(r.weights(k))
	}
	center := full
	if !r.mse {
		var s float64
		var n int
		for k, v := range th {
			if r.rscales[k] > 0 {
				s += v
				n++
			}
		}
		center = s / float64(n)
	}
	var v float64
	for k, t := range th {
		e := t - center
		v += e * e * r.rscales[k]
	}
	return v * r.scale, nil
}

// repDegf is R's degf() of a replicate design: the rank of the analysis weights of the rows
// present (QR with tolerance 1e-5) minus one.
func (d *Design) repDegf() float64 {
	r := d.rep
	r.dfOnce.Do(func() {
		var rows []int
		for i := 0; i < d.n; i++ {
			if d.isPresent(i) {
				rows = append(rows, i)
			}
		}
		var basis [][]float64
		for k := 0; k < r.count(); k++ {
			w := r.weights(k)
			q := make([]float64, len(rows))
			for j, i := range rows {
				q[j] = w[i]
			}
			n0 := norm(q)
			for pass := 0; pass < 2; pass++ {
				for _, b := range basis {
					var s float64
					for j := range q {
						s += q[j] * b[j]
					}
					for j := range q {
						q[j] -= s * b[j]
					}
				}
			}
			nq := norm(q)
			if n0 == 0 || nq < 1e-5*n0 {
				continue
			}
			for j := range q {
				q[j] /= nq
			}
			basis = append(basis, q)
		}
		r.df = float64(len(basis) - 1)
	})
	return r.df
}

// withRows returns a copy sharing the weights with a fresh degf cache (after a subset).
func (r *repData) fresh() *repData {
	return &repData{full: r.full, psu: r.psu, mult: r.mult, base: r.base, scale: r.scale, rscales: r.rscales, mse: r.mse}
}

// poststrat post-stratifies every replicate to the same totals (R's
// postStratify.svyrep.design); d holds the weights before this margin.
func (r *repData) poststrat(d *Design, m Margin, cat []int32, names []string) *repData {
	out := r.fresh()
	out.full = make([][]float64, r.count())
	out.psu, out.mult, out.base = nil, nil, nil
	for k := range out.full {
		w := r.weights(k)
		freq := make([]float64, len(names))
		for i, c := range cat {
			if c >= 0 {
				freq[c] += w[i]
			}
		}
		nw := make([]float64, d.n)
		for i, c := range cat {
			if c >= 0 && w[i] != 0 {
				nw[i] = w[i] * m.Totals[names[c]] / freq[c]
			}
		}
		out.full[k] = nw
	}
	return out
}

// calibrate calibrates every replicate to the same totals (R's calibrate.svyrep.design).
func (r *repData) calibrate(d *Design, x [][]float64, pop []float64, method CalMethod) (*repData, error) {
	out := r.fresh()
	out.full = make([][]float64, r.count())
	out.psu, out.mult, out.base = nil, nil, nil
	for k := range out.full {
		w := r.weights(k)
		g, err := calWeights(d, x, pop, w, method)
		if err != nil {
			return nil, fmt.Errorf("replicate %d: %w", k+1, err)
		}
		nw := make([]float64, d.n)
		for i := range nw {
			nw[i] = w[i] * g[i]
		}
		out.full[k] = nw
	}
	return out, nil
}

func (d *Design) replicates(opt RepOptions) (*Design, error) {
	if d.rep != nil {
		return nil, fmt.Errorf("%w: the design has replicate weights already", ErrReplicates)
	}
	if len(d.cal) > 0 {
		return nil, fmt.Errorf("%w: make replicate weights before calibrating, then calibrate the replicate design", ErrReplicates)
	}
	st := &d.stages[0]
	// PSUs of the rows present, in order of first appearance, with their strata
	psuOf := make([]int32, d.n)
	idx := map[int32]int32{}
	var psuStrat []int32
	for i := 0; i < d.n; i++ {
		psuOf[i] = -1
		if !d.isPresent(i) {
			continue
		}
		c := st.cluster[i]
		k, ok := idx[c]
		if !ok {
			k = int32(len(psuStrat))
			idx[c] = k
			psuStrat = append(psuStrat, st.clusStrat[c])
		}
		psuOf[i] = k
	}
	npsu := len(psuStrat)
	if npsu < 2 {
		return nil, fmt.Errorf("%w: %d PSU in the design", ErrReplicates, npsu)
	}
	// strata in order of first appearance, with their PSUs
	var sorder []int32
	spsus := map[int32][]int{}
	for k, h := range psuStrat {
		if _, ok := spsus[h]; !ok {
			sorder = append(sorder, h)
		}
		spsus[h] = append(spsus[h], k)
	}
	fpcOf := func(h int32) float64 { // (N-n)/N, 1 without fpc
		if !st.hasFPC {
			return 1
		}
		n := float64(len(spsus[h]))
		return (st.popsize[h] - n) / st.popsize[h]
	}
	rep := &repData{psu: make([]int32, d.n), base: append([]float64(nil), d.dense()...), mse: opt.MSE}
	for i := range rep.psu {
		rep.psu[i] = max(psuOf[i], 0)
	}
	ones := func() []float64 {
		m := make([]float64, npsu)
		for k := range m {
			m[k] = 1
		}
		return m
	}
	switch opt.Type {
	case RepJK1:
		if d.hasStrata {
			return nil, fmt.Errorf("%w: JK1 needs an unstratified design; use JKn", ErrReplicates)
		}
		n := float64(npsu)
		f := fpcOf(sorder[0])
		for k := 0; k < npsu; k++ {
			m := make([]float64, npsu)
			for j := range m {
				if j != k {
					m[j] = n / (n - 1)
				}
			}
			rep.mult = append(rep.mult, m)
			rep.rscales = append(rep.rscales, 1)
		}
		rep.scale = f * (n - 1) / n
	case RepJKn:
		if !d.hasStrata {
			return nil, fmt.Errorf("%w: JKn needs a stratified design; use JK1", ErrReplicates)
		}
		nstrat := float64(len(sorder))
		for _, h := range sorder {
			ps := spsus[h]
			f := fpcOf(h)
			nc := float64(len(ps))
			if f == 0 {
				continue // fully sampled stratum: no replicate (R drops them)
			}
			if len(ps) == 1 {
				switch d.lonely {
				case LonelyFail:
					return nil, &LonelyPSUError{Stratum: st.name[h], Stage: 1}
				case LonelyAdjust:
					m := make([]float64, npsu)
					for j := range m {
						if psuStrat[j] != h {
							m[j] = nstrat / (nstrat - 1)
						}
					}
					rep.mult = append(rep.mult, m)
					rep.rscales = append(rep.rscales, (nstrat-1)/nstrat)
				}
				continue
			}
			for _, k := range ps {
				m := ones()
				for _, j := range ps {
					m[j] = nc / (nc - 1)
				}
				m[k] = 0
				rep.mult = append(rep.mult, m)
				rep.rscales = append(rep.rscales, f*(nc-1)/nc)
			}
		}
		if len(rep.mult) == 0 {
			return nil, fmt.Errorf("%w: every stratum was sampled exhaustively", ErrReplicates)
		}
		rep.scale = 1
		if len(rep.mult) < npsu && d.lonely == LonelyAverage {
			rep.scale = float64(npsu) / float64(len(rep.mult))
		}
	case RepBRR, RepFay:
		rho := 0.0
		if opt.Type == RepFay {
			rho = opt.FayRho
			if !(rho > 0 && rho < 1) {
				return nil, fmt.Errorf("%w: Fay's rho %v must lie in (0, 1)", ErrReplicates, rho)
			}
		}
		if !d.hasStrata {
			return nil, fmt.Errorf("%w: BRR needs a stratified design", ErrReplicates)
		}
		names := make([]int32, len(sorder))
		copy(names, sorder)
		sort.Slice(names, func(a, b int) bool { return st.name[names[a]] < st.name[names[b]] })
		for _, h := range names {
			if len(spsus[h]) != 2 {
				return nil, fmt.Errorf("%w: BRR needs two PSUs in every stratum; stratum %q has %d", ErrReplicates, st.name[h], len(spsus[h]))
			}
		}
		if len(names) >= len(hadamardIndex) {
			return nil, fmt.Errorf("%w: BRR for more than %d strata is not supported", ErrReplicates, len(hadamardIndex)-1)
		}
		H := hadamardTable[hadamardIndex[len(names)]]
		R := len(H[0])
		for i := 0; i < R; i++ {
			m := make([]float64, npsu)
			for k, h := range names {
				first, second := spsus[h][0], spsus[h][1]
				if H[k+1][i] == '0' {
					m[first], m[second] = rho, 2-rho
				} else {
					m[first], m[second] = 2-rho, rho
				}
			}
			rep.mult = append(rep.mult, m)
			rep.rscales = append(rep.rscales, 1)
		}
		rep.scale = 1 / (float64(R) * (1 - rho) * (1 - rho))
	default:
		return nil, fmt.Errorf("%w: unknown replicate type %d", ErrReplicates, opt.Type)
	}
	nd := *d
	nd.rep = rep
	return &nd, nil
}

func newRepDesign(spec RepSpec) (*Design, error) {
	R := len(spec.Replicates)
	if R == 0 {
		return nil, fmt.Errorf("%w: no replicate weights", ErrReplicates)
	}
	n := len(spec.Replicates[0])
	w := spec.Weights
	if w == nil {
		w = make([]float64, n)
		for i := range w {
			w[i] = 1
		}
	}
	if len(w) != n {
		return nil, fmt.Errorf("%w: %d weights and %d rows of replicate weights", ErrColumns, len(w), n)
	}
	for i, v := range w {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: row %d: weight %v must be positive and finite", ErrWeights, i+1, v)
		}
	}
	full := make([][]float64, R)
	for k, r := range spec.Replicates {
		if len(r) != n {
			return nil, fmt.Errorf("%w: replicate %d has %d rows, expected %d", ErrColumns, k+1, len(r), n)
		}
		a := make([]float64, n)
		for i, v := range r {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, fmt.Errorf("%w: replicate %d row %d: weight %v", ErrReplicates, k+1, i+1, v)
			}
			a[i] = v
			if !spec.Combined {
				a[i] = v * w[i]
			}
		}
		full[k] = a
	}
	rs := spec.RScales
	if rs == nil {
		rs = make([]float64, R)
		for k := range rs {
			rs[k] = 1
		}
	}
	if len(rs) != R {
		return nil, fmt.Errorf("%w: %d rscales for %d replicates", ErrReplicates, len(rs), R)
	}
	scale := spec.Scale
	switch spec.Type {
	case RepBRR:
		scale = 1 / float64(R)
	case RepFay:
		if !(spec.FayRho > 0 && spec.FayRho < 1) {
			return nil, fmt.Errorf("%w: Fay's rho %v must lie in (0, 1)", ErrReplicates, spec.FayRho)
		}
		scale = 1 / (float64(R) * (1 - spec.FayRho) * (1 - spec.FayRho))
	case RepJK1:
		if scale == 0 {
			if spec.Combined {
				scale = float64(R-1) / float64(R)
			} else {
				scale = 1 / maxOf(spec.Replicates[0])
			}
		}
	case RepJKn:
		if spec.RScales == nil {
			if spec.Combined {
				return nil, fmt.Errorf("%w: JKn with combined weights needs RScales", ErrReplicates)
			}
			for k := range rs {
				rs[k] = 1 / maxOf(spec.Replicates[k])
			}
		}
		if scale == 0 {
			scale = 1
		}
	case RepOther:
		if scale == 0 {
			scale = 1
		}
	default:
		return nil, fmt.Errorf("%w: unknown replicate type %d", ErrReplicates, spec.Type)
	}
	d := &Design{n: n, w: append([]float64(nil), w...), rep: &repData{full: full, scale: scale, rscales: rs, mse: spec.MSE}}
	d.w0 = d.w
	d.prows = allRows(n)
	d.allIn = true
	d.act = d.activeOf(d.w)
	d.pc = &presenceCache{}
	return d, nil
}

func maxOf(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	return m
}
