import * as tf from '@tensorflow/tfjs-core';
import {
  evaluateElbo,
  importanceSampledLogLikelihood,
  latentHealth,
  reconstructionError,
} from '@vae/metrics';
import { type BackendChoice, selectBackend } from '../backend';
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
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/** `vae eval`: the numbers people publish for a trained VAE. */
export async function evaluate(options: EvaluateOptions): Promise<number> {
  const backend = await selectBackend(options.backend);
  const trained = await loadTrainedModel(options.model);
  const { model } = trained;
  const dataset = options.dataset ?? datasetOf(trained);
  const data = await loadSplit(dataset, options.split, { ...options, limit: options.limit });
  const elbo = await evaluateElbo(model, data, { seed: options.seed });
  const likelihood = await importanceSampledLogLikelihood(model, data, {
    samples: options.k,
    seed: options.seed,
  });
  const health = await latentHealth(model, data);
  const reconstruction = await reconstructionError((x) => model.reconstruct(x), data);
  model.dispose();
  const result = {
    dataset,
    split: options.split,
    examples: data.size,
    backend,
    negativeElbo: round(elbo.loss),
    reconstruction: round(elbo.reconstruction),
    kl: round(elbo.kl),
    logLikelihood: round(likelihood.logLikelihood),
    logLikelihoodStandardError: round(likelihood.standardError, 4),
    importanceSamples: options.k,
    activeUnits: health.activeUnits,
    latentDim: model.latentDim,
    collapsedDimensions: health.collapsedDimensions,
    reconstructionBcePerImage: round(reconstruction.binaryCrossEntropyPerImage),
    reconstructionMsePerPixel: round(reconstruction.squaredErrorPerPixel, 5),
    warnings: health.warnings,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const rows: Array<[string, string]> = [
      ['data', `${dataset}/${options.split}, ${data.size} images`],
      ['negative ELBO (nats/image)', result.negativeElbo.toFixed(2)],
      ['  reconstruction', result.reconstruction.toFixed(2)],
      ['  KL', result.kl.toFixed(2)],
      [
        `log p(x), ${options.k} importance samples`,
        `${result.logLikelihood.toFixed(2)} +- ${result.logLikelihoodStandardError.toFixed(2)}`,
      ],
      ['active units', `${result.activeUnits} of ${result.latentDim}`],
      ['reconstruction BCE (nats/image, at the mean)', result.reconstructionBcePerImage.toFixed(2)],
      ['reconstruction MSE (per pixel)', result.reconstructionMsePerPixel.toFixed(5)],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    process.stdout.write(`${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`);
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  }
  if (tf.memory().numTensors > 100) process.stderr.write('warning: tensors were left alive\n');
  return 0;
}
