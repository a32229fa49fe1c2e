import { checkModelConfig, checkNumber, checkOneOf, configError, type ModelConfig } from '../base/config';
import { VAE_DEFAULTS } from './vae.options';

/** Observation models p(x|z). */
export type Likelihood = 'bernoulli' | 'gaussian';

/** Configuration of a variational autoencoder. Plain JSON: it is saved with the model. */
export interface VAEConfig extends ModelConfig {
  /**
   * Observation model p(x|z). 'bernoulli': pixels in [0, 1], binary cross-entropy from logits. 'gaussian': a
   * Gaussian with a fixed `variance`, or a learned one per pixel (`variance: 'learned'`, the Frey Face decoder of
   * Kingma and Welling).
   */
  likelihood: Likelihood;
  /** Variance sigma^2 of the Gaussian decoder: a number > 0 (fixed), or 'learned' (a second output per pixel). */
  variance: number | 'learned';
  /** Output activation of the Gaussian mean: 'sigmoid' for data in [0, 1], 'linear' for any real data. */
  meanActivation: 'linear' | 'sigmoid';
  /** Soft lower bound on a learned log-variance (`minLogVar + softplus(raw - minLogVar)`); omit for none. */
  minLogVar?: number;
  /** Weight of the KL term (1 gives the ELBO). */
  beta: number;
  /** L: Monte Carlo samples of z per example in the reconstruction term. */
  samples: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { VAE_DEFAULTS } from './vae.options';

/** Checks the fields a VAE adds to `ModelConfig`. */
export function checkVAEConfig(className: string, resolved: VAEConfig): void {
  checkModelConfig(className, resolved);
  checkOneOf(className, 'likelihood', resolved.likelihood, ['bernoulli', 'gaussian'] as const);
  if (resolved.variance !== 'learned') {
    checkNumber(className, 'variance', resolved.variance, (v) => v > 0, "a number > 0 or 'learned'");
  }
  checkOneOf(className, 'meanActivation', resolved.meanActivation, ['linear', 'sigmoid'] as const);
  if (resolved.minLogVar !== undefined) {
    checkNumber(className, 'minLogVar', resolved.minLogVar, () => true, 'a finite number');
  }
  if (!(resolved.beta >= 0) || !Number.isFinite(resolved.beta)) {
    configError(className, `beta must be a finite number >= 0, got ${resolved.beta}.`);
  }
  if (!Number.isInteger(resolved.samples) || resolved.samples < 1) {
    configError(className, `samples must be a positive integer, got ${resolved.samples}.`);
  }
}

/** Fills in defaults and checks every field, with errors that name the field and the fix. */
export function resolveVAEConfig(config: Partial<VAEConfig> = {}): VAEConfig {
  const resolved: VAEConfig = { ...VAE_DEFAULTS, ...config };
  checkVAEConfig('VAE', resolved);
  return resolved;
}
