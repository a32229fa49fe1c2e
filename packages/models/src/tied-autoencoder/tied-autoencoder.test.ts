import * as tf from '@tensorflow/tfjs-core';
import { expectClose } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { TiedAutoencoder } from './tied-autoencoder.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 3 };

describeConcerns('TiedAutoencoder', {
  create: (seed) => new TiedAutoencoder({ ...small, seed }),
  data: () => binaryPrototypes(16),
});

describe('TiedAutoencoder', () => {
  it('decodes with the encoder kernels transposed (W* = W^T) and only its own biases', async () => {
    const model = new TiedAutoencoder({ ...small, seed: 1 });
    expect(Object.keys(model.variables)).toEqual([
      'encoder/hidden0/kernel',
      'encoder/hidden0/bias',
      'encoder/code/kernel',
      'encoder/code/bias',
      'decoder/hidden0/bias',
      'decoder/output/bias',
    ]);
    const v = model.variables;
    const z = tf.randomNormal([3, 3], 0, 1, 'float32', 2);
    const expected = tf.tidy(() => {
      const h = tf.relu(
        tf.add(tf.matMul(z, tf.transpose(v['encoder/code/kernel'])), v['decoder/hidden0/bias']),
      );
      const logits = tf.add(
        tf.matMul(h, tf.transpose(v['encoder/hidden0/kernel'])),
        v['decoder/output/bias'],
      );
      return tf.reshape(tf.sigmoid(logits), [3, 4, 4, 1]);
    });
    await expectClose(model.decode(z), expected);
    tf.dispose([z, expected]);
    model.dispose();
  });

  it('has about half the parameters of the untied autoencoder', () => {
    const model = new TiedAutoencoder({ seed: 1 });
    const count = Object.values(model.variables).reduce((n, v) => n + v.size, 0);
    expect(count).toBe(784 * 64 + 64 + 784);
    expect(() => new TiedAutoencoder({ network: 'conv' })).toThrow(/use network mlp/);
    model.dispose();
  });
});
