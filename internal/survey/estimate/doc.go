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
// # Domains
//
// Domain estimates (Subset, Domains, MeanBy, …) follow R's subset() of a design: in an
// uncalibrated design the rows outside the domain leave the design but every stratum keeps the
// number of PSUs it has in the whole sample, so a PSU without domain members counts as a zero;
// in a calibrated design they stay with weight zero, so that the calibration's adjustment of
// the variance still sees them. The degrees of freedom of a domain count the PSUs and strata
// that have domain members, as R's degf().
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
//   - Raking (Rake) iterates to a fixed point: it stops after the first sweep over the
//     margins in which no cell of the weighted cross table of the margin variables moved by
//     more than 1e-12 of the sum of the weights (R's rule with control$epsilon < 1), and
//     fails with ErrNotConverged after 100 sweeps. R's default (an absolute change below 1,
//     at most 10 sweeps) stops earlier, about 1e-7 relative away on the api data; the
//     fixtures call R with epsilon = 1e-15. The variance of a raked estimate follows R
//     exactly: ten sweeps of back-fitting of the estimating functions on the margins (not a
//     converged projection), computed on category sums.
//   - Calibrate with the raking function takes Newton steps until every calibrated total is
//     within 1e-13 of its target relative to 1 + |target| (R: 1e-7 by default; the fixtures
//     use 1e-13). The linear method is a closed form, as in R.
//   - The logit interval of PropCI is the closed form of R's svyciprop(method="logit") at the
//     converged fit (R's glm stops at a relative deviance change of 1e-8, so its interval
//     agrees to about 1e-7 only).
//   - Only what the issue needs is here: no PPS (Brewer, Overton) designs, no bootstrap
//     replicates, no bounded or logit calibration, no calibration within clusters, BRR only
//     with exactly two PSUs per stratum and at most 100 strata.
package estimate
