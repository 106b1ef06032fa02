package estimate

import (
	"errors"
	"fmt"
	"strings"
)

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

// MarginError details an ErrMargin about one margin, for messages in the user's language.
type MarginError struct {
	// Margin is Margin.Name.
	Margin string
	// Categories are the categories at fault, sorted.
	Categories []string
	// Problem is one of "no total" (in the sample, no population total), "no respondent"
	// (a population total, nobody in the sample), "bad total" (negative or not finite) and
	// "missing" (a row without a category; Categories is empty and Row is set).
	Problem string
	// Row is the 1-based row of a "missing" problem.
	Row int
}

func (e *MarginError) Error() string {
	switch e.Problem {
	case "no total":
		return fmt.Sprintf("%v: category %q of %q is in the sample but has no population total", ErrMargin, strings.Join(e.Categories, `", "`), e.Margin)
	case "no respondent":
		return fmt.Sprintf("%v: category %q of %q has a population total but no respondent in the sample", ErrMargin, strings.Join(e.Categories, `", "`), e.Margin)
	case "missing":
		return fmt.Sprintf("%v: row %d has no category of %q", ErrMargin, e.Row, e.Margin)
	}
	return fmt.Sprintf("%v: invalid population total of category %q of %q", ErrMargin, strings.Join(e.Categories, `", "`), e.Margin)
}

// Unwrap makes errors.Is(err, ErrMargin) true.
func (e *MarginError) Unwrap() error { return ErrMargin }

// LonelyPSUError details an ErrLonelyPSU: the stratum (its value in Stage.Strata at stage 1)
// and the 1-based stage.
type LonelyPSUError struct {
	Stratum string
	Stage   int
}

func (e *LonelyPSUError) Error() string {
	return fmt.Sprintf("%v: stratum %q at stage %d", ErrLonelyPSU, e.Stratum, e.Stage)
}

// Unwrap makes errors.Is(err, ErrLonelyPSU) true.
func (e *LonelyPSUError) Unwrap() error { return ErrLonelyPSU }
