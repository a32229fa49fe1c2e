/**
 * Gaussian log-densities (true densities, with the 1/2 log(2 pi) constant) and a diagonal Gaussian distribution,
 * in nats. Densities sum over the axes of one event and keep one value per example: by default an event is all
 * axes but the first (shape [batch, ...] gives [batch]); pass `eventRank` to say how many trailing axes form one
 * event, e.g. `eventRank: 1` for samples of shape [k, batch, latent], giving [k, batch].
 */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import { klDivergenceDiagonalGaussian, klDivergenceStandardNormal } from './divergences';
import {
  assertBatched,
  assertBroadcastsTo,
  assertFiniteNumber,
  assertPositiveInteger,
  assertSameShape,
  eventAxes,
  LOG_TWO_PI,
  type Reduction,
  reduceBatch,
  sumAxes,
} from './validation';

export interface DensityOptions {
  /**
   * What happens to the per-example values after summing over each event: 'none' (default) keeps them,
   * 'mean' and 'sum' reduce them all to a scalar.
   */
  reduction?: Reduction;
  /** Number of trailing axes that form one event. Default: all axes but the first. */
  eventRank?: number;
}

/**
 * log N(x; mean, diag(exp(logVar))) = `-1/2 sum_j [ log(2 pi) + logVar_j + (x_j - mean_j)^2 / exp(logVar_j) ]`,
 * summed over each event's dimensions (nats per example), then reduced as `reduction` says ('none' by default).
 * `mean` and `logVar` may have x's shape or broadcast to it (e.g. [batch, d] against samples [k, batch, d] with
 * `eventRank: 1`).
 */
export function gaussianLogDensity(
  x: tf.Tensor,
  mean: tf.Tensor,
  logVar: tf.Tensor,
  options: DensityOptions = {},
): tf.Tensor {
  const caller = 'gaussianLogDensity';
  assertBroadcastsTo(caller, 'mean', mean, 'x', x);
  assertBroadcastsTo(caller, 'logVar', logVar, 'x', x);
  const axes = eventAxes(caller, x.rank, options.eventRank);
  return tf.tidy(() => {
    // tf.square(tf.sub(...)), not tf.squaredDifference: the latter's gradient in tfjs 4.22 ignores broadcasting
    // (mean [batch, d] against samples [k, batch, d] fails with a shape error when differentiated).
    const quadratic = tf.mul(tf.square(tf.sub(x, mean)), tf.exp(tf.neg(logVar)));
    const elementwise = tf.mul(-0.5, tf.add(tf.add(quadratic, logVar), LOG_TWO_PI));
    return reduceBatch(sumAxes(elementwise, axes), options.reduction ?? 'none', caller);
  });
}

/**
 * log N(z; 0, I) = `-1/2 sum_j [ log(2 pi) + z_j^2 ]`, summed over each event's dimensions (nats per example),
 * then reduced as `reduction` says ('none' by default). The log-density of the standard normal prior.
 */
export function standardNormalLogDensity(z: tf.Tensor, options: DensityOptions = {}): tf.Tensor {
  const caller = 'standardNormalLogDensity';
  const axes = eventAxes(caller, z.rank, options.eventRank);
  return tf.tidy(() => {
    const elementwise = tf.mul(-0.5, tf.add(tf.square(z), LOG_TWO_PI));
    return reduceBatch(sumAxes(elementwise, axes), options.reduction ?? 'none', caller);
  });
}

export interface SampleOptions {
  /** Seed of the noise, for reproducible draws. Omit for a random one. */
  seed?: number;
  /** Number of samples per example: the result gets a leading axis of this size. Omit for one, without it. */
  samples?: number;
  /** Scales the noise (0 gives the mean). Default 1. */
  temperature?: number;
}

/**
 * A batch of diagonal Gaussians N(mean, diag(exp(logVar))), one per example: `mean` and `logVar` have shape
 * [batch, ...latent]. It holds the caller's tensors without copying or owning them (use `dispose` only to dispose
 * them). Every method returns new tensors the caller disposes; values are in nats, one per example ([batch]) unless
 * `reduction` says otherwise.
 */
export class DiagonalGaussian {
  readonly mean: tf.Tensor;
  readonly logVar: tf.Tensor;

  constructor(mean: tf.Tensor, logVar: tf.Tensor) {
    assertSameShape('DiagonalGaussian', 'mean', mean, 'logVar', logVar);
    assertBatched('DiagonalGaussian', 'mean', mean);
    this.mean = mean;
    this.logVar = logVar;
  }

  /** Number of trailing axes that form one event (all but the batch axis). */
  get eventRank(): number {
    return this.mean.rank - 1;
  }

  /** exp(logVar), shape of `mean`. */
  variance(): tf.Tensor {
    return tf.exp(this.logVar);
  }

  /** exp(logVar / 2), shape of `mean`. */
  standardDeviation(): tf.Tensor {
    return tf.tidy(() => tf.exp(tf.mul(0.5, this.logVar)));
  }

