import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Dense } from './dense';
import {
  contractivePenalty,
  denseContractivePenalty,
  dipCovariancePenalty,
  l1Penalty,
  l2Penalty,
  sigmoidContractivePenalty,
  sparsityPenalty,
} from './regularizers';
import { checkGradients, closeness, expectClose, expectNoLeaks } from './testing';

const h = [
  [0.1, 0.8, 0.02],
  [0.3, 0.6, 0.04],
  [0.2, 0.9, 0.0],
];
const bernoulliKl = (rho: number, r: number) =>
  rho * Math.log(rho / r) + (1 - rho) * Math.log((1 - rho) / (1 - r));

describe('sparsityPenalty', () => {
  it('is sum_l KL(rho || rhoHat_l) with rhoHat the mean activation over the batch, zero at rhoHat = rho', async () => {
    const rho = 0.05;
    const rhoHat = [0.2, 0.7666666666666667, 0.02];
    await expectClose(
      sparsityPenalty(tf.tensor2d(h), rho),
      rhoHat.reduce((s, r) => s + bernoulliKl(rho, r), 0),
    );
    await expectClose(sparsityPenalty(tf.fill([4, 3], 0.05), rho), 0);
  });

  it('has the gradient (1/m) (-rho / rhoHat + (1 - rho) / (1 - rhoHat)) per activation', async () => {
    const rho = 0.1;
    const g = tf.grad((a: tf.Tensor) => sparsityPenalty(a, rho))(tf.tensor2d(h));
    const rhoHat = [0.2, 0.7666666666666667, 0.02];
    const row = rhoHat.map((r) => (-rho / r + (1 - rho) / (1 - r)) / 3);
    await expectClose(g, [row, row, row], { rtol: 1e-3 });
    await checkGradients((a) => sparsityPenalty(a, rho), [tf.tensor2d(h)], { step: 1e-3 });
  });

  it('stays finite for dead or saturated units (rhoHat clipped)', async () => {
    const value = (await sparsityPenalty(tf.tensor2d([[0, 1]]), 0.05).data())[0];
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(10);
  });

  it('checks rho, epsilon and the activations shape', () => {
    const a = tf.fill([2, 3], 0.5);
    for (const rho of [0, 1, -0.1, 1.5, Number.NaN]) {
      expect(() => sparsityPenalty(a, rho)).toThrow(/rho must lie strictly between 0 and 1/);
    }
    expect(() => sparsityPenalty(a, 0.05, { epsilon: 0 })).toThrow(/epsilon/);
    expect(() => sparsityPenalty(tf.zeros([2, 3, 1]), 0.05)).toThrow(
      /activations must have shape \[batch, units\]/,
    );
  });
});

describe('l1Penalty and l2Penalty', () => {
  it('sum |h| per example and theta^2 over all tensors, with gradients sign(h) and 2 theta', async () => {
    const code = [
      [0.5, -2, 0],
      [-1, 1, 3],
    ];
    await expectClose(l1Penalty(tf.tensor2d(code), { reduction: 'none' }), [2.5, 5]);
    await expectClose(l1Penalty(tf.tensor2d(code)), 3.75);
    const g = tf.grad((c: tf.Tensor) => l1Penalty(c, { reduction: 'sum' }) as tf.Scalar)(
      tf.tensor2d([
        [0.5, -2],
        [-1, 1],
      ]),
    );
    await expectClose(g, [
      [1, -1],
      [-1, 1],
    ]);
    const w = [tf.tensor2d([[1, -2]]), tf.tensor1d([3])];
    await expectClose(l2Penalty(w), 14);
    await expectClose(l2Penalty({ a: w[0], b: w[1] }), 14);
    const [g0, g1] = tf.grads((a: tf.Tensor, b: tf.Tensor) => l2Penalty([a, b]))(w);
    await expectClose(g0, [[2, -4]]);
    await expectClose(g1, [6]);
    expect(() => l2Penalty([])).toThrow(/weights is empty/);
    expect(() => l1Penalty(tf.scalar(1))).toThrow(/code must have shape \[batch, \.\.\.\]/);
  });
});

