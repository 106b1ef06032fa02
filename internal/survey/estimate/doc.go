// Package estimate computes design-based estimates from complex survey samples: weighted
// means, totals, ratios and proportions with Taylor-linearized or replicate-weight standard
// errors, design effects, domain (subpopulation) estimates, confidence intervals,
// post-stratification, raking and calibration. It owns the statistics only: it reads plain
// Go slices, one value per respondent, and must not know about HTTP, SQL or questionnaires.
//
// The reference is R's survey package (Thomas Lumley), version 4.1-1 as shipped by Debian
// (r-cran-survey). Every estimator reproduces the corresponding R function — svydesign,
// svymean, svytotal, svyratio, svyby, confint, svyciprop, postStratify, rake, calibrate,
// as.svrepdesign and svrepdesign — to a relative 1e-9 on the example data sets that ship
// with R's package (api, nhanes, yrbs, scd). scripts/survey-fixtures.sh regenerates the
// expected values in testdata/ with R; the Go tests need no R.
//
// # Data layout
//
// A design is built from columns: one slice per design variable, all of the same length n
// (the number of respondents). Cluster and stratum identifiers are strings. Numeric analysis
// variables are []float64 in which math.NaN() marks a missing value; categorical variables
// are []string in which "" marks a missing value.
//
// # Variance
//
// Linearization follows R's svyrecvar: the estimating function of each estimator (its
// influence function times the weights) is summed within clusters, centred within strata and
// scaled by n_h/(n_h-1) times the finite population correction (N_h-n_h)/N_h. Without a
// finite population correction only the first stage counts (the with-replacement, "ultimate
// cluster" approximation); with one at every stage the later stages add their own
// components, each multiplied by the sampling fraction of the stages above, exactly as R's
// multistage().
//
// # Missing values
//
// By default a missing value in an analysis variable is an error naming the first row. With
// the NARemove option the rows with a missing value are taken out as R's na.rm=TRUE does:
// they keep their place in the design (strata and PSU counts do not change) but weigh zero,
// which is a domain estimate for the complete cases.
//
// # Differences from R that are deliberate
//
//   - Raking (Rake) iterates to a fixed point (see RakeControl), not to R's default
//     epsilon of 1 in the weighted table; the fixtures are produced with a tight epsilon so
//     the two agree. The variance of a raked estimate uses R's rule: ten sweeps of
//     back-fitting of the estimating functions on the margins.
//   - Calibrate with the raking function iterates Newton steps to a relative change below
//     1e-12 (R: 1e-7 by default; the fixtures use a tight epsilon).
//   - The logit interval of PropCI is the closed form of R's svyciprop(method="logit").
package estimate
