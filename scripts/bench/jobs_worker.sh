#!/usr/bin/env bash
# Worker throughput: enqueue N `probe` jobs, run `promptsales jobs worker
# --once` until the queue drains, report jobs per minute. The baseline, in
# the same run: pgbench executing the same five SQL statements per job as
# the worker does (claim with SKIP LOCKED, insert the run record, the probe's
# SELECT 1, finish the run record, settle the queue row) with the same number
# of connections, so the ratio is the runner's own overhead.
#
#   scripts/bench/jobs_worker.sh [--bin PATH] [--jobs N] [--concurrency C] [--out DIR]
#
# Defaults: --bin $PROMPTSALES_BENCH_BIN or /work/build-bench/apps/promptsales/promptsales,
# --jobs 3000, --concurrency 4, --out /tmp/promptsales-jobs-bench-<timestamp>.
# Starts its own PostgreSQL through scripts/services.sh (.local/bench-jobs-services,
# port 55437, durable commits) and stops it at the end unless it was running.
# Exits 1 if the worker stays below the requirement: 300 jobs per minute.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${PROMPTSALES_BENCH_BIN:-/work/build-bench/apps/promptsales/promptsales}"
JOBS=3000
CONCURRENCY=4
OUT="/tmp/promptsales-jobs-bench-$(date -u +%Y%m%dT%H%M%SZ)"
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "jobs_worker.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$BIN" ] || { echo "jobs_worker.sh: no promptsales binary at $BIN (--bin PATH)" >&2; exit 2; }
for tool in psql pgbench python3; do
  command -v "$tool" >/dev/null || { echo "jobs_worker.sh: $tool is required" >&2; exit 2; }
done
# pgbench gives each client the same number of transactions.
JOBS=$(( JOBS / CONCURRENCY * CONCURRENCY ))
mkdir -p "$OUT"

export PROMPTSALES_SERVICES_DIR="${PROMPTSALES_BENCH_SERVICES_DIR:-$ROOT/.local/bench-jobs-services}"
export PROMPTSALES_PG_PORT="${PROMPTSALES_BENCH_PG_PORT:-55437}"
export PROMPTSALES_REDIS_PORT="${PROMPTSALES_BENCH_REDIS_PORT:-56384}"
services() { "$ROOT/scripts/services.sh" "$@"; }
was_running=0
services status >/dev/null 2>&1 && was_running=1
cleanup() { [ "$was_running" = 1 ] || services stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
services start >/dev/null

ADMIN="postgresql://postgres@127.0.0.1:$PROMPTSALES_PG_PORT/postgres"
DB="jobs_bench_$$"
URL="postgresql://postgres@127.0.0.1:$PROMPTSALES_PG_PORT/$DB"
psql "$ADMIN" -XAtq -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
trap 'psql "$ADMIN" -XAtq -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; cleanup' EXIT
export PROMPTSALES_DATABASE_URL="$URL" PROMPTSALES_CONFIG="" PROMPTSALES_LOG_LEVEL=warn
"$BIN" db migrate >"$OUT/migrate.txt"

fill_queue() {
  psql "$URL" -XAtq -c "TRUNCATE job_queue, job_runs" \
    -c "INSERT INTO job_queue (job) SELECT 'probe' FROM generate_series(1, $JOBS)" \
    -c "VACUUM ANALYZE job_queue"
}
check_drained() {
  psql "$URL" -XAtq -c "SELECT count(*) FILTER (WHERE state = 'succeeded') || ' ' || count(*) FROM job_queue" \
    -c "SELECT count(*) FROM job_runs WHERE outcome = 'succeeded'"
}

echo "== worker: $JOBS probe jobs, concurrency $CONCURRENCY"
fill_queue
start=$(date +%s.%N)
"$BIN" --output json jobs worker --once --concurrency "$CONCURRENCY" >"$OUT/worker.json" 2>"$OUT/worker.log"
end=$(date +%s.%N)
check_drained | tee "$OUT/worker-check.txt"

echo "== baseline: pgbench, the same statements per job, $CONCURRENCY connections"
cat >"$OUT/job.sql" <<'SQL'
UPDATE job_queue SET state = 'running', attempts = attempts + 1, locked_by = 'pgbench', locked_at = now(), updated_at = now() WHERE id = (SELECT id FROM job_queue WHERE state = 'queued' AND run_after <= now() ORDER BY run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id AS qid
\gset
INSERT INTO job_runs (job, params, trigger, queue_id, run_by) VALUES ('probe', '{}'::jsonb, 'worker', :qid, 'pgbench') RETURNING id AS rid
\gset
SELECT 1;
UPDATE job_runs SET finished_at = clock_timestamp(), outcome = 'succeeded', exit_code = 0, processed = 1, failed = 0, counts = '{}'::jsonb, message = 'control database answered', error = NULL WHERE id = :rid;
UPDATE job_queue SET state = 'succeeded', locked_by = NULL, last_error = NULL, updated_at = now(), finished_at = now() WHERE id = :qid;
SQL
fill_queue
pgbench -n -M prepared -c "$CONCURRENCY" -j "$CONCURRENCY" -t $(( JOBS / CONCURRENCY )) -f "$OUT/job.sql" "$URL" \
  >"$OUT/pgbench.txt" 2>&1
check_drained | tee "$OUT/pgbench-check.txt"

python3 - "$OUT" "$start" "$end" "$JOBS" "$CONCURRENCY" <<'PY'
import json, re, sys
out, start, end, jobs, conc = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
worker = json.load(open(f"{out}/worker.json"))
wall = end - start
worker_rate = worker["jobs"] * 60 / wall
text = open(f"{out}/pgbench.txt").read()
tps = float(re.search(r"tps = ([0-9.]+)", text).group(1))
base_rate = tps * 60
result = {"jobs": jobs, "concurrency": conc, "workerJobs": worker["jobs"], "workerSucceeded": worker["succeeded"],
          "workerWallSeconds": round(wall, 3), "workerJobsPerMinute": round(worker_rate),
          "workerInternalJobsPerMinute": round(worker["jobsPerMinute"]),
          "pgbenchJobsPerMinute": round(base_rate), "ratio": round(worker_rate / base_rate, 3),
          "bar": 300, "met": worker_rate >= 300 and worker["succeeded"] == jobs}
json.dump(result, open(f"{out}/results.json", "w"), indent=2)
print(f"worker:   {worker['jobs']} jobs in {wall:.2f} s = {worker_rate:,.0f} jobs/min (process start to exit)")
print(f"baseline: pgbench, same SQL = {base_rate:,.0f} jobs/min")
print(f"ratio worker/baseline = {worker_rate / base_rate:.2f}; bar 300 jobs/min: {'met' if result['met'] else 'NOT MET'}")
print(f"results: {out}/results.json")
sys.exit(0 if result["met"] else 1)
PY
