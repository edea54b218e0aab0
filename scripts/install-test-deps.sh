#!/usr/bin/env bash
# Installs the Debian packages the test suite needs. Idempotent: packages already present are left alone, and
# apt-get runs (update, then install -y) only when something is missing. Needs root (CI and dev machines run as root;
# elsewhere it uses sudo when available).
set -euo pipefail

# Each package and why a test needs it.
PACKAGES=(
  ffmpeg   # capture: encodes phantom clips and is the file/v4l2 subprocess source under test
  socat    # serial display tests: PTY pairs; the systemd notify tests' fake socket
  mosquitto   # telemetry integration tests: a real broker on a free loopback port per test
  openssl     # telemetry tests: mutual-TLS certificates made in the test
  chromium    # dashboard end-to-end test: headless browser driven by playwright-core
  prometheus  # promtool: checks a live /metrics scrape
  shellcheck  # deploy scripts are linted in CI
  systemd     # systemd-analyze verify on the deploy/jetson unit
  g++ make python3   # node-gyp: the sd-notify addon (always), better-sqlite3 when its prebuilt binary cannot be downloaded
)

exec bash "$(dirname "$0")/apt-ensure.sh" install-test-deps "${PACKAGES[@]}"
