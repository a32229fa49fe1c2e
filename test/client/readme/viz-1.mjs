// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the viz README's example: a VAE with a 10-dimensional code on MNIST-sized images, a batch of images and
// its reconstructions, training curves, a ROC curve and scores; the example writes its files under out/.
import { mkdirSync as preludeMkdir } from 'node:fs';
import * as preludeTf from '@tensorflow/tfjs';
import { VAE as PreludeVAE } from '@vae/models';

await preludeTf.setBackend('cpu');
preludeMkdir('out', { recursive: true });
const model = new PreludeVAE({ inputShape: [28, 28, 1], hiddenUnits: [32], latentDim: 10, seed: 1 });
const images = preludeTf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 2);
const reconstructions = model.reconstruct(images);
const labels = [0, 1, 2, 3, 4, 5, 6, 7];
const mean = model.encode(images.reshape([8, 784])).mean;
const codeA = Array.from({ length: 10 }, (_, i) => Math.sin(i));
const codeB = Array.from({ length: 10 }, (_, i) => Math.cos(i));
const metrics = {
  epochs: [1, 2, 3].map((epoch) => ({
    epoch,
    train: { reconstruction: 200 / epoch, kl: 5 + epoch, weightedKl: 5 + epoch, total: 205 / epoch + epoch },
  })),
};
const rocPoints = {
  falsePositiveRate: Float64Array.from([0, 0, 0.5, 1]),
  truePositiveRate: Float64Array.from([0, 0.5, 1, 1]),
  thresholds: Float64Array.from([Number.POSITIVE_INFINITY, 0.9, 0.5, 0.1]),
};
const normalScores = Array.from({ length: 50 }, (_, i) => i / 50);
const anomalousScores = Array.from({ length: 20 }, (_, i) => 0.6 + i / 40);
const threshold = 0.7;
