/**
 * The contracts the packages meet on. `@vae/data` implements `BatchSource`; `@vae/models` implements
 * `ProbabilisticAutoencoder`; `@vae/metrics` and `@vae/viz` consume them without importing either package, and meet
 * each other on `RocCurve` (metrics computes it, viz draws it).
 */
import type * as tf from '@tensorflow/tfjs-core';

/** Named loss terms in nats per example, as every training step and evaluation reports them. */
export interface LossTerms {
  /** Negative log-likelihood of the data under the decoder (the reconstruction term). */
  reconstruction: number;
  /** KL(q(z|x) || p(z)), unweighted. */
  kl: number;
  /** The KL as weighted in the objective (beta * kl). */
  weightedKl: number;
  /** The objective: reconstruction + weightedKl (+ any regularizer). The negative ELBO when beta = 1. */
  total: number;
  /**
   * The weighted regularizer of a deterministic autoencoder (sparsity, contraction, weight decay), included in
   * `total`. Absent or 0 for models without one.
   */
  regularizer?: number;
}

/** Anything that yields batches of examples by index. */
export interface BatchSource {
  /** Number of examples. */
  readonly size: number;
  /** Shape of one example, e.g. [28, 28, 1]. */
  readonly itemShape: readonly number[];
  /** A float32 tensor of shape [indices.length, ...itemShape]. The caller disposes it. */
  batch(indices: ArrayLike<number>): tf.Tensor;
  /**
   * Integer class labels, one per example, when the data set has them. Conditional models are conditioned on them:
   * `fit`, `evaluate` and the metrics hand a batch's labels to the model alongside its inputs.
   */
  readonly labels?: ArrayLike<number>;
}

/**
 * Conditioning inputs of a batch: integer class labels, one per example, as a [batch] tensor or an array. Models
 * that are not conditioned ignore them.
 */
export type Labels = tf.Tensor | ArrayLike<number>;

/** Per-example terms of the negative ELBO, each of shape [batch]. */
export interface ElboTerms {
  reconstruction: tf.Tensor1D;
  kl: tf.Tensor1D;
}

/**
 * A latent-variable model with a Gaussian posterior q(z|x) and a decoder p(x|z), as likelihood measures need it:
 * the posterior (`encode`), the prior's log-density (`logPrior`) and log p(x|z) per example (`logLikelihood`).
 * Conditional models (`usesLabels`) take the batch's labels y alongside x in every method: q(z|x, y), p(x|z, y) and
 * p(z|y). `@vae/metrics` is written once against this contract: callers pass a model and a `BatchSource` (whose
 * `labels` the metrics hand over batch by batch), never a wrapper that holds labels.
 */
export interface ProbabilisticAutoencoder {
  readonly latentDim: number;
  /** Size of one flattened input. */
  readonly inputSize: number;
  /**
   * True when the model is conditioned on class labels: callers must pass them to every method below (metrics take
   * them from `BatchSource.labels` and refuse a source without labels). Absent or false: labels are not needed.
   */
  readonly usesLabels?: boolean;
  /** Posterior parameters for a batch: q(z|x) (or q(z|x, y)) = N(mean, diag(exp(logVar))), each [batch, latentDim]. */
  encode(x: tf.Tensor, labels?: Labels): { mean: tf.Tensor2D; logVar: tf.Tensor2D };
  /** Per-example reconstruction and KL terms with one reparameterized sample of z. */
  elboTerms(x: tf.Tensor, options?: { seed?: number; labels?: Labels }): ElboTerms;
  /**
   * log p(x|z) (or log p(x|z, y)) per example, shape [batch], in nats: x is [batch, ...] (any shape with inputSize
   * values per example), z is [batch, latentDim], labels (conditional models) [batch].
   */
  logLikelihood(x: tf.Tensor, z: tf.Tensor, labels?: Labels): tf.Tensor1D;
  /**
   * log p(z) (or log p(z|y)) per code, shape [batch], in nats, for z of shape [batch, latentDim]. Optional: a model
   * without it has the standard normal prior N(0, I) (core's `standardNormalLogDensity`, see `logPriorOf`).
   */
  logPrior?(z: tf.Tensor, labels?: Labels): tf.Tensor1D;
}

/**
 * Maps a batch of inputs to codes (e.g. the posterior mean), shape [batch, codeSize]. Metrics pass the batch's
 * labels (from `BatchSource.labels`) when the data has them, for conditional models: `(x, labels) =>
 * model.encode(x, labels).mean`.
 */
export type RepresentationFunction = (x: tf.Tensor, labels?: Int32Array) => tf.Tensor2D;

/**
 * A data set generated from known factors of variation (e.g. dSprites: shape, scale, orientation, x, y), as
 * disentanglement metrics need it: any combination of factor values can be rendered.
 */
export interface FactorSource {
  /** Number of values each factor takes, e.g. [3, 6, 40, 32, 32]. */
  readonly factorSizes: readonly number[];
  /** Names of the factors, e.g. ['shape', 'scale', 'orientation', 'x', 'y']. */
  readonly factorNames?: readonly string[];
  /** Shape of one rendered example, e.g. [64, 64, 1]. */
  readonly itemShape: readonly number[];
  /**
   * Renders examples for the given factor values: `factors[i][k]` is the index (0 .. factorSizes[k] - 1) of
   * factor k for example i. Returns float32 [n, ...itemShape]; the caller disposes it.
   */
  render(factors: ReadonlyArray<ArrayLike<number>>): tf.Tensor;
}

/**
 * A ROC curve as `rocCurve` of `@vae/metrics` computes it and `rocCurveSvg` of `@vae/viz` draws it: one point per
 * threshold, in the order of decreasing thresholds (so rising rates), starting at (0, 0).
 */
export interface RocCurve {
  /** False positive rate at each threshold, from 0 up to 1. */
  falsePositiveRate: Float64Array;
  /** True positive rate (recall) at each threshold. */
  truePositiveRate: Float64Array;
  /**
   * The thresholds, decreasing: examples with score >= threshold are flagged. The first is +Infinity (nothing
   * flagged); then one per distinct score.
   */
  thresholds: Float64Array;
}
