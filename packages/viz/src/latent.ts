/**
 * Pictures of a decoder's latent space: the 2-D manifold over the prior's quantiles (Kingma and Welling 2014,
 * figure 4), interpolation strips (linear and spherical) and traversal grids (one row per latent dimension). Each
 * takes a plain decode function, so any model fits: `(z) => tf.sigmoid(model.decode(z))`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type InterpolateOptions as CoreInterpolateOptions, interpolateLatent } from '@vae/core';
import { type Image, type ImageBatch, imageGrid } from './image';
import { tensorToImageBatch } from './tensor';

/**
 * Maps a batch of latent codes `[n, latentSize]` to images with pixel values in [0, 1], of shape
 * `[n, height, width]`, `[n, height, width, channels]` or flat `[n, height * width * channels]` (channels last).
 * It must be synchronous and return a new tensor; intermediate tensors are freed (it runs inside `tf.tidy`).
 */
export type DecodeFunction = (z: tf.Tensor2D) => tf.Tensor;

/** A latent code: a tensor of shape `[latentSize]` or `[1, latentSize]`, or plain numbers. */
export type LatentCode = tf.Tensor | ArrayLike<number>;

/** How decoded images are read and laid out; shared by every latent figure. */
export interface DecodeOptions {
  /**
   * Image height and width, needed only when `decode` returns flat `[n, k]` tensors whose images are not square.
   * Square images are inferred: `k = s * s` is grey s x s, `k = 3 * s * s` is RGB s x s.
   */
  height?: number;
  width?: number;
  /** Channels of flat outputs: 1 (grey) or 3 (RGB, channels last). Inferred for square images. */
  channels?: 1 | 3;
  /** Codes decoded per call of `decode`. Default 256. */
  batchSize?: number;
  /** Grey level of the padding in [0, 1]. Default 1 (white). */
  background?: number;
  /** Integer size of the label font's pixels. Default 1. */
  labelScale?: number;
  /** Enlarges the figure (see `ImageGridOptions.scale`): an integer, or `'auto'` for tiles of about 64 pixels. Default 1. */
  scale?: number | 'auto';
}

export interface LatentManifoldOptions extends DecodeOptions {
  /** Grid points per axis. Default 20 (400 decoded images). */
  steps?: number;
  /**
   * The range of prior probabilities the grid spans, linearly spaced and mapped through the standard normal's
   * inverse CDF. Default [0.05, 0.95], i.e. z from -1.645 to 1.645.
   */
  quantileRange?: [number, number];
  /** Size of the codes `decode` takes. Default 2; larger sizes vary `dimensions` and hold the rest at `base`. */
  latentSize?: number;
  /** The two latent dimensions drawn across (columns) and up (rows). Default [0, 1]. */
  dimensions?: [number, number];
  /** Values of the other latent dimensions (length `latentSize`). Default all 0, the prior's mean. */
  base?: LatentCode;
  /** Pixels between tiles. Default 0, a seamless manifold as in the paper. */
  padding?: number;
  /** Draw the z values of the columns above and of the rows on the left. Default false. */
  labels?: boolean;
}

/**
 * The options of `interpolateLatent` in `@vae/core` (`spherical`), which this package uses: under a Gaussian
 * prior, straight lines pass through the improbable region near the origin; slerp keeps norms typical (White 2016).
 */
export type InterpolateOptions = CoreInterpolateOptions;

export interface InterpolationStripOptions extends DecodeOptions, InterpolateOptions {
  /** Images in the strip, endpoints included. Default 10. */
  steps?: number;
  /** Pixels between tiles. Default 2. */
  padding?: number;
  /** Draw the interpolation parameter t (0 to 1) above each tile. Default false. */
  labels?: boolean;
}

export interface TraversalGridOptions extends DecodeOptions {
  /** Values each dimension takes, linearly spaced. Default [-3, 3]. */
  range?: [number, number];
  /** Values per dimension (columns). Default 9. */
  steps?: number;
  /** Dimensions to traverse, one row each, top to bottom. Default all of them. */
  dimensions?: readonly number[];
  /** Add the values to the base code's value of the dimension instead of replacing it. Default false. */
  relative?: boolean;
  /** Pixels between tiles. Default 2. */
  padding?: number;
  /** Draw the dimension (`z3`) left of each row and the values above the columns. Default true. */
  labels?: boolean;
}

