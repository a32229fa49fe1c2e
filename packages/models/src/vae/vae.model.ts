/**
 * The variational autoencoder of Kingma and Welling, "Auto-Encoding Variational Bayes" (ICLR 2014), as the lecture
 * notes present it ("From AE to VAE", Rao and Pai; "Variational Autoencoder", Boschini and Bonicelli): a Gaussian
 * posterior q(z|x) = N(mu(x), diag(exp(logVar(x)))), the reparameterization trick z = mu + sigma * eps, the
 * closed-form KL to the prior N(0, I), and a decoder p(x|z) that is Bernoulli (binary cross-entropy from logits),
 * Gaussian with a fixed variance, or Gaussian with a learned variance per pixel (the paper's Frey Face setting). The
 * reconstruction term averages L Monte Carlo samples of z per data point (the paper's SGVB estimator). The
 * default architecture is the PyTorch VAE example's 784-400-20 MLP.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  binaryCrossEntropyWithLogits,
  DiagonalGaussian,
  type ElboTerms,
  gaussianNegativeLogLikelihood,
  gaussianNegativeLogLikelihoodFixedVariance,
  type KlSchedule,
  klDivergenceStandardNormal,
  lossTerms,
  type ProbabilisticAutoencoder,
  Random,
  reparameterize,
  standardNormalLogDensity,
} from '@vae/core';
import { BaseModel, type Labels } from '../base/model';
import { DecoderNetwork, EncoderNetwork, serializeNetwork } from '../networks/networks';
import type { LossTermScalars, ObjectiveContext } from '../training/trainable';
import { resolveVAEConfig, type VAEConfig } from './vae.config';

/** User-supplied tfjs Layers models taking the place of the built-in encoder and/or decoder. */
export interface CustomNetworks {
  /** x (flat rows, or [batch, ...inputShape] if its input says so) -> [batch, 2 * latentDim]: mean, then logVar. */
  encoder?: tfl.LayersModel;
  /**
   * z [batch, latentDim] -> the decoder's raw outputs, inputSize values per example per output: Bernoulli logits;
   * the Gaussian mean before `meanActivation`; for a learned variance the mean, then the log-variance.
   */
  decoder?: tfl.LayersModel;
}

/** Adds the topologies of user-supplied networks to a config. */
export function withCustomNetworks<C extends { layers?: VAEConfig['layers'] }>(
  config: Partial<C>,
  networks: { encoder?: tfl.LayersModel; decoder?: tfl.LayersModel },
): Partial<C> {
  if (!networks.encoder && !networks.decoder) return config;
  return {
    ...config,
    layers: {
      ...config.layers,
      ...(networks.encoder ? { encoder: serializeNetwork(networks.encoder) } : {}),
      ...(networks.decoder ? { decoder: serializeNetwork(networks.decoder) } : {}),
    },
  };
}

/** Scalars a subclass adds to the VAE's objective (nats per example). */
export interface ExtraTerms {
  /** Added to the weighted KL term (e.g. beta-TCVAE's reweighting of the KL's parts). */
  weightedKl?: tf.Scalar;
  /** The regularizer term (e.g. DIP's covariance penalty, FactorVAE's gamma TC). */
  regularizer?: tf.Scalar;
}

/** The decoder's outputs for a batch of codes: logits (Bernoulli) or mean (and log-variance) (Gaussian). */
export interface DecoderOutputs {
  logits?: tf.Tensor2D;
  mean?: tf.Tensor2D;
  logVar?: tf.Tensor2D;
}

export class VAE extends BaseModel<VAEConfig> implements ProbabilisticAutoencoder {
  static readonly className: string = 'VAE';
  protected readonly encoder: EncoderNetwork;
  protected readonly decoder: DecoderNetwork;

  /** Fills in this class's defaults and checks the config. Subclasses override it. */
  static resolveConfig(config: Partial<VAEConfig>): VAEConfig {
    return resolveVAEConfig(config);
  }

  constructor(config: Partial<VAEConfig> = {}, networks: CustomNetworks = {}) {
    const resolve = (new.target as unknown as typeof VAE).resolveConfig;
    super(resolve(withCustomNetworks(config, networks)));
    const random = this.config.seed === undefined ? undefined : new Random(this.config.seed);
    const seeds = () => random?.nextSeed();
    const conditionSize = this.conditionSize();
    this.encoder = new EncoderNetwork({
      className: this.className,
      config: this.config,
      outputUnits: this.encoderOutputUnits(),
      outputName: 'posterior',
      conditionSize,
      model: networks.encoder,
      seeds,
    });
    try {
      this.decoder = new DecoderNetwork({
        className: this.className,
        config: this.config,
        heads: this.headNames().map((name) => ({ name })),
        conditionSize,
        model: networks.decoder,
        seeds,
      });
    } catch (error) {
      this.encoder.dispose();
      throw error;
    }
  }

