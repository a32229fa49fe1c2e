/**
 * For the data-parallel tests (parallel.node.test.ts, parallel.browser.test.ts): a model's weights read out, and the
 * largest difference between two such reads. Not a test file itself.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { maxAbsDifference } from '@vae/core/testing';
import { expect } from 'vitest';

/** Every variable's values, by name. */
export async function weightsOf(model: {
  variables: Record<string, tf.Variable>;
}): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(model.variables)) out[name] = (await v.data()) as Float32Array;
  return out;
}

/** The largest absolute difference between two models' weights (which must have the same names). */
export function largestDifference(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  return Math.max(...Object.keys(a).map((k) => maxAbsDifference(a[k], b[k])));
}

/**
 * A data-parallel run trained the model the single-thread run trained on the same batches, up to float summation
 * order (within 1e-5), and really moved it from its initial weights (`initial`: a fresh model of the same seed).
 */
export async function expectSameTraining(
  parallel: { variables: Record<string, tf.Variable> },
  single: { variables: Record<string, tf.Variable> },
  initial: { variables: Record<string, tf.Variable>; dispose(): void },
): Promise<void> {
  // 4 Adam steps at lr 1e-2 move weights by about 4e-2: the sums' order changes the last bits only.
  expect(largestDifference(await weightsOf(parallel), await weightsOf(single))).toBeLessThan(1e-5);
  expect(largestDifference(await weightsOf(parallel), await weightsOf(initial))).toBeGreaterThan(1e-3);
  initial.dispose();
}
