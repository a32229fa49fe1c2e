export { DB_VAE_DEFAULTS, type DBVAEConfig, resolveDBVAEConfig } from './db-vae.config';
export {
  DBVAE,
  type DebiasingSampler,
  type DebiasingSamplerOptions,
  type DebiasingSnapshot,
  debiasingSampler,
  type EmbeddingModel,
} from './db-vae.model';
