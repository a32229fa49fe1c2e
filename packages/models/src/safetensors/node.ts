/**
 * safetensors files and PyTorch folders (`model.safetensors` + `config.json`, what python/vae_torch reads and
 * writes) in Node. Exported from `@vae/models/node`. Files are read as untrusted input through core's
 * `readRegularFile` (regular files only, sizes checked before reading) and written atomically.
 */
import { join } from 'node:path';
import { readRegularFile, resolveInside, UntrustedFileError, writeFileAtomic } from '@vae/core/node';
import { MAX_MODEL_JSON_BYTES, maxWeightBytes } from '../artifacts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelClass } from '../io';
import type { AnyModel, SavableModel } from '../registry';
import { MAX_SAFETENSORS_HEADER_BYTES } from './format';
import {
  type ModelDescriptionLike,
  modelFromSafetensors,
  modelToSafetensors,
  type SafetensorsLoadOptions,
  type SafetensorsSaveOptions,
} from './model';

/** The weights file of a PyTorch folder. */
export const SAFETENSORS_FILE = 'model.safetensors';
/** The description of a PyTorch folder: `{ format, formatVersion, className, config }`. */
export const PYTORCH_CONFIG_FILE = 'config.json';

/** Writes a model as one safetensors file (atomically). See `modelToSafetensors`. */
export async function saveSafetensorsFile(
  model: SavableModel,
  path: string,
  options: SafetensorsSaveOptions = {},
): Promise<void> {
  await writeFileAtomic(path, await modelToSafetensors(model, options));
}

/** Reads a safetensors file: a regular file no larger than `maxBytes` of weights plus the largest header. */
async function readSafetensorsBytes(path: string, options: SafetensorsLoadOptions): Promise<Uint8Array> {
  return readRegularFile(path, {
    maxBytes: maxWeightBytes(options) + 8 + MAX_SAFETENSORS_HEADER_BYTES,
    what: 'a safetensors file',
  });
}

/** Loads a model from one safetensors file (see `modelFromSafetensors`; the file is untrusted). */
export async function loadModelFromSafetensorsFile<M>(
  path: string,
  options: SafetensorsLoadOptions & { as: ModelClass<M> },
): Promise<M>;
export async function loadModelFromSafetensorsFile(
  path: string,
  options?: SafetensorsLoadOptions,
): Promise<AnyModel>;
export async function loadModelFromSafetensorsFile(
  path: string,
  options: SafetensorsLoadOptions = {},
): Promise<unknown> {
  return modelFromSafetensors(await readSafetensorsBytes(path, options), { where: path, ...options });
}

/**
 * Writes a PyTorch folder: `model.safetensors` (PyTorch state_dict names and layouts) and `config.json`
 * (`{ format, formatVersion, className, config }`), which python/vae_torch builds the module from.
 */
export async function savePytorchFolder(
  model: SavableModel,
  directory: string,
  options: SafetensorsSaveOptions = {},
): Promise<void> {
  await saveSafetensorsFile(model, join(directory, SAFETENSORS_FILE), options);
  const description = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    className: model.className,
    config: model.config,
  };
  await writeFileAtomic(join(directory, PYTORCH_CONFIG_FILE), `${JSON.stringify(description, null, 2)}\n`);
}

/**
 * The class and config of a config.json: a PyTorch folder's `{ className, config }`, or a `vae train` run's
 * `{ modelClass, modelConfig }`. Null for anything else.
 */
export function describedModel(json: unknown): ModelDescriptionLike | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const record = json as Record<string, unknown>;
  if (typeof record.className === 'string' && typeof record.config === 'object' && record.config !== null) {
    return { className: record.className, config: record.config };
  }
  if (typeof record.modelClass === 'string' && typeof record.modelConfig === 'object' && record.modelConfig) {
    return { className: record.modelClass, config: record.modelConfig };
  }
  return null;
}

/**
 * Loads the model of a PyTorch folder (python/vae_torch's output, or `savePytorchFolder`'s): `model.safetensors`,
 * described by its metadata and by `config.json` when present (both must agree). Untrusted input: paths stay
 * inside the folder, only regular files are read, sizes are checked first.
 */
export async function loadModelFromPytorchFolder<M>(
  directory: string,
  options: SafetensorsLoadOptions & { as: ModelClass<M> },
): Promise<M>;
export async function loadModelFromPytorchFolder(
  directory: string,
  options?: SafetensorsLoadOptions,
): Promise<AnyModel>;
export async function loadModelFromPytorchFolder(
  directory: string,
  options: SafetensorsLoadOptions = {},
): Promise<unknown> {
  let weightsPath: string;
  try {
    weightsPath = await resolveInside(directory, SAFETENSORS_FILE, 'the weights file');
  } catch (error) {
    if (error instanceof UntrustedFileError && error.code === 'not-found') {
      throw new Error(
        `no ${SAFETENSORS_FILE} in ${directory}; pass the folder that python/vae_torch (or \`vae export ` +
          '--format safetensors`) wrote.',
      );
    }
    throw error;
  }
  let description = options.description;
  let configPath: string | null = null;
  try {
    configPath = await resolveInside(directory, PYTORCH_CONFIG_FILE, 'the config file');
  } catch (error) {
    if (!(error instanceof UntrustedFileError && error.code === 'not-found')) throw error;
  }
  if (configPath !== null && description === undefined) {
    const text = new TextDecoder().decode(
      await readRegularFile(configPath, {
        maxBytes: MAX_MODEL_JSON_BYTES,
        what: 'a model config (config.json)',
      }),
    );
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`${configPath} is not valid JSON (${(error as Error).message}).`);
    }
    const found = describedModel(json);
    if (!found) {
      throw new Error(
        `${configPath} names no model: expected { "className": ..., "config": {...} } (python/vae_torch's ` +
          'config.json) or a `vae train` run config.',
      );
    }
    description = found;
  }
  return modelFromSafetensors(await readSafetensorsBytes(weightsPath, options), {
    where: weightsPath,
    ...options,
    description,
  });
}
