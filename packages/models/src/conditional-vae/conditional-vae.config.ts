import { checkNumber } from '../base/config';
import { checkVAEConfig, VAE_DEFAULTS, type VAEConfig } from '../vae/vae.config';

/** A conditional VAE: encoder and decoder both see a one-hot class label. */
export interface ConditionalVAEConfig extends VAEConfig {
  /** Number of classes; labels are integers in [0, numClasses). */
  numClasses: number;
}

export const CONDITIONAL_VAE_DEFAULTS: ConditionalVAEConfig = { ...VAE_DEFAULTS, numClasses: 10 };

export function resolveConditionalVAEConfig(
  config: Partial<ConditionalVAEConfig> = {},
): ConditionalVAEConfig {
  const resolved: ConditionalVAEConfig = { ...CONDITIONAL_VAE_DEFAULTS, ...config };
  checkVAEConfig('ConditionalVAE', resolved);
  checkNumber(
    'ConditionalVAE',
    'numClasses',
    resolved.numClasses,
    (v) => Number.isInteger(v) && v >= 2,
    'an integer >= 2',
  );
  return resolved;
}
