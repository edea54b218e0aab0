#!/usr/bin/env bash
# Builds onnxruntime with CUDA and TensorRT and its Node.js binding on a Jetson Orin (JetPack 6.1 / 6.2: CUDA 12.6,
# TensorRT 10.3, cuDNN 9.3), with onnxruntime-node-trt-options.patch applied so the binding passes TensorRT options
# (fp16, engine cache, timing cache). The npm package has no GPU code on arm64 (FACTS: onnxruntime-node).
#
#   deploy/jetson/build-onnxruntime.sh            (on the Jetson, as a normal user; 2-4 hours on an Orin NX)
#   sudo deploy/jetson/install.sh --onnxruntime ~/ort-build/out/onnxruntime-node
#
# Environment: ORT_TAG (default below), WORK (default ~/ort-build), PARALLEL (default 2: each nvcc job needs ~2-3 GB;
# 4 on a 32 GB AGX Orin), CUDA_HOME (default /usr/local/cuda).
#
# Output: $WORK/out/onnxruntime-node, a complete onnxruntime-node package (dist/, bin/ with the binding and every
# libonnxruntime*.so it loads, its onnxruntime-common) plus myoscreen-ort-build.json, the marker the daemon reads to
# know the binding forwards TensorRT options and which TensorRT version keys the engine cache.
#
# NOT RUN in this repository's CI (no Jetson there): written from onnxruntime's build documentation and its build.py
# options; docs/operations.md says what was and was not exercised.
set -euo pipefail

# 1.22 is the first release whose Node binding has InferenceSession.inputMetadata (which the daemon's worker reads)
# and it builds against TensorRT 10.x; the patch's context is unchanged across 1.17-1.2x.
ORT_TAG="${ORT_TAG:-v1.22.0}"
WORK="${WORK:-${HOME}/ort-build}"
PARALLEL="${PARALLEL:-2}"
CUDA_HOME="${CUDA_HOME:-/usr/local/cuda}"
readonly PATCH_ID=trt-provider-options-v1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
patch_file="${here}/onnxruntime-node-trt-options.patch"
src="${WORK}/onnxruntime"
out="${WORK}/out/onnxruntime-node"
log() { printf 'build-onnxruntime: %s\n' "$*" >&2; }
die() { printf 'build-onnxruntime: error: %s\n' "$*" >&2; exit 1; }

# --- preflight: fail in seconds rather than after an hour -----------------------------------------------------------
[[ "$(uname -m)" == aarch64 ]] || die "run this on the Jetson (aarch64), not on $(uname -m)"
[[ -f /etc/nv_tegra_release ]] || log "warning: /etc/nv_tegra_release not found: is this L4T / JetPack?"
[[ -x "${CUDA_HOME}/bin/nvcc" ]] || die "nvcc not found in ${CUDA_HOME}/bin (apt-get install nvidia-jetpack, or set CUDA_HOME)"
trt_header=""
for candidate in /usr/include/aarch64-linux-gnu/NvInferVersion.h /usr/include/NvInferVersion.h; do
  if [[ -f "${candidate}" ]]; then trt_header="${candidate}"; break; fi
done
[[ -n "${trt_header}" ]] || die "TensorRT headers not found (apt-get install libnvinfer-dev)"
trt_part() { sed -n "s/^#define NV_TENSORRT_$1 \([0-9]*\).*/\1/p" "${trt_header}" | head -n 1; }
trt_version="$(trt_part MAJOR).$(trt_part MINOR).$(trt_part PATCH)"
[[ "${trt_version}" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "cannot read the TensorRT version from ${trt_header}"
cuda_version="$("${CUDA_HOME}/bin/nvcc" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p')"
log "TensorRT ${trt_version}, CUDA ${cuda_version}, onnxruntime ${ORT_TAG}"
case "${trt_version}" in
  10.*) ;;
  8.6.*) die "TensorRT 8.6 is JetPack 6.0: use ORT_TAG=v1.18.1 or older, or upgrade to JetPack 6.1+" ;;
  *) log "warning: TensorRT ${trt_version} was not planned for; continuing" ;;
esac
command -v node >/dev/null || die "node not found (Node 22 from NodeSource; the binding build runs npm ci)"
command -v git >/dev/null || die "git not found"
cmake_version="$(cmake --version 2>/dev/null | sed -n 's/^cmake version \([0-9]*\.[0-9]*\).*/\1/p' || true)"
if [[ -z "${cmake_version}" ]] || ! printf '3.26\n%s\n' "${cmake_version}" | sort -V -C; then
  die "CMake >= 3.26 needed (have ${cmake_version:-none}): python3 -m pip install --user 'cmake>=3.26'"
