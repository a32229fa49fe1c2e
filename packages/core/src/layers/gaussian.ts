/** Layers of a Gaussian posterior: a head producing (mean, log-variance) and the reparameterized sampler. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fusedDense } from '../dense';
import {
  type CallKwargs,
  checkSeed,
  type LayerArgs,
  type LayerShape,
  linearInitializer,
  SeedStream,
  singleInput,
  singleShape,
} from './common';

export interface SamplingLayerArgs extends LayerArgs {
  /**
   * Seed of a reproducible stream of noise: each call draws the next seed of the stream, so successive calls
   * differ but a run repeats exactly. Omit for unseeded noise.
   */
  seed?: number;
  /** Scales the noise eps (0 gives the mean). Default 1. */
  temperature?: number;
  /** What to output when not training (`predict`): 'sample' (default) or 'mean'. Training always samples. */
  inference?: 'sample' | 'mean';
}

/**
 * The reparameterization trick as a layer: inputs [mean, logVar], both [batch, latent]; output
 * `z = mean + exp(logVar / 2) * eps` with eps ~ N(0, I), so gradients flow to both inputs. No weights.
 * Registered for serialization as 'VaeSampling'.
 */
export class SamplingLayer extends tfl.layers.Layer {
  static className = 'VaeSampling';
  readonly seed: number | undefined;
  readonly temperature: number;
  readonly inference: 'sample' | 'mean';
  private readonly seeds: SeedStream;

  constructor(args: SamplingLayerArgs = {}) {
    super(args);
    checkSeed('SamplingLayer', args.seed);
    const temperature = args.temperature ?? 1;
    if (!Number.isFinite(temperature) || temperature < 0) {
      throw new Error(`SamplingLayer: temperature must be a finite number >= 0, got ${temperature}.`);
    }
    const inference = args.inference ?? 'sample';
    if (inference !== 'sample' && inference !== 'mean') {
      throw new Error(`SamplingLayer: inference must be 'sample' or 'mean', got '${inference}'.`);
    }
    this.seed = args.seed;
    this.temperature = temperature;
    this.inference = inference;
    this.seeds = new SeedStream(args.seed);
  }

  /** Restarts the noise stream from `seed` (or the configured seed): the next calls repeat their noise. */
  reseed(seed: number | undefined = this.seed): void {
    checkSeed('SamplingLayer.reseed', seed);
    this.seeds.reset(seed);
  }

  private pair(shapes: LayerShape | LayerShape[]): [LayerShape, LayerShape] {
    if (!Array.isArray(shapes[0]) || shapes.length !== 2) {
      throw new Error(
        `SamplingLayer '${this.name}': expected two inputs [mean, logVar], got ${JSON.stringify(shapes)}.`,
      );
    }
    const [mean, logVar] = shapes as LayerShape[];
    if (mean.length !== logVar.length || mean.some((d, i) => d !== logVar[i])) {
      throw new Error(
        `SamplingLayer '${this.name}': mean has shape [${mean}] but logVar has shape [${logVar}]; they must match.`,
      );
    }
    return [mean, logVar];
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    return this.pair(inputShape)[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) {
      throw new Error(`SamplingLayer '${this.name}': expected two inputs [mean, logVar].`);
    }
    const [mean, logVar] = inputs;
    this.pair([mean.shape, logVar.shape]);
    if (kwargs.training !== true && this.inference === 'mean') return tf.clone(mean);
    const seed = this.seeds.next();
    return tf.tidy(() => {
      let eps: tf.Tensor = tf.randomNormal(mean.shape, 0, 1, 'float32', seed);
      if (this.temperature !== 1) eps = tf.mul(eps, this.temperature);
      return tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVar)), eps));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { temperature: this.temperature, inference: this.inference };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}
tf.serialization.registerClass(SamplingLayer);

export interface GaussianHeadLayerArgs extends LayerArgs {
  /** Latent size: each output has this many units. */
  units: number;
  /** Seed of the initializer. Omit for a random one. */
  seed?: number;
  /** Whether the input needs a gradient (false when fed with data). Default true. */
  inputGradient?: boolean;
}

/**
 * The head of a Gaussian encoder: one affine map from [batch, features] to two outputs, the mean and the
 * log-variance log sigma^2, each [batch, units] (predicting log sigma^2 keeps the variance positive without
 * constraints). One matMul with a hand-written backward (`fusedDense`): `kernel` is [features, 2 units] and `bias`
 * [2 units]; the first `units` columns give the mean, the others the log-variance. Registered as 'VaeGaussianHead'.
 */
export class GaussianHeadLayer extends tfl.layers.Layer {
  static className = 'VaeGaussianHead';
  readonly units: number;
  readonly seed: number | undefined;
  readonly inputGradient: boolean;
  kernel: tfl.LayerVariable | null = null;
  bias: tfl.LayerVariable | null = null;

  constructor(args: GaussianHeadLayerArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new Error(`GaussianHeadLayer: units must be a positive integer, got ${args.units}.`);
    }
    checkSeed('GaussianHeadLayer', args.seed);
    this.units = args.units;
    this.seed = args.seed;
    this.inputGradient = args.inputGradient ?? true;
  }

  private features(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape('GaussianHeadLayer', inputShape);
    if (shape.length !== 2 || shape[1] === null) {
      throw new Error(
        `GaussianHeadLayer '${this.name}': expected inputs of shape [batch, features], got [${shape}]. ` +
          'Add a flatten layer before it.',
      );
    }
    return shape;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const size = this.features(inputShape)[1] as number;
    const seed = this.seed;
    this.kernel = this.addWeight('kernel', [size, 2 * this.units], 'float32', linearInitializer(size, seed));
    const biasSeed = seed === undefined ? undefined : seed + 1;
    this.bias = this.addWeight('bias', [2 * this.units], 'float32', linearInitializer(size, biasSeed));
    this.built = true;
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape[] {
    const batch = this.features(inputShape)[0];
    return [
      [batch, this.units],
      [batch, this.units],
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallKwargs): tf.Tensor[] {
    return tf.tidy(() => {
      const x = singleInput('GaussianHeadLayer', inputs) as tf.Tensor2D;
      const both = fusedDense(
        x,
        (this.kernel as tfl.LayerVariable).read(),
        (this.bias as tfl.LayerVariable).read(),
        {
          inputGradient: this.inputGradient,
        },
      );
      return tf.split(both, 2, 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { units: this.units, inputGradient: this.inputGradient };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}
tf.serialization.registerClass(GaussianHeadLayer);
