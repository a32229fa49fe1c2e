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

  it('slerp splits the angle evenly and interpolates the norm linearly (closed form)', async () => {
    // a = |a| e1 and b = |b| (cos W e1 + sin W e2): the point at t lies in their plane at angle t W from a, with
    // norm (1 - t) |a| + t |b|. Also for unequal norms, where slerp of the raw vectors drifts towards the longer one.
    const tolerance = ['webgl', 'webgpu'].includes(tf.getBackend()) ? 1e-3 : 1e-5;
    const t = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];
    for (const [normA, normB, angle] of [
      [1, 2, Math.PI / 2],
      [3, 0.5, 2],
      [1.5, 1.5, 0.7],
      [0.2, 4, 2.9],
    ]) {
      const a = tf.tensor2d([[normA, 0, 0]]);
      const b = tf.tensor2d([[normB * Math.cos(angle), normB * Math.sin(angle), 0]]);
      const path = interpolateLatent(a, b, t, { spherical: true });
      const rows = ((await path.array()) as number[][][])[0];
      rows.forEach((row, i) => {
        expect(Math.abs(Math.atan2(row[1], row[0]) - t[i] * angle)).toBeLessThan(tolerance * 4);
        expect(Math.abs(Math.hypot(...row) - ((1 - t[i]) * normA + t[i] * normB))).toBeLessThan(
          tolerance * Math.max(normA, normB),
        );
        expect(Math.abs(row[2])).toBeLessThan(tolerance);
      });
      tf.dispose([a, b, path]);
    }
  });

  it('takes explicit t values, and falls back to the straight line for a zero code', async () => {
    const a = tf.tensor2d([[1, 0]]);
    const b = tf.tensor2d([[0, 3]]);
    const s = Math.SQRT1_2 * 2;
    const one = await expectNoLeaks(() => interpolateLatent(a, b, [0.5], { spherical: true }), 1);
    expect(one.shape).toEqual([1, 1, 2]);
    await expectClose(one, [[[s, s]]]);
    const zero = tf.tensor2d([[0, 0]]);
    const fromZero = interpolateLatent(zero, b, 3, { spherical: true });
    await expectClose(fromZero, [
      [
        [0, 0],
        [0, 1.5],
        [0, 3],
      ],
    ]);
    expect(() => interpolateLatent(a, b, [])).toThrow(/non-empty array/);
    expect(() => interpolateLatent(a, b, [0, Number.NaN])).toThrow(/steps\[1\]/);
    tf.dispose([a, b, one, zero, fromZero]);
  });

  it('names bad arguments', () => {
    const a = tf.zeros([2, 3]);
    expect(() => interpolateLatent(a, tf.zeros([2, 4]), 3)).toThrow(/interpolateLatent/);
    expect(() => interpolateLatent(a, a, 0)).toThrow(/steps/);
    expect(() =>
      interpolateLatent(tf.zeros([2, 2, 3]) as tf.Tensor, tf.zeros([2, 2, 3]) as tf.Tensor, 2),
    ).toThrow(/\[batch, latent\]/);
    expect(() => interpolateLatent(tf.zeros([3]), tf.zeros([4]), 2)).toThrow(/interpolateLatent/);
    a.dispose();
  });

  it('takes two single codes and gives [steps, latent], the same path as a batch of one', async () => {
    const a = tf.tensor1d([1, 0]);
    const b = tf.tensor1d([0, 3]);
    const single = await expectNoLeaks(() => interpolateLatent(a, b, 4, { spherical: true }), 1);
    expect(single.shape).toEqual([4, 2]);
    const batch = interpolateLatent(tf.expandDims(a, 0), tf.expandDims(b, 0), 4, { spherical: true });
    expect(await single.data()).toEqual(await batch.data());
    tf.dispose([a, b, single, batch]);
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
