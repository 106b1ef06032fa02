package estimate

import "math"

// linVar is R's svyrecvar for one column of estimating functions z (weighted, one value per
// row, zero outside the domain): calibration steps first, then multistage().
func (d *Design) linVar(z []float64) (float64, error) {
	if len(d.cal) > 0 {
		z = append([]float64(nil), z...)
		for _, c := range d.cal {
			c.adjust(d, z)
		}
	}
	return d.multistage(func(s int, tot []float64, pres []bool) {
		st := &d.stages[s]
		for _, i := range d.prows {
			c := st.cluster[i]
			tot[c] += z[i]
			pres[c] = true
		}
	})
}

// linVarAct is linVar for estimating functions that are zero outside the rows with a weight:
// zv[j] belongs to row d.act[j]. Without calibration, or with one post-stratification or
// raking of a design whose variance ends at the first stage, it works on unit totals and
// never touches the other rows.
func (d *Design) linVarAct(zv []float64) (float64, error) {
	oneStage := len(d.stages) == 1 || !d.stages[0].hasFPC
	if len(d.cal) == 1 && oneStage {
		if pa, ok := d.cal[0].(psuAdjuster); ok {
			st := &d.stages[0]
			return d.multistage(func(s int, tot []float64, pres []bool) {
				for j, i := range d.act {
					tot[st.cluster[i]] += zv[j]
				}
				copy(pres, d.clusterPresence())
				pa.adjustTotals(d, zv, tot)
			})
		}
	}
	if len(d.cal) > 0 {
		z := make([]float64, d.n)
		for j, i := range d.act {
			z[i] = zv[j]
		}
		return d.linVar(z)
	}
	return d.multistage(func(s int, tot []float64, pres []bool) {
		st := &d.stages[s]
		for j, i := range d.act {
			tot[st.cluster[i]] += zv[j]
		}
		for _, i := range d.prows {
			pres[st.cluster[i]] = true
		}
	})
}

// clusterPresence: which first-stage units have a row present (cached per design).
func (d *Design) clusterPresence() []bool {
	d.pc.once.Do(func() {
		st := &d.stages[0]
		d.pc.pres = make([]bool, st.ncl)
		for _, i := range d.prows {
			d.pc.pres[st.cluster[i]] = true
		}
	})
	return d.pc.pres
}

// psuAdjuster is a calibration step that can adjust first-stage unit totals directly.
type psuAdjuster interface {
	adjustTotals(d *Design, zv []float64, tot []float64)
}

// multistage is R's multistage()/onestage()/onestrat() for one column, stage by stage: the
// strata of stage s+1 lie inside the units of stage s, whose contributions are multiplied by
// the sampling fractions of the stages above. Later stages count only when the stage above
// has a finite population correction.
func (d *Design) multistage(totals func(s int, tot []float64, pres []bool)) (float64, error) {
	total := 0.0
	for s := range d.stages {
		st := &d.stages[s]
		tot := make([]float64, st.ncl)
		pres := make([]bool, st.ncl)
		totals(s, tot, pres)
		ssum := make([]float64, st.nstrata)
		spres := make([]int32, st.nstrata)
		for c := range tot {
			if pres[c] {
				h := st.clusStrat[c]
				ssum[h] += tot[c]
				spres[h]++
			}
		}
		center := make([]float64, st.nstrata)
		for h := range center {
			if spres[h] == 0 {
				continue
			}
			nPSU := st.nsamp[h]
			if d.lonely != LonelyAdjust || spres[h] > 1 || (nPSU > 1 && !d.ldomain) {
				center[h] = ssum[h] / float64(nPSU)
			}
		}
		ss := make([]float64, st.nstrata)
		for c := range tot {
			if pres[c] {
				h := st.clusStrat[c]
				e := tot[c] - center[h]
				ss[h] += e * e
			}
		}
		// per-parent sums with R's "average" rescaling
		var parents int
		if s == 0 {
			parents = 1
		} else {
			parents = d.stages[s-1].ncl
		}
		gsum := make([]float64, parents)
		gstrat := make([]int32, parents)
		gok := make([]int32, parents)
		failed := -1
		for h := 0; h < st.nstrata; h++ {
			if spres[h] == 0 {
				continue
			}
			p := 0
			if s > 0 {
				p = int(st.stratParent[h])
			}
			gstrat[p]++
			nPSU := st.nsamp[h]
			f := 1.0
			if !math.IsInf(st.popsize[h], 1) {
				f = (st.popsize[h] - float64(nPSU)) / st.popsize[h]
			}
			if f < 1e-7 {
				gok[p]++
				continue
			}
			scale := f
			if nPSU > 1 {
				scale = f * float64(nPSU) / float64(nPSU-1)
			}
			// padded zeros of the units missing from the domain
			v := ss[h] + float64(nPSU-spres[h])*center[h]*center[h]
			if spres[h] == 1 && nPSU > 1 && d.ldomain && d.lonely == LonelyAverage {
				continue // NA
			}
			if nPSU == 1 {
				switch d.lonely {
				case LonelyFail:
					if failed < 0 || st.name[h] < st.name[failed] {
						failed = h
					}
					continue
				case LonelyAverage:
					continue // NA
				}
			}
			gsum[p] += scale * v
			gok[p]++
		}
		if failed >= 0 {
			// the first in R's order of the strata
			return 0, &LonelyPSUError{Stratum: st.name[failed], Stage: s + 1}
		}
		for p := range gsum {
			if gstrat[p] == 0 {
				continue
			}
			g := gsum[p] * float64(gstrat[p]) / float64(gok[p])
			if s > 0 {
				g *= d.stages[s-1].clusFactor[p]
			}
			total += g
		}
		if !st.hasFPC {
			break
		}
	}
	return total, nil
}
