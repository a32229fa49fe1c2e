/**
 * 2-D convolutions ('same' padding, channels last) with a hand-written backward pass that runs on every backend,
 * wasm included: tfjs 4.22's wasm backend has no Conv2DBackpropFilter kernel (and its Conv2DBackpropInput is slow),
 * so automatic differentiation of `tf.conv2d` fails there. Here
 *
 * - the filter gradient is itself a convolution: `dW = conv(x^T, dy^T)` with batch and channels swapped and a
 *   dilation equal to the stride, computed by the backend's fast forward `conv2d`;
 * - the input gradient (and the forward pass of a transposed convolution, which is the same map) is a stride-1
 *   convolution of `dy` with the filter rearranged into stride^2 phases, followed by a depth-to-space interleave
 *   (the "sub-pixel" form of a transposed convolution), again one forward `conv2d`.
 *
 * Gradients equal tfjs' own (`tf.conv2d`, `tf.conv2dTranspose`) where those exist; the tests compare them, and
 * with central differences. The maths is shared by the Layers API `ConvLayer` / `ConvTransposeLayer`.
 */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import { ACTIVATIONS, type Activation, activationGradient, applyActivation } from './activations';

type CustomGradient = Parameters<typeof tf.customGrad>[0];

/** Top and left padding, and output size, of a 'same' convolution as tfjs computes them. */
function samePadding(size: number, kernel: number, stride: number): { out: number; before: number } {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return { out, before: Math.floor(total / 2) };
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
    const [, height, width] = x.shape;
    const [, outHeight, outWidth] = dy.shape;
    const rows = samePadding(height, kernelSize, stride);
    const cols = samePadding(width, kernelSize, stride);
    const needRows = (outHeight - 1) * stride + kernelSize;
    const needCols = (outWidth - 1) * stride + kernelSize;
    let padded: tf.Tensor4D = tf.pad(x, [
      [0, 0],
      [rows.before, Math.max(needRows - height - rows.before, 0)],
      [cols.before, Math.max(needCols - width - cols.before, 0)],
      [0, 0],
    ]);
    if (padded.shape[1] > needRows || padded.shape[2] > needCols) {
      padded = tf.slice(padded, [0, 0, 0, 0], [-1, needRows, needCols, -1]);
    }
    const input = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D; // [C, rows, cols, B]
    const filter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, B, F]
    const out = tf.conv2d(input, filter, 1, 'valid', 'NHWC', stride); // [C, k, k, F]
    return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

const phaseTables = new Map<string, Int32Array>();

/** Indices that rearrange a flat [k, k, C, F] filter (plus a trailing 0) into [K, K, F, s, s, C] phases. */
function phaseTable(kernelSize: number, stride: number, channels: number, filters: number): Int32Array {
  const key = `${kernelSize},${stride},${channels},${filters}`;
  let table = phaseTables.get(key);
  if (table) return table;
  const phases = Math.ceil(kernelSize / stride);
  const zero = kernelSize * kernelSize * channels * filters;
  table = new Int32Array(phases * phases * filters * stride * stride * channels);
  let n = 0;
  for (let m = 0; m < phases; m++)
    for (let q = 0; q < phases; q++)
      for (let f = 0; f < filters; f++)
        for (let r = 0; r < stride; r++)
          for (let t = 0; t < stride; t++)
            for (let c = 0; c < channels; c++) {
              const i = r + stride * (phases - 1 - m);
              const j = t + stride * (phases - 1 - q);
              table[n++] =
                i < kernelSize && j < kernelSize ? ((i * kernelSize + j) * channels + c) * filters + f : zero;
            }
  phaseTables.set(key, table);
  return table;
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
  return tf.tidy(() => {
    const [kernelSize, , channels, filters] = filter.shape;
    const [batch, outHeight, outWidth] = dy.shape;
    const [height, width] = inputSize;
    const phases = Math.ceil(kernelSize / stride);
    const table = phaseTable(kernelSize, stride, channels, filters);
    const flat = tf.concat([tf.reshape(filter, [-1]), tf.zeros([1])]);
    const phaseFilter = tf.reshape(tf.gather(flat, tf.tensor1d(table, 'int32')), [
      phases,
      phases,
      filters,
      stride * stride * channels,
    ]) as tf.Tensor4D;
    const pad = phases - 1;
    const padded =
      pad > 0
        ? tf.pad(dy, [
            [0, 0],
            [pad, pad],
            [pad, pad],
            [0, 0],
          ])
        : dy;
    const out = tf.conv2d(padded as tf.Tensor4D, phaseFilter, 1, 'valid'); // [B, Ho + K - 1, Wo + K - 1, s s C]
    const rows = outHeight + phases - 1;
    const cols = outWidth + phases - 1;
    const interleaved = tf.reshape(
      tf.transpose(tf.reshape(out, [batch, rows, cols, stride, stride, channels]), [0, 1, 3, 2, 4, 5]),
      [batch, rows * stride, cols * stride, channels],
    );
    const top = samePadding(height, kernelSize, stride).before;
    const left = samePadding(width, kernelSize, stride).before;
    return tf.slice(interleaved, [0, top, left, 0], [batch, height, width, channels]) as tf.Tensor4D;
  });
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
  const forward = (input: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D | undefined): tf.Tensor4D => {
    const linear = transposed
      ? conv2dInputGradient(input, w, [height * stride, width * stride], stride)
      : tf.conv2d(input, w, stride, 'same');
    const withBias = b ? tf.add(linear, b) : linear;
    return applyActivation(activation, withBias) as tf.Tensor4D;
  };
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
        ? tf.conv2d(g, w, stride, 'same')
        : conv2dInputGradient(g, w, [height, width], stride)
      : null;
    return { dx, dw, db: tf.sum(g, [0, 1, 2]) };
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
