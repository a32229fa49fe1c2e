// Data-parallel training in worker_threads: 2 and 3 replicas (this thread and 1 or 2 worker threads) against one
// thread on the same seeded batches, seeded reproducibility, resuming an interrupted run, a crashing worker, no
// leaked tensors, no worker left running.
// The workers run this package's sources, bundled once with esbuild (the built package ships fit-worker.node.js).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { Autoencoder } from '../autoencoder/autoencoder.model';
import { AutoRec } from '../autorec/autorec.model';
import { loadCheckpoint } from '../io';
import '../node';
import { memoryHandler } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { VAE } from '../vae/vae.model';
import type { FitOptions } from './fit';
import { registerWorkerRuntime, type ToReplica, WorkerError, type WorkerRuntime } from './parallel';
import { nodeWorkerRuntime } from './parallel.node';
import { expectSameTraining, largestDifference, weightsOf } from './parallel.test-utils';
import { ReplicaPool } from './pool';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '../..');
const repository = join(packageRoot, '../..');
const cache = join(packageRoot, 'node_modules/.cache/vae-fit-worker');
let script: URL;
let crashingSetup: string;

beforeAll(async () => {
  mkdirSync(cache, { recursive: true });
  const outfile = join(cache, 'fit-worker.mjs');
  await build({
    entryPoints: [join(here, 'fit-worker.node.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'error',
    external: ['@tensorflow/*'],
    plugins: [
      {
        name: 'sources',
        setup(b) {
          b.onResolve({ filter: /^@vae\/core(\/.*)?$/ }, (args) => ({
            path: join(
              repository,
              'packages/core/src',
              `${args.path.slice('@vae/core/'.length) || 'index'}.ts`,
            ),
          }));
          b.onResolve({ filter: /^#register-gradients$/ }, () => ({
            path: join(repository, 'packages/core/src/register-gradients.node.ts'),
          }));
        },
      },
    ],
  });
  script = pathToFileURL(outfile);
  // A setup module that registers the backend, then ends its worker thread at the third step message.
  const backendModule = createRequire(join(repository, 'package.json')).resolve(
    tf.getBackend() === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs-backend-cpu',
  );
  crashingSetup = join(cache, 'crash-at-step-3.mjs');
  writeFileSync(
    crashingSetup,
    [
      "import { parentPort } from 'node:worker_threads';",
      `import ${JSON.stringify(pathToFileURL(backendModule).href)};`,
      'let steps = 0;',
      "parentPort.on('message', (m) => { if (m.type === 'step' && ++steps === 3) process.exit(7); });",
    ].join('\n'),
  );
}, 60_000);

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };

/** The process's OS threads (each worker thread is one): Linux's /proc, else 0 (the check is then vacuous). */
const workerThreads = () =>
  existsSync('/proc/self/status')
    ? Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0)
    : 0;

