#!/usr/bin/env bash
# Prints the Debian packages owning the shared libraries BINARY links, one a
# line, for the runtime image. Debian 12 merges /lib into /usr/lib, so a path
# ldd prints may be known to dpkg under the other spelling.
set -euo pipefail
binary="${1:?usage: runtime-packages.sh BINARY}"
for lib in $(ldd "$binary" | awk '/=> \// {print $3}'); do
  real="$(readlink -f "$lib")"
  for candidate in "$lib" "$real" "/usr$lib" "/usr$real" "${lib#/usr}" "${real#/usr}"; do
    if owner="$(dpkg -S "$candidate" 2>/dev/null)"; then
      echo "${owner%%:*}"
      break
    fi
  done
done | sort -u
