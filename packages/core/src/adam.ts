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

// The members of the cpu and wasm backends the kernels use (public fields of their classes in tfjs 4.22).
interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}
interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset?: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  wasm: { HEAPF32: Float32Array };
}

function isCpuBackend(backend: unknown): backend is CpuBackendLike {
  const b = backend as Partial<CpuBackendLike>;
  return typeof b?.data?.get === 'function' && typeof b.makeTensorInfo === 'function';
}

function isWasmBackend(backend: unknown): backend is WasmBackendLike {
  const b = backend as Partial<WasmBackendLike>;
  return (
    typeof b?.dataIdMap?.get === 'function' &&
    typeof b.makeOutput === 'function' &&
    b.wasm?.HEAPF32 instanceof Float32Array
  );
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown };
const INPUTS = ['value', 'm', 'v', 'gradient'] as const;
const input = (inputs: tf.NamedTensorInfoMap, name: string) => inputs[name] as tf.TensorInfo;
type GradientsArgument = Parameters<tf.AdamOptimizer['applyGradients']>[0];

function cpuKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const b = backend as CpuBackendLike;
  const [value, m, v, g] = INPUTS.map(
    (name) => b.data.get(input(inputs, name).dataId)?.values as Float32Array,
  );
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
 * The update as WebAssembly SIMD (f32x4), assembled from adam.wat beside this file with
 * `wat2wasm adam.wat` (wabt 1.0.32): it imports the wasm backend's own memory and runs over the tensors in place,
 * as tfjs's element-wise kernels do, in float32 with tfjs's order of operations. JavaScript loops over the heap
 * run several times slower than the backend's SIMD kernels, so this is what makes the fusion pay on wasm.
 */
const ADAM_WASM =
  'AGFzbQEAAAABFAFgEH9/f39/f39/fX19fX19fX0AAg8BA2VudgZtZW1vcnkCAAADAgEABwgBBGFkYW0AAArPAgHMAgMCfwN7A30gB0F8cUECdCERAkADQCAQIBFPDQEgAyAQav0ABAAhEiABIBBq/QAEACAI/RP95gEgEiAJ/RP95gH95AEhEyACIBBq/QAEACAK/RP95gEgEiAS/eYBIAv9E/3mAf3kASEUIAUgEGogE/0LBAAgBiAQaiAU/QsEACAEIBBqIBMgDP0T/ecBIBQgDf0T/ecB/eMBIA79E/3kAf3nASAP/RP95gEgACAQav0ABAD95AH9CwQAIBBBEGohEAwACwsgB0ECdCERAkADQCAQIBFPDQEgAyAQaioCACEVIAEgEGoqAgAgCJQgFSAJlJIhFiACIBBqKgIAIAqUIBUgFZQgC5SSIRcgBSAQaiAWOAIAIAYgEGogFzgCACAEIBBqIBYgDJUgFyANlZEgDpKVIA+UIAAgEGoqAgCSOAIAIBBBBGohEAwACwsL';

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

const simdModules = new WeakMap<object, AdamExport | null>();

/** The SIMD update bound to the backend's memory, or null where that memory or wasm SIMD is not available. */
function simdAdam(backend: WasmBackendLike): AdamExport | null {
  const memory = (backend.wasm as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (!simdModules.has(memory)) {
    let fn: AdamExport | null = null;
    try {
      const bytes = Uint8Array.from(atob(ADAM_WASM), (c) => c.charCodeAt(0));
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      fn = instance.exports.adam as AdamExport;
    } catch {
      fn = null; // no wasm SIMD, or a shared (threaded) memory: the JavaScript loop takes over
    }
    simdModules.set(memory, fn);
  }
  return simdModules.get(memory) ?? null;
}

function wasmKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const b = backend as WasmBackendLike;
  const a = attrs as unknown as AdamAttrs;
  const shape = input(inputs, 'value').shape;
  const size = shape.reduce((p, d) => p * d, 1);
  const outputs = [0, 1, 2].map(() => b.makeOutput(shape, 'float32'));
  if (size === 0) return outputs;
  const offset = (info: tf.TensorInfo) => b.dataIdMap.get(info.dataId)?.memoryOffset as number;
  const [value, m, v, g] = INPUTS.map((name) => offset(input(inputs, name)));
  const [outValue, outM, outV] = outputs.map(offset);
  const simd = simdAdam(b);
  if (simd) {
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
  // Read the heap only after allocating: an allocation may grow the memory and replace HEAPF32.
  const heap = b.wasm.HEAPF32;
  const view = (byteOffset: number) => heap.subarray(byteOffset / 4, byteOffset / 4 + size);
  adamLoop(view(value), view(m), view(v), view(g), view(outValue), view(outM), view(outV), a);
  return outputs;
}

let registered = false;
function registerKernels(): void {
  if (registered) return;
  registered = true;
  for (const [backendName, kernelFunc] of [
    ['cpu', cpuKernel],
    ['wasm', wasmKernel],
  ] as const) {
    if (!tf.getKernel(FUSED_ADAM_KERNEL, backendName)) {
      tf.registerKernel({
        kernelName: FUSED_ADAM_KERNEL,
        backendName,
        kernelFunc: kernelFunc as tf.KernelFunc,
      });
    }
  }
}

/** Whether the current backend runs the fused Adam kernel (else `FusedAdamOptimizer` uses tfjs's Adam). */
export function fusedAdamAvailable(): boolean {
  registerKernels();
  const name = tf.getBackend();
  if (!tf.getKernel(FUSED_ADAM_KERNEL, name)) return false;
  const backend = tf.engine().backend;
  return name === 'wasm' ? isWasmBackend(backend) : isCpuBackend(backend);
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
