/** Saving and loading models as files in Node. Import from `@vae/models/node`. */
import { randomBytes } from 'node:crypto';
import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { readRegularFile, resolveInside, UntrustedFileError, writeFileAtomic } from '@vae/core/node';
import { checkManifest, type LoadOptions, MAX_MODEL_JSON_BYTES, maxWeightBytes } from './artifacts';
// Node apps get every network kind without a second import (size does not matter here).
import './layers';
// fit({ workers }) runs its replicas in worker_threads.
import './training/parallel.node.js';
import { loadCheckpoint, loadModel, type ModelClass, type SaveOptions, saveModel } from './io';
import type { SavableModel, SavedModel } from './registry';
import type { Checkpoint } from './training/checkpoint';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/**
 * A tfjs IO handler for a directory: `model.json` (tfjs layout) and `weights.bin`. Both files are written
 * atomically, weights first, so an interrupted save never leaves a model.json pointing at missing weights.
 * Loading treats the folder as untrusted (see `readDirectoryArtifacts`).
 */
export function fileSystem(directory: string, options: LoadOptions = {}): tf.io.IOHandler {
  return directoryHandler(
    directory,
    MODEL_JSON,
    () => WEIGHTS_BIN,
    options,
    async () => {},
  );
}

function concatenate(buffers: ArrayBuffer[]): Uint8Array {
  const bytes = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const buffer of buffers) {
    bytes.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return bytes;
}

/**
 * Reads `jsonName` and the weight files its manifest names from an untrusted folder: every path must be relative,
 * without `..`, and stay inside the folder after resolving symlinks; only regular files are read (a FIFO, a
 * device such as /dev/zero or a directory is refused without blocking); model.json is at most 64 MiB and the
 * weights at most the bytes their manifest describes (itself within `options.maxBytes`), checked before reading.
 */
async function readDirectoryArtifacts(
  directory: string,
  jsonName: string,
  options: LoadOptions,
): Promise<{ artifacts: tf.io.ModelArtifacts; weightFiles: string[] }> {
  const maxBytes = maxWeightBytes(options);
  const path = join(directory, jsonName);
  let jsonPath: string;
  try {
    jsonPath = await resolveInside(directory, jsonName, 'the model file');
  } catch (error) {
    if (error instanceof UntrustedFileError && (error as UntrustedFileError).code === 'not-found') {
      throw new Error(`no saved model at ${path}; pass the directory that holds ${jsonName}.`);
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`no saved model at ${path}: the directory ${directory} does not exist.`);
    }
    throw error;
  }
  const text = new TextDecoder().decode(
    await readRegularFile(jsonPath, {
      maxBytes: MAX_MODEL_JSON_BYTES,
      what: `the ${jsonName} of a saved model (at most 64 MiB)`,
    }),
  );
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); save the model again.`);
  }
  const { paths, specs: weightSpecs, bytes: expected } = checkManifest(json, path, maxBytes);
  const files: string[] = [];
  for (const name of paths) {
    files.push(await resolveInside(directory, name, `${path}: the weights file`));
  }
  const parts: ArrayBuffer[] = [];
  let total = 0;
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await readRegularFile(file, {
        maxBytes: expected - total,
        what: `a weights file named by ${jsonName}`,
      });
    } catch (error) {
      if (error instanceof UntrustedFileError && (error as UntrustedFileError).code === 'too-large') {
        throw new Error(
          `the weights in ${directory} are larger than ${jsonName} describes (${expected} bytes); the files are ` +
            'incomplete or from different saves. Save the model again.',
        );
      }
      throw error;
    }
    total += bytes.byteLength;
    parts.push(bytes.buffer as ArrayBuffer);
  }
  if (total !== expected) {
    throw new Error(
      `the weights in ${directory} have ${total} bytes but ${jsonName} describes ${expected}; ` +
        'the files are incomplete or from different saves. Save the model again.',
    );
  }
  return {
    artifacts: {
      modelTopology: json.modelTopology,
      format: json.format,
      generatedBy: json.generatedBy,
      weightSpecs,
      weightData: parts.length === 1 ? parts[0] : parts,
    },
    weightFiles: files,
  };
}

function directoryHandler(
  directory: string,
  jsonName: string,
  weightsName: () => string,
  options: LoadOptions,
  afterCommit: (weightsFile: string, previous: string[]) => Promise<void>,
): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weightsFile = weightsName();
      const weightData = artifacts.weightData;
      const bytes = concatenate(
        weightData === undefined ? [] : Array.isArray(weightData) ? weightData : [weightData],
      );
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${weightsFile}`], weights: artifacts.weightSpecs ?? [] }],
      };
      const previous = await previousWeightFiles(directory, jsonName);
      await writeFileAtomic(join(directory, weightsFile), bytes);
      await writeFileAtomic(join(directory, jsonName), `${JSON.stringify(modelJson, null, 2)}\n`);
      await afterCommit(weightsFile, previous);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs).length,
          weightDataBytes: bytes.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      return (await readDirectoryArtifacts(directory, jsonName, options)).artifacts;
    },
  };
}

