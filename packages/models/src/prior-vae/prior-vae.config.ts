import { checkOneOf, configError } from '../base/config';
import { checkVAEConfig, type VAEConfig } from '../vae/vae.config';
import { PRIOR_COMPONENTS_DEFAULTS, PRIOR_KINDS, PRIOR_VAE_DEFAULTS } from './prior-vae.options';

/** The learned priors of a `PriorVAE`. */
export type PriorKind = 'mixture' | 'vamp';

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { PRIOR_COMPONENTS_DEFAULTS, PRIOR_KINDS, PRIOR_VAE_DEFAULTS };

/** A VAE with a learned prior p(z): a mixture of Gaussians, or the VampPrior. */
export interface PriorVAEConfig extends VAEConfig {
  /**
   * 'mixture': p(z) = sum_k w_k N(z; mu_k, diag(sigma_k^2)), with the weights, means and variances learned.
   * 'vamp': the VampPrior p(z) = 1/K sum_k q(z|u_k), the encoder's posterior at K learned pseudo-inputs u_k.
   */
  prior: PriorKind;
  /** K: mixture components, or pseudo-inputs of the VampPrior. Default 10 ('mixture') or 500 ('vamp'). */
  components: number;
}

export function resolvePriorVAEConfig(config: Partial<PriorVAEConfig> = {}): PriorVAEConfig {
  const prior = config.prior ?? PRIOR_VAE_DEFAULTS.prior;
  checkOneOf('PriorVAE', 'prior', prior, PRIOR_KINDS);
  const resolved: PriorVAEConfig = {
    ...PRIOR_VAE_DEFAULTS,
    ...config,
    prior,
    components: config.components ?? PRIOR_COMPONENTS_DEFAULTS[prior],
  };
  checkVAEConfig('PriorVAE', resolved);
  if (!Number.isInteger(resolved.components) || resolved.components < 1 || resolved.components > 100_000) {
    configError('PriorVAE', `components must be an integer from 1 to 100000, got ${resolved.components}.`);
  }
  return resolved;
}
