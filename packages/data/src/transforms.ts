/**
 * Batching and transformations that wrap any `BatchSource`: seeded per-epoch shuffling, train/validation splits,
 * static and dynamic binarization, and corruption for denoising autoencoders. Every wrapper is itself a source, so
 * they compose (`corrupt(binarize(splitSource(mnist).train, ...), ...)`), and each carries the labels, class names
 * and ground-truth factors of what it wraps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, Random } from '@vae/core';

/** A `BatchSource` that may also know names, class names and ground-truth factors. */
export interface DataSource extends BatchSource {
  /** A name for messages, e.g. 'mnist/train'. */
  readonly name?: string;
  /** Class names, indexed by label. */
  readonly classNames?: readonly string[];
  /** Number of values of each ground-truth factor (data sets with known factors of variation). */
  readonly factorSizes?: readonly number[];
  /** Names of the ground-truth factors. */
  readonly factorNames?: readonly string[];
  /** The factor indices of each of the given examples. */
  factorsOf?(indices: ArrayLike<number>): Int32Array[];
}

function nameOf(source: BatchSource): string {
  return (source as DataSource).name ?? 'data';
}

function checkIndices(source: BatchSource, indices: ArrayLike<number>, what = nameOf(source)): void {
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!(Number.isInteger(index) && index >= 0 && index < source.size)) {
      throw new Error(`${what}: index ${index} is out of range [0, ${source.size}).`);
    }
  }
}

/**
 * A source that passes `source`'s metadata through (labels read lazily: some sources build them on demand), with
 * `fields` (getters included) on top.
 */
function wrap<T extends object>(source: DataSource, name: string, fields: T): DataSource & T {
  const out = {
    name,
    size: source.size,
    itemShape: source.itemShape,
    classNames: source.classNames,
    factorSizes: source.factorSizes,
    factorNames: source.factorNames,
    factorsOf: source.factorsOf ? (indices: ArrayLike<number>) => source.factorsOf!(indices) : undefined,
  };
  Object.defineProperty(out, 'labels', { get: () => source.labels, enumerable: true, configurable: true });
  return Object.defineProperties(out, Object.getOwnPropertyDescriptors(fields)) as unknown as DataSource & T;
}

function gather(values: ArrayLike<number>, indices: ArrayLike<number>): ArrayLike<number> {
  const Typed = ArrayBuffer.isView(values)
    ? (values.constructor as new (
        n: number,
      ) => { [i: number]: number; length: number })
    : Int32Array;
  const out = new Typed(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]];
  return out;
}

/** The examples of `source` at `indices`, in that order, as a source of its own (no copy of the data). */
export function subset(source: DataSource, indices: ArrayLike<number>, name?: string): DataSource {
  checkIndices(source, indices);
  const map = Int32Array.from(indices);
  const mapped = (wanted: ArrayLike<number>) => {
    const out = new Int32Array(wanted.length);
    for (let i = 0; i < wanted.length; i++) {
      const index = wanted[i];
      if (!(Number.isInteger(index) && index >= 0 && index < map.length)) {
        throw new Error(`${name ?? nameOf(source)}: index ${index} is out of range [0, ${map.length}).`);
      }
      out[i] = map[index];
    }
    return out;
  };
  let labels: ArrayLike<number> | undefined;
  return wrap(source, name ?? `${nameOf(source)}[${map.length}]`, {
    size: map.length,
    get labels() {
      if (labels === undefined) {
        const all = source.labels;
        if (all !== undefined) labels = gather(all, map);
      }
      return labels;
    },
    batch: (wanted: ArrayLike<number>) => source.batch(mapped(wanted)),
    factorsOf: source.factorsOf
      ? (wanted: ArrayLike<number>) => source.factorsOf!(mapped(wanted))
      : undefined,
  });
}

/** Options of `splitSource`. */
export interface SplitOptions {
  /** The validation part: a fraction in (0, 1) of the examples, or a number of examples. Default 0.1. */
  validation?: number;
  /** Seed of the random assignment. Default 0. */
  seed?: number;
}

/**
 * A seeded random train/validation split. Both parts keep the original order of their examples; the same seed
 * always gives the same split.
 */
