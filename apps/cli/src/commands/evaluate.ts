import * as tf from '@tensorflow/tfjs-core';
import {
  evaluateElbo,
  importanceSampledLogLikelihood,
  latentHealth,
  reconstructionError,
} from '@vae/metrics';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError, EXIT } from '../errors';
import { interruptOnSignals } from '../interrupt';
import { CAPS, checkSize } from '../limits';
import { isProbabilistic, modelNameOf } from '../models';
import { datasetOf, loadSplit, loadTrainedModel } from '../shared';

export interface EvaluateOptions {
  model: string;
  dataset?: string;
  split: 'train' | 'test';
  limit?: number;
  k: number;
  seed: number;
  backend: BackendChoice;
  dataDir?: string;
  download: boolean;
  json: boolean;
  allowLarge?: boolean;
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Progress and Ctrl-C for a long metric (log p(x) with k = 5000 on 10,000 images is tens of minutes): on a terminal
 * a line on stderr with the share done and the time left; Ctrl-C (or SIGTERM) stops it at the next chunk of samples
 * and `vae eval` exits with 130.
 */
function longRun(what: string) {
  const interrupt = interruptOnSignals({
    reason: () => new CliError(`interrupted: ${what} was not finished.`, EXIT.interrupted),
  });
  const stream = process.stderr;
  const started = performance.now();
  interrupt.signal.addEventListener('abort', () => stream.isTTY && stream.write('\n'));
  return {
    signal: interrupt.signal,
    onProgress: ({ done, total }: { done: number; total: number }) => {
      if (done >= total) {
        interrupt.dispose();
        if (stream.isTTY) stream.write('\r\x1b[K');
        return;
      }
      if (!stream.isTTY) return;
      const seconds = (performance.now() - started) / 1000;
      const left = done > 0 ? Math.round((seconds * (total - done)) / done) : 0;
      stream.write(
        `\r${what}: ${((100 * done) / total).toFixed(1)} %, about ${left} s left (Ctrl-C stops)\x1b[K`,
      );
    },
  };
}

/**
 * `vae eval`: the numbers people publish for a trained model. VAEs: test ELBO and its terms, importance-sampled
 * log p(x), active units. Deterministic autoencoders: the training objective and the reconstruction error.
 */
export async function evaluate(options: EvaluateOptions): Promise<number> {
  const backend = await selectBackend(options.backend);
  const trained = await loadTrainedModel(options.model);
  const { model } = trained;
  try {
    const dataset = options.dataset ?? datasetOf(trained);
    const data = await loadSplit(dataset, options.split, { ...options, limit: options.limit });
    if (isProbabilistic(model)) {
      checkSize(
        options,
        `--k ${options.k} on ${data.size} images`,
        options.k * data.size,
        CAPS.decodes,
        'decodes (pass --limit for fewer images)',
      );
    }
    // Conditional models get each batch's labels from the data set (the function's second argument).
    const reconstruction = await reconstructionError((x, labels) => model.reconstruct(x, labels), data);
    const common = {
      model: modelNameOf(model),
      dataset,
      split: options.split,
      examples: data.size,
      backend,
      latentDim: model.latentDim,
      reconstructionBcePerImage: round(reconstruction.binaryCrossEntropyPerImage),
      reconstructionMsePerPixel: round(reconstruction.squaredErrorPerPixel, 5),
    };
    let result: Record<string, unknown>;
    let rows: Array<[string, string]>;
    if (isProbabilistic(model)) {
      // The metrics take a conditional model's labels from the data set themselves.
      const elbo = await evaluateElbo(model, data, { seed: options.seed });
      const likelihood = await importanceSampledLogLikelihood(model, data, {
        importanceSamples: options.k,
        seed: options.seed,
        ...longRun('log p(x)'),
      });
      const health = await latentHealth(model, data);
      const conditional = model.usesLabels ? ' | y' : '';
      result = {
        ...common,
        negativeElbo: round(elbo.total),
        reconstruction: round(elbo.reconstruction),
        kl: round(elbo.kl),
        logLikelihood: round(likelihood.logLikelihood),
        logLikelihoodStandardError: round(likelihood.standardError, 4),
        importanceSamples: options.k,
        activeUnits: health.activeUnits,
        collapsedDimensions: health.collapsedDimensions,
        warnings: health.warnings,
      };
      rows = [
        ['model', `${common.model}, latent dimension ${model.latentDim}`],
        ['data', `${dataset}/${options.split}, ${data.size} images`],
        ['negative ELBO (nats/image)', elbo.total.toFixed(2)],
        ['  reconstruction', elbo.reconstruction.toFixed(2)],
        ['  KL', elbo.kl.toFixed(2)],
        [
          `log p(x${conditional}), ${options.k} importance samples`,
          `${likelihood.logLikelihood.toFixed(2)} +- ${likelihood.standardError.toFixed(2)}`,
        ],
        ['active units', `${health.activeUnits} of ${model.latentDim}`],
      ];
    } else {
      const evaluated = await model.evaluate(data, { seed: options.seed });
      const terms = { ...evaluated, regularizer: evaluated.regularizer ?? 0 };
      result = {
        ...common,
        loss: round(terms.total),
        reconstruction: round(terms.reconstruction),
        regularizer: round(terms.regularizer, 5),
        warnings: [],
      };
      const unit = (model.config as { data?: string }).data === 'real' ? 'squared error/image' : 'nats/image';
      rows = [
        ['model', `${common.model} (deterministic: no ELBO), code size ${model.latentDim}`],
        ['data', `${dataset}/${options.split}, ${data.size} images`],
        [`training loss (${unit})`, terms.total.toFixed(2)],
        ['  reconstruction', terms.reconstruction.toFixed(2)],
        ['  regularizer', terms.regularizer.toFixed(4)],
      ];
    }
    rows.push(
      ['reconstruction BCE (nats/image, at the code)', common.reconstructionBcePerImage.toFixed(2)],
      ['reconstruction MSE (per pixel)', common.reconstructionMsePerPixel.toFixed(5)],
    );
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const width = Math.max(...rows.map(([label]) => label.length));
      process.stdout.write(
        `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`,
      );
      for (const warning of result.warnings as string[]) process.stderr.write(`warning: ${warning}\n`);
    }
  } finally {
    model.dispose();
  }
  if (tf.memory().numTensors > 100) process.stderr.write('warning: tensors were left alive\n');
  return 0;
}
