/**
 * The choices of the command-line flags, kept free of imports so that parsing flags (and --help) loads no tfjs.
 * The libraries check the values again: a list here that falls behind gives a clear library error, not a crash.
 */

/** The models of @vae/models by their command-line names (kebab case of the registry names). */
export const MODEL_NAMES = {
  autoencoder: 'Autoencoder',
  'linear-autoencoder': 'LinearAutoencoder',
  'tied-autoencoder': 'TiedAutoencoder',
  'sparse-autoencoder': 'SparseAutoencoder',
  'denoising-autoencoder': 'DenoisingAutoencoder',
  'contractive-autoencoder': 'ContractiveAutoencoder',
  vae: 'VAE',
  'beta-vae': 'BetaVAE',
  'conditional-vae': 'ConditionalVAE',
  iwae: 'IWAE',
} as const;

export type ModelName = keyof typeof MODEL_NAMES;
export const MODEL_CHOICES = Object.keys(MODEL_NAMES) as ModelName[];

/** Activations of @vae/core (ACTIVATIONS), listed here so that parsing flags loads no tfjs; models check them. */
export const ACTIVATION_CHOICES = ['linear', 'relu', 'sigmoid', 'tanh'];

/** tfjs backends the CLI can start (see backend.ts). */
export const BACKENDS = ['auto', 'cpu', 'wasm', 'webgpu', 'tensorflow'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** Data sets: @vae/data's DATASET_NAMES and the procedural dSprites (see shared.ts). */
export const CLI_DATASETS = [
  'mnist',
  'fashion-mnist',
  'kmnist',
  'frey-face',
  'cifar-10',
  'dsprites',
] as const;
