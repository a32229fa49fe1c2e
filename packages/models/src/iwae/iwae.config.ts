import { configError } from '../base/config';
import { checkVAEConfig, type VAEConfig } from '../vae/vae.config';
import { IWAE_DEFAULTS } from './iwae.options';

/** An importance-weighted autoencoder: the VAE's networks trained on the k-sample bound. */
export interface IWAEConfig extends VAEConfig {
  /** k, the importance samples per example in the training objective (k = 1 gives the VAE's ELBO). */
  importanceSamples: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { IWAE_DEFAULTS };

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
