export { type Likelihood, resolveVAEConfig, VAE_DEFAULTS, type VAEConfig } from './vae.config';
export { type CustomNetworks, VAE } from './vae.model';
