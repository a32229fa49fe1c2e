/**
 * Models as safetensors files with PyTorch `state_dict` names and layouts (see pytorch-names.ts), in browsers and
 * Node: bytes in, bytes out. The file describes itself: `__metadata__` holds the class and its config (JSON), so
 * python/vae_torch builds the same network from it and `modelFromSafetensors` builds the same model. Loading
 * treats the file as untrusted, like a model folder (SECURITY.md): the header is checked before anything is
 * allocated, the config by the class's own checks and against the size of the weights present, every value must
 * be finite, and the tensors must match the architecture name for name, shape for shape, in a float dtype.
 */
import * as tf from '@tensorflow/tfjs-core';
import { sha256Hex } from '@vae/core';
import {
  checkConfigSize,
  checkFiniteWeights,
  type LoadOptions,
  maxWeightBytes,
  verifyPinnedChecksum,
  verifyWeightsChecksum,
} from '../artifacts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelClass, setWeights } from '../io';
import { needsLayersSupport } from '../networks/layers-support';
import { type AnyModel, MODEL_REGISTRY, type ModelClassName, type SavableModel } from '../registry';
import {
  type FloatDtype,
  float32ToTensor,
  readSafetensors,
  type SafetensorsFile,
  type SafetensorsTensor,
  tensorToFloat32,
  writeSafetensors,
} from './format';
import { fromPytorchValues, pytorchLayout, toPytorchValues } from './pytorch-names';

/** The `__metadata__` keys a model's safetensors file carries (all values are strings). */
export const SAFETENSORS_METADATA_KEYS = {
  /** 'vae-model'. */
  format: 'vae.format',
  /** The description's version, '1'. */
  formatVersion: 'vae.formatVersion',
  /** The registry name of the class, e.g. 'VAE'. */
  className: 'vae.className',
  /** The model's config as JSON. */
  config: 'vae.config',
  /** SHA-256 (hex) of the tensors' bytes (everything after the header); verified when present. */
  weightsSha256: 'vae.weightsSha256',
} as const;

/** What builds a model: the registry name of its class and its config. */
export interface ModelDescriptionLike {
  className: string;
  config: unknown;
}

export interface SafetensorsSaveOptions {
  /** Element type of the weights: 'float32' (default), 'float16' or 'bfloat16' (half the bytes). */
  dtype?: FloatDtype;
}

export interface SafetensorsLoadOptions extends LoadOptions {
  /**
   * The class and config, for a file whose metadata has none (a state_dict saved by other code); when the file
   * has its own, both must agree.
   */
  description?: ModelDescriptionLike;
  /** Names the file in errors. Default 'safetensors'. */
  where?: string;
  /**
   * Load as this class (or a subclass of it): the result is typed so, and a file of another class is refused
   * before anything is allocated (as `loadModel`'s `as`).
   */
  as?: ModelClass<unknown>;
}

/**
 * A model's weights as a safetensors file with PyTorch state_dict names and layouts, its class and config in the
 * metadata. Throws for a model with a user-supplied tfjs Layers network (no PyTorch counterpart).
 */
