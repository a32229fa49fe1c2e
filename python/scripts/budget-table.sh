#!/usr/bin/env bash
# The README's table: the same model (the 784-400-20 VAE, Bernoulli decoder), the same budget (EPOCHS epochs of
# LIMIT MNIST training images, batch 128, Adam 1e-3, seed 1), trained in Node (wasm, `vae train`), in PyTorch in one
# process and with DDP on two processes (gloo); wall time of the whole command and the test loss each reports.
# Usage: bash python/scripts/budget-table.sh [EPOCHS] [LIMIT] [OUT]   (from the repository root, after `pnpm build`)
# PyTorch uses Debian's reference BLAS unless bench/setup-pytorch.sh has unpacked the OpenMP OpenBLAS, which this
# then uses too (VAE_BENCH_BLAS_DIR, as bench/run.mjs does), in extra rows.
set -euo pipefail
epochs="${1:-3}"
limit="${2:-60000}"
out="${3:-/tmp/vae-budget-table}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$out" && mkdir -p "$out"
echo '{"className": "VAE", "config": {"latentDim": 20, "seed": 1}}' > "$out/vae.json"
blas="${VAE_BENCH_BLAS_DIR:-$HOME/.cache/vae-bench/openblas}/usr/lib/x86_64-linux-gnu/openblas-openmp"

row() { # name, command...
  local name="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$@" > "$out/$name.log" 2>&1
  end=$(date +%s.%N)
  echo "$name $(echo "$end - $start" | bc)" >> "$out/times.txt"
}

cd "$root"
row node-wasm node apps/cli/dist/bin.js train --epochs "$epochs" --limit "$limit" --seed 1 --backend wasm \
  --out "$out/node-wasm" --quiet
cd "$root/python"
train=(-m vae_torch.train --config "$out/vae.json" --epochs "$epochs" --limit "$limit" --seed 1 --quiet)
for variant in reference openblas; do
  if [ "$variant" = openblas ]; then
    [ -d "$blas" ] || continue
    export LD_LIBRARY_PATH="$blas"
  fi
  OMP_NUM_THREADS=1 row "pytorch-1-process-$variant" /usr/bin/python3 "${train[@]}" --out "$out/pytorch-1-$variant"
  OMP_NUM_THREADS=1 row "pytorch-ddp-2-processes-$variant" /usr/bin/python3 -m vae_torch.torchrun \
    --nproc_per_node=2 "${train[@]}" --out "$out/pytorch-ddp-$variant"
done
unset LD_LIBRARY_PATH
cd "$root"
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
times = dict(line.split() for line in open(os.path.join(out, "times.txt")))
def loss(folder):
    m = json.load(open(os.path.join(out, folder, "metrics.json")))
    last = m["epochs"][-1]
    return last.get("testLoss", last["test"].get("total"))
rows = [("node-wasm", "node-wasm")] + [(k, k.replace("pytorch-1-process", "pytorch-1").replace("pytorch-ddp-2-processes", "pytorch-ddp")) for k in times if k != "node-wasm"]
for name, folder in rows:
    print(f"| {name} | {float(times[name]):.1f} s | {loss(folder):.2f} |")
PY
