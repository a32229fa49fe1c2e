import { type CapacitySchedule, validateSchedule } from '@vae/core';
import { configError } from '../base/config';
import { checkVAEConfig, type VAEConfig } from '../vae/vae.config';
import { BETA_VAE_DEFAULTS } from './beta-vae.options';

/** A beta-VAE: the KL term weighted by beta, or held near a growing capacity C. */
export interface BetaVAEConfig extends VAEConfig {
  /**
   * The capacity schedule of Burgess et al.: the KL term becomes gamma |KL - C| with C rising linearly to
   * maxCapacity nats over `steps` optimizer steps. Used by `fit` unless it gets its own klSchedule; beta is then
   * not used in training.
   */
  capacity?: CapacitySchedule;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { BETA_VAE_DEFAULTS };

export function resolveBetaVAEConfig(config: Partial<BetaVAEConfig> = {}): BetaVAEConfig {
  const resolved: BetaVAEConfig = { ...BETA_VAE_DEFAULTS, ...config };
  checkVAEConfig('BetaVAE', resolved);
  if (resolved.capacity !== undefined) {
    try {
      validateSchedule(resolved.capacity);
    } catch (error) {
      configError('BetaVAE', `capacity: ${(error as Error).message}`);
    }
    if (resolved.capacity.kind !== 'capacity') {
      configError(
        'BetaVAE',
        `capacity must be a schedule of kind 'capacity', got '${resolved.capacity.kind}'.`,
      );
    }
  }
  return resolved;
}
