import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { binaryCrossEntropyWithLogits, klDivergenceStandardNormal, reparameterize } from './losses';
import { expectNoLeaks, maxAbsDifference, numericGradient } from './testing';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe('binaryCrossEntropyWithLogits', () => {
  it('equals -x log p - (1-x) log(1-p) summed over pixels, averaged over the batch', async () => {
    const x = [
      [0, 0.25, 1],
      [1, 0.5, 0],
    ];
    const l = [
      [-2, 0.3, 4],
      [1.5, -0.7, -3],
    ];
    const perExample = x.map((row, i) =>
      row.reduce((s, xi, j) => {
        const p = sigmoid(l[i][j]);
        return s - xi * Math.log(p) - (1 - xi) * Math.log(1 - p);
      }, 0),
    );
    const none = await expectNoLeaks(async () => {
      const t = binaryCrossEntropyWithLogits(tf.tensor2d(x), tf.tensor2d(l), { reduction: 'none' });
      const v = await t.data();
      tf.dispose(t);
      return v;
    }, 2); // the two inputs above are the caller's
    tf.disposeVariables();
    expect(maxAbsDifference(none, perExample)).toBeLessThan(1e-4);
    const mean = binaryCrossEntropyWithLogits(tf.tensor2d(x), tf.tensor2d(l));
    expect((await mean.data())[0]).toBeCloseTo((perExample[0] + perExample[1]) / 2, 4);
    const sum = binaryCrossEntropyWithLogits(tf.tensor2d(x), tf.tensor2d(l), { reduction: 'sum' });
    expect((await sum.data())[0]).toBeCloseTo(perExample[0] + perExample[1], 4);
  });

  it('stays finite and exact for huge logits, where the naive form overflows', async () => {
    const loss = binaryCrossEntropyWithLogits(tf.tensor2d([[1, 0]]), tf.tensor2d([[-200, 200]]), {
      reduction: 'none',
    });
    const [v] = await loss.data();
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeCloseTo(400, 3);
  });

  it('flattens image batches and rejects mismatched shapes with a helpful message', async () => {
    const images = tf.fill([2, 2, 2, 1], 0.5);
    const logits = tf.zeros([2, 2, 2, 1]);
    const v = await binaryCrossEntropyWithLogits(images, logits, { reduction: 'none' }).data();
    expect(v[0]).toBeCloseTo(4 * Math.log(2), 4);
    expect(() => binaryCrossEntropyWithLogits(tf.zeros([2, 3]), tf.zeros([2, 4]))).toThrow(/reshape/);
  });

  it('has the analytic gradient sigmoid(l) - x, matching central differences', async () => {
    const x = tf.tensor2d([[0.2, 1, 0]]);
    const l = tf.tensor2d([[0.5, -1.2, 2]]);
    const f = (logits: tf.Tensor) => binaryCrossEntropyWithLogits(x, logits) as tf.Scalar;
    const analytic = Array.from(await l.data()).map((li, i) => sigmoid(li) - [0.2, 1, 0][i]);
    const auto = await tf.grad(f)(l).data();
    const numeric = await numericGradient(f, l);
    expect(maxAbsDifference(auto, analytic)).toBeLessThan(1e-4);
    expect(maxAbsDifference(numeric, analytic)).toBeLessThan(2e-3);
  });

  it('hand-written backward: per-example weights, image batches and the targets gradient (-l) match central differences, no leaks', async () => {
    const x = tf.tensor4d([0.2, 1, 0, 0.7, 0.5, 0.1, 0.9, 0.3], [2, 2, 2, 1]);
    const l = tf.tensor4d([0.5, -1.2, 2, -0.3, 1.1, -2.5, 0.2, 3], [2, 2, 2, 1]);
    const weights = tf.tensor1d([1.5, -0.5]); // different upstream gradients per example
    const f = (targets: tf.Tensor, logits: tf.Tensor) =>
      tf.sum(
        tf.mul(binaryCrossEntropyWithLogits(targets, logits, { reduction: 'none' }), weights),
      ) as tf.Scalar;
    const [gx, gl] = await expectNoLeaks(() => tf.grads(f)([x, l]), 2);
    const numericL = await numericGradient((t) => f(x, t), l);
    const numericX = await numericGradient((t) => f(t, l), x);
    expect(maxAbsDifference(await gl.data(), numericL)).toBeLessThan(3e-3);
    expect(maxAbsDifference(await gx.data(), numericX)).toBeLessThan(3e-3);
    const lv = await l.data();
    expect(
      maxAbsDifference(
        await gx.data(),
        Array.from(lv, (v, i) => -v * (i < 4 ? 1.5 : -0.5)),
      ),
    ).toBeLessThan(1e-5);
    tf.dispose([x, l, weights, gx, gl]);
  });
});

