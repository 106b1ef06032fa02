package estimate

import "errors"

// Errors returned by this package. They are wrapped with the details (row, stratum, stage,
// category, variable), so test them with errors.Is.
var (
	// ErrColumns: a design or analysis column is missing or its length differs from the
	// design's number of rows.
	ErrColumns = errors.New("estimate: missing or mismatched column")
	// ErrWeights: a weight is zero, negative, infinite or missing.
	ErrWeights = errors.New("estimate: invalid weight")
	// ErrFPC: a finite population correction is invalid: a population size smaller than the
	// number of sampled units in its stratum, a fraction outside (0, 1], a mix of sizes and
	// fractions, or values that differ within a stratum.
	ErrFPC = errors.New("estimate: invalid finite population correction")
	// ErrLonelyPSU: a stratum has a single PSU and the design's rule is LonelyFail.
	ErrLonelyPSU = errors.New("estimate: stratum with one PSU")
	// ErrMissingValue: an analysis variable has a missing value and NARemove was not given.
	ErrMissingValue = errors.New("estimate: missing value")
	// ErrEmpty: nothing to estimate from (no row with a positive weight, or a zero
	// denominator).
	ErrEmpty = errors.New("estimate: no observations")
	// ErrMargin: a calibration margin does not match the sample: a category present in the
	// sample has no population total, or a population category has no respondent.
	ErrMargin = errors.New("estimate: margin does not match the sample")
	// ErrNotConverged: raking or calibration did not converge; no design is returned.
	ErrNotConverged = errors.New("estimate: calibration did not converge")
	// ErrReplicates: a replicate-weight specification is invalid (no replicates, lengths,
	// a design that the requested replicate method cannot handle).
	ErrReplicates = errors.New("estimate: invalid replicate design")
)
