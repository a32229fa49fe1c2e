/**
 * Saving and loading models through tfjs IO handlers. A saved model is the standard tfjs `model.json` layout:
 * `modelTopology` holds our versioned description `{ format, formatVersion, className, config }`, and
 * `weightsManifest` names a binary file of float32 weights. Browsers load it with `tf.io.http(url)` or
 * `tf.io.browserFiles`, Node with `fileSystem(dir)` from `@vae/models/node`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODEL_REGISTRY, type ModelClassName, type SavableModel } from './registry';

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
  if (!d || typeof d !== 'object' || d.format !== MODEL_FORMAT) {
    throw new Error(
      'loadModel: this is not a model saved by @vae/models (no "vae-model" format in modelTopology). ' +
        'Point it at the model.json written by saveModel or `vae train`.',
    );
  }
  if (typeof d.formatVersion !== 'number' || d.formatVersion > MODEL_FORMAT_VERSION) {
    throw new Error(
      `loadModel: the model has format version ${d.formatVersion}, newer than this @vae/models supports ` +
        `(${MODEL_FORMAT_VERSION}). Upgrade @vae/models.`,
    );
  }
  return d as ModelDescription;
}

/** Loads a model saved with `saveModel`, whatever its class, through an IO handler. */
export async function loadModel(handler: tf.io.IOHandler): Promise<SavableModel> {
  if (!handler.load)
    throw new Error('loadModel: this IO handler cannot load; pass one with a load() method.');
  const artifacts = await handler.load();
  const description = describe(artifacts.modelTopology);
  const ModelClass = MODEL_REGISTRY[description.className as ModelClassName];
  if (!ModelClass) {
    throw new Error(
      `loadModel: unknown model class '${description.className}'; this version knows ` +
        `${Object.keys(MODEL_REGISTRY).join(', ')}.`,
    );
  }
  if (!artifacts.weightSpecs || !artifacts.weightData) {
    throw new Error('loadModel: the saved model has no weights; save it again.');
  }
  const model = new ModelClass(description.config as never);
  const weightData = new tf.io.CompositeArrayBuffer(artifacts.weightData).slice();
  const weights = tf.io.decodeWeights(weightData, artifacts.weightSpecs);
  try {
    setWeights(model, weights);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(weights));
  }
  return model;
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
