/**
 * Trains a VAE on MNIST in a Web Worker, so the page stays responsive: loads the data from the site's own origin
 * (verified by SHA-256, kept in the Cache API), runs Adam steps, and reports every step's loss terms, a preview of
 * decoded samples now and then, and each epoch's averages. It pauses, resumes and aborts between steps, and
 * exports the trained model (the tfjs model.json artifacts and weights) on request.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@vae/core';
import { type ImageDataset, loadDataset } from '@vae/data';
import { saveModel, VAE } from '@vae/models';
import { startBackend } from './backends';
import type { ExportedModel, FromWorker, ToWorker, TrainConfig } from './train-messages';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
}
const scope = self as unknown as WorkerScope;
const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

/** Decoded samples shown while training: the same 16 prior draws every time. */
const PREVIEW_COUNT = 16;
const PREVIEW_EVERY_STEPS = 10;

let backendReady: Promise<{ backend: string; failures: string[] }> | undefined;
let data: ImageDataset | undefined;
let dataKey = '';
let model: VAE | undefined;
let running = false;
let paused = false;
let aborted = false;
let wake: (() => void) | undefined;

const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function preview(z: tf.Tensor2D): Promise<void> {
  if (!model) return;
  const images = tf.tidy(() => model!.decode(z));
  const pixels = (await images.data()) as Float32Array;
  images.dispose();
  post({ type: 'preview', pixels, count: PREVIEW_COUNT }, [pixels.buffer]);
}

async function train(config: TrainConfig): Promise<void> {
  running = true;
  paused = false;
  aborted = false;
  backendReady ??= (async () => {
    post({ type: 'status', text: `Starting the ${config.backend ?? 'automatic'} backend in the worker…` });
    const choice = await startBackend(config.backend, ['wasm', 'cpu']);
    return { backend: choice.backend, failures: choice.failures };
  })();
  const { backend, failures } = await backendReady;

  const key = `${config.dataUrl}|${config.examples}`;
  if (!data || dataKey !== key) {
    post({ type: 'status', text: 'Loading the MNIST test set (1.6 MB, checked by SHA-256)…' });
    data = await loadDataset('mnist', {
      split: 'test',
      limit: config.examples,
      baseUrl: config.dataUrl,
      cache: 'vae-demo-data',
    });
    dataKey = key;
  }
  const dataset = data;

  model?.dispose();
  model = new VAE({
    latentDim: config.latentDim,
    hiddenUnits: config.hiddenUnits,
    beta: config.beta,
    seed: config.seed,
  });
  const trained = model;
  const optimizer: tf.Optimizer = tf.train.adam(config.learningRate, 0.9, 0.999, 1e-8);
  const random = new Random(config.seed);
  const variables = Object.values(trained.variables).filter((variable) => variable.trainable);
  const stepsPerEpoch = Math.ceil(dataset.size / config.batchSize);
  const previewZ = tf.randomNormal([PREVIEW_COUNT, config.latentDim], 0, 1, 'float32', 11) as tf.Tensor2D;
  post({
    type: 'ready',
    backend,
    failures,
    examples: dataset.size,
    stepsPerEpoch,
    parameters: variables.reduce((sum, variable) => sum + variable.size, 0),
  });

  let step = 0;
  let lastYield = performance.now();
  try {
    await preview(previewZ);
    for (let epoch = 1; epoch <= config.epochs && !aborted; epoch++) {
      const order = random.permutation(dataset.size);
      const started = performance.now();
      let pausedFor = 0;
      let sumReconstruction = 0;
      let sumKl = 0;
      let seen = 0;
      for (let b = 0; b < stepsPerEpoch; b++) {
        if (paused) {
          const pausedAt = performance.now();
          post({ type: 'paused' });
          while (paused && !aborted) await new Promise<void>((resolve) => (wake = resolve));
          pausedFor += performance.now() - pausedAt;
          if (!aborted) post({ type: 'resumed' });
        }
        if (aborted) break;
        const indices = order.subarray(
          b * config.batchSize,
          Math.min(dataset.size, (b + 1) * config.batchSize),
        );
        const klWeight = config.warmup ? config.beta * Math.min(1, step / stepsPerEpoch) : config.beta;
        const seed = random.nextSeed();
        let terms: tf.Tensor | undefined;
        tf.tidy(() => {
          const x = dataset.batch(indices);
          const { value, grads } = tf.variableGrads(() => {
            const loss = trained.trainingLoss(x, { seed, beta: klWeight });
            terms = tf.keep(tf.stack([loss.terms.reconstruction, loss.terms.kl]));
            return loss.total;
          }, variables);
          optimizer.applyGradients(grads);
          value.dispose();
        });
        const [reconstruction, kl] = await terms!.data();
        terms!.dispose();
        step += 1;
        sumReconstruction += reconstruction * indices.length;
        sumKl += kl * indices.length;
        seen += indices.length;
        post({
          type: 'step',
          record: {
            step,
            epoch,
            progress: epoch - 1 + (b + 1) / stepsPerEpoch,
            reconstruction,
            kl,
            klWeight,
          },
        });
        if (step % PREVIEW_EVERY_STEPS === 0) await preview(previewZ);
        if (performance.now() - lastYield > 30) {
          await yieldToEvents(); // lets pause and abort messages in
          lastYield = performance.now();
        }
      }
      if (seen === 0) break;
      const seconds = (performance.now() - started - pausedFor) / 1000;
      post({
        type: 'epoch',
        summary: {
          epoch,
          reconstruction: sumReconstruction / seen,
          kl: sumKl / seen,
          total: (sumReconstruction + config.beta * sumKl) / seen,
          seconds,
          imagesPerSecond: seen / seconds,
        },
      });
      await preview(previewZ);
    }
  } finally {
    optimizer.dispose();
    previewZ.dispose();
    running = false;
  }
  post({ type: 'done', aborted, steps: step });
}

/** The model's tfjs artifacts, and the posterior means of the first `count` training images. */
async function exportModel(count: number): Promise<void> {
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
      aborted = true;
      paused = false;
      wake?.();
      break;
    case 'export':
      exportModel(message.codes).catch(fail);
      break;
  }
});
