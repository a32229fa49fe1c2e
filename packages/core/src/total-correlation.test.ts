import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { checkGradients, expectClose, expectNoLeaks } from './testing';
import {
  klDecomposition,
  logAggregatePosterior,
  pairwiseLogDensities,
  permuteDimensions,
  totalCorrelation,
} from './total-correlation';

const logNormal = (x: number, m: number, lv: number) =>
  -0.5 * (Math.log(2 * Math.PI) + lv + (x - m) ** 2 / Math.exp(lv));
const lse = (v: number[]) => {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
};

const z = [
  [0.3, -1.2],
  [1.1, 0.4],
  [-0.7, 0.9],
];
const mean = [
  [0.5, -1.0],
  [0.8, 0.1],
  [-0.4, 1.3],
];
const logVar = [
  [-0.5, 0.2],
  [0.1, -1.0],
  [-0.3, -0.2],
];

/** The estimates by enumeration in plain JS. */
function byHand(N: number, estimator: 'mws' | 'mss') {
  const M = z.length;
  const D = z[0].length;
  const w = (i: number, j: number) =>
    estimator === 'mws' ? -Math.log(N * M) : i === j ? -Math.log(N) : Math.log((N - 1) / (N * (M - 1)));
  let mi = 0;
  let tc = 0;
  let dkl = 0;
  for (let i = 0; i < M; i++) {
    const joint = lse(
      z.map((_, j) => w(i, j) + z[i].reduce((s, v, d) => s + logNormal(v, mean[j][d], logVar[j][d]), 0)),
    );
    let product = 0;
    for (let d = 0; d < D; d++)
      product += lse(z.map((_, j) => w(i, j) + logNormal(z[i][d], mean[j][d], logVar[j][d])));
    const conditional = z[i].reduce((s, v, d) => s + logNormal(v, mean[i][d], logVar[i][d]), 0);
    const prior = z[i].reduce((s, v) => s + logNormal(v, 0, 0), 0);
    mi += (conditional - joint) / M;
    tc += (joint - product) / M;
    dkl += (product - prior) / M;
  }
  return { mi, tc, dkl };
}

describe('pairwiseLogDensities and logAggregatePosterior', () => {
  it('give log N(z_id; mean_jd, exp(logVar_jd)) for every pair, and the weighted log-mixtures', async () => {
    const pairs = pairwiseLogDensities(tf.tensor2d(z), tf.tensor2d(mean), tf.tensor2d(logVar));
    expect(pairs.shape).toEqual([3, 3, 2]);
    await expectClose(
      pairs,
      z.map((row) => mean.map((m, j) => row.map((v, d) => logNormal(v, m[d], logVar[j][d])))),
    );
    const { joint, marginals } = logAggregatePosterior(
      tf.tensor2d(z),
      tf.tensor2d(mean),
      tf.tensor2d(logVar),
      {
        datasetSize: 100,
      },
    );
    await expectClose(
      joint,
      z.map((row) =>
        lse(
          mean.map(
            (m, j) => -Math.log(300) + row.reduce((s, v, d) => s + logNormal(v, m[d], logVar[j][d]), 0),
          ),
        ),
      ),
    );
    await expectClose(
      marginals,
      z.map((row) =>
        row.map((v, d) => lse(mean.map((m, j) => -Math.log(300) + logNormal(v, m[d], logVar[j][d])))),
      ),
    );
  });
});

