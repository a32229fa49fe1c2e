/**
 * The importance-weighted autoencoder of Burda, Grosse and Salakhutdinov, "Importance weighted autoencoders" (ICLR
 * 2016): the VAE's encoder and decoder trained on the k-sample bound L_k = E[log 1/k sum_i p(x, z_i) / q(z_i|x)],
 * z_i ~ q(z|x), which is tighter than the ELBO (L_1) and tends to log p(x) as k grows. The log weights and the bound
 * are core's `logImportanceWeights` and `importanceWeightedBound`. `total` is -L_k; `reconstruction` reports the
 * mean -log p(x|z_i) over the samples, `kl` the closed-form KL of q, and `weightedKl` what the bound adds to the
 * reconstruction term (total - reconstruction).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  DiagonalGaussian,
  importanceWeightedBound,
  klDivergenceStandardNormal,
  logImportanceWeights,
} from '@vae/core';
import type { LossTermScalars, ObjectiveContext } from '../training/trainable';
import { type CustomNetworks, VAE } from '../vae/vae.model';
import { type IWAEConfig, resolveIWAEConfig } from './iwae.config';

export class IWAE extends VAE {
  static override readonly className: string = 'IWAE';
  declare readonly config: IWAEConfig;

  static override resolveConfig(config: Partial<IWAEConfig>): IWAEConfig {
    return resolveIWAEConfig(config);
  }

  constructor(config: Partial<IWAEConfig> = {}, networks: CustomNetworks = {}) {
    super(config, networks);
  }

  /** L_k per example, [batch] (nats), with `importanceSamples` (or `samples`) draws, and the terms it reports. */
  private bound(
    rows: tf.Tensor2D,
    seed: number | undefined,
    labels: tf.Tensor1D | undefined,
    dataInput: boolean,
    samples = this.config.importanceSamples,
  ): { bound: tf.Tensor1D; reconstruction: tf.Scalar; kl: tf.Scalar } {
    const { mean, logVar } = this.encodeRows(rows, labels, dataInput);
    const batch = rows.shape[0];
    // The log weights as the importance-sampled log p(x) of @vae/metrics computes them (core's posteriorLogWeights):
    // log q from the noise, the model's prior, core's logImportanceWeights.
    const { z, logProb } = new DiagonalGaussian(mean, logVar).sampleWithLogProb({ seed, samples });
    const flatZ = tf.reshape(z, [samples * batch, this.latentDim]) as tf.Tensor2D;
    const repeatedLabels = labels ? (tf.tile(labels, [samples]) as tf.Tensor1D) : undefined;
    const nll = this.negativeLogLikelihood(
      tf.tile(rows, [samples, 1]) as tf.Tensor2D,
      this.decoderOutputs(flatZ, repeatedLabels),
    );
    const logWeights = logImportanceWeights({
      logLikelihood: tf.neg(tf.reshape(nll, [samples, batch])),
      logPrior: tf.reshape(this.logPrior(flatZ, repeatedLabels), [samples, batch]),
      logPosterior: logProb,
    });
    return {
      bound: importanceWeightedBound(logWeights) as tf.Tensor1D,
      reconstruction: tf.mean(nll) as tf.Scalar,
      kl: klDivergenceStandardNormal(mean, logVar) as tf.Scalar,
    };
  }

  /**
   * The importance-weighted bound L_k per example, [batch], nats; k is `options.importanceSamples`, by default the
   * config's `importanceSamples`.
   */
  lowerBound(
    x: tf.Tensor,
    options: {
      seed?: number;
      importanceSamples?: number;
      /** @deprecated Use `importanceSamples`; kept for one minor version. */
      samples?: number;
    } = {},
  ): tf.Tensor1D {
    const k = options.importanceSamples ?? options.samples;
    return tf.tidy(() => this.bound(this.flatten(x), options.seed, undefined, false, k).bound);
  }

  protected override scoreRows(rows: tf.Tensor2D, seed: number, labels?: tf.Tensor1D): tf.Tensor1D {
    return tf.neg(this.bound(rows, seed, labels, false).bound) as tf.Tensor1D;
  }

  /** The objective for a batch: -L_k averaged over the batch. */
  override trainingLoss(
    x: tf.Tensor,
    context: ObjectiveContext = {},
  ): { total: tf.Scalar; terms: LossTermScalars } {
    if (context.klSchedule !== undefined) {
      throw new Error(
        'IWAE: the importance-weighted bound has no separate KL term, so a klSchedule does not apply; train an IWAE ' +
          'without one (or a VAE/BetaVAE with it).',
      );
    }
    return tf.tidy(() => {
      const rows = this.flatten(x);
      const { bound, reconstruction, kl } = this.bound(
        rows,
        context.seed,
        context.labels,
        context.training ?? false,
      );
      const total = tf.neg(tf.mean(bound)) as tf.Scalar;
      return {
        total,
        terms: {
          reconstruction,
          kl,
          weightedKl: tf.sub(total, reconstruction) as tf.Scalar,
          regularizer: tf.scalar(0),
        },
      };
    });
  }
}
