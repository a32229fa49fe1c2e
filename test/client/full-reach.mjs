/**
 * The packages' reach as an app meets it from the installed tarballs (run by test/client.test.ts in the "full"
 * project): a pretrained model loaded offline from the installed @vae/pretrained (its pinned checksum verified), a
 * recommender trained on @vae/data's synthetic ratings and scored with @vae/metrics, saved and reloaded, and fit's
 * data-parallel workers started from the installed @vae/models (the worker script inside node_modules; two worker
 * threads beside this one) training the same autoencoder as one thread, and a seeded VAE reproducibly. Prints
 * `RESULT <json>`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ImageDataset, RatingRows, splitRandom, syntheticRatings } from '@vae/data';
import { ratingErrors } from '@vae/metrics';
import { Autoencoder, AutoRec, RECOMMENDER_REGISTRY, VAE } from '@vae/models';
import { loadModelFromDirectory, saveModelToDirectory } from '@vae/models/node';
import { fromPretrained, modelCard } from '@vae/pretrained/node';

await tf.setBackend('cpu');
const result = { tensorsBefore: tf.memory().numTensors };

// 1. @vae/pretrained from its tarball, offline: the card's shape and a decoding
const card = modelCard('mnist-vae-2d');
const pretrained = await fromPretrained('mnist-vae-2d', { as: VAE });
const decoded = tf.tidy(() => pretrained.decode(tf.zeros([1, pretrained.latentDim])));
result.pretrained = {
  className: pretrained.className,
  latentDim: pretrained.latentDim,
  cardLatentDim: card.config.latentDim,
  decodedShape: decoded.shape,
  decodedRange: [Math.min(...(await decoded.data())), Math.max(...(await decoded.data()))],
};
decoded.dispose();
pretrained.dispose();

// 2. a recommender: @vae/data's synthetic low-rank ratings, I-AutoRec against the global mean on held-out ratings
const all = syntheticRatings({
  users: 60,
  items: 40,
  rank: 2,
  density: 0.5,
  popularity: 0.5,
  noise: 0.15,
  seed: 7,
});
const { train, test } = splitRandom(all, { testFraction: 0.1, seed: 1 });
const rows = new RatingRows(train, 'item');
const autorec = new AutoRec({
  kind: 'item',
  columns: rows.columns,
  hiddenUnits: 20,
  weightDecay: 0.1,
  seed: 1,
});
const history = await autorec.fit(rows, { epochs: 150, batchSize: rows.size, learningRate: 0.01, seed: 1 });
const predictions = await autorec.predict(rows, test, { range: [1, 5] });
const mean = train.ratings.reduce((a, b) => a + b, 0) / train.size;
const folder = mkdtempSync(join(tmpdir(), 'vae-client-autorec-'));
await saveModelToDirectory(autorec, folder);
const reloaded = await loadModelFromDirectory(folder);
const again = await reloaded.predict(rows, test, { range: [1, 5] });
rmSync(folder, { recursive: true, force: true });
result.recommender = {
  registry: Object.keys(RECOMMENDER_REGISTRY),
  ratings: all.size,
  firstLoss: history.epochs[0].train.total,
  lastLoss: history.epochs.at(-1).train.total,
  rmse: ratingErrors(test, predictions).rmse,
  globalMeanRmse: ratingErrors(test, new Float32Array(test.size).fill(mean)).rmse,
  reloadedClass: reloaded.className,
  reloadedMaxDifference: Math.max(...predictions.map((p, k) => Math.abs(p - again[k]))),
};
autorec.dispose();
reloaded.dispose();

// 3. fit's workers from the installed package: a deterministic autoencoder in three replicas (this thread and two
// worker threads) against one thread (the same model up to float summation order), and a seeded VAE in three
// replicas twice (bit for bit)
const images = new Float32Array(64 * 16).map((_, k) => (Math.sin(k * 1.7) > 0 ? 0.9 : 0.1));
const data = new ImageDataset({ images, shape: [64, 4, 4, 1] });
const trainWith = async (Model, workers) => {
  const model = new Model({ inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2, seed: 3 });
  const run = await model.fit(data, { epochs: 2, batchSize: 32, seed: 5, workers });
  const weights = await Promise.all(Object.values(model.variables).map((w) => w.data()));
  model.dispose();
  return { loss: run.epochs.at(-1).train.total, weights: weights.flatMap((w) => Array.from(w)) };
};
const largest = (a, b) => Math.max(...a.weights.map((w, k) => Math.abs(w - b.weights[k])));
const one = await trainWith(Autoencoder, undefined);
const two = await trainWith(Autoencoder, 3);
const vaeA = await trainWith(VAE, 3);
const vaeB = await trainWith(VAE, 3);
result.workers = {
  lossOneThread: one.loss,
  lossTwoWorkers: two.loss,
  maxWeightDifference: largest(one, two),
  vaeRepeatDifference: largest(vaeA, vaeB),
};
result.tensorsAfter = tf.memory().numTensors;
console.log(`RESULT ${JSON.stringify(result)}`);
