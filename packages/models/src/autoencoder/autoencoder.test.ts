import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { binaryCrossEntropyWithLogits, l2Penalty, squaredError, tensorSource } from '@vae/core';
import { expectClose, expectNoLeaks, maxAbsDifference } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../io';
import { describeConcerns, memoryHandler } from '../testing/concerns.test-utils';
import { binaryImages8, binaryPrototypes, lowRankData } from '../testing/toy';
import { Autoencoder } from './autoencoder.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 3 };
const wasm = () => tf.getBackend() === 'wasm';

describeConcerns('Autoencoder', {
  create: (seed) => new Autoencoder({ ...small, seed }),
  data: () => binaryPrototypes(16),
});

describe('Autoencoder', () => {
  it("follows the notes' one-layer form by default: 784 -> 64 sigmoid -> 784", () => {
    const model = new Autoencoder({ seed: 1 });
    const shapes = Object.fromEntries(Object.entries(model.variables).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      'encoder/code/kernel': [784, 64],
      'encoder/code/bias': [64],
      'decoder/output/kernel': [64, 784],
      'decoder/output/bias': [784],
    });
    model.dispose();
  });

  it('uses a sigmoid output and cross-entropy for binary data, a linear output and squared error for real data', async () => {
    const { x } = binaryPrototypes(8);
    const binary = new Autoencoder({ ...small, seed: 2 });
    const rows = tf.reshape(x, [8, 16]);
    const logits = tf.tidy(() => {
      const p = tf.clipByValue(binary.reconstruct(rows), 1e-7, 1 - 1e-7);
      return tf.sub(tf.log(p), tf.log1p(tf.neg(p)));
    });
    const { terms } = binary.trainingLoss(x);
    await expectClose(terms.reconstruction, binaryCrossEntropyWithLogits(rows, logits), { rtol: 1e-3 });
    const probabilities = await binary.reconstruct(x).data();
    expect(probabilities.every((p) => p > 0 && p < 1)).toBe(true);

    const data = lowRankData(8, 16, 2);
    const real = new Autoencoder({ ...small, data: 'real', codeActivation: 'linear', seed: 2 });
    const out = real.reconstruct(data);
    const loss = real.trainingLoss(data);
    await expectClose(loss.terms.reconstruction, squaredError(data, out));
    expect((await out.data()).some((v) => v < 0 || v > 1)).toBe(true); // linear outputs are not squashed
    tf.dispose([x, rows, logits, terms.reconstruction, data, out, loss.total]);
    binary.dispose();
    real.dispose();
  });

  it('adds lambda |W|^2 over the kernels as its regularizer', async () => {
    const model = new Autoencoder({ ...small, weightDecay: 0.01, seed: 3 });
    const { x } = binaryPrototypes(8);
    const { total, terms } = model.trainingLoss(x);
    const kernels = Object.entries(model.variables)
      .filter(([name]) => name.endsWith('/kernel'))
      .map(([, v]) => v);
    const expected = tf.mul(0.01, l2Penalty(kernels));
    await expectClose(terms.regularizer, expected);
    await expectClose(total, tf.add(terms.reconstruction, expected));
    const evaluated = await model.evaluate(tensorSource(x));
    expect(evaluated.regularizer).toBeGreaterThan(0);
    expect(evaluated.kl).toBe(0);
    tf.dispose([x, total, ...Object.values(terms), expected]);
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

  it('trains a convolutional encoder and decoder (cpu, webgl), and names the alternatives on wasm', async () => {
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
    if (wasm()) {
      await expect(model.fit(data, { epochs: 1 })).rejects.toThrow(
        /wasm backend .* cannot train.*'cpu', 'webgl'/,
      );
    } else {
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
    }
    x.dispose();
    model.dispose();
  });

  it('accepts user-supplied tfjs Layers models as encoder and decoder, and saves their topology', async () => {
    const encoder = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [16], units: 6, activation: 'relu' }),
        tfl.layers.dense({ units: 3, activation: 'sigmoid' }),
      ],
    });
    const decoder = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 16 })] });
    const model = new Autoencoder({ inputShape: [4, 4, 1], latentDim: 3 }, { encoder, decoder });
    expect(model.config.layers?.encoder?.className).toBe('Sequential');
    const { x } = binaryPrototypes(16);
    const data = tensorSource(x);
    const start = await model.evaluate(data);
    await model.fit(data, { epochs: 20, batchSize: 16, seed: 1, learningRate: 1e-2 });
    expect((await model.evaluate(data)).total).toBeLessThan(start.total);
    const loaded = (await loadModel(await saved(model))) as Autoencoder;
    expect(maxAbsDifference(await model.reconstruct(x).data(), await loaded.reconstruct(x).data())).toBe(0);
    expect(
      () =>
        new Autoencoder(
          { inputShape: [4, 4, 1], latentDim: 5 },
          { encoder: tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [16], units: 3 })] }) },
        ),
    ).toThrow(/encoder must output \[batch, 5\]/);
    x.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('names the problem with a bad config', () => {
    expect(() => new Autoencoder({ data: 'counts' as never })).toThrow(
      /Autoencoder config: data 'counts'.*'binary', 'real'/,
    );
    expect(() => new Autoencoder({ weightDecay: -1 })).toThrow(/weightDecay must be a number >= 0/);
    expect(() => new Autoencoder({ network: 'conv', inputShape: [28, 28, 1], filters: [8, 8, 8] })).toThrow(
      /must\s+divide by 8/,
    );
    expect(() => new Autoencoder({ network: 'conv', inputShape: [784] })).toThrow(/needs images/);
  });
});

async function saved(model: Autoencoder): Promise<tf.io.IOHandler> {
  const handler = memoryHandler();
  await saveModel(model, handler);
  return handler;
}
