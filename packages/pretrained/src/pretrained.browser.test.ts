// fromPretrained in a browser (Chromium, webgl): the models are fetched from the test server, which serves the
// repository, at /packages/pretrained/models/ (as an app serves the copied models/ folder).
import * as tf from '@tensorflow/tfjs-core';
import { VAE } from '@vae/models';
import { describe, expect, it } from 'vitest';
import { fromPretrained, modelCard } from './index';

const baseUrl = '/packages/pretrained/models/';

describe('fromPretrained in the browser', () => {
  it('loads a pinned model over fetch and decodes, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const model = await fromPretrained('mnist-vae-2d', { baseUrl, as: VAE });
    expect(model.latentDim).toBe(modelCard('mnist-vae-2d').config.latentDim);
    const z = tf.zeros([3, 2]);
    const x = model.decode(z);
    const values = await x.data();
    expect(x.shape[0]).toBe(3);
    expect(values.every((v) => Number.isFinite(v))).toBe(true);
    tf.dispose([z, x]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses damaged weights (one byte changed on the way)', async () => {
    const damaging: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('weights.bin')) return response;
      const bytes = new Uint8Array(await response.arrayBuffer());
      bytes[1000] ^= 0x40;
      return new Response(bytes, { status: 200 });
    };
    const before = tf.memory().numTensors;
    await expect(fromPretrained('mnist-vae-2d', { baseUrl, fetch: damaging })).rejects.toThrow(
      /do not match their recorded SHA-256/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
