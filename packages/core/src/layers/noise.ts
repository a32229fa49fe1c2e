/** Input corruption for denoising autoencoders, active only in training (`fit`, or `apply(x, { training: true })`). */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { gaussianNoise, maskingNoise } from '../noise';
import {
  type CallKwargs,
  checkSeed,
  type LayerArgs,
  type LayerShape,
  SeedStream,
  singleInput,
} from './common';

export interface MaskingNoiseLayerArgs extends LayerArgs {
  /** Probability q that an input value is set to 0, in [0, 1). */
  rate: number;
  /** Seed of a reproducible noise stream (each call draws the next seed). Omit for unseeded noise. */
  seed?: number;
}

/**
 * Masking noise (the notes' denoising corruption): in training each input value is set to 0 with probability q and
 * kept unchanged with probability 1 - q (no rescaling, unlike dropout); at inference the input passes unchanged.
 * No weights. Registered for serialization as 'VaeMaskingNoise'.
 */
export class MaskingNoiseLayer extends tfl.layers.Layer {
  static className = 'VaeMaskingNoise';
  readonly rate: number;
  readonly seed: number | undefined;
  private readonly seeds: SeedStream;

  constructor(args: MaskingNoiseLayerArgs) {
    super(args);
    if (typeof args.rate !== 'number' || !(args.rate >= 0 && args.rate < 1)) {
      throw new Error(
        `MaskingNoiseLayer: rate (the probability q of zeroing a value) must lie in [0, 1), got ${args.rate}.`,
      );
    }
    checkSeed('MaskingNoiseLayer', args.seed);
    this.rate = args.rate;
    this.seed = args.seed;
    this.seeds = new SeedStream(args.seed);
    this.supportsMasking = true;
  }

  /** Restarts the noise stream from `seed` (or the configured seed). */
  reseed(seed: number | undefined = this.seed): void {
    checkSeed('MaskingNoiseLayer.reseed', seed);
    this.seeds.reset(seed);
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
    const x = singleInput('MaskingNoiseLayer', inputs);
    if (kwargs.training !== true || this.rate === 0) return tf.clone(x);
    return maskingNoise(x, this.rate, this.seeds.next());
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { rate: this.rate };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}
tf.serialization.registerClass(MaskingNoiseLayer);

export interface GaussianNoiseLayerArgs extends LayerArgs {
  /** Standard deviation of the noise, >= 0. */
  stddev: number;
  /** Seed of a reproducible noise stream (each call draws the next seed). Omit for unseeded noise. */
  seed?: number;
}

/**
 * Additive Gaussian noise: in training `x + N(0, stddev^2)` elementwise; at inference the input passes unchanged.
 * No weights. Registered for serialization as 'VaeGaussianNoise'.
 */
export class GaussianNoiseLayer extends tfl.layers.Layer {
  static className = 'VaeGaussianNoise';
  readonly stddev: number;
  readonly seed: number | undefined;
  private readonly seeds: SeedStream;

  constructor(args: GaussianNoiseLayerArgs) {
    super(args);
    if (typeof args.stddev !== 'number' || !Number.isFinite(args.stddev) || args.stddev < 0) {
      throw new Error(`GaussianNoiseLayer: stddev must be a finite number >= 0, got ${args.stddev}.`);
    }
    checkSeed('GaussianNoiseLayer', args.seed);
    this.stddev = args.stddev;
    this.seed = args.seed;
    this.seeds = new SeedStream(args.seed);
    this.supportsMasking = true;
  }

  /** Restarts the noise stream from `seed` (or the configured seed). */
  reseed(seed: number | undefined = this.seed): void {
    checkSeed('GaussianNoiseLayer.reseed', seed);
    this.seeds.reset(seed);
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
    const x = singleInput('GaussianNoiseLayer', inputs);
    if (kwargs.training !== true || this.stddev === 0) return tf.clone(x);
    return gaussianNoise(x, this.stddev, this.seeds.next());
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { stddev: this.stddev };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}
tf.serialization.registerClass(GaussianNoiseLayer);
