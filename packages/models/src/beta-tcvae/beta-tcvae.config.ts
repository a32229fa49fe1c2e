import { AGGREGATE_POSTERIOR_ESTIMATORS, type AggregatePosteriorEstimator } from '@vae/core';
import { checkNumber, checkOneOf, configError } from '../base/config';
import { checkVAEConfig, type VAEConfig } from '../vae/vae.config';
import { BETA_TCVAE_DEFAULTS } from './beta-tcvae.options';

/**
 * A beta-TCVAE: the KL term split into index-code mutual information, total correlation and dimension-wise KL,
 * weighted alpha, beta and gamma. `beta` (the VAE's KL weight) is here the weight of the total correlation.
 */
export interface BetaTCVAEConfig extends VAEConfig {
  /** alpha, the weight of the index-code mutual information. */
  alpha: number;
  /** gamma, the weight of the dimension-wise KL. */
  gamma: number;
  /** How the minibatch estimates log q(z): 'mws' (minibatch-weighted sampling) or 'mss' (stratified). */
  estimator: AggregatePosteriorEstimator;
  /** N, the training set's size in the estimator; default the size of the data `fit` last trained on. */
  datasetSize?: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { BETA_TCVAE_DEFAULTS };

export function resolveBetaTCVAEConfig(config: Partial<BetaTCVAEConfig> = {}): BetaTCVAEConfig {
  const resolved: BetaTCVAEConfig = { ...BETA_TCVAE_DEFAULTS, ...config };
  const name = 'BetaTCVAE';
  checkVAEConfig(name, resolved);
  checkNumber(name, 'alpha', resolved.alpha, (v) => v >= 0, 'a finite number >= 0');
  checkNumber(name, 'gamma', resolved.gamma, (v) => v >= 0, 'a finite number >= 0');
  checkOneOf(name, 'estimator', resolved.estimator, AGGREGATE_POSTERIOR_ESTIMATORS);
  if (
    resolved.datasetSize !== undefined &&
    (!Number.isSafeInteger(resolved.datasetSize) || resolved.datasetSize < 1)
  ) {
    configError(
      name,
      `datasetSize must be a positive integer (training examples), got ${resolved.datasetSize}.`,
    );
  }
  return resolved;
}