describe('fit with workers (worker_threads)', () => {
  const { x } = binaryPrototypes(32);
  const options: FitOptions = { epochs: 2, batchSize: 16, seed: 3, learningRate: 1e-2 };

  it('2 workers train the model one thread trains on the same batches (deterministic model), leaking nothing', async () => {
    const single = new Autoencoder({ ...small, seed: 1 });
    const singleHistory = await single.fit(tensorSource(x), options);
    const parallel = new Autoencoder({ ...small, seed: 1 });
    const before = tf.memory().numTensors;
    const threadsBefore = workerThreads();
    let threadsDuring = 0;
    const batches: number[] = [];
    const history = await parallel.fit(tensorSource(x), {
      ...options,
      workers: { count: 2, script },
      onBatchEnd: ({ step }) => {
        batches.push(step);
        threadsDuring = Math.max(threadsDuring, workerThreads());
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    if (threadsBefore > 0) {
      // 2 replicas: this thread and one worker thread
      expect(threadsDuring).toBeGreaterThanOrEqual(threadsBefore + 1);
      expect(workerThreads()).toBeLessThanOrEqual(threadsBefore);
    }
    expect(batches).toEqual([1, 2, 3, 4]);
    await expectSameTraining(parallel, single, new Autoencoder({ ...small, seed: 1 }));
    history.epochs.forEach((record, i) => {
      expect(record.train.total).toBeCloseTo(singleHistory.epochs[i].train.total, 4);
    });
    for (const m of [single, parallel]) m.dispose();
  });

  it('3 replicas (2 worker threads) train the model one thread trains; 1 replica starts no thread', async () => {
    const single = new Autoencoder({ ...small, seed: 7 });
    await single.fit(tensorSource(x), options);
    const three = new Autoencoder({ ...small, seed: 7 });
    const before = tf.memory().numTensors;
    const threadsBefore = workerThreads();
    let threadsDuring = 0;
    // batches of 16 rows in shards of 6, 5 and 5
    await three.fit(tensorSource(x), {
      ...options,
      workers: { count: 3, script },
      onBatchEnd: () => {
        threadsDuring = Math.max(threadsDuring, workerThreads());
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    if (threadsBefore > 0) expect(threadsDuring).toBeGreaterThanOrEqual(threadsBefore + 2);
    expect(largestDifference(await weightsOf(three), await weightsOf(single))).toBeLessThan(1e-5);
    const one = new Autoencoder({ ...small, seed: 7 });
    let threadsOfOne = 0;
    await one.fit(tensorSource(x), {
      ...options,
      workers: { count: 1, script },
      onBatchEnd: () => {
        threadsOfOne = Math.max(threadsOfOne, workerThreads());
      },
    });
    if (threadsBefore > 0) expect(threadsOfOne).toBeLessThanOrEqual(threadsBefore);
    expect(largestDifference(await weightsOf(one), await weightsOf(single))).toBe(0);
    for (const m of [single, three, one]) m.dispose();
  });

  it('without shared buffers (transferred, as on a page that is not cross-origin isolated): the same model, buffers handed back', async () => {
    // Node's runtime as a browser's is without SharedArrayBuffer; the step messages the workers get are recorded.
    const steps: Array<{ worker: number; weights: boolean; gradients: boolean }> = [];
    const transferring: WorkerRuntime = {
      ...nodeWorkerRuntime,
      shared: false,
      start(index, requested) {
        const endpoint = nodeWorkerRuntime.start(index, requested);
        return {
          ...endpoint,
          post(message: ToReplica, transfer?: ArrayBuffer[]) {
            if (message.type === 'init') expect(message.weights).toBeNull();
            if (message.type === 'step') {
              steps.push({
                worker: index,
                weights: message.weightValues !== null,
                gradients: message.gradients !== null,
              });
            }
            endpoint.post(message, transfer);
          },
        };
      },
      open: (model, variables, requested, batchSize) =>
        ReplicaPool.start(transferring, model, variables, requested, batchSize),
    };
    registerWorkerRuntime(transferring);
    try {
      const single = new Autoencoder({ ...small, seed: 9 });
      await single.fit(tensorSource(x), options);
      const three = new Autoencoder({ ...small, seed: 9 });
      const before = tf.memory().numTensors;
      await three.fit(tensorSource(x), { ...options, workers: { count: 3, script } });
      expect(tf.memory().numTensors).toBe(before);
      expect(largestDifference(await weightsOf(three), await weightsOf(single))).toBeLessThan(1e-5);
      // 4 steps x 2 workers; every step sends the weights (the first too: a callback may have changed them since the
      // replicas were built), and from the second step on each worker writes into the buffer it sent before.
      expect(steps).toHaveLength(8);
      for (const worker of [0, 1]) {
        const mine = steps.filter((s) => s.worker === worker);
        expect(mine.map((s) => s.weights)).toEqual([true, true, true, true]);
        expect(mine.map((s) => s.gradients)).toEqual([false, true, true, true]);
      }
      for (const m of [single, three]) m.dispose();
    } finally {
      registerWorkerRuntime(nodeWorkerRuntime);
    }
  });

  it('a seeded VAE run with 2 workers is reproducible bit for bit', async () => {
    const runs = [];
    for (let r = 0; r < 2; r++) {
      const model = new VAE({ ...small, seed: 2 });
      await model.fit(tensorSource(x), { ...options, workers: { count: 2, script } });
      runs.push(await weightsOf(model));
      model.dispose();
    }
    expect(largestDifference(runs[0], runs[1])).toBe(0);
  });

  it('resumes an interrupted run with workers where it stopped, to the uninterrupted result', async () => {
    const full = new Autoencoder({ ...small, seed: 4 });
    await full.fit(tensorSource(x), { ...options, epochs: 3, workers: { count: 2, script } });
    const handler = memoryHandler();
    const controller = new AbortController();
    const first = new Autoencoder({ ...small, seed: 4 });
    const interrupted = await first.fit(tensorSource(x), {
      ...options,
      epochs: 3,
      workers: { count: 2, script },
      checkpoint: { handler },
      signal: controller.signal,
      onBatchEnd: ({ step }) => {
        if (step === 3) controller.abort();
      },
    });
    expect(interrupted.aborted).toBe(true);
    const { model, checkpoint } = await loadCheckpoint(handler);
    expect(checkpoint.state.step).toBe(3);
    await model.fit(tensorSource(x), {
      ...options,
      epochs: 3,
      workers: { count: 2, script },
      resumeFrom: checkpoint,
    });
    expect(largestDifference(await weightsOf(model), await weightsOf(full))).toBeLessThan(1e-6);
    checkpoint.dispose();
    for (const m of [full, first, model]) m.dispose();
  });

  it('a crashing worker stops the run with a clear error, leaving the last checkpoint and no thread', async () => {
    const handler = memoryHandler();
    const model = new Autoencoder({ ...small, seed: 5 });
    const before = tf.memory().numTensors;
    const threadsBefore = workerThreads();
    const run = model.fit(tensorSource(x), {
      ...options,
      workers: { count: 2, script, setup: crashingSetup },
      checkpoint: { handler },
    });
    await expect(run).rejects.toThrow(WorkerError);
    await expect(run).rejects.toThrow(
      /worker 1 of 1 failed: the worker thread exited \(code 7\).*last checkpoint/,
    );
    expect(workerThreads()).toBeLessThanOrEqual(threadsBefore);
    expect(tf.memory().numTensors).toBe(before);
    // Step 3 is the first of epoch 2: the checkpoint of epoch 1 is there, whole.
    const { model: saved, checkpoint } = await loadCheckpoint(handler);
    expect(checkpoint.state).toMatchObject({ epoch: 2, batch: 0, step: 2 });
    checkpoint.dispose();
    saved.dispose();
    model.dispose();
  });

  it('keeps tensors flat here and in the worker, and resident memory flat, over 192 steps with 2 replicas', async () => {
    // The worker's tensor count after every step, logged by an entry that wraps the worker's.
    const log = join(cache, `tensors-${process.pid}.log`);
    writeFileSync(log, '');
    const counting = join(cache, 'counting-worker.mjs');
    writeFileSync(
      counting,
      [
        "import { appendFileSync } from 'node:fs';",
        "import { parentPort } from 'node:worker_threads';",
        "import * as tf from '@tensorflow/tfjs-core';",
        'const post = parentPort.postMessage.bind(parentPort);',
        'parentPort.postMessage = (m, t) => {',
        `  if (m.type === 'result') queueMicrotask(() => appendFileSync(${JSON.stringify(log)}, tf.memory().numTensors + '\\n'));`,
        '  return post(m, t);',
        '};',
        `await import(${JSON.stringify(script.href)});`,
      ].join('\n'),
    );
    const images = tf.tidy(() =>
      tf.cast(tf.greater(tf.randomUniform([256, 8, 8, 1], 0, 1, 'float32', 9), 0.5), 'float32'),
    );
    const model = new VAE({ inputShape: [8, 8, 1], hiddenUnits: [32], latentDim: 4, seed: 8 });
    const before = tf.memory().numTensors;
    const resident: number[] = [];
    const tensors: number[] = [];
    await model.fit(tensorSource(images), {
      epochs: 12,
      batchSize: 16,
      seed: 1,
      workers: { count: 2, script: pathToFileURL(counting) },
      onEpochEnd: ({ epoch }) => {
        // after 2 epochs (32 steps) of warm-up
        if (epoch > 2) {
          resident.push(process.memoryUsage().rss);
          tensors.push(tf.memory().numTensors);
        }
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(tensors).size).toBe(1);
    const inWorker = readFileSync(log, 'utf8').trim().split('\n').map(Number);
    expect(inWorker.length).toBeGreaterThanOrEqual(190);
    expect(new Set(inWorker.slice(32)).size).toBe(1);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    expect((median(resident.slice(-3)) - median(resident.slice(0, 3))) / 2 ** 20).toBeLessThan(48);
    images.dispose();
    model.dispose();
  });

  it("AutoRec's replicas get the training rows its weight decay is divided by: the same model as one thread", async () => {
    // 8 item rows over 3 users, a quarter of the ratings missing; the weight decay is large, so a replica with the
    // wrong row count (1 instead of 8) would train visibly another model.
    const matrix = Array.from({ length: 8 }, (_, r) =>
      [0, 1, 2].map((c) => ((r + c) % 4 === 0 ? 0 : 1 + ((r * 3 + c) % 5))),
    );
    const data = {
      size: matrix.length,
      itemShape: [2, 3],
      batch: (indices: ArrayLike<number>) =>
        tf.tensor3d(Array.from(indices, (r) => [matrix[r], matrix[r].map((v) => (v === 0 ? 0 : 1))])),
    };
    const make = () => new AutoRec({ kind: 'item', columns: 3, hiddenUnits: 4, weightDecay: 5, seed: 4 });
    const fitOptions: FitOptions = { epochs: 2, batchSize: 4, seed: 2, learningRate: 1e-2 };
    const single = make();
    await single.fit(data, fitOptions);
    const parallel = make();
    const before = tf.memory().numTensors;
    await parallel.fit(data, { ...fitOptions, workers: { count: 2, script } });
    expect(tf.memory().numTensors).toBe(before);
    await expectSameTraining(parallel, single, make());
    for (const m of [single, parallel]) m.dispose();
  });

  it('weights changed by a callback before the first step reach the replicas', async () => {
    const halve = (model: Autoencoder) => () => {
      for (const v of Object.values(model.variables)) v.assign(tf.tidy(() => tf.mul(v, 0.5)));
    };
    const single = new Autoencoder({ ...small, seed: 8 });
    await single.fit(tensorSource(x), { ...options, onTrainBegin: halve(single) });
    const parallel = new Autoencoder({ ...small, seed: 8 });
    await parallel.fit(tensorSource(x), {
      ...options,
      onTrainBegin: halve(parallel),
      workers: { count: 2, script },
    });
    expect(largestDifference(await weightsOf(parallel), await weightsOf(single))).toBeLessThan(1e-5);
    for (const m of [single, parallel]) m.dispose();
  });

  it("a worker's malformed result stops the run with an error naming it, leaking nothing", async () => {
    const corrupt = (result: Record<string, unknown>, kind: string) =>
      kind === 'terms' ? { ...result, terms: [1, 2] } : { ...result, absent: [99] };
    for (const kind of ['terms', 'absent']) {
      const tampering: WorkerRuntime = {
        ...nodeWorkerRuntime,
        start(index, requested) {
          const endpoint = nodeWorkerRuntime.start(index, requested);
          return {
            ...endpoint,
            listen(handlers) {
              endpoint.listen({
                ...handlers,
                message: (m) => handlers.message(m.type === 'result' ? (corrupt(m, kind) as never) : m),
              });
            },
          };
        },
        open: (model, variables, requested, batchSize) =>
          ReplicaPool.start(tampering, model, variables, requested, batchSize),
      };
      registerWorkerRuntime(tampering);
      try {
        const model = new Autoencoder({ ...small, seed: 5 });
        const before = tf.memory().numTensors;
        const initial = await weightsOf(model);
        await expect(
          model.fit(tensorSource(x), { ...options, workers: { count: 2, script } }),
        ).rejects.toThrow(
          kind === 'terms'
            ? /worker 1 of 1 failed: its result has no 5 loss terms/
            : /worker 1 of 1 failed: its result lists variables without gradients wrongly/,
        );
        expect(tf.memory().numTensors).toBe(before);
        // stopped before applying the first step
        expect(largestDifference(await weightsOf(model), initial)).toBe(0);
        model.dispose();
      } finally {
        registerWorkerRuntime(nodeWorkerRuntime);
      }
    }
  });

  it('a worker whose setup never finishes loading fails fit after workers.startTimeout, leaving no thread', async () => {
    const hanging = join(cache, 'never-loads.mjs');
    writeFileSync(hanging, 'await new Promise(() => {});\n');
    const model = new Autoencoder({ ...small, seed: 6 });
    const threadsBefore = workerThreads();
    const before = tf.memory().numTensors;
    const started = performance.now();
    await expect(
      model.fit(tensorSource(x), {
        ...options,
        workers: { count: 2, script, setup: hanging, startTimeout: 1500 },
      }),
    ).rejects.toThrow(
      /worker 1 could not start: it did not start within 1.5 s: its setup module, its backend/,
    );
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(tf.memory().numTensors).toBe(before);
    if (threadsBefore > 0) expect(workerThreads()).toBeLessThanOrEqual(threadsBefore);
    await expect(
      model.fit(tensorSource(x), { ...options, workers: { count: 2, script, startTimeout: 0 } }),
    ).rejects.toThrow(/workers.startTimeout must be a number of milliseconds above 0, got 0/);
    model.dispose();
  });

  it('refuses bad worker options with errors that name the fix', async () => {
    const model = new Autoencoder({ ...small, seed: 6 });
    await expect(model.fit(tensorSource(x), { ...options, workers: 0 })).rejects.toThrow(
      /workers must be a positive integer or 'auto', got 0/,
    );
    await expect(
      model.fit(tensorSource(x), { ...options, workers: { count: 2, script, backend: 'nonexistent' } }),
    ).rejects.toThrow(/cannot load the 'nonexistent' backend by themselves; pass workers.setup/);
    // create is for browsers' Web Workers
    await expect(
      model.fit(tensorSource(x), { ...options, workers: { count: 2, script, create: () => ({}) as never } }),
    ).rejects.toThrow(/workers.create starts Web Workers \(browsers, with @vae\/models\/browser\); in Node/);
    await expect(
      model.fit(tensorSource(x), { ...options, workers: { count: 2, create: 'worker.js' as never } }),
    ).rejects.toThrow(/workers.create must be a function that starts a Web Worker/);
    model.dispose();
  });
});
