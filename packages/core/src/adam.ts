/**
 * Adam with a fused update: one pass over each variable computes the new first and second moments and the new
 * value, where tfjs's `AdamOptimizer` runs about 14 element-wise kernels per variable (each a full pass over
 * memory). On the wasm and cpu backends the update is a registered kernel that loops over the tensors' memory
 * once; on every other backend (WebGL, WebGPU, tfjs-node) it falls back to tfjs's own Adam, op for op.
 *
 * The maths is tfjs's (and PyTorch's) Adam, unchanged:
 *   m' = beta1 m + (1 - beta1) g,   v' = beta2 v + (1 - beta2) g^2,
 *   value' = value - lr (m' / (1 - beta1^t)) / (sqrt(v' / (1 - beta2^t)) + epsilon).
 * On wasm the fused kernel runs it in float32 SIMD with tfjs's order of operations; on cpu in double precision, rounded once
 * to float32. Either way results agree with tfjs's Adam
 * to float32 rounding. It is a subclass of `tf.AdamOptimizer` with the same serialization name ('Adam'), config
 * and weights: checkpoints written with either load into the other.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CpuBackendLike, WasmBackendLike } from './kernel-support';
import { cpuValues, fusedKernelAvailable, heapOffset, heapViews, simdExport } from './kernel-support';
import { ADAM_WASM } from './kernels.generated';

/** Name of the fused update kernel (registered for the 'cpu' and 'wasm' backends). */
export const FUSED_ADAM_KERNEL = 'VaeFusedAdamUpdate';

interface AdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  /** 1 - beta1^t, as float32 */
  firstCorrection: number;
  /** 1 - beta2^t, as float32 */
  secondCorrection: number;
  epsilon: number;
}

/** The update over flat float32 arrays; out* may alias nothing (fresh outputs). */
function adamLoop(
  value: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  outValue: Float32Array,
  outM: Float32Array,
  outV: Float32Array,
  a: AdamAttrs,
): void {
  const { beta1, beta2, epsilon } = a;
  const oneMinusBeta1 = 1 - beta1;
  const oneMinusBeta2 = 1 - beta2;
  const stepSize = a.learningRate / a.firstCorrection;
  const inverseSecond = 1 / a.secondCorrection;
  for (let i = 0; i < value.length; i++) {
    const gi = g[i];
    const mi = beta1 * m[i] + oneMinusBeta1 * gi;
    const vi = beta2 * v[i] + oneMinusBeta2 * gi * gi;
    outM[i] = mi;
    outV[i] = vi;
    outValue[i] = value[i] - (stepSize * mi) / (Math.sqrt(vi * inverseSecond) + epsilon);
  }
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown };
const INPUTS = ['value', 'm', 'v', 'gradient'] as const;
const input = (inputs: tf.NamedTensorInfoMap, name: string) => inputs[name] as tf.TensorInfo;
type GradientsArgument = Parameters<tf.AdamOptimizer['applyGradients']>[0];

function cpuKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const b = backend as CpuBackendLike;
  const [value, m, v, g] = INPUTS.map((name) => cpuValues(b, input(inputs, name)));
  const shape = input(inputs, 'value').shape;
  const out = [
    new Float32Array(value.length),
    new Float32Array(value.length),
    new Float32Array(value.length),
  ];
  adamLoop(value, m, v, g, out[0], out[1], out[2], attrs as unknown as AdamAttrs);
  return out.map((values) => b.makeTensorInfo(shape, 'float32', values));
}

/**
 * The update as WebAssembly SIMD (f32x4), assembled from adam.wat beside this file by scripts/build-kernels.mjs
 * (kernels.generated.ts): it imports the wasm backend's own memory and runs over the tensors in place,
 * as tfjs's element-wise kernels do, in float32 with tfjs's order of operations. JavaScript loops over the heap
 * run several times slower than the backend's SIMD kernels, so this is what makes the fusion pay on wasm.
 */
type AdamExport = (
  value: number,
  m: number,
  v: number,
  g: number,
  outValue: number,
  outM: number,
  outV: number,
  n: number,
  beta1: number,
  oneMinusBeta1: number,
  beta2: number,
  oneMinusBeta2: number,
  firstCorrection: number,
  secondCorrection: number,
  epsilon: number,
  negativeLearningRate: number,
) => void;

function wasmKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const b = backend as WasmBackendLike;
  const a = attrs as unknown as AdamAttrs;
  const shape = input(inputs, 'value').shape;
  const size = shape.reduce((p, d) => p * d, 1);
  const outputs = [0, 1, 2].map(() => b.makeOutput(shape, 'float32'));
  if (size === 0) return outputs;
  const simd = simdExport<AdamExport>(b, ADAM_WASM, 'adam');
  if (simd) {
    const [value, m, v, g] = INPUTS.map((name) => heapOffset(b, input(inputs, name)));
    const [outValue, outM, outV] = outputs.map((info) => heapOffset(b, info));
    const f = Math.fround;
    simd(
      value,
      m,
      v,
      g,
      outValue,
      outM,
      outV,
      size,
      a.beta1,
      f(1 - a.beta1),
      a.beta2,
      f(1 - a.beta2),
      a.firstCorrection,
      a.secondCorrection,
      a.epsilon,
      -a.learningRate,
    );
    return outputs;
  }
  // Views only after allocating: an allocation may grow the memory and replace HEAPF32.
  const [value, m, v, g, outValue, outM, outV] = heapViews(b, [
    ...INPUTS.map((name) => input(inputs, name)),
    ...outputs,
  ]);
  adamLoop(value, m, v, g, outValue, outM, outV, a);
  return outputs;
}

/** Whether the current backend runs the fused Adam kernel (else `FusedAdamOptimizer` uses tfjs's Adam). */
export function fusedAdamAvailable(): boolean {
  return fusedKernelAvailable(FUSED_ADAM_KERNEL, {
    cpu: cpuKernel as tf.KernelFunc,
    wasm: wasmKernel as tf.KernelFunc,
  });
}

interface AdamInternals {
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/**
 * `tf.AdamOptimizer` with a fused update on the wasm and cpu backends (see the module comment); elsewhere it is
 * tfjs's Adam. Same constructor, config, weights and serialization name ('Adam').
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    for (const [name, value] of [
      ['learningRate', learningRate],
      ['beta1', beta1],
      ['beta2', beta2],
    ] as const) {
      if (!Number.isFinite(value))
        throw new Error(`FusedAdamOptimizer: ${name} must be a finite number, got ${value}.`);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new Error(`FusedAdamOptimizer: beta1 and beta2 must lie in [0, 1), got ${beta1} and ${beta2}.`);
    }
    super(learningRate, beta1, beta2, epsilon as number);
  }

  override applyGradients(variableGradients: GradientsArgument): void {
    if (!fusedAdamAvailable()) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamInternals;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    // beta^t of this step, t = iterations + 1 (tfjs tracks it as a float32 running product; this is exact).
    const t = this.iterations + 1;
    const f = Math.fround;
    const attrs: AdamAttrs = {
      learningRate: f(this.learningRate),
      beta1: f(this.beta1),
      beta2: f(this.beta2),
      firstCorrection: f(1 - f(this.beta1 ** t)),
      secondCorrection: f(1 - f(this.beta2 ** t)),
      epsilon: f(this.epsilon),
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (!value) throw new Error(`FusedAdamOptimizer: no variable named '${name}' is registered.`);
        self.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        self.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i].tensor
          : variableGradients[name];
        if (gradient == null) return;
        const m = (self.accumulatedFirstMoment[i] as { variable: tf.Variable }).variable;
        const v = (self.accumulatedSecondMoment[i] as { variable: tf.Variable }).variable;
        if (gradient.dtype !== 'float32' || value.dtype !== 'float32') {
          throw new Error(
            `FusedAdamOptimizer: '${name}' and its gradient must be float32, got ${value.dtype}.`,
          );
        }
        if (!tf.util.arraysEqual(gradient.shape, value.shape)) {
          throw new Error(
            `FusedAdamOptimizer: the gradient of '${name}' has shape [${gradient.shape}], the variable [${value.shape}].`,
          );
        }
        // Moments are kept by position, as tfjs's Adam keeps them (and saves them): a call with other variables, or
        // in another order, must not hand the kernel moments of another size.
        if (!tf.util.arraysEqual(m.shape, value.shape) || !tf.util.arraysEqual(v.shape, value.shape)) {
          throw new Error(
            `FusedAdamOptimizer: the moments at position ${i} have shape [${m.shape}], but '${name}' has ` +
              `[${value.shape}]: pass the same variables, in the same order, at every step.`,
          );
        }
        const [newValue, newM, newV] = tf
          .engine()
          .runKernel(
            FUSED_ADAM_KERNEL,
            { value, m, v, gradient },
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      // Kept in step for tfjs's Adam (setWeights recomputes them from the iteration count).
      self.accBeta1.assign(tf.mul(self.accBeta1, this.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** Adam as PyTorch's defaults (lr 1e-3, betas 0.9 / 0.999, epsilon 1e-8), fused where the backend allows. */
export function fusedAdam(
  learningRate = 1e-3,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon = 1e-8,
): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
