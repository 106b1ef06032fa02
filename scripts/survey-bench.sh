#!/bin/sh
# Runs the speed set of issue #7 side by side: R's survey package (scripts/survey-bench.R)
# and the Go benchmark BenchmarkSpeedSet300k, on the same 300,000 synthetic respondents,
# and checks that Go's results equal R's (TestSpeedSetAgainstR). Usage, from the repository
# root: scripts/survey-bench.sh [R repetitions, default 3]
set -eu
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export KEPU_SURVEY_BENCH_DIR="$dir"
go test -count=1 -run TestSpeedSetAgainstR ./internal/survey/estimate/ >/dev/null   # writes data.csv, margins.csv
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
LC_ALL=C.UTF-8 Rscript scripts/survey-bench.R "$dir" "${1:-3}"
go test -count=1 -run xxx -bench SpeedSet300k -benchtime 10x ./internal/survey/estimate/ | grep Benchmark
go test -count=1 -v -run TestSpeedSetAgainstR ./internal/survey/estimate/ | grep -E 'equal|FAIL|ok' || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
