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
  /** Integer class labels, one per example, when the data set has them. */
  readonly labels?: ArrayLike<number>;
}

/** Per-example terms of the negative ELBO, each of shape [batch]. */
export interface ElboTerms {
  reconstruction: tf.Tensor1D;
  kl: tf.Tensor1D;
}

/** A model with a Gaussian posterior q(z|x) and a decoder, as likelihood measures need it. */
export interface ProbabilisticAutoencoder {
  readonly latentDim: number;
  /** Size of one flattened input. */
  readonly inputSize: number;
  /** Posterior parameters for a batch. */
  encode(x: tf.Tensor): { mean: tf.Tensor2D; logVar: tf.Tensor2D };
  /** Per-example reconstruction and KL terms with one reparameterized sample of z. */
  elboTerms(x: tf.Tensor, options?: { seed?: number }): ElboTerms;
  /**
   * log p(x|z) per example, shape [batch], in nats: x is [batch, ...] (any shape with inputSize values per
   * example), z is [batch, latentDim]. With the prior N(0, I) and the posterior from `encode`, this is all an
   * importance-sampled estimate of log p(x) needs.
   */
  logLikelihood(x: tf.Tensor, z: tf.Tensor): tf.Tensor1D;
}

/** Maps a batch of inputs to codes (e.g. the posterior mean), shape [batch, codeSize]. */
export type RepresentationFunction = (x: tf.Tensor) => tf.Tensor2D;

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
