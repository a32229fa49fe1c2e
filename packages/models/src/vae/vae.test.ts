import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  binaryCrossEntropyWithLogits,
  gaussianNegativeLogLikelihood,
  gaussianNegativeLogLikelihoodFixedVariance,
  klDivergenceStandardNormal,
  reparameterize,
  tensorSource,
} from '@vae/core';
import { expectClose, expectNoLeaks, maxAbsDifference } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../io';
import { describeConcerns, memoryHandler } from '../testing/concerns.test-utils';
import { binaryPrototypes, lowRankData } from '../testing/toy';
import { VAE } from './vae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2, seed: 3 };

function toyImages(count: number, seed = 1): tf.Tensor {
  return tf.tidy(() => tf.step(tf.sub(tf.randomUniform([count, 4, 4, 1], 0, 1, 'float32', seed), 0.5)));
}

describeConcerns('VAE', {
  create: (seed) => new VAE({ ...small, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
  browser: 'all',
});

describeConcerns('VAE (Gaussian decoder with learned variance, L = 3)', {
  create: (seed) =>
    new VAE({ ...small, likelihood: 'gaussian', variance: 'learned', samples: 3, minLogVar: -6, seed }),
  data: () => ({ x: tf.reshape(lowRankData(16, 16, 2), [16, 4, 4, 1]) }),
  samples: true,
  browser: false,
});

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

describe('VAE decoders and estimators', () => {
  it('uses the fixed-variance Gaussian negative log-likelihood of core', async () => {
    const model = new VAE({ ...small, likelihood: 'gaussian', variance: 0.1, meanActivation: 'linear' });
    const x = tf.reshape(lowRankData(4, 16, 2), [4, 4, 4, 1]);
    const z = tf.randomNormal([4, 2], 0, 1, 'float32', 2);
    const mean = model.decodeLogits(z); // linear mean: the raw output
    const expected = tf.neg(
      gaussianNegativeLogLikelihoodFixedVariance(tf.reshape(x, [4, 16]), mean, {
        variance: 0.1,
        reduction: 'none',
      }),
    );
    await expectClose(model.logLikelihood(x, z), expected);
    await expectClose(model.decode(z), tf.reshape(mean, [4, 4, 4, 1]));
    tf.dispose([x, z, mean, expected]);
    model.dispose();
  });

  it('learns a variance per pixel (the Frey Face decoder): two decoder heads, the core Gaussian NLL', async () => {
    const model = new VAE({ ...small, likelihood: 'gaussian', variance: 'learned', seed: 4 });
    expect(Object.keys(model.variables).filter((k) => k.startsWith('decoder/'))).toEqual([
      'decoder/hidden0/kernel',
      'decoder/hidden0/bias',
      'decoder/mean/kernel',
      'decoder/mean/bias',
      'decoder/logVar/kernel',
      'decoder/logVar/bias',
    ]);
    const x = tf.reshape(lowRankData(4, 16, 2), [4, 4, 4, 1]);
    const z = tf.randomNormal([4, 2], 0, 1, 'float32', 2);
    const expected = tf.tidy(() => {
      const h = tf.relu(
        tf.add(
          tf.matMul(z, model.variables['decoder/hidden0/kernel']),
          model.variables['decoder/hidden0/bias'],
        ),
      );
      const head = (name: string) =>
        tf.add(
          tf.matMul(h, model.variables[`decoder/${name}/kernel`]),
          model.variables[`decoder/${name}/bias`],
        );
      return tf.neg(
        gaussianNegativeLogLikelihood(tf.reshape(x, [4, 16]), tf.sigmoid(head('mean')), head('logVar'), {
          reduction: 'none',
        }),
      );
    });
    await expectClose(model.logLikelihood(x, z), expected, { rtol: 1e-3, atol: 1e-3 });
    tf.dispose([x, z, expected]);
    model.dispose();
  });

  it('averages L samples of z in the reconstruction term (lower variance, same mean)', async () => {
    const { x } = binaryPrototypes(8);
    const one = new VAE({ ...small, seed: 5 });
    const many = new VAE({ ...small, seed: 5, samples: 64 });
    const spread = async (model: VAE) => {
      const values: number[] = [];
      for (let seed = 1; seed <= 6; seed++) {
        const { reconstruction, kl } = model.elboTerms(x, { seed });
        values.push((await tf.mean(reconstruction).data())[0]);
        tf.dispose([reconstruction, kl]);
      }
      const mean = values.reduce((a, b) => a + b) / values.length;
      return { mean, std: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) };
    };
    const a = await spread(one);
    const b = await spread(many);
    expect(b.std).toBeLessThan(a.std);
    expect(Math.abs(b.mean - a.mean)).toBeLessThan(4 * a.std + 1e-3);
    x.dispose();
    one.dispose();
    many.dispose();
  });

  it('weights the KL term by a schedule given to fit (here a linear warm-up from 0)', async () => {
    const model = new VAE({ ...small, seed: 6 });
    const { x } = binaryPrototypes(16);
    const batches: number[] = [];
    await model.fit(tensorSource(x), {
      epochs: 2,
      batchSize: 8,
      seed: 1,
      klSchedule: { kind: 'linear', steps: 4 },
      onBatchEnd: ({ losses }) => {
        batches.push(losses.weightedKl / losses.kl);
      },
    });
    expect(batches.map((w) => Math.round(w * 100) / 100)).toEqual([0, 0.25, 0.5, 0.75]);
    x.dispose();
    model.dispose();
  });

  it('interpolates and traverses the latent space', async () => {
    const model = new VAE({ ...small, seed: 7 });
    const { x } = binaryPrototypes(4);
    const a = tf.slice(x, 0, 1);
    const b = tf.slice(x, 1, 1);
    const path = model.interpolate(a, b, 5);
    const { mean } = model.encode(x);
    // the ends of the path decode the posterior means of a and b
    await expectClose(
      tf.slice(path, [0, 0], [1, 1]),
      tf.reshape(model.decode(tf.slice(mean, 0, 1)), [1, 1, 4, 4, 1]),
    );
    await expectClose(
      tf.slice(path, [0, 4], [1, 1]),
      tf.reshape(model.decode(tf.slice(mean, 1, 1)), [1, 1, 4, 4, 1]),
    );
    const traversal = model.traverse(tf.slice(mean, 0, 1), 1, { range: [-2, 2], steps: 3 });
    const z = tf.concat([tf.slice(mean, [0, 0], [1, 1]), tf.tensor2d([[2]])], 1);
    await expectClose(tf.slice(traversal, [0, 2], [1, 1]), tf.reshape(model.decode(z), [1, 1, 4, 4, 1]));
    tf.dispose([x, a, b, path, mean, traversal, z]);
    model.dispose();
  });

  it('takes a user-supplied encoder and decoder (tfjs Layers models) and round-trips them', async () => {
    const encoder = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [16], units: 8, activation: 'relu' }),
        tfl.layers.dense({ units: 4 }),
      ],
    });
    const decoder = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [2], units: 8, activation: 'relu' }),
        tfl.layers.dense({ units: 16 }),
      ],
    });
    const model = new VAE({ ...small }, { encoder, decoder });
    const { x } = binaryPrototypes(16);
    const data = tensorSource(x);
    const start = await model.evaluate(data, { seed: 1 });
    await model.fit(data, { epochs: 20, batchSize: 16, seed: 1, learningRate: 1e-2 });
    expect((await model.evaluate(data, { seed: 1 })).total).toBeLessThan(start.total);
    const handler = memoryHandler();
    await saveModel(model, handler);
    const loaded = (await loadModel(handler)) as VAE;
    const z = tf.randomNormal([2, 2], 0, 1, 'float32', 3);
    expect(maxAbsDifference(await model.decode(z).data(), await loaded.decode(z).data())).toBe(0);
    expect(
      () =>
        new VAE(
          { ...small },
          { decoder: tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 16 })] }) },
        ),
    ).toThrow(/decoder must take codes \[batch, 2\]/);
    tf.dispose([x, z]);
    model.dispose();
    loaded.dispose();
  });
});

describe('the tfjs-layers parts (@vae/models/layers)', () => {
  it('without them, a conv network says what to import, before allocating anything', async () => {
    const { installLayersSupport, layersSupport } = await import('../networks/layers-support');
    const installed = layersSupport('test', 'the test');
    const before = tf.memory().numTensors;
    installLayersSupport(null);
    try {
      expect(
        () =>
          new VAE({ inputShape: [8, 8, 1], network: 'conv', filters: [4], hiddenUnits: [8], latentDim: 2 }),
      ).toThrow(/VAE: network: 'conv' needs @tensorflow\/tfjs-layers.*import '@vae\/models\/layers';/);
      expect(tf.memory().numTensors).toBe(before);
      // Dense networks need nothing more.
      const dense = new VAE({ inputShape: [4], hiddenUnits: [3], latentDim: 2 });
      dense.dispose();
    } finally {
      installLayersSupport(installed);
    }
  });
});
