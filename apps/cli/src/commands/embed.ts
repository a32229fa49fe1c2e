import * as tf from '@tensorflow/tfjs-core';
import { batchRanges, range } from '@vae/core';
import { type BackendChoice, selectBackend } from '../backend';
import { prepareOutputFile, writeOutputFile } from '../files';
import { CAPS, checkSize } from '../limits';
import { isProbabilistic } from '../models';
import { datasetOf, labelsFor, loadSplit, loadTrainedModel } from '../shared';

export interface EmbedOptions {
  model: string;
  dataset?: string;
  split: 'train' | 'test';
  limit?: number;
  format?: 'csv' | 'json';
  out: string;
  backend: BackendChoice;
  dataDir?: string;
  download: boolean;
  quiet: boolean;
  force?: boolean;
  allowLarge?: boolean;
}

/**
 * `vae embed`: posterior means (and log-variances) of a data set, with labels, as CSV or JSON; the codes of a
 * deterministic autoencoder (no log-variances).
 */
export async function embed(options: EmbedOptions): Promise<number> {
  const format = options.format ?? (options.out.endsWith('.json') ? 'json' : 'csv');
  const out = await prepareOutputFile(options.out, format, options);
  await selectBackend(options.backend);
  const trained = await loadTrainedModel(options.model);
  const { model } = trained;
  const data = await loadSplit(options.dataset ?? datasetOf(trained), options.split, options);
  try {
    checkSize(
      options,
      `${data.size} images with ${model.latentDim} latent dimensions`,
      data.size * model.latentDim,
      CAPS.codeValues,
      'code values (pass --limit for fewer images)',
    );
  } catch (error) {
    model.dispose();
    throw error;
  }
  const means = new Float32Array(data.size * model.latentDim);
  const probabilistic = isProbabilistic(model);
  const logVars = probabilistic ? new Float32Array(data.size * model.latentDim) : undefined;
  for (const [start, end] of batchRanges(data.size, 1000)) {
    const indices = range(start, end);
    const { mean, logVar } = tf.tidy(() => {
      const x = data.batch(indices);
      if (isProbabilistic(model)) return model.encode(x, labelsFor(model, data, indices));
      return { mean: (model as { encode(x: tf.Tensor): tf.Tensor2D }).encode(x), logVar: undefined };
    });
    means.set(await mean.data(), start * model.latentDim);
    if (logVar && logVars) logVars.set(await logVar.data(), start * model.latentDim);
    tf.dispose([mean, ...(logVar ? [logVar] : [])]);
  }
  model.dispose();
  const d = model.latentDim;
  const row = (values: Float32Array, i: number) => Array.from(values.subarray(i * d, (i + 1) * d));
  let text: string;
  if (format === 'json') {
    const records = Array.from({ length: data.size }, (_, i) => ({
      index: i,
      label: data.labels?.[i] ?? null,
      mean: row(means, i),
      ...(logVars ? { logVar: row(logVars, i) } : {}),
    }));
    text = `${JSON.stringify({ latentDim: d, examples: data.size, probabilistic, records })}\n`;
  } else {
    const header = ['index', 'label', ...Array.from({ length: d }, (_, j) => `z${j}`)].join(',');
    const lines = Array.from({ length: data.size }, (_, i) =>
      [String(i), String(data.labels?.[i] ?? ''), ...row(means, i).map((v) => v.toPrecision(6))].join(','),
    );
    text = `${header}\n${lines.join('\n')}\n`;
  }
  await writeOutputFile(out, text, format, options);
  if (!options.quiet)
    process.stderr.write(`wrote ${out} (${data.size} codes of dimension ${d}, ${format})\n`);
  return 0;
}
