// copyInto: a tensor's values land in a flat buffer at an offset, the same on every backend (wasm reads its memory
// directly), leaving the rest of the buffer and the tensor count as they were.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { copyInto } from './buffers';

describe('copyInto', () => {
  it('copies a float32 tensor into a buffer at an offset, exactly, leaking nothing', async () => {
    const values = Float32Array.from({ length: 3 * 5 }, (_, i) => Math.sin(i) * 1e3);
    const tensor = tf.tensor2d(values, [3, 5]);
    // a tensor computed by the backend (not only written), then disposed neighbours, so offsets move
    const computed = tf.tidy(() => tf.mul(tensor, 2));
    const target = new Float32Array(40).fill(-1);
    const before = tf.memory().numTensors;
    await copyInto(tensor, target, 3);
    await copyInto(computed, target, 20);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(target.subarray(3, 18))).toEqual(Array.from(values));
    expect(Array.from(target.subarray(20, 35))).toEqual(Array.from(values, (v) => Math.fround(v * 2)));
    for (const i of [0, 1, 2, 18, 19, 35, 39]) expect(target[i]).toBe(-1);
    // a shared buffer, as the workers use (browsers have SharedArrayBuffer only on cross-origin isolated pages)
    if (typeof SharedArrayBuffer !== 'undefined') {
      const shared = new Float32Array(new SharedArrayBuffer(15 * 4));
      await copyInto(computed, shared, 0);
      expect(Array.from(shared)).toEqual(Array.from(await computed.data()));
    }
    tf.dispose([tensor, computed]);
  });
});
