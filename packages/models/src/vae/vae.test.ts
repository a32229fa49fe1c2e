import * as tf from '@tensorflow/tfjs-core';
import {
  binaryCrossEntropyWithLogits,
  klDivergenceStandardNormal,
  reparameterize,
  tensorSource,
} from '@vae/core';
import { expectNoLeaks, maxAbsDifference } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../io';
import { VAE } from './vae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2, seed: 3 };

function toyImages(count: number, seed = 1): tf.Tensor {
  return tf.tidy(() => tf.step(tf.sub(tf.randomUniform([count, 4, 4, 1], 0, 1, 'float32', seed), 0.5)));
}

describe('VAE', () => {
  it('builds the PyTorch example architecture by default (784-400-20)', () => {
    const model = new VAE({ seed: 1 });
    const shapes = Object.fromEntries(Object.entries(model.variables).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      'encoder/hidden0/kernel': [784, 400],
      'encoder/hidden0/bias': [400],
      'encoder/posterior/kernel': [400, 40],
      'encoder/posterior/bias': [40],
      'decoder/hidden0/kernel': [20, 400],
      'decoder/hidden0/bias': [400],
      'decoder/logits/kernel': [400, 784],
      'decoder/logits/bias': [784],
    });
    model.dispose();
  });

  it('encodes, decodes, reconstructs and samples with the right shapes and ranges, without leaks', async () => {
    const model = new VAE(small);
    const x = toyImages(5);
    const rows = tf.reshape(x, [5, 16]);
    await expectNoLeaks(async () => {
      const { mean, logVar } = model.encode(x);
      expect(mean.shape).toEqual([5, 2]);
      expect(logVar.shape).toEqual([5, 2]);
      const decoded = model.decode(mean);
      expect(decoded.shape).toEqual([5, 4, 4, 1]);
      const reconstruction = model.reconstruct(x);
      expect(reconstruction.shape).toEqual([5, 4, 4, 1]);
      const samples = model.sample(3, { seed: 2, temperature: 0.5 });
      expect(samples.shape).toEqual([3, 4, 4, 1]);
      const values = await samples.data();
      expect(values.every((v) => v > 0 && v < 1)).toBe(true);
      // flat rows are accepted too
      const flat = model.reconstruct(rows);
      expect(flat.shape).toEqual([5, 16]);
      tf.dispose([mean, logVar, decoded, reconstruction, samples, flat]);
    });
    tf.dispose([x, rows]);
    model.dispose();
  });

  it('computes the ELBO terms from the core losses with the same noise', async () => {
    const model = new VAE(small);
    const x = toyImages(4);
    const { reconstruction, kl } = model.elboTerms(x, { seed: 9 });
    const expected = tf.tidy(() => {
      const { mean, logVar } = model.encode(x);
      const z = reparameterize(mean, logVar, { seed: 9 });
      return {
        r: binaryCrossEntropyWithLogits(tf.reshape(x, [4, 16]), model.decodeLogits(z), { reduction: 'none' }),
        k: klDivergenceStandardNormal(mean, logVar, { reduction: 'none' }),
      };
    });
    expect(maxAbsDifference(await reconstruction.data(), await expected.r.data())).toBeLessThan(1e-4);
    expect(maxAbsDifference(await kl.data(), await expected.k.data())).toBeLessThan(1e-5);
    tf.dispose([reconstruction, kl, expected.r, expected.k, x]);
    model.dispose();
  });

  it('trains: the loss falls, every weight moves, and no tensors leak', async () => {
    const model = new VAE({ ...small, hiddenUnits: [16] });
    // four binary prototypes, repeated: structure a VAE can learn (random noise cannot be compressed)
    const prototypes = [0x0f0f, 0xf0f0, 0x3c3c, 0xc3c3].map((bits) =>
      Array.from({ length: 16 }, (_, i) => (bits >> i) & 1),
    );
    const x = tf.tensor4d(Array.from({ length: 64 }, (_, i) => prototypes[i % 4]).flat(), [64, 4, 4, 1]);
    const data = tensorSource(x);
    const before = Object.fromEntries(
      await Promise.all(Object.entries(model.variables).map(async ([k, v]) => [k, await v.data()] as const)),
    );
    const start = await model.evaluate(data, { seed: 1 });
    const history = await expectNoLeaks(() =>
      model.fit(data, { epochs: 15, batchSize: 16, seed: 1, learningRate: 1e-2 }),
    );
    const end = await model.evaluate(data, { seed: 1 });
    expect(history.epochs).toHaveLength(15);
    expect(history.epochs[0].train.total).toBeGreaterThan(history.epochs[14].train.total);
    expect(end.total).toBeLessThan(start.total - 1);
    for (const [name, variable] of Object.entries(model.variables)) {
      expect(maxAbsDifference(await variable.data(), before[name]), name).toBeGreaterThan(0);
    }
    x.dispose();
    model.dispose();
  });

  it('is reproducible from seeds', async () => {
    const x = toyImages(32);
    const run = async () => {
      const model = new VAE(small);
      const history = await model.fit(tensorSource(x), { epochs: 2, batchSize: 8, seed: 5 });
      const w = await model.variables['decoder/logits/kernel'].data();
      model.dispose();
      return { loss: history.epochs[1].train.total, w };
    };
    const a = await run();
    const b = await run();
    expect(a.loss).toBe(b.loss);
    expect(maxAbsDifference(a.w, b.w)).toBe(0);
    x.dispose();
  });

  it('stops when its signal is aborted', async () => {
    const model = new VAE(small);
    const x = toyImages(64);
    const controller = new AbortController();
    const history = await model.fit(tensorSource(x), {
      epochs: 5,
      batchSize: 8,
      signal: controller.signal,
      onBatchEnd: ({ epoch, batch }) => {
        if (epoch === 2 && batch === 3) controller.abort();
      },
    });
    expect(history.aborted).toBe(true);
    expect(history.epochs).toHaveLength(2);
    x.dispose();
    model.dispose();
  });

  it('saves and loads with identical outputs', async () => {
    const model = new VAE(small);
    let saved: tf.io.ModelArtifacts | undefined;
    await saveModel(model, {
      save: async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      },
    });
    const loaded = (await loadModel({ load: async () => saved! })) as VAE;
    expect(loaded).toBeInstanceOf(VAE);
    expect(loaded.config).toEqual(model.config);
    const z = tf.randomNormal([3, 2], 0, 1, 'float32', 4);
    expect(maxAbsDifference(await model.decode(z).data(), await loaded.decode(z).data())).toBe(0);
    const broken = { ...saved!, modelTopology: { ...(saved!.modelTopology as object), className: 'Nope' } };
    await expect(loadModel({ load: async () => broken })).rejects.toThrow(/unknown model class 'Nope'.*VAE/);
    await expect(loadModel({ load: async () => ({ modelTopology: {} }) })).rejects.toThrow(
      /not a model saved/,
    );
    model.dispose();
    loaded.dispose();
  });

  it('names the problem with bad config and input', () => {
    expect(() => new VAE({ latentDim: 0 })).toThrow(/latentDim must be a positive integer/);
    expect(() => new VAE({ hiddenUnits: [1.5] })).toThrow(/hiddenUnits/);
    const model = new VAE(small);
    expect(() => model.encode(tf.zeros([2, 5]))).toThrow(/expected a batch of inputs/);
    expect(() => model.decode(tf.zeros([2, 3]))).toThrow(/latent codes of shape \[batch, 2\]/);
    expect(() => model.sample(0)).toThrow(/positive integer/);
    model.dispose();
    expect(() => model.encode(tf.zeros([1, 16]))).toThrow(/disposed/);
  });
});

describe('VAE.logLikelihood', () => {
  it('is minus the Bernoulli cross-entropy of x under the decoder at z', async () => {
    const model = new VAE(small);
    const x = toyImages(3);
    const z = tf.randomNormal([3, 2], 0, 1, 'float32', 5);
    const logLikelihood = await expectNoLeaks(async () => {
      const t = model.logLikelihood(x, z);
      const v = await t.data();
      t.dispose();
      return v;
    });
    const expected = await tf
      .tidy(() =>
        tf.neg(
          binaryCrossEntropyWithLogits(tf.reshape(x, [3, 16]), model.decodeLogits(z), { reduction: 'none' }),
        ),
      )
      .data();
    expect(maxAbsDifference(logLikelihood, expected)).toBeLessThan(1e-5);
    expect(() => model.logLikelihood(x, tf.zeros([2, 2]))).toThrow(/one z per x/);
    tf.dispose([x, z]);
    model.dispose();
  });
});
