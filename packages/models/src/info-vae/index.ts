export { INFO_VAE_DEFAULTS, type InfoVAEConfig, resolveInfoVAEConfig } from './info-vae.config';
export { InfoVAE } from './info-vae.model';