  /**
   * Outputs of the encoder's last layer: the posterior's mean and log-variance, 2 x latentDim. A model whose encoder
   * has more heads (DB-VAE: a classifier's logit) widens it and splits them off in `encodeRows`.
   */
  protected encoderOutputUnits(): number {
    return 2 * this.latentDim;
  }

  /** Size of the condition appended to the encoder's and decoder's inputs (conditional models). */
  protected conditionSize(): number {
    return 0;
  }

  /** The condition of a batch, [batch, conditionSize] (conditional models). */
  protected condition(_labels: tf.Tensor1D | undefined, _batch: number): tf.Tensor2D | undefined {
    return undefined;
  }

  private headNames(): string[] {
    if (this.config.likelihood === 'bernoulli') return ['logits'];
    return this.config.variance === 'learned' ? ['mean', 'logVar'] : ['mean'];
  }

  protected get networks(): Array<EncoderNetwork | DecoderNetwork> {
    return [this.encoder, this.decoder];
  }

  get variables(): Record<string, tf.Variable> {
    return { ...this.encoder.variables, ...this.decoder.variables };
  }

  /**
   * The model's own KL weight, used when training and evaluation get no schedule: beta. Subclasses with a schedule
   * of their own override it (BetaVAE: its capacity schedule). Read it through `klScheduleFor`.
   */
  protected defaultKlWeight(): number | KlSchedule {
    return this.config.beta;
  }

  /**
   * The one place that decides the weight of the KL term: `override` (the `klSchedule` of `fit`, `evaluate` or
   * `trainingLoss`) when given, else the model's own (config `beta` as a constant schedule, or a BetaVAE's
   * `capacity`). A warm-up that does not say where it ends (linear or cosine without `to`, cyclical without `max`)
   * ends at the model's beta, not at core's standalone default of 1: a BetaVAE warms up to 4. The objective
   * evaluates the result at each optimizer step with core's `lossTerms`.
   */
  /** Data-parallel shards would each penalize their own mean KL under a capacity schedule (|KL - C| is not linear). */
  dataParallelObstacle(klSchedule?: KlSchedule): string | null {
    return this.klScheduleFor(klSchedule).kind === 'capacity'
      ? "a capacity schedule penalizes |mean KL - C| over the whole batch, which shards cannot split (use a 'constant', 'linear', 'cosine' or 'cyclical' klSchedule)"
      : null;
  }

  klScheduleFor(override?: KlSchedule): KlSchedule {
    if (override === undefined) {
      const own = this.defaultKlWeight();
      return typeof own === 'number' ? { kind: 'constant', value: own } : own;
    }
    const beta = this.config.beta;
    if ((override.kind === 'linear' || override.kind === 'cosine') && override.to === undefined) {
      return { ...override, to: beta };
    }
    if (override.kind === 'cyclical' && override.max === undefined) return { ...override, max: beta };
    return override;
  }

  protected encodeRows(
    rows: tf.Tensor2D,
    labels: tf.Tensor1D | undefined,
    dataInput: boolean,
  ): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    const both = this.encoder.apply(rows, { dataInput, condition: this.condition(labels, rows.shape[0]) });
    const [mean, logVar] = tf.split(both, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { mean, logVar };
  }