// Coefficients of Wichura's algorithm AS 241 (PPND16), accurate to about 1e-16.
const CENTRAL_NUMERATOR = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const CENTRAL_DENOMINATOR = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852546,
];
const INTERMEDIATE_NUMERATOR = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
];
const INTERMEDIATE_DENOMINATOR = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457,
  0.0005475938084995345, 1.0507500716444169e-9,
];
const TAIL_NUMERATOR = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124,
  0.0012426609473880784, 2.7115555687434876e-5, 2.0103343992922881e-7,
];
const TAIL_DENOMINATOR = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  1.8463183175100548e-5, 1.421511758316446e-7, 2.0442631033899397e-15,
];

/** Evaluates the polynomial with coefficients `c` (constant first) at x. */
function polynomial(c: readonly number[], x: number): number {
  let value = 0;
  for (let i = c.length - 1; i >= 0; i--) value = value * x + c[i];
  return value;
}

/**
 * The standard normal's inverse CDF (quantile function): the z with P(Z <= z) = p. Wichura's AS 241, accurate to
 * about 1e-16; p = 0 and 1 give -Infinity and Infinity.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) {
    throw new Error(`normalQuantile: p must be a probability in [0, 1], got ${p}.`);
  }
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(CENTRAL_NUMERATOR, r)) / polynomial(CENTRAL_DENOMINATOR, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = polynomial(INTERMEDIATE_NUMERATOR, r) / polynomial(INTERMEDIATE_DENOMINATOR, r);
  } else {
    r -= 5;
    value = polynomial(TAIL_NUMERATOR, r) / polynomial(TAIL_DENOMINATOR, r);
  }
  return q < 0 ? -value : value;
}

/**
 * `steps` latent values spread evenly in probability under N(0, 1): the quantiles at probabilities linearly
 * spaced over `range` (both ends included; one step gives the middle). The axis of {@link latentManifold}.
 */
export function priorQuantiles(steps: number, range: [number, number] = [0.05, 0.95]): number[] {
  const where = 'priorQuantiles';
  checkPositiveInteger(where, 'steps', steps);
  checkQuantileRange(where, range);
  const [low, high] = range;
  if (steps === 1) return [normalQuantile((low + high) / 2)];
  // Weighted ends rather than low + k * step, so that the grid is symmetric (0.5 maps to exactly 0).
  return Array.from({ length: steps }, (_, k) =>
    normalQuantile((low * (steps - 1 - k) + high * k) / (steps - 1)),
  );
}

function checkQuantileRange(where: string, range: unknown): void {
  const valid =
    Array.isArray(range) && range.length === 2 && range[0] > 0 && range[1] < 1 && range[0] < range[1];
  if (!valid) {
    throw new Error(
      `${where}: quantileRange must be [low, high] with 0 < low < high < 1, got ${JSON.stringify(range)}; ` +
        'the default [0.05, 0.95] spans z from -1.645 to 1.645.',
    );
  }
}

function checkPositiveInteger(where: string, label: string, value: unknown): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new Error(`${where}: ${label} must be a positive integer, got ${value}.`);
  }
}

function checkDecode(where: string, decode: unknown): asserts decode is DecodeFunction {
  if (typeof decode !== 'function') {
    throw new Error(
      `${where}: decode must be a function from codes [n, latentSize] to images in [0, 1], ` +
        'e.g. (z) => tf.sigmoid(model.decode(z)).',
    );
  }
}

function isTensor(value: unknown): value is tf.Tensor {
  return value instanceof tf.Tensor;
}

/** Reads a latent code (tensor or numbers) as float32 values, checking its size and values. */
async function readCode(
  where: string,
  label: string,
  code: LatentCode,
  size?: number,
): Promise<Float32Array> {
  let values: Float32Array;
  if (isTensor(code)) {
    if (code.isDisposed) throw new Error(`${where}: ${label} is a disposed tensor.`);
    if (code.rank > 2 || (code.rank === 2 && code.shape[0] !== 1)) {
      throw new Error(
        `${where}: ${label} must have shape [latentSize] or [1, latentSize], got [${code.shape}].`,
      );
    }
    values = Float32Array.from(await code.data());
  } else if (code !== null && typeof code === 'object' && typeof code.length === 'number') {
    values = Float32Array.from(code);
  } else {
    throw new Error(`${where}: ${label} must be a tensor or an array of numbers, got ${code}.`);
  }
  if (values.length === 0) throw new Error(`${where}: ${label} is empty.`);
  if (!values.every(Number.isFinite)) throw new Error(`${where}: ${label} holds non-finite values.`);
  if (size !== undefined && values.length !== size) {
    throw new Error(`${where}: ${label} has ${values.length} values but the latent size is ${size}.`);
  }
  return values;
}

