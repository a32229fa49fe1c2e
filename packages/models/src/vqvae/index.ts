export {
  type CodebookUpdate,
  type CodePrior,
  resolveVQVAEConfig,
  VQ_VAE_DEFAULTS,
  type VQVAEConfig,
} from './vqvae.config';
export { type CodebookUsage, VQVAE } from './vqvae.model';
