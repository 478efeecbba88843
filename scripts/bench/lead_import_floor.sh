#!/usr/bin/env bash
# What PostgreSQL itself allows for the lead import on this machine, whatever
# the client does: the best ratio (COPY seconds / floor seconds) any importer
# could reach with N writer connections and with a leaner schema.
#
#   baseline  a plain COPY of the CSV into an unindexed table of 9 text
#             columns (psql \copy), as in lead_import.sh
#   floor     the rows `promptsales lead import` stored for that CSV (already
#             encrypted, ids included, in id order), written again by binary
#             COPY into an empty table; no client could write them faster
#
# Each floor runs with 1 writer (one \copy of all rows) and 2 writers (two
# concurrent \copy, the rows split by the first byte of the blind index),
# into a fresh `CREATE TABLE bench_floor (LIKE leads INCLUDING ALL)` set up as
#   schema  leads as it is
#   lean    the leanest schema still meeting the requirements: a 16-byte
#           blind index, no regex CHECKs, one id index (organization_id, id)
#   heap    no index and no CHECK on key_id, country or the blind index: only
#           the heap and WAL of the encrypted rows (32-byte blind index)
#
# It uses a throwaway installation (databases psbench_floor_<pid>*) on the
# server of PROMPTSALES_TEST_DATABASE_URL (scripts/services.sh env) and a
# throwaway data key, and drops them on exit. Usage:
#   scripts/bench/lead_import_floor.sh [--rows N] [--repeat N] [--out DIR]
# --rows defaults to 1000000. --repeat N measures every line N times (each
# floor next to a baseline of its own) and adds a line of medians per
# variant and writers: on a shared machine a single run moves by +-0.02.
set -euo pipefail
shopt -s inherit_errexit  # a failing step inside $(...) stops the script too

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${PROMPTSALES_BENCH_BIN:-${PROMPTSALES_BUILD_DIR:-$ROOT/build/test}/apps/promptsales/promptsales}"
ROWS=1000000
REPEAT=1
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rows|--out|--repeat) [ $# -ge 2 ] || { echo "lead_import_floor.sh: $1 needs a value" >&2; exit 2; } ;;&
    --rows) ROWS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "lead_import_floor.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$ROWS" =~ ^[1-9][0-9]*$ ]] || { echo "lead_import_floor.sh: --rows needs a positive whole number, not '$ROWS'" >&2; exit 2; }
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || { echo "lead_import_floor.sh: --repeat needs a positive whole number, not '$REPEAT'" >&2; exit 2; }
[ -x "$BIN" ] || { echo "lead_import_floor.sh: no binary at $BIN (build it, or set PROMPTSALES_BENCH_BIN)" >&2; exit 2; }
OUT="${OUT:-$(mktemp -d /tmp/lead_import_floor.XXXXXX)}" && mkdir -p "$OUT"
PROMPTSALES_DATA_KEY="$(openssl rand -hex 32)"
export PROMPTSALES_DATA_KEY
# shellcheck source=throwaway_installation.sh
. "$ROOT/scripts/bench/throwaway_installation.sh"
start_throwaway_installation psbench_floor
csv="$OUT/leads_$ROWS.csv"
cleanup() { rm -f "$csv" "$OUT"/floor_*.bin; drop_throwaway_installation; }
trap cleanup EXIT

# shellcheck source=lead_csv.sh
. "$ROOT/scripts/bench/lead_csv.sh"

sql() { psql -q -v ON_ERROR_STOP=1 "$CRM_URL" "$@" >/dev/null; }  # any failing statement stops the script
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l; }
COLS="id, organization_id, email_hash, email_encrypted, name_encrypted, phone_encrypted, source, country,
  city, interests, birth_date, age, consent_email, consent_sms, consent_phone, consent_at, status, campaign_id, key_id"

# The baseline, as lead_import.sh times it. Prints its seconds.
baseline_s() {
  sql -c "DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (email text, name text, phone text,
    country text, city text, source text, interests text, birth_date text, consent_email text)"
  sync  # start each timed step without the previous one's dirty pages
  local start; start=$(now)
  sql -c "\\copy bench_copy FROM '$csv' CSV HEADER"
  since "$start"
  sql -c "DROP TABLE bench_copy"
}

generate_csv "$ROWS" >"$csv"
"$BIN" lead import "$csv" --org 1001 -o json >"$OUT/import.json" 2>"$OUT/import.err" ||
  [ $? -eq 3 ] || { echo "lead_import_floor.sh: the import failed, see $OUT/import.err" >&2; exit 1; }

