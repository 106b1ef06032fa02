package estimate

import "math"

// Estimate is one estimated quantity with its uncertainty.
type Estimate struct {
	// Value is the point estimate.
	Value float64
	// SE is its standard error (square root of the design-based variance).
	SE float64
	// DEff is the design effect (Kish): the design variance over the variance of the same
	// estimator under simple random sampling without replacement of the same number of
	// respondents, as R's deff=TRUE (for a ratio: the design effect of the total of its
	// linearized residual, as R). NaN for a ratio on a replicate design, where R fails.
	DEff float64
	// DF is the degrees of freedom to use for a t interval: Design.DegF of the design it
	// came from.
	DF float64
}

// Var is the variance, SE².
func (e Estimate) Var() float64 { return e.SE * e.SE }

// CV is the coefficient of variation SE/|Value| (R's cv()); +Inf when Value is 0.
func (e Estimate) CV() float64 { return e.SE / math.Abs(e.Value) }

// Level is the estimate for one category of a categorical variable.
type Level struct {
	Level string
	Estimate
}

// Option changes how an estimator treats its input.
type Option func(*options)

type options struct {
	narm bool
}

// NARemove drops the rows with a missing value in any analysis variable of the call, as R's
// na.rm=TRUE: they weigh zero for this estimate but keep their place in the design.
func NARemove() Option { return func(o *options) { o.narm = true } }

func getOptions(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Mean estimates the population mean of y, Σwy/Σw, R's svymean(~y, design, deff=TRUE).
// len(y) must be N(). Errors: ErrColumns, ErrMissingValue (without NARemove), ErrEmpty,
// ErrLonelyPSU.
func (d *Design) Mean(y []float64, opts ...Option) (Estimate, error) {
	return d.mean(y, getOptions(opts))
}

// Total estimates the population total of y, Σwy, R's svytotal(~y, design, deff=TRUE).
// Errors as Mean.
func (d *Design) Total(y []float64, opts ...Option) (Estimate, error) {
	return d.total(y, getOptions(opts))
}

// Ratio estimates the ratio of population totals Σw·num/Σw·den, R's svyratio(~num, ~den,
// design). With NARemove a row missing either variable is dropped. Errors as Mean, and
// ErrEmpty when the denominator total is zero.
func (d *Design) Ratio(num, den []float64, opts ...Option) (Estimate, error) {
	return d.ratio(num, den, getOptions(opts))
}

// Proportions estimates the population share of each category of x, R's svymean(~x, design)
// on a factor; the levels are the distinct non-missing values of x in the whole design,
// sorted in byte order (R sorts factor levels in the locale's order; pass codes that sort
// the same if the order matters). "" is missing. Errors as Mean.
func (d *Design) Proportions(x []string, opts ...Option) ([]Level, error) {
	return d.levels(x, false, getOptions(opts))
}

// LevelTotals estimates the population count of each category of x, R's svytotal(~x,
// design) on a factor. Levels and errors as Proportions.
func (d *Design) LevelTotals(x []string, opts ...Option) ([]Level, error) {
	return d.levels(x, true, getOptions(opts))
}
