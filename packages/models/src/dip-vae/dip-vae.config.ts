import { checkNumber, checkOneOf } from '../base/config';
import { checkVAEConfig, VAE_DEFAULTS, type VAEConfig } from '../vae/vae.config';

/** A DIP-VAE: the VAE's objective plus a penalty on the codes' covariance away from the identity. */
export interface DIPVAEConfig extends VAEConfig {
  /** 'i': the covariance of the posterior means; 'ii': of the aggregate posterior (means plus variances). */
  dipType: 'i' | 'ii';
  /** lambda_od, the weight of the squared off-diagonal covariances. */
  lambdaOffDiagonal: number;
  /** lambda_d, the weight of the squared distance of the variances from 1. Default 10 lambda_od for 'i', lambda_od for 'ii'. */
  lambdaDiagonal?: number;
}

/** DIP-VAE-I with lambda_od = 10 (lambda_d = 100), as in Kumar et al.'s 2-D shapes experiments. */
export const DIP_VAE_DEFAULTS: DIPVAEConfig = {
  ...VAE_DEFAULTS,
  dipType: 'i',
  lambdaOffDiagonal: 10,
};

/** lambda_d when the config gives none: 10 lambda_od (DIP-VAE-I) or lambda_od (DIP-VAE-II), as disentanglement_lib. */
export function dipLambdaDiagonal(config: DIPVAEConfig): number {
  return config.lambdaDiagonal ?? (config.dipType === 'i' ? 10 : 1) * config.lambdaOffDiagonal;
}

export function resolveDIPVAEConfig(config: Partial<DIPVAEConfig> = {}): DIPVAEConfig {
  const resolved: DIPVAEConfig = { ...DIP_VAE_DEFAULTS, ...config };
  const name = 'DIPVAE';
  checkVAEConfig(name, resolved);
  checkOneOf(name, 'dipType', resolved.dipType, ['i', 'ii'] as const);
  checkNumber(name, 'lambdaOffDiagonal', resolved.lambdaOffDiagonal, (v) => v >= 0, 'a finite number >= 0');
  if (resolved.lambdaDiagonal !== undefined) {
    checkNumber(name, 'lambdaDiagonal', resolved.lambdaDiagonal, (v) => v >= 0, 'a finite number >= 0');
  }
  return resolved;
}
