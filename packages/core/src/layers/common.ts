/** Types and helpers shared by the Layers API layers. Internal. */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Random } from '../random';

/** The arguments every tfjs-layers layer takes (name, inputShape, trainable, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** The keyword arguments tfjs-layers passes to `call` (`training` among them). */
export type CallKwargs = { [key: string]: any };

/** Shape as tfjs-layers writes it: null for an unknown (batch) dimension. */
export type LayerShape = Array<number | null>;

/** The single tensor of `inputs`, or an error naming the layer. */
export function singleInput(layer: string, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (!Array.isArray(inputs)) return inputs;
  if (inputs.length !== 1) {
    throw new Error(`${layer}: expected one input tensor, got ${inputs.length}.`);
  }
  return inputs[0];
}

/** The single shape of `inputShape` (tfjs-layers passes [shape] or shape). */
export function singleShape(layer: string, inputShape: LayerShape | LayerShape[]): LayerShape {
  if (inputShape.length > 0 && Array.isArray(inputShape[0])) {
    if (inputShape.length !== 1) throw new Error(`${layer}: expected one input, got ${inputShape.length}.`);
    return inputShape[0] as LayerShape;
  }
  return inputShape as LayerShape;
}

/**
 * Seeds for the random ops of a layer: a reproducible stream from `seed`, or undefined (a fresh random draw each
 * call) without one.
 */
export class SeedStream {
  private random: Random | null;

  constructor(seed: number | undefined) {
    this.random = seed === undefined ? null : new Random(seed);
  }

  next(): number | undefined {
    return this.random === null ? undefined : this.random.nextSeed();
  }

  reset(seed: number | undefined): void {
    this.random = seed === undefined ? null : new Random(seed);
  }
}

/** PyTorch nn.Linear's initializer, U(-1/sqrt(fanIn), 1/sqrt(fanIn)), as `Dense` uses. */
export function linearInitializer(
  fanIn: number,
  seed: number | undefined,
): ReturnType<typeof tfl.initializers.randomUniform> {
  const bound = 1 / Math.sqrt(fanIn);
  return tfl.initializers.randomUniform({ minval: -bound, maxval: bound, seed });
}

export function checkSeed(layer: string, seed: number | undefined): void {
  if (seed !== undefined && !Number.isFinite(seed)) {
    throw new Error(
      `${layer}: seed must be a finite number, got ${seed}. Pass an integer such as 42 or omit it.`,
    );
  }
}