/** The side of a square image with `values` pixels per channel, or undefined. */
function squareSide(values: number): number | undefined {
  const side = Math.round(Math.sqrt(values));
  return side > 0 && side * side === values ? side : undefined;
}

/**
 * Decodes `count` codes (row-major in `codes`) in batches and collects the images as one float batch. Every
 * tensor it or `decode` creates is disposed before it returns.
 */
export async function decodeCodes(
  where: string,
  decode: DecodeFunction,
  codes: Float32Array,
  latentSize: number,
  options: DecodeOptions = {},
): Promise<ImageBatch> {
  checkDecode(where, decode);
  const count = codes.length / latentSize;
  const batchSize = options.batchSize ?? 256;
  checkPositiveInteger(where, 'batchSize', batchSize);
  let result: ImageBatch | undefined;
  let values: Float32Array | undefined;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const z = tf.tensor2d(codes.subarray(start * latentSize, (start + size) * latentSize), [
      size,
      latentSize,
    ]);
    let images: tf.Tensor | undefined;
    try {
      images = tf.tidy(() => decode(z));
      if (!isTensor(images)) {
        throw new Error(`${where}: decode must return a tf.Tensor of images, got ${images}.`);
      }
      let { height, width, channels } = options;
      if (images.rank === 2 && (height === undefined || width === undefined)) {
        const perImage = images.shape[1] as number;
        const grey = squareSide(perImage);
        const rgb = perImage % 3 === 0 ? squareSide(perImage / 3) : undefined;
        const side = channels === 3 ? rgb : channels === 1 ? grey : (grey ?? rgb);
        if (side === undefined) {
          throw new Error(
            `${where}: decode returned flat images of ${perImage} values, which are not square; ` +
              'pass { height, width } (and channels: 3 for RGB).',
          );
        }
        height = side;
        width = side;
        channels ??= grey === side ? 1 : 3;
      }
      const batch = await tensorToImageBatch(images, { height, width, channels });
      if (batch.count !== size) {
        throw new Error(
          `${where}: decode returned ${batch.count} images for ${size} codes; it must decode each code.`,
        );
      }
      if (result === undefined) {
        const perImage = batch.height * batch.width * (batch.channels ?? 1);
        values = new Float32Array(count * perImage);
        result = { values, count, height: batch.height, width: batch.width, channels: batch.channels };
      } else if (
        batch.height !== result.height ||
        batch.width !== result.width ||
        batch.channels !== result.channels
      ) {
        throw new Error(`${where}: decode returned images of different sizes for different batches.`);
      }
      const perImage = batch.values.length / size;
      values!.set(batch.values, start * perImage);
    } finally {
      z.dispose();
      images?.dispose();
    }
  }
  return result!;
}

/**
 * Labels for a set of axis values, all with the same number of decimals: the fewest (0 to 2) that show every
 * value exactly, else 2. Negative zero is shown as 0.
 */
export function axisLabels(values: readonly number[]): string[] {
  const exact = (decimals: number) =>
    values.every(
      (value) => Math.abs(Number(value.toFixed(decimals)) - value) <= 1e-9 * Math.max(1, Math.abs(value)),
    );
  const decimals = [0, 1, 2].find(exact) ?? 2;
  return values.map((value) => {
    const text = value.toFixed(decimals);
    return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
  });
}

/**
 * Decodes a grid of latent points spread evenly in probability under the prior, as in figure 4 of Kingma and
 * Welling (2014): probabilities linearly spaced over `quantileRange` on both axes, mapped through the standard
 * normal's inverse CDF. Columns vary `dimensions[0]` left (low) to right (high); rows vary `dimensions[1]` top
 * (high) to bottom (low), like a plot's axes. Other dimensions stay at `base` (default 0). Returns the tiles as one
 * image, row-major: tile (row r, column c) decodes z[d0] = q[c], z[d1] = q[steps - 1 - r] with
 * `q = priorQuantiles(steps, quantileRange)`.
 */
