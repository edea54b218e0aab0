#!/usr/bin/env bash
# Installs what the training pipeline needs, all from Debian (no PyPI): PyTorch, ONNX, NumPy, Pillow, pytest,
# pydicom (real DICOM data) and the OpenMP OpenBLAS (without it torch falls back to the slow reference BLAS).
# Idempotent: apt-get runs (update, then install -y) only when a package is missing. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  python3-torch          # training, export (torch 1.13, ONNX opset <= 17)
  python3-onnx           # checker and shape inference on the export
  python3-numpy
  python3-pil            # PNG in and out, the report's figures
  python3-pytest         # training/tests
  python3-pydicom        # DICOM images in a clinic's data set
  libopenblas0-openmp    # fast BLAS for torch
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "training/install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "training/install-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "training/install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
