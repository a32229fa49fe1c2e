/**
 * A user's ES module, run by test/client.test.ts in a fresh npm project outside the workspace where the packed
 * @vae libraries and @tensorflow/tfjs are installed. It builds a small VAE, trains a few steps, saves and loads
 * it, decodes a sample with both and uses data, metrics and viz on the way. Prints `RESULT <json>` last.
 * node-client.cjs is the same client in CommonJS; keep them in step.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { tensorSource } from '@vae/core';
import { DSprites } from '@vae/data';
import { evaluateElbo } from '@vae/metrics';
import { VAE } from '@vae/models';
import { loadModelFromDirectory, saveModelToDirectory } from '@vae/models/node';
import { decodePng, encodePng, imageGrid, tensorToImageBatch } from '@vae/viz';

/** @param {tf.Tensor} tensor */
async function values(tensor) {
  const data = Array.from(await tensor.data());
  tensor.dispose();
  return data;
}

/** @param {number[]} a @param {number[]} b */
const maxDifference = (a, b) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

await tf.setBackend('cpu');
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

const directory = await mkdtemp(join(tmpdir(), 'vae-client-model-'));
await saveModelToDirectory(model, directory);
const loaded = /** @type {VAE} */ (await loadModelFromDirectory(directory));
const reloaded = await values(loaded.decode(z));
await rm(directory, { recursive: true, force: true });

const elbo = await evaluateElbo(loaded, data, { seed: 0 });
const sprites = new DSprites().batch([0, 1]);
const samples = loaded.sample(4, { seed: 2 });
const grid = imageGrid(await tensorToImageBatch(samples, { height: 4, width: 4 }), { columns: 2 });
const png = decodePng(encodePng(grid));
tf.dispose([samples, sprites, x, z]);
model.dispose();
loaded.dispose();

console.log(
  `RESULT ${JSON.stringify({
    client: 'esm',
    backend: tf.getBackend(),
    className: loaded.className,
    // the model that @vae/models/node loaded is an instance of the VAE class of @vae/models
    instanceofAcrossEntries: loaded instanceof VAE,
    losses: history.epochs.map((epoch) => epoch.train.total),
    trainingChangedOutputs: maxDifference(initial, trained),
    reloadDifference: maxDifference(trained, reloaded),
    decoded: reloaded.length,
    elbo: elbo.elbo,
    spriteShape: sprites.shape,
    png: [png.width, png.height, png.channels],
    tensorsLeft: tf.memory().numTensors,
  })}`,
);
