import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { interpolateLatent, traverseLatent } from './latent';
import { expectClose, expectNoLeaks } from './testing';

describe('interpolateLatent', () => {
  it('goes linearly from a to b, both ends included', async () => {
    const a = tf.tensor2d([
      [0, 0],
      [1, 1],
    ]);
    const b = tf.tensor2d([
      [2, 4],
      [1, -1],
    ]);
    const path = await expectNoLeaks(() => interpolateLatent(a, b, 3), 1);
    expect(path.shape).toEqual([2, 3, 2]);
    await expectClose(path, [
      [
        [0, 0],
        [1, 2],
        [2, 4],
      ],
      [
        [1, 1],
        [1, 0],
        [1, -1],
      ],
    ]);
    tf.dispose([a, b, path]);
  });

  it('follows the great circle when spherical, with the norm interpolated linearly', async () => {
    const a = tf.tensor2d([[1, 0]]);
    const b = tf.tensor2d([[0, 3]]);
    const path = interpolateLatent(a, b, 3, { spherical: true });
    const s = Math.SQRT1_2 * 2; // half way: angle 45 degrees, norm 2
    await expectClose(path, [
      [
        [1, 0],
        [s, s],
        [0, 3],
      ],
    ]);
    // parallel codes fall back to the linear path
    const same = interpolateLatent(a, tf.tensor2d([[2, 0]]), 3, { spherical: true });
    await expectClose(same, [
      [
        [1, 0],
        [1.5, 0],
        [2, 0],
      ],
    ]);
    tf.dispose([a, b, path, same]);
  });

  it('names bad arguments', () => {
    const a = tf.zeros([2, 3]);
    expect(() => interpolateLatent(a, tf.zeros([2, 4]), 3)).toThrow(/interpolateLatent/);
    expect(() => interpolateLatent(a, a, 0)).toThrow(/steps/);
    expect(() => interpolateLatent(tf.zeros([3]), tf.zeros([3]), 2)).toThrow(/\[batch, latent\]/);
    a.dispose();
  });
});

describe('traverseLatent', () => {
  it('varies one dimension over the range and keeps the others', async () => {
    const z = tf.tensor2d([[5, 6, 7]]);
    const path = await expectNoLeaks(() => traverseLatent(z, 1, { range: [-1, 1], steps: 3 }), 1);
    expect(path.shape).toEqual([1, 3, 3]);
    await expectClose(path, [
      [
        [5, -1, 7],
        [5, 0, 7],
        [5, 1, 7],
      ],
    ]);
    const defaults = traverseLatent(z, 0);
    expect(defaults.shape).toEqual([1, 10, 3]);
    const values = await defaults.data();
    expect(values[0]).toBeCloseTo(-3);
    expect(values[27]).toBeCloseTo(3);
    expect(() => traverseLatent(z, 3)).toThrow(/dimension must be an integer in \[0, 2\]/);
    tf.dispose([z, path, defaults]);
  });
});
