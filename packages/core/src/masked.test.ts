import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { maskedMeanSquaredError, maskedSquaredError } from './masked';
import { checkGradients, expectClose, expectNoLeaks } from './testing';

const targets = [
  [4, 0, 3, 0],
  [0, 5, 1, 2],
];
const predictions = [
  [3.5, 2, 3.25, -1],
  [1, 4, 2, 2.5],
];
const mask = [
  [1, 0, 1, 0],
  [0, 1, 1, 1],
];
// Observed squared errors by hand: row 0: 0.25 + 0.0625 = 0.3125; row 1: 1 + 1 + 0.25 = 2.25.
const perRow = [0.3125, 2.25];

describe('maskedSquaredError', () => {
  it('sums squared errors over observed entries only, per example and reduced', async () => {
    const t = tf.tensor2d(targets);
    const p = tf.tensor2d(predictions);
    const m = tf.tensor2d(mask);
    await expectClose(maskedSquaredError(t, p, m, { reduction: 'none' }), perRow);
    await expectClose(maskedSquaredError(t, p, m), (perRow[0] + perRow[1]) / 2);
    await expectClose(maskedSquaredError(t, p, m, { reduction: 'sum' }), perRow[0] + perRow[1]);
    await expectClose(maskedMeanSquaredError(t, p, m), (perRow[0] + perRow[1]) / 5);
    tf.dispose([t, p, m]);
  });

  it('ignores whatever the unobserved entries hold', async () => {
    const m = tf.tensor2d(mask);
    const garbage = tf.tensor2d([
      [4, 1e6, 3, -7],
      [9, 5, 1, 2],
    ]);
    const p = tf.tensor2d(predictions);
    await expectClose(maskedSquaredError(garbage, p, m, { reduction: 'none' }), perRow);
    tf.dispose([m, garbage, p]);
  });

  it('has the gradient of central differences, zero at unobserved entries', async () => {
    const t = tf.tensor2d(targets);
    const m = tf.tensor2d(mask);
    const report = await checkGradients(
      (p) => maskedSquaredError(t, p, m) as tf.Scalar,
      [tf.tensor2d(predictions)],
      { step: 1e-2 },
    );
    const flatMask = mask.flat();
    report.analytic[0].forEach((g, i) => {
      if (flatMask[i] === 0) expect(Math.abs(g)).toBe(0);
    });
    await checkGradients((p) => maskedMeanSquaredError(t, p, m), [tf.tensor2d(predictions)]);
    tf.dispose([t, m]);
  });

  it('gives 0 for a batch with nothing observed, and leaks no tensors', async () => {
    const t = tf.tensor2d(targets);
    const p = tf.tensor2d(predictions);
    const none = tf.zeros([2, 4]);
    await expectClose(maskedMeanSquaredError(t, p, none), 0);
    await expectNoLeaks(() => maskedSquaredError(t, p, none).dispose());
    await expectNoLeaks(() => maskedMeanSquaredError(t, p, none).dispose());
    tf.dispose([t, p, none]);
  });

  it('refuses mismatched shapes, naming them', () => {
    const t = tf.zeros([2, 4]);
    expect(() => maskedSquaredError(t, tf.zeros([2, 3]), t)).toThrow(/maskedSquaredError.*predictions/);
    expect(() => maskedMeanSquaredError(t, t, tf.zeros([2, 3]))).toThrow(/maskedMeanSquaredError.*mask/);
    tf.dispose(t);
  });
});
