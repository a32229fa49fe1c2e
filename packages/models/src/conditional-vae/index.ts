export {
  CONDITIONAL_VAE_DEFAULTS,
  type ConditionalVAEConfig,
  resolveConditionalVAEConfig,
} from './conditional-vae.config';
export { ConditionalVAE } from './conditional-vae.model';
