#!/usr/bin/env bash
# The main job on an embedded default, from a fresh Debian 12 machine:
# installs missing packages, builds Release, starts a private PostgreSQL 15
# and Redis 7 on loopback (data under .local/services), migrates, loads demo
# data and runs `promptsales serve` in the foreground (Ctrl-C stops it).
#
#   scripts/demo.sh [--organizations N] [--campaigns-per-org M] [--listen HOST:PORT]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORGS=100
PER_ORG=100
LISTEN="${PROMPTSALES_LISTEN:-127.0.0.1:8080}"
while [ $# -gt 0 ]; do
  case "$1" in
    --organizations) ORGS="$2"; shift 2 ;;
    --campaigns-per-org) PER_ORG="$2"; shift 2 ;;
    --listen) LISTEN="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "demo: unknown option $1" >&2; exit 2 ;;
  esac
done
BUILD_DIR="${PROMPTSALES_BUILD_DIR:-$ROOT/build/release}"

"$ROOT/scripts/deps.sh"
echo "== build (Release) in $BUILD_DIR"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DPROMPTSALES_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target promptsales
BIN="$BUILD_DIR/apps/promptsales/promptsales"

"$ROOT/scripts/services.sh" start
eval "$("$ROOT/scripts/services.sh" env)"
"$BIN" db migrate
"$BIN" seed --organizations "$ORGS" --campaigns-per-org "$PER_ORG" --replace

# Development keys: the server verifies tokens with this JWKS, and the demo
# mints a token of organization 1 with them (a real deployment points
# auth_jwks at its identity provider instead).
AUTH_DIR="$ROOT/.local/auth"
if [ ! -f "$AUTH_DIR/signing-key.pem" ]; then "$BIN" auth keygen --dir "$AUTH_DIR" >/dev/null; fi
export PROMPTSALES_AUTH_JWKS="$AUTH_DIR/jwks.json"
TOKEN="$("$BIN" auth token --dev --key "$AUTH_DIR/signing-key.pem" --org 1 --role marketer --ttl 86400)"

cat <<MSG

promptsales is starting on http://$LISTEN (bearer tokens required)
  a token for organization 1 (marketer, 24 h):
    export TOKEN=$TOKEN
  sample request:  curl -H "Authorization: Bearer \$TOKEN" 'http://$LISTEN/api/v1/campaigns?limit=20'
  other tokens:    $BIN auth token --dev --key $AUTH_DIR/signing-key.pem --org 2 --role viewer
  metrics:         curl http://$LISTEN/metrics
  stop the API:    Ctrl-C (drains in-flight requests)
  stop databases:  scripts/services.sh stop
MSG
exec "$BIN" serve --listen "$LISTEN"
