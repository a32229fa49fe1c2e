import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { batchRanges, range } from '@vae/core';
import { writeFileAtomic } from '@vae/core/node';
import { type FloatDtype, modelToSafetensors } from '@vae/models';
import { saveModelToDirectory, savePytorchFolder } from '@vae/models/node';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError, EXIT } from '../errors';
import { prepareOutputFile, prepareOutputFolder, readJsonFile, writeOutputFile } from '../files';
import { CAPS, checkSize } from '../limits';
import { isProbabilistic, modelNameOf } from '../models';
import { datasetOf, labelsFor, loadSplit, loadTrainedModel, resolveModelDirectory } from '../shared';

/** tfjs: model.json + weights.bin (the demo); safetensors: one file; pytorch: model.safetensors + config.json. */
export type ExportFormat = 'tfjs' | 'safetensors' | 'pytorch';

export interface ExportOptions {
  out: string;
  format?: ExportFormat;
  /** Weights of the safetensors and pytorch formats. Default float32 (float16 with --float16). */
  dtype?: FloatDtype;
  float16?: boolean;
  codes?: number;
  backend: BackendChoice;
  dataDir?: string;
  download: boolean;
  quiet: boolean;
  force?: boolean;
  allowLarge?: boolean;
}

/**
 * `vae export <run> --out <dir>`: the files the demo page loads (apps/demo/src/assets.ts): `model.json` with one
 * `weights.bin` (float16 with --float16: tfjs dequantizes on load), `metrics.json` with the run's final test
 * metrics, and with --codes N `codes.json`: codes (and posterior standard deviations) of the first N test images
 * with their labels, rounded to 3 decimals. Nothing is copied from the model folder: the model is loaded by
 * @vae/models (which checks the folder: contained paths, regular files, sizes, checksums) and saved again by it.
 */
export async function exportModel(path: string, options: ExportOptions): Promise<number> {
  const format = options.format ?? 'tfjs';
  if (format !== 'tfjs') return exportSafetensors(path, options, format);
  if (options.dtype !== undefined) {
    throw new CliError(
      '--dtype sets the weights of --format safetensors or pytorch; for the tfjs format use --float16.',
      EXIT.usage,
    );
  }
  const source = resolveModelDirectory(path);
  for (const folder of [source.modelDirectory, source.runDirectory]) {
    if (folder && resolve(options.out) === resolve(folder)) {
      throw new CliError(
        `--out ${options.out} is the folder of the model it exports; export to another directory.`,
        EXIT.usage,
      );
    }
  }
  const out = await prepareOutputFolder(options.out, 'export', { force: options.force });
  await selectBackend(options.backend);
  const trained = await loadTrainedModel(path);
  const { model, runDirectory } = trained;
  const files: Array<[string, string]> = [];
  try {
    if (options.codes) {
      checkSize(
        options,
        `--codes ${options.codes} with ${model.latentDim} latent dimensions`,
        options.codes * model.latentDim,
        CAPS.codeValues,
        'code values',
      );
    }
    if (runDirectory) {
      try {
        const metrics = (await readJsonFile(join(runDirectory, 'metrics.json'), {
          what: 'the metrics.json of a `vae train` run',
        })) as {
          final?: unknown;
        };
        if (metrics?.final && typeof metrics.final === 'object') {
          files.push(['metrics.json', `${JSON.stringify({ final: metrics.final })}\n`]);
        }
      } catch {
        // a run without final metrics (interrupted): nothing to show
      }
    }
    if (options.codes) {
      const data = await loadSplit(datasetOf(trained), 'test', { ...options, limit: options.codes });
      files.push(['codes.json', `${JSON.stringify(await compactCodes(model, data))}\n`]);
    }
    // weights first, then model.json (the library's order), so a page never sees a model.json whose weights are
    // not there yet; then the rest
    await saveModelToDirectory(model, out, { float16: options.float16 });
  } finally {
    model.dispose();
  }
  for (const [name, contents] of files) await writeFileAtomic(join(out, name), contents);
  if (!options.quiet) {
    const names = ['weights.bin', 'model.json', ...files.map(([name]) => name)];
    const sizes = await Promise.all(
      names.map(async (name) => `${name} ${(await stat(join(out, name))).size} B`),
    );
    const note = isProbabilistic(model) ? '' : ` (a ${modelNameOf(model)}: the demo shows VAEs only)`;
    process.stderr.write(
      `wrote ${out}: ${sizes.join(', ')}${options.float16 ? ', float16 weights' : ''}${note}\n`,
    );
  }
  return EXIT.ok;
}

