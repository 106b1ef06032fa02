package estimate

import (
	"fmt"
	"math"
)

func newDesign(spec Spec) (*Design, error) {
	n := -1
	check := func(what string, l int) error {
		if n < 0 {
			n = l
			return nil
		}
		if l != n {
			return fmt.Errorf("%w: %s has %d rows, expected %d", ErrColumns, what, l, n)
		}
		return nil
	}
	if spec.Weights != nil {
		if err := check("weights", len(spec.Weights)); err != nil {
			return nil, err
		}
	}
	for s, st := range spec.Stages {
		if st.Cluster != nil {
			if err := check(fmt.Sprintf("cluster of stage %d", s+1), len(st.Cluster)); err != nil {
				return nil, err
			}
		}
		if st.Strata != nil {
			if err := check(fmt.Sprintf("strata of stage %d", s+1), len(st.Strata)); err != nil {
				return nil, err
			}
		}
		if st.FPC != nil {
			if err := check(fmt.Sprintf("fpc of stage %d", s+1), len(st.FPC)); err != nil {
				return nil, err
			}
		}
	}
	if n <= 0 {
		return nil, fmt.Errorf("%w: no weights and no design columns", ErrColumns)
	}
	stages := spec.Stages
	if len(stages) == 0 {
		stages = []Stage{{}}
	}
	// Type of fpc (population sizes or fractions) over all stages, as R's as.fpc; an fpc
	// after a stage without one is refused.
	anyBig, allGE1, haveFPC, gap := false, true, false, false
	for s, st := range stages {
		if st.FPC == nil {
			gap = true
			continue
		}
		if gap {
			return nil, fmt.Errorf("%w: stage %d has an fpc but stage %d has none", ErrFPC, s+1, s)
		}
		haveFPC = true
		for i, f := range st.FPC {
			if math.IsNaN(f) || f <= 0 {
				return nil, fmt.Errorf("%w: row %d stage %d: fpc %v is not positive", ErrFPC, i+1, s+1, f)
			}
			if f > 1 {
				anyBig = true
			}
			if f < 1 {
				allGE1 = false
			}
		}
	}
	if haveFPC && anyBig != allGE1 {
		return nil, fmt.Errorf("%w: all fpc must be population sizes (≥ 1) or all sampling fractions (< 1)", ErrFPC)
	}
	d := &Design{n: n, lonely: spec.Lonely, ldomain: spec.LonelyDomain}
	type skey struct {
		parent int32 // unit of the stage above, -1 at stage 1
		v      string
	}
	type ckey struct {
		parent, stratum, row int32
		v                    string
	}
	for s, st := range stages {
		sd := stageData{cluster: make([]int32, n), strata: make([]int32, n)}
		sids, cids := map[skey]int32{}, map[ckey]int32{}
		var snames []string
		for i := 0; i < n; i++ {
			sk := skey{parent: -1}
			if st.Strata != nil {
				sk.v = st.Strata[i]
			}
			if s > 0 {
				// R: strata of a later stage are the interaction with the unit above.
				sk.parent = d.stages[s-1].cluster[i]
			}
			h, ok := sids[sk]
			if !ok {
				h = int32(len(snames))
				sids[sk] = h
				snames = append(snames, sk.v)
			}
			ck := ckey{parent: sk.parent, stratum: -1, row: -1}
			if st.Cluster != nil {
				ck.v = st.Cluster[i]
			} else {
				ck.row = int32(i)
			}
			if spec.Nest && st.Strata != nil {
				ck.stratum = h
			}
			c, ok := cids[ck]
			if !ok {
				c = int32(len(cids))
				cids[ck] = c
			}
			sd.strata[i] = h
			sd.cluster[i] = c
		}
		sd.nstrata, sd.ncl = len(snames), len(cids)
		sd.name = snames
		if s == 0 {
			// names of first-stage strata are the user's values
			for h := range sd.name {
				sd.name[h] = ""
			}
			for i := 0; i < n; i++ {
				if st.Strata != nil {
					sd.name[sd.strata[i]] = st.Strata[i]
				}
			}
		} else {
			for h := range sd.name {
				sd.name[h] = fmt.Sprintf("%d", h+1)
			}
			for i := 0; i < n; i++ {
				var v string
				if st.Strata != nil {
					v = st.Strata[i] + " "
				}
				c := spec.Stages[s-1].Cluster
				if c != nil {
					v += "in unit " + c[i]
				}
				sd.name[sd.strata[i]] = v
			}
		}
		// clusters must lie in one stratum (R's check.strata at the top level)
		sd.clusStrat = make([]int32, sd.ncl)
		for c := range sd.clusStrat {
			sd.clusStrat[c] = -1
		}
		for i := 0; i < n; i++ {
			c, h := sd.cluster[i], sd.strata[i]
			if sd.clusStrat[c] >= 0 && sd.clusStrat[c] != h {
				return nil, fmt.Errorf("%w: stage %d: unit %q lies in strata %q and %q; use Nest if unit ids repeat across strata",
					ErrColumns, s+1, clusterName(st, i), sd.name[sd.clusStrat[c]], sd.name[h])
			}
			sd.clusStrat[c] = h
		}
		sd.nsamp = make([]int32, sd.nstrata)
		for _, h := range sd.clusStrat {
			sd.nsamp[h]++
		}
		sd.popsize = make([]float64, sd.nstrata)
		for h := range sd.popsize {
			sd.popsize[h] = math.Inf(1)
		}
		if st.FPC != nil {
			sd.hasFPC = true
			set := make([]bool, sd.nstrata)
			for i := 0; i < n; i++ {
				h := sd.strata[i]
				N := st.FPC[i]
				if !anyBig {
					N = float64(sd.nsamp[h]) / N
				}
				if set[h] && sd.popsize[h] != N {
					return nil, fmt.Errorf("%w: stage %d: fpc varies within stratum %q (row %d)", ErrFPC, s+1, sd.name[h], i+1)
				}
				set[h] = true
				sd.popsize[h] = N
				if N < float64(sd.nsamp[h]) {
					return nil, fmt.Errorf("%w: row %d stage %d: population size %v is smaller than the %d units sampled in stratum %q",
						ErrFPC, i+1, s+1, N, sd.nsamp[h], sd.name[h])
				}
			}
		}
		// parent unit of each stratum, and the product of sampling fractions above it
		sd.stratParent = make([]int32, sd.nstrata)
		if s > 0 {
			prev := &d.stages[s-1]
			for i := 0; i < n; i++ {
				sd.stratParent[sd.strata[i]] = prev.cluster[i]
			}
		}
		d.stages = append(d.stages, sd)
	}
	// cumulative factor n/N of the stages above each unit (R's multistage)
	for s := range d.stages {
		sd := &d.stages[s]
		sd.clusFactor = make([]float64, sd.ncl)
		for c := range sd.clusFactor {
			h := sd.clusStrat[c]
			f := float64(sd.nsamp[h]) / sd.popsize[h]
			if s > 0 {
				f *= d.stages[s-1].clusFactor[sd.stratParent[h]]
			}
			sd.clusFactor[c] = f
		}
	}
	// weights
	w := make([]float64, n)
	switch {
	case spec.Weights != nil:
		for i, v := range spec.Weights {
			if !(v > 0) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: row %d: weight %v must be positive and finite", ErrWeights, i+1, v)
			}
			w[i] = v
		}
	case haveFPC:
		for i := range w {
			p := 1.0
			for s := range d.stages {
				sd := &d.stages[s]
				h := sd.strata[i]
				if !sd.hasFPC {
					return nil, fmt.Errorf("%w: no weights given and stage %d has no fpc to derive them from", ErrWeights, s+1)
				}
				p *= sd.popsize[h] / float64(sd.nsamp[h])
			}
			w[i] = p
		}
	default:
		for i := range w {
			w[i] = 1
		}
	}
	d.w = w
	d.w0 = w
	d.prows = allRows(n)
	d.allIn = true
	d.act = d.prows
	d.pc = &presenceCache{}
	d.hasStrata = len(spec.Stages) > 0 && spec.Stages[0].Strata != nil
	return d, nil
}

