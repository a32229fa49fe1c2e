/**
 * Builders of common layer stacks: an MLP of `DenseLayer`s and a strided convolutional stack. They return arrays of
 * layers, to `add` to a `tf.sequential` or chain with `stackLayers` in a functional model.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ACTIVATIONS, type Activation } from '../dense';
import { ConvLayer, ConvTransposeLayer } from './conv';
import { DenseLayer } from './dense';

export interface MlpBlockOptions {
  /** Output size of each layer, in order, e.g. [400] or [512, 256]. */
  units: readonly number[];
  /** Nonlinearity of every layer but the last. Default 'relu'. */
  activation?: Activation;
  /** Nonlinearity of the last layer. Default: `activation`. */
  outputActivation?: Activation;
  /** Size of one input, [features]; gives the first layer an input shape (needed first in a tf.sequential). */
  inputShape?: readonly number[];
  /** Whether the first layer needs an input gradient (false when fed with data). Default true. */
  inputGradient?: boolean;
  /** Layer names are `${name}_dense${i}`. Default: tfjs' automatic names. */
  name?: string;
  /** Seed of the initializers (layer i uses seed + 2 i). Omit for random ones. */
  seed?: number;
}

/** A stack of `DenseLayer`s (hand-written backward, fast on wasm), one per entry of `units`. */
export function mlpBlock(options: MlpBlockOptions): DenseLayer[] {
  const { units } = options;
  if (!Array.isArray(units) || units.length === 0) {
    throw new Error(`mlpBlock: units must be a non-empty array of layer sizes such as [400], got ${units}.`);
  }
  const activation = options.activation ?? 'relu';
  const outputActivation = options.outputActivation ?? activation;
  for (const [label, value] of [
    ['activation', activation],
    ['outputActivation', outputActivation],
  ] as const) {
    if (!ACTIVATIONS.includes(value)) {
      throw new Error(`mlpBlock: unknown ${label} '${value}'; use one of ${ACTIVATIONS.join(', ')}.`);
    }
  }
  return units.map(
    (size, i) =>
      new DenseLayer({
        units: size,
        activation: i === units.length - 1 ? outputActivation : activation,
        inputGradient: i === 0 ? options.inputGradient : true,
        inputShape: i === 0 && options.inputShape ? [...options.inputShape] : undefined,
        name: options.name === undefined ? undefined : `${options.name}_dense${i}`,
        seed: options.seed === undefined ? undefined : options.seed + 2 * i,
      }),
  );
}

/** Activations the convolutional block accepts (tfjs-layers names). */
export type ConvActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'elu' | 'selu';

export interface ConvBlockOptions {
  /** Filters (output channels) of each layer, in order, e.g. [32, 64]. */
  filters: readonly number[];
  /** Square kernel size. Default 4 (divisible by the stride: no checkerboard artifacts when transposed). */
  kernelSize?: number;
  /** Stride of every layer. Default 2: each layer halves (or, transposed, doubles) height and width. */
  strides?: number;
  /** Nonlinearity of every layer but the last. Default 'relu'. */
  activation?: ConvActivation;
  /** Nonlinearity of the last layer. Default: `activation`. */
  outputActivation?: ConvActivation;
  /** Transposed convolutions (a decoder, upsampling by the stride) instead of convolutions. Default false. */
  transposed?: boolean;
  /** Shape of one input, [height, width, channels]; for the first layer of a tf.sequential. */
  inputShape?: readonly number[];
  /** Layer names are `${name}_conv${i}`. Default: tfjs' automatic names. */
  name?: string;
  /** Seed of the initializers (layer i uses seed + i). Omit for random ones. */
  seed?: number;
  /**
   * 'tfjs' (default): tfjs' own conv2d / conv2dTranspose layers. 'vae': core's `ConvLayer` / `ConvTransposeLayer`,
   * whose gradients run on every backend, wasm included (activations 'linear', 'relu', 'sigmoid', 'tanh').
   */
  implementation?: 'tfjs' | 'vae';
  /** With implementation 'vae': whether the first layer needs an input gradient (false when fed with data). */
  inputGradient?: boolean;
}