/**
 * `vae export <run> --format safetensors|pytorch`: the weights with PyTorch state_dict names and layouts
 * (@vae/models' `modelToSafetensors`: the class and config in the file's metadata), as one file (`safetensors`,
 * --out a file) or as the folder python/vae_torch reads (`pytorch`: model.safetensors + config.json).
 */
async function exportSafetensors(
  path: string,
  options: ExportOptions,
  format: ExportFormat,
): Promise<number> {
  if (options.codes !== undefined) {
    throw new CliError('--codes writes codes.json for the demo: it goes with --format tfjs.', EXIT.usage);
  }
  if (options.float16 && options.dtype !== undefined && options.dtype !== 'float16') {
    throw new CliError(`--float16 and --dtype ${options.dtype} disagree; pass one of them.`, EXIT.usage);
  }
  const dtype: FloatDtype = options.dtype ?? (options.float16 ? 'float16' : 'float32');
  const source = resolveModelDirectory(path);
  for (const folder of [source.modelDirectory, source.runDirectory]) {
    if (folder && resolve(options.out) === resolve(folder)) {
      throw new CliError(
        `--out ${options.out} is the folder of the model it exports; export to another ${format === 'pytorch' ? 'directory' : 'file'}.`,
        EXIT.usage,
      );
    }
  }
  const target =
    format === 'pytorch'
      ? await prepareOutputFolder(options.out, 'export', { force: options.force })
      : await prepareOutputFile(options.out, 'safetensors', { force: options.force });
  await selectBackend(options.backend);
  const { model } = await loadTrainedModel(path);
  try {
    try {
      if (format === 'pytorch') await savePytorchFolder(model, target, { dtype });
      else await writeOutputFile(target, await modelToSafetensors(model, { dtype }), 'safetensors', options);
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`cannot export ${path} as ${format}: ${(error as Error).message}`);
    }
  } finally {
    model.dispose();
  }
  if (!options.quiet) {
    const what = format === 'pytorch' ? `${target}: model.safetensors, config.json` : target;
    process.stderr.write(
      `wrote ${what} (${dtype} weights with PyTorch state_dict names; python/vae_torch loads it: ` +
        `load_folder / model_from_safetensors)\n`,
    );
  }
  return EXIT.ok;
}

/** Labels, row-major codes and (VAEs) posterior standard deviations, rounded to 3 decimals. */
async function compactCodes(
  model: Awaited<ReturnType<typeof loadTrainedModel>>['model'],
  data: Awaited<ReturnType<typeof loadSplit>>,
) {
  const d = model.latentDim;
  const means = new Float32Array(data.size * d);
  const sigmas = isProbabilistic(model) ? new Float32Array(data.size * d) : undefined;
  for (const [start, end] of batchRanges(data.size, 1000)) {
    const indices = range(start, end);
    const [mean, sigma] = tf.tidy(() => {
      const x = data.batch(indices);
      if (isProbabilistic(model)) {
        const posterior = model.encode(x, labelsFor(model, data, indices));
        return [posterior.mean, tf.exp(tf.mul(0.5, posterior.logVar))];
      }
      return [(model as { encode(x: tf.Tensor): tf.Tensor2D }).encode(x)];
    });
    means.set(await mean.data(), start * d);
    if (sigma && sigmas) sigmas.set(await sigma.data(), start * d);
    tf.dispose([mean, ...(sigma ? [sigma] : [])]);
  }
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    latentDim: d,
    count: data.size,
    labels: data.labels ? Array.from(data.labels).slice(0, data.size) : [],
    means: Array.from(means, round),
    ...(sigmas ? { sigmas: Array.from(sigmas, round) } : {}),
  };
}
