/**
 * Saving and loading models and checkpoints through tfjs IO handlers. A saved model is the standard tfjs
 * `model.json` layout: `modelTopology` holds our versioned description `{ format, formatVersion, className, config }`,
 * and `weightsManifest` names a binary file of float32 weights. Browsers load it with `tf.io.http(url)` or
 * `tf.io.browserFiles`, Node with `fileSystem(dir)` from `@vae/models/node`. A checkpoint (format
 * 'vae-checkpoint') adds the training state; `loadModel` reads the model out of one too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { sha256Hex } from '@vae/core';
import {
  checkConfigSize,
  checkFiniteWeights,
  checkPin,
  checkWeightSpecs,
  type LoadOptions,
  maxWeightBytes,
  requirePinnable,
  verifyWeightsChecksum,
  weightElementCount,
} from './artifacts';
import { quantizeFloat16 } from './float16';
import { needsLayersSupport } from './networks/layers-support';
import { SAVED_MODEL_CLASSES, type SavableModel, type SavedModel } from './registry';
import { setWeights } from './set-weights';
import {
  type Checkpoint,
  checkCheckpointDescription,
  checkOptimizerWeights,
  isCheckpoint,
  isTrainingWeight,
  parseCheckpoint,
} from './training/checkpoint';
import { urlHandler } from './url';

export const MODEL_FORMAT = 'vae-model';
export const MODEL_FORMAT_VERSION = 1;

export interface ModelDescription {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  className: string;
  config: unknown;
  /** SHA-256 (hex) of the weight bytes in manifest order, verified on load. Absent in models saved before it. */
  weightsSha256?: string;
}

export interface SaveOptions {
  /**
   * Store the weights as float16 (half the bytes; tfjs turns them back into float32 on load, within half
   * precision, about 3 significant digits). Default false.
   */
  float16?: boolean;
}

/**
 * Serializes a model's description and weights (with their SHA-256, which loading verifies) and hands them to an
 * IO handler.
 */
export async function saveModel(
  model: SavableModel,
  handler: tf.io.IOHandler,
  options: SaveOptions = {},
): Promise<tf.io.SaveResult> {
  if (!handler.save)
    throw new Error('saveModel: this IO handler cannot save; pass one with a save() method.');
  const encoded = await tf.io.encodeWeights(model.variables);
  const { data, specs } = options.float16
    ? quantizeFloat16(encoded.data, encoded.specs as tf.io.WeightsManifestEntry[])
    : encoded;
  const description: ModelDescription = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    className: model.className,
    config: model.config,
    weightsSha256: await sha256Hex(data),
  };
  return handler.save({
    modelTopology: description as unknown as tf.io.ModelJSON['modelTopology'],
    weightSpecs: specs,
    weightData: data,
    format: MODEL_FORMAT,
    generatedBy: '@vae/models',
  });
}

/** Refuses a model whose recorded weights checksum is not the pinned one (`LoadOptions.weightsSha256`). */
function checkPinnedChecksum(description: ModelDescription, pinned: unknown, caller: string): void {
  checkPin(pinned, caller);
  if (description.weightsSha256 !== pinned) {
    throw new Error(
      `${caller}: the model's weights checksum is ${
        typeof description.weightsSha256 === 'string'
          ? `${description.weightsSha256.slice(0, 12)}…`
          : 'missing'
      }, not the expected ${pinned.slice(0, 12)}…; this is not the pinned model (it was replaced or damaged). ` +
        'Get an intact copy, or drop the pin if you trust the new one.',
    );
  }
}

function describe(topology: unknown, caller: string): ModelDescription {
  const d = topology as Partial<ModelDescription> | undefined;
  if (!d || typeof d !== 'object' || Array.isArray(d) || (d.format !== MODEL_FORMAT && !isCheckpoint(d))) {
    throw new Error(
      `${caller}: this is not a model saved by @vae/models (no "vae-model" format in modelTopology). ` +
        'Point it at the model.json written by saveModel or `vae train`.',
    );
  }
  if (
    d.format === MODEL_FORMAT &&
    (typeof d.formatVersion !== 'number' || !Number.isInteger(d.formatVersion) || d.formatVersion < 1)
  ) {
    throw new Error(`${caller}: the model's formatVersion ${JSON.stringify(d.formatVersion)} is not valid.`);
  }
  if (d.format === MODEL_FORMAT && (d.formatVersion as number) > MODEL_FORMAT_VERSION) {
    throw new Error(
      `${caller}: the model has format version ${d.formatVersion}, newer than this @vae/models supports ` +
        `(${MODEL_FORMAT_VERSION}). Upgrade @vae/models.`,
    );
  }
  if (typeof d.className !== 'string') {
    throw new Error(`${caller}: the saved model names no class (className); the file is corrupt.`);
  }
  modelClass(d.className, caller);
  if (typeof d.config !== 'object' || d.config === null || Array.isArray(d.config)) {
    throw new Error(`${caller}: the saved model has no config object; the file is corrupt.`);
  }
  return d as ModelDescription;
}

