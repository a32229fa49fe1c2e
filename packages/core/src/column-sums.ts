/**
 * Column sums of a [rows, n] float32 matrix, `tf.sum(x, 0)`, as a registered kernel on the wasm and cpu backends.
 * tfjs's wasm Sum over the first axis transposes the matrix first and then reduces (about 0.5 ms for the
 * [128, 784] bias gradient of ref-vae's output layer); this adds the rows in place, in the same order (row 0 first,
 * float32), so the results are the same. On wasm a WebAssembly SIMD loop assembled from colsum.wat; on cpu a
 * JavaScript loop in double precision. Other backends use `tf.sum`. The dense layers' bias gradients use it.
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
import { COLSUM_WASM } from './kernels.generated';

/** Name of the kernel (registered for the 'cpu' and 'wasm' backends): input x [rows, n]; output [n]. */
export const COLUMN_SUMS_KERNEL = 'VaeColumnSums';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown };

/** Column sums accumulated in double precision (as tfjs's cpu Sum), rounded once. */
function columnSumsLoop(x: Float32Array, out: Float32Array, rows: number, n: number): void {
  const sums = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const offset = r * n;
    for (let j = 0; j < n; j++) sums[j] += x[offset + j];
  }
  out.set(sums);
}

function cpuKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const b = backend as CpuBackendLike;
  const x = inputs.x as tf.TensorInfo;
  const [rows, n] = x.shape;
  const out = new Float32Array(n);
  if (rows > 0) columnSumsLoop(cpuValues(b, x), out, rows, n);
  return b.makeTensorInfo([n], 'float32', out);
}

type ColsumExport = (x: number, out: number, rows: number, n: number) => void;

function wasmKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const b = backend as WasmBackendLike;
  const x = inputs.x as tf.TensorInfo;
  const [rows, n] = x.shape;
  const out = b.makeOutput([n], 'float32');
  if (n === 0) return out;
  if (rows === 0) {
    heapView(b, out).fill(0);
    return out;
  }
  const simd = simdExport<ColsumExport>(b, COLSUM_WASM, 'colsum');
  if (simd) simd(heapOffset(b, x), heapOffset(b, out), rows, n);
  else {
    const [xs, sums] = heapViews(b, [x, out]);
    columnSumsLoop(xs, sums, rows, n);
  }
  return out;
}

/**
 * `tf.sum(x, 0)` for a float32 matrix x, through the kernel where the backend has it. Not differentiable by
 * itself: it serves hand-written gradients (dense.ts).
 */
export function columnSums(x: tf.Tensor2D): tf.Tensor1D {
  const available =
    x.dtype === 'float32' &&
    fusedKernelAvailable(COLUMN_SUMS_KERNEL, {
      cpu: cpuKernel as tf.KernelFunc,
      wasm: wasmKernel as tf.KernelFunc,
    });
  if (!available) return tf.sum(x, 0);
  return tf.engine().runKernel(COLUMN_SUMS_KERNEL, { x }) as tf.Tensor1D;
}
