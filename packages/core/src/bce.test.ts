import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fusedBceAvailable } from './bce';
import { columnSums } from './column-sums';
import { binaryCrossEntropyWithLogits } from './losses';
import { expectNoLeaks, maxAbsDifference, numericGradient } from './testing';

// Deterministic pseudo-random values built in JS (tf.linspace(a, b, 1) is NaN on WebGPU).
function values(count: number, seed: number, scale: number, offset = 0): Float32Array {
  let s = seed;
  return Float32Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return offset + scale * (s / 2147483648 - 0.5);
  });
}

/** Row sums of the stable BCE and sigmoid(l) - x in double precision. */
function reference(x: Float32Array, l: Float32Array, n: number) {
  const rows: number[] = [];
  const grad: number[] = [];
  for (let r = 0; r < x.length / n; r++) {
    let sum = 0;
    for (let i = r * n; i < (r + 1) * n; i++) {
      sum += Math.max(l[i], 0) - l[i] * x[i] + Math.log1p(Math.exp(-Math.abs(l[i])));
      grad.push(1 / (1 + Math.exp(-l[i])) - x[i]);
    }
    rows.push(sum);
  }
  return { rows, grad };
}

describe('fused binary cross-entropy from logits (wasm and cpu kernel)', () => {
  it('runs as the fused kernel on the wasm and cpu backends', () => {
    const name = tf.getBackend();
    expect(fusedBceAvailable()).toBe(name === 'wasm' || name === 'cpu');
  });

  // Row lengths that are and are not multiples of the kernel's 16-element step and of the SIMD width.
  for (const [batch, n] of [
    [3, 37],
    [2, 784],
    [4, 1],
    [1, 16],
  ]) {
    it(`matches double precision for [${batch}, ${n}] rows: loss and gradient, no leaks`, async () => {
      const x = values(batch * n, 7 + n, 1, 0.5);
      const l = values(batch * n, 3 + n, 60); // logits in [-30, 30]
      l[0] = 0;
      if (l.length > 2) [l[1], l[2]] = [-45, 95]; // beyond the kernel's exp(-40) floor and its -87 clamp
      const xt = tf.tensor2d(x, [batch, n]);
      const lt = tf.tensor2d(l, [batch, n]);
      const weights = tf.tensor1d(values(batch, 11, 4, 1)); // per-row upstream gradients
      const f = (logits: tf.Tensor) =>
        tf.sum(tf.mul(binaryCrossEntropyWithLogits(xt, logits, { reduction: 'none' }), weights)) as tf.Scalar;
      const rows = await expectNoLeaks(() => binaryCrossEntropyWithLogits(xt, lt, { reduction: 'none' }), 1);
      const grad = await expectNoLeaks(() => tf.grad(f)(lt), 1);
      const ref = reference(x, l, n);
      const w = await weights.data();
      const got = await rows.data();
      ref.rows.forEach((v, r) => {
        expect(Math.abs(got[r] - v)).toBeLessThan(1e-6 * Math.max(1, Math.abs(v)) * n);
      });
      const expected = ref.grad.map((g, i) => g * w[Math.floor(i / n)]);
      expect(maxAbsDifference(await grad.data(), expected)).toBeLessThan(5e-6);
      tf.dispose([xt, lt, weights, rows, grad]);
    });
  }

  it('its gradient matches central differences, and NaN logits give NaN', async () => {
    const x = tf.tensor2d(values(10, 5, 1, 0.5), [2, 5]);
    const l = tf.tensor2d(values(10, 9, 6), [2, 5]);
    const f = (logits: tf.Tensor) => binaryCrossEntropyWithLogits(x, logits) as tf.Scalar;
    const auto = await tf.grad(f)(l).data();
    expect(maxAbsDifference(auto, await numericGradient(f, l))).toBeLessThan(3e-3);
    const nan = await binaryCrossEntropyWithLogits(
      tf.tensor2d([[0, 1, 0, 1, 0]]),
      tf.tensor2d([[1, Number.NaN, 0, 2, 3]]),
      { reduction: 'none' },
    ).data();
    expect(Number.isNaN(nan[0])).toBe(true);
  });
});

describe('columnSums', () => {
  for (const [rows, n] of [
    [1, 5],
    [7, 13],
    [128, 40],
    [3, 0],
  ]) {
    it(`equals tf.sum(x, 0) for [${rows}, ${n}], no leaks`, async () => {
      const x = tf.tensor2d(values(rows * n, rows + n, 10), [rows, n]);
      const sums = await expectNoLeaks(() => columnSums(x), 1);
      expect(sums.shape).toEqual([n]);
      const expected = await tf.sum(x, 0).data();
      expect(maxAbsDifference(await sums.data(), expected)).toBeLessThan(1e-4);
      tf.dispose([x, sums]);
    });
  }
});
