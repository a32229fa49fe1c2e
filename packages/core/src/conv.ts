/**
 * 2-D convolutions ('same' padding, channels last) with a hand-written backward pass that runs on every backend,
 * wasm included: tfjs 4.22's wasm backend has no Conv2DBackpropFilter kernel (and its Conv2DBackpropInput is slow),
 * so automatic differentiation of `tf.conv2d` fails there. Here
 *
 * - the forward pass is one `FusedConv2D` kernel (convolution, bias and activation in one pass; tanh after it);
 * - the filter gradient is itself a convolution: `dW = conv(x^T, dy^T)` with batch and channels swapped and a
 *   dilation equal to the stride, computed by the backend's fast forward `conv2d`; where the input has few channels
 *   (k^2 C <= F, e.g. a first layer fed with grayscale images) it is one matMul of the patches, which a convolution
 *   with the identity filter extracts, by dy;
 * - the input gradient (and the forward pass of a transposed convolution, which is the same map) is a stride-1
 *   convolution of `dy` with the filter rearranged into stride^2 phases, followed by a depth-to-space interleave
 *   and the 'same' crop in one pass (the "sub-pixel" form of a transposed convolution; conv-interleave.ts);
 * - padding is the convolutions' own (explicit), never a padded copy, and the bias gradient a column sum.
 *
 * Gradients equal tfjs' own (`tf.conv2d`, `tf.conv2dTranspose`) where those exist; the tests compare them, and
 * with central differences and a direct summation. The maths is shared by the Layers API `ConvLayer` /
 * `ConvTransposeLayer`.
 */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import { ACTIVATIONS, type Activation, activationGradient } from './activations';
import { columnSums } from './column-sums';
import { interleavePhases } from './conv-interleave';

type CustomGradient = Parameters<typeof tf.customGrad>[0];

