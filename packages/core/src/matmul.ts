/**
 * The matrix products of the hand-written dense layers (dense.ts): `A B`, `A B^T` and `A^T B` of float32 matrices,
 * with an optional bias and activation, as one registered kernel on the wasm backend.
 *
 * Why: tfjs's wasm `BatchMatMul` hands every product to XNNPACK, which first packs (copies and reorders) the
 * right-hand matrix and caches the packing per tensor. In training that cache never hits: the weights are new
 * tensors after every optimizer step, and both operands of a weight gradient are new every step. Packing a 784 x 400
 * matrix costs 0.5-1.0 ms whatever the number of rows, so a step on half a batch (a data-parallel worker's shard)
 * costs far more than half. Transposed operands were transposed explicitly first (another pass over memory). This
 * kernel (gemm.wat, assembled into kernels.generated.ts) reads both operands where they lie, in all three layouts,
 * and fuses the bias and ReLU into the store.
 *
 * On every other backend, or where the wasm backend's memory cannot be shared with the module (no SIMD, threads),
 * the same products run as tfjs's fused matMul kernel with explicit transposes, as before. Each output is summed in
 * float32 over the inner dimension in order, so results match tfjs's to float32 rounding, not bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernel-support';
import { heapOffset, isWasmBackend, simdExport } from './kernel-support';
import { GEMM_WASM } from './kernels.generated';

/** Name of the kernel (registered for the 'wasm' backend): inputs a, b, bias (optional); output [m, n]. */
export const MATMUL_KERNEL = 'VaeMatMul';

/** Which operand is read transposed: 'nn' A B, 'nt' A B^T, 'tn' A^T B. */
export type MatMulLayout = 'nn' | 'nt' | 'tn';

export interface MatMulOptions {
  /** Default 'nn'. */
  layout?: MatMulLayout;
  /** Added to every row of the product: shape [n]. */
  bias?: tf.Tensor1D;
  /** Applied last. Default 'linear'. */
  activation?: 'linear' | 'relu' | 'sigmoid';
}

interface Attrs {
  layout: MatMulLayout;
  relu: boolean;
}

type Gemm = (...args: number[]) => void;
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown };

/** [m, k, n] of the product for the layout. */
function dims(layout: MatMulLayout, a: readonly number[], b: readonly number[]): [number, number, number] {
  if (layout === 'tn') return [a[1], a[0], b[1]];
  if (layout === 'nt') return [a[0], a[1], b[0]];
  return [a[0], a[1], b[1]];
}

/**
 * [m, k, n] of a product whose operands agree: two matrices with the same inner dimension and a bias of n values.
 * Throws otherwise, naming both shapes (the kernel reads its operands where they lie, so it must never see shapes
 * that disagree).
 */
function checkedDims(
  layout: MatMulLayout,
  a: { shape: readonly number[] },
  b: { shape: readonly number[] },
  bias?: { shape: readonly number[] },
): [number, number, number] {
  if (layout !== 'nn' && layout !== 'nt' && layout !== 'tn') {
    throw new Error(`matMul2d: unknown layout '${layout}'; use 'nn', 'nt' or 'tn'.`);
  }
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new Error(`matMul2d: both operands must be matrices, got [${a.shape}] and [${b.shape}].`);
  }
  const [m, k, n] = dims(layout, a.shape, b.shape);
  const inner = layout === 'nt' ? b.shape[1] : b.shape[0];
  if (inner !== k) {
    throw new Error(
      `matMul2d: the inner dimensions of [${a.shape}] and [${b.shape}] differ (${k} and ${inner}, layout ` +
        `'${layout}').`,
    );
  }
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n)) {
    throw new Error(`matMul2d: the bias must have shape [${n}], got [${bias.shape}].`);
  }
  return [m, k, n];
}

function wasmKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackendLike;
  const { layout, relu } = attrs as unknown as Attrs;
  const a = inputs.a as tf.TensorInfo;
  const b = inputs.b as tf.TensorInfo;
  const bias = inputs.bias as tf.TensorInfo | undefined;
  // checked again here, before anything is allocated: the kernel can be run directly (runKernel)
  const [m, k, n] = checkedDims(layout, a, b, bias);
  if ([a, b, ...(bias ? [bias] : [])].some((t) => t.dtype !== 'float32')) {
    throw new Error(`${MATMUL_KERNEL}: the operands and bias must be float32.`);
  }
  const fn = simdExport<Gemm>(be, GEMM_WASM, layout === 'nt' ? 'gemmNT' : 'gemm');
  if (!fn) throw new Error(`${MATMUL_KERNEL}: the SIMD module does not run on this wasm backend.`);
  const out = be.makeOutput([m, n], 'float32');
  if (m === 0 || n === 0) return out;
  const pa = heapOffset(be, a);
  const pb = heapOffset(be, b);
  const pc = heapOffset(be, out);
  const pbias = bias ? heapOffset(be, bias) : 0;
  const flag = relu ? 1 : 0;
  if (layout === 'nt') {
    fn(pa, 4 * k, pb, 4 * k, pc, 4 * n, pbias, m, k, n, flag);
  } else {
    // element (i, kk) of A: row-major [m, k] for 'nn'; for 'tn' A is stored [k, m]
    const [sai, sak] = layout === 'tn' ? [4, 4 * m] : [4 * k, 4];
    fn(pa, sai, sak, pb, 4 * n, pc, 4 * n, pbias, m, k, n, flag);
  }
  return out;
}

