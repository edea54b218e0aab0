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

exec bash "$(dirname "$0")/../scripts/apt-ensure.sh" training/install-deps "${PACKAGES[@]}"
