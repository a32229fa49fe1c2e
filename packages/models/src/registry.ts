import type * as tf from '@tensorflow/tfjs-core';
import { VAE } from './vae/vae.model';

/** What saving and loading need from a model. */
export interface SavableModel {
  readonly className: string;
  readonly config: unknown;
  readonly variables: Record<string, tf.Variable>;
  dispose(): void;
}

/** Class name -> class, for loading saved models. */
export const MODEL_REGISTRY = {
  VAE,
} as const;

export type ModelClassName = keyof typeof MODEL_REGISTRY;
