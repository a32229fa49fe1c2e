import * as tf from '@tensorflow/tfjs-core';
import { binaryCrossEntropyWithLogits, tensorSource } from '@vae/core';
import { expectClose, expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { describeConcerns, inBrowser } from '../testing/concerns.test-utils';
import { expectResumable } from '../testing/resume.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { VQVAE } from './vqvae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], positions: 2, embeddingDim: 2, codebookSize: 5 };

describeConcerns('VQVAE', {
  create: (seed) => new VQVAE({ ...small, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
  learningRate: 1e-2,
});

describeConcerns('VQVAE (EMA codebook, autoregressive prior)', {
  create: (seed) => new VQVAE({ ...small, codebookUpdate: 'ema', codePrior: 'autoregressive', seed }),
  data: () => binaryPrototypes(16),
  samples: true,
  learningRate: 1e-2,
  browser: 'basic',
});

const array = async (t: tf.Tensor) => (await t.array()) as number[][];

describe('VQVAE', () => {
  it('computes its objective by hand: reconstruction at the nearest codes, -log p(k), codebook and commitment', async () => {
    const model = new VQVAE({ ...small, commitment: 0.25, seed: 1 });
    model.codebook.assign(tf.tensor2d([0, 0, 1, 0, 0, 1, -1, 0, 0, -1], [5, 2]));
    model.variables['prior/logits'].assign(tf.tidy(() => tf.randomNormal([2, 5], 0, 1, 'float32', 3)));
    const { x } = binaryPrototypes(4);
    const { total, terms } = model.trainingLoss(x);
    // z_e by hand: the encoder's output (the code before quantization) through the registry's own encoder
    const ze = await array(
      tf.tidy(() => tf.reshape((model as any).encoder.apply(tf.reshape(x, [4, 16])), [8, 2])),
    );
    const book = await array(model.codebook);
    const nearest = ze.map((z) => {
      const d = book.map((e) => (z[0] - e[0]) ** 2 + (z[1] - e[1]) ** 2);
      return d.indexOf(Math.min(...d));
    });
    const indices = await array(model.encodeIndices(x));
    expect(indices.flat()).toEqual(nearest);
    const squared =
      ze.reduce((s, z, i) => s + (z[0] - book[nearest[i]][0]) ** 2 + (z[1] - book[nearest[i]][1]) ** 2, 0) /
      4;
    const logits = await array(model.variables['prior/logits']);
    const logSoftmax = logits.map((row) => {
      const m = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      return row.map((v) => v - m);
    });
    const kl = indices.reduce((s, row) => s - logSoftmax[0][row[0]] - logSoftmax[1][row[1]], 0) / 4;
    const codes = model.codesFromIndices(tf.tensor2d(indices, [4, 2], 'int32'));
    const reconstruction = tf.tidy(() =>
      binaryCrossEntropyWithLogits(tf.reshape(x, [4, 16]), (model as any).decoder.apply(codes)[0]),
    );
    await expectClose(terms.reconstruction, reconstruction, { rtol: 1e-5 });
    await expectClose(terms.kl, kl, { rtol: 1e-5 });
    await expectClose(terms.regularizer, squared + 0.25 * squared, { rtol: 1e-4 });
    await expectClose(total, (await reconstruction.data())[0] + kl + 1.25 * squared, { rtol: 1e-5 });
    tf.dispose([x, total, ...Object.values(terms), codes, reconstruction]);
    model.dispose();
  });

  it('sends the decoder gradient straight through to the encoder and the codebook term to the codebook', async () => {
    const model = new VQVAE({ ...small, commitment: 0, seed: 2 });
    const { x } = binaryPrototypes(4);
    const names = Object.keys(model.variables);
    const vars = Object.values(model.variables);
    const { grads } = tf.variableGrads(() => model.trainingLoss(x).terms.reconstruction, vars);
    // the reconstruction term reaches the encoder (straight-through) but not the codebook or the prior
    const size = async (g: Record<string, tf.Tensor>, name: string) => {
      const grad = g[vars[names.indexOf(name)].name];
      return grad ? (await tf.tidy(() => tf.sum(tf.abs(grad))).data())[0] : 0; // null: not on the path
    };
    const norm = (name: string) => size(grads, name);
    expect(await norm('encoder/code/kernel')).toBeGreaterThan(0);
    expect(await norm('codebook/embeddings')).toBe(0);
    expect(await norm('prior/logits')).toBe(0);
    tf.dispose(Object.values(grads).filter(Boolean));
    const { grads: kl } = tf.variableGrads(() => model.trainingLoss(x).terms.kl, vars);
    const klNorm = (name: string) => size(kl, name);
    expect(await klNorm('encoder/code/kernel')).toBe(0);
    expect(await klNorm('prior/logits')).toBeGreaterThan(0);
    tf.dispose([x, ...Object.values(kl).filter(Boolean)]);
    model.dispose();
  });

  it('reports codebook usage and perplexity, and moves an EMA codebook only while training', async () => {
    const { x } = binaryPrototypes(16);
    const model = new VQVAE({ ...small, codebookUpdate: 'ema', seed: 3 });
    const usage = await model.codebookUsage(x);
    const indices = (await array(model.encodeIndices(x))).flat();
    const counts = new Array(5).fill(0);
    for (const k of indices) counts[k] += 1;
    expect(Array.from(usage.counts)).toEqual(counts);
    const p = counts.filter((c) => c > 0).map((c) => c / indices.length);
    expect(usage.perplexity).toBeCloseTo(Math.exp(-p.reduce((s, v) => s + v * Math.log(v), 0)), 10);
    expect(usage.used).toBe(p.length);
    const before = await model.codebook.data();
    const evaluation = model.trainingLoss(x); // evaluation: no update
    tf.dispose([evaluation.total, ...Object.values(evaluation.terms)]);
    expect(Array.from(await model.codebook.data())).toEqual(Array.from(before));
    await model.fit(tensorSource(x), { epochs: 1, batchSize: 16, seed: 1 });
    expect(Array.from(await model.codebook.data())).not.toEqual(Array.from(before));
    expect(model.codebook.trainable).toBe(false);
    x.dispose();
    model.dispose();
  });

  it('samples codes from its prior (autoregressive: position by position) and decodes them, leak-free', async () => {
    const model = new VQVAE({ ...small, codePrior: 'autoregressive', seed: 4 });
    await expectNoLeaks(async () => {
      const a = model.sampleIndices(6, { seed: 1 });
      const b = model.sampleIndices(6, { seed: 1 });
      expect(await a.array()).toEqual(await b.array());
      expect(a.shape).toEqual([6, 2]);
      const images = model.sample(3, { seed: 2 });
      expect(images.shape).toEqual([3, 4, 4, 1]);
      tf.dispose([a, b, images]);
    });
    expect(() => model.decodeIndices(tf.tensor2d([[0, 7]], [1, 2], 'int32'))).toThrow(/integers in \[0, 5\)/);
    model.dispose();
  });

  it('names bad options', () => {
    expect(() => new VQVAE({ positions: 4, embeddingDim: 8, latentDim: 10 })).toThrow(
      /positions x embeddingDim = 32/,
    );
    expect(() => new VQVAE({ codebookUpdate: 'kmeans' as never })).toThrow(/codebookUpdate 'kmeans'/);
    expect(() => new VQVAE({ emaDecay: 1 })).toThrow(/emaDecay must be a number in \[0, 1\)/);
  });

  it.skipIf(inBrowser)(
    'resumes training from a checkpoint exactly (codebook, moving averages, prior)',
    async () => {
      const { x } = binaryPrototypes(16);
      await expectResumable(() => new VQVAE({ ...small, codebookUpdate: 'ema', seed: 6 }), x);
      await expectResumable(() => new VQVAE({ ...small, codePrior: 'autoregressive', seed: 6 }), x);
      x.dispose();
    },
  );
});

describe('VQVAE autoregressive prior', () => {
  it('gives log p(k) = sum_i log p(k_i | k_<i) of the masked linear layer, by enumeration', async () => {
    const model = new VQVAE({
      ...small,
      positions: 3,
      codebookSize: 2,
      codePrior: 'autoregressive',
      seed: 1,
    });
    const kernel = tf.tidy(() => tf.randomNormal([6, 6], 0, 1, 'float32', 5));
    const bias = tf.tidy(() => tf.randomNormal([6], 0, 1, 'float32', 6));
    model.variables['prior/kernel'].assign(kernel);
    model.variables['prior/bias'].assign(bias);
    const w = await array(kernel);
    const b = Array.from(await bias.data());
    const codes = [
      [0, 1, 1],
      [1, 0, 1],
    ];
    const expected = codes.map((k) => {
      let log = 0;
      for (let i = 0; i < 3; i++) {
        // logits of position i: bias + the kernel rows of the codes at positions j < i (one-hot inputs)
        const logits = [0, 1].map(
          (c) => b[i * 2 + c] + k.slice(0, i).reduce((s, kj, j) => s + w[j * 2 + kj][i * 2 + c], 0),
        );
        const norm = Math.log(Math.exp(logits[0]) + Math.exp(logits[1]));
        log += logits[k[i]] - norm;
      }
      return log;
    });
    const indices = tf.tensor2d(codes, [2, 3], 'int32');
    const logPrior = model.logPriorOfCodes(indices);
    await expectClose(logPrior, expected, { rtol: 1e-5 });
    tf.dispose([kernel, bias, indices, logPrior]);
    model.dispose();
  });
});
