#!/usr/bin/env bash
# Installs the pinned s3rver (package-lock.json) when node_modules is missing
# or older than the lockfile, and checks the lockfile records no download
# addresses (.npmrc omits them).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v npm >/dev/null || { echo "install.sh: npm is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
lock="$HERE/package-lock.json"
if grep -q '"resolved"' "$lock" || grep -Eq '"https?://[^"]*\.tgz"' "$lock"; then
  echo "FAIL $lock records download addresses (tests/s3rver/.npmrc omits them; reinstall)" >&2
  exit 1
fi
if [ ! -d "$HERE/node_modules" ] || [ "$lock" -nt "$HERE/node_modules/.package-lock.json" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi
test -f "$HERE/node_modules/s3rver/bin/s3rver.js"
echo "s3rver ready"
