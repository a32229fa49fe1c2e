import type * as tf from '@tensorflow/tfjs-core';
import { Autoencoder } from './autoencoder/autoencoder.model';
import { AutoRec } from './autorec/autorec.model';
import { BetaTCVAE } from './beta-tcvae/beta-tcvae.model';
import { BetaVAE } from './beta-vae/beta-vae.model';
import { ConditionalVAE } from './conditional-vae/conditional-vae.model';
import { ContractiveAutoencoder } from './contractive-autoencoder/contractive-autoencoder.model';
import { DBVAE } from './db-vae/db-vae.model';
import { DenoisingAutoencoder } from './denoising-autoencoder/denoising-autoencoder.model';
import { DipVAE } from './dip-vae/dip-vae.model';
import { FactorVAE } from './factor-vae/factor-vae.model';
import { InfoVAE } from './info-vae/info-vae.model';
import { IWAE } from './iwae/iwae.model';
import { LinearAutoencoder } from './linear-autoencoder/linear-autoencoder.model';
import { M2 } from './m2/m2.model';
import { MultDAE } from './mult-dae/mult-dae.model';
import { MultVAE } from './mult-vae/mult-vae.model';
import { PriorVAE } from './prior-vae/prior-vae.model';
import { SparseAutoencoder } from './sparse-autoencoder/sparse-autoencoder.model';
import { TiedAutoencoder } from './tied-autoencoder/tied-autoencoder.model';
import { VAE } from './vae/vae.model';
import { VQVAE } from './vqvae/vqvae.model';

/** What saving and loading need from a model. */
export interface SavableModel {
  readonly className: string;
  readonly config: unknown;
  readonly variables: Record<string, tf.Variable>;
  dispose(): void;
}

/** Class name -> class, for loading saved models (`loadModel` builds the class named in the file). */
export const MODEL_REGISTRY = {
  Autoencoder,
  LinearAutoencoder,
  TiedAutoencoder,
  SparseAutoencoder,
  DenoisingAutoencoder,
  ContractiveAutoencoder,
  VAE,
  BetaVAE,
  ConditionalVAE,
  IWAE,
  BetaTCVAE,
  FactorVAE,
  DipVAE,
  InfoVAE,
  PriorVAE,
  VQVAE,
  DBVAE,
  M2,
} as const;

export type ModelClassName = keyof typeof MODEL_REGISTRY;

/** Any model of the registry. */
export type AnyModel = InstanceType<(typeof MODEL_REGISTRY)[ModelClassName]>;

/**
 * The recommenders, trained on rating rows rather than inputs of a shape (no `encode`/`decode` of images): class
 * name -> class. `loadModel` knows them as well as `MODEL_REGISTRY`.
 */
export const RECOMMENDER_REGISTRY = { AutoRec, MultVAE, MultDAE } as const;

export type RecommenderClassName = keyof typeof RECOMMENDER_REGISTRY;

/** Any recommender of the registry. */
export type RecommenderModel = InstanceType<(typeof RECOMMENDER_REGISTRY)[RecommenderClassName]>;

/**
 * Every class `loadModel` can build: the models of inputs and the recommenders. Marked pure: an object spread here
 * kept every model class in a bundle that imports only `{ VAE }` (bundlers cannot drop a spread they cannot prove
 * free of getters; the `{ VAE }` budget of .size-limit.json went from 23 to 43 kB).
 */
export const SAVED_MODEL_CLASSES: typeof MODEL_REGISTRY & typeof RECOMMENDER_REGISTRY =
  /* @__PURE__ */ Object.assign({}, MODEL_REGISTRY, RECOMMENDER_REGISTRY);

/** Any model `loadModel` can return. */
export type SavedModel = AnyModel | RecommenderModel;
