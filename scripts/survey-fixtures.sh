#!/bin/sh
# Regenerates internal/survey/estimate/testdata (data sets as CSV and R's results as JSON)
# with R's survey package from Debian (r-cran-survey 4.1-1). The Go tests read the committed
# files and need no R. Usage: scripts/survey-fixtures.sh   (run from the repository root)
set -eu
if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'library(survey)' >/dev/null 2>&1; then
	echo "installing r-cran-survey from Debian" >&2
	apt-get update && apt-get install -y --no-install-recommends r-base-core r-cran-survey
fi
cd "$(dirname "$0")/.."
LC_ALL=C.UTF-8 Rscript scripts/survey-fixtures.R internal/survey/estimate/testdata
