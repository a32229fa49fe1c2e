/** What the models that predict a class share: the batched argmax of their logits and the accuracy of it. */
import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, batchRanges, range } from '@vae/core';

/**
 * The most probable class of every example of `data`, in order: `logits` maps a batch ([batch, ...itemShape]) to
 * [batch, classes]; batches of `batchSize` (default 1000) rows.
 */
export async function predictClasses(
  data: BatchSource,
  logits: (x: tf.Tensor) => tf.Tensor,
  batchSize = 1000,
): Promise<Int32Array> {
  const out = new Int32Array(data.size);
  for (const [start, end] of batchRanges(data.size, batchSize)) {
    const predicted = tf.tidy(() => tf.argMax(logits(data.batch(range(start, end))), 1));
    out.set(await predicted.data(), start);
    predicted.dispose();
  }
  return out;
}

/** The share of `predicted` equal to `labels` (0 for none). */
export function accuracyOf(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) correct += 1;
  return correct / Math.max(1, predicted.length);
}
