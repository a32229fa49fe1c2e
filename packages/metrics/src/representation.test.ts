import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import {
  adjustedRandIndex,
  clusteringAgreement,
  entropy,
  kMeans,
  linearProbeAccuracy,
  mutualInformation,
  nearestNeighbourAccuracy,
  normalizedMutualInformation,
} from './representation';

/** Seeded Gaussian blobs: `count` points per centre, labels are the centre indices times `labelScale`. */
function blobs(centres: number[][], count: number, spread: number, seed: number, labelScale = 1) {
  const random = new Random(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const codes: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    centres.forEach((centre, label) => {
      codes.push(centre.map((v) => v + spread * normal()));
      labels.push(label * labelScale);
    });
  }
  return { codes, labels };
}

const centres = [
  [0, 0, 0],
  [4, 0, 1],
  [0, 4, -1],
];

describe('nearestNeighbourAccuracy', () => {
  it('votes among the k nearest training codes', async () => {
    const split = {
      trainCodes: [[0], [1], [2], [10], [11], [12]],
      trainLabels: [7, 7, 7, 3, 3, 3],
      testCodes: [[0.5], [11.5], [6.2]],
      testLabels: [7, 3, 7],
    };
    const result = await nearestNeighbourAccuracy(split, { k: 3 });
    expect(Array.from(result.predictions)).toEqual([7, 3, 3]);
    expect(result.accuracy).toBeCloseTo(2 / 3, 12);
    expect((await nearestNeighbourAccuracy(split, { k: 1 })).predictions[2]).toBe(3);
  });

  it('breaks a tie between labels by the nearest neighbour', async () => {
    const split = {
      trainCodes: [[0], [1]],
      trainLabels: [0, 1],
      testCodes: [[0.4], [0.7]],
      testLabels: [0, 1],
    };
    const result = await nearestNeighbourAccuracy(split, { k: 2 });
    expect(Array.from(result.predictions)).toEqual([0, 1]);
    expect(result.accuracy).toBe(1);
  });

  it('separates blobs given as tensors, without leaks', async () => {
    const train = blobs(centres, 30, 0.5, 1);
    const test = blobs(centres, 10, 0.5, 2);
    const trainCodes = tf.tensor2d(train.codes);
    const testCodes = tf.tensor2d(test.codes);
    const result = await expectNoLeaks(() =>
      nearestNeighbourAccuracy({ trainCodes, trainLabels: train.labels, testCodes, testLabels: test.labels }),
    );
    expect(result.accuracy).toBe(1);
    tf.dispose([trainCodes, testCodes]);
  });

  it('rejects k < 1, k above the training size and mismatched lengths', async () => {
    const split = { trainCodes: [[0], [1]], trainLabels: [0, 1], testCodes: [[0.4]], testLabels: [0] };
    await expect(nearestNeighbourAccuracy(split, { k: 0 })).rejects.toThrow(
      /k must be an integer >= 1, got 0/,
    );
    await expect(nearestNeighbourAccuracy(split, { k: 3 })).rejects.toThrow(/exceeds the 2 training codes/);
    await expect(nearestNeighbourAccuracy({ ...split, trainLabels: [0] })).rejects.toThrow(
      /different lengths/,
    );
    await expect(nearestNeighbourAccuracy({ ...split, testCodes: [[0, 1]] })).rejects.toThrow(
      /1 values per row/,
    );
    await expect(nearestNeighbourAccuracy({ ...split, testLabels: [0.5] }, { k: 1 })).rejects.toThrow(
      /integers/,
    );
  });
});

