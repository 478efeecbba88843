#!/usr/bin/env bash
# Private PostgreSQL 15 and Redis 7 for development, tests and the demo.
# They live under one data folder, listen on loopback only and never touch the
# system instances.
#
#   scripts/services.sh start|stop|status|env|reset
#
# Settings (environment):
#   PROMPTSALES_SERVICES_DIR  data folder            (default: <repo>/.local/services)
#   PROMPTSALES_PG_PORT       PostgreSQL port        (default: 55432)
#   PROMPTSALES_REDIS_PORT    Redis port             (default: 56379)
#   PROMPTSALES_PG_FAST=1     fsync off (tests only: data may be lost on a crash)
#   PROMPTSALES_PG_SSL=1      PostgreSQL also accepts TLS, with a certificate from a
#                             throwaway CA made under <data folder>/tls (plain
#                             connections keep working; `env` prints the CA path)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${PROMPTSALES_SERVICES_DIR:-$ROOT/.local/services}"
PG_PORT="${PROMPTSALES_PG_PORT:-55432}"
REDIS_PORT="${PROMPTSALES_REDIS_PORT:-56379}"
PG_BIN="${PROMPTSALES_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DATA="$DIR/postgres"
REDIS_DIR="$DIR/redis"
TLS_DIR="$DIR/tls"

die() { echo "services: $*" >&2; exit 1; }

# initdb and postgres refuse to run as root: run them as the postgres user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_running() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }
redis_running() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; }

# A throwaway CA and a server certificate for 127.0.0.1 and localhost, made
# once. The key is readable by the postgres user only, as PostgreSQL requires.
make_pg_tls() {
  command -v openssl >/dev/null || die "openssl not found (run scripts/deps.sh)"
  [ -s "$TLS_DIR/server.crt" ] && return
  mkdir -p "$TLS_DIR"
  (
    cd "$TLS_DIR"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt \
      -days 365 -subj "/CN=promptsales services CA" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
      -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 365 \
      -extfile server.ext 2>/dev/null
    rm -f server.csr server.ext
  ) || die "could not create the PostgreSQL TLS certificates in $TLS_DIR"
  chmod 600 "$TLS_DIR/server.key" "$TLS_DIR/ca.key"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$TLS_DIR/server.key" "$TLS_DIR/server.crt"
  return 0
}

start_pg() {
  [ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL 15 not found in $PG_BIN (run scripts/deps.sh)"
  mkdir -p "$DIR"
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    mkdir -p "$PG_DATA"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DATA"
    chmod 700 "$PG_DATA"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
    cat >>"$PG_DATA/postgresql.conf" <<CONF
# promptsales private instance
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 300
shared_buffers = 512MB
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
log_min_messages = warning
CONF
    # Loopback only, trusted: this instance is private to this machine's user.
    cat >"$PG_DATA/pg_hba.conf" <<HBA
host all all 127.0.0.1/32 trust
HBA
  fi
  if pg_running; then
    echo "services: postgresql already running on 127.0.0.1:$PG_PORT"
    return
  fi
  local extra=""
  if [ "${PROMPTSALES_PG_FAST:-0}" = "1" ]; then
    extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  if [ "${PROMPTSALES_PG_SSL:-0}" = "1" ]; then
    make_pg_tls
    # `host` lines in pg_hba.conf accept TLS and plain connections alike.
    extra="$extra -c ssl=on -c ssl_cert_file=$TLS_DIR/server.crt -c ssl_key_file=$TLS_DIR/server.key"
    extra="$extra -c ssl_min_protocol_version=TLSv1.3"
  fi
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 \
    -o "-p $PG_PORT $extra" start >/dev/null || { tail -20 "$PG_DATA/server.log" >&2; die "postgresql did not start"; }
  echo "services: postgresql started on 127.0.0.1:$PG_PORT"
}

start_redis() {
  command -v redis-server >/dev/null || die "redis-server not found (run scripts/deps.sh)"
  mkdir -p "$REDIS_DIR"
  if redis_running; then
    echo "services: redis already running on 127.0.0.1:$REDIS_PORT"
    return
  fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
    --save "" --appendonly no --protected-mode yes >/dev/null
  for _ in $(seq 1 50); do redis_running && break; sleep 0.1; done
  redis_running || { tail -20 "$REDIS_DIR/redis.log" >&2; die "redis did not start"; }
  echo "services: redis started on 127.0.0.1:$REDIS_PORT"
}

stop_pg() {
  if [ -s "$PG_DATA/PG_VERSION" ] && pg_running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    echo "services: postgresql stopped"
  fi
}

stop_redis() {
  if redis_running; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    echo "services: redis stopped"
  fi
}

print_env() {
  echo "export PROMPTSALES_DATABASE_URL=postgresql://postgres@127.0.0.1:$PG_PORT/promptsales"
  echo "export PROMPTSALES_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  echo "export PROMPTSALES_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "export PROMPTSALES_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  if [ -s "$TLS_DIR/ca.crt" ]; then
    # For a verified TLS connection: ...?sslmode=verify-full&sslrootcert=$PROMPTSALES_PG_SSL_ROOT_CERT
    echo "export PROMPTSALES_PG_SSL_ROOT_CERT=$TLS_DIR/ca.crt"
  fi
}

case "${1:-}" in
  start) start_pg; start_redis ;;
  stop) stop_redis; stop_pg ;;
  status)
    if pg_running; then echo "postgresql: running on 127.0.0.1:$PG_PORT ($PG_DATA)"; else echo "postgresql: stopped"; fi
    if redis_running; then echo "redis: running on 127.0.0.1:$REDIS_PORT"; else echo "redis: stopped"; fi
    pg_running && redis_running ;;
  env) print_env ;;
  reset) stop_redis; stop_pg; rm -rf "$DIR"; echo "services: removed $DIR" ;;
  *) echo "usage: scripts/services.sh start|stop|status|env|reset" >&2; exit 2 ;;
esac
