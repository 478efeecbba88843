#!/usr/bin/env bash
# Installs the Debian 12 packages promptsales needs to build, test and run.
# Idempotent: only missing packages are installed, and apt-get update runs
# only when something is missing. Needs root (or sudo).
set -euo pipefail

BUILD_PACKAGES=(
  build-essential cmake pkg-config ccache
  libcli11-dev libpqxx-dev libpq-dev libhiredis-dev
  libboost1.81-dev nlohmann-json3-dev libcpp-jwt-dev libssl-dev
  libcurl4-openssl-dev libspdlog-dev catch2 libexpected-dev
)
SERVICE_PACKAGES=(postgresql-15 postgresql-contrib-15 postgresql-client-15 redis-server)
TOOL_PACKAGES=(prometheus curl procps time bc)
# tests/k8s: kubectl (kustomize v5; the machine image's package: Debian 12's
# kubernetes-client is 1.20, whose kustomize is too old) and Node.js for
# kubernetes-models. Debian's nodejs ships without npm; a nodejs that bundles
# npm (the machine image's) keeps it.
TOOL_PACKAGES+=(kubectl nodejs)
command -v npm >/dev/null 2>&1 || TOOL_PACKAGES+=(npm)
# scripts/fuzz.sh: clang 14 and its compiler-rt (libFuzzer's runtime,
# libclang_rt.fuzzer, ships in libclang-rt-14-dev on Debian 12).
FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)
BENCH_PACKAGES=(wrk nginx-light)

usage() {
  echo "usage: scripts/deps.sh [--with-bench | --build-only]" >&2
}

packages=("${BUILD_PACKAGES[@]}" "${SERVICE_PACKAGES[@]}" "${TOOL_PACKAGES[@]}" "${FUZZ_PACKAGES[@]}")
for arg in "$@"; do
  case "$arg" in
    --with-bench) packages+=("${BENCH_PACKAGES[@]}") ;;
    # The container image's build stage (k8s-cronjobs/docker/Dockerfile).
    --build-only) packages=("${BUILD_PACKAGES[@]}") ;;
    -h|--help) usage; exit 0 ;;
    *) usage; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "deps: installing ${missing[*]}"
# The Debian packages start services through policy-rc.d; we run our own
# private instances instead, so keep the system ones from starting.
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
