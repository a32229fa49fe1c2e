import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '@vae/core/node';
import type { AnyModel } from '@vae/models';
import {
  loadModelFromPytorchFolder,
  loadModelFromSafetensorsFile,
  saveModelToDirectory,
} from '@vae/models/node';
import { type BackendChoice, selectBackend } from '../backend';
import { CLI_DATASETS } from '../choices';
import { CliError, EXIT } from '../errors';
import { testTerms } from '../evaluation';
import { prepareOutputFolder, readJsonFile, tagPng } from '../files';
import { isProbabilistic, modelNameOf } from '../models';
import { buildReport, type EpochEntry } from '../report';
import { datasetShape, datasetTitle, loadSplit } from '../shared';

export interface ImportOptions {
  out: string;
  dataset?: string;
  testLimit?: number;
  seed: number;
  backend: BackendChoice;
  dataDir?: string;
  download: boolean;
  force?: boolean;
  json?: boolean;
  quiet: boolean;
}

/** Epochs of a metrics.json at most (more is not a training history this CLI wrote or reads). */
const MAX_EPOCHS = 100_000;

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A small JSON file of the source folder when it is there; undefined when it is missing. */
async function optionalJson(path: string, what: string): Promise<unknown> {
  try {
    await stat(path);
  } catch {
    return undefined;
  }
  return readJsonFile(path, { what });
}

/**
 * The epochs of python/vae_torch's metrics.json (`{ epochs: [{ epoch, train: {total, reconstruction, kl, ...},
 * test: {...}, seconds, imagesPerSecond }] }`) as the CLI's metrics.json entries. Untrusted: every field is
 * checked (finite numbers, increasing epochs, a bounded count); anything else is refused naming the file.
 */
export function pytorchEpochs(json: unknown, path: string, probabilistic: boolean): EpochEntry[] {
  const bad = (why: string): never => {
    throw new CliError(
      `${path} is not a metrics.json of python/vae_torch (${why}); remove it to import the model without its ` +
        'training history.',
    );
  };
  if (!isRecord(json) || !Array.isArray(json.epochs)) bad('no list of epochs');
  const epochs = (json as { epochs: unknown[] }).epochs;
  if (epochs.length > MAX_EPOCHS) bad(`${epochs.length} epochs`);
  const number = (value: unknown, where: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) bad(`${where} is not a finite number`);
    return value as number;
  };
  const terms = (value: unknown, where: string): Record<string, number> => {
    if (!isRecord(value)) bad(`${where} is not an object of loss terms`);
    const t = value as Record<string, unknown>;
    const out: Record<string, number> = {
      loss: round(number(t.total, `${where}.total`)),
      reconstruction: round(number(t.reconstruction, `${where}.reconstruction`)),
    };
    if (probabilistic) out.kl = round(number(t.kl, `${where}.kl`));
    else out.regularizer = round(number(t.regularizer ?? 0, `${where}.regularizer`));
    return out;
  };
  let previous = 0;
  return epochs.map((entry, i) => {
    const where = `epochs[${i}]`;
    if (!isRecord(entry)) bad(`${where} is not an object`);
    const e = entry as Record<string, unknown>;
    const epoch = number(e.epoch, `${where}.epoch`);
    if (!Number.isInteger(epoch) || epoch <= previous)
      bad(`${where}.epoch ${epoch} does not follow ${previous}`);
    previous = epoch;
    const train = terms(e.train, `${where}.train`);
    const test = terms(e.test, `${where}.test`);
    return {
      epoch,
      trainLoss: train.loss,
      testLoss: test.loss,
      train,
      test,
      seconds: round(Math.max(0, number(e.seconds ?? 0, `${where}.seconds`)), 2),
      imagesPerSecond: Math.round(Math.max(0, number(e.imagesPerSecond ?? 0, `${where}.imagesPerSecond`))),
    };
  });
}

/**
 * `vae import <folder> --out <run>`: a model trained in PyTorch (python/vae_torch's folder: model.safetensors +
 * config.json, with its metrics.json; or one .safetensors file whose metadata describes the model) as a normal run
 * folder: model/ (model.json + weights.bin), config.json, metrics.json (PyTorch's epochs, and the test terms
 * computed here), the figures and report.html: what `vae eval`, `vae sample`, `vae report`, `vae export` and the
 * demo load. Every file is untrusted: @vae/models checks the safetensors file against its config (names, shapes,
 * dtypes, finite values, sizes) and this command the metrics.
 */
