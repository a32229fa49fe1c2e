/**
 * Copying tensors into the flat Float32Array buffers of data-parallel training (the weights the workers read, the
 * gradients they write). A step copies megabytes each way, and reading a tensor (`data()`) allocates a new array per
 * call: on ref-vae that garbage made V8 collect its old space every few steps. On the wasm backend the values are
 * copied straight out of its memory instead, through its (unexported) tensor map, checked at every call; anywhere
 * else, or if that shape ever changes, through `data()`.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WasmBackendView {
  dataIdMap?: { get(dataId: object): { memoryOffset?: number | null } | undefined };
  wasm?: { HEAPU8?: Uint8Array };
}

/** The wasm backend's memory view of a float32 tensor's values, or null where that is not available. */
function wasmView(tensor: tf.Tensor): Float32Array | null {
  if (tensor.dtype !== 'float32' || tf.getBackend() !== 'wasm') return null;
  const backend = tf.engine().backend as unknown as WasmBackendView;
  const heap = backend.wasm?.HEAPU8;
  const entry = backend.dataIdMap?.get?.(tensor.dataId);
  const offset = entry?.memoryOffset;
  if (!heap || typeof offset !== 'number' || offset % 4 !== 0 || offset + tensor.size * 4 > heap.byteLength) {
    return null;
  }
  return new Float32Array(heap.buffer, heap.byteOffset + offset, tensor.size);
}

/** Copies float32 `tensor`'s values into `target` from `offset` (allocating no array on wasm). */
export async function copyInto(tensor: tf.Tensor, target: Float32Array, offset: number): Promise<void> {
  const view = wasmView(tensor);
  target.set(view ?? ((await tensor.data()) as Float32Array), offset);
}
