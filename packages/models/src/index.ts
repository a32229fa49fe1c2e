export {
  loadModel,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelDescription,
  saveModel,
  setWeights,
} from './io';
export { MODEL_REGISTRY, type ModelClassName, type SavableModel } from './registry';
export { type EpochRecord, type FitOptions, type History, train } from './training/fit';
export type { TrainableModel } from './training/trainable';
export { resolveVAEConfig, VAE_DEFAULTS, type VAEConfig } from './vae/vae.config';
export { VAE } from './vae/vae.model';
