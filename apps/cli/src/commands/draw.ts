import * as tf from '@tensorflow/tfjs-core';
import { range } from '@vae/core';
import { writeFileAtomic } from '@vae/core/node';
import { concatImagesVertically, encodePng, imageGrid, tensorToImageBatch } from '@vae/viz';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError } from '../errors';
import {
  checkWritableFile,
  datasetOf,
  labelsFor,
  loadSplit,
  loadTrainedModel,
  requireGenerative,
} from '../shared';

interface Common {
  model: string;
  out: string;
  seed: number;
  backend: BackendChoice;
  quiet: boolean;
}

/**
 * `vae sample`: a grid of images decoded from draws of the prior (VAE family only). Conditional VAEs draw class
 * `--label`, or one row per class.
 */
export async function sample(
  options: Common & { count: number; temperature: number; columns?: number; label?: number },
) {
  const out = await checkWritableFile(options.out);
  await selectBackend(options.backend);
  const model = requireGenerative((await loadTrainedModel(options.model)).model, 'sample');
  let labels: number[] | undefined;
  let columns = options.columns ?? Math.ceil(Math.sqrt(options.count));
  if (model.usesLabels) {
    const classes = (model.config as unknown as { numClasses: number }).numClasses;
    if (options.label !== undefined && options.label >= classes) {
      model.dispose();
      throw new CliError(`--label ${options.label} is not a class of this model (0 to ${classes - 1}).`);
    }
    columns = options.columns ?? (options.label === undefined ? Math.ceil(options.count / classes) : columns);
    labels = Array.from(
      { length: options.count },
      (_, i) => options.label ?? Math.floor(i / columns) % classes,
    );
  } else if (options.label !== undefined) {
    model.dispose();
    throw new CliError('--label applies to conditional-vae models only; drop it.', 2);
  }
  const images = model.sample(options.count, {
    temperature: options.temperature,
    seed: options.seed,
    labels,
  });
  const grid = imageGrid(await tensorToImageBatch(images), { columns });
  tf.dispose(images);
  model.dispose();
  await writeFileAtomic(out, encodePng(grid));
  if (!options.quiet)
    process.stderr.write(`wrote ${out} (${options.count} samples, ${grid.width}x${grid.height})\n`);
  return 0;
}

/** `vae reconstruct`: data images (top row) above their reconstructions (bottom row). */
export async function reconstruct(
  options: Common & {
    count: number;
    dataset?: string;
    split: 'train' | 'test';
    dataDir?: string;
    download: boolean;
  },
) {
  const out = await checkWritableFile(options.out);
  await selectBackend(options.backend);
  const trained = await loadTrainedModel(options.model);
  const data = await loadSplit(options.dataset ?? datasetOf(trained), options.split, {
    ...options,
    limit: options.count,
  });
  if (data.size < 1) throw new CliError('the data set is empty; choose another --split or --dataset.');
  const indices = range(0, data.size);
  const originals = data.batch(indices);
  const reconstructions = trained.model.reconstruct(originals, labelsFor(trained.model, data, indices));
  const top = imageGrid(await tensorToImageBatch(originals), { columns: data.size });
  const bottom = imageGrid(await tensorToImageBatch(reconstructions), { columns: data.size });
  tf.dispose([originals, reconstructions]);
  trained.model.dispose();
  await writeFileAtomic(out, encodePng(concatImagesVertically([top, bottom])));
  if (!options.quiet) process.stderr.write(`wrote ${out} (${data.size} images and their reconstructions)\n`);
  return 0;
}