export async function modelToSafetensors(
  model: SavableModel,
  options: SafetensorsSaveOptions = {},
): Promise<Uint8Array> {
  const dtype = options.dtype ?? 'float32';
  if (!['float32', 'float16', 'bfloat16'].includes(dtype)) {
    throw new Error(`modelToSafetensors: dtype must be 'float32', 'float16' or 'bfloat16', got '${dtype}'.`);
  }
  let layout: ReturnType<typeof pytorchLayout>;
  try {
    layout = pytorchLayout(model);
  } catch (error) {
    throw new Error(`modelToSafetensors: ${(error as Error).message}`);
  }
  const variables = model.variables;
  const tensors: Array<[string, SafetensorsTensor]> = [];
  for (const entry of layout) {
    const values = (await variables[entry.variable].data()) as Float32Array;
    tensors.push([
      entry.name,
      float32ToTensor(toPytorchValues(entry, values), entry.shape, dtype, `weight ${entry.variable}`),
    ]);
  }
  const buffer = new Uint8Array(tensors.reduce((n, [, t]) => n + t.data.byteLength, 0));
  let offset = 0;
  for (const [, tensor] of tensors) {
    buffer.set(tensor.data, offset);
    offset += tensor.data.byteLength;
  }
  const keys = SAFETENSORS_METADATA_KEYS;
  return writeSafetensors(tensors, {
    format: 'pt',
    [keys.format]: MODEL_FORMAT,
    [keys.formatVersion]: String(MODEL_FORMAT_VERSION),
    [keys.className]: model.className,
    [keys.config]: JSON.stringify(model.config),
    [keys.weightsSha256]: await sha256Hex(buffer),
  });
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a as object);
  const keysB = Object.keys(b as object);
  return (
    keysA.length === keysB.length &&
    keysA.every(
      (k) =>
        Object.hasOwn(b as object, k) &&
        deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/**
 * The class and config a parsed file's metadata names, or null when it names none. Throws on metadata that is
 * present but malformed or from a newer format.
 */
export function safetensorsDescription(
  file: SafetensorsFile,
  where = 'safetensors',
): ModelDescriptionLike | null {
  const keys = SAFETENSORS_METADATA_KEYS;
  const { metadata } = file;
  if (metadata[keys.className] === undefined && metadata[keys.config] === undefined) return null;
  if (metadata[keys.format] !== undefined && metadata[keys.format] !== MODEL_FORMAT) {
    throw new Error(
      `${where}: its metadata names the format '${metadata[keys.format].slice(0, 40)}', not '${MODEL_FORMAT}'.`,
    );
  }
  const version = metadata[keys.formatVersion];
  if (version !== undefined) {
    const number = Number(version);
    if (!/^[0-9]{1,6}$/.test(version) || number < 1) {
      throw new Error(
        `${where}: its metadata has the format version '${version.slice(0, 20)}', not a number.`,
      );
    }
    if (number > MODEL_FORMAT_VERSION) {
      throw new Error(
        `${where}: the model has format version ${number}, newer than this @vae/models supports ` +
          `(${MODEL_FORMAT_VERSION}). Upgrade @vae/models.`,
      );
    }
  }
  const className = metadata[keys.className];
  if (className === undefined)
    throw new Error(`${where}: its metadata has a config but no class (vae.className).`);
  let config: unknown;
  try {
    config = JSON.parse(metadata[keys.config] ?? 'null');
  } catch (error) {
    throw new Error(`${where}: its metadata's config is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error(`${where}: its metadata has no config object (vae.config).`);
  }
  return { className, config };
}

/** Names, at most `limit` of them, then how many more. */
function listNames(names: string[], limit = 12): string {
  const shown = names.slice(0, limit).join(', ');
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}

function modelClass(className: string, where: string) {
  if (!Object.hasOwn(MODEL_REGISTRY, className)) {
    throw new Error(
      `${where}: unknown model class '${className.slice(0, 100)}'; this version knows ` +
        `${Object.keys(MODEL_REGISTRY).join(', ')}.`,
    );
  }
  return MODEL_REGISTRY[className as ModelClassName];
}

/**
 * Builds a model from a safetensors file with PyTorch state_dict names and layouts: its class and config from the
 * metadata (or `options.description`), its weights from the tensors (float32, float16 or bfloat16). The file is
 * untrusted input; a file that does not match the config (missing, unexpected or mis-shaped tensors, another
 * dtype) is refused with the names of the tensors that differ.
 */
export async function modelFromSafetensors<M>(
  bytes: Uint8Array,
  options: SafetensorsLoadOptions & { as: ModelClass<M> },
): Promise<M>;
export async function modelFromSafetensors(
  bytes: Uint8Array,
  options?: SafetensorsLoadOptions,
): Promise<AnyModel>;
export async function modelFromSafetensors(
  bytes: Uint8Array,
  options: SafetensorsLoadOptions = {},
): Promise<unknown> {
  const where = options.where ?? 'safetensors';
  const maxBytes = maxWeightBytes(options);
  const file = readSafetensors(bytes, { where, maxBytes });
  const own = safetensorsDescription(file, where);
  const given = options.description;
  if (own && given && (own.className !== given.className || !deepEqual(own.config, given.config))) {
    const a = (own.config ?? {}) as Record<string, unknown>;
    const b = (given.config ?? {}) as Record<string, unknown>;
    const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !deepEqual(a[k], b[k]));
    const differences = [
      ...(own.className !== given.className
        ? [`class ${own.className.slice(0, 100)} vs ${String(given.className).slice(0, 100)}`]
        : []),
      ...(fields.length ? [`config ${listNames(fields.map((f) => f.slice(0, 100)))}`] : []),
    ];
    throw new Error(
      `${where}: its metadata and the description given with it (config.json) describe different models ` +
        `(${differences.join('; ')}); the files do not belong together. Export or save them again together.`,
    );
  }
  const description = own ?? given;
  if (!description) {
    throw new Error(
      `${where}: its metadata names no model (vae.className, vae.config) and no description was given; pass the ` +
        "model's class and config (the config.json written beside it).",
    );
  }
  if (options.weightsSha256 !== undefined) {
    await verifyPinnedChecksum(file.buffer, options.weightsSha256, where);
  }
  const expected = file.metadata['vae.weightsSha256'];
  if (expected !== undefined) {
    const warn = options.onWarning ?? ((message: string) => console.warn(message));
    await verifyWeightsChecksum(file.buffer.slice().buffer, expected, where, warn);
  }
  const ModelClass = modelClass(description.className, where);
  const as = options.as;
  if (as !== undefined && ModelClass !== as && !(ModelClass.prototype instanceof as)) {
    throw new Error(
      `${where}: the file holds a ${description.className}, not a ${as.name}; load it with { as: ` +
        `${description.className} } (or without \`as\`, then check its class).`,
    );
  }
  let resolved: unknown;
  try {
    resolved = (ModelClass as unknown as { resolveConfig(c: unknown): unknown }).resolveConfig(
      description.config,
    );
  } catch (error) {
    throw new Error(`${where}: the config is not valid (${(error as Error).message})`, { cause: error });
  }
  const layers = (resolved as { layers?: { encoder?: unknown; decoder?: unknown } }).layers;
  if (layers?.encoder || layers?.decoder) {
    throw new Error(
      `${where}: the config has a user-supplied tfjs Layers network (layers), which has no PyTorch counterpart; ` +
        'only the built-in mlp and conv networks are exchanged as safetensors.',
    );
  }
  const notFloat = [...file.tensors].filter(([, t]) => !['F32', 'F16', 'BF16'].includes(t.dtype));
  if (notFloat.length) {
    throw new Error(
      `${where}: ${listNames(notFloat.map(([name, t]) => `${name} (${t.dtype})`))} ` +
        `${notFloat.length === 1 ? 'is' : 'are'} not float32, float16 or bfloat16; weights must be. ` +
        'Convert them (tensor.float()) and save again.',
    );
  }
  let count = 0;
  for (const [, tensor] of file.tensors) count += tensor.shape.reduce((a, b) => a * b, 1);
  checkConfigSize(resolved, count, where);
  const values = new Map<string, Float32Array>();
  for (const [name, tensor] of file.tensors) values.set(name, tensorToFloat32(tensor, name));
  const all = new Float32Array(count);
  let offset = 0;
  for (const value of values.values()) {
    all.set(value, offset);
    offset += value.length;
  }
  checkFiniteWeights(
    all.buffer,
    [...file.tensors].map(([name, t]) => ({ name, shape: t.shape, dtype: 'float32' as const })),
    where,
  );

  // convolutional trunks need the tfjs-layers plug-in (@vae/models/layers), loaded here as loadModel does
  if (needsLayersSupport(description.config)) await import('../layers');
  const model = new ModelClass(description.config as never) as SavableModel;
  const weights: tf.NamedTensorMap = {};
  try {
    const layout = pytorchLayout(model);
    const wanted = new Set(layout.map((entry) => entry.name));
    const missing = layout.filter((entry) => !file.tensors.has(entry.name)).map((entry) => entry.name);
    const extra = [...file.tensors.keys()].filter((name) => !wanted.has(name));
    const misshaped = layout
      .filter((entry) => {
        const found = file.tensors.get(entry.name);
        return found && found.shape.join() !== entry.shape.join();
      })
      .map((entry) => `${entry.name} [${file.tensors.get(entry.name)?.shape}] (expected [${entry.shape}])`);
    if (missing.length || extra.length || misshaped.length) {
      throw new Error(
        `${where} does not match the ${model.className} its config describes` +
          (missing.length ? `; missing: ${listNames(missing)}` : '') +
          (extra.length ? `; unexpected: ${listNames(extra.map((n) => n.slice(0, 200)))}` : '') +
          (misshaped.length ? `; mis-shaped: ${listNames(misshaped)}` : '') +
          '. Save the weights from a model built with the same config (python/vae_torch builds it from config.json).',
      );
    }
    for (const entry of layout) {
      weights[entry.variable] = tf.tensor(
        fromPytorchValues(entry, values.get(entry.name) as Float32Array),
        entry.variableShape,
        'float32',
      );
    }
    setWeights(model, weights);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(weights));
  }
}