describe('klDecomposition', () => {
  for (const estimator of ['mws', 'mss'] as const) {
    it(`matches enumeration on 3 rows (${estimator}) and adds up to the Monte Carlo KL`, async () => {
      const parts = klDecomposition(tf.tensor2d(z), tf.tensor2d(mean), tf.tensor2d(logVar), {
        datasetSize: 50,
        estimator,
      });
      const expected = byHand(50, estimator);
      await expectClose(parts.mutualInformation, expected.mi, { rtol: 1e-4, atol: 1e-4 });
      await expectClose(parts.totalCorrelation, expected.tc, { rtol: 1e-4, atol: 1e-4 });
      await expectClose(parts.dimensionWiseKl, expected.dkl, { rtol: 1e-4, atol: 1e-4 });
      let mc = 0;
      for (let i = 0; i < 3; i++) {
        for (let d = 0; d < 2; d++)
          mc += (logNormal(z[i][d], mean[i][d], logVar[i][d]) - logNormal(z[i][d], 0, 0)) / 3;
      }
      const sum = tf.addN([parts.mutualInformation, parts.totalCorrelation, parts.dimensionWiseKl]);
      await expectClose(sum, mc, { rtol: 1e-4, atol: 1e-4 });
      tf.dispose([sum, ...Object.values(parts)]);
    });
  }

  it('gives a total correlation of 0 for a factorized aggregate posterior (a grid of equal Gaussians)', async () => {
    // q(z) = 1/9 sum_{a,b} N(z1; a, s) N(z2; b, s) = (1/3 sum_a N(z1; a, s)) (1/3 sum_b N(z2; b, s)) exactly.
    const grid = [-1, 0, 1].flatMap((a) => [-1, 0, 1].map((b) => [a, b]));
    const m = tf.tensor2d(grid);
    const lv = tf.fill([9, 2], Math.log(0.3));
    const sample = tf.add(m, tf.mul(0.2, tf.randomNormal([9, 2], 0, 1, 'float32', 3)));
    const options = { datasetSize: 9, estimator: 'mss' as const };
    await expectClose(totalCorrelation(sample, m, lv, options), 0, { atol: 1e-4 });
    // and one dimension alone has no total correlation, whatever the estimator
    await expectClose(
      totalCorrelation(
        tf.slice(sample, [0, 0], [9, 1]),
        tf.slice(m, [0, 0], [9, 1]),
        tf.slice(lv, [0, 0], [9, 1]),
        {
          datasetSize: 1000,
        },
      ),
      0,
      { atol: 1e-4 },
    );
    // the same means on the diagonal (z1 = z2) are fully correlated: TC -> log 3 for narrow posteriors
    const diagonal = tf.tensor2d(
      [-1, 0, 1].flatMap((a) => [
        [a, a],
        [a, a],
        [a, a],
      ]),
    );
    const narrow = tf.fill([9, 2], Math.log(1e-4));
    await expectClose(totalCorrelation(diagonal, diagonal, narrow, options), Math.log(3), { rtol: 1e-3 });
  });

  it('gives no mutual information nor total correlation when every posterior is the same (mss)', async () => {
    const m = tf.tensor2d([
      [0.3, -0.2],
      [0.3, -0.2],
      [0.3, -0.2],
      [0.3, -0.2],
    ]);
    const lv = tf.tensor2d([
      [-0.4, 0.3],
      [-0.4, 0.3],
      [-0.4, 0.3],
      [-0.4, 0.3],
    ]);
    const sample = tf.tensor2d([
      [0.1, 0.5],
      [1.0, -1.0],
      [-0.5, 0.2],
      [0.3, 0.0],
    ]);
    const parts = klDecomposition(sample, m, lv, { datasetSize: 1000, estimator: 'mss' });
    await expectClose(parts.mutualInformation, 0, { atol: 1e-4 });
    await expectClose(parts.totalCorrelation, 0, { atol: 1e-4 });
  });

  it('has gradients that match central differences', async () => {
    for (const estimator of ['mws', 'mss'] as const) {
      await checkGradients(
        (a, b, c) => {
          const parts = klDecomposition(a, b, c, { datasetSize: 20, estimator });
          return tf.addN([
            parts.mutualInformation,
            tf.mul(3, parts.totalCorrelation),
            tf.mul(0.5, parts.dimensionWiseKl),
          ]) as tf.Scalar;
        },
        [tf.tensor2d(z), tf.tensor2d(mean), tf.tensor2d(logVar)],
        { step: 1e-2 },
      );
    }
  });

  it('leaks no tensors and names bad input', async () => {
    const [a, b, c] = [tf.tensor2d(z), tf.tensor2d(mean), tf.tensor2d(logVar)];
    await expectNoLeaks(() => {
      tf.dispose(Object.values(klDecomposition(a, b, c, { datasetSize: 10 })));
      tf.dispose(Object.values(logAggregatePosterior(a, b, c, { datasetSize: 10, estimator: 'mss' })));
      totalCorrelation(a, b, c, { datasetSize: 10 }).dispose();
      permuteDimensions(a, 1).dispose();
    });
    expect(() => klDecomposition(a, b, c, { datasetSize: 2 })).toThrow(
      /datasetSize \(2\) is smaller than the batch/,
    );
    expect(() => klDecomposition(a, b, c, { datasetSize: 10, estimator: 'x' as never })).toThrow(
      /use 'mws' or 'mss'/,
    );
    expect(() => klDecomposition(a, tf.zeros([3, 3]), c, { datasetSize: 10 })).toThrow(/same shape|shape/);
    expect(() =>
      totalCorrelation(tf.slice(a, 0, 1), tf.slice(b, 0, 1), tf.slice(c, 0, 1), {
        datasetSize: 5,
        estimator: 'mss',
      }),
    ).toThrow(/batch of 2 or more/);
  });
});

describe('permuteDimensions', () => {
  it('shuffles each column independently, reproducibly under a seed', async () => {
    const rows = 50;
    const values = Array.from({ length: rows }, (_, i) => [i, 100 + i, 200 + i]);
    const x = tf.tensor2d(values);
    const p = await permuteDimensions(x, 7).array();
    const q = await permuteDimensions(x, 7).array();
    expect(q).toEqual(p);
    for (let d = 0; d < 3; d++) {
      const column = p.map((r) => r[d]).sort((a, b) => a - b);
      expect(column).toEqual(values.map((r) => r[d]));
    }
    // the columns were not shuffled together: rows no longer keep (i, 100 + i, 200 + i)
    const intact = p.filter((r) => r[1] === r[0] + 100 && r[2] === r[0] + 200).length;
    expect(intact).toBeLessThan(5);
    // gradients pass through to the entries they came from
    const g = (await tf
      .grad((t: tf.Tensor) => tf.sum(tf.mul(permuteDimensions(t, 7), tf.reshape(tf.range(0, 150), [50, 3]))))(
        x,
      )
      .array()) as number[][];
    const flatP = p.flat();
    for (let k = 0; k < 150; k++) {
      const value = flatP[k];
      const [i, d] = [value % 100, Math.floor(value / 100)];
      expect(g[i][d]).toBe(k);
    }
  });
});
