import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { multinomialLogLikelihood } from './multinomial';
import { checkGradients, expectClose, expectNoLeaks } from './testing';

const counts = [
  [2, 0, 1, 0],
  [0, 1, 1, 3],
  [0, 0, 0, 0],
];
const logits = [
  [0.5, -1, 2, 0],
  [30, -2, 1, 0.25],
  [1, 2, 3, 4],
];

/** log of the multinomial pmf Mult(x; N, softmax(l)) by plain Math, and its coefficient log(N! / prod x_i!). */
function closedForm(x: number[], l: number[]): { logPmf: number; logCoefficient: number } {
  const max = Math.max(...l);
  const logZ = max + Math.log(l.reduce((a, v) => a + Math.exp(v - max), 0));
  const logFactorial = (n: number) => {
    let s = 0;
    for (let k = 2; k <= n; k++) s += Math.log(k);
    return s;
  };
  const n = x.reduce((a, b) => a + b, 0);
  const logCoefficient = logFactorial(n) - x.reduce((a, v) => a + logFactorial(v), 0);
  const logPmf = logCoefficient + x.reduce((a, v, i) => a + v * (l[i] - logZ), 0);
  return { logPmf, logCoefficient };
}

/** GPU backends compute exp and log in float32 with faster, less exact built-ins. */
const gpu = () => ['webgl', 'webgpu'].includes(tf.getBackend());

describe('multinomialLogLikelihood', () => {
  it('equals the log multinomial pmf less its coefficient log(N!/prod x_i!), per row and reduced', async () => {
    const expected = counts.map((x, r) => {
      const { logPmf, logCoefficient } = closedForm(x, logits[r]);
      return logPmf - logCoefficient;
    });
    // Row 1 has a logit of 30: the log-softmax must stay stable (a naive log(softmax) loses digits there).
    expect(expected[1]).toBeLessThan(-100);
    expect(expected[2]).toBe(0);
    const x = tf.tensor2d(counts);
    const l = tf.tensor2d(logits);
    const [perRow, mean, sum] = await expectNoLeaks(
      () =>
        ['none', 'mean', 'sum'].map((reduction) =>
          multinomialLogLikelihood(x, l, { reduction: reduction as 'none' | 'mean' | 'sum' }),
        ),
      3,
    );
    const total = expected.reduce((a, b) => a + b);
    await expectClose(perRow, expected, { rtol: 1e-5 });
    await expectClose(mean, total / 3, { rtol: 1e-5 });
    await expectClose(sum, total, { rtol: 1e-5 });
    tf.dispose([x, l, perRow, mean, sum]);
  });

  it('enumeration: exp of it plus the coefficient sums to 1 over every count vector with N = 3 over 3 items', async () => {
    const l = [0.3, -1.2, 0.8];
    let total = 0;
    for (let a = 0; a <= 3; a++)
      for (let b = 0; a + b <= 3; b++) {
        const x = [a, b, 3 - a - b];
        const result = tf.tidy(() => multinomialLogLikelihood(tf.tensor2d([x]), tf.tensor2d([l])));
        const value = (await result.data())[0];
        result.dispose();
        total += Math.exp(value + closedForm(x, l).logCoefficient);
      }
    expect(total).toBeCloseTo(1, gpu() ? 3 : 5);
  });

  it('does not change when a constant is added to a row of logits; its gradient is x - N softmax(l)', async () => {
    const x = tf.tensor2d([counts[0]]);
    const l = tf.tensor2d([logits[0]]);
    const shifted = tf.add(l, 7);
    const a = multinomialLogLikelihood(x, shifted);
    const b = multinomialLogLikelihood(x, l);
    await expectClose(a, (await b.data())[0], { rtol: gpu() ? 1e-4 : 1e-5 });
    const gradient = tf.grad((t: tf.Tensor) => multinomialLogLikelihood(x, t) as tf.Scalar)(l);
    const softmax = tf.softmax(l);
    await expectClose(gradient, tf.sub(x, tf.mul(softmax, 3)), { atol: gpu() ? 1e-4 : 1e-5 });
    await checkGradients((t) => multinomialLogLikelihood(x, t) as tf.Scalar, [l]);
    tf.dispose([x, l, shifted, gradient, softmax, a, b]);
  });

  it('refuses shapes that differ or are not rows', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([2, 4]);
    const c = tf.zeros([2, 3, 1]);
    expect(() => multinomialLogLikelihood(a, b)).toThrow(/multinomialLogLikelihood/);
    expect(() => multinomialLogLikelihood(c, c)).toThrow(/rows \[batch, items\]/);
    tf.dispose([a, b, c]);
  });
});
