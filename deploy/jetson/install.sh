#!/usr/bin/env bash
# Installs myoscreen on a Jetson (JetPack 6.x) from a built checkout, idempotently: running it twice gives the same
# files, and the second run changes nothing. docs/operations.md walks through it.
#
#   sudo deploy/jetson/install.sh [--source DIR] [--onnxruntime DIR] [--no-warm] [--no-start]
#
#   --source DIR       the built checkout (npm ci, npm run build, npm prune --omit=dev done); default: this repository
#   --onnxruntime DIR  an onnxruntime-node package built by build-onnxruntime.sh; replaces the stock npm one
#   --no-warm          do not build the TensorRT engine cache now (the first daemon start then builds it)
#   --no-start         install and enable, but do not (re)start the service
#
# Layout: /opt/myoscreen/<version> (+ `current`, and `previous` for roll-back), /etc/myoscreen (config, environment),
# /var/lib/myoscreen (state), /var/cache/myoscreen/trt (engines), the unit, the EDID unit and the udev rules.
#
# DESTDIR=/some/root installs into that tree instead of /, for packaging and for CI (scripts/check-deploy.sh). With
# DESTDIR set, or when not run as root, nothing outside the files is touched: no user is created, nothing is chowned,
# and systemctl/udevadm/the engine warm-up are skipped with a message saying so.
set -euo pipefail

readonly SERVICE_USER=myoscreen
readonly UNIT_NAME=myoscreen.service
readonly EDID_UNIT_NAME=myoscreen-tc358743-edid.service
readonly RULES_NAME=70-myoscreen.rules

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_dir="$(cd "${here}/../.." && pwd)"
onnxruntime_dir=""
warm=1
start=1

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while (($# > 0)); do
  case "$1" in
    --source) source_dir="$(cd "${2:?--source needs a folder}" && pwd)"; shift 2 ;;
    --onnxruntime) onnxruntime_dir="$(cd "${2:?--onnxruntime needs a folder}" && pwd)"; shift 2 ;;
    --no-warm) warm=0; shift ;;
    --no-start) start=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'install: unknown option %s\n' "$1" >&2; usage >&2; exit 64 ;;
  esac
done

DESTDIR="${DESTDIR:-}"
DESTDIR="${DESTDIR%/}"
log() { printf 'install: %s\n' "$*" >&2; }
die() { printf 'install: error: %s\n' "$*" >&2; exit 1; }

# Privileged: a real install on this machine's root as root. Otherwise only files are written.
if [[ -z "${DESTDIR}" && "${EUID}" -eq 0 ]]; then
  privileged=1
else
  privileged=0
  if [[ -n "${DESTDIR}" ]]; then
    skip_reason="DESTDIR is set"
  else
    skip_reason="not running as root"
  fi
fi
skip() { log "skipped (${skip_reason}): $*"; }

