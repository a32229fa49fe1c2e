/**
 * Custom layers for the tfjs Layers API, from `@vae/core/layers` (they need `@tensorflow/tfjs-layers`, which the
 * root entry does not load). Importing this module registers them with `tf.serialization.registerClass`, so
 * `tf.loadLayersModel` loads saved models that use them without setup.
 */
export {
  type ConvActivation,
  type ConvBlockOptions,
  convBlock,
  type MlpBlockOptions,
  mlpBlock,
  stackLayers,
} from './blocks';
export type { CallKwargs, LayerShape } from './common';
export { ConvLayer, type ConvLayerArgs, ConvTransposeLayer } from './conv';
export {
  DenseLayer,
  type DenseLayerArgs,
  TiedDenseLayer,
  type TiedDenseLayerArgs,
  type WithKernel,
} from './dense';
export {
  GaussianHeadLayer,
  type GaussianHeadLayerArgs,
  SamplingLayer,
  type SamplingLayerArgs,
} from './gaussian';
export {
  GaussianNoiseLayer,
  type GaussianNoiseLayerArgs,
  MaskingNoiseLayer,
  type MaskingNoiseLayerArgs,
} from './noise';
