/**
 * Layers API tests that do not depend on the backend's numerics beyond what layers.test.ts checks on every backend:
 * every activation of DenseLayer, and training with fit. Node only, to keep the browser suite quick.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../dense';
import { expectClose } from '../testing';
import { compareWithTfjsDense, roundTrip } from './helpers.test-utils';
import { DenseLayer, MaskingNoiseLayer, TiedDenseLayer } from './index';

const x = tf.tensor2d([
  [0.5, -1, 0.2, 0.9],
  [-0.3, 0.8, -0.6, 0.1],
]);

describe('DenseLayer', () => {
  for (const activation of ACTIVATIONS) {
    it(`${activation}: equals tfjs dense (forward and autodiff gradients) with the same weights`, async () => {
      await compareWithTfjsDense(activation);
    });
  }
});

describe('a model built from the custom layers', () => {
  it('trains with fit (noise active) and reloads a tied sequential model by source name', async () => {
    const model = tfl.sequential({
      layers: [
        new MaskingNoiseLayer({ rate: 0.2, seed: 3, inputShape: [4] }),
        new DenseLayer({ units: 3, activation: 'sigmoid', seed: 1, name: 'enc', inputGradient: false }),
        new TiedDenseLayer({ source: 'enc', units: 4, seed: 2 }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const data = tf.tensor2d(
      Array.from({ length: 32 }, (_, i) => [i % 2, (i % 3) / 2, 0.5, ((i * 7) % 5) / 4]),
    );
    const history = await model.fit(data, data, { epochs: 15, batchSize: 8, verbose: 0, shuffle: false });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    const { loaded } = await roundTrip(model);
    await expectClose(loaded.predict(x) as tf.Tensor, await (model.predict(x) as tf.Tensor).data(), {
      rtol: 0,
      atol: 1e-6,
    });
  });
});
