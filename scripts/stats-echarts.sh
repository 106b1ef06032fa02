#!/bin/sh
# Copies Apache ECharts (npm package echarts, pinned in package.json / package-lock.json;
# Apache License 2.0) into internal/web/static/stats-echarts.min.js, which the Go binary embeds
# and serves at a content-hashed URL for the statistics dashboard's charts and map layer. The
# full build (dist/echarts.min.js) is copied because the map series and registerMap are not in
# the "common" build. Run after changing echarts' version; TestEChartsMatchesNpm checks the copy.
set -eu
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
cp node_modules/echarts/dist/echarts.min.js internal/web/static/stats-echarts.min.js
echo "internal/web/static/stats-echarts.min.js: echarts $(node -p 'require("./node_modules/echarts/package.json").version')"