/** Top and left padding, and output size, of a 'same' convolution as tfjs computes them. */
function samePadding(size: number, kernel: number, stride: number): { out: number; before: number } {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/** Explicit padding of a convolution, [[0, 0], [top, bottom], [left, right], [0, 0]]. */
type Padding = [[number, number], [number, number], [number, number], [number, number]];

const padding = (top: number, bottom: number, left: number, right: number): Padding => [
  [0, 0],
  [top, bottom],
  [left, right],
  [0, 0],
];

/**
 * `activation(conv2d(x, w) + bias)` as one `FusedConv2D` kernel (bias and relu/sigmoid in the convolution's own
 * pass; tanh, which the kernel lacks, after it). Called only in custom gradients' forward and backward passes,
 * which tfjs never records, so the fused kernel needs no gradient of its own (as `fusedDense`).
 */
function convKernel(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  bias: tf.Tensor1D | undefined,
  stride: number,
  pad: 'same' | Padding,
  activation: Activation = 'linear',
): tf.Tensor4D {
  const fused = activation === 'tanh' ? 'linear' : activation;
  const y =
    bias === undefined && fused === 'linear'
      ? tf.conv2d(x, w, stride, pad)
      : (tf.engine().runKernel(tf.FusedConv2D, bias ? { x, filter: w, bias } : { x, filter: w }, {
          strides: [stride, stride],
          pad,
          dataFormat: 'NHWC',
          dilations: [1, 1],
          dimRoundingMode: undefined,
          activation: fused,
        } as unknown as tf.NamedAttrMap) as tf.Tensor4D);
  return activation === 'tanh' ? tf.tanh(y) : y;
}

/**
 * dW of a 'same' convolution with stride `stride`: x [B, H, W, C], dy [B, Ho, Wo, F] -> [k, k, C, F].
 * `dW[i, j, c, f] = sum_{b, o, p} xpad[b, o s + i, p s + j, c] dy[b, o, p, f]`: a stride-1 convolution of x (batch
 * and channels swapped) by dy (as a filter over the batch) with dilation s.
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  kernelSize: number,
  stride: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = x.shape;
    const [, outHeight, outWidth, filters] = dy.shape;
    const k = kernelSize;
    if (k * k * channels <= filters) {
      // patches [B Ho Wo, k k C] by the identity filter (exact: each output is one input value), then one matMul
      const identity = tf.reshape(tf.eye(k * k * channels), [
        k,
        k,
        channels,
        k * k * channels,
      ]) as tf.Tensor4D;
      const rows = batch * outHeight * outWidth;
      const patches = tf.reshape(tf.conv2d(x, identity, stride, 'same'), [rows, k * k * channels]);
      const dw = tf.matMul(tf.transpose(patches), tf.reshape(dy, [rows, filters]));
      return tf.reshape(dw, [k, k, channels, filters]) as tf.Tensor4D;
    }
    const rows = samePadding(height, k, stride);
    const cols = samePadding(width, k, stride);
    // the window the filter gradient reads: rows [-before, needRows - before) of x (outside x: zeros)
    const needRows = (outHeight - 1) * stride + k;
    const needCols = (outWidth - 1) * stride + k;
    const usedRows = Math.min(height, needRows - rows.before);
    const usedCols = Math.min(width, needCols - cols.before);
    const used =
      usedRows < height || usedCols < width ? tf.slice(x, [0, 0, 0, 0], [-1, usedRows, usedCols, -1]) : x;
    const input = tf.transpose(used, [3, 1, 2, 0]) as tf.Tensor4D; // [C, rows, cols, B]
    const filter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, B, F]
    const pad = padding(
      rows.before,
      needRows - usedRows - rows.before,
      cols.before,
      needCols - usedCols - cols.before,
    );
    const out = tf.conv2d(input, filter, 1, pad, 'NHWC', stride); // [C, k, k, F]
    return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * The filter [k, k, C, F] rearranged into its stride^2 phases, [P, P, F, s s C] with P = ceil(k / s):
 * `phase[m, q, f, (r s + t) C + c] = w[r + s (P - 1 - m), t + s (P - 1 - q), c, f]` (zero beyond the kernel), by
 * zero padding to P s, a reshape, a flip of the phase grid and one transpose (no gather).
 */
function phaseFilter(filter: tf.Tensor4D, stride: number): tf.Tensor4D {
  const [kernelSize, , channels, filters] = filter.shape;
  const phases = Math.ceil(kernelSize / stride);
  const extra = phases * stride - kernelSize;
  const padded =
    extra > 0
      ? tf.pad(filter, [
          [0, extra],
          [0, extra],
          [0, 0],
          [0, 0],
        ])
      : filter;
  // the flip on a rank-4 view (WebGL reverses up to rank 4)
  const grid = tf.reshape(padded, [phases, stride, phases, stride * channels * filters]);
  const flipped = phases > 1 ? tf.reverse(grid, [0, 2]) : grid;
  const split = tf.reshape(flipped, [phases, stride, phases, stride, channels, filters]);
  return tf.reshape(tf.transpose(split, [0, 2, 5, 1, 3, 4]), [
    phases,
    phases,
    filters,
    stride * stride * channels,
  ]) as tf.Tensor4D;
}

/**
 * The transposed 'same' convolution in sub-pixel form: dy [B, Ho, Wo, F] and the filter [k, k, C, F] give
 * `activation(convTranspose(dy, filter) + bias)`, [B, H, W, C]. Every output pixel of phase (h mod s, w mod s) is
 * a stride-1 correlation of dy with one sub-filter; all s^2 sub-filters run as one convolution (with the bias, tiled
 * over the phases, and the activation fused into it), whose output channels are then interleaved into space and
 * cropped in one pass.
 */
function subPixelConv(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputSize: [number, number],
  stride: number,
  bias?: tf.Tensor1D,
  activation: Activation = 'linear',
): tf.Tensor4D {
  const [kernelSize] = filter.shape;
  const [height, width] = inputSize;
  const pad = Math.ceil(kernelSize / stride) - 1;
  const tiled = bias && stride > 1 ? (tf.tile(bias, [stride * stride]) as tf.Tensor1D) : bias;
  const phases = convKernel(
    dy,
    phaseFilter(filter, stride),
    tiled,
    1,
    padding(pad, pad, pad, pad),
    activation,
  );
  return interleavePhases(phases, stride, {
    top: samePadding(height, kernelSize, stride).before,
    left: samePadding(width, kernelSize, stride).before,
    height,
    width,
  });
}

/**
 * dx of a 'same' convolution (equivalently, the forward pass of a transposed convolution): dy [B, Ho, Wo, F] and
 * the filter [k, k, C, F] give [B, H, W, C] for an input of height H and width W. Every output pixel of phase
 * (h mod s, w mod s) is a stride-1 correlation of dy with one sub-filter; all s^2 sub-filters run as one
 * convolution whose output channels are then interleaved into space.
 */
export function conv2dInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputSize: [number, number],
  stride: number,
): tf.Tensor4D {
  return tf.tidy(() => subPixelConv(dy, filter, inputSize, stride));
}

