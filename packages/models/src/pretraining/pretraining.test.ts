import * as tf from '@tensorflow/tfjs-core';
import { Random, tensorSource } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { Autoencoder } from '../autoencoder/autoencoder.model';
import { ConditionalVAE } from '../conditional-vae/conditional-vae.model';
import { inBrowser, weightsOf } from '../testing/concerns.test-utils';
import { VAE } from '../vae/vae.model';
import { LabelClassifier } from './classifier';
import { balancedLabelSubset, semiSupervisedSource, subsetSource } from './labels';
import {
  compareLabelBudgets,
  fineTune,
  pretrain,
  probe,
  summarizeLabelBudgets,
  trainFromScratch,
} from './pretraining';

const PROTOTYPES = [0x0f0f, 0xf0f0, 0x3c3c, 0xc3c3].map((bits) =>
  Array.from({ length: 16 }, (_, i) => (bits >> i) & 1),
);

/** 4x4 binary images of four prototypes with each pixel flipped with probability `flip`, seeded; label = prototype. */
function noisyPrototypes(count: number, seed: number, flip = 0.08) {
  const random = new Random(seed);
  const labels = Array.from({ length: count }, (_, i) => i % 4);
  const values = labels.flatMap((l) => PROTOTYPES[l].map((p) => (random.next() < flip ? 1 - p : p)));
  return { x: tf.tensor4d(values, [count, 4, 4, 1]), labels };
}

const small = { inputShape: [4, 4, 1], hiddenUnits: [16], latentDim: 3, seed: 1 };

