export { FACTOR_VAE_DEFAULTS, type FactorVAEConfig, resolveFactorVAEConfig } from './factor-vae.config';
export { FactorVAE } from './factor-vae.model';
