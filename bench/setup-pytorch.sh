#!/usr/bin/env bash
# Installs the PyTorch reference for `pnpm bench` on Debian: python3-torch, and the OpenMP build of OpenBLAS
# unpacked beside it (not installed system-wide), which bench/run.mjs selects per process through
# LD_LIBRARY_PATH. Without it, Debian's torch uses the slow reference BLAS. See shared docs/performance.md.
set -euo pipefail
apt-get install -y -qq python3-torch python3-numpy >/dev/null
target="${VAE_BENCH_BLAS_DIR:-$HOME/.cache/vae-bench/openblas}"
mkdir -p "$target"
cd "$(mktemp -d)"
apt-get download libopenblas0-openmp >/dev/null
dpkg-deb -x libopenblas0-openmp_*.deb "$target"
echo "OpenBLAS (OpenMP) unpacked in $target"
