import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { pca, projectLatents } from './projection';
import { umapEmbedding } from './umap';

/** A standard normal sample (Box-Muller) from a seeded generator. */
function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/** `perCluster` points around each of `centres`, with unit noise. */
function clusters(centres: number[][], perCluster: number, seed: number) {
  const random = new Random(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < perCluster * centres.length; i++) {
    const k = i % centres.length;
    rows.push(centres[k].map((c) => c + gaussian(random)));
    labels.push(k);
  }
  return { rows, labels };
}

const distance = (a: number[], b: number[]) => Math.hypot(...a.map((value, i) => value - b[i]));

describe('pca', () => {
  it('finds known principal axes, their variances and the projected coordinates', () => {
    // Points a u + b v + mean with u, v orthonormal in 3-D, a and b exactly centred.
    const angle = Math.PI / 6;
    const u = [Math.cos(angle), Math.sin(angle), 0];
    const v = [0, 0, 1];
    const mean = [5, -2, 1];
    const along = [-3, 3, -3, 3, 0, 0];
    const across = [1, 1, -1, -1, Math.SQRT2, -Math.SQRT2];
    const rows = along.map((a, i) => mean.map((m, j) => m + a * u[j] + across[i] * v[j]));
    const result = pca(rows, { components: 2 });
    result.mean.forEach((value, j) => {
      expect(value).toBeCloseTo(mean[j], 12);
    });
    // Sample variances (divisor n - 1): 36 / 5 and 8 / 5 (a and b are uncorrelated).
    expect(result.explainedVariance[0]).toBeCloseTo(36 / 5, 10);
    expect(result.explainedVariance[1]).toBeCloseTo(8 / 5, 10);
    expect(result.explainedVarianceRatio[0]).toBeCloseTo(36 / 44, 10);
    expect(result.explainedVarianceRatio[1]).toBeCloseTo(8 / 44, 10);
    // Orientation: the largest entry of each axis is positive.
    result.components[0].forEach((value, j) => {
      expect(value).toBeCloseTo(u[j], 10);
    });
    result.components[1].forEach((value, j) => {
      expect(value).toBeCloseTo(v[j], 10);
    });
    result.points.forEach(([first, second], i) => {
      expect(first).toBeCloseTo(along[i], 10);
      expect(second).toBeCloseTo(across[i], 10);
    });
  });

  it('accepts typed-array rows and checks them', () => {
    const rows = [new Float32Array([1, 2]), new Float32Array([3, 4]), new Float32Array([5, 7])];
    expect(pca(rows).points).toHaveLength(3);
    expect(() => pca([])).toThrow(/no rows/);
    expect(() => pca([[1, 2], [3]])).toThrow(/row 1 has 1 values but row 0 has 2/);
    expect(() => pca([[1, Number.NaN]])).toThrow(/non-finite/);
    expect(() => pca([[1, 2]], { components: 3 })).toThrow(/components must be an integer in \[1, 2\]/);
  });
});

describe('umapEmbedding', () => {
  const centres = [
    [0, 0, 0, 0, 0, 0, 0, 0],
    [30, 0, 0, 0, 0, 0, 0, 0],
    [0, 30, 0, 0, 0, 0, 30, 0],
  ];

  it('keeps well-separated clusters apart, repeatably for a seed', () => {
    const { rows, labels } = clusters(centres, 30, 7);
    const embedding = umapEmbedding(rows, { seed: 1, epochs: 200 });
    expect(embedding).toHaveLength(90);
    for (const point of embedding) expect(point.every(Number.isFinite)).toBe(true);
    // Every point's 5 nearest neighbours in the embedding are from its own cluster.
    embedding.forEach((point, i) => {
      const nearest = embedding
        .map((other, j) => ({ j, d: distance(point, other) }))
        .filter(({ j }) => j !== i)
        .sort((a, b) => a.d - b.d)
        .slice(0, 5);
      for (const { j } of nearest) expect(labels[j]).toBe(labels[i]);
    });
    // Cluster centroids lie far apart relative to the clusters' spread.
    const centroid = (k: number) => {
      const members = embedding.filter((_, i) => labels[i] === k);
      return [0, 1].map((axis) => members.reduce((sum, point) => sum + point[axis], 0) / members.length);
    };
    const spread = Math.max(...embedding.map((point, i) => distance(point, centroid(labels[i]))));
    for (const [a, b] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      expect(distance(centroid(a), centroid(b))).toBeGreaterThan(spread);
    }
    expect(umapEmbedding(rows, { seed: 1, epochs: 200 })).toEqual(embedding);
    expect(umapEmbedding(rows, { seed: 2, epochs: 200 })).not.toEqual(embedding);
  });

  it('handles tiny inputs and rejects bad options', () => {
    expect(umapEmbedding([[1, 2, 3]])).toEqual([[0, 0]]);
    const two = umapEmbedding([
      [0, 0, 0],
      [2, 0, 0],
    ]);
    expect(distance(two[0], two[1])).toBeCloseTo(2, 10);
    const few = umapEmbedding(clusters(centres, 2, 1).rows, { seed: 3 });
    expect(few).toHaveLength(6);
    expect(() => umapEmbedding([[1], [2], [3]], { neighbors: 1 })).toThrow(
      /neighbors must be an integer >= 2/,
    );
    expect(() => umapEmbedding([[1], [2], [3]], { minDistance: 2 })).toThrow(/minDistance/);
  });
});

describe('projectLatents', () => {
  it('keeps 2-D codes, reads tensors without leaking and names the axes', async () => {
    const codes = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, -6],
    ]);
    const projection = await expectNoLeaks(() => projectLatents(codes));
    expect(projection).toEqual({
      points: [
        [1, 2],
        [3, 4],
        [5, -6],
      ],
      xLabel: 'z0',
      yLabel: 'z1',
      method: 'none',
    });
    codes.dispose();
  });

  it('uses PCA for larger codes by default and UMAP on request', async () => {
    const { rows } = clusters(
      [
        [0, 0, 0, 0],
        [10, 10, 0, 0],
      ],
      10,
      4,
    );
    const codes = tf.tensor2d(rows);
    const viaPca = await expectNoLeaks(() => projectLatents(codes));
    expect(viaPca.method).toBe('pca');
    expect(viaPca.xLabel).toMatch(/^PC1 \(\d+% of variance\)$/);
    const direct = pca(rows).points;
    viaPca.points.forEach((point, i) => {
      expect(point[0]).toBeCloseTo(direct[i][0], 4);
      expect(point[1]).toBeCloseTo(direct[i][1], 4);
    });
    const viaUmap = await expectNoLeaks(() => projectLatents(codes, { method: 'umap', seed: 5, epochs: 50 }));
    expect(viaUmap).toMatchObject({ method: 'umap', xLabel: 'UMAP 1', yLabel: 'UMAP 2' });
    expect(viaUmap.points).toHaveLength(20);
    const oneDimensional = await projectLatents([[1], [2], [4]]);
    expect(oneDimensional.points).toEqual([
      [1, 0],
      [2, 0],
      [4, 0],
    ]);
    await expect(projectLatents(rows, { method: 'tsne' as never })).rejects.toThrow(/method must be/);
    const cube = tf.zeros([2, 2, 2]);
    await expect(projectLatents(cube)).rejects.toThrow(/shape \[n, latentSize\]/);
    tf.dispose([codes, cube]);
  });
});
