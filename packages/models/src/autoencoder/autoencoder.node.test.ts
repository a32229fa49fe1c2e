/** The autoencoder: training behaviour (Node, cpu and wasm), and on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { tensorSource } from '@vae/core';
import { expectNoLeaks, maxAbsDifference } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../io';
import { memoryHandler } from '../testing/concerns.test-utils';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { binaryImages8, binaryPrototypes } from '../testing/toy';
import { Autoencoder } from './autoencoder.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 3 };
const wasm = () => tf.getBackend() === 'wasm';

async function saved(model: Autoencoder): Promise<tf.io.IOHandler> {
  const handler = memoryHandler();
  await saveModel(model, handler);
  return handler;
}

describe('Autoencoder: training behaviour (Node only: too slow for the browser tests)', () => {
  it('trains a convolutional encoder and decoder on every backend (core convolutions), wasm included', async () => {
    const model = new Autoencoder({
      inputShape: [8, 8, 1],
      network: 'conv',
      filters: [4, 8],
      hiddenUnits: [],
      latentDim: 4,
      seed: 6,
    });
    expect(Object.keys(model.variables)).toEqual([
      'encoder/conv0/kernel',
      'encoder/conv0/bias',
      'encoder/conv1/kernel',
      'encoder/conv1/bias',
      'encoder/code/kernel',
      'encoder/code/bias',
      'decoder/project/kernel',
      'decoder/project/bias',
      'decoder/deconv0/kernel',
      'decoder/deconv0/bias',
      'decoder/deconv1/kernel',
      'decoder/deconv1/bias',
    ]);
    const { x } = binaryImages8(16);
    const data = tensorSource(x);
    expect(model.reconstruct(x).shape).toEqual([16, 8, 8, 1]);
    const start = await model.evaluate(data);
    await expectNoLeaks(() => model.fit(data, { epochs: 10, batchSize: 8, seed: 1, learningRate: 1e-2 }));
    expect((await model.evaluate(data)).total).toBeLessThan(start.total);
    const loaded = await loadModel(await saved(model));
    expect(
      maxAbsDifference(
        await model.reconstruct(x).data(),
        await (loaded as Autoencoder).reconstruct(x).data(),
      ),
    ).toBe(0);
    loaded.dispose();
    x.dispose();
    model.dispose();
  });

  it("refuses on wasm to train a user's encoder with tfjs' own convolutions, naming the alternatives", async () => {
    const encoder = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, strides: 2, padding: 'same' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 4, activation: 'sigmoid' }),
      ],
    });
    const model = new Autoencoder({ inputShape: [8, 8, 1], latentDim: 4, hiddenUnits: [] }, { encoder });
    const { x } = binaryImages8(16);
    const data = tensorSource(x);
    if (wasm()) {
      await expect(model.fit(data, { epochs: 1 })).rejects.toThrow(
        /wasm backend of tfjs 4.22 cannot train these layers: conv2d.*Conv2D: no Conv2DBackpropFilter kernel.*'cpu', 'webgl'.*ConvLayer/,
      );
    } else {
      const history = await model.fit(data, { epochs: 2, batchSize: 8, seed: 1 });
      expect(history.epochs).toHaveLength(2);
    }
    x.dispose();
    model.dispose();
  });
  it('scores anomalies by reconstruction error', async () => {
    const model = new Autoencoder({ ...small, seed: 5 });
    const { x } = binaryPrototypes(16);
    await model.fit(tensorSource(x), { epochs: 60, batchSize: 16, seed: 1, learningRate: 1e-2 });
    const first = tf.slice(x, 0, 4);
    const patterns = [0xaaaa, 0x5555, 0x6666, 0x9999].flatMap((bits) =>
      Array.from({ length: 16 }, (_, i) => (bits >> i) & 1),
    );
    const odd = tf.tensor4d(patterns, [4, 4, 4, 1]); // stripes never seen in training
    const typical = await model.score(first);
    const unusual = await model.score(odd);
    expect(Math.min(...unusual)).toBeGreaterThan(Math.max(...typical));
    tf.dispose([x, odd, first]);
    model.dispose();
  });
  it('can be overcomplete (code larger than the input)', async () => {
    const model = new Autoencoder({ inputShape: [4, 4, 1], hiddenUnits: [], latentDim: 40, seed: 4 });
    const { x } = binaryPrototypes(16);
    const start = await model.evaluate(tensorSource(x));
    await model.fit(tensorSource(x), { epochs: 30, batchSize: 16, seed: 1, learningRate: 1e-2 });
    const end = await model.evaluate(tensorSource(x));
    expect(model.encode(x).shape).toEqual([16, 40]);
    expect(end.reconstruction).toBeLessThan(start.reconstruction / 4);
    x.dispose();
    model.dispose();
  });
});

describe.skipIf(!mnistTestsEnabled(tf.getBackend()))('Autoencoder on MNIST', () => {
  it('reconstructs test digits well through a 64-unit code', async () => {
    const mnist = mnistSources(8000, 1000);
    // relu codes train faster than the notes' sigmoid ones from this initialization (about 87 vs 120 nats here)
    const model = new Autoencoder({ latentDim: 64, codeActivation: 'relu', seed: 1 });
    await model.fit(mnist.train, { epochs: 4, batchSize: 128, seed: 1, learningRate: 3e-3 });
    const result = await model.evaluate(mnist.test);
    console.log(`Autoencoder MNIST: test cross-entropy ${result.reconstruction.toFixed(1)} nats/image`);
    expect(result.reconstruction).toBeLessThan(115); // about 107 here; the mean image alone gives about 206
    mnist.dispose();
    model.dispose();
  });
});
