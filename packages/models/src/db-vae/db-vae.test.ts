import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, densityWeights, reparameterize, tensorSource } from '@vae/core';
import { backendPrecision, expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../io';
import { describeConcerns, memoryHandler } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { DBVAE } from './db-vae.model';
import { debiasingSampler } from './index';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };

describeConcerns('DBVAE', {
  create: (seed) => new DBVAE({ ...small, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
});

/** Plain-JS BCE from logits, summed over a row. */
function bceRow(x: ArrayLike<number>, logits: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const l = logits[i];
    sum += Math.max(l, 0) - l * x[i] + Math.log1p(Math.exp(-Math.abs(l)));
  }
  return sum;
}

describe('DBVAE objective', () => {
  it('matches a by-hand computation: the VAE terms on positives only, plus the weighted classification BCE', async () => {
    const model = new DBVAE({ ...small, seed: 3, beta: 0.5, classifierWeight: 7, positiveClass: 1 });
    const { x, labels } = binaryPrototypes(8); // labels 0,1,2,3,0,1,2,3: positives at 1 and 5
    const labelTensor = tf.tensor1d(labels, 'int32');
    const { total, terms } = model.trainingLoss(x, { seed: 11, labels: labelTensor });
    const rows = (await x.data()) as Float32Array;
    const { mean, logVar } = model.encode(x);
    const z = reparameterize(mean, logVar, { seed: 11 });
    const decoded = model.decodeLogits(z);
    const logits = await model.classifierLogits(x).data();
    const [m, v, d] = [await mean.data(), await logVar.data(), await decoded.data()];
    let reconstruction = 0;
    let kl = 0;
    let classification = 0;
    for (let i = 0; i < 8; i++) {
      const y = labels[i] === 1 ? 1 : 0;
      const l = logits[i];
      classification += Math.max(l, 0) - l * y + Math.log1p(Math.exp(-Math.abs(l)));
      if (!y) continue;
      reconstruction += bceRow(rows.subarray(i * 16, i * 16 + 16), d.subarray(i * 16, i * 16 + 16));
      for (let k = 0; k < 2; k++) {
        const [mu, lv] = [m[i * 2 + k], v[i * 2 + k]];
        kl += 0.5 * (Math.exp(lv) + mu * mu - 1 - lv);
      }
    }
    const tolerance = backendPrecision().rtol * 10;
    const close = (actual: number, expected: number) =>
      expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
    close((await terms.reconstruction.data())[0], reconstruction / 8);
    close((await terms.kl.data())[0], kl / 8);
    close((await terms.weightedKl.data())[0], (0.5 * kl) / 8);
    close((await terms.regularizer.data())[0], (7 * classification) / 8);
    close((await total.data())[0], (reconstruction + 0.5 * kl + 7 * classification) / 8);
    tf.dispose([x, labelTensor, total, ...Object.values(terms), mean, logVar, z, decoded]);
    model.dispose();
  });

  it('has finite gradients, and none reach the decoder from a batch without positives', async () => {
    const model = new DBVAE({ ...small, seed: 2 });
    const { x, labels } = binaryPrototypes(8);
    const check = (batchLabels: number[]) =>
      tf.tidy(() => {
        const labelTensor = tf.tensor1d(batchLabels, 'int32');
        const { grads } = tf.variableGrads(
          () => model.trainingLoss(x, { seed: 1, labels: labelTensor, training: true }).total,
          Object.values(model.variables),
        );
        const norms: Record<string, number> = {};
        for (const [name, v] of Object.entries(model.variables))
          norms[name] = tf.norm(grads[v.name]).dataSync()[0];
        return norms;
      });
    await expectNoLeaks(() => {
      const withPositives = check(labels);
      for (const value of Object.values(withPositives)) expect(Number.isFinite(value)).toBe(true);
      const decoder = Object.keys(withPositives).filter((name) => name.startsWith('decoder'));
      expect(decoder.length).toBeGreaterThan(0);
      expect(decoder.some((name) => withPositives[name] > 0)).toBe(true);
      const negativesOnly = check(labels.map(() => 0));
      for (const name of decoder) expect(negativesOnly[name]).toBe(0);
      const encoder = Object.keys(negativesOnly).filter((name) => name.startsWith('encoder'));
      expect(encoder.some((name) => negativesOnly[name] > 0)).toBe(true);
    });
    x.dispose();
    model.dispose();
  });

  it('learns the classifier, predicts probabilities, and keeps them through save and load', async () => {
    const model = new DBVAE({ ...small, seed: 4, classifierWeight: 10 });
    const { x, labels } = binaryPrototypes(32);
    await model.fit(tensorSource(x, labels), { epochs: 40, batchSize: 8, seed: 1, learningRate: 0.01 });
    const p = await expectNoLeaks(() => model.predict(x));
    for (let i = 0; i < 32; i++) {
      if (labels[i] === 1) expect(p[i]).toBeGreaterThan(0.5);
      else expect(p[i]).toBeLessThan(0.5);
    }
    const handler = memoryHandler();
    await saveModel(model, handler);
    const loaded = await loadModel(handler);
    expect(loaded).toBeInstanceOf(DBVAE);
    expect((loaded as DBVAE).config.classifierWeight).toBe(10);
    const q = await (loaded as DBVAE).predict(x);
    expect(Array.from(q)).toEqual(Array.from(p));
    loaded.dispose();
    model.dispose();
    x.dispose();
  });

  it('refuses data without labels and bad configs, naming the fix', async () => {
    const model = new DBVAE({ ...small, seed: 1 });
    const { x } = binaryPrototypes(8);
    expect(() => model.trainingLoss(x)).toThrow(/needs the batch's class labels/);
    await expect(model.fit(x, { epochs: 1 })).rejects.toThrow(/training needs class labels/);
    expect(() => new DBVAE({ samples: 2 })).toThrow(/samples must be 1/);
    expect(() => new DBVAE({ positiveClass: -1 })).toThrow(/positiveClass must be an integer label >= 0/);
    expect(() => new DBVAE({ classifierWeight: Number.NaN })).toThrow(/classifierWeight/);
    x.dispose();
    model.dispose();
  });
});

describe('debiasingSampler', () => {
  /** A stand-in model whose latent means are fixed numbers per example. */
  function fixedEmbedding(codes: number[]) {
    return {
      config: { positiveClass: 1 },
      embed: async (data: BatchSource) => {
        const rows = data.batch(Array.from({ length: data.size }, (_, i) => i));
        // each example's code is the first pixel's value
        const first = tf.tidy(() =>
          tf.reshape(tf.slice(tf.reshape(rows, [data.size, -1]), [0, 0], [-1, 1]), [-1, 1]),
        );
        rows.dispose();
        return first as tf.Tensor2D;
      },
      codes,
    };
  }

  it('draws the positives by their inverse latent density and keeps every negative once', async () => {
    // positives: 8 with code 0, 2 with code 1 (2 bins: densities 0.8 / 0.5 ... by densityWeights); 5 negatives
    const codes = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    const values = [...codes, 5, 5, 5, 5, 5];
    const labels = [...codes.map(() => 1), 0, 0, 0, 0, 0];
    const data = tensorSource({ values, shape: [15, 1] }, labels);
    const sampler = debiasingSampler(fixedEmbedding(codes), data, { bins: 2, alpha: 0.1 });
    const counts = new Array(15).fill(0);
    let rarePositiveDraws = 0;
    const epochs = 400;
    await expectNoLeaks(async () => {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const order = await sampler({ epoch, seed: epoch, size: 15 });
        expect(order.length).toBe(15);
        for (const i of order) counts[i] += 1;
        rarePositiveDraws += Array.from(order).filter((i) => i === 8 || i === 9).length;
      }
    });
    for (let i = 10; i < 15; i++) expect(counts[i]).toBe(epochs);
    const expected = densityWeights({ values: codes, shape: [10, 1] }, { bins: 2, alpha: 0.1 }).weights;
    expect(Array.from(sampler.last?.weights ?? [])).toEqual(Array.from(expected));
    expect(Array.from(sampler.last?.indices ?? [])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // closed form: densities 8 / (10 x 0.5) = 1.6 and 2 / 5 = 0.4; the rare pair's share 2/0.5 / (8/1.7 + 2/0.5)
    const share = 2 / 0.5 / (8 / 1.7 + 2 / 0.5);
    expect(rarePositiveDraws / (epochs * 10)).toBeCloseTo(share, 1);
  });

  it('refuses data without labels or positives, and bad smoothing', () => {
    const model = fixedEmbedding([]);
    expect(() => debiasingSampler(model, tensorSource({ values: [1, 2], shape: [2, 1] }))).toThrow(
      /no labels/,
    );
    expect(() => debiasingSampler(model, tensorSource({ values: [1, 2], shape: [2, 1] }, [0, 0]))).toThrow(
      /no example has the positive label 1/,
    );
    expect(() =>
      debiasingSampler(model, tensorSource({ values: [1, 2], shape: [2, 1] }, [1, 0]), { alpha: -1 }),
    ).toThrow(/alpha/);
  });
});