describe('linearProbeAccuracy', () => {
  it('reaches full accuracy on separable codes whatever their scale', async () => {
    const scaled = centres.map((centre) => centre.map((v) => 1000 * v + 5000));
    const train = blobs(scaled, 40, 400, 3, 2);
    const test = blobs(scaled, 20, 400, 4, 2);
    const split = {
      trainCodes: train.codes,
      trainLabels: train.labels,
      testCodes: test.codes,
      testLabels: test.labels,
    };
    const result = await linearProbeAccuracy(split);
    expect(result.trainAccuracy).toBe(1);
    expect(result.testAccuracy).toBe(1);
    expect(new Set(result.predictions)).toEqual(new Set([0, 2, 4]));
    const again = await linearProbeAccuracy(split);
    expect(again.predictions).toEqual(result.predictions);
    const [trainCodes, testCodes] = [tf.tensor2d(train.codes), tf.tensor2d(test.codes)];
    const fromTensors = await expectNoLeaks(() => linearProbeAccuracy({ ...split, trainCodes, testCodes }));
    expect(fromTensors.predictions).toEqual(result.predictions);
    tf.dispose([trainCodes, testCodes]);
  });

  it('stays near chance when labels are unrelated to the codes', async () => {
    const random = new Random(9);
    const codes = (n: number) => Array.from({ length: n }, () => [random.next(), random.next()]);
    const labels = (n: number) => Array.from({ length: n }, () => random.nextInt(4));
    const result = await linearProbeAccuracy(
      { trainCodes: codes(400), trainLabels: labels(400), testCodes: codes(400), testLabels: labels(400) },
      { epochs: 5, seed: 1 },
    );
    expect(Math.abs(result.testAccuracy - 0.25)).toBeLessThan(0.08);
  });

  it('rejects bad options', async () => {
    const split = { trainCodes: [[0], [1]], trainLabels: [0, 1], testCodes: [[0.4]], testLabels: [0] };
    await expect(linearProbeAccuracy(split, { epochs: -1 })).rejects.toThrow(/epochs/);
    await expect(linearProbeAccuracy(split, { learningRate: Number.NaN })).rejects.toThrow(/learningRate/);
    await expect(linearProbeAccuracy({ ...split, testCodes: [], testLabels: [] })).rejects.toThrow(/empty/);
  });
});

describe('clustering agreement', () => {
  it('matches hand-computed adjusted Rand indices and normalized mutual information', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 12);
    expect(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(adjustedRandIndex([5, 5, 5], [1, 1, 1])).toBe(1);
    // H(a) = ln 2, H(b) = 1.5 ln 2, I = ln 2: ln 2 / (1.25 ln 2).
    expect(normalizedMutualInformation([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(0.8, 12);
    expect(normalizedMutualInformation([0, 0, 1, 1], [0, 1, 0, 1])).toBe(0);
    expect(normalizedMutualInformation([3, 3, 8, 8], [1, 1, 0, 0])).toBeCloseTo(1, 12);
    expect(normalizedMutualInformation([1, 1], [2, 2])).toBe(1);
    expect(entropy([0, 0, 1, 1])).toBeCloseTo(Math.LN2, 12);
    expect(mutualInformation([0, 1, 2, 3], [0, 1, 2, 3])).toBeCloseTo(Math.log(4), 12);
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(/different lengths/);
    expect(() => normalizedMutualInformation([], [])).toThrow(/empty/);
  });

  it('recovers blobs with seeded k-means++', async () => {
    const { codes, labels } = blobs(centres, 30, 0.4, 5, 10);
    const result = await clusteringAgreement(codes, labels, { seed: 2 });
    expect(result.adjustedRandIndex).toBeCloseTo(1, 12);
    expect(result.normalizedMutualInformation).toBeCloseTo(1, 12);
    expect(result.clustering.centroids.rows).toBe(3);
    const again = await clusteringAgreement(codes, labels, { seed: 2 });
    expect(again.clustering.assignments).toEqual(result.clustering.assignments);
  });

  it('scores near zero against unrelated labels, and reads tensors without leaks', async () => {
    const { codes } = blobs(centres, 40, 0.4, 6);
    const random = new Random(4);
    const labels = codes.map(() => random.nextInt(3));
    const tensor = tf.tensor2d(codes);
    const result = await expectNoLeaks(() => clusteringAgreement(tensor, labels, { restarts: 2 }));
    expect(Math.abs(result.adjustedRandIndex)).toBeLessThan(0.05);
    expect(result.normalizedMutualInformation).toBeLessThan(0.05);
    tensor.dispose();
  });

  it('handles duplicate points and rejects impossible cluster counts', async () => {
    const same = [[1], [1], [1], [1]];
    const tensor = tf.tensor2d(same);
    const result = await expectNoLeaks(() => kMeans(tensor, 2));
    tensor.dispose();
    expect(result.inertia).toBe(0);
    expect(new Set(result.assignments).size).toBe(2);
    await expect(kMeans(same, 5)).rejects.toThrow(/exceeds the 4 points/);
    await expect(kMeans(same, 0)).rejects.toThrow(/clusters \(k\) must be an integer >= 1/);
  });
});
