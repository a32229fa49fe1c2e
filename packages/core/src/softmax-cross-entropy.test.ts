import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { softmaxCrossEntropyWithLogits } from './losses';
import { checkGradients, expectNoLeaks, maxAbsDifference } from './testing';

/** -log softmax(l)_y in float64 JavaScript. */
function closedForm(labels: number[], logits: number[][]): number[] {
  return logits.map((row, i) => {
    const max = Math.max(...row);
    const logSum = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    return labels[i] >= 0 && labels[i] < row.length ? logSum - row[labels[i]] : 0;
  });
}

describe('softmaxCrossEntropyWithLogits', () => {
  const logits = [
    [2, -1, 0.5],
    [-0.3, 0.8, 1.7],
    [0, 0, 0],
    [4, 1, -2],
  ];
  const labels = [0, 2, 1, 1];

  it('equals logSumExp(l) - l_y per example (mean, sum, none), and leaks nothing', async () => {
    const expected = closedForm(labels, logits);
    expect(expected[2]).toBeCloseTo(Math.log(3), 12); // uniform logits: log K
    const none = await expectNoLeaks(async () => {
      const t = softmaxCrossEntropyWithLogits(labels, tf.tensor2d(logits), { reduction: 'none' });
      const v = await t.data();
      tf.dispose(t);
      return v;
    }, 1); // the logits tensor above is the caller's
    tf.disposeVariables();
    expect(maxAbsDifference(none, expected)).toBeLessThan(1e-5);
    const l = tf.tensor2d(logits);
    const y = tf.tensor1d(labels, 'int32');
    const mean = softmaxCrossEntropyWithLogits(y, l);
    const sum = softmaxCrossEntropyWithLogits(y, l, { reduction: 'sum' });
    const total = expected.reduce((a, b) => a + b, 0);
    expect((await mean.data())[0]).toBeCloseTo(total / 4, 5);
    expect((await sum.data())[0]).toBeCloseTo(total, 5);
    tf.dispose([l, y, mean, sum]);
  });

  it('stays exact for huge logits, where exp overflows float32', async () => {
    const t = softmaxCrossEntropyWithLogits(
      [1, 0],
      tf.tensor2d([
        [1000, 0],
        [-1000, 1000],
      ]),
      {
        reduction: 'none',
      },
    );
    const v = await t.data();
    expect(v[0]).toBeCloseTo(1000, 2);
    expect(v[1]).toBeCloseTo(2000, 1);
    t.dispose();
  });

  it('gives 0 for labels outside [0, classes) (unlabelled examples, -1)', async () => {
    const t = softmaxCrossEntropyWithLogits([-1, 2, 3, 0], tf.tensor2d(logits), { reduction: 'none' });
    const v = await t.data();
    expect(Math.abs(v[0])).toBe(0);
    expect(Math.abs(v[2])).toBe(0);
    expect(v[1]).toBeCloseTo(closedForm([2], [logits[1]])[0], 5);
    t.dispose();
  });

  it('has the gradient softmax(l) - onehot(y) (closed form and central differences)', async () => {
    const l = tf.tensor2d(logits);
    const report = await checkGradients((x) => softmaxCrossEntropyWithLogits(labels, x) as tf.Scalar, [l]);
    const expected = logits.flatMap((row, i) => {
      const max = Math.max(...row);
      const exps = row.map((v) => Math.exp(v - max));
      const z = exps.reduce((a, b) => a + b, 0);
      return exps.map((e, k) => (e / z - (k === labels[i] ? 1 : 0)) / logits.length);
    });
    expect(maxAbsDifference(report.analytic[0], expected)).toBeLessThan(1e-5);
    l.dispose();
  });

  it('names the problem for bad shapes', () => {
    const l = tf.tensor2d(logits);
    expect(() => softmaxCrossEntropyWithLogits([0, 1], l)).toThrow(
      /one integer per example, \[4\], got 2 values/,
    );
    expect(() => softmaxCrossEntropyWithLogits([0], tf.tensor1d([1, 2]))).toThrow(/\[batch, classes\]/);
    l.dispose();
  });
});
