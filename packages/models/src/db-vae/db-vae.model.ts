/**
 * The debiasing VAE of Amini, Soleimany, Schwarting, Bhatia and Rus, "Uncovering and Mitigating Algorithmic Bias
 * through Learned Latent Structure" (AIES 2019): a binary classifier whose encoder also parameterizes a VAE's latent
 * z. The encoder's last layer outputs the posterior's mean and log-variance and one logit; the objective is
 *
 *   classifierWeight * BCE(y, logit) + 1[y = positive] * (-log p(x|z) + beta * KL(q(z|x) || N(0, I))),
 *
 * averaged over the batch (the VAE terms are 0 for negatives: the latent learns the structure of the positive
 * class only). During training, `debiasingSampler` redraws the positives every epoch with probability inversely
 * proportional to their latent density (core's `densityWeights`), so rare kinds of positives are seen more often.
 * As a `LossTerms` record: `reconstruction` and `kl` are the masked VAE terms per example of the batch, `regularizer`
 * the weighted classification term.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type BatchSource,
  batchRanges,
  binaryCrossEntropyWithLogits,
  type DataInput,
  type DensityWeightsOptions,
  densityWeights,
  klDivergenceStandardNormal,
  lossTerms,
  Random,
  range,
  reparameterize,
  reportProgress,
  weightedSample,
} from '@vae/core';
import type { BatchOptions } from '../base/model';
import type { EpochSampler, EpochSamplerInfo } from '../training/fit';
import type { LossTermScalars, ObjectiveContext } from '../training/trainable';
import { type CustomNetworks, VAE } from '../vae/vae.model';
import { type DBVAEConfig, resolveDBVAEConfig } from './db-vae.config';

export class DBVAE extends VAE {
  static override readonly className: string = 'DBVAE';
  declare readonly config: DBVAEConfig;

  static override resolveConfig(config: Partial<DBVAEConfig>): DBVAEConfig {
    return resolveDBVAEConfig(config);
  }

  constructor(config: Partial<DBVAEConfig> = {}, networks: CustomNetworks = {}) {
    super(config, networks);
  }

  /** mean, logVar, then the classifier's logit. */
  protected override encoderOutputUnits(): number {
    return 2 * this.latentDim + 1;
  }

  /** The posterior and the classifier's logit [batch] of flat rows, from one pass of the encoder. */
  protected encodeWithLogit(
    rows: tf.Tensor2D,
    dataInput: boolean,
  ): { mean: tf.Tensor2D; logVar: tf.Tensor2D; logit: tf.Tensor1D } {
    const all = this.encoder.apply(rows, { dataInput, condition: undefined });
    const k = this.latentDim;
    const [mean, logVar, logit] = tf.split(all, [k, k, 1], 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    return { mean, logVar, logit: tf.reshape(logit, [-1]) as tf.Tensor1D };
  }

  protected override encodeRows(
    rows: tf.Tensor2D,
    _labels: tf.Tensor1D | undefined,
    dataInput: boolean,
  ): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    const { mean, logVar } = this.encodeWithLogit(rows, dataInput);
    return { mean, logVar };
  }

  /** 1 where the label is the positive class, else 0, as float32 [batch]. */
  protected targetsOf(labels: tf.Tensor1D): tf.Tensor1D {
    return tf.cast(tf.equal(labels, this.config.positiveClass), 'float32') as tf.Tensor1D;
  }

  /** The classifier's logit of P(positive | x), [batch]. */
  classifierLogits(x: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => this.encodeWithLogit(this.flatten(x), true).logit);
  }

  /** P(positive | x) for a batch, [batch] in (0, 1). */
  classify(x: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => tf.sigmoid(this.classifierLogits(x)) as tf.Tensor1D);
  }

  /** P(positive | x) of every example of a data set, in order (batched; progress and `signal` as `embed`). */
  async predict(data: DataInput, options: BatchOptions = {}): Promise<Float32Array> {
    const source = await this.toSource(data, options.labels, 'predict');
    const out = new Float32Array(source.size);
    for (const [start, end] of batchRanges(source.size, options.batchSize ?? 1000)) {
      const p = tf.tidy(() => this.classify(source.batch(range(start, end))));
      out.set(await p.data(), start);
      p.dispose();
      await reportProgress(options, end, source.size);
    }
    return out;
  }

  /** The batch's labels whenever the data has them: they are the classifier's targets (the model is not conditioned). */
  protected override sourceLabels(source: BatchSource, indices: ArrayLike<number>): tf.Tensor1D | undefined {
    if (!source.labels) return undefined;
    return tf.tensor1d(
      Int32Array.from(indices, (i) => source.labels?.[i] as number),
      'int32',
    );
  }

  override async prepareTraining(data: BatchSource): Promise<void> {
    if (!data.labels) {
      throw new Error(
        'DBVAE: training needs class labels (BatchSource.labels), the targets of the classifier; pass labelled ' +
          `data, e.g. tensorSource(images, labels), with ${this.config.positiveClass} for the positive class.`,
      );
    }
  }

  /**
   * The objective for a batch (see the file's description), with its terms in nats per example of the batch:
   * `reconstruction` and `kl` masked to the positives, `weightedKl` their KL weighted by beta (or `klSchedule`),
   * `regularizer` classifierWeight x the mean binary cross-entropy of the classifier.
   */
  override trainingLoss(
    x: tf.Tensor,
    context: ObjectiveContext = {},
  ): { total: tf.Scalar; terms: LossTermScalars } {
    const labels = context.labels;
    if (!labels) {
      throw new Error(
        "DBVAE: the objective needs the batch's class labels (context.labels; fit and evaluate pass " +
          'BatchSource.labels): the classifier is trained on them and the VAE terms apply to the positives.',
      );
    }
    return tf.tidy(() => {
      const rows = this.flatten(x);
      if (labels.shape[0] !== rows.shape[0]) {
        throw new Error(
          `DBVAE: ${labels.shape[0]} labels for ${rows.shape[0]} examples; pass one per example.`,
        );
      }
      const targets = this.targetsOf(labels);
      const { mean, logVar, logit } = this.encodeWithLogit(rows, context.training ?? false);
      const z = reparameterize(mean, logVar, { seed: context.seed }) as tf.Tensor2D;
      const reconstruction = this.negativeLogLikelihood(rows, this.decoderOutputs(z, undefined));
      const kl = klDivergenceStandardNormal(mean, logVar, { reduction: 'none' }) as tf.Tensor1D;
      const vae = lossTerms(
        {
          reconstruction: tf.mul(reconstruction, targets) as tf.Tensor1D,
          kl: tf.mul(kl, targets) as tf.Tensor1D,
        },
        {
          klWeight: this.klScheduleFor(context.klSchedule),
          step: context.step ?? this.trainingStep,
        },
      );
      const classification = binaryCrossEntropyWithLogits(tf.expandDims(targets, 1), tf.expandDims(logit, 1));
      const regularizer = tf.mul(classification, this.config.classifierWeight) as tf.Scalar;
      return {
        total: tf.add(vae.total, regularizer) as tf.Scalar,
        terms: {
          reconstruction: vae.reconstruction as tf.Scalar,
          kl: vae.kl as tf.Scalar,
          weightedKl: vae.weightedKl as tf.Scalar,
          regularizer,
        },
      };
    });
  }
}

