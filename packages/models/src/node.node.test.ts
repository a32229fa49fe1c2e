import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { maxAbsDifference } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
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
    const loaded = (await loadModelFromDirectory(dir)) as VAE;
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 1);
    expect(maxAbsDifference(await model.reconstruct(x).data(), await loaded.reconstruct(x).data())).toBe(0);
    model.dispose();
    loaded.dispose();
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
