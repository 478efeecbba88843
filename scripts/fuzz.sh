#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang 14) and runs each for a
# while, two at a time. Exits non-zero when any target finds a crash, a
# leak, a timeout, an out-of-memory or undefined behaviour; the input that
# did it is kept in the crash folder (reproduce: <binary> <file>).
#
#   scripts/fuzz.sh [--seconds N] [--jobs J] [TARGET...]
#
# Settings: PROMPTSALES_FUZZ_SECONDS (per target, default 60),
# PROMPTSALES_FUZZ_BUILD_DIR (default <repo>/build/fuzz-clang),
# PROMPTSALES_FUZZ_CRASH_DIR (default <repo>/build/fuzz/crashes).
# Each target starts from its committed seeds (tests/fuzz/corpus/<name>/)
# plus what earlier runs in the same build folder found.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_TARGET="${PROMPTSALES_FUZZ_SECONDS:-60}"
JOBS=2
ONLY=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_TARGET="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *) ONLY+=("$1"); shift ;;
  esac
done
case "$SECONDS_PER_TARGET" in ''|*[!0-9]*) echo "fuzz: --seconds must be a whole number" >&2; exit 2 ;; esac
case "$JOBS" in ''|0|*[!0-9]*) echo "fuzz: --jobs must be a positive number" >&2; exit 2 ;; esac

BUILD_DIR="${PROMPTSALES_FUZZ_BUILD_DIR:-$ROOT/build/fuzz-clang}"
CRASH_DIR="${PROMPTSALES_FUZZ_CRASH_DIR:-$ROOT/build/fuzz/crashes}"
CXX_CLANG="${PROMPTSALES_FUZZ_CXX:-clang++-14}"
command -v "$CXX_CLANG" >/dev/null || { echo "fuzz: $CXX_CLANG not found (scripts/deps.sh installs clang-14)" >&2; exit 2; }

echo "== fuzz build (clang, libFuzzer) in $BUILD_DIR"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}" CCACHE_NOHASHDIR=1
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_CXX_COMPILER="$CXX_CLANG" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPROMPTSALES_FUZZ=ON -DPROMPTSALES_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"

MANIFEST="$BUILD_DIR/fuzz/targets.txt"
names=() binaries=() max_lens=()
while read -r name binary max_len; do
  case "$name" in ''|'#'*) continue ;; esac
  if [ ${#ONLY[@]} -gt 0 ] && [[ ! " ${ONLY[*]} " == *" $name "* ]]; then continue; fi
  names+=("$name") binaries+=("$binary") max_lens+=("$max_len")
done <"$MANIFEST"
if [ ${#names[@]} -eq 0 ]; then
  echo "fuzz: no target matches ${ONLY[*]:-anything} (see $MANIFEST)" >&2
  exit 2
fi

# Sanitizers stop at the first error; libFuzzer turns it into a failure
# with a reproducer. Leak checking is on (LeakSanitizer, the ASan default).
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
LOG_DIR="$BUILD_DIR/fuzz/logs"
mkdir -p "$LOG_DIR" "$CRASH_DIR"

run_target() {
  local name="$1" binary="$2" max_len="$3"
  local corpus="$BUILD_DIR/fuzz/corpus/$name" seeds="$ROOT/tests/fuzz/corpus/$name"
  local dict="$ROOT/tests/fuzz/$name.dict" args=()
  mkdir -p "$corpus" "$CRASH_DIR/$name"
  [ -f "$dict" ] && args+=("-dict=$dict")
  [ -d "$seeds" ] && args+=("$seeds")
  # -timeout: one input that runs longer than this is a hang (a finding).
  # The outer timeout only guards against the fuzzer itself not stopping.
  timeout --kill-after=10 "$((SECONDS_PER_TARGET + 120))" \
    "$binary" -max_total_time="$SECONDS_PER_TARGET" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$CRASH_DIR/$name/" "$corpus" "${args[@]}" >"$LOG_DIR/$name.log" 2>&1
}

echo "== fuzz ${#names[@]} targets, ${SECONDS_PER_TARGET}s each, $JOBS at a time"
start=$(date +%s)
declare -A pid_of=()
failed=()
passed=0
wait_one() {
  # Reap whichever target finishes first and report it.
  local done_pid rc=0
  wait -n -p done_pid "${!pid_of[@]}" || rc=$?
  local name="${pid_of[$done_pid]}"
  unset "pid_of[$done_pid]"
  local runs
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$LOG_DIR/$name.log" | grep -Eo '[0-9]+$' || echo "?")
  if [ "$rc" -eq 0 ]; then
    echo "fuzz: $name ok ($runs inputs)"
    passed=$((passed + 1))
  else
    echo "fuzz: $name FAILED (exit $rc); reproducer(s) in $CRASH_DIR/$name/, log $LOG_DIR/$name.log:"
    grep -E 'ERROR|SUMMARY|invariant|runtime error|Test unit written' "$LOG_DIR/$name.log" | head -20 | sed 's/^/  /' || true
    failed+=("$name")
  fi
}
for i in "${!names[@]}"; do
  while [ ${#pid_of[@]} -ge "$JOBS" ]; do wait_one; done
  run_target "${names[$i]}" "${binaries[$i]}" "${max_lens[$i]}" &
  pid_of[$!]="${names[$i]}"
done
while [ ${#pid_of[@]} -gt 0 ]; do wait_one; done

echo "fuzz: took $(( $(date +%s) - start ))s"
echo "fuzz: ${passed} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
