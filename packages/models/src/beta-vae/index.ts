export { BETA_VAE_DEFAULTS, type BetaVAEConfig, resolveBetaVAEConfig } from './beta-vae.config';
export { BetaVAE } from './beta-vae.model';
