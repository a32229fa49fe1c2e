import { checkNumber, checkOneOf } from '../base/config';
import { checkVAEConfig, type VAEConfig } from '../vae/vae.config';
import { DIP_VAE_DEFAULTS } from './dip-vae.options';

/** A DIP-VAE: the VAE's objective plus a penalty on the codes' covariance away from the identity. */
export interface DipVAEConfig extends VAEConfig {
  /** 'i': the covariance of the posterior means; 'ii': of the aggregate posterior (means plus variances). */
  dipType: 'i' | 'ii';
  /** lambda_od, the weight of the squared off-diagonal covariances. */
  lambdaOffDiagonal: number;
  /** lambda_d, the weight of the squared distance of the variances from 1. Default 10 lambda_od for 'i', lambda_od for 'ii'. */
  lambdaDiagonal?: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { DIP_VAE_DEFAULTS };

/** lambda_d when the config gives none: 10 lambda_od (DIP-VAE-I) or lambda_od (DIP-VAE-II), as disentanglement_lib. */
export function dipLambdaDiagonal(config: DipVAEConfig): number {
  return config.lambdaDiagonal ?? (config.dipType === 'i' ? 10 : 1) * config.lambdaOffDiagonal;
}

export function resolveDipVAEConfig(config: Partial<DipVAEConfig> = {}): DipVAEConfig {
  const resolved: DipVAEConfig = { ...DIP_VAE_DEFAULTS, ...config };
  const name = 'DipVAE';
  checkVAEConfig(name, resolved);
  checkOneOf(name, 'dipType', resolved.dipType, ['i', 'ii'] as const);
  checkNumber(name, 'lambdaOffDiagonal', resolved.lambdaOffDiagonal, (v) => v >= 0, 'a finite number >= 0');
  if (resolved.lambdaDiagonal !== undefined) {
    checkNumber(name, 'lambdaDiagonal', resolved.lambdaDiagonal, (v) => v >= 0, 'a finite number >= 0');
  }
  return resolved;
}
