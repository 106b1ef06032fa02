package estimate

import "sync"

// LonelyPSU is the rule for a stratum that has a single PSU, as R's
// options(survey.lonely.psu=...).
type LonelyPSU int

const (
	// LonelyFail refuses to estimate a variance: ErrLonelyPSU naming the stratum and stage
	// (R's default "fail").
	LonelyFail LonelyPSU = iota
	// LonelyRemove lets the stratum contribute nothing to the variance ("remove").
	LonelyRemove
	// LonelyCertainty treats the single PSU as sampled with certainty: no variance at this
	// stage ("certainty"). In R 4.1 this gives the same results as LonelyRemove, for
	// linearization and for JKn replicate weights alike.
	LonelyCertainty
	// LonelyAdjust centres the stratum at the grand mean instead of its own mean, a
	// conservative choice ("adjust").
	LonelyAdjust
	// LonelyAverage replaces the stratum's contribution by the average of the other
	// strata's ("average").
	LonelyAverage
)

// String gives R's name of the rule.
func (l LonelyPSU) String() string {
	switch l {
	case LonelyFail:
		return "fail"
	case LonelyRemove:
		return "remove"
	case LonelyCertainty:
		return "certainty"
	case LonelyAdjust:
		return "adjust"
	case LonelyAverage:
		return "average"
	}
	return "unknown"
}

// Stage describes one stage of sampling, as one term of R's ids, strata and fpc formulas.
// Every non-nil slice has one entry per row.
type Stage struct {
	// Cluster is the sampling unit of each row at this stage (PSU at stage 1, SSU at stage
	// 2, …). Nil means every row is its own unit (R's ~1).
	Cluster []string
	// Strata is the stratum of each row at this stage. Nil means a single stratum.
	Strata []string
	// FPC is the finite population correction of each row's stratum at this stage: either
	// the number of units in the population stratum (all values ≥ 1, some > 1) or the
	// sampling fraction (all values ≤ 1, some < 1), the same kind at every stage, constant
	// within a stratum, and never implying fewer units than were sampled (ErrFPC). Nil means
	// sampling with replacement at this stage (R's fpc = Inf), which also ends the variance
	// here (the ultimate-cluster approximation); a stage with an FPC below one without is
	// ErrFPC.
	FPC []float64
}

// Spec is the description of a sample design, R's svydesign(ids, strata, fpc, weights,
// nest). At least one of Weights and Stages must be given.
type Spec struct {
	// Weights is the sampling weight (inverse inclusion probability) of each row, > 0 and
	// finite (ErrWeights naming the row otherwise). Nil: derived from the FPC of every
	// stage as ∏ N_s/n_s (R's weights from fpc; ErrWeights if a stage has no FPC), or 1 for
	// every row if no stage has an FPC.
	Weights []float64
	// Stages lists the stages of sampling, first stage first. Nil or empty: every row is its
	// own PSU, unstratified.
	Stages []Stage
	// Nest says that cluster identifiers are only unique within their stratum, as R's
	// nest=TRUE. Without Nest the same first-stage identifier in two strata is an ErrColumns
	// error, as R refuses it. Identifiers of later stages are always taken within the unit
	// of the stage above, as in R.
	Nest bool
	// Lonely is the rule for strata with a single PSU, at any stage.
	Lonely LonelyPSU
	// LonelyDomain applies the lonely-PSU rule also to strata that have one PSU only inside
	// a domain (R's options(survey.adjust.domain.lonely=TRUE)). Off by default, as in R.
	LonelyDomain bool
}

// Design is a sample design with its data layout resolved, ready for estimation. A Design is
// immutable: Subset, PostStratify, Rake, Calibrate and Replicates return new designs and may
// share storage with the old one. It is safe for concurrent use.
type Design struct {
	n       int
	w       []float64 // current weights of the rows in act (see shared)
	shared  bool      // w is the parent's: rows outside act weigh zero whatever w says
	prows   []int32   // the rows still in the design (see subset), in order
	allIn   bool      // prows holds every row
	pmask   *maskCache
	act     []int32 // the rows present with a non-zero weight, in order
	stages  []stageData
	lonely  LonelyPSU
	ldomain bool
	// hasStrata: the first stage is stratified (for the replicate methods)
	hasStrata bool
	// calibration steps, applied in order to the estimating functions before the variance
	cal []calStep
	// replicate weights; nil for linearization designs
	rep *repData
	// sampling weights before any calibration
	w0 []float64
	// first-stage units with a row present, computed once
	pc *presenceCache
}

type maskCache struct {
	once sync.Once
	mask []bool
}

type presenceCache struct {
	once sync.Once
	pres []bool
}

// stageData is one stage with dense ids: clusters and strata are numbered 0.. across the
// whole design (already nested in the units above).
type stageData struct {
	cluster     []int32   // unit of each row
	strata      []int32   // stratum of each row
	nstrata     int       // number of strata
	ncl         int       // number of units
	name        []string  // stratum names for errors
	clusStrat   []int32   // stratum of each unit
	nsamp       []int32   // sampled units per stratum (whole sample)
	popsize     []float64 // population units per stratum, +Inf without fpc
	stratParent []int32   // unit of the stage above that holds each stratum
	clusFactor  []float64 // product of n/N over this and the stages above, per unit
	hasFPC      bool
}

// NewDesign checks the spec and builds the design. Errors (wrapped, test with errors.Is):
// ErrColumns for columns of different lengths or no column at all, ErrWeights for a weight
// that is not finite and positive, ErrFPC for an invalid finite population correction.
// A stratum with a single PSU is not an error here: the lonely-PSU rule applies when a
// variance is computed.
func NewDesign(spec Spec) (*Design, error) {
	return newDesign(spec)
}

// N is the number of rows (respondents) of the design, in and out of domain.
func (d *Design) N() int { return d.n }

// Respondents is the number of rows that count in estimates: present with a non-zero weight
// (in a domain, the respondents of the domain). Use it for minimum cell sizes.
func (d *Design) Respondents() int { return len(d.act) }

// Weights returns a copy of the current weights of each row (zero outside a domain, after
// calibration when the design was calibrated).
func (d *Design) Weights() []float64 { return append([]float64(nil), d.dense()...) }

// dense returns the weights with zeros outside act (d.w itself unless it is shared).
func (d *Design) dense() []float64 {
	if !d.shared {
		return d.w
	}
	w := make([]float64, d.n)
	for _, i := range d.act {
		w[i] = d.w[i]
	}
	return w
}

// DegF is the design's degrees of freedom for t intervals, R's degf(): the number of PSUs
// minus the number of strata at the first stage that hold a row with a non-zero weight for
// a linearization design (so a domain has its own), and the rank of the replicate weights minus one for a
// replicate design. The replicate case takes a QR of the replicate weights of the rows
// present (R × rows × R operations for R replicates, computed once per design and domain),
// which is slow for thousands of replicates on large samples.
func (d *Design) DegF() float64 { return d.degf() }

// Subset returns the domain design in which only the rows with keep[i] true count: the other
// rows weigh zero but stay in the design, so strata and PSU counts are those of the whole
// sample (R's subset() of a survey.design2). len(keep) must be N().
func (d *Design) Subset(keep []bool) (*Design, error) { return d.subset(keep) }
