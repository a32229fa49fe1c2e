/**
 * Post-hoc samplers: generative models fitted on the codes of a trained model, so that any model of the registry
 * (the plain autoencoders included) can `sample`. Sampling an autoencoder's decoder at random codes gives noise:
 * its codes fill a small, oddly shaped region; a density fitted on the codes of the training data gives codes like
 * them. Two samplers:
 *
 * - `GaussianMixtureSampler`: a mixture of Gaussians fitted by EM on the codes (core's `GaussianMixture`), as in
 *   Ghosh et al., "From variational to deterministic autoencoders" (ICLR 2020), and pythae's GMM sampler;
 * - `SecondStageSampler`: a second VAE trained on the codes, the two-stage VAE of Dai and Wipf, "Diagnosing and
 *   enhancing VAE models" (ICLR 2019).
 *
 * For VAEs they fit the posterior means (what `embed` returns); they often sample better than the N(0, I) prior,
 * whose holes (regions the aggregate posterior leaves empty) decode to blurry images.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type DataInput,
  GaussianMixture,
  type GaussianMixtureFitOptions,
  type GaussianMixtureFitReport,
  type GaussianMixtureJSON,
  type ProgressOptions,
  Random,
  tensorSource,
} from '@vae/core';
import type { FitOptions, History } from '../training/fit';
import { type DecoderOutputs, VAE } from '../vae/vae.model';

/** What a sampler needs from a model: its codes and its decoder. Every model of the registry has both. */
export interface CodeModel {
  readonly className: string;
  readonly latentDim: number;
  embed(data: DataInput, options?: { batchSize?: number } & ProgressOptions): Promise<tf.Tensor2D>;
  decode(z: tf.Tensor): tf.Tensor;
}

export interface SampleOptions {
  /** Seed of the draws. Default: random. */
  seed?: number;
  /** Scales the spread of the draws (1: the fitted density). */
  temperature?: number;
}

function checkCount(where: string, count: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`${where}: count must be a positive integer, got ${count}.`);
  }
}

const randomSeed = () => Math.floor(Math.random() * 2 ** 31);

/** The codes of `data` under `model` as a float64 matrix. */
async function codesOf(
  model: CodeModel,
  data: DataInput,
  options: { batchSize?: number } & ProgressOptions,
): Promise<{ values: Float64Array; rows: number; columns: number }> {
  const codes = await model.embed(data, options);
  try {
    return { values: Float64Array.from(await codes.data()), rows: codes.shape[0], columns: codes.shape[1] };
  } finally {
    codes.dispose();
  }
}

/** A Gaussian mixture sampler as plain JSON (`toJSON`). */
export interface GaussianMixtureSamplerJSON {
  format: 'vae-sampler';
  kind: 'GaussianMixtureSampler';
  /** The class of the model whose codes were fitted. */
  modelClassName: string;
  mixture: GaussianMixtureJSON;
}

export interface GaussianMixtureSamplerOptions extends GaussianMixtureFitOptions, ProgressOptions {
  /** Mixture components. Default 10. */
  components?: number;
  /** Examples per batch when computing the codes. Default 1000. */
  batchSize?: number;
}

/** What the post-hoc samplers share: codes drawn each its own way, decoded by the model. */
export abstract class CodeSampler {
  abstract readonly model: CodeModel;

  /** `count` codes, [count, latentDim]. */
  abstract sampleCodes(count: number, options?: SampleOptions): tf.Tensor2D;

  /** Decodes `count` codes drawn by `sampleCodes`: [count, ...inputShape]. */
  sample(count: number, options: SampleOptions = {}): tf.Tensor {
    const codes = this.sampleCodes(count, options);
    try {
      return this.model.decode(codes);
    } finally {
      codes.dispose();
    }
  }
}

/** Samples a model through a Gaussian mixture fitted on its codes (see the file's comment). */
export class GaussianMixtureSampler extends CodeSampler {
  constructor(
    readonly model: CodeModel,
    readonly mixture: GaussianMixture,
    /** How the EM fit ended (absent for a sampler loaded from JSON). */
    readonly report?: GaussianMixtureFitReport,
  ) {
    super();
    if (mixture.dimension !== model.latentDim) {
      throw new Error(
        `GaussianMixtureSampler: the mixture has ${mixture.dimension} dimensions, the ${model.className} ` +
          `${model.latentDim} latent dimensions; fit it on this model's codes.`,
      );
    }
  }