/** One epoch's debiasing weights. */
export interface DebiasingSnapshot {
  /** The epoch they were drawn for (1-based). */
  epoch: number;
  /** The resampled examples (the positives), as indices into the training data. */
  indices: Int32Array;
  /** Sampling probability of each of them (sums to 1), from `densityWeights`. */
  weights: Float64Array;
}

export interface DebiasingSamplerOptions extends DensityWeightsOptions {
  /** The label of the examples to resample. Default: the model's `positiveClass`, else 1. */
  positiveClass?: number;
  /** Examples per batch when encoding them. Default 1000. */
  batchSize?: number;
  /** Called with every epoch's weights. */
  onWeights?: (snapshot: DebiasingSnapshot) => void;
}

/** `fit`'s `epochSampler` for debiasing; `last` holds the weights of the latest epoch. */
export interface DebiasingSampler extends EpochSampler {
  (info: EpochSamplerInfo): Promise<Int32Array>;
  readonly last?: DebiasingSnapshot;
}

/** What the sampler needs from a model: latent means of a data set (every model of the registry has `embed`). */
export interface EmbeddingModel {
  embed(data: BatchSource, options?: { batchSize?: number }): Promise<tf.Tensor2D>;
  readonly config?: object;
}

/**
 * DB-VAE's adaptive resampling as `fit`'s `epochSampler`: before every epoch, the positives of `data` are encoded
 * by `model` (their latent means), weighted by `densityWeights` (per-dimension histograms, `bins`, smoothing
 * `alpha`), and drawn with replacement by those weights, as many as there are; the negatives are kept once each;
 * the epoch visits them all in a random order. The epoch has as many examples as without it (equal budget). Any
 * model with `embed` can drive it.
 *
 * @example
 * ```ts
 * const sampler = debiasingSampler(model, train, { alpha: 0.01 });
 * await model.fit(train, { epochs: 10, epochSampler: sampler });
 * sampler.last?.weights; // the sampling probabilities of the positives in the last epoch
 * ```
 */
export function debiasingSampler(
  model: EmbeddingModel,
  data: BatchSource,
  options: DebiasingSamplerOptions = {},
): DebiasingSampler {
  const labels = data.labels;
  if (!labels) {
    throw new Error(
      'debiasingSampler: the data has no labels (BatchSource.labels); pass labelled training data.',
    );
  }
  const configured = (model.config as { positiveClass?: number } | undefined)?.positiveClass;
  const positiveClass = options.positiveClass ?? configured ?? 1;
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < data.size; i++) (labels[i] === positiveClass ? positives : negatives).push(i);
  if (positives.length === 0) {
    throw new Error(
      `debiasingSampler: no example has the positive label ${positiveClass}; set positiveClass to a label the data has.`,
    );
  }
  // checked once here, before training starts
  densityWeights({ values: [0], shape: [1, 1] }, options);
  const positiveIndices = Int32Array.from(positives);
  const subset: BatchSource = {
    size: positives.length,
    itemShape: data.itemShape,
    batch: (indices) => data.batch(Array.from(indices, (i) => positives[i])),
  };
  let last: DebiasingSnapshot | undefined;
  const sampler = async (info: EpochSamplerInfo): Promise<Int32Array> => {
    const means = await model.embed(subset, { batchSize: options.batchSize ?? 1000 });
    let values: Float32Array;
    try {
      values = (await means.data()) as Float32Array;
    } finally {
      means.dispose();
    }
    const { weights } = densityWeights({ values, shape: means.shape }, options);
    last = { epoch: info.epoch, indices: positiveIndices, weights };
    options.onWeights?.(last);
    const random = new Random(info.seed);
    const drawn = weightedSample(weights, positives.length, random);
    const order = new Int32Array(data.size);
    for (let i = 0; i < drawn.length; i++) order[i] = positives[drawn[i]];
    order.set(negatives, drawn.length);
    return random.shuffle(order);
  };
  return Object.defineProperty(sampler, 'last', { get: () => last, enumerable: true }) as DebiasingSampler;
}
