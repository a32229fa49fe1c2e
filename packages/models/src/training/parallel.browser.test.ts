// Data-parallel fit in Chromium's Web Workers (@vae/models/browser): 2 replicas (this thread and one Web Worker, the
// app's worker module test/workers/fit-replica.worker.ts) train the model one thread trains on the same batches,
// through transferred buffers (these test pages are not cross-origin isolated: no SharedArrayBuffer), leaking no
// tensor and leaving no worker; a worker that does not load, or workers without `create`, reject with errors that
// name the fix. On the cpu backend, in the workers as here, so that one thread's run is the exact reference.
import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Autoencoder } from '../autoencoder/autoencoder.model';
import '../browser';
import { binaryPrototypes } from '../testing/toy';
import { VAE } from '../vae/vae.model';
import type { FitOptions } from './fit';
import type { ToReplica } from './parallel';
import { WorkerError } from './parallel';
import { expectSameTraining } from './parallel.test-utils';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };
const options: FitOptions = { epochs: 2, batchSize: 16, seed: 3, learningRate: 1e-2 };
let previousBackend = '';
let x: tf.Tensor;

beforeAll(async () => {
  previousBackend = tf.getBackend();
  expect(await tf.setBackend('cpu')).toBe(true);
  ({ x } = binaryPrototypes(32));
});

afterAll(async () => {
  x.dispose();
  await tf.setBackend(previousBackend);
});

describe('fit with workers (Web Workers)', () => {
  it('2 replicas train the model one thread trains, through transferred buffers, leaking nothing', async () => {
    const single = new Autoencoder({ ...small, seed: 1 });
    await single.fit(tensorSource(x), options);
    const parallel = new Autoencoder({ ...small, seed: 1 });
    const before = tf.memory().numTensors;
    let started = 0;
    let terminated = 0;
    const steps: Array<{ weights: boolean; gradients: boolean }> = [];
    const batches: number[] = [];
    await parallel.fit(tensorSource(x), {
      ...options,
      workers: {
        count: 2,
        create: () => {
          started += 1;
          const worker = new Worker(
            new URL('../../../../test/workers/fit-replica.worker.ts', import.meta.url),
            {
              type: 'module',
            },
          );
          const post = worker.postMessage.bind(worker);
          worker.postMessage = ((message: ToReplica, transfer: Transferable[]) => {
            if (message.type === 'step') {
              steps.push({ weights: message.weightValues !== null, gradients: message.gradients !== null });
            }
            post(message, transfer);
          }) as Worker['postMessage'];
          const terminate = worker.terminate.bind(worker);
          worker.terminate = () => {
            terminated += 1;
            terminate();
          };
          return worker;
        },
      },
      onBatchEnd: ({ step }) => {
        batches.push(step);
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect([started, terminated]).toEqual([1, 1]);
    expect(batches).toEqual([1, 2, 3, 4]);
    await expectSameTraining(parallel, single, new Autoencoder({ ...small, seed: 1 }));
    if (!globalThis.crossOriginIsolated) {
      // transferred: the weights at every step (the first too: a callback may have changed them since the replica
      // was built), from the second step on in the buffer the worker handed back, and the gradients written into the
      // buffer the worker sent the step before
      expect(steps).toEqual([
        { weights: true, gradients: false },
        { weights: true, gradients: true },
        { weights: true, gradients: true },
        { weights: true, gradients: true },
      ]);
    }
    for (const m of [single, parallel]) m.dispose();
  });

  it('a worker that does not load rejects fit with a clear error, at once, leaking nothing', async () => {
    const model = new Autoencoder({ ...small, seed: 2 });
    const before = tf.memory().numTensors;
    const run = model.fit(tensorSource(x), {
      ...options,
      workers: {
        count: 2,
        create: () => new Worker(new URL('/no-such-fit.worker.js', location.href), { type: 'module' }),
      },
    });
    await expect(run).rejects.toThrow(WorkerError);
    await expect(run).rejects.toThrow(
      /worker 1 could not start: the worker module did not load.*workers.create/,
    );
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  }, 30_000);

  it('workers without create, a create that fails, or a worker without the model class name the fix', async () => {
    const model = new Autoencoder({ ...small, seed: 3 });
    await expect(model.fit(tensorSource(x), { ...options, workers: 2 })).rejects.toThrow(
      /workers in a browser are started by your app: pass workers.create/,
    );
    await expect(
      model.fit(tensorSource(x), {
        ...options,
        workers: {
          count: 2,
          create: () => {
            throw new Error('blocked by policy');
          },
        },
      }),
    ).rejects.toThrow(/workers.create\(0\) threw: blocked by policy/);
    // the worker module rebuilds only the classes it names (the fixture: Autoencoder)
    const vae = new VAE({ ...small, seed: 3 });
    await expect(
      vae.fit(tensorSource(x), {
        ...options,
        workers: {
          count: 2,
          create: () =>
            new Worker(new URL('../../../../test/workers/fit-replica.worker.ts', import.meta.url), {
              type: 'module',
            }),
        },
      }),
    ).rejects.toThrow(/cannot rebuild a VAE: pass its class to serveFitWorker\(\{ models: \[\.\.\.\] \}\)/);
    vae.dispose();
    // 1 replica, or 'auto' on one core, trains here alone and needs no worker
    await model.fit(tensorSource(x), { ...options, epochs: 1, workers: 1 });
    model.dispose();
  });
});