/** True where the current backend is wasm and the SIMD module runs on its memory (registers the kernel once). */
export function matMulKernelAvailable(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  const backend = tf.engine().backend;
  if (!isWasmBackend(backend) || simdExport<Gemm>(backend, GEMM_WASM, 'gemm') === null) return false;
  if (!tf.getKernel(MATMUL_KERNEL, 'wasm')) {
    tf.registerKernel({
      kernelName: MATMUL_KERNEL,
      backendName: 'wasm',
      kernelFunc: wasmKernel as tf.KernelFunc,
    });
  }
  if (!tf.getGradient(MATMUL_KERNEL)) tf.registerGradient(matMulGradient);
  return true;
}

/**
 * The kernel's gradient, in the kernel itself (so gradients of gradients work, as the contractive penalty's autodiff
 * form needs): with g = dy, masked where the ReLU output is 0, 'nn' dA = g B^T, dB = A^T g; 'nt' dA = g B,
 * dB = g^T A; 'tn' dA = B g^T, dB = A g; dbias = column sums of g.
 */
const matMulGradient: tf.GradConfig = {
  kernelName: MATMUL_KERNEL,
  inputsToSave: ['a', 'b'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [a, b, y] = saved as tf.Tensor2D[];
    const { layout, relu } = attrs as unknown as Attrs;
    const g = (relu ? tf.mul(dy as tf.Tensor, tf.step(y)) : dy) as tf.Tensor2D;
    const grads: Record<string, () => tf.Tensor> = {
      bias: () => tf.sum(g, 0),
    };
    if (layout === 'nn') {
      grads.a = () => matMul2d(g, b, { layout: 'nt' });
      grads.b = () => matMul2d(a, g, { layout: 'tn' });
    } else if (layout === 'nt') {
      grads.a = () => matMul2d(g, b);
      grads.b = () => matMul2d(g, a, { layout: 'tn' });
    } else {
      grads.a = () => matMul2d(b, g, { layout: 'nt' });
      grads.b = () => matMul2d(a, g);
    }
    return grads;
  },
};

/** tfjs's `_FusedMatMul` kernel on 2-D operands (any backend). */
function fusedMatMulKernel(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  bias: tf.Tensor1D | undefined,
  activation: 'linear' | 'relu' | 'sigmoid',
): tf.Tensor2D {
  const [rows, inner] = a.shape;
  const units = b.shape[1];
  const y = tf.engine().runKernel(
    tf._FusedMatMul,
    {
      a: tf.reshape(a, [1, rows, inner]),
      b: tf.reshape(b, [1, inner, units]),
      ...(bias ? { bias } : {}),
    },
    { transposeA: false, transposeB: false, activation },
  ) as tf.Tensor;
  return tf.reshape(y, [rows, units]);
}

/**
 * `activation(op(a) op(b) + bias)` for float32 matrices, where op transposes per `layout` ('nt': b is [n, k];
 * 'tn': a is [k, m]). Differentiable (to any order). Throws, naming the shapes, when they disagree; operands of
 * other dtypes are read as float32.
 */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D, options: MatMulOptions = {}): tf.Tensor2D {
  const layout = options.layout ?? 'nn';
  const activation = options.activation ?? 'linear';
  const [m, k, n] = checkedDims(layout, a, b, options.bias);
  // Integer or boolean operands are read as floats (tfjs's wasm fused kernel misreads an int32 bias otherwise).
  const bias = options.bias;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) {
    const float = <T extends tf.Tensor>(t: T) => (t.dtype === 'float32' ? t : (tf.cast(t, 'float32') as T));
    return tf.tidy(() =>
      matMul2d(float(a), float(b), { ...options, ...(bias ? { bias: float(bias) } : {}) }),
    );
  }
  if (m * k * n === 0) {
    // an empty product (tfjs's WebGL matMul fails on an empty inner dimension): the bias, or zeros
    return tf.tidy(() => {
      const y = options.bias ? tf.add(tf.zeros([m, n]), options.bias) : tf.zeros([m, n]);
      return (
        activation === 'linear' ? y : activation === 'relu' ? tf.relu(y) : tf.sigmoid(y)
      ) as tf.Tensor2D;
    });
  }
  if (matMulKernelAvailable()) {
    const y = tf
      .engine()
      .runKernel(MATMUL_KERNEL, { a, b, ...(options.bias ? { bias: options.bias } : {}) }, {
        layout,
        relu: activation === 'relu',
      } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
    if (activation !== 'sigmoid') return y;
    const s = tf.sigmoid(y) as tf.Tensor2D;
    y.dispose();
    return s;
  }
  return tf.tidy(() => {
    const left = layout === 'tn' ? (tf.transpose(a) as tf.Tensor2D) : a;
    const right = layout === 'nt' ? (tf.transpose(b) as tf.Tensor2D) : b;
    if (!options.bias && activation === 'linear') return tf.matMul(left, right);
    // The fused kernel has no gradient of its own: where the tape records (a backward pass being differentiated
    // again, as the contractive penalty's autodiff form does), separate ops. tfjs's engine says whether it records.
    const recording = (tf.engine() as unknown as { isTapeOn?(): boolean }).isTapeOn?.() ?? true;
    if (!recording) return fusedMatMulKernel(left, right, options.bias, activation);
    const y = options.bias ? tf.add(tf.matMul(left, right), options.bias) : tf.matMul(left, right);
    return (activation === 'linear' ? y : activation === 'relu' ? tf.relu(y) : tf.sigmoid(y)) as tf.Tensor2D;
  });
}
