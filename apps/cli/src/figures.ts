import * as tf from '@tensorflow/tfjs-core';
import { batchRanges, range } from '@vae/core';
import type { ImageDataset } from '@vae/data';
import type { VAE } from '@vae/models';
import { encodePng, latentManifold, projectLatents, scatterSvg, traversalGrid } from '@vae/viz';

/** Posterior means of the first `count` examples, with their labels. */
export async function latentMeans(model: VAE, data: ImageDataset, count: number) {
  const n = Math.min(count, data.size);
  const means = new Float32Array(n * model.latentDim);
  for (const [start, end] of batchRanges(n, 1000)) {
    const mean = tf.tidy(() => model.encode(data.batch(range(start, end))).mean);
    means.set(await mean.data(), start * model.latentDim);
    mean.dispose();
  }
  const rows = Array.from({ length: n }, (_, i) =>
    Array.from(means.subarray(i * model.latentDim, (i + 1) * model.latentDim)),
  );
  return { rows, labels: data.labels ? Array.from(data.labels.subarray(0, n)) : undefined };
}

/** The latent figures of a report: scatter of test codes by class, traversals, and the manifold for 2-D codes. */
export async function latentFigures(
  model: VAE,
  data: ImageDataset,
  options: { seed: number; points?: number },
) {
  const decode = (z: tf.Tensor2D) => model.decode(z);
  const { rows, labels } = await latentMeans(model, data, options.points ?? 2000);
  const projection = await projectLatents(rows, { seed: options.seed });
  const scatter = scatterSvg({
    ...projection,
    labels,
    classNames: data.classNames,
    title:
      model.latentDim > 2
        ? `Test codes (posterior means), ${projection.method.toUpperCase()} projection`
        : 'Test codes (posterior means)',
  });
  const dimensions = range(0, Math.min(model.latentDim, 10));
  const traversal = encodePng(
    await traversalGrid(decode, new Float32Array(model.latentDim), {
      dimensions: Array.from(dimensions),
      steps: 9,
    }),
  );
  const manifold = model.latentDim === 2 ? encodePng(await latentManifold(decode, { steps: 20 })) : undefined;
  return { scatter, traversal, manifold };
}
