import type * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, tensorSource } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { Autoencoder } from '../autoencoder/autoencoder.model';
import { loadCheckpoint } from '../io';
import { memoryHandler } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import type { EpochSamplerInfo } from './fit';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };

/** A source that records the indices of every batch it serves. */
function recording(x: tf.Tensor): { source: BatchSource; seen: number[][] } {
  const inner = tensorSource(x);
  const seen: number[][] = [];
  return {
    seen,
    source: {
      size: inner.size,
      itemShape: inner.itemShape,
      batch(indices) {
        seen.push(Array.from(indices));
        return inner.batch(indices);
      },
    },
  };
}

describe('fit with an epochSampler', () => {
  it('visits exactly the examples the sampler returns each epoch, in its order, with a seed per epoch', async () => {
    const { x } = binaryPrototypes(8);
    const { source, seen } = recording(x);
    const model = new Autoencoder({ ...small, seed: 1 });
    const calls: EpochSamplerInfo[] = [];
    const history = await expectNoLeaks(() =>
      model.fit(source, {
        epochs: 2,
        batchSize: 3,
        seed: 4,
        epochSampler: (info) => {
          calls.push(info);
          return info.epoch === 1 ? [7, 7, 7, 0, 1] : Promise.resolve(new Int32Array([2, 3, 2, 3, 2, 3, 5]));
        },
      }),
    );
    expect(calls.map((c) => [c.epoch, c.size])).toEqual([
      [1, 8],
      [2, 8],
    ]);
    expect(calls[0].seed).not.toBe(calls[1].seed);
    expect(seen).toEqual([[7, 7, 7], [0, 1], [2, 3, 2], [3, 2, 3], [5]]);
    expect(history.epochs.map((e) => e.step)).toEqual([2, 5]);
    // the same seed and the same epochs give the sampler the same seeds
    const again: number[] = [];
    const other = new Autoencoder({ ...small, seed: 1 });
    await other.fit(source, {
      epochs: 2,
      batchSize: 3,
      seed: 4,
      epochSampler: ({ epoch, seed }) => {
        again.push(seed);
        return epoch === 1 ? [0, 0, 0, 0, 0] : [1];
      },
    });
    expect(again).toEqual(calls.map((c) => c.seed));
    model.dispose();
    other.dispose();
    x.dispose();
  });

  it('refuses indices outside the data and an empty epoch, naming the epoch', async () => {
    const { x } = binaryPrototypes(4);
    const model = new Autoencoder({ ...small, seed: 1 });
    await expect(model.fit(x, { epochs: 1, epochSampler: () => [0, 4] })).rejects.toThrow(
      /index 4 \(position 1\) for epoch 1; indices must be integers in \[0, 4\)/,
    );
    await expect(model.fit(x, { epochs: 1, epochSampler: () => [] })).rejects.toThrow(
      /no indices for epoch 1/,
    );
    model.dispose();
    x.dispose();
  });

  it('resumes at an epoch boundary, and refuses a checkpoint from within an epoch', async () => {
    const { x } = binaryPrototypes(8);
    const model = new Autoencoder({ ...small, seed: 1 });
    const handler = memoryHandler();
    const controller = new AbortController();
    const sampler = () => [0, 1, 2, 3, 4, 5];
    await model.fit(x, {
      epochs: 2,
      batchSize: 2,
      seed: 1,
      epochSampler: sampler,
      signal: controller.signal,
      checkpoint: { handler },
      onBatchEnd: ({ epoch, batch }) => {
        if (epoch === 2 && batch === 1) controller.abort();
      },
    });
    const loaded = await loadCheckpoint(handler, { as: Autoencoder });
    expect(loaded.checkpoint.state.batch).toBe(1);
    await expect(
      loaded.model.fit(x, { epochs: 2, batchSize: 2, epochSampler: sampler, resumeFrom: loaded.checkpoint }),
    ).rejects.toThrow(/stopped within an epoch.*resume from a checkpoint saved at the end of an epoch/);
    // a checkpoint at an epoch boundary resumes
    const boundary = memoryHandler();
    const first = new Autoencoder({ ...small, seed: 1 });
    await first.fit(x, {
      epochs: 1,
      batchSize: 2,
      seed: 1,
      epochSampler: sampler,
      checkpoint: { handler: boundary },
    });
    const resumed = await loadCheckpoint(boundary, { as: Autoencoder });
    const history = await resumed.model.fit(x, {
      epochs: 2,
      batchSize: 2,
      epochSampler: sampler,
      resumeFrom: resumed.checkpoint,
    });
    expect(history.epochs.map((e) => e.step)).toEqual([3, 6]);
    for (const m of [loaded.model, first, resumed.model]) m.dispose();
    model.dispose();
    x.dispose();
  });
});
