export { BETA_TCVAE_DEFAULTS, type BetaTCVAEConfig, resolveBetaTCVAEConfig } from './beta-tcvae.config';
export { BetaTCVAE } from './beta-tcvae.model';
