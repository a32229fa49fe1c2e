import * as tf from '@tensorflow/tfjs-core';
import type { ArrayData } from './inputs';
import type { BatchSource, Labels } from './interfaces';

/** Index ranges [start, end) covering 0..size-1 in batches of `batchSize`. */
export function batchRanges(size: number, batchSize: number): Array<[number, number]> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batchSize must be a positive integer, got ${batchSize}.`);
  }
  const ranges: Array<[number, number]> = [];
  for (let start = 0; start < size; start += batchSize)
    ranges.push([start, Math.min(size, start + batchSize)]);
  return ranges;
}

/** Consecutive indices start..end-1. */
export function range(start: number, end: number): Int32Array {
  const out = new Int32Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}

/** The labels of examples `indices` of a source, as int32, or undefined when the source has none. */
export function batchLabels(source: BatchSource, indices: ArrayLike<number>): Int32Array | undefined {
  const labels = source.labels;
  if (!labels) return undefined;
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = labels[indices[i]];
  return out;
}

/**
 * The labels a model is conditioned on for examples `indices` of a source: undefined for models that do not use
 * labels (`usesLabels` absent or false); the batch's labels for conditional models, or a one-line error naming
 * `caller` when the source has none.
 */
export function conditioningLabels(
  model: { readonly usesLabels?: boolean; readonly className?: string },
  source: BatchSource,
  indices: ArrayLike<number>,
  caller: string,
): Int32Array | undefined {
  if (!model.usesLabels) return undefined;
  const labels = batchLabels(source, indices);
  if (!labels) {
    throw new Error(
      `${caller}: the ${model.className ?? 'model'} is conditioned on class labels, but the data has none ` +
        '(BatchSource.labels); pass labelled data, e.g. tensorSource(images, labels).',
    );
  }
  return labels;
}

/**
 * Labels repeated `times` over, as the rows of a batch tiled `times` over (`tf.tile(x, [times, ...])`): row
 * `t * batch + i` gets label i. Tensors are tiled (the caller disposes the result); arrays copied.
 */
export function repeatLabels(labels: Labels, times: number): Labels {
  if (labels instanceof tf.Tensor) return tf.tile(labels, [times]);
  const out = new Int32Array(labels.length * times);
  for (let t = 0; t < times; t++)
    for (let i = 0; i < labels.length; i++) out[t * labels.length + i] = labels[i];
  return out;
}

/**
 * A `BatchSource` over examples in memory: a tensor [examples, ...] the caller owns (read, never disposed), or
 * numbers in JavaScript memory, `{ values, shape: [examples, ...], labels?, scale? }` (typed or plain arrays, kept
 * there and converted to float32 one batch at a time, times `scale`). Labels: one integer per example. For any
 * input at all (iterables included) see `toBatchSource`.
 */
export function tensorSource(data: tf.Tensor | ArrayData, labels?: ArrayLike<number>): BatchSource {
  const caller = 'tensorSource';
  if (!(data instanceof tf.Tensor)) return arrayDataSource(data, labels ?? data.labels, caller);
  const tensor = data;
  if (tensor.rank < 2) {
    throw new Error(`${caller}: expected shape [examples, ...], got [${tensor.shape}]. Add a batch axis.`);
  }
  const [size, ...itemShape] = tensor.shape;
  if (labels !== undefined && labels.length !== size) {
    throw new Error(`${caller}: ${labels.length} labels for ${size} examples; pass one label per example.`);
  }
  return {
    size,
    itemShape,
    labels,
    batch: (indices) => tf.tidy(() => tf.gather(tensor, tf.tensor1d(Array.from(indices), 'int32'))),
  };
}

function arrayDataSource(data: ArrayData, labels: ArrayLike<number> | undefined, name: string): BatchSource {
  const [size, ...itemShape] = data.shape;
  if (data.shape.length < 2 || !data.shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(
      `${name}: shape must be [examples, ...item shape] of positive integers, got [${data.shape}]. Add a batch axis.`,
    );
  }
  const itemSize = itemShape.reduce((a, b) => a * b, 1);
  if (data.values.length !== size * itemSize) {
    throw new Error(
      `${name}: ${data.values.length} values do not fill shape [${data.shape}] (${size * itemSize}); check the shape.`,
    );
  }
  if (labels !== undefined && labels.length !== size) {
    throw new Error(`${name}: ${labels.length} labels for ${size} examples; pass one label per example.`);
  }
  const scale = data.scale ?? 1;
  const values = data.values;
  return {
    size,
    itemShape,
    labels,
    batch(indices) {
      const out = new Float32Array(indices.length * itemSize);
      for (let b = 0; b < indices.length; b++) {
        const index = indices[b];
        if (!(Number.isInteger(index) && index >= 0 && index < size)) {
          throw new Error(`${name}: index ${index} is out of range [0, ${size}).`);
        }
        const source = index * itemSize;
        const target = b * itemSize;
        if (scale === 1 && values instanceof Float32Array) {
          out.set(values.subarray(source, source + itemSize), target);
        } else {
          for (let i = 0; i < itemSize; i++) out[target + i] = values[source + i] * scale;
        }
      }
      return tf.tensor(out, [indices.length, ...itemShape], 'float32');
    },
  };
}

/**
 * Sums per-example values over a whole source in batches and returns their means. `fn` gets each batch, its index
 * and the indices of its examples (for `batchLabels`), and returns named [batch] tensors; they are disposed here. Returns plain numbers (nats per example for loss terms).
 */
export async function meanOverBatches<K extends string>(
  source: BatchSource,
  batchSize: number,
  fn: (x: tf.Tensor, batchIndex: number, indices: Int32Array) => Record<K, tf.Tensor1D>,
): Promise<Record<K, number>> {
  if (source.size < 1) throw new Error('meanOverBatches: the data source is empty.');
  const sums = {} as Record<K, number>;
  let batchIndex = 0;
  for (const [start, end] of batchRanges(source.size, batchSize)) {
    const totals = tf.tidy(() => {
      const indices = range(start, end);
      const x = source.batch(indices);
      const terms = fn(x, batchIndex, indices);
      const out = {} as Record<K, tf.Scalar>;
      for (const key of Object.keys(terms) as K[]) out[key] = tf.sum(terms[key]);
      return out;
    });
    for (const key of Object.keys(totals) as K[]) {
      const value = (await totals[key].data())[0];
      totals[key].dispose();
      sums[key] = (sums[key] ?? 0) + value;
    }
    batchIndex += 1;
  }
  for (const key of Object.keys(sums) as K[]) sums[key] /= source.size;
  return sums;
}