export async function importModel(path: string, options: ImportOptions): Promise<number> {
  const source = resolve(path);
  let isFolder: boolean;
  try {
    const stats = await stat(source);
    if (!stats.isDirectory() && !stats.isFile()) throw new Error('not a file or folder');
    isFolder = stats.isDirectory();
  } catch {
    throw new CliError(
      `${path} is not a folder or file to import; pass the folder python/vae_torch wrote (model.safetensors + ` +
        'config.json) or a .safetensors file.',
    );
  }
  if (resolve(options.out) === source) {
    throw new CliError(
      `--out ${options.out} is the folder being imported; import into another folder.`,
      EXIT.usage,
    );
  }
  const described = isFolder ? await optionalJson(join(source, 'config.json'), 'the config') : undefined;
  const training = isRecord(described) && isRecord(described.training) ? described.training : undefined;
  const dataset =
    options.dataset ??
    (typeof training?.dataset === 'string' && (CLI_DATASETS as readonly string[]).includes(training.dataset)
      ? training.dataset
      : 'mnist');
  const out = await prepareOutputFolder(options.out, 'import', { force: options.force });
  const backend = await selectBackend(options.backend);
  let model: AnyModel;
  try {
    model = isFolder ? await loadModelFromPytorchFolder(source) : await loadModelFromSafetensorsFile(source);
  } catch (error) {
    throw new CliError(`could not import ${path}: ${(error as Error).message}`);
  }
  try {
    const probabilistic = isProbabilistic(model);
    const metricsPath = join(source, 'metrics.json');
    const pytorchMetrics = isFolder ? await optionalJson(metricsPath, 'the metrics') : undefined;
    const epochs =
      pytorchMetrics === undefined ? [] : pytorchEpochs(pytorchMetrics, metricsPath, probabilistic);
    const shape = datasetShape(dataset).itemShape;
    const inputShape = (model.config as { inputShape: number[] }).inputShape;
    if (shape.join() !== inputShape.join()) {
      throw new CliError(
        `the model takes inputs of shape [${inputShape}] but ${datasetTitle(dataset)} has [${shape}]; pass the ` +
          'data set it was trained on with --dataset.',
        EXIT.usage,
      );
    }
    const testData = await loadSplit(dataset, 'test', { ...options, limit: options.testLimit });
    await saveModelToDirectory(model, join(out, 'model'));
    const final = await testTerms(model, testData, options.seed);
    const resolved = {
      command: 'import',
      source: path,
      options: {
        dataset,
        ...(options.testLimit !== undefined ? { testLimit: options.testLimit } : {}),
        seed: options.seed,
      },
      model: modelNameOf(model),
      modelClass: model.className,
      modelConfig: model.config,
      dataset,
      testExamples: testData.size,
      seed: options.seed,
      backend,
      trainedWith: training ?? null,
      versions: { tfjs: tf.version_core },
    };
    await writeFileAtomic(join(out, 'config.json'), `${JSON.stringify(resolved, null, 2)}\n`);
    const metrics = {
      epochs,
      final: {
        model: modelNameOf(model),
        testLoss: round(final.loss),
        testReconstruction: round(final.reconstruction),
        ...(final.kl !== undefined
          ? { testKl: round(final.kl) }
          : { testRegularizer: round(final.regularizer ?? 0) }),
        trainLoss: epochs.length ? epochs[epochs.length - 1].trainLoss : null,
        epochsCompleted: epochs.length,
        interrupted: false,
        importedFrom: path,
      },
    };
    await writeFileAtomic(
      join(out, 'metrics.json'),
      `${JSON.stringify({ model: modelNameOf(model), ...metrics }, null, 2)}\n`,
    );
    const files = await buildReport(model, testData, metrics, resolved, { seed: options.seed, dataset });
    for (const [name, contents] of Object.entries(files)) {
      const bytes =
        name.endsWith('.png') && typeof contents !== 'string' ? tagPng(contents, 'import') : contents;
      await writeFileAtomic(join(out, name), bytes);
    }
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ out, ...metrics.final }, null, 2)}\n`);
    } else if (!options.quiet) {
      const terms =
        final.kl !== undefined
          ? `reconstruction ${final.reconstruction.toFixed(2)}, KL ${final.kl.toFixed(2)}`
          : `reconstruction ${final.reconstruction.toFixed(2)}, regularizer ${(final.regularizer ?? 0).toFixed(4)}`;
      process.stderr.write(
        `imported a ${modelNameOf(model)} (${epochs.length} epochs of history): test loss ` +
          `${final.loss.toFixed(2)} per image (${terms}) on ${testData.size} ${datasetTitle(dataset)} test images\n` +
          `wrote ${out}: model/, config.json, metrics.json, report.html, figures\n`,
      );
    }
  } finally {
    model.dispose();
  }
  return EXIT.ok;
}
