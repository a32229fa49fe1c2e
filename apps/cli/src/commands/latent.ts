import { encodePng, interpolationStrip, latentManifold, traversalGrid } from '@vae/viz';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError, EXIT } from '../errors';
import { decoderOf } from '../figures';
import { prepareOutputFile, tagPng, writeOutputFile } from '../files';
import { CAPS, checkSize } from '../limits';
import { codesOf, datasetOf, labelsFor, loadSplit, loadTrainedModel, requireGenerative } from '../shared';

interface Common {
  model: string;
  out: string;
  backend: BackendChoice;
  quiet: boolean;
  dataset?: string;
  split: 'train' | 'test';
  dataDir?: string;
  download: boolean;
  force?: boolean;
  allowLarge?: boolean;
  /** Enlargement of the figure (--zoom): an integer, or 'auto' (tiles of about 64 pixels). */
  zoom?: number | 'auto';
}

function checkDimensions(dimensions: number[], latentDim: number, flag: string): void {
  for (const d of dimensions) {
    if (d >= latentDim) {
      throw new CliError(`${flag} ${d} is not a latent dimension (0 to ${latentDim - 1}).`, EXIT.usage);
    }
  }
}

/** Encodes data examples by index to their codes (posterior means for VAEs), with their labels if needed. */
async function encodeIndices(
  options: Common,
  trained: Awaited<ReturnType<typeof loadTrainedModel>>,
  flags: Array<[string, number]>,
) {
  const indices = flags.map(([, index]) => index);
  const data = await loadSplit(options.dataset ?? datasetOf(trained), options.split, {
    ...options,
    limit: Math.max(...indices) + 1,
  });
  for (const [flag, i] of flags) {
    if (i >= data.size) {
      throw new CliError(
        `${flag} ${i} is past the end of the ${options.split} split (${data.size} examples: 0 to ${data.size - 1}).`,
        EXIT.usage,
      );
    }
  }
  const codes = codesOf(trained.model, data, indices);
  const values = await codes.data();
  codes.dispose();
  const d = trained.model.latentDim;
  return {
    codes: indices.map((_, k) => values.slice(k * d, (k + 1) * d)),
    labels: labelsFor(trained.model, data, indices),
  };
}

/** `vae manifold`: the decoded grid over the prior's quantiles (two latent dimensions, others at 0). VAEs only. */
export async function manifold(options: Common & { steps: number; dimensions: number[] }) {
  const out = await prepareOutputFile(options.out, 'png', options);
  await selectBackend(options.backend);
  const model = requireGenerative((await loadTrainedModel(options.model)).model, 'manifold');
  try {
    checkDimensions(options.dimensions, model.latentDim, '--dimensions');
  } catch (error) {
    model.dispose();
    throw error;
  }
  const image = await latentManifold(decoderOf(model), {
    steps: options.steps,
    latentSize: model.latentDim,
    dimensions: options.dimensions as [number, number],
    scale: options.zoom ?? 'auto',
  });
  model.dispose();
  await writeOutputFile(out, tagPng(encodePng(image), 'manifold'), 'png', options);
  if (!options.quiet) process.stderr.write(`wrote ${out} (${options.steps}x${options.steps} manifold)\n`);
  return 0;
}

/** `vae interpolate`: decodes the path between the codes of two data examples. */
export async function interpolate(
  options: Common & { from: number; to: number; steps: number; spherical?: boolean },
) {
  const out = await prepareOutputFile(options.out, 'png', options);
  await selectBackend(options.backend);
  const trained = await loadTrainedModel(options.model);
  const { codes, labels } = await encodeIndices(options, trained, [
    ['--from', options.from],
    ['--to', options.to],
  ]);
  const [a, b] = codes;
  // conditional models: the path is decoded with the class of the first example
  const image = await interpolationStrip(decoderOf(trained.model, labels?.[0]), a, b, {
    steps: options.steps,
    spherical: options.spherical,
    scale: options.zoom ?? 'auto',
  });
  trained.model.dispose();
  await writeOutputFile(out, tagPng(encodePng(image), 'interpolate'), 'png', options);
  if (!options.quiet) {
    process.stderr.write(
      `wrote ${out} (${options.steps} steps, ${options.spherical ? 'spherical' : 'linear'}, example ${options.from} to ${options.to})\n`,
    );
  }
  return 0;
}

/** `vae traverse`: one row per latent dimension, each swept over a range around a base code. */
export async function traverse(
  options: Common & { index?: number; range: number[]; steps: number; dimensions?: number[] },
) {
  const out = await prepareOutputFile(options.out, 'png', options);
  await selectBackend(options.backend);
  const trained = await loadTrainedModel(options.model);
  const { model } = trained;
  const dimensions = options.dimensions ?? Array.from({ length: Math.min(model.latentDim, 10) }, (_, d) => d);
  try {
    checkDimensions(dimensions, model.latentDim, '--dimensions');
    const rows = dimensions.length;
    checkSize(
      options,
      `--steps ${options.steps} on ${rows} dimension${rows === 1 ? '' : 's'}`,
      options.steps * rows,
      CAPS.images,
      'images',
    );
  } catch (error) {
    model.dispose();
    throw error;
  }
  const encoded =
    options.index === undefined
      ? undefined
      : await encodeIndices(options, trained, [['--index', options.index]]);
  const base = encoded ? encoded.codes[0] : new Float32Array(model.latentDim);
  const image = await traversalGrid(decoderOf(model, encoded?.labels?.[0]), base, {
    range: options.range as [number, number],
    steps: options.steps,
    dimensions,
    scale: options.zoom ?? 'auto',
  });
  model.dispose();
  await writeOutputFile(out, tagPng(encodePng(image), 'traverse'), 'png', options);
  if (!options.quiet) process.stderr.write(`wrote ${out}\n`);
  return 0;
}
