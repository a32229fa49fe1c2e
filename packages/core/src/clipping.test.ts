import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { clipByGlobalNorm, globalNorm } from './clipping';
import { expectClose, expectNoLeaks } from './testing';

describe('clipByGlobalNorm', () => {
  it('scales all gradients by one factor when the global norm exceeds the threshold', async () => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) }; // global norm 5
    const norm = globalNorm(grads);
    await expectClose(norm, 5);
    const { gradients, norm: before } = await expectNoLeaks(() => clipByGlobalNorm(grads, 1), 3);
    await expectClose(before, 5);
    await expectClose(gradients.a, [0.6, 0]);
    await expectClose(gradients.b, [[0, 0.8]]);
    const unchanged = clipByGlobalNorm(grads, 10);
    await expectClose(unchanged.gradients.a, [3, 0]);
    expect(() => clipByGlobalNorm(grads, 0)).toThrow(/maxNorm/);
    tf.dispose([
      norm,
      before,
      ...Object.values(gradients),
      ...Object.values(unchanged.gradients),
      unchanged.norm,
    ]);
    tf.dispose(Object.values(grads));
  });
});