describe('contractive penalty', () => {
  const x = tf.tensor2d([
    [0.5, -1, 0.3],
    [1.2, 0.4, -0.6],
  ]);
  const kernel = tf.tensor2d([
    [0.4, -0.3],
    [0.2, 0.5],
    [-0.6, 0.1],
  ]);
  const bias = tf.tensor1d([0.1, -0.2]);
  const sigmoidEncoder = (input: tf.Tensor, w: tf.Tensor = kernel) =>
    tf.sigmoid(tf.add(tf.matMul(input, w), bias));

  /** |J|_F^2 by hand: dh_l/dx_j = h_l (1 - h_l) W_jl. */
  async function byHand(): Promise<number[]> {
    const hv = await sigmoidEncoder(x).array();
    const wv = (await kernel.array()) as number[][];
    return (hv as number[][]).map((row) =>
      row.reduce((s, hl, l) => s + wv.reduce((t, wrow) => t + (hl * (1 - hl) * wrow[l]) ** 2, 0), 0),
    );
  }

  it('closed form for a sigmoid dense encoder equals the Jacobian norm by hand', async () => {
    const expected = await byHand();
    await expectClose(sigmoidContractivePenalty(sigmoidEncoder(x), kernel, { reduction: 'none' }), expected);
    await expectClose(sigmoidContractivePenalty(sigmoidEncoder(x), kernel), (expected[0] + expected[1]) / 2);
  });

  it('autodiff form agrees with the closed form in value, for sigmoid and through Dense', async () => {
    const expected = await byHand();
    await expectClose(
      contractivePenalty((input) => sigmoidEncoder(input), x, { reduction: 'none' }),
      expected,
    );
    const layer = new Dense(3, 2, { activation: 'tanh', seed: 4 });
    const hv = (await layer.apply(x).array()) as number[][];
    const wv = (await layer.kernel.array()) as number[][];
    // tanh: dh_l/dx_j = (1 - h_l^2) W_jl.
    const tanhExpected = hv.map((row) =>
      row.reduce((s, hl, l) => s + wv.reduce((t, wrow) => t + ((1 - hl * hl) * wrow[l]) ** 2, 0), 0),
    );
    await expectClose(
      contractivePenalty((input) => layer.apply(input), x, { reduction: 'none' }),
      tanhExpected,
    );
    await expectClose(
      denseContractivePenalty(layer.apply(x), layer.kernel, { activation: 'tanh', reduction: 'none' }),
      tanhExpected,
    );
    layer.dispose();
  });

  it('closed forms have exact gradients with respect to W (central differences)', async () => {
    await checkGradients((w) => sigmoidContractivePenalty(sigmoidEncoder(x, w), w) as tf.Scalar, [kernel]);
    const tanhEncoder = (w: tf.Tensor) => tf.tanh(tf.add(tf.matMul(x, w), bias));
    await checkGradients(
      (w) => denseContractivePenalty(tanhEncoder(w), w, { activation: 'tanh' }) as tf.Scalar,
      [kernel],
    );
  });

  it('autodiff form has the exact second-order gradient for softplus encoders, through Dense too', async () => {
    // softplus: dh_l/dx_j = sigmoid(a_l) W_jl, so the penalty is sum_l sigmoid(a_l)^2 sum_j W_jl^2.
    const closedForm = (w: tf.Tensor, b: tf.Tensor) => {
      const a = tf.add(tf.matMul(x, w), b);
      return tf.mean(tf.sum(tf.mul(tf.square(tf.sigmoid(a)), tf.sum(tf.square(w), 0, true)), 1)) as tf.Scalar;
    };
    const auto = (w: tf.Tensor) =>
      contractivePenalty((input) => tf.softplus(tf.add(tf.matMul(input, w), bias)), x) as tf.Scalar;
    await expectClose(auto(kernel), await closedForm(kernel, bias).data());
    await expectClose(
      tf.grad(auto)(kernel),
      await tf
        .grad((w: tf.Tensor) => closedForm(w, bias))(kernel)
        .data(),
      { rtol: 1e-3 },
    );
    const layer = new Dense(3, 2, { seed: 4 });
    const { grads } = tf.variableGrads(
      () => contractivePenalty((input) => tf.softplus(layer.apply(input)), x) as tf.Scalar,
      [layer.kernel],
    );
    const expected = tf.grad((w: tf.Tensor) => closedForm(w, layer.bias))(layer.kernel);
    await expectClose(grads[layer.kernel.name], await expected.data(), { rtol: 1e-3 });
    layer.dispose();
  });

  it('autodiff second-order gradients through sigmoid are wrong in tfjs 4.22 (tfjs#3252), as documented', async () => {
    // If this starts failing, tfjs fixed the bug: update the contractivePenalty documentation.
    const closed = tf.grad((w: tf.Tensor) => sigmoidContractivePenalty(sigmoidEncoder(x, w), w) as tf.Scalar);
    const auto = tf.grad(
      (w: tf.Tensor) => contractivePenalty((input) => sigmoidEncoder(input, w), x) as tf.Scalar,
    );
    const report = closeness(await auto(kernel).data(), await closed(kernel).data(), {
      rtol: 1e-2,
      atol: 1e-4,
    });
    expect(report.ok).toBe(false);
  });

  it('names the argument on bad input', () => {
    expect(() => sigmoidContractivePenalty(tf.zeros([2, 2]), tf.zeros([3, 4]))).toThrow(
      /kernel must have shape \[inputSize, 2\]/,
    );
    expect(() => sigmoidContractivePenalty(tf.zeros([2]), tf.zeros([3, 4]))).toThrow(
      /hidden must have shape/,
    );
    expect(() => contractivePenalty((input) => tf.sum(input), x)).toThrow(
      /encoder\(x\) must have shape \[2, units\]/,
    );
    expect(() =>
      denseContractivePenalty(tf.zeros([2, 2]), tf.zeros([3, 2]), { activation: 'gelu' as never }),
    ).toThrow(/unknown activation 'gelu'/);
  });
});

