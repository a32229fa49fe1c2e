/**
 * FactorVAE of Kim and Mnih, "Disentangling by Factorising" (ICML 2018): the VAE's objective plus gamma times the
 * total correlation TC(z) = KL(q(z) || prod_d q(z_d)), estimated by the density-ratio trick: a discriminator D learns
 * to tell samples of q(z) from samples of prod_d q(z_d) (the batch's codes with each dimension shuffled across the
 * batch, core's `permuteDimensions`), and TC ~ E_q[log D(z) / (1 - D(z))], the mean of its logit. The discriminator
 * is trained by its own Adam optimizer on the cross-entropy of telling the two apart, through `fit`'s auxiliary
 * objective: one discriminator step after each VAE step, on the same batch (as disentanglement_lib does; the paper
 * draws a second batch for the shuffled codes). Its weights are saved with the model; checkpoints keep its
 * optimizer's state.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  binaryCrossEntropyWithLogits,
  Dense,
  FusedAdamOptimizer,
  permuteDimensions,
  Random,
  reparameterize,
} from '@vae/core';
import { type BatchPosterior, type ExtraTerms, RegularizedVAE } from '../base/regularized-vae';
import type { AuxiliaryObjective, ObjectiveContext } from '../training/trainable';
import type { CustomNetworks } from '../vae/vae.model';
import { type FactorVAEConfig, resolveFactorVAEConfig } from './factor-vae.config';

const LEAKY_SLOPE = 0.2;

export class FactorVAE extends RegularizedVAE {
  static override readonly className: string = 'FactorVAE';
  declare readonly config: FactorVAEConfig;
  private readonly discriminatorLayers: Dense[];
  readonly auxiliaryObjective: AuxiliaryObjective;

  static override resolveConfig(config: Partial<FactorVAEConfig>): FactorVAEConfig {
    return resolveFactorVAEConfig(config);
  }

  constructor(config: Partial<FactorVAEConfig> = {}, networks: CustomNetworks = {}) {
    super(config, networks);
    const random = this.config.seed === undefined ? undefined : new Random(this.config.seed + 104729);
    const sizes = [this.latentDim, ...this.config.discriminatorUnits, 1];
    this.discriminatorLayers = [];
    try {
      for (let i = 1; i < sizes.length; i++) {
        const last = i === sizes.length - 1;
        this.discriminatorLayers.push(
          new Dense(sizes[i - 1], sizes[i], {
            name: last ? 'discriminator/logit' : `discriminator/hidden${i - 1}`,
            seed: random?.nextSeed(),
          }),
        );
      }
    } catch (error) {
      // e.g. a discriminator too large to allocate: the networks built so far do not stay behind
      for (const layer of this.discriminatorLayers) layer.dispose();
      super.dispose();
      throw error;
    }
    const names = this.discriminatorLayers.flatMap((layer) => Object.keys(layer.variables));
    this.auxiliaryObjective = {
      name: 'the total-correlation discriminator',
      variableNames: names,
      loss: (x, context) => this.discriminatorLoss(x, context),
      createOptimizer: () => {
        const [beta1, beta2] = this.config.discriminatorBetas;
        // core's fused Adam: tf.train.adam's maths, and checkpoints that resume bit for bit
        return new FusedAdamOptimizer(this.config.discriminatorLearningRate, beta1, beta2, 1e-8);
      },
    };
  }

  override get variables(): Record<string, tf.Variable> {
    const out = { ...super.variables };
    // during construction (the VAE's constructor reads variables before the discriminator exists)
    for (const layer of this.discriminatorLayers ?? []) Object.assign(out, layer.variables);
    return out;
  }

  /** The discriminator's logit of "drawn from q(z), not from prod_d q(z_d)", [batch]. */
  discriminate(z: tf.Tensor, options: { inputGradient?: boolean } = {}): tf.Tensor1D {
    this.checkCodes(z);
    return tf.tidy(() => {
      let h = z as tf.Tensor2D;
      this.discriminatorLayers.forEach((layer, i) => {
        h = layer.apply(h, { inputGradient: i > 0 || options.inputGradient !== false });
        if (i < this.discriminatorLayers.length - 1) h = tf.leakyRelu(h, LEAKY_SLOPE) as tf.Tensor2D;
      });
      return tf.reshape(h, [-1]) as tf.Tensor1D;
    });
  }

  /** gamma times the density-ratio estimate of the total correlation, mean over the batch of D's logit. */
  protected extraTerms(posterior: BatchPosterior, _context: ObjectiveContext): ExtraTerms {
    return { regularizer: tf.mul(this.config.gamma, tf.mean(this.discriminate(posterior.z))) as tf.Scalar };
  }

  /**
   * The discriminator's loss on a batch: the mean cross-entropy of calling the codes' draws "joint" (label 1) and
   * their dimension-wise shuffle "product" (label 0), halved. Seeded by `context.seed` as the VAE's step is.
   */
  discriminatorLoss(x: tf.Tensor, context: ObjectiveContext = {}): tf.Scalar {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      const { mean, logVar } = this.encodeRows(rows, context.labels, true);
      const z = reparameterize(mean, logVar, { seed: context.seed }) as tf.Tensor2D;
      const shuffled = permuteDimensions(z, new Random(context.seed ?? Date.now()).nextSeed());
      const joint = tf.reshape(this.discriminate(z, { inputGradient: false }), [-1, 1]);
      const product = tf.reshape(this.discriminate(shuffled, { inputGradient: false }), [-1, 1]);
      const ones = tf.onesLike(joint);
      return tf.mul(
        0.5,
        tf.add(
          binaryCrossEntropyWithLogits(ones, joint),
          binaryCrossEntropyWithLogits(tf.zerosLike(product), product),
        ),
      ) as tf.Scalar;
    });
  }

  /** The density-ratio estimate of the total correlation on a batch (nats), without gamma. */
  totalCorrelationEstimate(x: tf.Tensor, options: { seed?: number } = {}): tf.Scalar {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      const { mean, logVar } = this.encodeRows(rows, undefined, false);
      return tf.mean(this.discriminate(reparameterize(mean, logVar, { seed: options.seed }))) as tf.Scalar;
    });
  }
}