const CONV_ACTIVATIONS: readonly ConvActivation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu'];

/**
 * A stack of strided 'same'-padded 2-D convolutions (or transposed convolutions), channels last, Glorot-uniform
 * kernels. Resolution changes by stride alone: no pooling and no nearest-neighbour resizing, whose gradients are
 * wrong in tfjs 4.22 on some backends (maxPool on wasm, resizeNearestNeighbor on cpu). Note that the wasm backend
 * of tfjs 4.22 has no Conv2DBackpropFilter kernel: its own convolutions run there, but train only on cpu, webgl,
 * webgpu and tensorflow; `implementation: 'vae'` builds core's convolution layers, which train on wasm too.
 */
export function convBlock(options: ConvBlockOptions): tfl.layers.Layer[] {
  const { filters } = options;
  if (!Array.isArray(filters) || filters.length === 0 || filters.some((f) => !Number.isInteger(f) || f < 1)) {
    throw new Error(
      `convBlock: filters must be a non-empty array of positive integers such as [32, 64], got ${filters}.`,
    );
  }
  const kernelSize = options.kernelSize ?? 4;
  const strides = options.strides ?? 2;
  for (const [label, value] of [
    ['kernelSize', kernelSize],
    ['strides', strides],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`convBlock: ${label} must be a positive integer, got ${value}.`);
    }
  }
  const activation = options.activation ?? 'relu';
  const outputActivation = options.outputActivation ?? activation;
  for (const [label, value] of [
    ['activation', activation],
    ['outputActivation', outputActivation],
  ] as const) {
    if (!CONV_ACTIVATIONS.includes(value)) {
      throw new Error(`convBlock: unknown ${label} '${value}'; use one of ${CONV_ACTIVATIONS.join(', ')}.`);
    }
  }
  if (options.inputShape !== undefined && options.inputShape.length !== 3) {
    throw new Error(`convBlock: inputShape must be [height, width, channels], got [${options.inputShape}].`);
  }
  if (options.implementation === 'vae') {
    for (const value of [activation, outputActivation]) {
      if (!ACTIVATIONS.includes(value as Activation)) {
        throw new Error(
          `convBlock: implementation 'vae' supports the activations ${ACTIVATIONS.join(', ')}; got '${value}'.`,
        );
      }
    }
    const Layer = options.transposed ? ConvTransposeLayer : ConvLayer;
    return filters.map(
      (count, i) =>
        new Layer({
          filters: count,
          kernelSize,
          strides,
          activation: (i === filters.length - 1 ? outputActivation : activation) as Activation,
          inputGradient: i === 0 ? options.inputGradient : true,
          seed: options.seed === undefined ? undefined : options.seed + i,
          inputShape: i === 0 && options.inputShape ? [...options.inputShape] : undefined,
          name: options.name === undefined ? undefined : `${options.name}_conv${i}`,
        }),
    );
  }
  const make = options.transposed ? tfl.layers.conv2dTranspose : tfl.layers.conv2d;
  return filters.map((count, i) =>
    make({
      filters: count,
      kernelSize,
      strides,
      padding: 'same',
      activation: i === filters.length - 1 ? outputActivation : activation,
      kernelInitializer: tfl.initializers.glorotUniform({
        seed: options.seed === undefined ? undefined : options.seed + i,
      }),
      inputShape: i === 0 && options.inputShape ? [...options.inputShape] : undefined,
      name: options.name === undefined ? undefined : `${options.name}_conv${i}`,
    }),
  );
}

/**
 * Applies `layers` in order to `input` (a symbolic tensor while building a functional model, or a tensor) and
 * returns the last output.
 */
export function stackLayers<T extends tfl.SymbolicTensor | tf.Tensor>(
  layers: readonly tfl.layers.Layer[],
  input: T,
): T {
  let output = input;
  for (const layer of layers) output = layer.apply(output) as T;
  return output;
}
