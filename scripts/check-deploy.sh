#!/usr/bin/env bash
# Checks deploy/jetson without a Jetson: run by test/deploy/check-deploy.test.ts (so by .ci/run), or by hand.
#
#   bash scripts/check-deploy.sh [verify|lint|install|all]   (default: all)
#
#   verify: systemd-analyze verify on every unit in deploy/jetson (or in $CHECK_DEPLOY_UNITS)
#   lint: shellcheck on every shell script of the repository (scripts/, deploy/, training/, .ci/), all severities
#   install: install.sh twice into a throwaway DESTDIR: identical trees (paths, types, modes, link targets,
#               content hashes); then a second release (current/previous); then uninstall.sh --purge leaves nothing
#
# Needs systemd (systemd-analyze) and shellcheck: scripts/install-test-deps.sh installs both.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd)"

work="$(mktemp -d "${TMPDIR:-/tmp}/myo-check-deploy.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

fail() { printf 'check-deploy: FAIL: %s\n' "$*" >&2; exit 1; }
say() { printf 'check-deploy: %s\n' "$*"; }

check_verify() {
  command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (apt-get install systemd)"
  local units="${work}/units" unit line exe rewritten=()
  mkdir -p "${units}"
  # systemd-analyze verify refuses a unit whose ExecStart binary does not exist on this machine. The units name the
  # Jetson's paths (/usr/bin/node from NodeSource, /usr/bin/v4l2-ctl from v4l-utils). We verify copies in which each
  # binary that is missing *here* is replaced by /bin/true: every directive is still checked, only the existence of a
  # program that belongs to the target is not. The names of the rewritten binaries are printed.
  for unit in "${CHECK_DEPLOY_UNITS:-deploy/jetson}"/*.service; do
    cp "${unit}" "${units}/"
    while IFS= read -r line; do
      exe="${line#*=}"
      exe="${exe#[-@:+!]}"
      exe="${exe%% *}"
      if [[ "${exe}" == /* && ! -x "${exe}" ]]; then
        sed -i "s#=${exe}\\b#=/bin/true#; s#=-${exe}\\b#=-/bin/true#" "${units}/$(basename "${unit}")"
        rewritten+=("${exe}")
      fi
    done < <(grep -E '^Exec[A-Za-z]*=' "${unit}")
  done
  if ((${#rewritten[@]} > 0)); then say "verify: absent here, replaced by /bin/true in the verified copies: ${rewritten[*]}"; fi
  local output
  # Any output is a finding (unknown keys and bad values are warnings with exit code 0): treat it as a failure.
  if ! output="$(cd "${units}" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify ./*.service 2>&1)" || [[ -n "${output}" ]]; then
    printf '%s\n' "${output}" >&2
    fail "systemd-analyze verify"
  fi
  say "verify: ok ($(cd "${units}" && printf '%s ' ./*.service))"
}

check_shellcheck() {
  command -v shellcheck >/dev/null || fail "shellcheck not found (apt-get install shellcheck)"
  local scripts=()
  while IFS= read -r -d '' file; do scripts+=("${file}"); done < <(
    find scripts deploy training .ci -type f \( -name '*.sh' -o -path '.ci/run' \) -not -path '*/node_modules/*' -print0 | sort -z
  )
  ((${#scripts[@]} > 0)) || fail "no shell scripts found"
  shellcheck --external-sources "${scripts[@]}" || fail "shellcheck"
  say "shellcheck: ok (${#scripts[@]} scripts: ${scripts[*]})"
}

# A small stand-in for a built checkout: the same layout install.sh copies (package.json, dist, node_modules with a
# .bin link and an executable, models, the native addon), so two installs take a second instead of copying 470 MB.
make_source() {
  local dir="$1" version="$2"
  mkdir -p "${dir}/dist/src/cli" "${dir}/node_modules/left-pad/bin" "${dir}/node_modules/.bin" "${dir}/models/demo/1.0.0" \
    "${dir}/native/sd-notify/build/Release" "${dir}/web" "${dir}/docs"
  printf '{\n  "name": "myoscreen",\n  "version": "%s",\n  "type": "module"\n}\n' "${version}" >"${dir}/package.json"
  printf 'console.log("main %s");\n' "${version}" >"${dir}/dist/src/main.js"
  printf 'console.log("cli");\n' >"${dir}/dist/src/cli/bin.js"
  printf '#!/usr/bin/env node\n' >"${dir}/node_modules/left-pad/bin/cli.js"
  chmod 0775 "${dir}/node_modules/left-pad/bin/cli.js"
  ln -s ../left-pad/bin/cli.js "${dir}/node_modules/.bin/left-pad"
  printf 'model bytes\n' >"${dir}/models/demo/1.0.0/model.onnx"
  printf 'ELF stand-in\n' >"${dir}/native/sd-notify/build/Release/sd_notify.node"
  printf '<html></html>\n' >"${dir}/web/index.html"
  printf '# ops\n' >"${dir}/docs/operations.md"
  cp -a deploy "${dir}/deploy"
  chmod 0600 "${dir}/models/demo/1.0.0/model.onnx" # a build with a tight umask: install.sh must normalise modes
}

# One line per entry: type, mode, path, link target, content hash. Owners are left out (DESTDIR installs chown nothing).
listing() {
  local root="$1"
  (cd "${root}" && find . -mindepth 1 -printf '%y %m %p -> %l\n' | sort)
  (cd "${root}" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

check_install() {
  local dest="${work}/root" src1="${work}/src-1" src2="${work}/src-2" first second
  make_source "${src1}" 1.0.0-check
  make_source "${src2}" 1.1.0-check
  mkdir -p "${dest}"

  DESTDIR="${dest}" bash deploy/jetson/install.sh --source "${src1}" 2>"${work}/install-1.log" || {
    cat "${work}/install-1.log" >&2
    fail "first install"
  }
  first="$(listing "${dest}")"
  DESTDIR="${dest}" bash deploy/jetson/install.sh --source "${src1}" 2>"${work}/install-2.log" || {
    cat "${work}/install-2.log" >&2
    fail "second install"
  }
  second="$(listing "${dest}")"
  if [[ "${first}" != "${second}" ]]; then
    diff <(printf '%s\n' "${first}") <(printf '%s\n' "${second}") >&2 || true
    fail "the second install changed the tree"
  fi
  grep -q 'release 1.0.0-check unchanged' "${work}/install-2.log" || fail "the second install did not see the release as unchanged"
  if grep -q '^install: installed ' "${work}/install-2.log"; then fail "the second install rewrote files"; fi
  grep -q 'skipped (DESTDIR is set): useradd' "${work}/install-1.log" || fail "install did not say it skipped useradd"
  grep -q 'skipped (DESTDIR is set): udevadm' "${work}/install-1.log" || fail "install did not say it skipped udevadm"

  # What a cart needs is where the unit expects it, with the modes we mean.
  [[ "$(readlink "${dest}/opt/myoscreen/current")" == 1.0.0-check ]] || fail "current does not point at the release"
  [[ -f "${dest}/opt/myoscreen/current/dist/src/main.js" ]] || fail "dist/src/main.js missing in the release"
  [[ -L "${dest}/opt/myoscreen/current/node_modules/.bin/left-pad" ]] || fail "node_modules/.bin link not kept"
  [[ "$(stat -c %a "${dest}/opt/myoscreen/current/models/demo/1.0.0/model.onnx")" == 644 ]] || fail "release file modes not normalised"
  [[ "$(stat -c %a "${dest}/var/lib/myoscreen")" == 750 ]] || fail "state folder mode"
  [[ -d "${dest}/var/cache/myoscreen/trt" ]] || fail "engine cache folder missing"
  [[ "$(stat -c %a "${dest}/etc/myoscreen/config.json")" == 640 ]] || fail "config.json mode"
  cmp -s deploy/jetson/myoscreen.service "${dest}/etc/systemd/system/myoscreen.service" || fail "unit not installed"
  cmp -s deploy/jetson/udev/70-myoscreen.rules "${dest}/etc/udev/rules.d/70-myoscreen.rules" || fail "udev rules not installed"

  # An edited config survives a reinstall; a new release moves current and keeps the old one as previous.
  printf '{"device":{"id":"cart-7"}}\n' >"${dest}/etc/myoscreen/config.json"
  DESTDIR="${dest}" bash deploy/jetson/install.sh --source "${src2}" 2>"${work}/install-3.log" || {
    cat "${work}/install-3.log" >&2
    fail "upgrade install"
  }
  [[ "$(cat "${dest}/etc/myoscreen/config.json")" == '{"device":{"id":"cart-7"}}' ]] || fail "install overwrote an edited config"
  [[ "$(readlink "${dest}/opt/myoscreen/current")" == 1.1.0-check ]] || fail "upgrade: current"
  [[ "$(readlink "${dest}/opt/myoscreen/previous")" == 1.0.0-check ]] || fail "upgrade: previous"

  # Uninstall keeps config and state; --purge leaves nothing; a second uninstall finds nothing to do.
  DESTDIR="${dest}" bash deploy/jetson/uninstall.sh 2>/dev/null || fail "uninstall"
  [[ ! -e "${dest}/opt/myoscreen" && -f "${dest}/etc/myoscreen/config.json" && -d "${dest}/var/lib/myoscreen" ]] ||
    fail "uninstall without --purge must remove the release and keep config and state"
  DESTDIR="${dest}" bash deploy/jetson/uninstall.sh --purge 2>/dev/null || fail "uninstall --purge"
  DESTDIR="${dest}" bash deploy/jetson/uninstall.sh --purge 2>/dev/null || fail "second uninstall --purge"
  local left
  left="$(cd "${dest}" && find . -mindepth 1 | sort)"
  [[ -z "${left}" ]] || fail "uninstall --purge left: ${left}"
  say "install: ok (two installs identical, $(printf '%s\n' "${first}" | wc -l) listing lines; upgrade and purge clean)"
}

case "${1:-all}" in
  verify) check_verify ;;
  lint | shellcheck) check_shellcheck ;;
  install) check_install ;;
  all)
    check_verify
    check_shellcheck
    check_install
    ;;
  *) fail "unknown check $1 (verify, shellcheck, install, all)" ;;
esac
say "repository ${repo}: all requested checks passed"
