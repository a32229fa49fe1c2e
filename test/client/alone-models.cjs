/**
 * @vae/models alone (with @vae/core and the tfjs parts it needs: tfjs-core, tfjs-layers and the cpu backend;
 * not the @tensorflow/tfjs union), through `require`: trains a tiny VAE, saves it to a folder, loads it and
 * compares the decoded samples. Prints `RESULT <json>`.
 */
const { mkdtemp, rm } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const { tensorSource } = require('@vae/core');
const { VAE } = require('@vae/models');
const { loadModelFromDirectory, saveModelToDirectory } = require('@vae/models/node');

async function main() {
  await tf.setBackend('cpu');
  const x = tf.randomUniform([16, 16], 0, 1, 'float32', 3);
  const model = new VAE({ inputShape: [16], hiddenUnits: [8], latentDim: 2, seed: 1 });
  const history = await model.fit(tensorSource(x), { epochs: 2, batchSize: 8, seed: 1 });
  const directory = await mkdtemp(join(tmpdir(), 'vae-client-model-'));
  await saveModelToDirectory(model, directory);
  const loaded = /** @type {import('@vae/models').VAE} */ (await loadModelFromDirectory(directory));
  await rm(directory, { recursive: true, force: true });
  const z = tf.tensor2d([[0.25, -0.5]]);
  const a = Array.from(await model.decode(z).data());
  const b = Array.from(await loaded.decode(z).data());
  console.log(
    `RESULT ${JSON.stringify({
      client: 'models',
      losses: history.epochs.map((epoch) => epoch.train.total),
      reloadDifference: Math.max(...a.map((v, i) => Math.abs(v - b[i]))),
      decoded: b.length,
    })}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
