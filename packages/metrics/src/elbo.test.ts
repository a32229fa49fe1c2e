import * as tf from '@tensorflow/tfjs-core';
import { type ElboTerms, type ProbabilisticAutoencoder, tensorSource } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { evaluateElbo } from './elbo';

/** A stand-in model whose per-example terms are known: reconstruction = sum(x), kl = 1 per example. */
const known: ProbabilisticAutoencoder = {
  latentDim: 1,
  inputSize: 2,
  encode: (x) => ({ mean: tf.zeros([x.shape[0], 1]), logVar: tf.zeros([x.shape[0], 1]) }),
  logLikelihood: (x) => tf.tidy(() => tf.neg(tf.sum(x, 1)) as tf.Tensor1D),
  elboTerms: (x): ElboTerms =>
    tf.tidy(() => ({
      reconstruction: tf.sum(x, 1) as tf.Tensor1D,
      kl: tf.ones([x.shape[0]]) as tf.Tensor1D,
    })),
};

describe('evaluateElbo', () => {
  it('averages per-example terms over uneven batches', async () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const source = tensorSource(x);
    const result = await expectNoLeaks(() => evaluateElbo(known, source, { batchSize: 2 }));
    expect(result.reconstruction).toBeCloseTo(21 / 3, 5);
    expect(result.kl).toBeCloseTo(1, 6);
    expect(result.loss).toBeCloseTo(21 / 3 + 1, 5);
    expect(result.elbo).toBeCloseTo(-(21 / 3 + 1), 5);
    expect(result.examples).toBe(3);
    x.dispose();
  });

  it('rejects empty data, bad batch sizes and non-finite results', async () => {
    const empty = { size: 0, itemShape: [2], batch: () => tf.zeros([0, 2]) };
    await expect(evaluateElbo(known, empty)).rejects.toThrow(/empty/);
    const x = tf.tensor2d([[1, Number.NaN]]);
    await expect(evaluateElbo(known, tensorSource(x), { batchSize: 0 })).rejects.toThrow(/positive integer/);
    await expect(evaluateElbo(known, tensorSource(x))).rejects.toThrow(/not finite/);
    x.dispose();
  });
});
