/**
 * Two copies of @vae/core and @vae/models in one process, sharing one tfjs-core: the app's own, and the copies a
 * plugin package carries in its nested node_modules (what npm does when two version ranges do not overlap). Each
 * copy builds and trains models with the same seeds to the same numbers, with no tfjs variable-name clash between
 * them ("Variable with name ... was already registered"), and a model saved by one copy loads in the other.
 * Prints `RESULT <json>`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { tensorSource } from '@vae/core';
import { VAE } from '@vae/models';
import { saveModelToDirectory } from '@vae/models/node';
import * as plugin from 'vae-plugin';

await tf.setBackend('cpu');
const config = { inputShape: [12], hiddenUnits: [6], latentDim: 2, seed: 5 };
const data = () => tensorSource(tf.randomUniform([24, 12], 0, 1, 'float32', 9));

const ours = new VAE(config);
const theirs = new plugin.models.VAE(config);
const oursAgain = new VAE({ ...config, seed: 6 });
const names = [ours, theirs, oursAgain].flatMap((model) => Object.values(model.variables).map((v) => v.name));

const fitOptions = { epochs: 2, batchSize: 8, seed: 3 };
const ourHistory = await ours.fit(data(), fitOptions);
const theirHistory = await theirs.fit(
  plugin.core.tensorSource(tf.randomUniform([24, 12], 0, 1, 'float32', 9)),
  fitOptions,
);

const directory = await mkdtemp(join(tmpdir(), 'vae-two-copies-'));
await saveModelToDirectory(ours, directory);
const loaded = await plugin.modelsNode.loadModelFromDirectory(directory, { as: plugin.models.VAE });
await rm(directory, { recursive: true, force: true });
const z = tf.tensor2d([[0.3, -0.7]]);
const a = await ours.decode(z).data();
const b = await loaded.decode(z).data();

console.log(
  `RESULT ${JSON.stringify({
    distinctClasses: plugin.models.VAE !== VAE && plugin.core.tensorSource !== tensorSource,
    variables: names.length,
    uniqueNames: new Set(names).size,
    ourLosses: ourHistory.epochs.map((e) => e.train.total),
    theirLosses: theirHistory.epochs.map((e) => e.train.total),
    loadedByTheirs: loaded instanceof plugin.models.VAE,
    loadedDifference: Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]))),
  })}`,
);
