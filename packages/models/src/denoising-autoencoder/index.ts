export {
  DENOISING_AUTOENCODER_DEFAULTS,
  type DenoisingAutoencoderConfig,
  resolveDenoisingAutoencoderConfig,
} from './denoising-autoencoder.config';
export { DenoisingAutoencoder } from './denoising-autoencoder.model';