func clusterName(st Stage, i int) string {
	if st.Cluster == nil {
		return fmt.Sprintf("row %d", i+1)
	}
	return st.Cluster[i]
}

// isPresent says whether row i is part of the design (not dropped by a domain subset of an
// uncalibrated design).
func (d *Design) isPresent(i int) bool {
	if d.allIn {
		return true
	}
	d.pmask.once.Do(func() {
		d.pmask.mask = make([]bool, d.n)
		for _, r := range d.prows {
			d.pmask.mask[r] = true
		}
	})
	return d.pmask.mask[i]
}

func allRows(n int) []int32 {
	r := make([]int32, n)
	for i := range r {
		r[i] = int32(i)
	}
	return r
}

// activeOf lists the rows present with a non-zero weight in w.
func (d *Design) activeOf(w []float64) []int32 {
	act := make([]int32, 0, len(d.prows))
	for _, i := range d.prows {
		if w[i] != 0 {
			act = append(act, i)
		}
	}
	return act
}

func (d *Design) degf() float64 {
	if d.rep != nil {
		return d.repDegf()
	}
	st := &d.stages[0]
	cl := make([]bool, st.ncl)
	sh := make([]bool, st.nstrata)
	nc, ns := 0, 0
	for _, i := range d.act {
		if c := st.cluster[i]; !cl[c] {
			cl[c] = true
			nc++
		}
		if h := st.strata[i]; !sh[h] {
			sh[h] = true
			ns++
		}
	}
	return float64(nc - ns)
}

// subset: R's `[.survey.design2`: an uncalibrated design drops the rows (they keep counting
// in the PSU numbers of their strata), a calibrated one sets their weights to zero.
func (d *Design) subset(keep []bool) (*Design, error) {
	if len(keep) != d.n {
		return nil, fmt.Errorf("%w: subset has %d rows, design %d", ErrColumns, len(keep), d.n)
	}
	var rows []int32
	for _, i := range d.prows {
		if keep[i] {
			rows = append(rows, i)
		}
	}
	return d.subsetRows(rows, false), nil
}

// subsetRows keeps the given present rows (in increasing order). The new design shares the
// weights of d: its act is rows ∩ d.act (rows itself when active says they all are).
func (d *Design) subsetRows(rows []int32, active bool) *Design {
	nd := *d
	nd.shared = true
	if active {
		nd.act = rows
	} else {
		act := make([]int32, 0, len(rows))
		k := 0
		for _, i := range rows {
			for k < len(d.act) && d.act[k] < i {
				k++
			}
			if k < len(d.act) && d.act[k] == i {
				act = append(act, i)
			}
		}
		nd.act = act
	}
	if len(d.cal) == 0 || d.rep != nil {
		nd.prows = rows
		nd.allIn = len(rows) == d.n
		nd.pmask = &maskCache{}
		nd.pc = &presenceCache{}
	}
	if d.rep != nil {
		nd.rep = d.rep.fresh()
	}
	return &nd
}
