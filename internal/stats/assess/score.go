package assess

import (
	"math"
	"sort"
)

// Normalization says how an indicator's raw value becomes the number that is weighted.
type Normalization string

// The normalizations an indicator system may use.
const (
	Raw          Normalization = "raw"           // the value as it is
	PerCapita    Normalization = "capita"        // value ÷ resident population
	Per10k       Normalization = "per10k"        // value ÷ resident population × 10,000
	MinMax       Normalization = "minmax"        // (v − min) ÷ (max − min) × 100 among the units ranked together
	Per10kMinMax Normalization = "per10k_minmax" // per 10,000 population first, then MinMax on those rates
)

// perPopulation reports whether a normalization divides by population.
func (n Normalization) perPopulation() bool {
	return n == PerCapita || n == Per10k || n == Per10kMinMax
}

// scaled reports whether a normalization rescales among the units ranked together.
func (n Normalization) scaled() bool { return n == MinMax || n == Per10kMinMax }

// Normalizations lists them in the order forms show them.
var Normalizations = []Normalization{Raw, PerCapita, Per10k, MinMax, Per10kMinMax}

// Item is one indicator of a system as the scoring sees it.
type Item struct {
	Code   string
	Weight float64       // > 0; contributions are weight ÷ Σweights of the normalized value
	Norm   Normalization // how the raw value is normalized
	// Minimum is a threshold on the raw value: a unit below it (or missing the value) does not
	// qualify. nil: no threshold.
	Minimum *float64
}

// Subject is one unit (league, banner) or venue to score, with its raw values.
type Subject struct {
	Key        string              // division code or venue id; the tie-break order
	Values     map[string]*float64 // indicator code → raw value; nil or absent = missing
	Population int64               // resident population (0 = unknown), for PerCapita and Per10k
}

// Part is one indicator's line in a score's breakdown.
type Part struct {
	Code         string
	Raw          float64 // the raw value (0 when Missing)
	Missing      bool    // no value, or no population for a per-capita figure
	Normalized   float64 // the value after normalization (0 when Missing)
	Weight       float64 // the item's weight as given
	Contribution float64 // Normalized × Weight ÷ Σweights
	BelowMinimum bool    // under the item's threshold (a missing value is below any threshold)
}

// Result is a subject's score: the sum of its contributions, its rank and its breakdown.
type Result struct {
	Key       string
	Score     float64
	Rank      int  // 1-based competition rank among qualified subjects (1, 2, 2, 4); 0 = not qualified
	Qualified bool // every threshold met
	Parts     []Part
}

// Score scores subjects on items and ranks them. Pure: no I/O, same input → same output.
//
// Rules (each is tested in score_test.go):
//   - Missing values count as 0 in the score, are flagged Missing in the breakdown, and are
//     left out of the min and max of a MinMax item (a missing value does not move the scale).
//   - PerCapita, Per10k and Per10kMinMax need a population above 0; without one the value is
//     Missing.
//   - MinMax and Per10kMinMax (on the rates): when every present value is equal, each present value normalizes to 100 if it is
//     above 0 and to 0 otherwise (equal zeroes earn nothing; equal achievements earn full marks).
//   - Weights are relative: a system of weights 30/30/40 and one of 3/3/4 give the same scores.
//     Items with weight ≤ 0 are ignored. No items (or all weights ≤ 0): every score is 0.
//   - Thresholds are on raw values; a subject below one, or missing it, is not qualified: it
//     keeps its score and breakdown but has rank 0 and is listed after the qualified ones.
//   - Ties: scores equal to 1e-9 share a rank and the next rank skips (1, 2, 2, 4); tied
//     subjects are listed by Key.
//
// Results come in rank order (qualified by score descending, then unqualified likewise).
func Score(items []Item, subjects []Subject) []Result {
	var total float64
	for _, it := range items {
		if it.Weight > 0 {
			total += it.Weight
		}
	}
	// First pass: per-capita figures, and the min–max scales of the MinMax items.
	pre := make([][]Part, len(subjects))
	type scale struct {
		lo, hi float64
		any    bool
	}
	scales := make([]scale, len(items))
	for si, s := range subjects {
		pre[si] = make([]Part, len(items))
		for ii, it := range items {
			p := Part{Code: it.Code, Weight: it.Weight}
			v, ok := s.Values[it.Code]
			if !ok || v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
				p.Missing = true
			} else {
				p.Raw = *v
			}
			if it.Minimum != nil && (p.Missing || p.Raw < *it.Minimum) {
				p.BelowMinimum = true
			}
			if !p.Missing {
				p.Normalized = p.Raw
				if it.Norm.perPopulation() {
					if s.Population <= 0 {
						p.Missing, p.Normalized = true, 0
					} else {
						p.Normalized = p.Raw / float64(s.Population)
						if it.Norm != PerCapita {
							p.Normalized *= 10000
						}
					}
				}
				if it.Norm.scaled() && !p.Missing {
					sc := &scales[ii]
					if !sc.any {
						sc.lo, sc.hi, sc.any = p.Normalized, p.Normalized, true
					}
					sc.lo, sc.hi = math.Min(sc.lo, p.Normalized), math.Max(sc.hi, p.Normalized)
				}
			}
			pre[si][ii] = p
		}
	}
	out := make([]Result, len(subjects))
	for si, s := range subjects {
		r := Result{Key: s.Key, Qualified: true, Parts: pre[si]}
		for ii, it := range items {
			p := &r.Parts[ii]
			if p.BelowMinimum {
				r.Qualified = false
			}
			if p.Missing {
				p.Normalized = 0
			} else if it.Norm.scaled() {
				sc, x := scales[ii], p.Normalized
				switch {
				case sc.hi > sc.lo:
					p.Normalized = (x - sc.lo) / (sc.hi - sc.lo) * 100
				case x > 0:
					p.Normalized = 100
				default:
					p.Normalized = 0
				}
			}
			if it.Weight > 0 && total > 0 {
				p.Contribution = p.Normalized * it.Weight / total
			}
			r.Score += p.Contribution
		}
		out[si] = r
	}
	const eps = 1e-9
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Qualified != b.Qualified {
			return a.Qualified
		}
		if math.Abs(a.Score-b.Score) > eps {
			return a.Score > b.Score
		}
		return a.Key < b.Key
	})
	for i := range out {
		if !out[i].Qualified {
			continue
		}
		if i > 0 && out[i-1].Qualified && math.Abs(out[i-1].Score-out[i].Score) <= eps {
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}
