/**
 * Convolution layers for the tfjs Layers API whose gradients run on every backend, wasm included (tfjs 4.22's
 * wasm backend cannot differentiate its own convolutions): the maths is `fusedConv2d`. 'same' padding, square
 * kernels, channels last. Registered as 'VaeConv2D' and 'VaeConv2DTranspose'.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fusedConv2d } from '../conv';
import { ACTIVATIONS, type Activation } from '../dense';
import {
  type CallKwargs,
  checkSeed,
  type LayerArgs,
  type LayerShape,
  singleInput,
  singleShape,
} from './common';

export interface ConvLayerArgs extends LayerArgs {
  /** Output channels, a positive integer. */
  filters: number;
  /** Square kernel size. */
  kernelSize: number;
  /** Stride in both directions. Default 1. */
  strides?: number;
  /** Nonlinearity after the bias. Default 'linear'. */
  activation?: Activation;
  /** Whether the input needs a gradient (false for a first layer fed with data). Default true. */
  inputGradient?: boolean;
  /** Seed of the Glorot-uniform kernel initializer. Omit for a random one. */
  seed?: number;
}

function checkArgs(layer: string, args: ConvLayerArgs): void {
  for (const [name, value] of [
    ['filters', args.filters],
    ['kernelSize', args.kernelSize],
    ['strides', args.strides ?? 1],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`${layer}: ${name} must be a positive integer, got ${value}.`);
    }
  }
  const activation = args.activation ?? 'linear';
  if (!ACTIVATIONS.includes(activation)) {
    throw new Error(`${layer}: unknown activation '${activation}'; use one of ${ACTIVATIONS.join(', ')}.`);
  }
  checkSeed(layer, args.seed);
}

function imageShape(layer: string, inputShape: LayerShape | LayerShape[]): LayerShape {
  const shape = singleShape(layer, inputShape);
  if (shape.length !== 4 || shape[3] === null) {
    throw new Error(
      `${layer}: expected images [batch, height, width, channels], got [${shape.map((d) => d ?? 'null')}].`,
    );
  }
  return shape;
}

abstract class BaseConvLayer extends tfl.layers.Layer {
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly activation: Activation;
  readonly inputGradient: boolean;
  readonly seed: number | undefined;
  kernel: tfl.LayerVariable | null = null;
  bias: tfl.LayerVariable | null = null;
  protected abstract readonly transposed: boolean;

  constructor(args: ConvLayerArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? 1;
    this.activation = args.activation ?? 'linear';
    this.inputGradient = args.inputGradient ?? true;
    this.seed = args.seed;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const channels = imageShape(this.getClassName(), inputShape)[3] as number;
    const k = this.kernelSize;
    const shape = this.transposed ? [k, k, this.filters, channels] : [k, k, channels, this.filters];
    this.kernel = this.addWeight(
      'kernel',
      shape,
      'float32',
      tfl.initializers.glorotUniform({ seed: this.seed }),
    );
    this.bias = this.addWeight('bias', [this.filters], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  /**
   * `kwargs.inputGradient: false` skips the input gradient for this call (the input is data), also where the layer
   * was built with `inputGradient: true` (e.g. an encoder's first layer, whose input is data in training but a
   * trained pseudo-input elsewhere).
   */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
    const inputGradient = this.inputGradient && kwargs?.inputGradient !== false;
    return tf.tidy(() =>
      fusedConv2d(
        singleInput(this.getClassName(), inputs) as tf.Tensor4D,
        (this.kernel as tfl.LayerVariable).read(),
        (this.bias as tfl.LayerVariable).read(),
        {
          strides: this.strides,
          activation: this.activation,
          transposed: this.transposed,
          inputGradient,
        },
      ),
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      activation: this.activation,
      inputGradient: this.inputGradient,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}

/** A 'same'-padded 2-D convolution, [B, H, W, C] -> [B, ceil(H / s), ceil(W / s), filters], trainable on wasm. */
export class ConvLayer extends BaseConvLayer {
  static className = 'VaeConv2D';
  protected readonly transposed = false;

  constructor(args: ConvLayerArgs) {
    checkArgs('ConvLayer', args);
    super(args);
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const [batch, height, width] = imageShape('ConvLayer', inputShape);
    const out = (d: number | null) => (d === null ? null : Math.ceil(d / this.strides));
    return [batch, out(height), out(width), this.filters];
  }
}
tf.serialization.registerClass(ConvLayer);

/** A 'same'-padded transposed convolution, [B, H, W, C] -> [B, H s, W s, filters], trainable on wasm. */
export class ConvTransposeLayer extends BaseConvLayer {
  static className = 'VaeConv2DTranspose';
  protected readonly transposed = true;

  constructor(args: ConvLayerArgs) {
    checkArgs('ConvTransposeLayer', args);
    super(args);
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const [batch, height, width] = imageShape('ConvTransposeLayer', inputShape);
    const out = (d: number | null) => (d === null ? null : d * this.strides);
    return [batch, out(height), out(width), this.filters];
  }
}
tf.serialization.registerClass(ConvTransposeLayer);
