#!/usr/bin/env node
// Trains the pretrained models that no demo recipe makes (the demo's models come from
// apps/demo/scripts/prepare-model.mjs): the Frey Face VAE with a Gaussian decoder of learned variance, and the
// VampPrior on MNIST. Each is trained here with the libraries' builds, seeded, on the tfjs wasm backend,
// saved in float16 into models/<name>/ (model.json, weights.bin), and its run recorded in training/<name>.json (the
// command, steps, seconds, final losses; for the VampPrior also the plain VAE it is compared with, trained the same
// way). Then `build-pretrained.mjs` measures it and writes its card.
//
//   node packages/pretrained/scripts/train-pretrained.mjs frey-face-vae [--data <folder with the Frey Face file>]
//   node packages/pretrained/scripts/train-pretrained.mjs mnist-vampprior
//
// Frey Face is not in an npm package: pass the folder with frey_rawface.mat or frey-faces-idx3-ubyte(.gz)
// (@vae/data verifies the pixels' SHA-256), or set VAE_FREY_FACE_DIR. Needs `pnpm turbo run build`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Random, sha256Hex } from '@vae/core';
import { loadDataset } from '@vae/data/node';
import { PriorVAE, VAE } from '@vae/models';
import { loadModelFromDirectory, saveModelToDirectory } from '@vae/models/node';
import { freyFaceDirectory, IMPORTANCE_SAMPLES, measure, testImages } from './measure.mjs';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Adam's defaults, as `fit` uses them. */
const OPTIMIZER = 'Adam (learning rate 1e-3, beta1 0.9, beta2 0.999)';

/** Trains with `fit`, logging every `every` epochs; returns the history and the wall-clock seconds. */
async function train(model, data, options, every = 1) {
  const started = performance.now();
  const history = await model.fit(data, {
    ...options,
    onEpochEnd: (record) => {
      if (record.epoch % every === 0 || record.epoch === options.epochs) {
        const v = record.validation ? `, test ${record.validation.total.toFixed(2)}` : '';
        console.log(`  epoch ${record.epoch}: train ${record.train.total.toFixed(2)}${v}`);
      }
    },
  });
  return { history, seconds: (performance.now() - started) / 1000 };
}

/** The record of a run, as build-pretrained.mjs reads it. */
function runRecord(history, seconds, extra) {
  const last = history.epochs.at(-1);
  return {
    epochsCompleted: last.epoch,
    steps: last.step,
    seconds: Math.round(seconds * 100) / 100,
    trainLoss: last.train.total,
    testLoss: last.validation?.total,
    backend: `tfjs wasm ${tf.version_core}`,
    optimizer: OPTIMIZER,
    ...extra,
  };
}

