#!/usr/bin/env bash
# Encrypted backup throughput against plain pg_dump (the bar, issue 5: at
# least 85% of the throughput of `pg_dump -Fc` to a local file, on a database
# of at least 1 GB, in the same run).
#
# Fills the control database of a throwaway installation (databases
# psbench_backup_<pid>*, on the server of PROMPTSALES_TEST_DATABASE_URL) with
# a table of --mb MiB (default 1100) of md5 text, then alternates, --rounds
# times (default 2): `pg_dump -Fc -f FILE` and `promptsales backup run
# --database control` (pg_dump piped through AES-256-GCM into a local
# repository). Reports the best time of each and the ratio. Drops everything
# on exit. Usage: scripts/bench/backup.sh [--mb N] [--rounds N] [--out DIR]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${PROMPTSALES_BENCH_BIN:-${PROMPTSALES_BUILD_DIR:-$ROOT/build/test}/apps/promptsales/promptsales}"
PG_BIN="${PROMPTSALES_PG_BIN:-/usr/lib/postgresql/15/bin}"
MB=1100
ROUNDS=2
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --mb) MB="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "backup.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$BIN" ] || { echo "backup.sh: no binary at $BIN (build it, or set PROMPTSALES_BENCH_BIN)" >&2; exit 2; }
OUT="${OUT:-$(mktemp -d /tmp/backup_bench.XXXXXX)}"
mkdir -p "$OUT"
# shellcheck source=throwaway_installation.sh
. "$ROOT/scripts/bench/throwaway_installation.sh"
start_throwaway_installation psbench_backup

# ~100 bytes of text per row: 3 md5s (compressible about 2:1, like real text columns).
ROWS=$(( MB * 1024 * 1024 / 130 ))
echo "generating $ROWS rows (~$MB MiB) in $BENCH_DB.bench_payload" >&2
psql -q "$PROMPTSALES_DATABASE_URL" <<SQL
CREATE TABLE bench_payload (id bigint PRIMARY KEY, note text NOT NULL);
INSERT INTO bench_payload SELECT i, md5(i::text) || md5((i * 7)::text) || md5((i * 13)::text)
  FROM generate_series(1, $ROWS) AS i;
SQL
SIZE=$(psql -At "$PROMPTSALES_DATABASE_URL" -c "SELECT pg_database_size(current_database())")
echo "database size: $((SIZE / 1024 / 1024)) MiB" >&2

export PROMPTSALES_BACKUP_KEY="$(openssl rand -hex 32)"
export PROMPTSALES_BACKUP_REPOSITORY="$OUT/repo"
now() { date +%s.%N; }
best_plain=""; best_enc=""
for round in $(seq 1 "$ROUNDS"); do
  rm -f "$OUT/plain.dump"; rm -rf "$OUT/repo"
  t0=$(now); "$PG_BIN/pg_dump" -Fc -f "$OUT/plain.dump" "$PROMPTSALES_DATABASE_URL"; t1=$(now)
  plain=$(echo "$t1 - $t0" | bc)
  t0=$(now); "$BIN" backup run --database control >/dev/null 2>&1; t1=$(now)
  enc=$(echo "$t1 - $t0" | bc)
  echo "round $round: pg_dump -Fc ${plain}s, backup run ${enc}s" >&2
  if [ -z "$best_plain" ] || [ "$(echo "$plain < $best_plain" | bc)" = 1 ]; then best_plain=$plain; fi
  if [ -z "$best_enc" ] || [ "$(echo "$enc < $best_enc" | bc)" = 1 ]; then best_enc=$enc; fi
done
DUMP=$(stat -c %s "$OUT/plain.dump")
ENC=$(du -sb "$OUT/repo" | cut -f1)
RATIO=$(echo "scale=3; $best_plain / $best_enc" | bc)
cat <<EOF2
database: $((SIZE / 1024 / 1024)) MiB; pg_dump -Fc archive: $((DUMP / 1024 / 1024)) MiB; encrypted repository: $((ENC / 1024 / 1024)) MiB
pg_dump -Fc to a file:       ${best_plain}s  ($(echo "scale=1; $SIZE / 1048576 / $best_plain" | bc) MiB/s of database)
backup run (encrypted):      ${best_enc}s  ($(echo "scale=1; $SIZE / 1048576 / $best_enc" | bc) MiB/s of database)
throughput ratio:            $RATIO (bar: >= 0.85)
EOF2
rm -rf "$OUT/repo" "$OUT/plain.dump"
