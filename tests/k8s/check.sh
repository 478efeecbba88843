#!/usr/bin/env bash
# Checks of the Kubernetes bundle (k8s-cronjobs/), one step per CTest test
# (tests/k8s/CMakeLists.txt; names k8s.*, label k8s). Steps:
#   npm-ci          install the pinned npm packages when node_modules is missing
#                   or older than the lockfile; check the lockfile records no
#                   download addresses
#   overlay NAME    kubectl kustomize <NAME> (base, overlays/production,
#                   overlays/dev, secrets) and validate every object
#                   (schemas, invariants, metric names): validate.mjs
#   rules-check     promtool check rules on the deployed rules
#   rules-test      promtool test rules k8s-cronjobs/tests/alerts_test.yaml
#   selftest        node --test: the validator rejects broken objects
# Work files go to K8S_WORK_DIR (default: a temporary folder).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUNDLE="$ROOT/k8s-cronjobs"
WORK="${K8S_WORK_DIR:-$(mktemp -d)}"
mkdir -p "$WORK"

need() {
  command -v "$1" >/dev/null || { echo "check.sh: $1 is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
}

render() {  # render SUBDIR OUT
  need kubectl
  kubectl kustomize "$BUNDLE/$1" >"$2"
}

# The rules Prometheus gets: the PrometheusRule's spec from the production
# rendering, extracted by the same validator that checks it.
extract_rules() {
  render overlays/production "$WORK/production.yaml"
  node "$HERE/validate.mjs" --source-root "$ROOT" --expect-workloads \
    --rules-out "$WORK/rules.yaml" "$WORK/production.yaml" >/dev/null
}

step="${1:-}"
case "$step" in
  npm-ci)
    need node; need npm
    lock="$HERE/package-lock.json"
    if grep -q '"resolved"' "$lock" || grep -Eq '"https?://[^"]*\.tgz"' "$lock"; then
      echo "FAIL $lock records download addresses (tests/k8s/.npmrc omits them; reinstall)" >&2
      exit 1
    fi
    if [ ! -d "$HERE/node_modules" ] || [ "$lock" -nt "$HERE/node_modules/.package-lock.json" ]; then
      (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    echo "npm packages ready"
    ;;
  overlay)
    name="${2:?usage: check.sh overlay base|overlays/production|overlays/dev|secrets}"
    need node
    out="$WORK/$(echo "$name" | tr / _).yaml"
    render "$name" "$out"
    flags=(--expect-workloads)
    [ "$name" = secrets ] && flags=()
    node "$HERE/validate.mjs" --source-root "$ROOT" "${flags[@]}" "$out"
    ;;
  rules-check)
    need node; need promtool
    extract_rules
    promtool check rules "$WORK/rules.yaml"
    ;;
  rules-test)
    need node; need promtool
    extract_rules
    cp "$BUNDLE/tests/alerts_test.yaml" "$WORK/alerts_test.yaml"
    promtool test rules "$WORK/alerts_test.yaml"
    ;;
  selftest)
    need node; need kubectl
    render overlays/production "$WORK/production.yaml"
    K8S_RENDERED="$WORK/production.yaml" PROMPTSALES_SOURCE_DIR="$ROOT" node --test "$HERE/selftest.test.mjs"
    ;;
  *)
    sed -n '2,15p' "$0" >&2
    exit 2
    ;;
esac
