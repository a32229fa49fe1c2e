import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { expectClose } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { ConditionalVAE } from './conditional-vae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2, numClasses: 4 };

describeConcerns('ConditionalVAE', {
  create: (seed) => new ConditionalVAE({ ...small, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
});

describe('ConditionalVAE', () => {
  it('appends the one-hot label to the encoder input and to the decoder input', async () => {
    const model = new ConditionalVAE({ ...small, seed: 1 });
    const v = model.variables;
    expect(v['encoder/hidden0/kernel'].shape).toEqual([16 + 4, 8]);
    expect(v['decoder/hidden0/kernel'].shape).toEqual([2 + 4, 8]);
    const z = tf.randomNormal([2, 2], 0, 1, 'float32', 3);
    const expected = tf.tidy(() => {
      const input = tf.concat(
        [
          z,
          tf.tensor2d([
            [0, 0, 1, 0],
            [1, 0, 0, 0],
          ]),
        ],
        1,
      );
      const h = tf.relu(tf.add(tf.matMul(input, v['decoder/hidden0/kernel']), v['decoder/hidden0/bias']));
      return tf.reshape(
        tf.sigmoid(tf.add(tf.matMul(h, v['decoder/logits/kernel']), v['decoder/logits/bias'])),
        [2, 4, 4, 1],
      );
    });
    await expectClose(model.decode(z, [2, 0]), expected);
    tf.dispose([z, expected]);
    model.dispose();
  });

  it('samples a class with one label for all draws; generate is its deprecated alias', async () => {
    const model = new ConditionalVAE({ ...small, seed: 1 });
    const one = model.sample(3, { labels: 2, seed: 5 });
    const each = model.sample(3, { labels: [2, 2, 2], seed: 5 });
    const old = model.generate(2, 3, { seed: 5 });
    await expectClose(one, await each.data());
    await expectClose(old, await each.data());
    tf.dispose([one, each, old]);
    model.dispose();
  });

  it('needs labels, and says so', async () => {
    const model = new ConditionalVAE({ ...small });
    const { x } = binaryPrototypes(4);
    expect(() => model.encode(x)).toThrow(/pass the class labels/);
    expect(() => model.encode(x, [0, 1, 2])).toThrow(/3 labels for 4 examples/);
    expect(() => model.encode(x, [0, 1, 2, 7])).toThrow(/label 7 is not an integer in \[0, 4\)/);
    await expect(model.fit(tensorSource(x), { epochs: 1 })).rejects.toThrow(/needs class labels/);
    x.dispose();
    model.dispose();
  });
});
