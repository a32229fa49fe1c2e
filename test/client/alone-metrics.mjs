/**
 * @vae/metrics alone (with @vae/core, tfjs-core and the cpu backend; no @vae/models), as an ES module: anomaly
 * scores, PCA and the latent health of a hand-written encoder. Prints `RESULT <json>`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { tensorSource } from '@vae/core';
import { auroc, latentHealth, pca } from '@vae/metrics';

await tf.setBackend('cpu');
const x = tf.tensor2d([
  [1, 2],
  [2, 4.1],
  [3, 5.9],
  [4, 8],
]);
const { explainedVarianceRatio } = await pca(x, { components: 2 });
// Any model with `encode` works: here the posterior mean is the input and the log-variance -2.
const encoder = {
  encode: (/** @type {tf.Tensor} */ batch) => ({ mean: batch, logVar: tf.fill(batch.shape, -2) }),
};
const health = await latentHealth(/** @type {any} */ (encoder), tensorSource(x));
x.dispose();

console.log(
  `RESULT ${JSON.stringify({
    client: 'metrics',
    auroc: auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]),
    explainedVarianceRatio: Array.from(explainedVarianceRatio),
    activeUnits: health.activeUnits,
    tensorsLeft: tf.memory().numTensors,
  })}`,
);
