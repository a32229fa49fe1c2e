import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, tensorSource } from '@vae/core';
import { expectNoLeaks, maxAbsDifference } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { Autoencoder } from '../autoencoder/autoencoder.model';
import { loadCheckpoint, loadModel } from '../io';
import { memoryHandler, weightsOf } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { VAE } from '../vae/vae.model';
import { NonFiniteLossError } from './fit';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };

/** Bitwise equal on cpu and wasm; GPU backends may round differently after weights are uploaded again. */
async function same(a: Record<string, Float32Array>, b: Record<string, Float32Array>) {
  const gpu = ['webgl', 'webgpu'].includes(tf.getBackend());
  expect(Object.keys(a)).toEqual(Object.keys(b));
  for (const key of Object.keys(a))
    expect(maxAbsDifference(a[key], b[key]), key).toBeLessThanOrEqual(gpu ? 1e-5 : 0);
}

function closeTotals(actual: number[], expected: number[]) {
  const gpu = ['webgl', 'webgpu'].includes(tf.getBackend());
  if (!gpu) expect(actual).toEqual(expected);
  else expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-3);
}

describe('fit', () => {
  it('reports per-term losses per batch and per epoch, through every callback, in order', async () => {
    const model = new VAE({ ...small, seed: 1 });
    const { x } = binaryPrototypes(16);
    const events: string[] = [];
    const batchTotals: number[] = [];
    const history = await model.fit(tensorSource(x), {
      epochs: 2,
      batchSize: 8,
      seed: 1,
      validationData: tensorSource(x),
      callbacks: {
        onTrainBegin: ({ epoch, step }) => {
          events.push(`begin ${epoch} ${step}`);
        },
        onEpochBegin: (epoch) => {
          events.push(`epoch ${epoch}`);
        },
        onBatchEnd: ({ epoch, batch, batches, step, losses }) => {
          events.push(`batch ${epoch}.${batch}/${batches} step ${step}`);
          batchTotals.push(losses.total);
          expect(losses.total).toBeCloseTo(
            losses.reconstruction + losses.weightedKl + (losses.regularizer ?? 0),
            3,
          );
        },
        onEpochEnd: async (record) => {
          events.push(`end ${record.epoch}`);
        },
        onTrainEnd: (h) => {
          events.push(`done ${h.epochs.length}`);
        },
      },
    });
    expect(events).toEqual([
      'begin 1 0',
      'epoch 1',
      'batch 1.1/2 step 1',
      'batch 1.2/2 step 2',
      'end 1',
      'epoch 2',
      'batch 2.1/2 step 3',
      'batch 2.2/2 step 4',
      'end 2',
      'done 2',
    ]);
    const [first] = history.epochs;
    expect(first.train.total).toBeCloseTo((batchTotals[0] + batchTotals[1]) / 2, 3);
    expect(first.validation?.total).toBeGreaterThan(0);
    expect(first.step).toBe(2);
    x.dispose();
    model.dispose();
  });

  it('resumes from a checkpoint exactly where it stopped (epoch boundary and mid-epoch abort)', async () => {
    const { x } = binaryPrototypes(24);
    const data = tensorSource(x);
    const options = { batchSize: 8, seed: 3, learningRate: 1e-2 };
    // straight through: 4 epochs
    const straight = new VAE({ ...small, seed: 2 });
    const reference = await straight.fit(data, { ...options, epochs: 4 });
    const expected = await weightsOf(straight);

    // 2 epochs with checkpoints, then resume in a new model to 4
    const handler = memoryHandler();
    const first = new VAE({ ...small, seed: 2 });
    await first.fit(data, { ...options, epochs: 2, checkpoint: { handler } });
    first.dispose();
    const { model, checkpoint } = await loadCheckpoint(handler);
    expect(checkpoint.state).toMatchObject({ epoch: 3, batch: 0, step: 6 });
    expect(checkpoint.optimizer?.className).toBe('Adam');
    const resumed = model as VAE;
    const history = await resumed.fit(data, { ...options, epochs: 4, resumeFrom: checkpoint });
    checkpoint.dispose();
    await same(await weightsOf(resumed), expected);
    closeTotals(
      history.epochs.map((e) => e.train.total),
      reference.epochs.map((e) => e.train.total),
    );
    resumed.dispose();

    // aborted in the middle of epoch 2, resumed from there
    const abortHandler = memoryHandler();
    const controller = new AbortController();
    const aborted = new VAE({ ...small, seed: 2 });
    const partial = await aborted.fit(data, {
      ...options,
      epochs: 4,
      signal: controller.signal,
      checkpoint: { handler: abortHandler },
      onBatchEnd: ({ epoch, batch }) => {
        if (epoch === 2 && batch === 1) controller.abort();
      },
    });
    expect(partial.aborted).toBe(true);
    expect(partial.epochs.map((e) => e.partial ?? false)).toEqual([false, true]);
    aborted.dispose();
    const again = await loadCheckpoint(abortHandler);
    expect(again.checkpoint.state).toMatchObject({ epoch: 2, batch: 1, step: 4 });
    const finished = again.model as VAE;
    const rest = await finished.fit(data, { ...options, epochs: 4, resumeFrom: again.checkpoint });
    again.checkpoint.dispose();
    await same(await weightsOf(finished), expected);
    closeTotals(
      rest.epochs.map((e) => e.train.total),
      reference.epochs.map((e) => e.train.total),
    );
    // loadModel reads the model out of a checkpoint too
    const plain = await loadModel(abortHandler);
    expect(plain.className).toBe('VAE');
    tf.dispose([x]);
    for (const m of [straight, finished, plain]) m.dispose();
  });

  it('stops on a non-finite loss with a clear error, keeping the last good weights and checkpoint', async () => {
    const { x } = binaryPrototypes(16);
    const clean = tensorSource(x);
    let poisoned = false;
    const data: BatchSource = {
      ...clean,
      batch: (indices) => {
        const batch = clean.batch(indices);
        if (!poisoned) return batch;
        const bad = tf.mul(batch, Number.NaN);
        batch.dispose();
        return bad;
      },
    };
    const model = new Autoencoder({ ...small, seed: 4 });
    const handler = memoryHandler();
    let good: Record<string, Float32Array> = {};
    const error = await model
      .fit(data, {
        epochs: 3,
        batchSize: 8,
        seed: 1,
        checkpoint: { handler },
        onEpochEnd: async () => {
          good = await weightsOf(model);
          poisoned = true;
        },
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect(error.message).toMatch(/loss became NaN at epoch 2, batch 1 of 2 \(step 3;.*last good weights/);
    expect(error.epoch).toBe(2);
    await same(await weightsOf(model), good);
    const { model: saved, checkpoint } = await loadCheckpoint(handler);
    expect(checkpoint.state.epoch).toBe(2);
    await same(await weightsOf(saved), good);
    checkpoint.dispose();
    saved.dispose();
    x.dispose();
    model.dispose();
  });

  it('stops early when the monitored loss stalls and restores the best weights', async () => {
    const { x } = binaryPrototypes(16);
    const model = new Autoencoder({ ...small, seed: 5 });
    let best: Record<string, Float32Array> = {};
    let bestLoss = Number.POSITIVE_INFINITY;
    const history = await model.fit(tensorSource(x), {
      epochs: 50,
      batchSize: 16,
      seed: 1,
      learningRate: 0.5, // too large: the loss jumps around and stops improving
      earlyStopping: { patience: 2, monitor: 'train' },
      onEpochEnd: async (record) => {
        if (record.train.total < bestLoss) {
          bestLoss = record.train.total;
          best = await weightsOf(model);
        }
      },
    });
    expect(history.stoppedEarly).toBe(true);
    expect(history.epochs.length).toBeLessThan(50);
    expect(history.epochs[(history.bestEpoch as number) - 1].train.total).toBe(bestLoss);
    await same(await weightsOf(model), best);
    x.dispose();
    model.dispose();
  });

  it('clips the global gradient norm, and leaks nothing with every option on', async () => {
    const { x } = binaryPrototypes(16);
    const model = new VAE({ ...small, seed: 6 });
    const before = await weightsOf(model);
    const sgd = tf.train.sgd(1);
    await model.fit(tensorSource(x), {
      epochs: 1,
      batchSize: 16,
      seed: 1,
      optimizer: sgd,
      gradientClipNorm: 1e-3,
    });
    const after = await weightsOf(model);
    let squared = 0;
    for (const key of Object.keys(before)) {
      for (let i = 0; i < before[key].length; i++) squared += (after[key][i] - before[key][i]) ** 2;
    }
    expect(Math.sqrt(squared)).toBeCloseTo(1e-3, 5); // one SGD step of learning rate 1: exactly the clipped norm
    sgd.dispose();
    await expectNoLeaks(() =>
      model.fit(tensorSource(x), {
        epochs: 3,
        batchSize: 8,
        seed: 1,
        gradientClipNorm: 5,
        validationData: tensorSource(x),
        klSchedule: { kind: 'cyclical', period: 2 },
        earlyStopping: { patience: 1 },
        checkpoint: { handler: memoryHandler() },
      }),
    );
    x.dispose();
    model.dispose();
  });

  it('names bad options', async () => {
    const model = new VAE({ ...small });
    const { x } = binaryPrototypes(8);
    const data = tensorSource(x);
    await expect(model.fit(data, { epochs: 0 })).rejects.toThrow(/epochs must be a positive integer/);
    await expect(model.fit(data, { gradientClipNorm: -1 })).rejects.toThrow(/gradientClipNorm must be > 0/);
    await expect(model.fit(data, { klSchedule: { kind: 'linear' } as never })).rejects.toThrow(/steps/);
    await expect(model.fit(data, { earlyStopping: { monitor: 'validation' } })).rejects.toThrow(
      /no validationData/,
    );
    x.dispose();
    model.dispose();
  });
});

describe('inputs in every form', () => {
  it('fit and evaluate take a tensor, a typed array, ArrayData and an async iterable alike, with the same result', async () => {
    const { x } = binaryPrototypes(16);
    const values = (await x.data()) as Float32Array;
    const train = async (data: Parameters<VAE['fit']>[0]) => {
      const model = new VAE({ ...small, seed: 3 });
      const progress: number[] = [];
      const history = await model.fit(data, {
        epochs: 1,
        batchSize: 8,
        seed: 2,
        shuffle: false,
        onProgress: ({ done, total }) => progress.push(done / total),
      });
      expect(progress).toEqual([0.5, 1]);
      const evaluated = await model.evaluate(values, { seed: 1 });
      model.dispose();
      return [history.epochs[0].train.total, evaluated.total];
    };
    async function* batches() {
      yield tf.slice(x, [0], [8]);
      yield tf.slice(x, [8], [8]);
    }
    const reference = await train(tensorSource(x));
    expect(await train(x)).toEqual(reference);
    expect(await train(values)).toEqual(reference);
    expect(await train({ values, shape: x.shape })).toEqual(reference);
    expect(await train(batches())).toEqual(reference);
    x.dispose();
  });

  it('conditional models take labels of a tensor in the options; embed and score stop on an aborted signal', async () => {
    const { ConditionalVAE } = await import('../conditional-vae/conditional-vae.model');
    const model = new ConditionalVAE({ ...small, numClasses: 2, seed: 1 });
    const { x } = binaryPrototypes(16);
    const labels = Array.from({ length: 16 }, (_, i) => i % 2);
    await expect(model.fit(x, { epochs: 1 })).rejects.toThrow(/needs class labels/);
    const history = await model.fit(x, { epochs: 1, batchSize: 8, seed: 1, labels });
    expect(history.epochs).toHaveLength(1);
    const codes = await model.embed(x, { labels, batchSize: 4 });
    expect(codes.shape).toEqual([16, 2]);
    codes.dispose();
    const controller = new AbortController();
    const seen: number[] = [];
    await expect(
      model.embed(x, {
        labels,
        batchSize: 4,
        signal: controller.signal,
        onProgress: ({ done }) => {
          seen.push(done);
          if (done === 8) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([4, 8]);
    await expect(
      expectNoLeaks(() => model.score(x, { labels, signal: controller.signal }).catch(() => 'stopped')),
    ).resolves.toBe('stopped');
    model.dispose();
    x.dispose();
  });
});