# What the import stored, as binary COPY files: all rows and the two halves,
# with the 32-byte blind index (full) and cut to 16 bytes (lean).
for set in full lean; do
  cols="$COLS"
  [ "$set" = lean ] && cols="${COLS/email_hash,/substring(email_hash for 16) AS email_hash,}"
  for part in all 0 1; do
    where="organization_id = 1001"
    [ "$part" = all ] || where="$where AND get_byte(email_hash, 0) % 2 = $part"
    sql -c "\\copy (SELECT $cols FROM leads WHERE $where ORDER BY id) TO '$OUT/floor_${set}_$part.bin' (FORMAT binary)"
  done
done
stored=$(psql -At -v ON_ERROR_STOP=1 "$CRM_URL" -c "SELECT count(*) FROM leads WHERE organization_id = 1001")
echo "rows: $ROWS in the CSV, $stored stored by the import; results in $OUT"

# The variants, from `CREATE TABLE bench_floor (LIKE leads INCLUDING ALL)` (the names: \d bench_floor).
declare -A ALTER=([schema]="" [lean]="ALTER TABLE bench_floor DROP CONSTRAINT leads_key_id_check,
    DROP CONSTRAINT leads_country_check, ADD CHECK (octet_length(key_id) = 16 AND ltrim(key_id, '0123456789abcdef') = ''),
    ADD CHECK (length(country) = 2 AND ltrim(country::text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') = ''), DROP CONSTRAINT
    bench_floor_pkey, DROP CONSTRAINT leads_email_hash_check, ADD CHECK (octet_length(email_hash) = 16),
    ADD PRIMARY KEY (organization_id, id); DROP INDEX bench_floor_organization_id_id_idx"
  [heap]="ALTER TABLE bench_floor DROP CONSTRAINT bench_floor_pkey, DROP CONSTRAINT
    bench_floor_organization_id_email_hash_key, DROP CONSTRAINT leads_key_id_check, DROP CONSTRAINT leads_country_check,
    DROP CONSTRAINT leads_email_hash_check; DROP INDEX bench_floor_organization_id_id_idx;
    DROP INDEX bench_floor_organization_id_campaign_id_idx")

# One floor: variant $1 with $2 writers. Prints its seconds.
floor_s() {
  local set=full start pids=() part p
  [ "$1" = lean ] && set=lean
  sql -c "DROP TABLE IF EXISTS bench_floor" -c "CREATE TABLE bench_floor (LIKE leads INCLUDING ALL)"
  [ -z "${ALTER[$1]}" ] || sql -c "${ALTER[$1]}"
  sync
  start=$(now)
  for part in $([ "$2" = 1 ] && echo all || echo 0 1); do  # 2 writers: both halves at once
    sql -c "\\copy bench_floor ($COLS) FROM '$OUT/floor_${set}_$part.bin' (FORMAT binary)" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done  # a writer's failure stops the script
  since "$start"
  sql -c "DROP TABLE bench_floor"
}

report() { printf "%-10s %7s %8.2f %8.2f %6.2f\n" "$1" "$2" "$3" "$4" "$(echo "$3 / $4" | bc -l)" | tee -a "$OUT/summary.txt"; }
printf "%-10s %7s %8s %8s %6s\n" variant writers copy_s floor_s ratio | tee "$OUT/summary.txt"
declare -A RUNS=()
LINES=("schema 1" "schema 2" "lean 1" "lean 2" "heap 1" "heap 2")
for run in $(seq "$REPEAT"); do
  for line in "${LINES[@]}"; do
    read -r variant writers <<<"$line"
    copy_s=$(baseline_s)  # each floor next to a baseline of its own
    f=$(floor_s "$variant" "$writers")
    RUNS[$line]+="$copy_s $f"$'\n'
    report "$variant$([ "$REPEAT" -eq 1 ] || echo "#$run")" "$writers" "$copy_s" "$f"
  done
done
col() { printf '%s' "${RUNS[$1]}" | awk -v c="$2" '{ print $c }' | median; }
for line in "${LINES[@]}"; do
  [ "$REPEAT" -eq 1 ] || report "${line% *}:med" "${line#* }" "$(col "$line" 1)" "$(col "$line" 2)"
done
echo "ratio = the best import/COPY throughput ratio any client could reach with this schema and this many" \
  "writer connections (the bar is 0.25)" | tee -a "$OUT/summary.txt"
