import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  codebookPerplexity,
  emaCodebookUpdate,
  nearestCodes,
  stopGradient,
  vectorQuantize,
} from './quantization';
import { expectClose, expectNoLeaks } from './testing';

const zValues = [
  [0.9, 0.1],
  [0, 2.2],
];
const codebookValues = [
  [1, 0],
  [0, 1],
  [0, 3],
];

describe('vectorQuantize', () => {
  it('picks the nearest codes and gives the two loss terms by hand', async () => {
    await expectNoLeaks(async () => {
      const z = tf.tensor2d(zValues);
      const codebook = tf.tensor2d(codebookValues);
      const q = vectorQuantize(z, codebook);
      expect(Array.from(await q.indices.data())).toEqual([0, 2]);
      await expectClose(q.quantized, [
        [1, 0],
        [0, 3],
      ]);
      // |(0.9, 0.1) - (1, 0)|^2 = 0.02; |(0, 2.2) - (0, 3)|^2 = 0.64
      await expectClose(q.codebookLoss, [0.02, 0.64], { rtol: 1e-5 });
      await expectClose(q.commitmentLoss, [0.02, 0.64], { rtol: 1e-5 });
      tf.dispose([z, codebook, q.quantized, q.indices, q.codebookLoss, q.commitmentLoss]);
    });
  });

  it('copies the gradient straight through to z; the codebook learns only from its own term', async () => {
    const z = tf.tensor2d(zValues);
    const codebook = tf.tensor2d(codebookValues);
    const w = tf.tensor2d([
      [0.5, -1],
      [2, 0.25],
    ]);
    const [a, b] = [0.7, 0.25];
    const f = (zt: tf.Tensor, c: tf.Tensor) => {
      const q = vectorQuantize(zt as tf.Tensor2D, c as tf.Tensor2D);
      return tf.addN([
        tf.sum(tf.mul(q.quantized, w)),
        tf.mul(a, tf.sum(q.codebookLoss)),
        tf.mul(b, tf.sum(q.commitmentLoss)),
      ]) as tf.Scalar;
    };
    const [dz, dc] = tf.grads(f)([z, codebook]);
    // d/dz = w + 2 b (z - e); d/de_k = 2 a (e_k - z_i) for the rows i assigned to k, 0 for unused codes.
    await expectClose(dz, [
      [0.5 + 2 * b * -0.1, -1 + 2 * b * 0.1],
      [2 + 0, 0.25 + 2 * b * -0.8],
    ]);
    await expectClose(dc, [
      [2 * a * 0.1, 2 * a * -0.1],
      [0, 0],
      [0, 2 * a * 0.8],
    ]);
    const [ds] = tf.grads((x: tf.Tensor) => tf.sum(tf.mul(stopGradient(x), x)))([z]);
    await expectClose(ds, zValues);
    tf.dispose([z, codebook, w, dz, dc, ds]);
  });

  it('names a width mismatch', () => {
    const z = tf.zeros([2, 3]) as tf.Tensor2D;
    const c = tf.zeros([4, 2]) as tf.Tensor2D;
    expect(() => nearestCodes(z, c)).toThrow(/same d/);
    tf.dispose([z, c]);
  });
});

describe('emaCodebookUpdate', () => {
  it('moves the counts and sums by the decay and divides with Laplace smoothing', async () => {
    await expectNoLeaks(async () => {
      const state = { clusterSizes: tf.tensor1d([1, 1, 1]), sums: tf.tensor2d(codebookValues) };
      const z = tf.tensor2d(zValues);
      const indices = tf.tensor1d([0, 2], 'int32');
      const next = emaCodebookUpdate(state, z, indices, { decay: 0.5, epsilon: 1e-5 });
      await expectClose(next.clusterSizes, [1, 0.5, 1]);
      const sums = [
        [0.5 * 1 + 0.5 * 0.9, 0.5 * 0 + 0.5 * 0.1],
        [0, 0.5],
        [0, 0.5 * 3 + 0.5 * 2.2],
      ];
      await expectClose(next.sums, sums);
      const n = [1, 0.5, 1];
      const total = 2.5;
      const smoothed = n.map((v) => ((v + 1e-5) / (total + 3e-5)) * total);
      await expectClose(
        next.codebook,
        sums.map((row, k) => row.map((v) => v / smoothed[k])),
        { rtol: 1e-5 },
      );
      tf.dispose([state.clusterSizes, state.sums, z, indices, next.clusterSizes, next.sums, next.codebook]);
    });
  });
});

describe('codebookPerplexity', () => {
  it('is exp(entropy) of the code histogram', () => {
    expect(codebookPerplexity([3, 3, 3, 3])).toBeCloseTo(4, 12);
    expect(codebookPerplexity([5, 0, 0])).toBeCloseTo(1, 12);
    expect(codebookPerplexity([2, 1, 1, 0])).toBeCloseTo(2 ** 1.5, 12);
    expect(() => codebookPerplexity([0, 0])).toThrow(/all zero/);
    expect(() => codebookPerplexity([1, -1])).toThrow(/>= 0/);
  });
});