describe('regularizers', () => {
  it('leak no tensors, forward or backward', async () => {
    const activations = tf.tensor2d(h);
    const kernel = tf.tensor2d([
      [0.4, -0.3, 0.1],
      [0.2, 0.5, -0.2],
    ]);
    const input = tf.tensor2d([
      [0.5, -1],
      [1.2, 0.4],
      [0.3, 0.3],
    ]);
    const penalties = [
      (a: tf.Tensor) => sparsityPenalty(a, 0.1),
      (a: tf.Tensor) => l1Penalty(a, { reduction: 'none' }),
      (a: tf.Tensor) => l2Penalty([a, kernel]),
      (a: tf.Tensor) => sigmoidContractivePenalty(a, kernel),
      (a: tf.Tensor) => denseContractivePenalty(a, kernel, { activation: 'relu', reduction: 'sum' }),
      (a: tf.Tensor) => contractivePenalty((v) => tf.mul(tf.sigmoid(tf.matMul(v, kernel)), tf.sum(a)), input),
    ];
    for (const penalty of penalties) {
      await expectNoLeaks(() => tf.dispose(penalty(activations)));
      await expectNoLeaks(() =>
        tf.dispose(tf.grad((a: tf.Tensor) => tf.sum(penalty(a)) as tf.Scalar)(activations)),
      );
    }
    tf.dispose([activations, kernel, input]);
  });
});

describe('dipCovariancePenalty', () => {
  const mu = [
    [1, 0],
    [0, 1],
    [-1, -1],
  ];
  it('is lambda_od sum_{i != j} C_ij^2 + lambda_d sum_i (C_ii - 1)^2, by hand for both types', async () => {
    // Cov[mu] = 1/3 [[2, 1], [1, 2]]
    await expectClose(dipCovariancePenalty(tf.tensor2d(mu), undefined), 10 * (2 / 9) + 100 * (2 / 9));
    // DIP-II adds E[diag(exp(logVar))] = I: C = [[5/3, 1/3], [1/3, 5/3]]
    await expectClose(
      dipCovariancePenalty(tf.tensor2d(mu), tf.zeros([3, 2]), { type: 'ii' }),
      20 / 9 + 10 * 2 * (4 / 9),
    );
    await expectClose(
      dipCovariancePenalty(tf.tensor2d(mu), undefined, { lambdaOffDiagonal: 1, lambdaDiagonal: 0 }),
      2 / 9,
    );
    // 0 exactly at C = I: +-1 in each coordinate, every sign pattern
    const identity = tf.tensor2d([
      [1, 1],
      [1, -1],
      [-1, 1],
      [-1, -1],
    ]);
    await expectClose(dipCovariancePenalty(identity, undefined), 0, { atol: 1e-6 });
  });

  it('has gradients that match central differences, leaks nothing and names bad input', async () => {
    const lv = tf.tensor2d([
      [0.1, -0.3],
      [0.2, 0.0],
      [-0.5, 0.4],
    ]);
    await checkGradients((m, l) => dipCovariancePenalty(m, l, { type: 'ii' }), [tf.tensor2d(mu), lv], {
      step: 1e-2,
    });
    await checkGradients((m) => dipCovariancePenalty(m, undefined), [tf.tensor2d(mu)], { step: 1e-2 });
    await expectNoLeaks(() => dipCovariancePenalty(tf.tensor2d(mu), lv, { type: 'ii' }).dispose(), 1);
    expect(() => dipCovariancePenalty(tf.tensor2d(mu), undefined, { type: 'ii' })).toThrow(/needs logVar/);
    expect(() => dipCovariancePenalty(tf.tensor2d(mu), undefined, { type: 'iii' as never })).toThrow(/'i'/);
    expect(() => dipCovariancePenalty(tf.tensor2d(mu), undefined, { lambdaDiagonal: -1 })).toThrow(
      /lambdaDiagonal/,
    );
  });
});
