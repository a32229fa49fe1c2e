export {
  DIP_VAE_DEFAULTS,
  type DIPVAEConfig,
  dipLambdaDiagonal,
  resolveDIPVAEConfig,
} from './dip-vae.config';
export { DIPVAE } from './dip-vae.model';
