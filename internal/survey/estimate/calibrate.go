package estimate

// Margin is a known population distribution of one categorical variable.
type Margin struct {
	// Name names the variable in errors ("sex", "age group").
	Name string
	// Var is the category of each row; "" is not allowed (ErrMargin).
	Var []string
	// Totals is the population count of each category. Every category present in the
	// sample must have a total and every total a respondent; otherwise ErrMargin naming the
	// category.
	Totals map[string]float64
}

// PostStratify adjusts the weights so that the weighted count of each category of m equals
// its population total, R's postStratify(design, ~var, totals). The variance of later
// estimates removes the post-stratum means from the estimating functions (R's svyrecvar);
// in a replicate design every replicate is post-stratified to the same totals. Errors:
// *MarginError (ErrMargin) naming the categories, ErrColumns.
func (d *Design) PostStratify(m Margin) (*Design, error) { return d.postStratify(m) }

// RakeControl sets the stopping rule of Rake.
type RakeControl struct {
	// MaxIter is the largest number of sweeps over the margins; 0 means 100.
	MaxIter int
	// Epsilon: raking stops after the first sweep in which no cell of the weighted cross
	// table of all margin variables changed by more than Epsilon × Σw (the sum of the
	// sampling weights); 0 means 1e-12. This is R's rule with control$epsilon < 1.
	Epsilon float64
}

// Rake adjusts the weights by iterative proportional fitting to the margins (post-
// stratifying to each margin in turn, sweep after sweep), R's rake(design, margins, totals,
// control). If the stopping rule is not met after MaxIter sweeps it returns ErrNotConverged
// and no design. Other errors: *MarginError (ErrMargin) naming the margin and categories,
// ErrColumns. The variance of estimates on the raked design is R's: ten back-fitting sweeps
// of the estimating functions on the margins.
func (d *Design) Rake(margins []Margin, ctl RakeControl) (*Design, error) {
	return d.rake(margins, ctl)
}

// CalMethod is the distance function of Calibrate, R's calfun.
type CalMethod int

const (
	// CalLinear: the generalized regression (GREG) weights, g = 1 + xᵀλ (R's "linear").
	CalLinear CalMethod = iota
	// CalRaking: the raking-ratio weights, g = exp(xᵀλ) (R's "raking").
	CalRaking
)

// Calibrate adjusts the weights so that the weighted totals of the auxiliary columns equal
// the population totals, R's calibrate(design, formula, population, calfun). x holds the
// model-matrix columns (each of length N(), e.g. a column of ones for the population size
// and 0/1 indicators of all categories but one); totals[j] is the population total of
// x[j]. Columns that are zero in the sample with a zero total are dropped, as R does. The
// linear method is a closed form; the raking method takes Newton steps until every
// calibrated total is within 1e-13 × (1 + |target|) of its target, at most 100 steps, else
// ErrNotConverged and no design. A replicate design has every replicate calibrated to the
// same totals (R's calibrate.svyrep.design). Errors: ErrColumns, ErrMissingValue (a
// non-finite x), ErrMargin (collinear columns), ErrNotConverged.
func (d *Design) Calibrate(x [][]float64, totals []float64, method CalMethod) (*Design, error) {
	return d.calibrate(x, totals, method)
}
