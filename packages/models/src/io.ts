/**
 * Saving and loading models and checkpoints through tfjs IO handlers. A saved model is the standard tfjs
 * `model.json` layout: `modelTopology` holds our versioned description `{ format, formatVersion, className, config }`,
 * and `weightsManifest` names a binary file of float32 weights. Browsers load it with `tf.io.http(url)` or
 * `tf.io.browserFiles`, Node with `fileSystem(dir)` from `@vae/models/node`. A checkpoint (format
 * 'vae-checkpoint') adds the training state; `loadModel` reads the model out of one too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODEL_REGISTRY, type ModelClassName, type SavableModel } from './registry';
import { type Checkpoint, isCheckpoint, parseCheckpoint } from './training/checkpoint';

export const MODEL_FORMAT = 'vae-model';
export const MODEL_FORMAT_VERSION = 1;

export interface ModelDescription {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  className: string;
  config: unknown;
}

/** Serializes a model's description and weights and hands them to an IO handler. */
export async function saveModel(model: SavableModel, handler: tf.io.IOHandler): Promise<tf.io.SaveResult> {
  if (!handler.save)
    throw new Error('saveModel: this IO handler cannot save; pass one with a save() method.');
  const description: ModelDescription = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    className: model.className,
    config: model.config,
  };
  const { data, specs } = await tf.io.encodeWeights(model.variables);
  return handler.save({
    modelTopology: description as unknown as tf.io.ModelJSON['modelTopology'],
    weightSpecs: specs,
    weightData: data,
    format: MODEL_FORMAT,
    generatedBy: '@vae/models',
  });
}

function describe(topology: unknown): ModelDescription {
  const d = topology as Partial<ModelDescription> | undefined;
  if (!d || typeof d !== 'object' || (d.format !== MODEL_FORMAT && !isCheckpoint(d))) {
    throw new Error(
      'loadModel: this is not a model saved by @vae/models (no "vae-model" format in modelTopology). ' +
        'Point it at the model.json written by saveModel or `vae train`.',
    );
  }
  if (
    d.format === MODEL_FORMAT &&
    (typeof d.formatVersion !== 'number' || d.formatVersion > MODEL_FORMAT_VERSION)
  ) {
    throw new Error(
      `loadModel: the model has format version ${d.formatVersion}, newer than this @vae/models supports ` +
        `(${MODEL_FORMAT_VERSION}). Upgrade @vae/models.`,
    );
  }
  return d as ModelDescription;
}

function modelClass(className: string) {
  const ModelClass = MODEL_REGISTRY[className as ModelClassName];
  if (!ModelClass) {
    throw new Error(
      `loadModel: unknown model class '${className}'; this version knows ` +
        `${Object.keys(MODEL_REGISTRY).join(', ')}.`,
    );
  }
  return ModelClass;
}

async function readArtifacts(
  handler: tf.io.IOHandler,
  caller: string,
): Promise<{ topology: unknown; weights: tf.NamedTensorMap }> {
  if (!handler.load)
    throw new Error(`${caller}: this IO handler cannot load; pass one with a load() method.`);
  const artifacts = await handler.load();
  const topology = artifacts.modelTopology;
  describe(topology);
  if (!artifacts.weightSpecs || !artifacts.weightData) {
    throw new Error(`${caller}: the saved model has no weights; save it again.`);
  }
  const weightData = new tf.io.CompositeArrayBuffer(artifacts.weightData).slice();
  let weights: tf.NamedTensorMap;
  try {
    weights = tf.io.decodeWeights(weightData, artifacts.weightSpecs);
  } catch (error) {
    throw new Error(
      `${caller}: the weights do not match their manifest (${(error as Error).message}); the files are corrupt ` +
        'or from different saves. Save the model again.',
      { cause: error },
    );
  }
  return { topology, weights };
}

function build(description: ModelDescription, weights: tf.NamedTensorMap): SavableModel {
  const ModelClass = modelClass(description.className);
  const model = new ModelClass(description.config as never) as SavableModel;
  try {
    setWeights(model, weights);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** Loads a model saved with `saveModel` (or the model of a checkpoint), whatever its class, through an IO handler. */
export async function loadModel(handler: tf.io.IOHandler): Promise<SavableModel> {
  const { topology, weights } = await readArtifacts(handler, 'loadModel');
  const description = describe(topology);
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
 * pass to `fit` as `resumeFrom`. Dispose the checkpoint when training has resumed.
 */
export async function loadCheckpoint(
  handler: tf.io.IOHandler,
): Promise<{ model: SavableModel; checkpoint: Checkpoint }> {
  const { topology, weights } = await readArtifacts(handler, 'loadCheckpoint');
  if (!isCheckpoint(topology)) {
    tf.dispose(Object.values(weights));
    throw new Error('loadCheckpoint: this is a saved model, not a checkpoint; load it with loadModel.');
  }
  const { modelWeights, checkpoint } = parseCheckpoint(topology, weights);
  try {
    const model = build(describe(topology), modelWeights);
    return { model, checkpoint };
  } catch (error) {
    checkpoint.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(modelWeights));
  }
}

/** Assigns named weights to a model's variables, checking that every name and shape matches. */
export function setWeights(model: SavableModel, weights: tf.NamedTensorMap): void {
  const variables = model.variables;
  const missing = Object.keys(variables).filter((name) => !(name in weights));
  const extra = Object.keys(weights).filter((name) => !(name in variables));
  if (missing.length || extra.length) {
    throw new Error(
      `weights do not match the ${model.className} architecture` +
        (missing.length ? `; missing: ${missing.join(', ')}` : '') +
        (extra.length ? `; unexpected: ${extra.join(', ')}` : '') +
        '. Load them into a model built with the same config.',
    );
  }
  for (const [name, variable] of Object.entries(variables)) {
    const value = weights[name];
    if (value.shape.join() !== variable.shape.join()) {
      throw new Error(`weight ${name} has shape [${value.shape}] but the model expects [${variable.shape}].`);
    }
  }
  for (const [name, variable] of Object.entries(variables)) variable.assign(weights[name]);
}
