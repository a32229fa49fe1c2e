import * as tf from '@tensorflow/tfjs-core';
import type { BatchSource } from './interfaces';

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

/**
 * A `BatchSource` over a float32 tensor (or typed array with a shape) the caller owns. Rows are examples.
 */
export function tensorSource(
  data: tf.Tensor | { values: Float32Array; shape: readonly number[] },
  labels?: ArrayLike<number>,
): BatchSource {
  const tensor = data instanceof tf.Tensor ? data : tf.tensor(data.values, [...data.shape], 'float32');
  if (tensor.rank < 2) {
    throw new Error(`tensorSource: expected shape [examples, ...], got [${tensor.shape}]. Add a batch axis.`);
  }
  const [size, ...itemShape] = tensor.shape;
  if (labels !== undefined && labels.length !== size) {
    throw new Error(
      `tensorSource: ${labels.length} labels for ${size} examples; pass one label per example.`,
    );
  }
  return {
    size,
    itemShape,
    labels,
    batch: (indices) => tf.tidy(() => tf.gather(tensor, tf.tensor1d(Array.from(indices), 'int32'))),
  };
}

/**
 * Sums per-example values over a whole source in batches and returns their means. `fn` returns named [batch]
 * tensors; they are disposed here. Returns plain numbers (nats per example for loss terms).
 */
export async function meanOverBatches<K extends string>(
  source: BatchSource,
  batchSize: number,
  fn: (x: tf.Tensor, batchIndex: number) => Record<K, tf.Tensor1D>,
): Promise<Record<K, number>> {
  if (source.size < 1) throw new Error('meanOverBatches: the data source is empty.');
  const sums = {} as Record<K, number>;
  let batchIndex = 0;
  for (const [start, end] of batchRanges(source.size, batchSize)) {
    const totals = tf.tidy(() => {
      const x = source.batch(range(start, end));
      const terms = fn(x, batchIndex);
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
