import type * as tf from '@tensorflow/tfjs-core';
import { range } from '@vae/core';
import type { ImageDataset } from '@vae/data';
import type { AnyModel } from '@vae/models';
import { encodePng, latentManifold, projectLatents, scatterSvg, traversalGrid } from '@vae/viz';
import { isProbabilistic } from './models';
import { codeRows } from './shared';

/** Decodes codes with a model; conditional models decode every code with class `label`. */
export function decoderOf(model: AnyModel, label = 0): (z: tf.Tensor2D) => tf.Tensor {
  return model.usesLabels
    ? (z) => model.decode(z, new Array<number>(z.shape[0]).fill(label))
    : (z) => model.decode(z);
}

/**
 * The latent figures of a report: scatter of test codes by class, traversals, and (for VAEs with 2-D codes) the
 * manifold over the prior's quantiles.
 */
export async function latentFigures(
  model: AnyModel,
  data: ImageDataset,
  options: { seed: number; points?: number },
) {
  const decode = decoderOf(model);
  const { rows, labels } = await codeRows(model, data, options.points ?? 2000);
  const what = isProbabilistic(model) ? 'posterior means' : 'codes';
  const projection = await projectLatents(rows, { seed: options.seed });
  const scatter = scatterSvg({
    ...projection,
    labels,
    classNames: data.classNames,
    title:
      model.latentDim > 2
        ? `Test codes (${what}), ${projection.method.toUpperCase()} projection`
        : `Test codes (${what})`,
  });
  const dimensions = range(0, Math.min(model.latentDim, 10));
  const traversal = encodePng(
    await traversalGrid(decode, new Float32Array(model.latentDim), {
      dimensions: Array.from(dimensions),
      steps: 9,
      scale: 'auto',
    }),
  );
  const manifold =
    isProbabilistic(model) && model.latentDim === 2
      ? encodePng(await latentManifold(decode, { steps: 20, scale: 'auto' }))
      : undefined;
  return { scatter, traversal, manifold };
}