const RECIPES = {
  // Kingma & Welling 2014's Frey Face model, 2-D latent (their Figure 4 manifold): a Gaussian decoder with a learned
  // variance per pixel, floored softly at exp(-9) (sigma 0.011, about 3 grey levels) so that it cannot collapse onto
  // the 256 grey levels of the 8-bit pixels.
  'frey-face-vae': async (args) => {
    const dir = args.data ?? freyFaceDirectory();
    if (!dir) throw new Error('no Frey Face file: pass --data <folder> or set VAE_FREY_FACE_DIR.');
    const trainData = await loadDataset('frey-face', { split: 'train', dir });
    const testData = await loadDataset('frey-face', { split: 'test', dir });
    const config = {
      inputShape: [28, 20, 1],
      hiddenUnits: [200],
      latentDim: 2,
      activation: 'relu',
      likelihood: 'gaussian',
      variance: 'learned',
      meanActivation: 'sigmoid',
      minLogVar: -9,
      seed: 1,
    };
    const fitOptions = { epochs: Number(args.epochs ?? 25), batchSize: 100, learningRate: 1e-3, seed: 1 };
    const model = new VAE(config);
    console.log(
      `frey-face-vae: ${trainData.size} train / ${testData.size} test frames, ${fitOptions.epochs} epochs`,
    );
    const { history, seconds } = await train(
      model,
      trainData,
      { ...fitOptions, validationData: testData },
      5,
    );
    return {
      model,
      record: runRecord(history, seconds, {
        batchSize: fitOptions.batchSize,
        seed: fitOptions.seed,
        command: `node packages/pretrained/scripts/train-pretrained.mjs frey-face-vae (new VAE(${JSON.stringify(config)}), fit: ${fitOptions.epochs} epochs, batch ${fitOptions.batchSize}, Adam 1e-3, seed 1), saved in float16`,
      }),
    };
  },

  // The VampPrior (Tomczak & Welling 2018) on MNIST, started from mnist-vae-20d: its encoder and decoder, and
  // K = 100 pseudo-inputs set to training images drawn by the seed (the paper has 500 from its N(0.05, 0.01^2); 100
  // fit a CPU budget of minutes), then trained one epoch of the 60,000 training images. The plain VAE it is compared
  // with is mnist-vae-20d trained the same further epoch with the same seed (its N(0, I) prior), so that both had the
  // same training.
  'mnist-vampprior': async (args) => {
    const components = Number(args.components ?? 100);
    const epochs = Number(args.epochs ?? 1);
    const trainData = await loadDataset('mnist', { split: 'train' });
    const testData = await loadDataset('mnist', { split: 'test', limit: 1000 });
    const base = join(packageDirectory, 'models', 'mnist-vae-20d');
    const fitOptions = { epochs, batchSize: 128, learningRate: 1e-3, seed: 1 };

    const plain = await loadModelFromDirectory(base, { as: VAE });
    const vamp = new PriorVAE({ ...plain.config, prior: 'vamp', components, seed: 1 });
    for (const [name, variable] of Object.entries(plain.variables)) vamp.variables[name].assign(variable);
    const chosen = new Random(1).permutation(trainData.size).subarray(0, components);
    tf.tidy(() => {
      const images = trainData.batch(chosen);
      vamp.variables['prior/pseudoInputs'].assign(tf.reshape(images, [components, -1]));
    });
    console.log(`mnist-vampprior: K = ${components} pseudo-inputs, ${epochs} epochs from mnist-vae-20d`);
    const run = await train(vamp, trainData, { ...fitOptions, validationData: testData });

    console.log(`mnist-vampprior: the plain VAE, the same ${epochs} epochs from mnist-vae-20d`);
    const baseline = await train(plain, trainData, { ...fitOptions, validationData: testData });
    // Measured as the cards are (build-pretrained.mjs): from its float16 files, on the cpu backend, the same images.
    const folder = mkdtempSync(join(tmpdir(), 'vae-pretrained-baseline-'));
    await saveModelToDirectory(plain, folder, { float16: true });
    plain.dispose();
    await tf.setBackend('cpu');
    const saved = await loadModelFromDirectory(folder, { as: VAE });
    const evaluation = await measure(saved, await testImages('mnist'), 'mnist', {
      importanceSamples: IMPORTANCE_SAMPLES,
    });
    saved.dispose();
    rmSync(folder, { recursive: true, force: true });
    console.log(`  the plain VAE: ${JSON.stringify(evaluation)}`);
    return {
      model: vamp,
      record: runRecord(run.history, run.seconds, {
        batchSize: fitOptions.batchSize,
        seed: fitOptions.seed,
        startedFrom: 'mnist-vae-20d',
        pseudoInputs: `${components} training images, new Random(1).permutation(60,000)'s first ${components}`,
        command: `node packages/pretrained/scripts/train-pretrained.mjs mnist-vampprior (PriorVAE { prior: 'vamp', components: ${components} } on mnist-vae-20d's weights, fit: ${epochs} epoch${epochs === 1 ? '' : 's'} of the 60,000 training images, batch 128, Adam 1e-3, seed 1), saved in float16`,
        baseline: runRecord(baseline.history, baseline.seconds, {
          description: `\`mnist-vae-20d\` trained the same ${epochs} further epoch${epochs === 1 ? '' : 's'} (N(0, I) prior; batch 128, Adam 1e-3, seed 1)`,
          evaluation,
        }),
      }),
    };
  },
};

function parseArgs(argv) {
  const [name, ...rest] = argv;
  if (!Object.hasOwn(RECIPES, name ?? '')) {
    throw new Error(
      `usage: train-pretrained.mjs <${Object.keys(RECIPES).join('|')}> [--data <dir>] [--epochs <n>]`,
    );
  }
  const args = { name };
  for (let i = 0; i < rest.length; i += 2) {
    const key = rest[i].replace(/^--/, '');
    if (!['data', 'epochs', 'components'].includes(key) || rest[i + 1] === undefined) {
      throw new Error(`unknown or incomplete argument ${rest[i]}`);
    }
    args[key] = rest[i + 1];
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  await tf.setBackend('wasm');
  const { model, record } = await RECIPES[args.name](args);
  const target = join(packageDirectory, 'models', args.name);
  rmSync(target, { recursive: true, force: true });
  await saveModelToDirectory(model, target, { float16: true });
  model.dispose();
  record.weightsSha256 = await sha256Hex(new Uint8Array(readFileSync(join(target, 'weights.bin'))));
  mkdirSync(join(packageDirectory, 'training'), { recursive: true });
  writeFileSync(
    join(packageDirectory, 'training', `${args.name}.json`),
    `${JSON.stringify(record, null, 2)}\n`,
  );
  console.log(`train-pretrained: ${args.name} saved, ${record.seconds.toFixed(0)} s`);
}

main().catch((error) => {
  console.error(`train-pretrained: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