function modelClass(className: string, caller = 'loadModel') {
  const ModelClass = Object.hasOwn(SAVED_MODEL_CLASSES, className)
    ? SAVED_MODEL_CLASSES[className as keyof typeof SAVED_MODEL_CLASSES]
    : undefined;
  if (!ModelClass) {
    throw new Error(
      `${caller}: unknown model class '${className.slice(0, 100)}'; this version knows ` +
        `${Object.keys(SAVED_MODEL_CLASSES).join(', ')}.`,
    );
  }
  return ModelClass;
}

/**
 * A model class to load as: a class of the registry (`VAE`, `ConditionalVAE`, ...) or a subclass of one. A saved
 * model loads when its class is this class or extends it (a saved `BetaVAE` loads `as: VAE`).
 */
export type ModelClass<M> = abstract new (...args: never[]) => M;

const article = (name: string) => (/^[AEIOU]/.test(name) ? 'an' : 'a');

/** Refuses a saved class that is not `as` or a subclass of it, before anything is allocated. */
function checkClass(className: string, as: ModelClass<unknown> | undefined, caller: string): void {
  if (as === undefined) return;
  if (typeof as !== 'function') {
    throw new Error(`${caller}: options.as must be a model class such as VAE, got ${typeof as}.`);
  }
  const Saved = modelClass(className, caller);
  if (Saved === as || Saved.prototype instanceof as) return;
  throw new Error(
    `${caller}: the saved model is ${article(className)} ${className}, not ${article(as.name)} ${as.name}; load it ` +
      `with { as: ${className} } ` +
      '(or without `as`, then check its class).',
  );
}

/** What `readArtifacts` checked: the description, the manifest and the weight bytes (nothing allocated yet). */
interface CheckedArtifacts {
  topology: unknown;
  description: ModelDescription;
  specs: tf.io.WeightsManifestEntry[];
  data: ArrayBuffer;
}

/**
 * Loads and checks a saved model's or checkpoint's files through any IO handler, before any tensor exists: the
 * description (format, version, known class, a config that the class accepts), the manifest (names, shapes,
 * dtypes, total size within `maxBytes`, equal to the bytes present), the weights' SHA-256, a config no larger
 * than the weights present, and finite values.
 */
async function readArtifacts(
  handler: tf.io.IOHandler,
  caller: string,
  options: LoadOptions & { as?: ModelClass<unknown> },
): Promise<CheckedArtifacts> {
  if (!handler?.load)
    throw new Error(`${caller}: this IO handler cannot load; pass one with a load() method.`);
  const maxBytes = maxWeightBytes(options);
  const artifacts = await handler.load();
  const topology = artifacts.modelTopology;
  const description = describe(topology, caller);
  checkClass(description.className, options.as, caller);
  if (!artifacts.weightSpecs || !artifacts.weightData) {
    throw new Error(`${caller}: the saved model has no weights; save it again.`);
  }
  const expected = checkWeightSpecs(artifacts.weightSpecs, caller, maxBytes);
  const specs = artifacts.weightSpecs;
  const parts = Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData];
  const present = parts.reduce((n, b) => n + b.byteLength, 0);
  if (present !== expected) {
    throw new Error(
      `${caller}: the weights have ${present} bytes but the manifest describes ${expected}; the files are ` +
        'incomplete or from different saves. Save the model again.',
    );
  }
  const data = new tf.io.CompositeArrayBuffer(artifacts.weightData).slice();
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  if (options.weightsSha256 !== undefined) {
    checkPinnedChecksum(description, options.weightsSha256, caller);
    // the recorded checksum is the pin; the bytes are checked against it next, which needs SHA-256
    requirePinnable(caller);
  }
  await verifyWeightsChecksum(data, description.weightsSha256, caller, warn);
  // The class's own config checks (types and ranges), then the size the config implies against the weights.
  const ModelClass = modelClass(description.className, caller);
  let resolved: unknown;
  try {
    resolved = (ModelClass as unknown as { resolveConfig(c: unknown): unknown }).resolveConfig(
      description.config,
    );
  } catch (error) {
    throw new Error(`${caller}: the saved config is not valid (${(error as Error).message})`, {
      cause: error,
    });
  }
  const modelSpecs = isCheckpoint(topology) ? specs.filter((s) => !isTrainingWeight(s.name)) : specs;
  checkConfigSize(resolved, weightElementCount(modelSpecs), caller);
  checkFiniteWeights(data, specs, caller);
  return { topology, description, specs, data };
}

