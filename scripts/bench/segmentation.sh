#!/usr/bin/env bash
# Nightly segmentation at the issue's scale: 1,000,000 leads (5 organizations
# of 200,000) segmented into 50 audiences (10 per organization) by
# `promptsales audience segment`, the service the `segmentation` job runs.
# The bar (issue 4): under a minute on this machine.
#
# Baseline, measured in the same run on the same data: psql counting each
# audience's matching leads with the equivalent hand-written SQL (no
# membership written), i.e. the cost of just finding the members.
#
# Leads are generated in SQL (deterministic; the personal columns hold
# placeholders: segmentation never reads them). It uses a throwaway
# installation (databases psbench_seg_<pid>*) on the server of
# PROMPTSALES_TEST_DATABASE_URL (scripts/services.sh env) and drops it on
# exit. Usage: scripts/bench/segmentation.sh [--leads N] [--out DIR]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${PROMPTSALES_BENCH_BIN:-${PROMPTSALES_BUILD_DIR:-$ROOT/build/test}/apps/promptsales/promptsales}"
LEADS=1000000
ORGS=5
PER_ORG=10
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --leads) LEADS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "segmentation.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$BIN" ] || { echo "segmentation.sh: no binary at $BIN (build it, or set PROMPTSALES_BENCH_BIN)" >&2; exit 2; }
OUT="${OUT:-$(mktemp -d /tmp/segmentation_bench.XXXXXX)}"
mkdir -p "$OUT"
# shellcheck source=throwaway_installation.sh
. "$ROOT/scripts/bench/throwaway_installation.sh"
start_throwaway_installation psbench_seg

echo "generating $LEADS leads in $ORGS organizations" >&2
psql -q "$CRM_URL" <<SQL
INSERT INTO leads (organization_id, email_encrypted, email_hash, key_id, country, interests, birth_date, age, score,
                   status, source)
SELECT 1 + g % $ORGS, '\x00'::bytea, sha256(g::text::bytea), '0000000000000000',
       (ARRAY['ES','MX','AR','CO','PE','CL','US','FR'])[1 + (g * 7) % 8],
       CASE (g * 3) % 6 WHEN 0 THEN ARRAY['running'] WHEN 1 THEN ARRAY['yoga','running'] WHEN 2 THEN ARRAY['cine']
                        WHEN 3 THEN ARRAY['travel','food'] WHEN 4 THEN ARRAY['fitness'] ELSE ARRAY[]::text[] END,
       CASE WHEN g % 3 = 0 THEN DATE '1950-01-01' + (g * 37) % 20000 END,
       CASE WHEN g % 3 = 1 THEN 16 + g % 60 END,
       (g * 13) % 101,
       (ARRAY['new','contacted','qualified','converted','lost'])[1 + (g * 11) % 5],
       (ARRAY['web','facebook','referral','instagram'])[1 + (g * 5) % 4]
FROM generate_series(1, $LEADS) g;
VACUUM ANALYZE leads;
SQL

# Ten audiences per organization, from broad to narrow.
rules=(
  "--country ES"
  "--country ES,MX,AR --interest running"
  "--interest yoga,fitness --min-age 25 --max-age 45"
  "--min-score 70"
  "--status qualified,converted --min-score 40"
  "--source facebook,instagram --interest travel"
  "--country CO,PE,CL --min-age 18"
  "--max-age 30 --status new"
  "--country US,FR --source web --min-score 20 --max-score 80"
  ""
)
sql_of=(
  "country = 'ES'"
  "country IN ('ES','MX','AR') AND interests && '{running}'"
  "interests && '{yoga,fitness}' AND COALESCE(date_part('year', age(current_date, birth_date))::int, age) BETWEEN 25 AND 45"
  "score >= 70"
  "status IN ('qualified','converted') AND score >= 40"
  "source IN ('facebook','instagram') AND interests && '{travel}'"
  "country IN ('CO','PE','CL') AND COALESCE(date_part('year', age(current_date, birth_date))::int, age) >= 18"
  "COALESCE(date_part('year', age(current_date, birth_date))::int, age) <= 30 AND status = 'new'"
  "country IN ('US','FR') AND source = 'web' AND score BETWEEN 20 AND 80"
  "true"
)
baseline_sql="$OUT/baseline.sql"
: >"$baseline_sql"
for org in $(seq 1 "$ORGS"); do
  for i in $(seq 0 $((PER_ORG - 1))); do
    # shellcheck disable=SC2086
    "$BIN" audience create --org "$org" --name "audience $i" ${rules[$i]} >/dev/null
    echo "SELECT count(*) FROM leads WHERE organization_id = $org AND forgotten_at IS NULL AND ${sql_of[$i]};" \
      >>"$baseline_sql"
  done
done

start=$(date +%s.%N)
psql -q -t "$CRM_URL" -f "$baseline_sql" >"$OUT/baseline.txt"
baseline_s=$(echo "$(date +%s.%N) - $start" | bc -l)

start=$(date +%s.%N)
"$BIN" audience segment -o json >"$OUT/segment.json"
segment_s=$(echo "$(date +%s.%N) - $start" | bc -l)

memberships=$(sed -E 's/.*"memberships":([0-9]+).*/\1/' "$OUT/segment.json")
expected=$(awk '{ s += $1 } END { print s }' "$OUT/baseline.txt")
[ "$memberships" = "$expected" ] || {
  echo "segmentation.sh: memberships $memberships differ from the baseline's counts $expected" >&2
  exit 1
}
printf "%-9s %9s %12s %11s %11s %8s\n" leads audiences memberships baseline_s segment_s ratio | tee "$OUT/summary.txt"
printf "%-9s %9s %12s %11.2f %11.2f %8.2f\n" "$LEADS" "$((ORGS * PER_ORG))" "$memberships" "$baseline_s" "$segment_s" \
  "$(echo "$baseline_s / $segment_s" | bc -l)" | tee -a "$OUT/summary.txt"
echo "results in $OUT" >&2
