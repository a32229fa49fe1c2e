/**
 * Trains a VAE on MNIST in a Web Worker, so the page stays responsive: loads the data from the site's own origin
 * (verified by SHA-256, kept in the Cache API) and trains with `fit` from `@vae/models` (Adam, shuffling, the KL
 * schedule, cancellation: the library's one training loop), reporting every step's loss terms, a preview of decoded
 * samples now and then, and each epoch's averages from its callbacks. It pauses between steps (`onBatchEnd` waits),
 * aborts through an AbortSignal, and exports the trained model (the tfjs model.json artifacts and weights) on
 * request. The Debiasing view runs its experiment in a worker of this script too (`debias-start`: debias-run.ts),
 * and so does the Recommendations view (`recommend-start`: recommend-run.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchRanges, klWeight } from '@vae/core';
import type { ImageDataset } from '@vae/data';
import { saveModel, type VAE } from '@vae/models';
import { type BackendName, startBackend } from './backends';
import type { FromDebiasWorker, ToDebiasWorker } from './debias-messages';
import { loadMnistTest } from './host-data';
import type { FromRecommendWorker, ToRecommendWorker } from './recommend-messages';
import type { ExportedModel, FromWorker, ToWorker, TrainConfig } from './train-messages';
import { replicaWorkers, serveIfReplica } from './train-replicas';
import { createTrainModel, fitOptions, splitMnistTest } from './train-setup';

interface WorkerScope {
  postMessage(message: FromWorker | FromDebiasWorker | FromRecommendWorker, transfer?: Transferable[]): void;
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<ToWorker | ToDebiasWorker | ToRecommendWorker>) => void,
  ): void;
}
const scope = self as unknown as WorkerScope;
// Started by a training run as one of its data-parallel replicas (train-replicas.ts): serve that (the listener below
// ignores the replica's messages).
serveIfReplica();
const post = (message: FromWorker | FromDebiasWorker | FromRecommendWorker, transfer: Transferable[] = []) =>
  scope.postMessage(message, transfer);

/** Decoded samples shown while training: the same 16 prior draws every time. */
const PREVIEW_COUNT = 16;
const PREVIEW_EVERY_STEPS = 10;

let backendReady: Promise<{ backend: string; failures: string[] }> | undefined;
let data: ImageDataset | undefined;
/** The images the current model trains on (the first n of `data`). */
let trainingData: ImageDataset | undefined;
let dataKey = '';
let model: VAE | undefined;
let running = false;
let paused = false;
let abort: AbortController | undefined;
let wake: (() => void) | undefined;

async function preview(z: tf.Tensor2D): Promise<void> {
  if (!model) return;
  const images = tf.tidy(() => model!.decode(z));
  const pixels = (await images.data()) as Float32Array;
  images.dispose();
  post({ type: 'preview', pixels, count: PREVIEW_COUNT }, [pixels.buffer]);
}

/** Waits while paused (between two steps); abort wakes it too. */
async function waitWhilePaused(): Promise<void> {
  if (!paused || abort?.signal.aborted) return;
  post({ type: 'paused' });
  while (paused && !abort?.signal.aborted) await new Promise<void>((resolve) => (wake = resolve));
  if (!abort?.signal.aborted) post({ type: 'resumed' });
}

/** Starts the backend once per worker (the same for every run in it). */
function ensureBackend(
  requested: TrainConfig['backend'],
  say: (text: string) => void,
): Promise<{ backend: string; failures: string[] }> {
  backendReady ??= (async () => {
    say(`Starting the ${requested ?? 'automatic'} backend in the worker…`);
    const choice = await startBackend(requested, ['wasm', 'cpu']);
    return { backend: choice.backend, failures: choice.failures };
  })();
  return backendReady;
}