  /**
   * Fits a mixture of `components` Gaussians (default 10, diagonal covariances unless `covariance: 'full'`) to the
   * codes of `data` (posterior means for VAEs), by EM from k-means++-seeded k-means, seeded.
   */
  static async fit(
    model: CodeModel,
    data: DataInput,
    options: GaussianMixtureSamplerOptions = {},
  ): Promise<GaussianMixtureSampler> {
    const { components = 10, batchSize, onProgress, signal, ...fitOptions } = options;
    const points = await codesOf(model, data, { batchSize, onProgress, signal });
    const { mixture, ...report } = GaussianMixture.fit(points, components, fitOptions);
    return new GaussianMixtureSampler(model, mixture, report);
  }

  /**
   * Fits the mixture to codes given directly, [n, latentDim] (a tensor, read and not disposed, or a float64
   * matrix): e.g. draws z ~ q(z|x) of a VAE, whose mixture then estimates the aggregate posterior rather than the
   * spread of the posterior means (see the README's table).
   */
  static async fromCodes(
    model: CodeModel,
    codes: tf.Tensor2D | { values: Float64Array; rows: number; columns: number },
    options: Omit<GaussianMixtureSamplerOptions, 'batchSize' | 'onProgress' | 'signal'> = {},
  ): Promise<GaussianMixtureSampler> {
    const { components = 10, ...fitOptions } = options;
    const points =
      codes instanceof tf.Tensor
        ? { values: Float64Array.from(await codes.data()), rows: codes.shape[0], columns: codes.shape[1] }
        : codes;
    if (points.columns !== model.latentDim) {
      throw new Error(
        `GaussianMixtureSampler.fromCodes: codes have ${points.columns} columns, the ${model.className} ` +
          `${model.latentDim} latent dimensions.`,
      );
    }
    const { mixture, ...report } = GaussianMixture.fit(points, components, fitOptions);
    return new GaussianMixtureSampler(model, mixture, report);
  }

  /** `count` codes drawn from the mixture, [count, latentDim]. */
  sampleCodes(count: number, options: SampleOptions = {}): tf.Tensor2D {
    checkCount('GaussianMixtureSampler.sample', count);
    const { values } = this.mixture.sample(count, {
      seed: options.seed ?? randomSeed(),
      temperature: options.temperature,
    });
    return tf.tensor2d(Float32Array.from(values), [count, this.mixture.dimension]);
  }

  /** log-density of codes [n, latentDim] under the mixture, nats. */
  async logDensity(z: tf.Tensor): Promise<Float64Array> {
    if (z.rank !== 2 || z.shape[1] !== this.mixture.dimension) {
      throw new Error(
        `GaussianMixtureSampler.logDensity: expected codes [n, ${this.mixture.dimension}], got [${z.shape}].`,
      );
    }
    const values = Float64Array.from(await z.data());
    return this.mixture.logDensity({ values, rows: z.shape[0], columns: z.shape[1] });
  }

  toJSON(): GaussianMixtureSamplerJSON {
    return {
      format: 'vae-sampler',
      kind: 'GaussianMixtureSampler',
      modelClassName: this.model.className,
      mixture: this.mixture.toJSON(),
    };
  }

  /** A sampler from `toJSON`'s output and the model it was fitted on (checked: kind, class, dimensions). */
  static fromJSON(json: GaussianMixtureSamplerJSON, model: CodeModel): GaussianMixtureSampler {
    if (json?.format !== 'vae-sampler' || json.kind !== 'GaussianMixtureSampler') {
      throw new Error("GaussianMixtureSampler.fromJSON: not a sampler file (format 'vae-sampler').");
    }
    if (json.modelClassName !== model.className) {
      throw new Error(
        `GaussianMixtureSampler.fromJSON: the sampler was fitted on a ${String(json.modelClassName).slice(0, 100)}, ` +
          `not a ${model.className}.`,
      );
    }
    return new GaussianMixtureSampler(model, GaussianMixture.fromJSON(json.mixture));
  }
}

export interface SecondStageOptions extends Omit<FitOptions, 'validationData'> {
  /** Hidden layers of the second VAE. Default [256, 256]. */
  hiddenUnits?: number[];
  /** Seed of the second VAE's weights (and of `fit` unless `seed` is given). */
  seed?: number;
  /** Examples per batch when computing the codes. Default 1000. */
  embedBatchSize?: number;
}

/**
 * Samples a model through a second VAE trained on its codes (Dai and Wipf's two-stage VAE): codes are standardized
 * per dimension, the second VAE (Gaussian decoder with a learned variance, as many latent dimensions as the codes)
 * learns their distribution, and its samples, mapped back, are decoded by the first model.
 */
