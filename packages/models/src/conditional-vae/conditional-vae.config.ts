import { checkNumber } from '../base/config';
import { checkVAEConfig, type VAEConfig } from '../vae/vae.config';
import { CONDITIONAL_VAE_DEFAULTS } from './conditional-vae.options';

/** A conditional VAE: encoder and decoder both see a one-hot class label. */
export interface ConditionalVAEConfig extends VAEConfig {
  /** Number of classes; labels are integers in [0, numClasses). */
  numClasses: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { CONDITIONAL_VAE_DEFAULTS };

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
