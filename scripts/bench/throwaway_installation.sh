# Sourced by benchmarks that need a whole installation of their own: creates
# database <prefix>_<pid> on the server of PROMPTSALES_TEST_DATABASE_URL
# (scripts/services.sh env), migrates it with $BIN (which creates the
# sub-company databases), exports PROMPTSALES_DATABASE_URL and sets CRM_URL.
# Everything it created is dropped when the script exits.
#   start_throwaway_installation psbench_seg
start_throwaway_installation() {
  ADMIN="${PROMPTSALES_TEST_DATABASE_URL:?set it: eval \"\$(scripts/services.sh env)\"}"
  BENCH_DB="$1_$$"
  trap drop_throwaway_installation EXIT
  export PGOPTIONS="-c client_min_messages=warning"
  psql -q "$ADMIN" -c "CREATE DATABASE $BENCH_DB" >/dev/null
  export PROMPTSALES_DATABASE_URL="${ADMIN%/*}/$BENCH_DB" PROMPTSALES_CONFIG=""
  "$BIN" db migrate >/dev/null
  CRM_URL="${ADMIN%/*}/${BENCH_DB}_crm"
}

drop_throwaway_installation() {
  for d in "$BENCH_DB" "${BENCH_DB}_ads" "${BENCH_DB}_crm"; do
    psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
