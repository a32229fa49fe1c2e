/** M2 and M1+M2 learning from few labels (Node only: training is too slow for the browser tests). */
import * as tf from '@tensorflow/tfjs-core';
import { Random, tensorSource } from '@vae/core';
import { describe, expect, it } from 'vitest';
import { balancedLabelSubset, semiSupervisedSource } from '../pretraining/labels';
import { VAE } from '../vae/vae.model';
import { M1M2, m2ConfigForCodes } from './m1m2';
import { m2Alpha } from './m2.config';
import { M2 } from './m2.model';

const PROTOTYPES = [0x0f0f, 0xf0f0, 0x3c3c, 0xc3c3].map((bits) =>
  Array.from({ length: 16 }, (_, i) => (bits >> i) & 1),
);

/** 4x4 binary images of four prototypes with pixels flipped with probability 0.08, seeded; label = prototype. */
function noisyPrototypes(count: number, seed: number) {
  const random = new Random(seed);
  const labels = Array.from({ length: count }, (_, i) => i % 4);
  const values = labels.flatMap((l) => PROTOTYPES[l].map((p) => (random.next() < 0.08 ? 1 - p : p)));
  return { x: tf.tensor4d(values, [count, 4, 4, 1]), labels };
}

describe('M2 with few labels', () => {
  it('learns the classes from 8 labels and 120 unlabelled images', async () => {
    const train = noisyPrototypes(128, 1);
    const test = noisyPrototypes(64, 2);
    const labelled = balancedLabelSubset(train.labels, 8, 3);
    const source = semiSupervisedSource(tensorSource(train.x, train.labels), labelled, {
      labelledShare: 0.25,
    });
    expect(source.labelledCount).toBe(8);
    const model = new M2({
      inputShape: [4, 4, 1],
      hiddenUnits: [16],
      classifierHiddenUnits: [16],
      latentDim: 2,
      numClasses: 4,
      alpha: m2Alpha({ examples: 128, labelled: 8, repeats: source.repeats }),
      seed: 1,
    });
    await model.fit(source, { epochs: 30, batchSize: 32, seed: 1, learningRate: 1e-2 });
    expect(await model.accuracy(tensorSource(test.x, test.labels))).toBeGreaterThanOrEqual(0.9);
    tf.dispose([train.x, test.x]);
    model.dispose();
  });

  it('M1+M2: M2 on the codes of a VAE classifies through both', async () => {
    const train = noisyPrototypes(128, 3);
    const test = noisyPrototypes(64, 4);
    const m1 = new VAE({ inputShape: [4, 4, 1], hiddenUnits: [16], latentDim: 3, seed: 2 });
    await m1.fit(train.x, { epochs: 40, batchSize: 32, seed: 1, learningRate: 1e-2 });
    const codes = await m1.embed(train.x);
    const labelled = balancedLabelSubset(train.labels, 8, 1);
    const source = semiSupervisedSource(tensorSource(codes, train.labels), labelled, { labelledShare: 0.25 });
    const m2 = new M2(
      m2ConfigForCodes(m1, {
        hiddenUnits: [16],
        classifierHiddenUnits: [16],
        latentDim: 2,
        numClasses: 4,
        alpha: m2Alpha({ examples: 128, labelled: 8, repeats: source.repeats }),
        seed: 3,
      }),
    );
    expect(m2.config.inputShape).toEqual([3]);
    await m2.fit(source, { epochs: 30, batchSize: 32, seed: 1, learningRate: 1e-2 });
    const stacked = new M1M2(m1, m2);
    expect(await stacked.accuracy(tensorSource(test.x, test.labels))).toBeGreaterThanOrEqual(0.9);
    expect(
      () =>
        new M1M2(m1, new M2({ inputShape: [5], numClasses: 4, hiddenUnits: [2], classifierHiddenUnits: [] })),
    ).toThrow(/M2 takes inputs of shape \[5\], M1's codes have 3 dimensions/);
    tf.dispose([train.x, test.x, codes]);
    m1.dispose();
    m2.dispose();
  });
});
