// The size a config implies, checked before a loaded model is built (`parameterLowerBound`): never above what a
// real model of every class has (else a legitimate file would be refused), and big enough that a config asking
// for gigabytes next to a few weights is refused before anything is allocated.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { parameterLowerBound } from './artifacts';
import { FactorVAE } from './factor-vae/factor-vae.model';
import { loadModel } from './io';
import { MODEL_REGISTRY, RECOMMENDER_REGISTRY } from './registry';
import { VQVAE } from './vqvae/vqvae.model';

const image = { inputShape: [12, 12, 1], seed: 1 };
const CONFIGS: Record<string, Array<Record<string, unknown>>> = {
  Autoencoder: [image],
  LinearAutoencoder: [image],
  TiedAutoencoder: [image],
  SparseAutoencoder: [image],
  DenoisingAutoencoder: [image],
  ContractiveAutoencoder: [image],
  VAE: [image, { ...image, network: 'conv', filters: [4, 8], kernelSize: 3, hiddenUnits: [16] }],
  BetaVAE: [image],
  ConditionalVAE: [{ ...image, numClasses: 10 }],
  IWAE: [image],
  BetaTCVAE: [image],
  FactorVAE: [image, { ...image, discriminatorUnits: [300, 300] }],
  DipVAE: [image],
  InfoVAE: [image],
  PriorVAE: [
    { ...image, prior: 'mixture', components: 50 },
    { ...image, prior: 'vamp', components: 40 },
    { inputShape: [2], hiddenUnits: [4], latentDim: 8, prior: 'vamp', components: 1000, seed: 1 },
  ],
  VQVAE: [image, { ...image, codebookSize: 2048, embeddingDim: 16 }],
  DBVAE: [image],
  M2: [
    { ...image, numClasses: 10 },
    { ...image, numClasses: 3, classifierHiddenUnits: [200, 50] },
  ],
  AutoRec: [{ columns: 300, hiddenUnits: 40, seed: 1 }],
  MultVAE: [{ items: 300, seed: 1 }],
  MultDAE: [{ items: 300, seed: 1 }],
};

describe('parameterLowerBound', () => {
  const classes = { ...MODEL_REGISTRY, ...RECOMMENDER_REGISTRY } as Record<string, new (c: never) => unknown>;
  it('covers every registered class', () => {
    expect(Object.keys(CONFIGS).sort()).toEqual(Object.keys(classes).sort());
  });
  for (const [name, configs] of Object.entries(CONFIGS)) {
    it(`${name}: at most the weights a real model has`, async () => {
      if (configs.some((c) => c.network === 'conv')) await import('./layers');
      for (const config of configs) {
        const model = new classes[name](config as never) as {
          variables: Record<string, tf.Variable>;
          config: object;
          dispose(): void;
        };
        const weights = Object.values(model.variables).reduce((n, v) => n + v.size, 0);
        const bound = parameterLowerBound(model.config);
        expect(bound, JSON.stringify(config)).toBeLessThanOrEqual(weights);
        expect(bound).toBeGreaterThan(0);
        model.dispose();
      }
    });
  }
});

describe('a config asking for gigabytes next to a few weights is refused before anything is built', () => {
  const hostile = (className: string, config: Record<string, unknown>) =>
    tf.io.fromMemory({
      modelTopology: { format: 'vae-model', formatVersion: 1, className, config } as never,
      // more weights than the encoder alone needs, so only the part named below can tell
      weightSpecs: [{ name: 'w', shape: [1000], dtype: 'float32' }],
      weightData: new Float32Array(1000).buffer,
    });
  it.each([
    [
      'a VQ-VAE codebook of 2^26 entries',
      'VQVAE',
      { inputShape: [784], hiddenUnits: [], positions: 1, embeddingDim: 32, codebookSize: 2 ** 26 },
    ],
    [
      'a FactorVAE discriminator of 1e5 x 1e5',
      'FactorVAE',
      { inputShape: [4], hiddenUnits: [], latentDim: 2, discriminatorUnits: [100000, 100000] },
    ],
    [
      'an M2 classifier of 1e5 x 1e5',
      'M2',
      {
        inputShape: [4],
        hiddenUnits: [],
        latentDim: 2,
        numClasses: 2,
        classifierHiddenUnits: [100000, 100000],
      },
    ],
  ])('%s', async (_, className, config) => {
    const before = tf.memory().numTensors;
    const started = performance.now();
    await expect(loadModel(hostile(className, config), { onWarning: () => {} })).rejects.toThrow(
      /the config describes a model with at least .* weights, but the files hold 1,000/,
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a tfjs Layers network: a dense layer's input width times its units, an embedding's table", () => {
    const dense = { class_name: 'Dense', config: { units: 1, batch_input_shape: [null, 1e9] } };
    const embedding = { class_name: 'Embedding', config: { input_dim: 1e6, output_dim: 1000 } };
    expect(parameterLowerBound({ layers: { encoder: { config: { layers: [dense] } }, decoder: {} } })).toBe(
      1e9,
    );
    expect(parameterLowerBound({ layers: { encoder: embedding, decoder: {} } })).toBe(1e9);
  });
});

describe('a constructor that fails part way leaves nothing behind', () => {
  it.each([
    [
      'FactorVAE, a discriminator too large to allocate',
      () =>
        new FactorVAE({
          inputShape: [4],
          hiddenUnits: [3],
          latentDim: 2,
          discriminatorUnits: [100000, 100000],
        }),
    ],
    [
      'VQVAE, a codebook too large to allocate',
      () => new VQVAE({ inputShape: [4], hiddenUnits: [3], codebookSize: 2 ** 28, embeddingDim: 64 }),
    ],
  ])('%s', (_, make) => {
    const before = tf.memory().numTensors;
    expect(make).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});
