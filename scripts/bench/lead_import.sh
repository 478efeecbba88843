#!/usr/bin/env bash
# Lead import throughput and memory against its baseline, in one run:
#
#   baseline  a plain COPY of the same CSV into an unindexed table (psql \copy)
#   import    `promptsales lead import` of the same rows: validation,
#             deduplication (within the file and against the database),
#             AES-256 encryption of email/name/phone, blind index, the
#             indexed leads table and the per-part checkpoints, with
#             `--writers W` connections writing each batch's parts at once
#   floor     PostgreSQL's own share: the rows the import stored (already
#             encrypted, in the import's order), written again by one binary
#             COPY into an empty copy of `leads` with its indexes and checks.
#             No client could import faster than this with one connection;
#             copy_s / floor_s is the best ratio this schema allows.
#
# for 100k and 1M rows (deterministic: the same N gives the same rows). The
# bar (issue 4): import throughput >= 25% of COPY's, peak RSS < 150 MiB and
# flat as the file grows.
#
# The import reads the CSV file (parsing and field validation included).
# PROMPTSALES_BENCH_FROM_FILE=0 reads the same rows from the built-in
# generator (`lead import --generate N`, hidden) instead, to see the reader's
# share.
#
# It uses a throwaway installation (databases psbench_leads_<pid>*) on the
# server of PROMPTSALES_TEST_DATABASE_URL (scripts/services.sh env) and a
# throwaway data key, and drops them on exit. Usage:
#   scripts/bench/lead_import.sh [--rows "100000 1000000"] [--writers "2"] [--repeat N] [--out DIR]
# --writers "1 2" imports once per value (each into a new organization) next
# to the same baseline, so one run compares them.
# --repeat N measures each size N times, alternating COPY, import and floor
# (each import into a new organization), and adds a line of medians: on a
# shared machine a single run's ratio moves by +-0.02.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${PROMPTSALES_BENCH_BIN:-${PROMPTSALES_BUILD_DIR:-$ROOT/build/test}/apps/promptsales/promptsales}"
ROWS="100000 1000000"
WRITERS="2"
REPEAT=1
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --writers) WRITERS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "lead_import.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || { echo "lead_import.sh: --repeat needs a positive whole number, not '$REPEAT'" >&2; exit 2; }
for w in $WRITERS; do [[ "$w" =~ ^[1-8]$ ]] || { echo "lead_import.sh: --writers takes numbers 1-8, not '$w'" >&2; exit 2; }; done
[ -x "$BIN" ] || { echo "lead_import.sh: no binary at $BIN (build it, or set PROMPTSALES_BENCH_BIN)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "lead_import.sh: /usr/bin/time is missing (scripts/deps.sh installs 'time')" >&2; exit 2; }
OUT="${OUT:-$(mktemp -d /tmp/lead_import_bench.XXXXXX)}"
mkdir -p "$OUT"
PROMPTSALES_DATA_KEY="$(openssl rand -hex 32)"
export PROMPTSALES_DATA_KEY
# shellcheck source=throwaway_installation.sh
. "$ROOT/scripts/bench/throwaway_installation.sh"
start_throwaway_installation psbench_leads

# shellcheck source=lead_csv.sh
. "$ROOT/scripts/bench/lead_csv.sh"

rss_kib() { awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$1"; }
elapsed_s() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }

# The floor: one binary COPY of what the import stored for organization $1
# (ids included, in the import's order: the file's) into an empty copy of
# leads. Prints its seconds.
floor_copy_s() {
  local cols="id, organization_id, email_hash, email_encrypted, name_encrypted, phone_encrypted, source, country,
    city, interests, birth_date, age, consent_email, consent_sms, consent_phone, consent_at, status, campaign_id, key_id"
  psql -q "$CRM_URL" -c "DROP TABLE IF EXISTS bench_floor" -c "CREATE TABLE bench_floor (LIKE leads INCLUDING ALL)" \
    -c "\\copy (SELECT $cols FROM leads WHERE organization_id = $1 ORDER BY id) TO '$OUT/floor.bin' (FORMAT binary)" >/dev/null
  sync
  local start
  start=$(date +%s.%N)
  psql -q "$CRM_URL" -c "\\copy bench_floor ($cols) FROM '$OUT/floor.bin' (FORMAT binary)" >/dev/null
  echo "$(date +%s.%N) - $start" | bc -l
  psql -q "$CRM_URL" -c "DROP TABLE bench_floor" >/dev/null
  rm -f "$OUT/floor.bin"
}

printf "%-14s %8s %9s %8s %12s %12s %7s %7s %8s\n" rows copy_s import_s floor_s copy_rows/s import_rows/s ratio floor rss_MiB |
  tee "$OUT/summary.txt"

# One line of the summary: rows label copy_s import_s floor_s rss_KiB.
report() {
  printf "%-14s %8.2f %9.2f %8.2f %12.0f %12.0f %7.2f %7.2f %8.1f\n" "$2" "$3" "$4" "$5" \
    "$(echo "$1 / $3" | bc -l)" "$(echo "$1 / $4" | bc -l)" "$(echo "$3 / $4" | bc -l)" \
    "$(echo "$3 / $5" | bc -l)" "$(echo "$6 / 1024" | bc -l)" | tee -a "$OUT/summary.txt"
}

org=1000
for n in $ROWS; do
  csv="$OUT/leads_$n.csv"
  generate_csv "$n" >"$csv"
  declare -A runs=()
  for run in $(seq "$REPEAT"); do
    psql -q "$CRM_URL" -c "DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (email text, name text, phone text,
      country text, city text, source text, interests text, birth_date text, consent_email text)" >/dev/null
    sync  # start each timed step without the previous one's dirty pages
    start=$(date +%s.%N)
    psql -q "$CRM_URL" -c "\\copy bench_copy FROM '$csv' CSV HEADER" >/dev/null
    copy_s=$(echo "$(date +%s.%N) - $start" | bc -l)
    psql -q "$CRM_URL" -c "DROP TABLE bench_copy" >/dev/null
    if [ "${PROMPTSALES_BENCH_FROM_FILE:-1}" = 1 ]; then
      src=("$csv")
    else
      src=(--generate "$n")
    fi
    for w in $WRITERS; do
      org=$((org + 1))
      sync
      t="$OUT/time_${n}_w${w}_$run.txt"
      /usr/bin/time -v -o "$t" "$BIN" lead import "${src[@]}" --org "$org" --writers "$w" -o json \
        >"$OUT/import_${n}_w${w}_$run.json" 2>"$OUT/import_${n}_w${w}_$run.err" || [ $? -eq 3 ]  # 3: rejected rows
      import_s=$(elapsed_s "$t")
      rss=$(rss_kib "$t")
      floor_s=$(floor_copy_s "$org")
      runs[$w]+="$copy_s $import_s $floor_s $rss"$'\n'
      label="$n/w$w"
      [ "$REPEAT" -gt 1 ] && label="$label#$run"
      report "$n" "$label" "$copy_s" "$import_s" "$floor_s" "$rss"
    done
  done
  if [ "$REPEAT" -gt 1 ]; then
    for w in $WRITERS; do
      col() { printf '%s' "${runs[$w]}" | awk -v c="$1" 'NF { print $c }' | median; }
      report "$n" "$n/w$w:med" "$(col 1)" "$(col 2)" "$(col 3)" "$(col 4)"
    done
  fi
  unset runs
  rm -f "$csv"
done
echo "ratio = import throughput / COPY throughput (bar: >= 0.25); floor = the same for the floor (the best" \
  "one connection can do with this schema); results in $OUT" | tee -a "$OUT/summary.txt"
