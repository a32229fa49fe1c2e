/**
 * The browser client of test/client.test.ts: bundled by Vite in a fresh npm project where the packed @vae
 * libraries and @tensorflow/tfjs are installed, served statically and run in headless Chromium. It builds a
 * small VAE, trains a few steps on WebGL, saves it to memory and loads it back through tfjs IO handlers, decodes
 * a sample with both and draws it with @vae/viz; then trains an autoencoder on the cpu backend with fit's workers
 * (@vae/models/browser, two replicas, the second in a Web Worker of fit.worker.js) and alone, for the same weights.
 * The result lands in `window.vaeClientResult` (or `window.vaeClientError`).
 */
import * as tf from '@tensorflow/tfjs';
import { tensorSource } from '@vae/core';
import { DSprites } from '@vae/data';
import { evaluateElbo } from '@vae/metrics';
import { Autoencoder, loadModel, saveModel, VAE } from '@vae/models';
import '@vae/models/browser';
import { drawToCanvas, imageGrid, tensorToImageBatch } from '@vae/viz';

/** @param {tf.Tensor} tensor */
async function values(tensor) {
  const data = Array.from(await tensor.data());
  tensor.dispose();
  return data;
}

/** @param {number[]} a @param {number[]} b */
const maxDifference = (a, b) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

async function run() {
  await tf.setBackend('webgl');
  const x = tf.randomUniform([32, 16], 0, 1, 'float32', 1);
  const data = tensorSource(x);
  const model = new VAE({ inputShape: [16], hiddenUnits: [8], latentDim: 2, seed: 1 });
  const z = tf.tensor2d([
    [0, 0],
    [1, -1],
    [-0.5, 2],
  ]);
  const initial = await values(model.decode(z));
  const history = await model.fit(data, { epochs: 3, batchSize: 8, seed: 1 });
  const trained = await values(model.decode(z));

  /** @type {tf.io.ModelArtifacts | undefined} */
  let saved;
  await saveModel(
    model,
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('saveModel did not call the save handler.');
  const loaded = /** @type {VAE} */ (await loadModel(tf.io.fromMemory(saved)));
  const reloaded = await values(loaded.decode(z));

  const elbo = await evaluateElbo(loaded, data, { seed: 0 });
  const sprites = new DSprites().batch([0, 1]);
  const samples = loaded.sample(4, { seed: 2 });
  const grid = imageGrid(await tensorToImageBatch(samples, { height: 4, width: 4 }), { columns: 2 });
  const canvas = /** @type {HTMLCanvasElement} */ (document.getElementById('samples'));
  drawToCanvas(canvas, grid, { scale: 4 });
  tf.dispose([samples, sprites, x, z]);
  model.dispose();
  loaded.dispose();

  // fit's workers in a browser, from the packed packages: the same model as one thread, up to summation order
  const trainedOn = tf.getBackend();
  await tf.setBackend('cpu');
  const images = tf.randomUniform([32, 16], 0, 1, 'float32', 2);
  const small = { inputShape: [16], hiddenUnits: [8], latentDim: 2, seed: 1 };
  const fitOptions = { epochs: 2, batchSize: 16, seed: 3, learningRate: 1e-2 };
  const alone = new Autoencoder(small);
  await alone.fit(tensorSource(images), fitOptions);
  const together = new Autoencoder(small);
  let workersStarted = 0;
  await together.fit(tensorSource(images), {
    ...fitOptions,
    workers: {
      count: 2,
      create: () => {
        workersStarted += 1;
        return new Worker(new URL('./fit.worker.js', import.meta.url), { type: 'module' });
      },
    },
  });
  const names = Object.keys(alone.variables);
  let workersDifference = 0;
  for (const name of names) {
    const a = Array.from(await alone.variables[name].data());
    const b = Array.from(await together.variables[name].data());
    workersDifference = Math.max(workersDifference, maxDifference(a, b));
  }
  alone.dispose();
  together.dispose();
  images.dispose();

  return {
    client: 'browser',
    workersStarted,
    workersDifference,
    variables: names.length,
    backend: trainedOn,
    className: loaded.className,
    losses: history.epochs.map((epoch) => epoch.train.total),
    trainingChangedOutputs: maxDifference(initial, trained),
    reloadDifference: maxDifference(trained, reloaded),
    decoded: reloaded.length,
    elbo: elbo.elbo,
    spriteShape: sprites.shape,
    canvas: [canvas.width, canvas.height],
    tensorsLeft: tf.memory().numTensors,
  };
}

run().then(
  (result) => {
    Object.assign(window, { vaeClientResult: result });
  },
  (error) => {
    Object.assign(window, { vaeClientError: String(error?.stack ?? error) });
  },
);
