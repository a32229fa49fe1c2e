/** The linear autoencoder: training behaviour (Node, cpu and wasm), and on real MNIST against PCA (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { describe, expect, it } from 'vitest';
import {
  covariance,
  orthonormalColumns,
  projectorDistance,
  topEigenvectors,
} from '../testing/linear-algebra';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { lowRankData } from '../testing/toy';
import { LinearAutoencoder } from './linear-autoencoder.model';

/** Fraction of the variance of centred rows that their projection onto the columns of `basis` keeps. */
async function explained(rows: tf.Tensor2D, mean: tf.Tensor, basis: number[][]): Promise<number> {
  const q = tf.tensor2d(basis);
  const fraction = tf.tidy(() => {
    const centred = tf.sub(rows, mean);
    const projected = tf.matMul(tf.matMul(centred, q), tf.transpose(q));
    return tf.sub(1, tf.div(tf.sum(tf.square(tf.sub(centred, projected))), tf.sum(tf.square(centred))));
  });
  const value = (await fraction.data())[0];
  tf.dispose([q, fraction]);
  return value;
}

describe('LinearAutoencoder: training behaviour (Node only: too slow for the browser tests)', () => {
  it("recovers PCA's principal subspace (squared error, centred inputs)", async () => {
    const data = lowRankData(256, 12, 3, 3);
    const model = new LinearAutoencoder({ inputShape: [12], latentDim: 3, seed: 1 });
    await model.fit(tensorSource(data), { epochs: 40, batchSize: 32, seed: 1, learningRate: 1e-2 });
    // the mean it centres with is the data mean
    const rows = (await data.array()) as number[][];
    const mean = Array.from({ length: 12 }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
    const learnedMean = Array.from(await model.dataMean.data());
    expect(Math.max(...learnedMean.map((m, j) => Math.abs(m - mean[j])))).toBeLessThan(1e-4);
    // the decoder's columns span the top-3 principal subspace
    const basis = model.decoderBasis();
    const autoencoder = orthonormalColumns((await basis.array()) as number[][]);
    const pca = topEigenvectors(covariance(rows), 3);
    const distance = projectorDistance(autoencoder, pca);
    expect(distance).toBeLessThan(0.02); // about 0.001 here
    tf.dispose([data, basis]);
    model.dispose();
  });
});

describe.skipIf(!mnistTestsEnabled(tf.getBackend()))('LinearAutoencoder on MNIST', () => {
  it("keeps nearly as much test variance as PCA's 16 leading components", async () => {
    const mnist = mnistSources(8000, 1000);
    const k = 16;
    const train = tf.reshape(mnist.trainImages, [8000, 784]) as tf.Tensor2D;
    const test = tf.reshape(mnist.testImages, [1000, 784]) as tf.Tensor2D;
    const model = new LinearAutoencoder({ inputShape: [28, 28, 1], latentDim: k, seed: 1 });
    await model.fit(mnist.train, { epochs: 3, batchSize: 128, seed: 1, learningRate: 3e-3 });
    const autoencoder = orthonormalColumns((await model.decoderBasis().array()) as number[][]);
    // PCA of the training images by subspace iteration on the covariance
    const mean = tf.mean(train, 0);
    const covariance = tf.tidy(() => {
      const centred = tf.sub(train, mean);
      return tf.div(tf.matMul(tf.transpose(centred), centred), 8000);
    });
    let basis = orthonormalColumns(
      (await tf.randomNormal([784, k], 0, 1, 'float32', 1).array()) as number[][],
    );
    for (let i = 0; i < 40; i++) {
      const next = tf.tidy(() => tf.matMul(covariance, tf.tensor2d(basis)));
      basis = orthonormalColumns((await next.array()) as number[][]);
      next.dispose();
    }
    const pca = await explained(test, mean, basis);
    const ours = await explained(test, model.dataMean, autoencoder);
    console.log(
      `LinearAutoencoder MNIST: test variance kept ${ours.toFixed(3)} vs PCA ${pca.toFixed(3)} (k = ${k})`,
    );
    expect(ours).toBeGreaterThan(0.9 * pca); // 0.54 vs 0.58 here, after 3 epochs of 8000 images
    tf.dispose([train, test, mean, covariance]);
    mnist.dispose();
    model.dispose();
  });
});