  /**
   * Draws by reparameterization, `z = mean + exp(logVar / 2) * eps` with eps ~ N(0, I), so gradients flow to the
   * parameters. Shape of `mean`, or [samples, ...shape of mean] when `samples` is given.
   */
  sample(options: SampleOptions = {}): tf.Tensor {
    const caller = 'DiagonalGaussian.sample';
    if (options.samples !== undefined) assertPositiveInteger(caller, 'samples', options.samples);
    if (options.temperature !== undefined) {
      assertFiniteNumber(caller, 'temperature', options.temperature);
      if (options.temperature < 0)
        throw new Error(`${caller}: temperature must be >= 0, got ${options.temperature}.`);
    }
    const shape = options.samples === undefined ? this.mean.shape : [options.samples, ...this.mean.shape];
    return tf.tidy(() => {
      let eps: tf.Tensor = tf.randomNormal(shape, 0, 1, 'float32', options.seed);
      if (options.temperature !== undefined && options.temperature !== 1)
        eps = tf.mul(eps, options.temperature);
      return tf.add(this.mean, tf.mul(tf.exp(tf.mul(0.5, this.logVar)), eps));
    });
  }

  /**
   * Draws like `sample` and returns the draws with their log-density log q(z) (nats, [batch] or [samples, batch]).
   * The density comes from the standardized noise eps itself, `-1/2 sum_j [log(2 pi) + logVar_j + eps_j^2]`, which
   * stays exact where the standard deviation is tiny next to the mean (`logProb(z)` would subtract two nearly
   * equal numbers there). Gradients flow to the parameters through both.
   */
  sampleWithLogProb(options: Omit<SampleOptions, 'temperature'> = {}): { z: tf.Tensor; logProb: tf.Tensor } {
    const caller = 'DiagonalGaussian.sampleWithLogProb';
    if (options.samples !== undefined) assertPositiveInteger(caller, 'samples', options.samples);
    const shape = options.samples === undefined ? this.mean.shape : [options.samples, ...this.mean.shape];
    return tf.tidy(() => {
      const eps = tf.randomNormal(shape, 0, 1, 'float32', options.seed);
      const z = tf.add(this.mean, tf.mul(tf.exp(tf.mul(0.5, this.logVar)), eps));
      const elementwise = tf.mul(-0.5, tf.add(tf.add(this.logVar, tf.square(eps)), LOG_TWO_PI));
      const axes = eventAxes(caller, elementwise.rank, this.eventRank);
      return { z, logProb: sumAxes(elementwise, axes) };
    });
  }

  /**
   * log q(z) summed over each event (nats): z has the shape of `mean` ([batch]) or leading sample axes
   * ([k, batch, ...latent] gives [k, batch]). Reduced as `reduction` says ('none' by default).
   */
  logProb(z: tf.Tensor, options: { reduction?: Reduction } = {}): tf.Tensor {
    if (
      z.rank < this.mean.rank ||
      z.shape.slice(z.rank - this.mean.rank).some((d, i) => d !== this.mean.shape[i])
    ) {
      throw new Error(
        `DiagonalGaussian.logProb: z must have shape [${this.mean.shape}] or [samples, ${this.mean.shape}], ` +
          `got [${z.shape}].`,
      );
    }
    return gaussianLogDensity(z, this.mean, this.logVar, {
      reduction: options.reduction,
      eventRank: this.eventRank,
    });
  }

  /**
   * Differential entropy `1/2 sum_j (1 + log(2 pi) + logVar_j)` per example (nats, [batch]), reduced as
   * `reduction` says ('none' by default).
   */
  entropy(options: { reduction?: Reduction } = {}): tf.Tensor {
    return tf.tidy(() => {
      const axes = eventAxes('DiagonalGaussian.entropy', this.logVar.rank);
      const elementwise = tf.mul(0.5, tf.add(this.logVar, 1 + LOG_TWO_PI));
      return reduceBatch(sumAxes(elementwise, axes), options.reduction ?? 'none', 'DiagonalGaussian.entropy');
    });
  }

  /**
   * KL(this || other) in closed form, summed over latent dimensions (nats per example, [batch]); KL(this || N(0, I))
   * when `other` is omitted. Reduced as `reduction` says ('none' by default).
   */
  kl(other?: DiagonalGaussian, options: { reduction?: Reduction } = {}): tf.Tensor {
    const reduction = options.reduction ?? 'none';
    if (other === undefined) return klDivergenceStandardNormal(this.mean, this.logVar, { reduction });
    return klDivergenceDiagonalGaussian(this.mean, this.logVar, other.mean, other.logVar, { reduction });
  }

  /** Disposes `mean` and `logVar`. Call it only when this distribution owns them. */
  dispose(): void {
    tf.dispose([this.mean, this.logVar]);
  }
}
