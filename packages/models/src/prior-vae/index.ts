export {
  PRIOR_KINDS,
  PRIOR_VAE_DEFAULTS,
  type PriorKind,
  type PriorVAEConfig,
  resolvePriorVAEConfig,
} from './prior-vae.config';
export { PriorVAE } from './prior-vae.model';
