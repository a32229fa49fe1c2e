/**
 * Test helpers for models built on @vae/core: leak checks and finite-difference gradient checks. They throw
 * plain Errors, so they work with any test runner.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` and throws if the number of live tensors afterwards differs from before by anything other than
 * `expectedNewTensors` (default 0). Returns what `fn` returned.
 */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>, expectedNewTensors = 0): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  if (after - before !== expectedNewTensors) {
    throw new Error(
      `tensor leak: ${after - before} tensors were left alive (expected ${expectedNewTensors}). ` +
        'Wrap intermediate work in tf.tidy or dispose it.',
    );
  }
  return result;
}

/**
 * Central-difference gradient of a scalar function of one tensor, computed in float32 on the active backend:
 * `(f(x + h e_i) - f(x - h e_i)) / 2h` for every element i. Slow: use on small tensors.
 */
export async function numericGradient(
  f: (x: tf.Tensor) => tf.Scalar,
  x: tf.Tensor,
  h = 1e-2,
): Promise<Float32Array> {
  const values = (await x.data()) as Float32Array;
  const grad = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const plus = values.slice();
    plus[i] += h;
    const minus = values.slice();
    minus[i] -= h;
    const fp = tf.tidy(() => f(tf.tensor(plus, x.shape)));
    const fm = tf.tidy(() => f(tf.tensor(minus, x.shape)));
    grad[i] = ((await fp.data())[0] - (await fm.data())[0]) / (2 * h);
    fp.dispose();
    fm.dispose();
  }
  return grad;
}

/** Largest absolute difference between two arrays of equal length. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDifference: lengths ${a.length} and ${b.length} differ.`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
