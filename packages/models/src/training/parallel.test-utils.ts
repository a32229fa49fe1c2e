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
