import * as tf from '@tensorflow/tfjs-core';
import { range } from '@vae/core';
import { concatImagesVertically, encodePng, type ImageBatch, imageGrid, tensorToImageBatch } from '@vae/viz';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError, EXIT } from '../errors';
import { prepareOutputFile, tagPng, writeOutputFile } from '../files';
import { datasetOf, labelsFor, loadSplit, loadTrainedModel, requireGenerative } from '../shared';

/** Images decoded per call: bounds the memory of a decoder's activations (about 0.8 MB an image for conv on 64x64). */
const CHUNK = 256;

/** The images of `count` items made CHUNK at a time by `make(start, size)`, as one ImageBatch. */
async function decodeInChunks(
  count: number,
  make: (start: number, size: number) => tf.Tensor,
): Promise<ImageBatch> {
  let result: (ImageBatch & { values: Float32Array }) | undefined;
  for (let start = 0; start < count; start += CHUNK) {
    const size = Math.min(CHUNK, count - start);
    const images = make(start, size);
    let batch: ImageBatch;
    try {
      batch = await tensorToImageBatch(images);
    } finally {
      images.dispose();
    }
    const perImage = batch.height * batch.width * (batch.channels ?? 1);
    result ??= {
      values: new Float32Array(count * perImage),
      count,
      height: batch.height,
      width: batch.width,
      channels: batch.channels,
    };
    result.values.set(batch.values, start * perImage);
  }
  if (!result) throw new CliError('nothing to draw.', EXIT.usage);
  return result;
}

interface Common {
  model: string;
  out: string;
  seed: number;
  /** Enlargement of the figure (--zoom): an integer, or 'auto' (tiles of about 64 pixels). */
  zoom?: number | 'auto';
  backend: BackendChoice;
  quiet: boolean;
  force?: boolean;
}

/**
 * `vae sample`: a grid of images decoded from draws of the prior (VAE family only). Conditional VAEs draw class
 * `--label`, or one row per class.
 */
export async function sample(
  options: Common & { count: number; temperature: number; columns?: number; label?: number },
) {
  if (options.columns !== undefined && options.columns > options.count) {
    throw new CliError(
      `--columns ${options.columns} is more than the ${options.count} samples; give at most -n columns.`,
      EXIT.usage,
    );
  }
  const out = await prepareOutputFile(options.out, 'png', options);
  await selectBackend(options.backend);
  const model = requireGenerative((await loadTrainedModel(options.model)).model, 'sample');
  let labels: number[] | undefined;
  let columns = options.columns ?? Math.ceil(Math.sqrt(options.count));
  if (model.usesLabels) {
    const classes = (model.config as unknown as { numClasses: number }).numClasses;
    if (options.label !== undefined && options.label >= classes) {
      model.dispose();
      throw new CliError(
        `--label ${options.label} is not a class of this model (0 to ${classes - 1}).`,
        EXIT.usage,
      );
    }
    columns = options.columns ?? (options.label === undefined ? Math.ceil(options.count / classes) : columns);
    labels = Array.from(
      { length: options.count },
      (_, i) => options.label ?? Math.floor(i / columns) % classes,
    );
  } else if (options.label !== undefined) {
    model.dispose();
    throw new CliError('--label applies to conditional-vae models only; drop it.', EXIT.usage);
  }
  // chunk k draws with seed + k: up to CHUNK samples, the draws of one model.sample call
  const batch = await decodeInChunks(options.count, (start, size) =>
    model.sample(size, {
      temperature: options.temperature,
      seed: options.seed + start / CHUNK,
      labels: labels?.slice(start, start + size),
    }),
  );
  const grid = imageGrid(batch, { columns, scale: options.zoom ?? 'auto' });
  model.dispose();
  await writeOutputFile(out, tagPng(encodePng(grid), 'sample'), 'png', options);
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
  const out = await prepareOutputFile(options.out, 'png', options);
  await selectBackend(options.backend);
  const trained = await loadTrainedModel(options.model);
  const data = await loadSplit(options.dataset ?? datasetOf(trained), options.split, {
    ...options,
    limit: options.count,
  });
  if (data.size < 1)
    throw new CliError('the data set is empty; choose another --split or --dataset.', EXIT.usage);
  const originals = await decodeInChunks(data.size, (start, size) => data.batch(range(start, start + size)));
  const reconstructions = await decodeInChunks(data.size, (start, size) =>
    tf.tidy(() => {
      const indices = range(start, start + size);
      return trained.model.reconstruct(data.batch(indices), labelsFor(trained.model, data, indices));
    }),
  );
  const top = imageGrid(originals, { columns: data.size, scale: options.zoom ?? 'auto' });
  const bottom = imageGrid(reconstructions, { columns: data.size, scale: options.zoom ?? 'auto' });
  trained.model.dispose();
  await writeOutputFile(
    out,
    tagPng(encodePng(concatImagesVertically([top, bottom])), 'reconstruct'),
    'png',
    options,
  );
  if (!options.quiet) process.stderr.write(`wrote ${out} (${data.size} images and their reconstructions)\n`);
  return 0;
}
