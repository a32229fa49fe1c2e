import { checkNumber, checkPositiveIntegers } from '../base/config';
import { checkVAEConfig, type VAEConfig } from '../vae/vae.config';
import { FACTOR_VAE_DEFAULTS } from './factor-vae.options';

/** A FactorVAE: the VAE's objective plus gamma times a discriminator's estimate of the total correlation. */
export interface FactorVAEConfig extends VAEConfig {
  /** gamma, the weight of the total-correlation estimate. */
  gamma: number;
  /** Hidden layer sizes of the discriminator (leaky ReLU, slope 0.2). */
  discriminatorUnits: number[];
  /** Adam's learning rate for the discriminator. */
  discriminatorLearningRate: number;
  /** Adam's beta1 and beta2 for the discriminator. */
  discriminatorBetas: [number, number];
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { FACTOR_VAE_DEFAULTS };

export function resolveFactorVAEConfig(config: Partial<FactorVAEConfig> = {}): FactorVAEConfig {
  const resolved: FactorVAEConfig = { ...FACTOR_VAE_DEFAULTS, ...config };
  const name = 'FactorVAE';
  checkVAEConfig(name, resolved);
  checkNumber(name, 'gamma', resolved.gamma, (v) => v >= 0, 'a finite number >= 0');
  checkPositiveIntegers(name, 'discriminatorUnits', resolved.discriminatorUnits);
  checkNumber(
    name,
    'discriminatorLearningRate',
    resolved.discriminatorLearningRate,
    (v) => v > 0,
    'a number > 0',
  );
  const betas = resolved.discriminatorBetas;
  if (!Array.isArray(betas) || betas.length !== 2) {
    checkNumber(name, 'discriminatorBetas', betas, () => false, 'two numbers in [0, 1), e.g. [0.5, 0.9]');
  }
  for (const b of betas) {
    checkNumber(
      name,
      'discriminatorBetas',
      b,
      (v) => v >= 0 && v < 1,
      'two numbers in [0, 1), e.g. [0.5, 0.9]',
    );
  }
  return resolved;
}
