import * as tf from '@tensorflow/tfjs-core';
import { Random, tensorSource } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { pca, principalAngles } from './pca';

describe('pca', () => {
  // Rows +-a u1, +-b u2, +-c u3 with orthonormal u: the sample covariance (divided by n - 1 = 5) is
  // (2 / 5) (a^2 u1 u1^T + b^2 u2 u2^T + c^2 u3 u3^T).
  const [a, b, c] = [3, 2, 1];
  const u = [
    [2 / 3, 2 / 3, 1 / 3, 0],
    [-2 / 3, 1 / 3, 2 / 3, 0],
    [1 / 3, -2 / 3, 2 / 3, 0],
  ];
  const shift = [1, -2, 0.5, 4];
  const rows = [a, -a, b, -b, c, -c].map((scale, i) =>
    u[Math.floor(i / 2)].map((v, j) => shift[j] + scale * v),
  );

  it('finds the principal directions and explained variance of constructed data', async () => {
    const result = await pca(rows);
    expect(result.examples).toBe(6);
    expect(result.components.rows).toBe(4);
    expect(Array.from(result.mean)).toEqual(shift.map((v) => expect.closeTo(v, 6)));
    const expected = [a, b, c, 0].map((s) => (2 * s * s) / 5);
    for (const [k, v] of expected.entries()) expect(result.explainedVariance[k]).toBeCloseTo(v, 4);
    expect(result.totalVariance).toBeCloseTo((2 * (a * a + b * b + c * c)) / 5, 4);
    const total = a * a + b * b + c * c;
    expect(result.explainedVarianceRatio[0]).toBeCloseTo((a * a) / total, 5);
    expect(result.explainedVarianceRatio[1]).toBeCloseTo((b * b) / total, 5);
    for (let k = 0; k < 3; k++) {
      const component = Array.from(result.components.values.subarray(k * 4, k * 4 + 4));
      const dot = component.reduce((s, v, j) => s + v * u[k][j], 0);
      expect(Math.abs(dot)).toBeCloseTo(1, 5);
    }
  });

  it('reads a BatchSource and a tensor in batches, without leaks', async () => {
    const tensor = tf.tensor2d(rows);
    const fromSource = await expectNoLeaks(() => pca(tensorSource(tensor), { components: 2, batchSize: 4 }));
    const fromTensor = await expectNoLeaks(() => pca(tensor, { components: 2, batchSize: 5 }));
    expect(fromSource.components.rows).toBe(2);
    for (let i = 0; i < 8; i++) {
      expect(fromSource.components.values[i]).toBeCloseTo(fromTensor.components.values[i], 5);
    }
    expect(fromSource.explainedVariance[0]).toBeCloseTo((2 * a * a) / 5, 4);
    tensor.dispose();
  });

  it('rejects too few examples and bad component counts', async () => {
    await expect(pca([[1, 2]])).rejects.toThrow(/at least 2 examples/);
    await expect(pca(rows, { components: 5 })).rejects.toThrow(/exceeds the input dimension/);
    await expect(pca(rows, { components: 0 })).rejects.toThrow(/components/);
  });
});

describe('principalAngles', () => {
  it('measures known angles between subspaces', async () => {
    const t = 0.3;
    const line = await principalAngles([[2, 0, 0]], [[Math.cos(t), Math.sin(t), 0]]);
    expect(line.angles[0]).toBeCloseTo(t, 8);
    const planes = await principalAngles(
      [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
      ],
      [
        [3, 0, 0, 0],
        [0, Math.cos(t), Math.sin(t), 0],
      ],
    );
    expect(Array.from(planes.angles)).toEqual([expect.closeTo(0, 7), expect.closeTo(t, 8)]);
    expect(planes.largestAngle).toBeCloseTo(t, 8);
    expect(planes.distance).toBeCloseTo(t, 6);
    const orthogonal = await principalAngles([[1, 0, 0]], [[0, 0, 5]]);
    expect(orthogonal.angles[0]).toBeCloseTo(Math.PI / 2, 12);
  });

  it('finds a linear autoencoder subspace equal to PCA whatever its basis', async () => {
    const random = new Random(3);
    const data = Array.from({ length: 200 }, () => {
      const [p, q] = [random.next() * 4 - 2, random.next() * 2 - 1];
      return [p + q, p - q, 0.5 * p, 2 * q, 0.001 * (random.next() - 0.5)];
    });
    const { components } = await pca(data, { components: 2 });
    // A decoder kernel [latentDim, inputSize] whose rows are mixtures of the top two components.
    const c = components.values;
    const mix = [
      [0.7, -1.3],
      [2, 0.4],
    ];
    const kernel = tf.tensor2d(
      mix.map((m) => Array.from({ length: 5 }, (_, j) => m[0] * c[j] + m[1] * c[5 + j])),
    );
    const same = await expectNoLeaks(() => principalAngles(kernel, components));
    expect(same.largestAngle).toBeLessThan(1e-6);
    const other = await principalAngles(kernel, [
      [1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1],
    ]);
    expect(other.largestAngle).toBeGreaterThan(1);
    kernel.dispose();
  });

  it('rejects mismatched and dependent bases', async () => {
    await expect(principalAngles([[1, 0]], [[1, 0, 0]])).rejects.toThrow(/same space/);
    await expect(
      principalAngles(
        [
          [1, 2],
          [2, 4],
        ],
        [[1, 0]],
      ),
    ).rejects.toThrow(/linear combination/);
    await expect(principalAngles([], [[1]])).rejects.toThrow(/at least one row/);
    await expect(principalAngles([[Number.POSITIVE_INFINITY]], [[1]])).rejects.toThrow(/finite/);
  });
});
