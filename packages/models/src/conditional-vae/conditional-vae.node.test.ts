/** The conditional VAE: training behaviour (Node, cpu and wasm), and on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { binaryPrototypes } from '../testing/toy';
import { ConditionalVAE } from './conditional-vae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2, numClasses: 4 };

describe('ConditionalVAE: training behaviour (Node only: too slow for the browser tests)', () => {
  it('generates the chosen class', async () => {
    const { x, labels } = binaryPrototypes(32);
    const model = new ConditionalVAE({ ...small, seed: 2 });
    await model.fit(tensorSource(x, labels), { epochs: 60, batchSize: 16, seed: 1, learningRate: 1e-2 });
    const prototypes = tf.slice(x, 0, 4); // one example of each class, in order 0..3
    for (let label = 0; label < 4; label++) {
      const generated = model.sample(8, { labels: label, seed: label + 1, temperature: 0.5 });
      // the nearest prototype of every generated image is the requested class
      const distances = tf.tidy(() =>
        tf.sum(
          tf.square(
            tf.sub(tf.expandDims(tf.reshape(generated, [8, 16]), 1), tf.reshape(prototypes, [1, 4, 16])),
          ),
          2,
        ),
      );
      const nearest = await tf.argMin(distances, 1).data();
      expect(Array.from(nearest)).toEqual(new Array(8).fill(label));
      tf.dispose([generated, distances]);
    }
    tf.dispose([x, prototypes]);
    model.dispose();
  });
});

describe.skipIf(!mnistTestsEnabled(tf.getBackend()))('ConditionalVAE on MNIST', () => {
  it('generates digits of the requested class', async () => {
    const mnist = mnistSources(6000, 1000);
    // a small latent space leaves the class to the label (with 5 dimensions, z still carries it after 3 epochs)
    const model = new ConditionalVAE({ latentDim: 2, hiddenUnits: [256], numClasses: 10, seed: 1 });
    await model.fit(mnist.train, { epochs: 3, batchSize: 128, seed: 1, learningRate: 3e-3 });
    const result = await model.evaluate(mnist.test, { seed: 1 });
    // judge the generated digits by the nearest class mean of the training images
    const labels = tf.tensor1d(mnist.trainLabels, 'int32');
    const means = tf.tidy(() => {
      const oneHot = tf.cast(tf.oneHot(labels, 10), 'float32');
      const rows = tf.reshape(mnist.trainImages, [6000, 784]);
      return tf.div(tf.matMul(tf.transpose(oneHot), rows), tf.reshape(tf.sum(oneHot, 0), [10, 1]));
    });
    let correct = 0;
    for (let digit = 0; digit < 10; digit++) {
      const generated = model.sample(20, { labels: digit, seed: digit + 1 });
      const nearest = tf.tidy(() => {
        const rows = tf.reshape(generated, [20, 1, 784]);
        return tf.argMin(tf.sum(tf.square(tf.sub(rows, tf.expandDims(means, 0))), 2), 1);
      });
      correct += Array.from(await nearest.data()).filter((c) => c === digit).length;
      tf.dispose([generated, nearest]);
    }
    const accuracy = correct / 200;
    console.log(
      `ConditionalVAE MNIST: test -ELBO ${result.total.toFixed(1)} nats/image; ${(100 * accuracy).toFixed(0)}% of ` +
        'generated digits nearest to the requested class mean',
    );
    expect(result.total).toBeLessThan(165); // about 154 here
    expect(accuracy).toBeGreaterThan(0.65); // about 0.76 here (10% by chance; real test digits: 0.79)
    tf.dispose([labels, means]);
    mnist.dispose();
    model.dispose();
  });
});
