import { type CapacitySchedule, validateSchedule } from '@vae/core';
import { configError } from '../base/config';
import { checkVAEConfig, VAE_DEFAULTS, type VAEConfig } from '../vae/vae.config';

/** A beta-VAE: the KL term weighted by beta, or held near a growing capacity C. */
export interface BetaVAEConfig extends VAEConfig {
  /**
   * The capacity schedule of Burgess et al.: the KL term becomes gamma |KL - C| with C rising linearly to
   * maxCapacity nats over `steps` optimizer steps. Used by `fit` unless it gets its own klSchedule; beta is then
   * not used in training.
   */
  capacity?: CapacitySchedule;
}

/** beta = 4, as Higgins et al. use for their 2-D shapes experiments. */
export const BETA_VAE_DEFAULTS: BetaVAEConfig = { ...VAE_DEFAULTS, beta: 4 };

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
