/**
 * The stable binary cross-entropy from logits, per row, as one registered kernel on the wasm and cpu backends:
 * one pass over [batch, n] targets x and logits l gives the row sums of `max(l, 0) - l x + log1p(exp(-|l|))` and
 * the gradient with respect to the logits, `sigmoid(l) - x`, which the backward pass then only scales. tfjs's
 * ops take nine element-wise kernels for the forward pass and two more for that gradient, and on wasm its exp and
 * log1p are scalar: this is what makes the loss pay (about 3 ms of a ref-vae step on wasm). Other backends keep
 * tfjs's ops (losses.ts). On wasm the kernel is WebAssembly SIMD assembled from bce.wat (see there for the
 * polynomials; both outputs agree with the exact values to float32 rounding); on cpu a double-precision loop.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CpuBackendLike, WasmBackendLike } from './kernel-support';
import {
  cpuValues,
  fusedKernelAvailable,
  heapOffset,
  heapView,
  heapViews,
  simdExport,
} from './kernel-support';
import { BCE_WASM } from './kernels.generated';

/** Name of the fused kernel (registered for the 'cpu' and 'wasm' backends): inputs x, logits; outputs rows, g. */
export const BCE_WITH_LOGITS_KERNEL = 'VaeBceWithLogitsRows';

/** Row sums of the stable BCE into rows, and sigmoid(l) - x into g, in double precision (rounded once). */
function bceLoop(
  x: Float32Array,
  l: Float32Array,
  rows: Float32Array,
  g: Float32Array,
  batch: number,
  n: number,
): void {
  for (let r = 0; r < batch; r++) {
    let sum = 0;
    for (let i = r * n; i < (r + 1) * n; i++) {
      const li = l[i];
      const xi = x[i];
      const e = Math.exp(-Math.abs(li));
      sum += Math.max(li, 0) - li * xi + Math.log1p(e);
      g[i] = (li >= 0 ? 1 / (1 + e) : e / (1 + e)) - xi;
    }
    rows[r] = sum;
  }
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown };
const input = (inputs: tf.NamedTensorInfoMap, name: string) => inputs[name] as tf.TensorInfo;

function cpuKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const b = backend as CpuBackendLike;
  const [batch, n] = input(inputs, 'logits').shape;
  const rows = new Float32Array(batch);
  const g = new Float32Array(batch * n);
  bceLoop(cpuValues(b, input(inputs, 'x')), cpuValues(b, input(inputs, 'logits')), rows, g, batch, n);
  return [b.makeTensorInfo([batch], 'float32', rows), b.makeTensorInfo([batch, n], 'float32', g)];
}

type BceExport = (x: number, l: number, rows: number, g: number, batch: number, n: number) => void;

function wasmKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const b = backend as WasmBackendLike;
  const [batch, n] = input(inputs, 'logits').shape;
  const rows = b.makeOutput([batch], 'float32');
  const g = b.makeOutput([batch, n], 'float32');
  if (batch === 0) return [rows, g];
  if (n === 0) {
    heapView(b, rows).fill(0);
    return [rows, g];
  }
  const simd = simdExport<BceExport>(b, BCE_WASM, 'bce');
  if (simd) {
    const [x, l] = ['x', 'logits'].map((name) => heapOffset(b, input(inputs, name)));
    simd(x, l, heapOffset(b, rows), heapOffset(b, g), batch, n);
  } else {
    const [x, l, r, gv] = heapViews(b, [input(inputs, 'x'), input(inputs, 'logits'), rows, g]);
    bceLoop(x, l, r, gv, batch, n);
  }
  return [rows, g];
}

/** Whether the current backend runs the fused kernel (else the loss runs as tfjs ops). */
export function fusedBceAvailable(): boolean {
  return fusedKernelAvailable(BCE_WITH_LOGITS_KERNEL, {
    cpu: cpuKernel as tf.KernelFunc,
    wasm: wasmKernel as tf.KernelFunc,
  });
}

/**
 * [batch, n] float32 targets and logits -> [row sums of the stable BCE [batch], sigmoid(logits) - x [batch, n]],
 * through the fused kernel. Call only where `fusedBceAvailable()`. Not differentiable by itself (losses.ts
 * wraps it in a custom gradient).
 */
export function fusedBceRows(x: tf.Tensor2D, logits: tf.Tensor2D): [tf.Tensor1D, tf.Tensor2D] {
  return tf.engine().runKernel(BCE_WITH_LOGITS_KERNEL, { x, logits }) as unknown as [
    tf.Tensor1D,
    tf.Tensor2D,
  ];
}
