#!/usr/bin/env bash
# apt-ensure.sh LABEL PKG...: installs the Debian packages that are missing, and only those. Idempotent: when all are
# present it touches nothing (no apt-get update, works offline); otherwise apt-get update, then install -y. Needs root
# (or sudo).
set -euo pipefail
label="$1"
shift

missing=()
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "$label: all $# packages present"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "$label: need root to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "$label: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