fi
mem_gb="$(awk '/MemTotal/ { print int($2 / 1048576) }' /proc/meminfo)"
swap_gb="$(awk '/SwapTotal/ { print int($2 / 1048576) }' /proc/meminfo)"
if ((mem_gb + swap_gb < 12)); then
  log "warning: ${mem_gb} GB RAM + ${swap_gb} GB swap: nvcc may be killed; add swap or lower PARALLEL"
fi

# --- sources --------------------------------------------------------------------------------------------------------
mkdir -p "${WORK}"
if [[ ! -d "${src}/.git" ]]; then
  git clone --depth 1 --branch "${ORT_TAG}" --recursive --shallow-submodules https://github.com/microsoft/onnxruntime "${src}"
fi
have_tag="$(git -C "${src}" describe --tags --exact-match 2>/dev/null || true)"
[[ "${have_tag}" == "${ORT_TAG}" ]] || die "${src} is at '${have_tag:-unknown}', not ${ORT_TAG}: remove it or set WORK"
if git -C "${src}" apply --reverse --check "${patch_file}" 2>/dev/null; then
  log "binding patch already applied"
else
  git -C "${src}" apply --check "${patch_file}" || die "the binding patch does not apply to ${ORT_TAG}"
  git -C "${src}" apply "${patch_file}"
  log "applied $(basename "${patch_file}")"
fi

# --- build ----------------------------------------------------------------------------------------------------------
# 87 = Orin's Ampere GPU. --nvcc_threads 1 and a small --parallel keep nvcc within memory. Tests are skipped: they
# take hours on the board; the smoke check below proves the binding loads and offers TensorRT.
cd "${src}"
./build.sh --config Release --update --build --parallel "${PARALLEL}" --nvcc_threads 1 --skip_tests \
  --build_shared_lib --build_nodejs \
  --use_cuda --cuda_home "${CUDA_HOME}" --cudnn_home /usr/lib/aarch64-linux-gnu \
  --use_tensorrt --tensorrt_home /usr/lib/aarch64-linux-gnu \
  --cmake_extra_defines CMAKE_CUDA_ARCHITECTURES=87 onnxruntime_BUILD_UNIT_TESTS=OFF

# --- stage a self-contained onnxruntime-node package ----------------------------------------------------------------
build_dir="${src}/build/Linux/Release"
binding="$(find "${src}/js/node/bin" -name onnxruntime_binding.node -path '*linux/arm64*' | head -n 1)"
[[ -n "${binding}" ]] || die "the Node binding was not built (look for onnxruntime_binding.node under js/node/bin)"
bin_dir="$(dirname "${binding}")"
# The binding dlopens the provider libraries from its own folder (FACTS: copy them beside libonnxruntime.so.1).
for lib in libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so libonnxruntime_providers_tensorrt.so; do
  [[ -f "${build_dir}/${lib}" ]] || die "${lib} missing in ${build_dir}"
  cp -f "${build_dir}/${lib}" "${bin_dir}/"
done
rm -rf "${out}"
mkdir -p "${out}/node_modules/onnxruntime-common"
cp -a "${src}/js/node/package.json" "${src}/js/node/dist" "${src}/js/node/bin" "${out}/"
if [[ -d "${src}/js/node/lib" ]]; then cp -a "${src}/js/node/lib" "${out}/"; fi
cp -a "${src}/js/common/package.json" "${src}/js/common/dist" "${out}/node_modules/onnxruntime-common/"
ort_version="$(cat "${src}/VERSION_NUMBER")"
cat >"${out}/myoscreen-ort-build.json" <<JSON
{
  "patch": "${PATCH_ID}",
  "onnxruntime": "${ort_version}",
  "tensorrt": "${trt_version}",
  "cuda": "${cuda_version}",
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON

# --- smoke check: the staged package loads and lists TensorRT ---------------------------------------------------------
backends="$(cd "${out}" && node -e "const o = require('./'); console.log(o.listSupportedBackends().map((b) => b.name).join(','))")"
log "backends of the staged binding: ${backends}"
[[ ",${backends}," == *",tensorrt,"* ]] || die "the staged binding does not offer tensorrt"
log "done: ${out}"
log "install it with: sudo ${here}/install.sh --onnxruntime ${out}"