export interface FusedConv2dOptions {
  /** Stride in both directions. Default 1. */
  strides?: number;
  /** Nonlinearity after the bias. Default 'linear'. */
  activation?: Activation;
  /**
   * A transposed convolution (upsampling by the stride): the filter is [k, k, outChannels, inChannels] as in
   * `tf.conv2dTranspose`, and the output [B, H s, W s, outChannels]. Default false: a convolution with filter
   * [k, k, inChannels, outChannels] and output [B, ceil(H / s), ceil(W / s), outChannels].
   */
  transposed?: boolean;
  /** Whether a gradient with respect to `x` is needed (false for data input: skips one convolution). Default true. */
  inputGradient?: boolean;
}

/**
 * `activation(conv2d(x, filter) + bias)` with 'same' padding and square kernels, channels last, with a backward
 * pass that every backend can run (see the module notes). `x` is [B, H, W, C]; `bias` [outChannels] or null.
 */
export function fusedConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor,
  bias: tf.Tensor | null,
  options: FusedConv2dOptions = {},
): tf.Tensor4D {
  const caller = 'fusedConv2d';
  const activation = options.activation ?? 'linear';
  if (!ACTIVATIONS.includes(activation)) {
    throw new Error(`${caller}: unknown activation '${activation}'; use one of ${ACTIVATIONS.join(', ')}.`);
  }
  const stride = options.strides ?? 1;
  if (!Number.isInteger(stride) || stride < 1)
    throw new Error(`${caller}: strides must be a positive integer, got ${stride}.`);
  const transposed = options.transposed === true;
  if (filter.rank !== 4 || filter.shape[0] !== filter.shape[1]) {
    throw new Error(`${caller}: filter must be a square kernel [k, k, in, out], got [${filter.shape}].`);
  }
  const inChannels = transposed ? filter.shape[3] : filter.shape[2];
  const outChannels = transposed ? filter.shape[2] : filter.shape[3];
  if (x.rank !== 4 || x.shape[3] !== inChannels) {
    throw new Error(
      `${caller}: x must be [batch, height, width, ${inChannels}] to match the filter [${filter.shape}]` +
        `${transposed ? ' (transposed)' : ''}, got [${x.shape}].`,
    );
  }
  if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== outChannels)) {
    throw new Error(`${caller}: bias must have shape [${outChannels}], got [${bias.shape}].`);
  }
  const kernelSize = filter.shape[0];
  const [, height, width] = x.shape;
  const forward = (input: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D | undefined): tf.Tensor4D =>
    transposed
      ? subPixelConv(input, w, [height * stride, width * stride], stride, b, activation)
      : convKernel(input, w, b, stride, 'same', activation);
  const gradients = (
    input: tf.Tensor4D,
    w: tf.Tensor4D,
    y: tf.Tensor4D,
    dy: tf.Tensor,
    needInput: boolean,
  ) => {
    const g = activationGradient(activation, dy, y) as tf.Tensor4D;
    const dw = transposed
      ? conv2dFilterGradient(g, input, kernelSize, stride)
      : conv2dFilterGradient(input, g, kernelSize, stride);
    const dx = needInput
      ? transposed
        ? convKernel(g, w, undefined, stride, 'same')
        : conv2dInputGradient(g, w, [height, width], stride)
      : null;
    return { dx, dw, db: columnSums(tf.reshape(g, [-1, outChannels as number]) as tf.Tensor2D) };
  };
  const withBias = bias !== null;
  if (options.inputGradient === false) {
    const op = tf.customGrad(((...args: unknown[]) => {
      const w = args[0] as tf.Tensor4D;
      const b = withBias ? (args[1] as tf.Tensor1D) : undefined;
      const save = args[withBias ? 2 : 1] as tf.GradSaveFunc;
      const y = forward(x, w, b);
      save([x, w, y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [input, savedW, savedY] = saved as tf.Tensor4D[];
          const { dw, db } = gradients(input, savedW, savedY, dy, false);
          return withBias ? [dw, db] : [dw];
        },
      };
    }) as CustomGradient);
    return (withBias ? op(filter, bias) : op(filter)) as tf.Tensor4D;
  }
  const op = tf.customGrad(((...args: unknown[]) => {
    const input = args[0] as tf.Tensor4D;
    const w = args[1] as tf.Tensor4D;
    const b = withBias ? (args[2] as tf.Tensor1D) : undefined;
    const save = args[withBias ? 3 : 2] as tf.GradSaveFunc;
    const y = forward(input, w, b);
    save([input, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedInput, savedW, savedY] = saved as tf.Tensor4D[];
        const { dx, dw, db } = gradients(savedInput, savedW, savedY, dy, true);
        return withBias ? [dx as tf.Tensor, dw, db] : [dx as tf.Tensor, dw];
      },
    };
  }) as CustomGradient);
  return (withBias ? op(x, filter, bias) : op(x, filter)) as tf.Tensor4D;
}
