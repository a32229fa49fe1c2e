/** The VAE: training behaviour (Node, cpu and wasm), and on real MNIST, and its Gaussian decoder on Frey Face when present (wasm only: too slow on cpu). */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { binaryImages8 } from '../testing/toy';
import { VAE } from './vae.model';

const freyFace = fileURLToPath(
  new URL('../../../../../shared/data/frey-face/frey-faces-idx3-ubyte.gz', import.meta.url),
);

describe('VAE: training behaviour (Node only: too slow for the browser tests)', () => {
  it('trains with convolutions on every backend, wasm included', async () => {
    const model = new VAE({
      inputShape: [8, 8, 1],
      network: 'conv',
      filters: [4, 8],
      hiddenUnits: [16],
      latentDim: 2,
      seed: 8,
    });
    const { x } = binaryImages8(16);
    const data = tensorSource(x);
    const { mean } = model.encode(x);
    expect(mean.shape).toEqual([16, 2]);
    const start = await model.evaluate(data, { seed: 1 });
    await model.fit(data, { epochs: 10, batchSize: 8, seed: 1, learningRate: 1e-2 });
    expect((await model.evaluate(data, { seed: 1 })).total).toBeLessThan(start.total);
    tf.dispose([x, mean]);
    model.dispose();
  });
});

describe.skipIf(!mnistTestsEnabled(tf.getBackend()))('VAE on MNIST', () => {
  it('reaches a sensible test negative ELBO in a few epochs (Bernoulli decoder)', async () => {
    const mnist = mnistSources(8000, 1000);
    const model = new VAE({ latentDim: 20, hiddenUnits: [400], seed: 1 });
    await model.fit(mnist.train, { epochs: 2, batchSize: 128, seed: 1, learningRate: 3e-3 });
    const result = await model.evaluate(mnist.test, { seed: 1 });
    console.log(
      `VAE MNIST: test -ELBO ${result.total.toFixed(1)} nats/image (reconstruction ` +
        `${result.reconstruction.toFixed(1)}, KL ${result.kl.toFixed(1)})`,
    );
    expect(result.total).toBeLessThan(155); // about 149 after 2 epochs of 8000 images (the mean image: 206)
    mnist.dispose();
    model.dispose();
  });

  it.skipIf(!existsSync(freyFace))(
    'learns a Gaussian decoder with a variance per pixel on Frey Face (the setting of Kingma and Welling)',
    async () => {
      const bytes = gunzipSync(readFileSync(freyFace));
      const count = bytes.readUInt32BE(4);
      const pixels = 28 * 20;
      const values = Float32Array.from(bytes.subarray(16, 16 + count * pixels), (v) => v / 255);
      const all = tf.tensor4d(values, [count, 28, 20, 1]);
      const train = tf.slice(all, 0, 1800);
      const test = tf.slice(all, 1800, count - 1800);
      const model = new VAE({
        inputShape: [28, 20, 1],
        hiddenUnits: [200],
        latentDim: 10,
        activation: 'tanh',
        likelihood: 'gaussian',
        variance: 'learned',
        meanActivation: 'sigmoid',
        seed: 1,
      });
      await model.fit(tensorSource(train), { epochs: 8, batchSize: 100, seed: 1, learningRate: 3e-3 });
      const result = await model.evaluate(tensorSource(test), { seed: 1 });
      console.log(
        `VAE Frey Face (learned variance): test ELBO ${(-result.total).toFixed(0)} nats/image ` +
          `(reconstruction ${result.reconstruction.toFixed(0)}, KL ${result.kl.toFixed(1)})`,
      );
      expect(-result.total).toBeGreaterThan(300); // a density on [0, 1]^560: positive, and large when it fits
      tf.dispose([all, train, test]);
      model.dispose();
    },
  );
});