  /** The posterior's mean and log-variance for a batch, each of shape [batch, latentDim]. */
  encode(x: tf.Tensor, labels?: Labels): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    const { mean, logVar } = tf.tidy(() => {
      const rows = this.flatten(x);
      const r = this.encodeRows(rows, this.labelTensor(labels, rows.shape[0]), true);
      return { mean: r.mean, logVar: r.logVar };
    });
    return { mean, logVar };
  }

  protected decoderOutputs(z: tf.Tensor2D, labels: tf.Tensor1D | undefined): DecoderOutputs {
    const outputs = this.decoder.apply(z, { condition: this.condition(labels, z.shape[0]) });
    if (this.config.likelihood === 'bernoulli') return { logits: outputs[0] };
    const mean =
      this.config.meanActivation === 'sigmoid' ? (tf.sigmoid(outputs[0]) as tf.Tensor2D) : outputs[0];
    if (this.config.variance !== 'learned') return { mean };
    let logVar = outputs[1];
    const floor = this.config.minLogVar;
    if (floor !== undefined) logVar = tf.add(floor, tf.softplus(tf.sub(logVar, floor))) as tf.Tensor2D;
    return { mean, logVar };
  }

  /** -log p(x|z) per row, [rows], nats, through the core losses. */
  protected negativeLogLikelihood(rows: tf.Tensor2D, outputs: DecoderOutputs): tf.Tensor1D {
    if (outputs.logits) {
      return binaryCrossEntropyWithLogits(rows, outputs.logits, { reduction: 'none' }) as tf.Tensor1D;
    }
    if (outputs.logVar) {
      return gaussianNegativeLogLikelihood(rows, outputs.mean as tf.Tensor2D, outputs.logVar, {
        reduction: 'none',
      }) as tf.Tensor1D;
    }
    return gaussianNegativeLogLikelihoodFixedVariance(rows, outputs.mean as tf.Tensor2D, {
      variance: this.config.variance as number,
      reduction: 'none',
    }) as tf.Tensor1D;
  }

  /**
   * The decoder's raw output, [batch, inputSize]: Bernoulli logits, or the Gaussian mean before its output
   * activation.
   */
  decodeLogits(z: tf.Tensor, labels?: Labels): tf.Tensor2D {
    this.checkCodes(z);
    return tf.tidy(
      () =>
        this.decoder.apply(z as tf.Tensor2D, {
          condition: this.condition(this.labelTensor(labels, z.shape[0]), z.shape[0]),
        })[0],
    );
  }

  protected decodeRows(z: tf.Tensor2D, labels?: tf.Tensor1D): tf.Tensor2D {
    const outputs = this.decoderOutputs(z, labels);
    return outputs.logits ? (tf.sigmoid(outputs.logits) as tf.Tensor2D) : (outputs.mean as tf.Tensor2D);
  }

  protected codesOf(rows: tf.Tensor2D, labels?: tf.Tensor1D): tf.Tensor2D {
    return this.encodeRows(rows, labels, true).mean;
  }

  /**
   * Decodes `count` draws from the prior N(0, temperature^2 I), shaped [count, ...inputShape]. Conditional models
   * take `labels`: one per draw, or one label for all (`cvae.sample(16, { labels: 7 })`: sixteen sevens).
   */
  sample(
    count: number,
    options: { temperature?: number; seed?: number; labels?: Labels | number } = {},
  ): tf.Tensor {
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`${this.className}.sample: count must be a positive integer, got ${count}.`);
    }
    const temperature = options.temperature ?? 1;
    if (!(temperature > 0)) {
      throw new Error(`${this.className}.sample: temperature must be > 0, got ${temperature}.`);
    }
    const labels =
      typeof options.labels === 'number' ? new Array(count).fill(options.labels) : options.labels;
    return tf.tidy(() =>
      this.decode(tf.randomNormal([count, this.latentDim], 0, temperature, 'float32', options.seed), labels),
    );
  }

  /**
   * Per-example ELBO terms of flat rows with L = `samples` draws of z: -E_q[log p(x|z)] (the mean over the draws)
   * and the KL term (`klRows`). Subclasses change the draws (`posteriorDraws`) or the KL (`klRows`), not this.
   */
  protected rowTerms(
    rows: tf.Tensor2D,
    seed: number | undefined,
    labels: tf.Tensor1D | undefined,
    dataInput: boolean,
  ): ElboTerms & { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    const { mean, logVar } = this.encodeRows(rows, labels, dataInput);
    const draws = this.posteriorDraws(mean, logVar, seed);
    const samples = this.config.samples;
    const batch = rows.shape[0];
    const repeatedLabels = labels && samples > 1 ? (tf.tile(labels, [samples]) as tf.Tensor1D) : labels;
    const targets = samples > 1 ? (tf.tile(rows, [samples, 1]) as tf.Tensor2D) : rows;
    const perDraw = this.negativeLogLikelihood(targets, this.decoderOutputs(draws.z, repeatedLabels));
    const reconstruction =
      samples > 1 ? (tf.mean(tf.reshape(perDraw, [samples, batch]), 0) as tf.Tensor1D) : perDraw;
    return { reconstruction, kl: this.klRows(mean, logVar, draws), mean, logVar };
  }

  /**
   * L = `samples` draws z ~ q(z|x) per row, draw-major ([L * batch, latentDim], row l * batch + i), by the
   * reparameterization trick; with `logQ`, log q(z|x) at each draw ([L, batch]) where a subclass needs it.
   */
  protected posteriorDraws(
    mean: tf.Tensor2D,
    logVar: tf.Tensor2D,
    seed: number | undefined,
  ): { z: tf.Tensor2D; logQ?: tf.Tensor2D } {
    const samples = this.config.samples;
    if (samples === 1) return { z: reparameterize(mean, logVar, { seed }) as tf.Tensor2D };
    const z = new DiagonalGaussian(mean, logVar).sample({ seed, samples });
    return { z: tf.reshape(z, [samples * mean.shape[0], this.latentDim]) as tf.Tensor2D };
  }

  /** The KL term per row, [batch]: KL(q(z|x) || N(0, I)) in closed form (the draws are not needed). */
  protected klRows(
    mean: tf.Tensor2D,
    logVar: tf.Tensor2D,
    _draws: { z: tf.Tensor2D; logQ?: tf.Tensor2D },
  ): tf.Tensor1D {
    return klDivergenceStandardNormal(mean, logVar, { reduction: 'none' }) as tf.Tensor1D;
  }

  /**
   * Per-example terms of the negative ELBO, each [batch] in nats: the reconstruction term -log p(x|z) (averaged
   * over `samples` draws of z) and KL(q(z|x) || N(0, I)).
   */
  elboTerms(x: tf.Tensor, options: { seed?: number; labels?: Labels } = {}): ElboTerms {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      const { reconstruction, kl } = this.rowTerms(
        rows,
        options.seed,
        this.labelTensor(options.labels, rows.shape[0]),
        false,
      );
      return { reconstruction, kl };
    });
  }

  /** log p(x|z) per example, [batch], nats. */
  logLikelihood(x: tf.Tensor, z: tf.Tensor, labels?: Labels): tf.Tensor1D {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      if (z.shape[0] !== rows.shape[0]) {
        throw new Error(
          `${this.className}.logLikelihood: ${rows.shape[0]} inputs but ${z.shape[0]} latent codes; pass one z per x.`,
        );
      }
      this.checkCodes(z);
      const outputs = this.decoderOutputs(z as tf.Tensor2D, this.labelTensor(labels, rows.shape[0]));
      return tf.neg(this.negativeLogLikelihood(rows, outputs)) as tf.Tensor1D;
    });
  }

  /**
   * log p(z) per code, [batch], nats: the prior N(0, I) of every model of the family (conditional ones included:
   * p(z|y) = N(0, I)). Labels are accepted for the contract and not used.
   */
  logPrior(z: tf.Tensor, _labels?: Labels): tf.Tensor1D {
    this.checkCodes(z);
    return standardNormalLogDensity(z) as tf.Tensor1D;
  }

  protected scoreRows(rows: tf.Tensor2D, seed: number, labels?: tf.Tensor1D): tf.Tensor1D {
    const { reconstruction, kl } = this.rowTerms(rows, seed, labels, false);
    return tf.add(reconstruction, kl) as tf.Tensor1D;
  }

  /**
   * The training objective for a batch: mean reconstruction + the weighted KL (beta, or a schedule at `step`,
   * through core's `lossTerms`), plus whatever `objectiveExtras` adds (nothing here; the disentangling VAEs add
   * their batch-level terms), with its terms. The one place where a VAE's objective is assembled.
   */
  trainingLoss(
    x: tf.Tensor,
    context: ObjectiveContext & {
      /** @deprecated Pass `klSchedule: { kind: 'constant', value: beta }`; read as exactly that. */
      beta?: number;
    } = {},
  ): { total: tf.Scalar; terms: LossTermScalars } {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      const { reconstruction, kl, mean, logVar } = this.rowTerms(
        rows,
        context.seed,
        context.labels,
        context.training ?? false,
      );
      const override: KlSchedule | undefined =
        context.klSchedule ??
        (context.beta === undefined ? undefined : { kind: 'constant', value: context.beta });
      const base = lossTerms(
        { reconstruction, kl },
        { klWeight: this.klScheduleFor(override), step: context.step ?? this.trainingStep },
      );
      const extra = this.objectiveExtras({ rows, mean, logVar }, context);
      const weightedKl = (
        extra.weightedKl ? tf.add(base.weightedKl, extra.weightedKl) : base.weightedKl
      ) as tf.Scalar;
      const regularizer = extra.regularizer ?? tf.scalar(0);
      const total =
        extra.weightedKl || extra.regularizer
          ? tf.add(tf.add(base.reconstruction, weightedKl), regularizer)
          : base.total;
      return {
        total: total as tf.Scalar,
        terms: {
          reconstruction: base.reconstruction as tf.Scalar,
          kl: base.kl as tf.Scalar,
          weightedKl,
          regularizer,
        },
      };
    });
  }

  /**
   * Terms a subclass adds to the objective given the batch's posterior (called inside `trainingLoss`'s tidy, with
   * the same context). The VAE adds none.
   */
  protected objectiveExtras(
    _posterior: { rows: tf.Tensor2D; mean: tf.Tensor2D; logVar: tf.Tensor2D },
    _context: ObjectiveContext,
  ): ExtraTerms {
    return {};
  }
}
