/** Saving and loading models as files in Node. Import from `@vae/models/node`. */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '@vae/core/node';
import { loadCheckpoint, loadModel, saveModel } from './io';
import type { SavableModel } from './registry';
import type { Checkpoint } from './training/checkpoint';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/**
 * A tfjs IO handler for a directory: `model.json` (tfjs layout) and `weights.bin`. Both files are written
 * atomically, weights first, so an interrupted save never leaves a model.json pointing at missing weights.
 */
export function fileSystem(directory: string): tf.io.IOHandler {
  return directoryHandler(
    directory,
    MODEL_JSON,
    () => WEIGHTS_BIN,
    async () => {},
  );
}

function directoryHandler(
  directory: string,
  jsonName: string,
  weightsName: () => string,
  afterCommit: (weightsFile: string) => Promise<void>,
): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weightsFile = weightsName();
      const weightData = artifacts.weightData;
      const buffers = weightData === undefined ? [] : Array.isArray(weightData) ? weightData : [weightData];
      const bytes = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
      let offset = 0;
      for (const buffer of buffers) {
        bytes.set(new Uint8Array(buffer), offset);
        offset += buffer.byteLength;
      }
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${weightsFile}`], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileAtomic(join(directory, weightsFile), bytes);
      await writeFileAtomic(join(directory, jsonName), `${JSON.stringify(modelJson, null, 2)}\n`);
      await afterCommit(weightsFile);
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
      const path = join(directory, jsonName);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        throw new Error(`no saved model at ${path}; pass the directory that holds ${jsonName}.`);
      }
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new Error(`${path} is not valid JSON (${(error as Error).message}); save the model again.`);
      }
      const manifest = json.weightsManifest ?? [];
      const weightSpecs = manifest.flatMap((group) => group.weights);
      const parts = await Promise.all(
        manifest.flatMap((group) => group.paths).map((p) => readFile(join(directory, p))),
      );
      const weightData = new Uint8Array(parts.reduce((n, b) => n + b.byteLength, 0));
      let offset = 0;
      for (const part of parts) {
        weightData.set(part, offset);
        offset += part.byteLength;
      }
      const bytesPer = (spec: tf.io.WeightsManifestEntry) =>
        spec.quantization ? (spec.quantization.dtype === 'uint8' ? 1 : 2) : spec.dtype === 'bool' ? 1 : 4;
      const expected = weightSpecs.reduce((n, s) => n + bytesPer(s) * s.shape.reduce((a, b) => a * b, 1), 0);
      if (weightData.byteLength !== expected) {
        throw new Error(
          `the weights in ${directory} have ${weightData.byteLength} bytes but model.json describes ${expected}; ` +
            'the files are incomplete or from different saves. Save the model again.',
        );
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        weightSpecs,
        weightData: weightData.buffer,
      };
    },
  };
}

/** Saves a model to a directory (model.json + weights.bin). */
export function saveModelToDirectory(model: SavableModel, directory: string): Promise<tf.io.SaveResult> {
  return saveModel(model, fileSystem(directory));
}

/** Loads a model from a directory written by `saveModelToDirectory` or `vae train`. */
export function loadModelFromDirectory(directory: string): Promise<SavableModel> {
  return loadModel(fileSystem(directory));
}

const CHECKPOINT_JSON = 'checkpoint.json';

/**
 * A tfjs IO handler for a checkpoint directory: `checkpoint.json` plus a weights file with a fresh name per save.
 * The weights are written first, then `checkpoint.json` is replaced atomically (the commit), then older weights
 * files are removed: a crash at any moment leaves the previous or the new checkpoint, never a mix. Pass it to
 * `fit` as `checkpoint: { handler: checkpointDirectory(dir) }`.
 */
export function checkpointDirectory(directory: string): tf.io.IOHandler {
  return directoryHandler(
    directory,
    CHECKPOINT_JSON,
    () => `weights-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.bin`,
    async (current) => {
      const names = await readdir(directory);
      await Promise.all(
        names
          .filter((name) => /^weights-.*\.bin$/.test(name) && name !== current)
          .map((name) => rm(join(directory, name), { force: true })),
      );
    },
  );
}

/**
 * Loads the checkpoint in `directory` (model and training state, for `fit`'s `resumeFrom`), or returns null when
 * the directory holds none yet, so that a run can resume when it can and start fresh otherwise.
 */
export async function loadCheckpointFromDirectory(
  directory: string,
): Promise<{ model: SavableModel; checkpoint: Checkpoint } | null> {
  try {
    await readFile(join(directory, CHECKPOINT_JSON));
  } catch {
    return null;
  }
  return loadCheckpoint(checkpointDirectory(directory));
}