async function train(config: TrainConfig): Promise<void> {
  running = true;
  paused = false;
  abort = new AbortController();
  const { signal } = abort;
  const { backend, failures } = await ensureBackend(config.backend, (text) => post({ type: 'status', text }));

  const key = config.siteUrl;
  if (!data || dataKey !== key) {
    post({ type: 'status', text: 'Loading the MNIST test set (1.6 MB, checked by SHA-256)…' });
    // all 10,000: the first n train, the last 1000 are held out (train-setup.ts)
    data = await loadMnistTest(config.dataFiles, config.siteUrl, 10_000);
    dataKey = key;
  }
  const { train: dataset, heldOut, overlap } = splitMnistTest(data, config.examples);
  trainingData = dataset;

  model?.dispose();
  model = createTrainModel(config);
  const trained = model;
  const stepsPerEpoch = batchRanges(dataset.size, config.batchSize).length;
  const options = fitOptions(config, stepsPerEpoch, heldOut);
  // data-parallel replicas in nested workers, where the backend and the browser allow (train-replicas.ts)
  const parallel = replicaWorkers(config.replicas, backend, config.batchSize);
  // the weight in force, as the model decides it (the warm-up, else its beta)
  const schedule = trained.klScheduleFor(options.klSchedule);
  const previewZ = tf.randomNormal([PREVIEW_COUNT, config.latentDim], 0, 1, 'float32', 11) as tf.Tensor2D;
  post({
    type: 'ready',
    backend,
    failures,
    examples: dataset.size,
    stepsPerEpoch,
    heldOut: heldOut.size,
    overlap,
    parameters: Object.values(trained.variables)
      .filter((variable) => variable.trainable)
      .reduce((sum, variable) => sum + variable.size, 0),
    replicas: parallel.replicas,
    replicasNote: parallel.note,
  });

  let steps = 0;
  let aborted = false;
  try {
    await preview(previewZ);
    const history = await trained.fit(dataset, {
      ...options,
      workers: parallel.workers,
      signal,
      onBatchEnd: async ({ epoch, batch, batches, step, losses }) => {
        steps = step;
        post({
          type: 'step',
          record: {
            step,
            epoch,
            progress: epoch - 1 + batch / batches,
            reconstruction: losses.reconstruction,
            kl: losses.kl,
            // The weight of this step: `step` counts it, the schedule counts steps from 0.
            klWeight: klWeight(schedule, step - 1),
          },
        });
        if (step % PREVIEW_EVERY_STEPS === 0) await preview(previewZ);
        await waitWhilePaused();
      },
      onEpochEnd: async (record) => {
        post({
          type: 'epoch',
          summary: {
            epoch: record.epoch,
            reconstruction: record.train.reconstruction,
            kl: record.train.kl,
            // The objective as trained: reconstruction + the scheduled weight x KL of each step.
            total: record.train.total,
            // fit's evaluation of the held-out images after the epoch (validationData)
            heldOut: record.validation,
            seconds: record.seconds,
            imagesPerSecond: record.examplesPerSecond,
          },
        });
        await preview(previewZ);
      },
    });
    aborted = history.aborted;
  } finally {
    previewZ.dispose();
    running = false;
  }
  post({ type: 'done', aborted, steps });
}

/** The model's tfjs artifacts, and the posterior means of the first `count` training images. */
async function exportModel(count: number): Promise<void> {
  const data = trainingData;
  if (!model || !data) throw new Error('there is no trained model to export yet.');
  const trained = model;
  let exported: ExportedModel | undefined;
  await saveModel(
    trained,
    tf.io.withSaveHandler(async (artifacts) => {
      exported = {
        modelTopology: artifacts.modelTopology,
        weightSpecs: artifacts.weightSpecs ?? [],
        weightData: tf.io.CompositeArrayBuffer.join(artifacts.weightData),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!exported) throw new Error('saving the model gave no artifacts.');
  const n = Math.min(count, data.size);
  if (n > 0 && trained.latentDim >= 2) {
    const d = trained.latentDim;
    const means: number[] = [];
    for (let start = 0; start < n; start += 500) {
      const indices = Array.from({ length: Math.min(500, n - start) }, (_, i) => start + i);
      const mean = tf.tidy(() => trained.encode(data!.batch(indices)).mean);
      const values = await mean.data();
      mean.dispose();
      for (const value of values) means.push(Math.round(value * 1000) / 1000);
    }
    exported.codes = { latentDim: d, count: n, labels: Array.from(data.labels?.subarray(0, n) ?? []), means };
  }
  post({ type: 'exported', model: exported }, [exported.weightData]);
}

/**
 * An experiment view's run in this worker (the Debiasing view's debias-run.ts, the Recommendations view's
 * recommend-run.ts: chunks of their own, loaded when first asked for): the backend, then the run, with an abort
 * signal; an error goes back as that view's `<view>-error`, its progress as `<view>-status`.
 */
async function experiment<C extends { backend?: BackendName }>(
  view: 'debias' | 'recommend',
  config: C,
  load: () => Promise<
    (
      config: C,
      backend: { backend: string; failures: string[] },
      post: (message: FromDebiasWorker | FromRecommendWorker, transfer?: Transferable[]) => void,
      signal: AbortSignal,
    ) => Promise<void>
  >,
): Promise<void> {
  running = true;
  abort = new AbortController();
  const { signal } = abort;
  try {
    const chosen = await ensureBackend(config.backend, (text) =>
      post({ type: `${view}-status`, text } as FromDebiasWorker | FromRecommendWorker),
    );
    const run = await load();
    await run(config, chosen, post, signal);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    post({ type: `${view}-error`, message: text } as FromDebiasWorker | FromRecommendWorker);
  } finally {
    running = false;
  }
}

const fail = (error: unknown) => {
  running = false;
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
};

scope.addEventListener('message', (event) => {
  const message = event.data;
  switch (message.type) {
    case 'start':
      if (running) return;
      train(message.config).catch(fail);
      break;
    case 'pause':
      paused = true;
      break;
    case 'resume':
      paused = false;
      wake?.();
      break;
    case 'abort':
      abort?.abort();
      paused = false;
      wake?.();
      break;
    case 'export':
      exportModel(message.codes).catch(fail);
      break;
    case 'debias-start':
      if (running) return;
      experiment('debias', message.config, async () => (await import('./debias-run')).runDebias);
      break;
    case 'debias-abort':
      abort?.abort();
      break;
    case 'recommend-start':
      if (running) return;
      experiment('recommend', message.config, async () => (await import('./recommend-run')).runRecommend);
      break;
    case 'recommend-abort':
      abort?.abort();
      break;
  }
});
