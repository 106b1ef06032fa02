#!/bin/sh
# Copies the traditional Mongolian web font of the content pages from the npm package
# @fontsource/noto-sans-mongolian (pinned in package.json / package-lock.json; SIL Open Font
# License 1.1) into internal/web/static/mongolian-noto-sans.woff2, which the Go binary embeds:
# only the "mongolian" subset, weight 400, woff2. Run after changing the package's version;
# TestMongolianFontMatchesNpm checks the copy.
set -eu
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
cp node_modules/@fontsource/noto-sans-mongolian/files/noto-sans-mongolian-mongolian-400-normal.woff2 internal/web/static/mongolian-noto-sans.woff2
echo "internal/web/static/mongolian-noto-sans.woff2: @fontsource/noto-sans-mongolian $(node -p 'require("./node_modules/@fontsource/noto-sans-mongolian/package.json").version')"
