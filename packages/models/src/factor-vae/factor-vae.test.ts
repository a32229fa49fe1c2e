import * as tf from '@tensorflow/tfjs-core';
import {
  binaryCrossEntropyWithLogits,
  permuteDimensions,
  Random,
  reparameterize,
  tensorSource,
} from '@vae/core';
import { expectClose, expectNoLeaks, maxAbsDifference } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../io';
import { describeConcerns, memoryHandler, weightsOf } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { mainVariables } from '../training/trainable';
import { VAE } from '../vae/vae.model';
import { FactorVAE } from './factor-vae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 3, discriminatorUnits: [16, 16] };

describeConcerns('FactorVAE', {
  // gamma 1: the discriminator's own step raises the TC estimate the VAE's one step lowered
  create: (seed) => new FactorVAE({ ...small, gamma: 1, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
  learningRate: 1e-2,
});

describe('FactorVAE', () => {
  it("adds gamma times the mean discriminator logit of the batch's draws to the VAE's objective", async () => {
    const model = new FactorVAE({ ...small, gamma: 7, seed: 1 });
    const vae = new VAE({ ...small, seed: 1 });
    const { x } = binaryPrototypes(8);
    const { total, terms } = model.trainingLoss(x, { seed: 3 });
    const plain = vae.trainingLoss(x, { seed: 3 });
    const expected = tf.tidy(() => {
      const { mean, logVar } = model.encode(x);
      return tf.mul(7, tf.mean(model.discriminate(reparameterize(mean, logVar, { seed: 3 }))));
    });
    await expectClose(terms.regularizer, expected, { rtol: 1e-5, atol: 1e-6 });
    await expectClose(total, tf.add(plain.total, expected), { rtol: 1e-5 });
    tf.dispose([x, total, expected, plain.total, ...Object.values(terms), ...Object.values(plain.terms)]);
    model.dispose();
    vae.dispose();
  });

  it('trains the discriminator with its own optimizer on joint vs dimension-shuffled draws', async () => {
    const model = new FactorVAE({ ...small, gamma: 0, beta: 0.01, discriminatorLearningRate: 3e-3, seed: 2 });
    const names = model.auxiliaryObjective.variableNames;
    expect(names).toEqual([
      'discriminator/hidden0/kernel',
      'discriminator/hidden0/bias',
      'discriminator/hidden1/kernel',
      'discriminator/hidden1/bias',
      'discriminator/logit/kernel',
      'discriminator/logit/bias',
    ]);
    // the VAE's optimizer leaves the discriminator alone
    expect(Object.keys(mainVariables(model)).some((n) => n.startsWith('discriminator/'))).toBe(false);
    const { x } = binaryPrototypes(8);
    // the loss is the halved cross-entropy of labelling draws 1 and their shuffle 0
    const loss = model.discriminatorLoss(x, { seed: 5 });
    const expected = tf.tidy(() => {
      const { mean, logVar } = model.encode(x);
      const z = reparameterize(mean, logVar, { seed: 5 });
      const shuffled = permuteDimensions(z, new Random(5).nextSeed());
      const joint = tf.reshape(model.discriminate(z), [-1, 1]);
      const product = tf.reshape(model.discriminate(shuffled), [-1, 1]);
      return tf.mul(
        0.5,
        tf.add(
          binaryCrossEntropyWithLogits(tf.onesLike(joint), joint),
          binaryCrossEntropyWithLogits(tf.zerosLike(product), product),
        ),
      );
    });
    await expectClose(loss, expected, { rtol: 1e-5 });
    tf.dispose([loss, expected]);
    // With beta 0.01 and gamma 0 the VAE's codes of the 4 prototypes become 4 tight clusters, far from a product
    // of marginals, and the discriminator learns to tell draws from their shuffle: well below log 2 (chance).
    const data = binaryPrototypes(64).x;
    const average = async () => {
      let sum = 0;
      for (let k = 0; k < 10; k++) sum += (await model.discriminatorLoss(data, { seed: 100 + k }).data())[0];
      return sum / 10;
    };
    expect(Math.abs((await average()) - Math.log(2))).toBeLessThan(0.05);
    await model.fit(tensorSource(data), { epochs: 75, batchSize: 64, seed: 0, learningRate: 1e-2 });
    expect(await average()).toBeLessThan(0.5);
    data.dispose();
    await expectNoLeaks(() => model.discriminatorLoss(x, { seed: 1 }).dispose());
    x.dispose();
    model.dispose();
  });

  it("resumes from a checkpoint exactly, the discriminator's optimizer state included", async () => {
    const { x } = binaryPrototypes(24);
    const data = tensorSource(x);
    const options = { batchSize: 8, seed: 3, learningRate: 1e-2 };
    const straight = new FactorVAE({ ...small, seed: 2 });
    await straight.fit(data, { ...options, epochs: 4 });
    const expected = await weightsOf(straight);
    straight.dispose();
    const handler = memoryHandler();
    const first = new FactorVAE({ ...small, seed: 2 });
    await first.fit(data, { ...options, epochs: 2, checkpoint: { handler } });
    first.dispose();
    const { model, checkpoint } = await loadCheckpoint(handler, { as: FactorVAE });
    expect(checkpoint.auxiliaryOptimizer?.className).toBe('Adam');
    expect(checkpoint.auxiliaryOptimizer?.weights.length).toBe(1 + 2 * 6);
    await model.fit(data, { ...options, epochs: 4, resumeFrom: checkpoint });
    checkpoint.dispose();
    const resumed = await weightsOf(model);
    // Bit for bit on cpu and wasm; WebGL's float32 textures round differently between runs (6e-7 seen), as fit.test.
    const gpu = ['webgl', 'webgpu'].includes(tf.getBackend());
    for (const key of Object.keys(expected))
      expect(maxAbsDifference(resumed[key], expected[key]), key).toBeLessThanOrEqual(gpu ? 1e-5 : 0);
    model.dispose();
    x.dispose();
  });

  it('names bad config', () => {
    expect(() => new FactorVAE({ gamma: -1 })).toThrow(/gamma must be a finite number >= 0/);
    expect(() => new FactorVAE({ discriminatorUnits: [0] })).toThrow(/discriminatorUnits must be a list/);
    expect(() => new FactorVAE({ discriminatorBetas: [0.5, 1] })).toThrow(
      /discriminatorBetas must be two numbers/,
    );
  });
});
