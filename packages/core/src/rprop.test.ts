import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RpropOptimizer } from './rprop';
import { expectClose, expectNoLeaks } from './testing';

describe('RpropOptimizer', () => {
  it('follows the Rprop rule step by step (sign of the gradient, steps grown 1.2x, halved on a flip)', async () => {
    // f(w) = sum (w - t)^2: gradient 2 (w - t); by hand with steps starting at 0.1
    const w = tf.variable(tf.tensor1d([0, 1, 0.05]));
    const t = tf.tensor1d([1, 0, 0]);
    const optimizer = new RpropOptimizer({ learningRate: 0.1 });
    const expected = [0, 1, 0.05];
    const steps = [0.1, 0.1, 0.1];
    const previous = [0, 0, 0];
    const target = [1, 0, 0];
    for (let iteration = 0; iteration < 6; iteration++) {
      optimizer.minimize(() => tf.sum(tf.square(tf.sub(w, t))) as tf.Scalar);
      for (let j = 0; j < 3; j++) {
        const g = 2 * (expected[j] - target[j]);
        const agreement = g * previous[j];
        if (agreement > 0) steps[j] = Math.min(steps[j] * 1.2, 50);
        else if (agreement < 0) steps[j] = Math.max(steps[j] * 0.5, 1e-6);
        const used = agreement < 0 ? 0 : g;
        expected[j] -= Math.sign(used) * steps[j];
        previous[j] = used;
      }
      await expectClose(w, expected, { atol: 1e-6 });
    }
    // the third weight overshot 0 on the first step: the flip halved its step and skipped one update
    expect(expected[2]).not.toBe(0.05);
    optimizer.dispose();
    tf.dispose([w, t]);
  });

  it('minimizes a least-squares problem full batch; weights round-trip; no tensors leak', async () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 1],
      [0, 1],
      [2, 2],
    ]);
    const y = tf.tensor2d([[5], [5], [2], [6]]); // y = x . [1, 2]
    const w = tf.variable(tf.zeros([2, 1]));
    const optimizer = new RpropOptimizer();
    const loss = () => tf.mean(tf.square(tf.sub(tf.matMul(x, w), y))) as tf.Scalar;
    await expectNoLeaks(async () => {
      for (let i = 0; i < 200; i++) tf.dispose(optimizer.minimize(loss, true) ?? []);
    }, 2); // the state of the one variable: its step sizes and its previous gradient
    await expectClose(w, [[1], [2]], { atol: 1e-3 });
    const weights = await optimizer.getWeights();
    expect(weights.map((v) => v.name).slice(1)).toEqual([`${w.name}/rprop_step`, `${w.name}/rprop_previous`]);
    const other = new RpropOptimizer(optimizer.getConfig());
    await other.setWeights(weights);
    expect(await (await other.getWeights())[1].tensor.data()).toEqual(await weights[1].tensor.data());
    tf.dispose(weights[0].tensor);
    expect(() => new RpropOptimizer({ etaPlus: 0.9 })).toThrow(/etaPlus must be a number > 1/);
    other.dispose();
    optimizer.dispose();
    tf.dispose([x, y, w]);
  });
});
