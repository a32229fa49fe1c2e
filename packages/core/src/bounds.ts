/**
 * Lower bounds on log p(x), in nats: the evidence lower bound (ELBO) and the importance-weighted bound of
 * Burda et al. 2016 (IWAE), plus the loss terms a training step reports.
 *
 * `log p(x) >= IWAE_k >= IWAE_1 = ELBO` in expectation, and IWAE_k increases with k towards log p(x).
 */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import { repeatLabels } from './batches';
import { DiagonalGaussian, standardNormalLogDensity } from './distributions';
import type { ElboTerms, Labels, ProbabilisticAutoencoder } from './interfaces';
import { logMeanExp } from './log-space';
import { type KlSchedule, klPenalty } from './schedules';
import {
  assertFiniteNumber,
  assertSameShape,
  checkReduction,
  type Reduction,
  reduceBatch,
} from './validation';

function checkTerms(caller: string, terms: ElboTerms): void {
  assertSameShape(caller, 'terms.reconstruction', terms.reconstruction, 'terms.kl', terms.kl);
  if (terms.kl.rank !== 1) {
    throw new Error(`${caller}: terms.kl must be per example, shape [batch], got [${terms.kl.shape}].`);
  }
}

/**
 * The ELBO per example, `E_q[log p(x|z)] - KL(q(z|x) || p(z)) = -(reconstruction + kl)`, from the per-example
 * negative log-likelihood `reconstruction` and `kl` (both [batch], nats). 'none' (default) gives [batch];
 * 'mean' and 'sum' a scalar.
 */
export function evidenceLowerBound(terms: ElboTerms, options: { reduction?: Reduction } = {}): tf.Tensor {
  checkTerms('evidenceLowerBound', terms);
  return tf.tidy(() =>
    reduceBatch(
      tf.neg(tf.add(terms.reconstruction, terms.kl)),
      options.reduction ?? 'none',
      'evidenceLowerBound',
    ),
  );
}

export interface LossTermsOptions {
  /**
   * The KL weight: a number (beta; default 1, the negative ELBO) or a schedule evaluated at `step`. A capacity
   * schedule gives `gamma * |KL - C|` on the batch-reduced KL (per example with 'none').
   */
  klWeight?: number | KlSchedule;
  /** Training step for a schedule (0-based). Required with a schedule. */
  step?: number;
  /** 'mean' (default) or 'sum' over the batch give scalars; 'none' keeps [batch]. */
  reduction?: Reduction;
}

/** The named loss terms of one batch as tensors (see `LossTerms` for their meaning). */
export interface LossTermTensors {
  reconstruction: tf.Tensor;
  kl: tf.Tensor;
  weightedKl: tf.Tensor;
  total: tf.Tensor;
}

/**
 * Turns per-example ELBO terms into the loss terms every training step reports (nats; 'mean' over the batch by
 * default): `reconstruction`, `kl`, `weightedKl` (beta * kl, or the scheduled penalty) and
 * `total = reconstruction + weightedKl` (the negative ELBO when the weight is 1). Minimize `total`.
 */
export function lossTerms(terms: ElboTerms, options: LossTermsOptions = {}): LossTermTensors {
  const caller = 'lossTerms';
  checkTerms(caller, terms);
  const reduction = checkReduction(options.reduction ?? 'mean', caller);
  const weight = options.klWeight ?? 1;
  if (typeof weight === 'number') {
    assertFiniteNumber(caller, 'klWeight', weight);
  } else if (options.step === undefined) {
    throw new Error(
      `${caller}: step is required with a '${weight.kind}' schedule; pass the 0-based training step.`,
    );
  }
  return tf.tidy(() => {
    const reconstruction = reduceBatch(terms.reconstruction, reduction, caller);
    const kl = reduceBatch(terms.kl, reduction, caller);
    let weightedKl: tf.Tensor;
    if (typeof weight === 'number') {
      weightedKl = tf.mul(kl, weight);
    } else if (weight.kind === 'capacity' && reduction === 'sum') {
      // gamma |mean KL - C|, scaled to the batch like the summed reconstruction term.
      weightedKl = tf.mul(klPenalty(tf.mean(terms.kl), weight, options.step as number), terms.kl.shape[0]);
    } else {
      weightedKl = klPenalty(kl, weight, options.step as number);
    }
    return { reconstruction, kl, weightedKl, total: tf.add(reconstruction, weightedKl) };
  });
}

/** Log importance weights of k samples z_i ~ q(z|x), each [k, batch] (nats). */
export interface LogWeightTerms {
  /** log p(x | z_i). */
  logLikelihood: tf.Tensor;
  /** log p(z_i), e.g. `standardNormalLogDensity(z, { eventRank: 1 })`. */
  logPrior: tf.Tensor;
  /** log q(z_i | x), e.g. `posterior.logProb(z)`. */
  logPosterior: tf.Tensor;
}

