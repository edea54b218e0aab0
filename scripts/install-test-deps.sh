#!/usr/bin/env bash
# Installs the Debian packages the test suite needs. Idempotent: packages already present are left alone, and
# apt-get runs (update, then install -y) only when something is missing. Needs root (CI and dev machines run as root;
# elsewhere it uses sudo when available).
set -euo pipefail

# Each package and why a test needs it.
PACKAGES=(
  ffmpeg   # capture: encodes phantom clips and is the file/v4l2 subprocess source under test
  socat    # serial display tests: PTY pairs
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "install-test-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
