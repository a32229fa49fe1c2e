import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { fusedDense } from '@vae/core';
import { maxAbsDifference } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { Autoencoder } from './autoencoder/autoencoder.model';
import { BetaVAE } from './beta-vae/beta-vae.model';
import { ConditionalVAE } from './conditional-vae/conditional-vae.model';
import { loadModelFromDirectory, saveModelToDirectory } from './node';
import { VAE } from './vae/vae.model';

describe('saving to a directory', () => {
  it('writes model.json + weights.bin and loads a model with identical outputs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vae-model-'));
    const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 3, seed: 2 });
    await saveModelToDirectory(model, dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.modelTopology).toMatchObject({ format: 'vae-model', formatVersion: 1, className: 'VAE' });
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    const loaded = await loadModelFromDirectory(dir, { as: VAE });
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 1);
    expect(maxAbsDifference(await model.reconstruct(x).data(), await loaded.reconstruct(x).data())).toBe(0);
    model.dispose();
    loaded.dispose();
  });

  it('types the loaded model by the class asked for and refuses another class before allocating', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vae-model-'));
    const model = new BetaVAE({ inputShape: [6], hiddenUnits: [5], latentDim: 3, beta: 4, seed: 2 });
    await saveModelToDirectory(model, dir);
    model.dispose();
    // A subclass loads as its parent class (a BetaVAE is a VAE), typed as VAE without a cast.
    const asVae: VAE = await loadModelFromDirectory(dir, { as: VAE });
    expect(asVae).toBeInstanceOf(BetaVAE);
    asVae.dispose();
    const before = tf.memory().numTensors;
    await expect(loadModelFromDirectory(dir, { as: ConditionalVAE })).rejects.toThrow(
      /loadModel: the saved model is a BetaVAE, not a ConditionalVAE; load it with \{ as: BetaVAE \}/,
    );
    await expect(loadModelFromDirectory(dir, { as: Autoencoder })).rejects.toThrow(
      /is a BetaVAE, not an Autoencoder/,
    );
    expect(tf.memory().numTensors).toBe(before);
    // Without `as`: any model of the registry, narrowed with instanceof.
    const any = await loadModelFromDirectory(dir);
    expect(any instanceof VAE && any.latentDim).toBe(3);
    any.dispose();
  });

  it('explains missing and truncated files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vae-model-'));
    await expect(loadModelFromDirectory(dir)).rejects.toThrow(/no saved model at .*model.json/);
    const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 3 });
    await saveModelToDirectory(model, dir);
    await writeFile(join(dir, 'weights.bin'), new Uint8Array(10));
    await expect(loadModelFromDirectory(dir)).rejects.toThrow(/incomplete or from different saves/);
    model.dispose();
  });
});

describe('checkpoint directories', () => {
  it('commit atomically (weights first, then checkpoint.json), keep one weights file, and resume', async () => {
    const { checkpointDirectory, loadCheckpointFromDirectory } = await import('./node');
    const { tensorSource } = await import('@vae/core');
    const dir = await mkdtemp(join(tmpdir(), 'vae-checkpoint-'));
    expect(await loadCheckpointFromDirectory(dir)).toBeNull();
    const x = tf.tidy(() => tf.step(tf.sub(tf.randomUniform([16, 6], 0, 1, 'float32', 1), 0.5)));
    const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 2, seed: 2 });
    const names: string[][] = [];
    await model.fit(tensorSource(x), {
      epochs: 3,
      batchSize: 8,
      seed: 1,
      checkpoint: { handler: checkpointDirectory(dir) },
      onEpochEnd: async () => {
        names.push((await readdir(dir)).sort());
      },
    });
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toBe('checkpoint.json');
    expect(files[1]).toMatch(/^weights-.*\.bin$/);
    const json = JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8'));
    expect(json.modelTopology).toMatchObject({
      format: 'vae-checkpoint',
      className: 'VAE',
      training: { epoch: 4, step: 6 },
    });
    expect(json.weightsManifest[0].paths).toEqual([`./${files[1]}`]);
    const loaded = await loadCheckpointFromDirectory(dir);
    if (!loaded) throw new Error('expected a checkpoint in the directory');
    expect(loaded.checkpoint.state.history).toHaveLength(3);
    const history = await (loaded.model as VAE).fit(tensorSource(x), {
      epochs: 4,
      resumeFrom: loaded.checkpoint,
      checkpoint: { handler: checkpointDirectory(dir) },
    });
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    loaded?.checkpoint.dispose();
    loaded?.model.dispose();
    model.dispose();
    x.dispose();
  });
});

describe('models saved by earlier versions', () => {
  // the demo's 784-400-20 VAE, published as @vae/pretrained's mnist-vae-20d
  const demo = fileURLToPath(new URL('../../pretrained/models/mnist-vae-20d/', import.meta.url));
  it.skipIf(!existsSync(join(demo, 'model.json')))(
    'loads the demo VAE (format 1, className VAE) with outputs identical to its weights computed directly',
    async () => {
      const model = (await loadModelFromDirectory(demo)) as VAE;
      expect(model).toBeInstanceOf(VAE);
      expect(model.config).toMatchObject({
        inputShape: [28, 28, 1],
        hiddenUnits: [400],
        latentDim: 20,
        likelihood: 'bernoulli',
        network: 'mlp',
        samples: 1,
      });
      const w = model.variables;
      const x = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 3);
      // The same ops as version 1 of the model: core's fusedDense layer by layer.
      const expected = tf.tidy(() => {
        const rows = tf.reshape(x, [5, 784]) as tf.Tensor2D;
        const dense = (h: tf.Tensor2D, name: string, activation: 'relu' | 'linear') =>
          fusedDense(h, w[`${name}/kernel`], w[`${name}/bias`], {
            activation,
            inputGradient: name !== 'encoder/hidden0',
          });
        const both = dense(dense(rows, 'encoder/hidden0', 'relu'), 'encoder/posterior', 'linear');
        const mean = tf.slice(both, [0, 0], [5, 20]) as tf.Tensor2D;
        const logits = dense(dense(mean, 'decoder/hidden0', 'relu'), 'decoder/logits', 'linear');
        return tf.reshape(tf.sigmoid(logits), [5, 28, 28, 1]);
      });
      const actual = model.reconstruct(x);
      expect(maxAbsDifference(await actual.data(), await expected.data())).toBe(0);
      const { mean } = model.encode(x);
      expect(mean.shape).toEqual([5, 20]);
      const samples = model.sample(4, { seed: 1 });
      expect(samples.shape).toEqual([4, 28, 28, 1]);
      tf.dispose([x, expected, actual, mean, samples]);
      model.dispose();
    },
  );
});