[[ -f "${source_dir}/package.json" ]] || die "${source_dir} has no package.json (use --source)"
version="$(sed -n 's/^  "version": "\([^"]*\)",\{0,1\}$/\1/p' "${source_dir}/package.json" | head -n 1)"
[[ "${version}" =~ ^[0-9A-Za-z.+-]+$ ]] || die "cannot read the version from ${source_dir}/package.json"
for required in dist/src/main.js node_modules; do
  [[ -e "${source_dir}/${required}" ]] || die "${source_dir}/${required} is missing: run npm ci && npm run build first"
done

opt="${DESTDIR}/opt/myoscreen"
etc="${DESTDIR}/etc/myoscreen"
state="${DESTDIR}/var/lib/myoscreen"
cache="${DESTDIR}/var/cache/myoscreen"
units="${DESTDIR}/etc/systemd/system"
rules="${DESTDIR}/etc/udev/rules.d"
changed=0

# --- the service user -----------------------------------------------------------------------------------------------
if ((privileged)); then
  groups="dialout,video"
  # /dev/dri render nodes, where the L4T release has them.
  if getent group render >/dev/null; then groups="${groups},render"; fi
  if id -u "${SERVICE_USER}" >/dev/null 2>&1; then
    usermod --append --groups "${groups}" "${SERVICE_USER}"
  else
    useradd --system --user-group --home-dir /var/lib/myoscreen --no-create-home --shell /usr/sbin/nologin \
      --groups "${groups}" "${SERVICE_USER}"
    log "created user ${SERVICE_USER} (groups ${groups})"
  fi
else
  skip "useradd/usermod ${SERVICE_USER} (groups dialout, video)"
fi

# --- the release: /opt/myoscreen/<version> --------------------------------------------------------------------------
release="${opt}/${version}"
staging="${opt}/.staging-${version}"
rm -rf "${staging}"
install -d -m 0755 "${opt}" "${staging}"
# What the daemon needs at run time; optional parts are copied when the checkout has them.
for item in package.json package-lock.json dist node_modules models web docs deploy/jetson \
  native/sd-notify/build/Release/sd_notify.node; do
  if [[ -e "${source_dir}/${item}" ]]; then
    mkdir -p "${staging}/$(dirname "${item}")"
    cp -a "${source_dir}/${item}" "${staging}/${item}"
  elif [[ "${item}" == native/* ]]; then
    log "warning: ${item} is missing: without it the daemon cannot notify systemd (npm ci builds it)"
  fi
done
if [[ -n "${onnxruntime_dir}" ]]; then
  [[ -f "${onnxruntime_dir}/myoscreen-ort-build.json" ]] || die "${onnxruntime_dir} is not a build-onnxruntime.sh output"
  rm -rf "${staging}/node_modules/onnxruntime-node"
  cp -a "${onnxruntime_dir}" "${staging}/node_modules/onnxruntime-node"
  log "using the TensorRT-enabled onnxruntime-node from ${onnxruntime_dir}"
fi
# Code is read-only for everyone but root, whatever the umask of the build was.
chmod -R u=rwX,go=rX "${staging}"
if ((privileged)); then chown -R root:root "${staging}"; fi
if [[ -d "${release}" ]] && diff -r --no-dereference "${release}" "${staging}" >/dev/null 2>&1; then
  rm -rf "${staging}"
  log "release ${version} unchanged"
else
  rm -rf "${release}"
  mv "${staging}" "${release}"
  changed=1
  log "installed release ${version} to ${release}"
fi

# current -> <version>; the release it replaces becomes `previous` (roll back: docs/operations.md).
current_target="$(readlink "${opt}/current" 2>/dev/null || true)"
if [[ "${current_target}" != "${version}" ]]; then
  if [[ -n "${current_target}" ]]; then ln -sfn "${current_target}" "${opt}/previous"; fi
  ln -sfn "${version}" "${opt}/current"
  changed=1
  log "current -> ${version}${current_target:+ (previous -> ${current_target})}"
fi

# --- configuration: never overwrite what an engineer edited ---------------------------------------------------------
install -d -m 0755 "${etc}"
install -m 0644 "${here}/config.template.json" "${etc}/config.example.json"
if [[ ! -e "${etc}/config.json" ]]; then
  install -m 0640 "${here}/config.template.json" "${etc}/config.json"
  log "wrote ${etc}/config.json from the template: set device.id and mqtt.url"
fi
if [[ ! -e "${etc}/environment" ]]; then
  printf '%s\n' '# MYOSCREEN_<PATH>=value overrides for the service (e.g. MYOSCREEN_LOG_LEVEL=debug); see docs/operations.md' \
    >"${etc}/environment"
  chmod 0640 "${etc}/environment"
fi
if ((privileged)); then chgrp "${SERVICE_USER}" "${etc}/config.json" "${etc}/environment"; fi

# --- state and engine cache -----------------------------------------------------------------------------------------
install -d -m 0750 "${state}" "${cache}" "${cache}/trt"
if ((privileged)); then chown "${SERVICE_USER}:${SERVICE_USER}" "${state}" "${cache}" "${cache}/trt"; fi

# --- unit and udev rules --------------------------------------------------------------------------------------------
install -d -m 0755 "${units}" "${rules}"
for pair in "myoscreen.service:${units}/${UNIT_NAME}" "myoscreen-tc358743-edid.service:${units}/${EDID_UNIT_NAME}" \
  "udev/70-myoscreen.rules:${rules}/${RULES_NAME}"; do
  from="${here}/${pair%%:*}"
  to="${pair#*:}"
  if ! cmp -s "${from}" "${to}"; then
    install -m 0644 "${from}" "${to}"
    changed=1
    log "installed ${to}"
  fi
done

if ((privileged)); then
  udevadm control --reload-rules
  udevadm trigger --subsystem-match=video4linux --subsystem-match=tty
  systemctl daemon-reload
  systemctl enable "${UNIT_NAME}" >/dev/null 2>&1
else
  skip "udevadm control --reload-rules && udevadm trigger; systemctl daemon-reload && systemctl enable ${UNIT_NAME}"
fi

# --- warm the TensorRT engine cache ---------------------------------------------------------------------------------
# The model self-test creates the session with the configured providers and TensorRT options, which builds the engine
# into the cache (minutes on an Orin) so the service's first start loads it in seconds.
if ((privileged && warm)) && grep -q '"tensorrt"' "${etc}/config.json"; then
  log "warming the TensorRT engine cache (this can take several minutes)..."
  if ! (cd /opt/myoscreen/current && runuser -u "${SERVICE_USER}" -- env MYOSCREEN_CONFIG=/etc/myoscreen/config.json \
    /usr/bin/node dist/src/cli/bin.js selftest --only model); then
    log "warning: the model self-test failed; the service will build the engine (or fall back) at its first start"
  fi
elif ((!privileged)); then
  skip "TensorRT engine cache warm-up (myoscreen selftest --only model as ${SERVICE_USER})"
fi

if ((privileged && start)); then
  if ((changed)) || ! systemctl is-active --quiet "${UNIT_NAME}"; then
    systemctl restart "${UNIT_NAME}"
    log "started ${UNIT_NAME}: follow it with journalctl -u myoscreen -f"
  else
    log "${UNIT_NAME} already running this release: not restarted"
  fi
elif ((!privileged)); then
  skip "systemctl restart ${UNIT_NAME}"
fi
log "done (release ${version})"