export async function latentManifold(
  decode: DecodeFunction,
  options: LatentManifoldOptions = {},
): Promise<Image> {
  const where = 'latentManifold';
  checkDecode(where, decode);
  const steps = options.steps ?? 20;
  checkPositiveInteger(where, 'steps', steps);
  const quantileRange = options.quantileRange ?? [0.05, 0.95];
  checkQuantileRange(where, quantileRange);
  const base = options.base === undefined ? undefined : await readCode(where, 'base', options.base);
  const latentSize = options.latentSize ?? base?.length ?? 2;
  checkPositiveInteger(where, 'latentSize', latentSize);
  if (latentSize < 2) throw new Error(`${where}: the manifold needs a latent size of at least 2.`);
  if (base !== undefined && base.length !== latentSize) {
    throw new Error(`${where}: base has ${base.length} values but latentSize is ${latentSize}.`);
  }
  const dimensions = options.dimensions ?? [0, 1];
  const [across, up] = dimensions;
  const valid =
    Array.isArray(dimensions) &&
    dimensions.length === 2 &&
    dimensions.every((d) => Number.isInteger(d) && d >= 0 && d < latentSize) &&
    across !== up;
  if (!valid) {
    throw new Error(
      `${where}: dimensions must be two different integers in [0, ${latentSize - 1}], got ` +
        `${JSON.stringify(dimensions)}; for codes larger than 2 pass latentSize as well.`,
    );
  }
  const quantiles = priorQuantiles(steps, quantileRange);
  const codes = new Float32Array(steps * steps * latentSize);
  for (let row = 0; row < steps; row++) {
    for (let column = 0; column < steps; column++) {
      const offset = (row * steps + column) * latentSize;
      if (base !== undefined) codes.set(base, offset);
      codes[offset + across] = quantiles[column];
      codes[offset + up] = quantiles[steps - 1 - row];
    }
  }
  const batch = await decodeCodes(where, decode, codes, latentSize, options);
  const labels = options.labels ? axisLabels(quantiles) : undefined;
  return imageGrid(batch, {
    columns: steps,
    padding: options.padding ?? 0,
    background: options.background,
    labelScale: options.labelScale,
    scale: options.scale,
    columnLabels: labels,
    rowLabels: labels?.slice().reverse(),
  });
}

/** A code as a float32 `[1, size]` tensor (inside a tidy). */
function codeRow(where: string, label: string, code: LatentCode): tf.Tensor2D {
  if (isTensor(code)) {
    if (code.isDisposed) throw new Error(`${where}: ${label} is a disposed tensor.`);
    if (code.rank > 2 || (code.rank === 2 && code.shape[0] !== 1)) {
      throw new Error(
        `${where}: ${label} must have shape [latentSize] or [1, latentSize], got [${code.shape}].`,
      );
    }
    return tf.cast(tf.reshape(code, [1, -1]), 'float32') as tf.Tensor2D;
  }
  if (code === null || typeof code !== 'object' || typeof code.length !== 'number') {
    throw new Error(`${where}: ${label} must be a tensor or an array of numbers, got ${code}.`);
  }
  const values = Float32Array.from(code);
  if (!values.every(Number.isFinite)) throw new Error(`${where}: ${label} holds non-finite values.`);
  return tf.tensor2d(values, [1, values.length]);
}

/**
 * Codes along the path from `a` to `b`: `steps` points at t = 0, 1 / (steps - 1), ..., 1, endpoints included.
 * Linear: `(1 - t) a + t b`. Spherical: `interpolateLatent` of `@vae/core` (the toolkit's one slerp), whose point at
 * t lies on the great circle through the codes at angle `t Ω` from `a` (Ω the angle between them), with the norm
 * interpolated linearly, `(1 - t) |a| + t |b|`; it falls back to linear when the codes are (anti)parallel or one is
 * zero, where the great circle is undefined. Returns a new float32 tensor `[steps, latentSize]` for the caller to
 * dispose.
 *
 * @deprecated Use `interpolateLatent` of `@vae/core`, the one name for this path: with two codes of shape [latent]
 * (`tf.tensor1d(a)`) it returns the same [steps, latent] tensor. Kept for one minor version.
 */
