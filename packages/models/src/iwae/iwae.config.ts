import { configError } from '../base/config';
import { checkVAEConfig, VAE_DEFAULTS, type VAEConfig } from '../vae/vae.config';

/** An importance-weighted autoencoder: the VAE's networks trained on the k-sample bound. */
export interface IWAEConfig extends VAEConfig {
  /** k, the importance samples per example in the training objective (k = 1 gives the VAE's ELBO). */
  importanceSamples: number;
}

export const IWAE_DEFAULTS: IWAEConfig = { ...VAE_DEFAULTS, importanceSamples: 5 };

export function resolveIWAEConfig(config: Partial<IWAEConfig> = {}): IWAEConfig {
  const resolved: IWAEConfig = { ...IWAE_DEFAULTS, ...config };
  checkVAEConfig('IWAE', resolved);
  if (!Number.isInteger(resolved.importanceSamples) || resolved.importanceSamples < 1) {
    configError('IWAE', `importanceSamples must be a positive integer, got ${resolved.importanceSamples}.`);
  }
  if (resolved.beta !== 1) {
    configError(
      'IWAE',
      `beta must be 1: the importance-weighted bound has no separate KL term (got ${resolved.beta}).`,
    );
  }
  return resolved;
}