describe('balancedLabelSubset', () => {
  const labels = Array.from({ length: 200 }, (_, i) => (i * 7) % 10);

  it('draws the same number of every class, seeded, without repeats', () => {
    const subset = balancedLabelSubset(labels, 50, 3);
    expect(subset.length).toBe(50);
    expect(new Set(subset).size).toBe(50);
    const counts = new Array(10).fill(0);
    for (const i of subset) counts[labels[i]] += 1;
    expect(counts).toEqual(new Array(10).fill(5));
    expect(Array.from(balancedLabelSubset(labels, 50, 3))).toEqual(Array.from(subset));
    expect(Array.from(balancedLabelSubset(labels, 50, 4))).not.toEqual(Array.from(subset));
  });

  it('gives the remainder one each to some classes, and all indices for a budget of all', () => {
    const counts = new Array(10).fill(0);
    for (const i of balancedLabelSubset(labels, 23, 1)) counts[labels[i]] += 1;
    expect(counts.filter((c) => c === 3).length).toBe(3);
    expect(counts.filter((c) => c === 2).length).toBe(7);
    expect([...balancedLabelSubset(labels, 500, 1)].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
  });

  it('names a class too small for its share', () => {
    expect(() => balancedLabelSubset([0, 0, 0, 0, 1], 4, 0)).toThrow(
      /class 1 has 1 examples, fewer than its share 2/,
    );
  });
});

describe('semiSupervisedSource', () => {
  it('keeps the labelled examples repeated to the asked share, the rest labelled -1', async () => {
    const { x, labels } = noisyPrototypes(100, 1);
    const source = tensorSource(x, labels);
    const mixed = semiSupervisedSource(source, [0, 1, 2, 3], { labelledShare: 0.25 });
    expect(mixed.unlabelledCount).toBe(96);
    expect(mixed.repeats).toBe(8); // 0.25 * 96 / (0.75 * 4)
    expect(mixed.size).toBe(96 + 32);
    const mixedLabels = Array.from(mixed.labels as ArrayLike<number>);
    expect(mixedLabels.filter((l) => l === -1).length).toBe(96);
    expect(mixedLabels.slice(96, 100)).toEqual([0, 1, 2, 3]);
    const batch = mixed.batch([96, 0]);
    const expected = source.batch([0, 4]);
    expect(Array.from(await batch.data())).toEqual(Array.from(await expected.data()));
    tf.dispose([x, batch, expected]);
  });
});

describe('pretrain, probe, fineTune, trainFromScratch', () => {
  // Training runs: Node only (software WebGL in the browser tests is too slow for them).
  it.skipIf(inBrowser)(
    'a probe on pretrained codes of a separable set classifies held-out data, leaving the model as it was',
    async () => {
      const train = noisyPrototypes(128, 1);
      const test = noisyPrototypes(64, 2);
      const model = await pretrain('Autoencoder', train.x, {
        config: small,
        fit: { epochs: 40, batchSize: 32, seed: 1, learningRate: 1e-2 },
      });
      const before = await weightsOf(model);
      const labelled = subsetSource(
        tensorSource(train.x, train.labels),
        balancedLabelSubset(train.labels, 8, 1),
      );
      const classifier = await probe(model, labelled, { steps: 300, seed: 1 });
      expect(await classifier.accuracy(tensorSource(test.x, test.labels))).toBeGreaterThanOrEqual(0.95);
      const after = await weightsOf(model);
      for (const name of Object.keys(before)) expect(after[name], name).toEqual(before[name]);
      expect(Object.keys(classifier.variables)).toEqual([
        'classifier/logits/kernel',
        'classifier/logits/bias',
      ]);
      classifier.dispose();

      const tuned = await fineTune(model, labelled, { steps: 100, seed: 1 });
      expect(Object.keys(tuned.variables)).toContain('encoder/hidden0/kernel');
      expect(tuned.encoder).not.toBe(model);
      expect(await tuned.accuracy(tensorSource(test.x, test.labels))).toBeGreaterThanOrEqual(0.95);
      const untouched = await weightsOf(model);
      for (const name of Object.keys(before)) expect(untouched[name], name).toEqual(before[name]);
      tuned.dispose();

      const scratch = await trainFromScratch(model, labelled, { steps: 200, seed: 1 });
      const scratchWeights = await weightsOf(scratch.encoder as Autoencoder);
      expect(scratchWeights['encoder/hidden0/kernel']).not.toEqual(before['encoder/hidden0/kernel']);
      expect(scratch.encoder.config).toEqual({ ...model.config, seed: 7919 + 1 });
      scratch.dispose();
      tf.dispose([train.x, test.x]);
      model.dispose();
    },
  );

  it('fine-tunes a VAE through its posterior mean; leaks no tensors', async () => {
    const data = noisyPrototypes(32, 3);
    const model = new VAE({ ...small, seed: 2 });
    const source = tensorSource(data.x, data.labels);
    await expectNoLeaks(async () => {
      for (const run of [probe, fineTune, trainFromScratch]) {
        const classifier = await run(model, source, { steps: 5, batchSize: 8, headSteps: 2 });
        await classifier.accuracy(source);
        await classifier.evaluate(source);
        classifier.dispose();
      }
    });
    data.x.dispose();
    model.dispose();
  });

  it.skipIf(inBrowser)('compares label budgets and summarizes them', async () => {
    const train = noisyPrototypes(64, 4);
    const test = noisyPrototypes(16, 5);
    const model = new Autoencoder({ ...small, seed: 3 });
    const progress: number[] = [];
    const results = await compareLabelBudgets(
      model,
      tensorSource(train.x, train.labels),
      tensorSource(test.x, test.labels),
      {
        budgets: [4, 'all'],
        seeds: [0, 1],
        training: {
          probe: { steps: 3 },
          'fine-tune': { steps: 3, headSteps: 2 },
          scratch: { steps: 3, headSteps: 2 },
        },
        onProgress: (p) => progress.push(p.done),
      },
    );
    expect(results.length).toBe(12);
    expect(progress).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(results.every((r) => r.accuracy >= 0 && r.accuracy <= 1)).toBe(true);
    const summary = summarizeLabelBudgets(results);
    expect(summary.map((s) => `${s.method}:${s.labels}:${s.runs}`)).toEqual([
      'probe:4:2',
      'fine-tune:4:2',
      'scratch:4:2',
      'probe:64:2',
      'fine-tune:64:2',
      'scratch:64:2',
    ]);
    const probe4 = results.filter((r) => r.method === 'probe' && r.labels === 4).map((r) => r.accuracy);
    expect(summary[0].mean).toBeCloseTo((probe4[0] + probe4[1]) / 2, 10);
    tf.dispose([train.x, test.x]);
    model.dispose();
  });

  it('pretrains on any batch source, a class whose batch method reads its own fields included', async () => {
    const data = noisyPrototypes(16, 6);
    class Images {
      readonly size = 16;
      readonly itemShape = [4, 4, 1];
      readonly labels = data.labels;
      constructor(private readonly images: tf.Tensor) {}
      batch(indices: ArrayLike<number>): tf.Tensor {
        return tf.gather(this.images, Int32Array.from(indices));
      }
    }
    const model = await pretrain('Autoencoder', new Images(data.x), {
      config: small,
      fit: { epochs: 1, batchSize: 8, seed: 1 },
    });
    expect(model.trainingStep).toBe(2);
    model.dispose();
    data.x.dispose();
  });

  it('refuses what cannot work, naming it', async () => {
    const cvae = new ConditionalVAE({ ...small, numClasses: 4 });
    expect(() => new LabelClassifier({ encoder: cvae, numClasses: 4 })).toThrow(
      /encodes with the class label/,
    );
    cvae.dispose();
    const model = new Autoencoder(small);
    const data = noisyPrototypes(8, 1);
    await expect(probe(model, data.x)).rejects.toThrow(/no class labels/);
    await expect(probe(model, tensorSource(data.x, [0, 1, 2, 3, 0, 1, 2, 3.5]))).rejects.toThrow(/label 3.5/);
    await expect(pretrain('Nope' as never, data.x)).rejects.toThrow(/unknown model 'Nope'/);
    data.x.dispose();
    model.dispose();
  });
});