describe('klDivergenceStandardNormal', () => {
  it('matches the closed form per example and is zero at the prior', async () => {
    const mu = [
      [0, 0],
      [1, -2],
    ];
    const lv = [
      [0, 0],
      [0.5, -1],
    ];
    const expected = mu.map((row, i) =>
      row.reduce((s, m, j) => s + 0.5 * (m * m + Math.exp(lv[i][j]) - 1 - lv[i][j]), 0),
    );
    const kl = klDivergenceStandardNormal(tf.tensor2d(mu), tf.tensor2d(lv), { reduction: 'none' });
    const v = await kl.data();
    expect(v[0]).toBeCloseTo(0, 6);
    expect(maxAbsDifference(v, expected)).toBeLessThan(1e-4);
  });

  it('has gradients mu and (exp(logVar) - 1) / 2, matching central differences', async () => {
    const mu = tf.tensor2d([[0.3, -0.8]]);
    const lv = tf.tensor2d([[0.4, -0.6]]);
    const [gMu, gLv] = tf.grads(
      (m: tf.Tensor, l: tf.Tensor) => klDivergenceStandardNormal(m, l) as tf.Scalar,
    )([mu, lv]);
    expect(maxAbsDifference(await gMu.data(), [0.3, -0.8])).toBeLessThan(1e-5);
    expect(
      maxAbsDifference(await gLv.data(), [(Math.exp(0.4) - 1) / 2, (Math.exp(-0.6) - 1) / 2]),
    ).toBeLessThan(1e-5);
    const numeric = await numericGradient((l) => klDivergenceStandardNormal(mu, l) as tf.Scalar, lv);
    expect(maxAbsDifference(numeric, await gLv.data())).toBeLessThan(2e-3);
  });
});

describe('reparameterize', () => {
  it('draws z with the posterior mean and variance, reproducibly from a seed', async () => {
    const n = 4000;
    const mean = tf.fill([n, 2], 1.5);
    const logVar = tf.tensor2d(Array.from({ length: n }, () => [Math.log(4), Math.log(0.25)]));
    const z = reparameterize(mean, logVar, { seed: 7 });
    const again = reparameterize(mean, logVar, { seed: 7 });
    expect(maxAbsDifference(await z.data(), await again.data())).toBe(0);
    const { mean: m, variance } = tf.moments(z, 0);
    const mv = await m.data();
    const vv = await variance.data();
    expect(mv[0]).toBeCloseTo(1.5, 1);
    expect(mv[1]).toBeCloseTo(1.5, 1);
    expect(Math.abs(vv[0] - 4) / 4).toBeLessThan(0.1);
    expect(Math.abs(vv[1] - 0.25) / 0.25).toBeLessThan(0.1);
  });

  it('passes gradients to mean (1) and logVar (eps * sigma / 2)', async () => {
    const mean = tf.tensor2d([[0.1, 0.2]]);
    const logVar = tf.tensor2d([[0.3, -0.4]]);
    const [gm, gl] = tf.grads(
      (m: tf.Tensor, l: tf.Tensor) => tf.sum(reparameterize(m, l, { seed: 3 })) as tf.Scalar,
    )([mean, logVar]);
    expect(Array.from(await gm.data())).toEqual([1, 1]);
    const z = await reparameterize(mean, logVar, { seed: 3 }).data();
    const eps = [(z[0] - 0.1) / Math.exp(0.15), (z[1] - 0.2) / Math.exp(-0.2)];
    const expected = [0.5 * eps[0] * Math.exp(0.15), 0.5 * eps[1] * Math.exp(-0.2)];
    expect(maxAbsDifference(await gl.data(), expected)).toBeLessThan(1e-4);
  });

  it('leaks no tensors', async () => {
    const mean = tf.zeros([3, 2]);
    const logVar = tf.zeros([3, 2]);
    await expectNoLeaks(() => tf.dispose(reparameterize(mean, logVar, { seed: 1, temperature: 0.5 })));
    await expectNoLeaks(() => tf.dispose(klDivergenceStandardNormal(mean, logVar)));
    await expectNoLeaks(() => tf.dispose(binaryCrossEntropyWithLogits(mean, logVar)));
  });

  it('leaks no tensors through the hand-written backward passes (reparameterization and KL)', async () => {
    const mean = tf.tensor2d([
      [0.1, -0.2],
      [0.3, 0.4],
    ]);
    const logVar = tf.tensor2d([
      [0.5, -0.6],
      [0.0, 0.2],
    ]);
    const grads = (f: (m: tf.Tensor, l: tf.Tensor) => tf.Tensor) =>
      tf.dispose(tf.grads((m: tf.Tensor, l: tf.Tensor) => tf.sum(f(m, l)) as tf.Scalar)([mean, logVar]));
    await expectNoLeaks(() => grads((m, l) => reparameterize(m, l, { seed: 2, temperature: 0.7 })));
    await expectNoLeaks(() => grads((m, l) => klDivergenceStandardNormal(m, l)));
    tf.dispose([mean, logVar]);
  });
});
