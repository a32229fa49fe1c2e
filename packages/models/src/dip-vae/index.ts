export {
  DIP_VAE_DEFAULTS,
  type DipVAEConfig,
  dipLambdaDiagonal,
  resolveDipVAEConfig,
} from './dip-vae.config';
export { DipVAE } from './dip-vae.model';