function decode(checked: CheckedArtifacts, caller: string): tf.NamedTensorMap {
  try {
    return tf.io.decodeWeights(checked.data, checked.specs);
  } catch (error) {
    throw new Error(
      `${caller}: the weights do not match their manifest (${(error as Error).message}); the files are corrupt ` +
        'or from different saves. Save the model again.',
      { cause: error },
    );
  }
}

/** Loads the tfjs-layers parts (`@vae/models/layers`) when the saved config needs them, lazily. */
async function prepareNetworks(description: ModelDescription): Promise<void> {
  if (needsLayersSupport(description.config)) await import('./layers');
}

function build(description: ModelDescription, weights: tf.NamedTensorMap): SavedModel {
  const ModelClass = modelClass(description.className);
  const model = new ModelClass(description.config as never) as SavedModel;
  try {
    setWeights(model, weights);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** Where a model comes from: a tfjs IO handler, or (browsers, Node's fetch) the URL of its `model.json`. */
export type ModelSource = tf.io.IOHandler | string | URL;

function handlerFor(source: ModelSource, options: LoadOptions, caller: string): tf.io.IOHandler {
  if (typeof source === 'string' || source instanceof URL) return urlHandler(source, options, caller);
  return source;
}

/**
 * Loads a model saved with `saveModel` (or the model of a checkpoint): from a tfjs IO handler, or from the URL of
 * its `model.json` (weights fetched beside it, on the same origin unless `options.allowCrossOrigin`). Every file is
 * treated as untrusted (see `LoadOptions` and SECURITY.md). In Node, load a folder with `loadModelFromDirectory`
 * from `@vae/models/node`.
 *
 * With `as: VAE` (any model class) the result is typed as that class, and a saved model of another class is
 * refused before anything is allocated; without it, the result is any model of the registry or a recommender
 * (`SavedModel`; narrow it with `instanceof`).
 */
export async function loadModel<M>(
  source: ModelSource,
  options: LoadOptions & { as: ModelClass<M> },
): Promise<M>;
export async function loadModel(source: ModelSource, options?: LoadOptions): Promise<SavedModel>;
export async function loadModel(
  source: ModelSource,
  options: LoadOptions & { as?: ModelClass<unknown> } = {},
): Promise<unknown> {
  const checked = await readArtifacts(handlerFor(source, options, 'loadModel'), 'loadModel', options);
  const { topology, description } = checked;
  if (isCheckpoint(topology)) {
    // The training state is checked although only the model is kept: a damaged checkpoint is refused whole.
    checkCheckpointDescription(topology);
  }
  await prepareNetworks(description);
  const weights = decode(checked, 'loadModel');
  try {
    if (isCheckpoint(topology)) {
      const { modelWeights, checkpoint } = parseCheckpoint(topology, { ...weights });
      checkpoint.dispose();
      return build(description, modelWeights);
    }
    return build(description, weights);
  } finally {
    tf.dispose(Object.values(weights));
  }
}

/**
 * Loads a checkpoint written by `fit` (options.checkpoint): the model with its weights, and the training state to
 * pass to `fit` as `resumeFrom`. Dispose the checkpoint when training has resumed. The training state is checked
 * field by field (ranges, the optimizer's weights against the model's) before anything is allocated. `as` types
 * and checks the model's class as in `loadModel`.
 */
export async function loadCheckpoint<M>(
  source: ModelSource,
  options: LoadOptions & { as: ModelClass<M> },
): Promise<{ model: M; checkpoint: Checkpoint }>;
export async function loadCheckpoint(
  source: ModelSource,
  options?: LoadOptions,
): Promise<{ model: SavedModel; checkpoint: Checkpoint }>;
export async function loadCheckpoint(
  source: ModelSource,
  options: LoadOptions & { as?: ModelClass<unknown> } = {},
): Promise<{ model: unknown; checkpoint: Checkpoint }> {
  const checked = await readArtifacts(
    handlerFor(source, options, 'loadCheckpoint'),
    'loadCheckpoint',
    options,
  );
  const { topology, description } = checked;
  if (!isCheckpoint(topology)) {
    throw new Error('loadCheckpoint: this is a saved model, not a checkpoint; load it with loadModel.');
  }
  checkCheckpointDescription(topology);
  await prepareNetworks(description);
  const { modelWeights, checkpoint } = parseCheckpoint(topology, decode(checked, 'loadCheckpoint'));
  let model: ReturnType<typeof build> | undefined;
  try {
    model = build(description, modelWeights);
    checkOptimizerWeights(
      checkpoint,
      model.variables,
      (model as { auxiliaryObjective?: { variableNames: readonly string[] } }).auxiliaryObjective
        ?.variableNames,
    );
    return { model, checkpoint };
  } catch (error) {
    checkpoint.dispose();
    (model as { dispose?(): void } | undefined)?.dispose?.();
    throw error;
  } finally {
    tf.dispose(Object.values(modelWeights));
  }
}

export { setWeights };
