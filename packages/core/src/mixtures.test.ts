import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mixtureLogDensity } from './mixtures';
import { checkGradients, expectClose, expectNoLeaks } from './testing';

const means = [
  [0, 1],
  [-1, 0.5],
  [2, -2],
];
const logVars = [
  [0, -0.5],
  [0.3, 0.2],
  [-1, 1],
];
const weights = [0.2, 0.5, 0.3];
const z = [
  [0.1, 0.2],
  [-1.5, 3],
];

/** log sum_k w_k prod_j N(z_j; mu_kj, exp(logVar_kj)) by enumeration in plain JS. */
function enumerate(w: number[]): number[] {
  return z.map((row) => {
    let total = 0;
    for (let k = 0; k < means.length; k++) {
      let density = w[k];
      for (let j = 0; j < 2; j++) {
        const variance = Math.exp(logVars[k][j]);
        density *=
          Math.exp((-0.5 * (row[j] - means[k][j]) ** 2) / variance) / Math.sqrt(2 * Math.PI * variance);
      }
      total += density;
    }
    return Math.log(total);
  });
}

describe('mixtureLogDensity', () => {
  it('equals the mixture density by enumeration (given and uniform weights)', async () => {
    await expectNoLeaks(async () => {
      const parts = { means: tf.tensor2d(means), logVars: tf.tensor2d(logVars) };
      const logWeights = tf.tidy(() => tf.log(tf.tensor1d(weights))) as tf.Tensor1D;
      const zt = tf.tensor2d(z);
      const weighted = mixtureLogDensity(zt, { ...parts, logWeights });
      const uniform = mixtureLogDensity(zt, parts);
      await expectClose(weighted, enumerate(weights), { rtol: 1e-5 });
      await expectClose(uniform, enumerate([1 / 3, 1 / 3, 1 / 3]), { rtol: 1e-5 });
      tf.dispose([parts.means, parts.logVars, logWeights, zt, weighted, uniform]);
    });
  });

  it('has the right gradients with respect to z, means, log-variances and weights', async () => {
    const inputs = [tf.tensor2d(z), tf.tensor2d(means), tf.tensor2d(logVars), tf.tensor1d([0.1, -0.3, 0.4])];
    await checkGradients(
      (zt, m, lv, logits) =>
        tf.sum(
          mixtureLogDensity(zt, {
            means: m as tf.Tensor2D,
            logVars: lv as tf.Tensor2D,
            logWeights: tf.logSoftmax(logits) as tf.Tensor1D,
          }),
        ) as tf.Scalar,
      inputs,
    );
    tf.dispose(inputs);
  });

  it('names shape problems', () => {
    const m = tf.zeros([3, 2]) as tf.Tensor2D;
    expect(() => mixtureLogDensity(tf.zeros([4, 3]), { means: m, logVars: m })).toThrow(/\[components, 3\]/);
    expect(() =>
      mixtureLogDensity(tf.zeros([4, 2]), { means: m, logVars: m, logWeights: tf.zeros([2]) as tf.Tensor1D }),
    ).toThrow(/logWeights must have shape \[3\]/);
    m.dispose();
  });
});
