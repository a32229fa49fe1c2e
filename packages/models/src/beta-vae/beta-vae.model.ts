/**
 * The beta-VAE of Higgins et al., "beta-VAE: Learning basic visual concepts with a constrained variational
 * framework" (ICLR 2017), as the lecture notes present it ("Latent space disentanglement with beta-VAEs"; Boschini
 * and Bonicelli): L = E_q[log p(x|z)] - beta KL(q(z|x) || p(z)), beta > 1 pushing towards a disentangled code; and
 * the capacity schedule of Burgess et al., "Understanding disentangling in beta-VAE" (2018): gamma |KL - C| with
 * the capacity C rising over training. The weighting is core's `lossTerms` with a `KlSchedule`.
 */
import type { KlSchedule } from '@vae/core';
import { type CustomNetworks, VAE } from '../vae/vae.model';
import { type BetaVAEConfig, resolveBetaVAEConfig } from './beta-vae.config';

export class BetaVAE extends VAE {
  static override readonly className: string = 'BetaVAE';
  declare readonly config: BetaVAEConfig;

  static override resolveConfig(config: Partial<BetaVAEConfig>): BetaVAEConfig {
    return resolveBetaVAEConfig(config);
  }

  constructor(config: Partial<BetaVAEConfig> = {}, networks: CustomNetworks = {}) {
    super(config, networks);
  }

  /** The capacity schedule when the config has one, else the constant beta. */
  protected override defaultKlWeight(): number | KlSchedule {
    return this.config.capacity ?? this.config.beta;
  }
}
