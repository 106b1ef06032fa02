#!/bin/sh
# Copies the QR decoder of the check-in page from the npm package jsqr (pinned in
# package.json / package-lock.json) into internal/web/static/checkin-jsqr.js, which the Go
# binary embeds. Run after changing jsqr's version; TestJsQRMatchesNpm checks the copy.
set -eu
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
cp node_modules/jsqr/dist/jsQR.js internal/web/static/checkin-jsqr.js
echo "internal/web/static/checkin-jsqr.js: jsqr $(node -p 'require("./node_modules/jsqr/package.json").version')"