export class SecondStageSampler extends CodeSampler {
  constructor(
    readonly model: CodeModel,
    /** The second VAE, on standardized codes. Save it with `saveModel`; `toJSON` holds the rest. */
    readonly stage: VAE,
    /** Per-dimension mean and standard deviation of the codes. */
    readonly standardization: { mean: number[]; std: number[] },
    /** Training history of the second VAE (absent when built from parts). */
    readonly history?: History,
  ) {
    super();
    const d = model.latentDim;
    if (stage.config.likelihood !== 'gaussian' || stage.config.variance !== 'learned') {
      throw new Error(
        'SecondStageSampler: the second VAE must have a Gaussian decoder with a learned variance.',
      );
    }
    if (stage.inputSize !== d || standardization.mean.length !== d || standardization.std.length !== d) {
      throw new Error(
        `SecondStageSampler: the second VAE and the standardization must have the ${model.className}'s ${d} ` +
          'latent dimensions.',
      );
    }
  }

  /** Computes the codes of `data`, standardizes them and trains the second VAE on them (see `SecondStageOptions`). */
  static async fit(
    model: CodeModel,
    data: DataInput,
    options: SecondStageOptions = {},
  ): Promise<SecondStageSampler> {
    const { hiddenUnits = [256, 256], embedBatchSize, ...fitOptions } = options;
    const points = await codesOf(model, data, { batchSize: embedBatchSize, signal: options.signal });
    const { rows, columns: d, values } = points;
    const mean = new Array(d).fill(0);
    const std = new Array(d).fill(0);
    for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) mean[j] += values[i * d + j] / rows;
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < d; j++) std[j] += (values[i * d + j] - mean[j]) ** 2 / rows;
    for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]) + 1e-6;
    const standardized = tf.tidy(() =>
      tf.div(tf.sub(tf.tensor2d(Float32Array.from(values), [rows, d]), mean), std),
    ) as tf.Tensor2D;
    const stage = new VAE({
      inputShape: [d],
      latentDim: d,
      hiddenUnits,
      likelihood: 'gaussian',
      variance: 'learned',
      meanActivation: 'linear',
      minLogVar: -9,
      seed: options.seed,
    });
    try {
      const history = await stage.fit(tensorSource(standardized), {
        epochs: 20,
        batchSize: 128,
        learningRate: 1e-3,
        ...fitOptions,
        seed: options.seed,
      });
      return new SecondStageSampler(model, stage, { mean, std }, history);
    } catch (error) {
      stage.dispose();
      throw error;
    } finally {
      standardized.dispose();
    }
  }

  /**
   * `count` codes drawn through the second VAE, [count, latentDim]: w ~ N(0, temperature^2 I) (the second VAE's prior), then u ~ p(u|w), the
   * decoder's Gaussian with its learned variance (its mean alone would lose the spread the decoder models), mapped
   * back from the standardization.
   */
  sampleCodes(count: number, options: SampleOptions = {}): tf.Tensor2D {
    checkCount('SecondStageSampler.sample', count);
    const temperature = options.temperature ?? 1;
    if (!(temperature > 0))
      throw new Error(`SecondStageSampler.sample: temperature must be > 0, got ${temperature}.`);
    const random = new Random(options.seed ?? randomSeed());
    const d = this.model.latentDim;
    return tf.tidy(() => {
      const w = tf.randomNormal([count, d], 0, temperature, 'float32', random.nextSeed()) as tf.Tensor2D;
      // The decoder's mean and log-variance: VAE's decoderOutputs, protected for users; the sampler is of the package.
      const outputs = (
        this.stage as unknown as { decoderOutputs(z: tf.Tensor2D, l: undefined): DecoderOutputs }
      ).decoderOutputs(w, undefined);
      const noise = tf.randomNormal([count, d], 0, 1, 'float32', random.nextSeed());
      const u = tf.add(
        outputs.mean as tf.Tensor2D,
        tf.mul(tf.exp(tf.mul(0.5, outputs.logVar as tf.Tensor2D)), noise),
      );
      return tf.add(tf.mul(u, this.standardization.std), this.standardization.mean) as tf.Tensor2D;
    });
  }

  /** The standardization and the model's class, as JSON; the second VAE is saved with `saveModel(sampler.stage)`. */
  toJSON(): {
    format: 'vae-sampler';
    kind: 'SecondStageSampler';
    modelClassName: string;
    mean: number[];
    std: number[];
  } {
    return {
      format: 'vae-sampler',
      kind: 'SecondStageSampler',
      modelClassName: this.model.className,
      ...this.standardization,
    };
  }

  /** Releases the second VAE (not the model). */
  dispose(): void {
    this.stage.dispose();
  }
}
