#!/usr/bin/env bash
# The test command: installs what is missing, builds, starts a private
# PostgreSQL 15 and Redis 7, runs the whole CTest suite (unit and
# integration), stops the servers, and exits non-zero on any failure.
#
#   scripts/test.sh [--build-type Debug|Release|RelWithDebInfo] [--sanitize address,undefined] [ctest args...]
#
# After ctest, scripts/fuzz.sh builds and runs the libFuzzer targets
# (PROMPTSALES_FUZZ_SECONDS each, default 60). PROMPTSALES_SKIP_FUZZ=1 skips
# that step for quick local runs; CI (CI=true) always runs it.
#
# Settings: PROMPTSALES_BUILD_DIR (default <repo>/build/test), and the
# PROMPTSALES_SERVICES_DIR / _PG_PORT / _REDIS_PORT of scripts/services.sh
# (the tests use their own data folder and ports by default, so they never
# touch the demo's servers).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_TYPE=RelWithDebInfo
SANITIZE=""
CTEST_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-type) BUILD_TYPE="$2"; shift 2 ;;
    --sanitize) SANITIZE="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) CTEST_ARGS+=("$1"); shift ;;
  esac
done
BUILD_DIR="${PROMPTSALES_BUILD_DIR:-$ROOT/build/test}"

"$ROOT/scripts/deps.sh"

echo "== build ($BUILD_TYPE${SANITIZE:+, sanitize=$SANITIZE}) in $BUILD_DIR"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
  -DPROMPTSALES_WARNINGS_AS_ERRORS=ON -DPROMPTSALES_SANITIZE="$SANITIZE" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"

# Private servers for the tests, separate from the demo's.
export PROMPTSALES_SERVICES_DIR="${PROMPTSALES_SERVICES_DIR:-$ROOT/.local/test-services}"
export PROMPTSALES_PG_PORT="${PROMPTSALES_PG_PORT:-55433}"
export PROMPTSALES_REDIS_PORT="${PROMPTSALES_REDIS_PORT:-56380}"
export PROMPTSALES_PG_FAST=1
cleanup() { "$ROOT/scripts/services.sh" stop || true; }
trap cleanup EXIT
"$ROOT/scripts/services.sh" start
eval "$("$ROOT/scripts/services.sh" env)"

echo "== ctest"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 600 -j"$(nproc)" "${CTEST_ARGS[@]}"

if [ "${PROMPTSALES_SKIP_FUZZ:-0}" = 1 ] && [ "${CI:-}" != true ]; then
  echo "== fuzz: skipped (PROMPTSALES_SKIP_FUZZ=1)"
else
  "$ROOT/scripts/fuzz.sh"
fi