/** `log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x)`, shape [k, batch] (nats). All three must have one shape. */
export function logImportanceWeights(terms: LogWeightTerms): tf.Tensor {
  const caller = 'logImportanceWeights';
  assertSameShape(caller, 'logLikelihood', terms.logLikelihood, 'logPrior', terms.logPrior);
  assertSameShape(caller, 'logLikelihood', terms.logLikelihood, 'logPosterior', terms.logPosterior);
  return tf.tidy(() => tf.sub(tf.add(terms.logLikelihood, terms.logPrior), terms.logPosterior));
}

/**
 * The importance-weighted bound (Burda et al. 2016) from log weights of shape [k, batch], k >= 1 samples per
 * example: `L_k = log (1/k sum_i w_i)`, computed stably as `logMeanExp` over the sample axis (nats per example).
 * With k = 1 it is the one-sample ELBO. 'none' (default) gives [batch]; 'mean' and 'sum' a scalar. Gradients flow
 * to the log weights (softmax-weighted), as IWAE training needs.
 */
export function importanceWeightedBound(
  logWeights: tf.Tensor,
  options: { reduction?: Reduction } = {},
): tf.Tensor {
  const caller = 'importanceWeightedBound';
  if (logWeights.rank !== 2) {
    throw new Error(
      `${caller}: logWeights must have shape [k, batch] (samples first), got [${logWeights.shape}]. ` +
        'Stack the per-sample log weights along a new first axis.',
    );
  }
  if (logWeights.shape[0] < 1) {
    throw new Error(`${caller}: k (the first axis of logWeights) must be >= 1, got ${logWeights.shape[0]}.`);
  }
  return tf.tidy(() => reduceBatch(logMeanExp(logWeights, 0), options.reduction ?? 'none', caller));
}

/**
 * log p(z) of a probabilistic model per code, [batch] (nats): its own `logPrior` when it has one, else the
 * standard normal prior N(0, I).
 */
export function logPriorOf(
  model: Pick<ProbabilisticAutoencoder, 'logPrior'>,
  z: tf.Tensor,
  labels?: Labels,
): tf.Tensor1D {
  if (model.logPrior) return model.logPrior(z, labels);
  return standardNormalLogDensity(z) as tf.Tensor1D;
}

export interface PosteriorLogWeightsOptions {
  /** k, the codes drawn from q(z|x) per example. */
  importanceSamples: number;
  /** Seed of the draws. */
  seed?: number;
  /** The batch's labels, [batch] (conditional models). */
  labels?: Labels;
  /** q(z|x) of the batch when the caller already has it (from `model.encode(x, labels)`); encoded here otherwise. */
  posterior?: { mean: tf.Tensor2D; logVar: tf.Tensor2D };
}

/**
 * Log importance weights of a probabilistic model for a batch x [batch, ...]: draws k (`importanceSamples`) codes
 * z_i ~ q(z|x) and
 * returns `log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x)`, shape [k, batch] (nats), through the model's
 * contract (`encode`, `logLikelihood`, `logPrior` or N(0, I), each with the batch's labels when given). log q comes
 * from the noise (`DiagonalGaussian.sampleWithLogProb`). `importanceWeightedBound` of the result is L_k;
 * `@vae/metrics`' importance-sampled log-likelihood averages it over chunks of samples.
 */
export function posteriorLogWeights(
  model: ProbabilisticAutoencoder,
  x: tf.Tensor,
  options: PosteriorLogWeightsOptions,
): tf.Tensor2D {
  const caller = 'posteriorLogWeights';
  const k = options.importanceSamples;
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(`${caller}: importanceSamples (k) must be an integer >= 1, got ${k}.`);
  }
  return tf.tidy(() => {
    const { mean, logVar } = options.posterior ?? model.encode(x, options.labels);
    const batch = x.shape[0];
    if (mean.rank !== 2 || mean.shape[0] !== batch || mean.shape[1] !== model.latentDim) {
      throw new Error(
        `${caller}: encode returned a mean of shape [${mean.shape}], expected [${batch}, ${model.latentDim}].`,
      );
    }
    const { z, logProb } = new DiagonalGaussian(mean, logVar).sampleWithLogProb({
      samples: k,
      seed: options.seed,
    });
    const codes = tf.reshape(z, [k * batch, model.latentDim]);
    const repeatedX = k === 1 ? x : tf.tile(x, [k, ...x.shape.slice(1).map(() => 1)]);
    const labels = options.labels === undefined || k === 1 ? options.labels : repeatLabels(options.labels, k);
    const logLikelihood = model.logLikelihood(repeatedX, codes, labels);
    if (logLikelihood.rank !== 1 || logLikelihood.shape[0] !== k * batch) {
      throw new Error(
        `${caller}: logLikelihood returned shape [${logLikelihood.shape}], expected [${k * batch}].`,
      );
    }
    const logPrior = logPriorOf(model, codes, labels);
    if (logPrior.rank !== 1 || logPrior.shape[0] !== k * batch) {
      throw new Error(`${caller}: logPrior returned shape [${logPrior.shape}], expected [${k * batch}].`);
    }
    return logImportanceWeights({
      logLikelihood: tf.reshape(logLikelihood, [k, batch]),
      logPrior: tf.reshape(logPrior, [k, batch]),
      logPosterior: logProb,
    }) as tf.Tensor2D;
  });
}