export function splitSource(
  source: DataSource,
  options: SplitOptions = {},
): { train: DataSource; validation: DataSource } {
  const fraction = options.validation ?? 0.1;
  const count = fraction > 0 && fraction < 1 ? Math.round(fraction * source.size) : fraction;
  if (!Number.isInteger(count) || count < 1 || count >= source.size) {
    throw new Error(
      `${nameOf(source)}: validation must be a fraction in (0, 1) or a number of examples in [1, ${source.size}), ` +
        `got ${fraction}.`,
    );
  }
  const permutation = new Random(options.seed ?? 0).permutation(source.size);
  const validation = permutation.slice(0, count).sort();
  const train = permutation.slice(count).sort();
  return {
    train: subset(source, train, `${nameOf(source)}/train`),
    validation: subset(source, validation, `${nameOf(source)}/validation`),
  };
}

function epochSeed(seed: number, epoch: number): number {
  return (Math.trunc(seed) ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0;
}

/** Options of `epochBatches` and `iterateBatches`. */
export interface EpochOptions {
  batchSize: number;
  /** Seed of the shuffling; each epoch gets its own permutation from (seed, epoch). Default 0. */
  seed?: number;
  /** Epoch number (0, 1, ...). Default 0. */
  epoch?: number;
  /** Shuffle (default true) or keep the source's order. */
  shuffle?: boolean;
  /** Leave out a last batch smaller than batchSize. Default false. */
  dropLast?: boolean;
}

/** The index batches of one epoch: a permutation drawn from (seed, epoch), cut into batches. */
export function epochBatches(size: number, options: EpochOptions): Int32Array[] {
  const { batchSize, seed = 0, epoch = 0, shuffle = true, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batchSize must be a positive integer, got ${batchSize}.`);
  }
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`epoch must be an integer >= 0, got ${epoch}.`);
  let order: Int32Array;
  if (shuffle) {
    order = new Random(epochSeed(seed, epoch)).permutation(size);
  } else {
    order = new Int32Array(size);
    for (let i = 0; i < size; i++) order[i] = i;
  }
  const batches: Int32Array[] = [];
  for (let start = 0; start < size; start += batchSize) {
    const end = Math.min(size, start + batchSize);
    if (dropLast && end - start < batchSize) break;
    batches.push(order.subarray(start, end));
  }
  return batches;
}

/** One batch of an epoch. The caller disposes `x`. */
export interface Batch {
  indices: Int32Array;
  x: tf.Tensor;
  labels?: Int32Array;
}

/** Yields the batches of one epoch (see `epochBatches`) with their inputs and labels. */
export function* iterateBatches(source: BatchSource, options: EpochOptions): Generator<Batch> {
  for (const indices of epochBatches(source.size, options)) {
    const labels = source.labels;
    yield {
      indices,
      x: source.batch(indices),
      labels: labels === undefined ? undefined : (gather(labels, indices) as Int32Array),
    };
  }
}

/** Options of `binarize`. */
export type BinarizeOptions =
  /** Static: a pixel is 1 when its value exceeds `threshold` (default 0.5), the same every time. */
  | { mode: 'static'; threshold?: number }
  /** Dynamic: each pixel is a fresh Bernoulli sample with its value as probability, at every batch. */
  | { mode: 'dynamic'; seed?: number };

/**
 * Binarized inputs (values in [0, 1] to 0/1). Dynamic binarization draws new samples at each call of `batch`
 * from a seeded stream, so a run that asks for the same batches in the same order sees the same samples.
 */
export function binarize(source: DataSource, options: BinarizeOptions): DataSource {
  const name = `${nameOf(source)}/binarized`;
  if (options.mode === 'static') {
    const threshold = options.threshold ?? 0.5;
    if (!Number.isFinite(threshold))
      throw new Error(`${name}: threshold must be a number, got ${threshold}.`);
    return wrap(source, name, {
      batch: (indices: ArrayLike<number>) =>
        tf.tidy(() => tf.cast(tf.greater(source.batch(indices), tf.scalar(threshold)), 'float32')),
    });
  }
  if (options.mode !== 'dynamic') {
    throw new Error(
      `${name}: mode must be 'static' or 'dynamic', got '${(options as { mode: string }).mode}'.`,
    );
  }
  const random = new Random(options.seed ?? 0);
  return wrap(source, name, {
    batch: (indices: ArrayLike<number>) =>
      tf.tidy(() => {
        const x = source.batch(indices);
        const u = tf.randomUniform(x.shape, 0, 1, 'float32', random.nextSeed());
        return tf.cast(tf.less(u, x), 'float32');
      }),
  });
}

/** A corruption of the inputs, for denoising autoencoders. */
export type Corruption =
  /** Each value is set to 0 with probability `probability` (masking noise). */
  | { kind: 'mask'; probability: number }
  /** Gaussian noise of standard deviation `sigma` is added; `clip` bounds the result (e.g. [0, 1]). */
  | { kind: 'gaussian'; sigma: number; clip?: readonly [number, number] }
  /** Each value is set to `pepper` (default 0) or `salt` (default 1), each with probability `probability / 2`. */
  | { kind: 'salt-and-pepper'; probability: number; salt?: number; pepper?: number };

/** A corrupted source: `batch` gives corrupted inputs; `batchPair` gives them with the clean targets. */
export interface CorruptedSource extends DataSource {
  /** The uncorrupted source. */
  readonly clean: DataSource;
  /** Corrupted inputs and the clean targets of the same examples. The caller disposes both. */
  batchPair(indices: ArrayLike<number>): { input: tf.Tensor; target: tf.Tensor };
}

function corruptTensor(x: tf.Tensor, corruption: Corruption, seed: number): tf.Tensor {
  return tf.tidy(() => {
    if (corruption.kind === 'mask') {
      const u = tf.randomUniform(x.shape, 0, 1, 'float32', seed);
      return tf.mul(x, tf.cast(tf.greaterEqual(u, tf.scalar(corruption.probability)), 'float32'));
    }
    if (corruption.kind === 'gaussian') {
      const noisy = tf.add(x, tf.randomNormal(x.shape, 0, corruption.sigma, 'float32', seed));
      return corruption.clip ? tf.clipByValue(noisy, corruption.clip[0], corruption.clip[1]) : noisy;
    }
    const u = tf.randomUniform(x.shape, 0, 1, 'float32', seed);
    const half = corruption.probability / 2;
    const pepper = tf.cast(tf.less(u, tf.scalar(half)), 'float32');
    const salt = tf.cast(
      tf.logicalAnd(tf.greaterEqual(u, tf.scalar(half)), tf.less(u, tf.scalar(corruption.probability))),
      'float32',
    );
    const keep = tf.sub(tf.sub(tf.scalar(1), pepper), salt);
    return tf.addN([
      tf.mul(x, keep),
      tf.mul(salt, corruption.salt ?? 1),
      tf.mul(pepper, corruption.pepper ?? 0),
    ]);
  });
}

/**
 * Corrupted inputs for denoising: masking noise, additive Gaussian noise or salt-and-pepper noise, drawn afresh
 * at each call from a seeded stream (option `seed`, default 0).
 */
export function corrupt(source: DataSource, corruption: Corruption & { seed?: number }): CorruptedSource {
  const name = `${nameOf(source)}/${corruption.kind}`;
  const probability = (corruption as { probability?: number }).probability;
  if (corruption.kind === 'mask' || corruption.kind === 'salt-and-pepper') {
    if (!(probability !== undefined && probability >= 0 && probability <= 1)) {
      throw new Error(`${name}: probability must be in [0, 1], got ${probability}.`);
    }
    if (corruption.kind === 'salt-and-pepper') {
      for (const key of ['salt', 'pepper'] as const) {
        const value = corruption[key];
        // any finite value: standardized tabular data has its own extremes, pixels are in [0, 1]
        if (value !== undefined && !Number.isFinite(value)) {
          throw new Error(
            `${name}: ${key} must be a finite number (the value written, e.g. ${key === 'salt' ? 1 : 0} for ` +
              `pixels), got ${value}; leave it out for the default (${key === 'salt' ? 1 : 0}).`,
          );
        }
      }
    }
  } else if (corruption.kind === 'gaussian') {
    if (!(corruption.sigma >= 0 && corruption.sigma < Infinity)) {
      throw new Error(`${name}: sigma must be a finite number >= 0, got ${corruption.sigma}.`);
    }
    const clip = corruption.clip;
    if (
      clip !== undefined &&
      !(clip.length === 2 && Number.isFinite(clip[0]) && Number.isFinite(clip[1]) && clip[0] <= clip[1])
    ) {
      throw new Error(
        `${name}: clip must be [min, max] with finite min <= max (e.g. [0, 1]), got [${Array.from(clip).join(', ')}].`,
      );
    }
  } else {
    throw new Error(`${name}: unknown corruption; use kind 'mask', 'gaussian' or 'salt-and-pepper'.`);
  }
  const random = new Random(corruption.seed ?? 0);
  return wrap(source, name, {
    clean: source,
    batch: (indices: ArrayLike<number>) =>
      tf.tidy(() => corruptTensor(source.batch(indices), corruption, random.nextSeed())),
    batchPair: (indices: ArrayLike<number>) => {
      const target = source.batch(indices);
      try {
        return { input: corruptTensor(target, corruption, random.nextSeed()), target };
      } catch (error) {
        target.dispose();
        throw error;
      }
    },
  });
}
