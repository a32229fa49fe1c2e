export {
  type CodebookUpdate,
  type CodePrior,
  resolveVQVAEConfig,
  VQ_VAE_DEFAULTS,
  type VQVAEConfig,
} from './vq-vae.config';
export { type CodebookUsage, VQVAE } from './vq-vae.model';
