import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { batchRanges, range } from '@vae/core';
import { writeFileAtomic } from '@vae/core/node';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError } from '../errors';
import { quantizeFloat16 } from '../float16';
import { isProbabilistic, modelNameOf } from '../models';
import { datasetOf, labelsFor, loadSplit, loadTrainedModel, prepareOutput } from '../shared';

export interface ExportOptions {
  out: string;
  float16?: boolean;
  codes?: number;
  backend: BackendChoice;
  dataDir?: string;
  download: boolean;
  quiet: boolean;
}

interface ModelJson {
  weightsManifest: Array<{
    paths: string[];
    weights: Array<{ name: string; shape: number[]; dtype: string }>;
  }>;
  [key: string]: unknown;
}

/**
 * `vae export <run> --out <dir>`: the files the demo page loads (apps/demo/src/assets.ts): `model.json` with one
 * `weights.bin` (float16 with --float16: tfjs dequantizes on load), `metrics.json` with the run's final test
 * metrics, and with --codes N `codes.json`: codes (and posterior standard deviations) of the first N test images
 * with their labels, rounded to 3 decimals.
 */
export async function exportModel(path: string, options: ExportOptions): Promise<number> {
  await selectBackend(options.backend);
  const trained = await loadTrainedModel(path);
  const { modelDirectory, runDirectory } = trained;
  const out = await prepareOutput(options.out);
  if (out === resolve(modelDirectory)) {
    trained.model.dispose();
    throw new CliError(`--out ${options.out} is the model's own folder; export to another directory.`);
  }
  const files: Array<[string, string | Uint8Array]> = [];
  try {
    const json = JSON.parse(await readFile(join(modelDirectory, 'model.json'), 'utf8')) as ModelJson;
    const parts = await Promise.all(
      json.weightsManifest.flatMap((group) => group.paths).map((p) => readFile(join(modelDirectory, p))),
    );
    let weights: Uint8Array = new Uint8Array(Buffer.concat(parts));
    const specs = json.weightsManifest.flatMap((group) => group.weights);
    if (options.float16) {
      try {
        weights = quantizeFloat16(weights, specs);
      } catch (error) {
        throw new CliError(`cannot convert ${modelDirectory} to float16: ${(error as Error).message}`);
      }
    }
    json.weightsManifest = [{ paths: ['./weights.bin'], weights: specs }];
    files.push(['weights.bin', weights], ['model.json', JSON.stringify(json)]);

    if (runDirectory) {
      try {
        const { final } = JSON.parse(await readFile(join(runDirectory, 'metrics.json'), 'utf8'));
        if (final) files.push(['metrics.json', `${JSON.stringify({ final })}\n`]);
      } catch {
        // a run without final metrics (interrupted): nothing to show
      }
    }
    if (options.codes) {
      const data = await loadSplit(datasetOf(trained), 'test', { ...options, limit: options.codes });
      files.push(['codes.json', `${JSON.stringify(await compactCodes(trained.model, data))}\n`]);
    }
  } finally {
    trained.model.dispose();
  }
  // weights first, so a page never sees a model.json whose weights are not there yet
  for (const [name, contents] of files) await writeFileAtomic(join(out, name), contents);
  if (!options.quiet) {
    const sizes = await Promise.all(
      files.map(async ([name]) => `${name} ${(await stat(join(out, name))).size} B`),
    );
    const note = isProbabilistic(trained.model)
      ? ''
      : ` (a ${modelNameOf(trained.model)}: the demo shows VAEs only)`;
    process.stderr.write(
      `wrote ${out}: ${sizes.join(', ')}${options.float16 ? ', float16 weights' : ''}${note}\n`,
    );
  }
  return 0;
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