export function interpolateLatents(
  a: LatentCode,
  b: LatentCode,
  steps: number,
  options: InterpolateOptions = {},
): tf.Tensor2D {
  const where = 'interpolateLatents';
  if (!Number.isInteger(steps) || steps < 2) {
    throw new Error(`${where}: steps must be an integer >= 2 (the endpoints included), got ${steps}.`);
  }
  return tf.tidy(() => {
    const start = codeRow(where, 'a', a);
    const end = codeRow(where, 'b', b);
    if (start.shape[1] !== end.shape[1]) {
      throw new Error(`${where}: a has ${start.shape[1]} values but b has ${end.shape[1]}; they must match.`);
    }
    if (start.shape[1] === 0) throw new Error(`${where}: the codes are empty.`);
    const path = interpolateLatent(start, end, steps, { spherical: options.spherical });
    return tf.reshape(path, [steps, start.shape[1]]) as tf.Tensor2D;
  });
}

/**
 * Decodes the path between two codes (see {@link interpolateLatents}) into one row of images, `a`'s decoding
 * on the left, `b`'s on the right.
 */
export async function interpolationStrip(
  decode: DecodeFunction,
  a: LatentCode,
  b: LatentCode,
  options: InterpolationStripOptions = {},
): Promise<Image> {
  const where = 'interpolationStrip';
  checkDecode(where, decode);
  const steps = options.steps ?? 10;
  const path = interpolateLatents(a, b, steps, { spherical: options.spherical });
  let codes: Float32Array;
  try {
    codes = (await path.data()) as Float32Array;
  } finally {
    path.dispose();
  }
  const latentSize = codes.length / steps;
  const batch = await decodeCodes(where, decode, codes, latentSize, options);
  return imageGrid(batch, {
    columns: steps,
    padding: options.padding ?? 2,
    background: options.background,
    labelScale: options.labelScale,
    scale: options.scale,
    columnLabels: options.labels
      ? axisLabels(Array.from({ length: steps }, (_, k) => k / (steps - 1)))
      : undefined,
  });
}

/**
 * Decodes traversals of a base code: one row per latent dimension (top to bottom in `dimensions` order), in which
 * that dimension takes `steps` values spread linearly over `range` (default -3 to 3, left to right) while the
 * others keep the base code's values. Shows what each dimension controls, as in beta-VAE papers.
 */
export async function traversalGrid(
  decode: DecodeFunction,
  base: LatentCode,
  options: TraversalGridOptions = {},
): Promise<Image> {
  const where = 'traversalGrid';
  checkDecode(where, decode);
  const z = await readCode(where, 'the base code', base);
  const latentSize = z.length;
  const steps = options.steps ?? 9;
  checkPositiveInteger(where, 'steps', steps);
  const range = options.range ?? [-3, 3];
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || range[0] > range[1]) {
    throw new Error(
      `${where}: range must be [low, high] with finite low <= high, got ${JSON.stringify(range)}.`,
    );
  }
  const dimensions = options.dimensions ?? Array.from({ length: latentSize }, (_, d) => d);
  if (!Array.isArray(dimensions) || dimensions.length === 0) {
    throw new Error(`${where}: dimensions must be a non-empty array of latent dimensions.`);
  }
  for (const d of dimensions) {
    if (!Number.isInteger(d) || d < 0 || d >= latentSize) {
      throw new Error(`${where}: dimension ${d} is not in [0, ${latentSize - 1}] (the base code's size).`);
    }
  }
  const [low, high] = range;
  const values = Array.from({ length: steps }, (_, k) =>
    steps === 1 ? (low + high) / 2 : (low * (steps - 1 - k) + high * k) / (steps - 1),
  );
  const codes = new Float32Array(dimensions.length * steps * latentSize);
  dimensions.forEach((d, row) => {
    for (let column = 0; column < steps; column++) {
      const offset = (row * steps + column) * latentSize;
      codes.set(z, offset);
      codes[offset + d] = options.relative ? z[d] + values[column] : values[column];
    }
  });
  const batch = await decodeCodes(where, decode, codes, latentSize, options);
  const labels = options.labels ?? true;
  return imageGrid(batch, {
    columns: steps,
    padding: options.padding ?? 2,
    background: options.background,
    labelScale: options.labelScale,
    scale: options.scale,
    rowLabels: labels ? dimensions.map((d) => `z${d}`) : undefined,
    columnLabels: labels
      ? axisLabels(values).map((label, k) => (options.relative && values[k] > 0 ? `+${label}` : label))
      : undefined,
  });
}
