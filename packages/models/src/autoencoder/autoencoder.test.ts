import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { binaryCrossEntropyWithLogits, l2Penalty, squaredError, tensorSource } from '@vae/core';
import { expectClose, maxAbsDifference } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../io';
import { describeConcerns, memoryHandler } from '../testing/concerns.test-utils';
import { binaryPrototypes, lowRankData } from '../testing/toy';
import { Autoencoder } from './autoencoder.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 3 };

describeConcerns('Autoencoder', {
  create: (seed) => new Autoencoder({ ...small, seed }),
  data: () => binaryPrototypes(16),
  browser: 'all',
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