/**
 * The weight files (bare names in `directory`) that the current `jsonName` names, read before it is replaced, so
 * that a checkpoint save removes exactly the file it supersedes and nothing else. A missing or unreadable file
 * names none.
 */
async function previousWeightFiles(directory: string, jsonName: string): Promise<string[]> {
  try {
    const bytes = await readRegularFile(join(directory, jsonName), {
      maxBytes: MAX_MODEL_JSON_BYTES,
      what: jsonName,
    });
    const json = JSON.parse(new TextDecoder().decode(bytes)) as tf.io.ModelJSON;
    return (json.weightsManifest ?? [])
      .flatMap((group) => group.paths)
      .map((p) => (typeof p === 'string' ? p.replace(/^\.\//, '') : ''))
      .filter((name) => CHECKPOINT_WEIGHTS.test(name));
  } catch {
    return [];
  }
}

/** Saves a model to a directory (model.json + weights.bin, both written atomically). */
export function saveModelToDirectory(
  model: SavableModel,
  directory: string,
  options: SaveOptions = {},
): Promise<tf.io.SaveResult> {
  return saveModel(model, fileSystem(directory), options);
}

/**
 * Loads a model from a directory written by `saveModelToDirectory` or `vae train`. The folder is untrusted input:
 * see `LoadOptions` and SECURITY.md for what is checked. `{ as: VAE }` types the result as that class and refuses a
 * saved model of another class (see `loadModel`).
 */
export function loadModelFromDirectory<M>(
  directory: string,
  options: LoadOptions & { as: ModelClass<M> },
): Promise<M>;
export function loadModelFromDirectory(directory: string, options?: LoadOptions): Promise<SavedModel>;
export function loadModelFromDirectory(
  directory: string,
  options: LoadOptions & { as?: ModelClass<unknown> } = {},
): Promise<unknown> {
  return loadModel(fileSystem(directory, options), options as LoadOptions);
}

const CHECKPOINT_JSON = 'checkpoint.json';

/** The names `checkpointDirectory` gives its weight files; only files named so are ever removed by it. */
const CHECKPOINT_WEIGHTS = /^weights-[0-9a-z]{6,12}-[0-9a-f]{8}\.bin$/;

/**
 * A tfjs IO handler for a checkpoint directory: `checkpoint.json` plus a weights file with a fresh name per save.
 * The weights are written first, then `checkpoint.json` is replaced atomically (the commit), then the weights
 * file the previous `checkpoint.json` named is removed: a crash at any moment leaves the previous or the new
 * checkpoint, never a mix, and no other file in the directory is touched. Pass it to `fit` as
 * `checkpoint: { handler: checkpointDirectory(dir) }`.
 */
export function checkpointDirectory(directory: string, options: LoadOptions = {}): tf.io.IOHandler {
  return directoryHandler(
    directory,
    CHECKPOINT_JSON,
    () => `weights-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.bin`,
    options,
    async (current, previous) => {
      await Promise.all(
        previous.filter((name) => name !== current).map((name) => rm(join(directory, name), { force: true })),
      );
    },
  );
}

/**
 * Loads the checkpoint in `directory` (model and training state, for `fit`'s `resumeFrom`), or returns null when
 * the directory holds none yet, so that a run can resume when it can and start fresh otherwise.
 */
export async function loadCheckpointFromDirectory<M>(
  directory: string,
  options: LoadOptions & { as: ModelClass<M> },
): Promise<{ model: M; checkpoint: Checkpoint } | null>;
export async function loadCheckpointFromDirectory(
  directory: string,
  options?: LoadOptions,
): Promise<{ model: SavedModel; checkpoint: Checkpoint } | null>;
export async function loadCheckpointFromDirectory(
  directory: string,
  options: LoadOptions & { as?: ModelClass<unknown> } = {},
): Promise<{ model: unknown; checkpoint: Checkpoint } | null> {
  try {
    await lstat(join(directory, CHECKPOINT_JSON));
  } catch (error) {
    // no checkpoint yet; any other failure (a folder it may not read) is not "start afresh"
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(
      `loadCheckpointFromDirectory: cannot read ${join(directory, CHECKPOINT_JSON)} (${(error as Error).message}); ` +
        'fix its permissions, or pass another folder.',
      { cause: error },
    );
  }
  return loadCheckpoint(checkpointDirectory(directory, options), options as LoadOptions);
}

export type { LoadOptions } from './artifacts';

export {
  describedModel,
  loadModelFromPytorchFolder,
  loadModelFromSafetensorsFile,
  PYTORCH_CONFIG_FILE,
  SAFETENSORS_FILE,
  savePytorchFolder,
  saveSafetensorsFile,
} from './safetensors/node';
