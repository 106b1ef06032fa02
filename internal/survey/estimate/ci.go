package estimate

import "math"

// CI is the normal-theory confidence interval Value ± z·SE at the given level (0.95 for 95%),
// R's confint(svymean(...)).
func (e Estimate) CI(level float64) (lo, hi float64) { return e.ci(level, math.Inf(1)) }

// CIT is the t interval Value ± t(DF)·SE, R's confint(..., df=degf(design)).
func (e Estimate) CIT(level float64) (lo, hi float64) { return e.ci(level, e.DF) }

// PropMethod is a method of confidence interval for a proportion, R's svyciprop(method=).
type PropMethod int

const (
	// PropLogit: the interval of the logit of the proportion, back-transformed ("logit").
	// R fits a quasibinomial model whose iterations stop at a relative change of 1e-8;
	// this is the closed form at convergence (the SE of the logit is SE(p)/(p(1-p)) by
	// linearization; for a replicate design, the spread of the replicates' logits).
	PropLogit PropMethod = iota
	// PropBeta: Korn and Graubard's (1998) beta interval with the effective sample size
	// n/deff ("beta").
	PropBeta
	// PropMean: the Wald interval p ± t·SE ("mean").
	PropMean
	// PropXLogit: the logit interval computed from the linearized SE of the logit
	// ("xlogit").
	PropXLogit
	// PropAsin: the arcsine square-root transformed interval ("asin").
	PropAsin
)

// PropInterval is a proportion with its confidence interval.
type PropInterval struct {
	Estimate
	Lo, Hi float64
}

// PropCI estimates the population share of rows with y = 1 (y holds 0 and 1, NaN missing)
// with a confidence interval at the given level by the given method, with t quantiles on
// Design.DegF degrees of freedom, as R's svyciprop(~y, design, method, level). Errors as
// Mean.
func (d *Design) PropCI(y []float64, method PropMethod, level float64, opts ...Option) (PropInterval, error) {
	return d.propCI(y, method, level, getOptions(opts))
}
