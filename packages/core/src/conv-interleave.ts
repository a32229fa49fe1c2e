/**
 * The last step of a strided transposed convolution in its sub-pixel form (conv.ts): the s^2 phase outputs, side by
 * side in the channels of x [B, rows, cols, s s C] (phase (r, t) at channels (r s + t) C ... (r s + t + 1) C - 1),
 * are interleaved into space and cropped to the 'same' window in one pass:
 *
 *   y[b, h, w, c] = x[b, (h + top) div s, (w + left) div s, (((h + top) mod s) s + (w + left) mod s) C + c]
 *
 * for h < height, w < width. tfjs has no kernel for this: `depthToSpace` is a per-element loop on wasm (slower than a
 * transpose there), and the crop is a separate Slice, which took 5-14 ms per call on wasm for mnist-conv's shapes.
 * Here it is a registered kernel on the wasm and cpu backends (a copy loop over the values in place, contiguous runs
 * of C floats) and a reshape-transpose-slice on the others, with its gradient (the inverse map: zero padding, then
 * the transpose back) registered, so that functions built on it stay differentiable.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CpuBackendLike, WasmBackendLike } from './kernel-support';
import { cpuValues, fusedKernelAvailable, heapOffset } from './kernel-support';

/** Name of the kernel (registered for the 'cpu' and 'wasm' backends): input x; attrs as `InterleaveAttrs`. */
export const INTERLEAVE_KERNEL = 'VaeSubPixelInterleave';

interface InterleaveAttrs {
  stride: number;
  top: number;
  left: number;
  height: number;
  width: number;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: InterleaveAttrs };

/** The copy loop, from `src` at float offset `from` to `dst` at float offset `to` (the same array on wasm). */
function interleaveLoop(
  src: Float32Array,
  from: number,
  dst: Float32Array,
  to: number,
  shape: number[],
  { stride, top, left, height, width }: InterleaveAttrs,
): void {
  const [batch, rows, cols, depth] = shape;
  const channels = depth / (stride * stride);
  let out = to;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < height; h++) {
      const u = h + top;
      const rowStart =
        from + (b * rows + Math.floor(u / stride)) * cols * depth + (u % stride) * stride * channels;
      for (let w = 0; w < width; w++) {
        const v = w + left;
        let at = rowStart + Math.floor(v / stride) * depth + (v % stride) * channels;
        for (let c = 0; c < channels; c++) dst[out++] = src[at++];
      }
    }
  }
}

function outputShape(x: tf.TensorInfo, attrs: InterleaveAttrs): number[] {
  return [x.shape[0], attrs.height, attrs.width, x.shape[3] / (attrs.stride * attrs.stride)];
}

function cpuKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const b = backend as CpuBackendLike;
  const x = inputs.x as tf.TensorInfo;
  const shape = outputShape(x, attrs);
  const out = new Float32Array(tf.util.sizeFromShape(shape));
  interleaveLoop(cpuValues(b, x), 0, out, 0, x.shape, attrs);
  return b.makeTensorInfo(shape, 'float32', out);
}

function wasmKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const b = backend as WasmBackendLike;
  const x = inputs.x as tf.TensorInfo;
  const out = b.makeOutput(outputShape(x, attrs), 'float32');
  // the offsets first (looking x up may move it into the heap and grow the memory), then the heap view
  const [from, to] = [heapOffset(b, x) / 4, heapOffset(b, out) / 4];
  const heap = b.wasm.HEAPF32;
  interleaveLoop(heap, from, heap, to, x.shape, attrs);
  return out;
}

/** The same map in tfjs ops (backends without the kernel). */
function interleaveOps(x: tf.Tensor4D, attrs: InterleaveAttrs): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    const [batch, rows, cols, depth] = x.shape;
    const s = attrs.stride;
    const channels = depth / (s * s);
    const spread = tf.reshape(
      tf.transpose(tf.reshape(x, [batch * rows, cols, s, s * channels]), [0, 2, 1, 3]),
      [batch, rows * s, cols * s, channels],
    ) as tf.Tensor4D;
    if (attrs.top === 0 && attrs.left === 0 && attrs.height === rows * s && attrs.width === cols * s)
      return spread;
    return tf.slice(spread, [0, attrs.top, attrs.left, 0], [batch, attrs.height, attrs.width, channels]);
  });
}

/** The adjoint: dy [B, height, width, C] back to [B, rows, cols, s s C] (zeros where the crop dropped values). */
function inverseOps(dy: tf.Tensor4D, xShape: number[], attrs: InterleaveAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, rows, cols, depth] = xShape;
    const s = attrs.stride;
    const channels = depth / (s * s);
    const padded = tf.pad(dy, [
      [0, 0],
      [attrs.top, rows * s - attrs.height - attrs.top],
      [attrs.left, cols * s - attrs.width - attrs.left],
      [0, 0],
    ]);
    return tf.reshape(tf.transpose(tf.reshape(padded, [batch * rows, s, cols, s * channels]), [0, 2, 1, 3]), [
      batch,
      rows,
      cols,
      depth,
    ]) as tf.Tensor4D;
  });
}

let gradientRegistered = false;

/**
 * Interleaves the s^2 phases in the channels of x [B, rows, cols, s s C] into space and crops [top, top + height) x
 * [left, left + width): [B, height, width, C]. The window must lie inside [0, rows s) x [0, cols s).
 */
export function interleavePhases(
  x: tf.Tensor4D,
  stride: number,
  crop: { top: number; left: number; height: number; width: number },
): tf.Tensor4D {
  const [, rows, cols, depth] = x.shape;
  const attrs: InterleaveAttrs = { stride, ...crop };
  if (
    depth % (stride * stride) !== 0 ||
    crop.top < 0 ||
    crop.left < 0 ||
    crop.top + crop.height > rows * stride ||
    crop.left + crop.width > cols * stride
  ) {
    throw new Error(
      `interleavePhases: x [${x.shape}] with stride ${stride} cannot give the window ${JSON.stringify(crop)}.`,
    );
  }
  if (stride === 1 && crop.top === 0 && crop.left === 0 && crop.height === rows && crop.width === cols)
    return x;
  const available =
    x.dtype === 'float32' &&
    fusedKernelAvailable(INTERLEAVE_KERNEL, {
      cpu: cpuKernel as unknown as tf.KernelFunc,
      wasm: wasmKernel as unknown as tf.KernelFunc,
    });
  if (!available) return interleaveOps(x, attrs);
  if (!gradientRegistered) {
    gradientRegistered = true;
    tf.registerGradient({
      kernelName: INTERLEAVE_KERNEL,
      inputsToSave: ['x'],
      gradFunc: (dy, saved, kernelAttrs) => {
        const a = kernelAttrs as unknown as InterleaveAttrs;
        return { x: () => inverseOps(dy as tf.Tensor4D, saved[0].shape, a) };
      },
    });
  }
  return tf.engine().runKernel(INTERLEAVE_KERNEL, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
