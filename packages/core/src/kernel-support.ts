/**
 * What the fused kernels of adam.ts, bce.ts and column-sums.ts share: the members of the tfjs cpu and wasm backends
 * they use (public fields of their classes in tfjs 4.22, checked before use), their registration, and the
 * instantiation of a WebAssembly SIMD module (assembled into kernels.generated.ts by scripts/build-kernels.mjs) on
 * the wasm backend's own memory.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

export interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset?: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  wasm: { HEAPF32: Float32Array };
}

export function isCpuBackend(backend: unknown): backend is CpuBackendLike {
  const b = backend as Partial<CpuBackendLike>;
  return typeof b?.data?.get === 'function' && typeof b.makeTensorInfo === 'function';
}

export function isWasmBackend(backend: unknown): backend is WasmBackendLike {
  const b = backend as Partial<WasmBackendLike>;
  return (
    typeof b?.dataIdMap?.get === 'function' &&
    typeof b.makeOutput === 'function' &&
    b.wasm?.HEAPF32 instanceof Float32Array
  );
}

/** Values of a tensor on the cpu backend. */
export function cpuValues(backend: CpuBackendLike, info: tf.TensorInfo): Float32Array {
  return backend.data.get(info.dataId)?.values as Float32Array;
}

/** Byte offset of a tensor in the wasm backend's heap. */
export function heapOffset(backend: WasmBackendLike, info: tf.TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)?.memoryOffset as number;
}

/** A view of a tensor's float32 values in the wasm backend's heap. */
export function heapView(backend: WasmBackendLike, info: tf.TensorInfo): Float32Array {
  return heapViews(backend, [info])[0];
}

/**
 * Views of several tensors' float32 values in the wasm backend's heap, all on the same memory: every offset is
 * looked up first, because looking one up can move a tensor from another backend into the heap, and that
 * allocation may grow the memory and leave views taken before it empty.
 */
export function heapViews(backend: WasmBackendLike, infos: tf.TensorInfo[]): Float32Array[] {
  const starts = infos.map((info) => heapOffset(backend, info) / 4);
  const heap = backend.wasm.HEAPF32;
  return infos.map((info, i) => heap.subarray(starts[i], starts[i] + tf.util.sizeFromShape(info.shape)));
}

const modules = new Map<string, WeakMap<object, WebAssembly.Exports | null>>();

/**
 * The export `name` of the module in `base64`, instantiated on the wasm backend's memory (once per module and
 * memory), or null where that memory or wasm SIMD is not available (callers then loop in JavaScript).
 */
export function simdExport<F>(backend: WasmBackendLike, base64: string, name: string): F | null {
  const memory = (backend.wasm as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  let perMemory = modules.get(base64);
  if (!perMemory) {
    perMemory = new WeakMap();
    modules.set(base64, perMemory);
  }
  if (!perMemory.has(memory)) {
    let exports: WebAssembly.Exports | null = null;
    try {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
    } catch {
      exports = null; // no wasm SIMD, or a shared (threaded) memory
    }
    perMemory.set(memory, exports);
  }
  return (perMemory.get(memory)?.[name] as F | undefined) ?? null;
}

/** Registers kernelName's cpu and wasm implementations once; true where the current backend runs it. */
export function fusedKernelAvailable(
  kernelName: string,
  kernels: { cpu: tf.KernelFunc; wasm: tf.KernelFunc },
): boolean {
  for (const backendName of ['cpu', 'wasm'] as const) {
    if (!tf.getKernel(kernelName, backendName)) {
      tf.registerKernel({ kernelName, backendName, kernelFunc: kernels[backendName] });
    }
  }
  const name = tf.getBackend();
  const backend = tf.engine().backend;
  if (name === 'wasm') return isWasmBackend(backend);
  return name === 'cpu' && isCpuBackend(backend);
}
