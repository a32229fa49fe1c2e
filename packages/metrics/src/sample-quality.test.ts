import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import {
  frechetDistance,
  frechetDistanceGaussians,
  kernelDistance,
  sampleQuality,
  trainFeatureClassifier,
} from './sample-quality';

describe('frechetDistanceGaussians', () => {
  it('is 0 for identical Gaussians and matches the closed forms of known pairs', () => {
    const c = [2, 1, 1, 3];
    expect(frechetDistanceGaussians([1, -2], c, [1, -2], c)).toBeCloseTo(0, 10);
    // 1-D: (m1 - m2)^2 + (s1 - s2)^2
    expect(frechetDistanceGaussians([1], [4], [3], [1])).toBeCloseTo(5, 10);
    // cov2 = 4 cov1: tr(cov1) (1 - 2)^2 = 5, plus |(1, 1)|^2 = 2
    expect(
      frechetDistanceGaussians(
        [0, 0],
        c,
        [1, 1],
        c.map((v) => 4 * v),
      ),
    ).toBeCloseTo(7, 10);
    // cov1 = I: sum_i (1 - sqrt(lambda_i))^2 over the eigenvalues 3 and 1 of cov2
    expect(frechetDistanceGaussians([0, 0], [1, 0, 0, 1], [0, 0], [2, 1, 1, 2])).toBeCloseTo(
      (1 - Math.sqrt(3)) ** 2,
      10,
    );
    // symmetric in its arguments
    expect(frechetDistanceGaussians([0, 1], [2, 1, 1, 2], [1, 0], c)).toBeCloseTo(
      frechetDistanceGaussians([1, 0], c, [0, 1], [2, 1, 1, 2]),
      10,
    );
    expect(() => frechetDistanceGaussians([0], [1], [0, 0], [1, 0, 0, 1])).toThrow(/two means of d values/);
  });
});

describe('frechetDistance', () => {
  it('estimates |m1 - m2|^2 from samples of two unit Gaussians, 0 for a set against itself', async () => {
    const a = tf.randomNormal([4000, 2], 0, 1, 'float32', 1);
    const b = tf.add(tf.randomNormal([4000, 2], 0, 1, 'float32', 2), 1);
    expect(await frechetDistance(a, a)).toBeCloseTo(0, 6);
    expect(Math.abs((await frechetDistance(a, b)) - 2)).toBeLessThan(0.15);
    await expect(frechetDistance(a, tf.zeros([3, 3]))).rejects.toThrow(/2 and 3 columns/);
    tf.dispose([a, b]);
  });
});

describe('kernelDistance', () => {
  it('is the unbiased MMD^2 with the cubic polynomial kernel, by enumeration', async () => {
    const x = [
      [0.5, -1],
      [1, 0.2],
      [-0.3, 0.4],
    ];
    const y = [
      [1, 1],
      [0, -0.5],
      [2, 0.1],
    ];
    const k = (p: number[], q: number[]) => ((p[0] * q[0] + p[1] * q[1]) / 2 + 1) ** 3;
    let kxx = 0;
    let kyy = 0;
    let kxy = 0;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        if (i !== j) {
          kxx += k(x[i], x[j]);
          kyy += k(y[i], y[j]);
        }
        kxy += k(x[i], y[j]);
      }
    const expected = (kxx + kyy) / 6 - (2 * kxy) / 9;
    const result = await kernelDistance(x, y, { subsets: 1, subsetSize: 3 });
    expect(result.mean).toBeCloseTo(expected, 10);
    expect(result.std).toBe(0);
  });

  it('is near 0 for two samples of one distribution and clearly positive for shifted ones', async () => {
    const a = tf.randomNormal([600, 4], 0, 1, 'float32', 3);
    const b = tf.randomNormal([600, 4], 0, 1, 'float32', 4);
    const c = tf.add(tf.randomNormal([600, 4], 0, 1, 'float32', 5), 0.7);
    const same = await kernelDistance(a, b, { subsets: 3, subsetSize: 200 });
    const apart = await kernelDistance(a, c, { subsets: 3, subsetSize: 200 });
    expect(Math.abs(same.mean)).toBeLessThan(0.05);
    expect(apart.mean).toBeGreaterThan(10 * Math.abs(same.mean) + 0.1);
    tf.dispose([a, b, c]);
  });
});

describe('trainFeatureClassifier and sampleQuality', () => {
  // four noisy 4x4 prototypes, labelled by prototype
  const prototypes = [0x0f0f, 0xf0f0, 0x3c3c, 0xc3c3].map((bits) =>
    Array.from({ length: 16 }, (_, i) => (bits >> i) & 1),
  );
  const make = (count: number, seed: number, classes = [0, 1, 2, 3]) => {
    const labels = Array.from({ length: count }, (_, i) => classes[i % classes.length]);
    const x = tf.tidy(() =>
      tf.add(
        tf.tensor4d(
          labels.flatMap((l) => prototypes[l]),
          [count, 4, 4, 1],
        ),
        tf.randomNormal([count, 4, 4, 1], 0, 0.2, 'float32', seed),
      ),
    );
    return { x, labels };
  };

  it('learns the classes, and ranks a sample of other classes far from the reference, without leaks', async () => {
    const train = make(400, 1);
    const test = make(200, 2);
    const classifier = await trainFeatureClassifier(train.x, {
      labels: train.labels,
      hidden: [32, 16],
      epochs: 10,
      batchSize: 50,
      learningRate: 1e-2,
      seed: 1,
    });
    expect(await classifier.accuracy(test.x, { labels: test.labels })).toBeGreaterThan(0.98);
    expect(classifier.featureSize).toBe(16);
    const similar = make(200, 3);
    const skewed = make(200, 4, [0, 0, 0, 1]);
    const near = await expectNoLeaks(() =>
      sampleQuality(classifier, test.x, similar.x, { subsets: 3, subsetSize: 200 }),
    );
    const far = await sampleQuality(classifier, test.x, skewed.x, { subsets: 3, subsetSize: 200 });
    const self = await sampleQuality(classifier, test.x, test.x, { subsets: 1, subsetSize: 200 });
    expect(self.frechet).toBeCloseTo(0, 4);
    expect(far.frechet).toBeGreaterThan(5 * near.frechet);
    expect(far.kernel.mean).toBeGreaterThan(5 * Math.abs(near.kernel.mean));
    expect(near.counts).toEqual([200, 200]);
    classifier.dispose();
    tf.dispose([train.x, test.x, similar.x, skewed.x]);
    await expect(trainFeatureClassifier(train.x)).rejects.toThrow(/no labels/);
  });
});
