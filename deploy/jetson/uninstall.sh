#!/usr/bin/env bash
# Removes what install.sh installed, idempotently (a second run finds nothing to do).
#
#   sudo deploy/jetson/uninstall.sh [--purge]
#
# Without --purge the configuration (/etc/myoscreen), the state (/var/lib/myoscreen: exams, outbox, models) and the
# engine cache (/var/cache/myoscreen) stay, so a reinstall picks up where the cart left off. --purge removes them
# and the service user too. DESTDIR works as in install.sh (no systemctl, udevadm or userdel there).
set -euo pipefail

purge=0
while (($# > 0)); do
  case "$1" in
    --purge) purge=1; shift ;;
    -h | --help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'uninstall: unknown option %s\n' "$1" >&2; exit 64 ;;
  esac
done

DESTDIR="${DESTDIR:-}"
DESTDIR="${DESTDIR%/}"
log() { printf 'uninstall: %s\n' "$*" >&2; }
if [[ -z "${DESTDIR}" && "${EUID}" -eq 0 ]]; then
  privileged=1
else
  privileged=0
  if [[ -n "${DESTDIR}" ]]; then skip_reason="DESTDIR is set"; else skip_reason="not running as root"; fi
fi
skip() { log "skipped (${skip_reason}): $*"; }

units=(myoscreen.service myoscreen-tc358743-edid.service)
if ((privileged)); then
  for unit in "${units[@]}"; do
    systemctl disable --now "${unit}" >/dev/null 2>&1 || true
  done
else
  skip "systemctl disable --now ${units[*]}"
fi

remove() {
  local path
  for path in "$@"; do
    if [[ -e "${path}" || -L "${path}" ]]; then
      rm -rf "${path}"
      log "removed ${path}"
    fi
  done
}

remove "${DESTDIR}/etc/systemd/system/myoscreen.service" \
  "${DESTDIR}/etc/systemd/system/myoscreen-tc358743-edid.service" \
  "${DESTDIR}/etc/systemd/system/myoscreen.service.d" \
  "${DESTDIR}/etc/udev/rules.d/70-myoscreen.rules" \
  "${DESTDIR}/opt/myoscreen"

if ((purge)); then
  remove "${DESTDIR}/etc/myoscreen" "${DESTDIR}/var/lib/myoscreen" "${DESTDIR}/var/cache/myoscreen"
  if ((privileged)); then
    if id -u myoscreen >/dev/null 2>&1; then
      userdel myoscreen
      log "removed user myoscreen"
    fi
  else
    skip "userdel myoscreen"
  fi
else
  log "kept /etc/myoscreen, /var/lib/myoscreen and /var/cache/myoscreen (--purge removes them)"
fi

if ((privileged)); then
  systemctl daemon-reload
  udevadm control --reload-rules
else
  skip "systemctl daemon-reload; udevadm control --reload-rules"
fi

# In a DESTDIR tree, drop the folders install.sh created that are now empty; on a real root they hold other files.
if [[ -n "${DESTDIR}" ]]; then
  for dir in etc/systemd/system etc/udev/rules.d etc opt var/lib var/cache var; do
    if [[ -d "${DESTDIR}/${dir}" ]]; then
      (cd "${DESTDIR}" && rmdir --parents --ignore-fail-on-non-empty "${dir}")
    fi
  done
fi
log "done"
