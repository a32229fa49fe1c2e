import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type DataInput, toBatchSource } from './inputs';
import type { BatchSource } from './interfaces';
import { reportProgress, throwIfAborted, yieldToEventLoop } from './progress';
import { expectNoLeaks } from './testing';

/** Every example of a source as plain rows, and its labels. */
async function contents(source: BatchSource) {
  const batch = source.batch(Array.from({ length: source.size }, (_, i) => i));
  const rows = (await batch.array()) as number[][];
  batch.dispose();
  return { rows, labels: source.labels && Array.from(source.labels), itemShape: source.itemShape };
}

const expected = {
  rows: [
    [1, 2],
    [3, 4],
    [5, 6],
  ],
  labels: [0, 1, 0],
  itemShape: [2],
};

describe('toBatchSource', () => {
  it('gives the same source for a tensor, a typed array, ArrayData, an iterable of batches and a source', async () => {
    const tensor = tf.tensor2d(expected.rows);
    const values = new Float32Array([1, 2, 3, 4, 5, 6]);
    async function* batches() {
      yield { x: tf.tensor2d([[1, 2]]), labels: [0] };
      yield {
        x: tf.tensor2d([
          [3, 4],
          [5, 6],
        ]),
        labels: tf.tensor1d([1, 0], 'int32'),
      };
    }
    function* plain() {
      yield { x: [1, 2, 3, 4], labels: [0, 1] };
      yield { x: new Float32Array([5, 6]), labels: [0] };
    }
    const inputs: Array<[string, DataInput, { labels?: number[]; itemShape?: number[] }]> = [
      ['tensor', tensor, { labels: expected.labels }],
      ['typed array', values, { labels: expected.labels, itemShape: [2] }],
      ['plain array', [1, 2, 3, 4, 5, 6], { labels: expected.labels, itemShape: [2] }],
      ['ArrayData', { values, shape: [3, 2], labels: expected.labels }, {}],
      [
        'bytes, scaled',
        { values: Uint8Array.from([10, 20, 30, 40, 50, 60]), shape: [3, 2], scale: 0.1 },
        { labels: expected.labels },
      ],
      ['async iterable', batches(), {}],
      ['generator', plain(), { itemShape: [2] }],
    ];
    for (const [name, input, options] of inputs) {
      const source = await expectNoLeaks(() => toBatchSource(input, options));
      const seen = await contents(source);
      expect(
        seen.rows.flat().map((v) => Math.round(v * 1e5) / 1e5),
        name,
      ).toEqual(expected.rows.flat());
      expect(seen.labels, name).toEqual(expected.labels);
      expect(seen.itemShape, name).toEqual([2]);
    }
    const source = await toBatchSource(tensor, { labels: expected.labels });
    expect(await toBatchSource(source)).toBe(source);
    tensor.dispose();
  });

  it('says what to pass when the input does not fit', async () => {
    await expect(toBatchSource(new Float32Array(6), { caller: 'fit' })).rejects.toThrow(
      /fit: 6 bare values need a shape; pass \{ values, shape: \[examples, \.\.\.\] \} or a tensor/,
    );
    await expect(toBatchSource(new Float32Array(5), { itemShape: [2] })).rejects.toThrow(
      /5 values are not a whole number of examples of shape \[2\]/,
    );
    const x = tf.zeros([2, 3]);
    await expect(toBatchSource(x, { itemShape: [2, 2], caller: 'VAE.fit' })).rejects.toThrow(
      /VAE.fit: examples have shape \[3\] \(3 values\) but \[2,2\] \(4 values\) are expected/,
    );
    await expect(toBatchSource(x, { labels: [1] })).rejects.toThrow(/1 labels for 2 examples/);
    x.dispose();
    async function* mixed() {
      yield { x: [1, 2], labels: [0] };
      yield { x: [3, 4] };
    }
    await expect(toBatchSource(mixed(), { itemShape: [2] })).rejects.toThrow(/some batches have labels/);
    await expect(toBatchSource((async function* () {})())).rejects.toThrow(/yielded no examples/);
    await expect(toBatchSource(42 as never)).rejects.toThrow(/expected a BatchSource, a tensor/);
  });
});

describe('progress', () => {
  it('reports, yields to the event loop and stops on an aborted signal with its reason', async () => {
    const seen: Array<[number, number]> = [];
    for (let i = 1; i <= 3; i++)
      await reportProgress({ onProgress: (p) => seen.push([p.done, p.total]) }, i, 3);
    expect(seen).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    // A task queued before the yield (the same kind of task it waits for) has run when it resolves.
    let ran = false;
    if (typeof setImmediate === 'function') {
      setImmediate(() => {
        ran = true;
      });
    } else {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        ran = true;
        channel.port1.close();
      };
      channel.port2.postMessage(undefined);
    }
    await yieldToEventLoop();
    expect(ran).toBe(true);
    const controller = new AbortController();
    controller.abort();
    await expect(reportProgress({ signal: controller.signal }, 1, 2)).rejects.toMatchObject({
      name: 'AbortError',
    });
    const reason = new Error('stop here');
    const custom = new AbortController();
    custom.abort(reason);
    expect(() => throwIfAborted(custom.signal)).toThrow(reason);
    expect(() => throwIfAborted(undefined)).not.toThrow();
  });
});
