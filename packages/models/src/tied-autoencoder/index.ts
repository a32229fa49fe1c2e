export {
  resolveTiedAutoencoderConfig,
  TIED_AUTOENCODER_DEFAULTS,
  type TiedAutoencoderConfig,
} from './tied-autoencoder.config';
export { TiedAutoencoder } from './tied-autoencoder.model';
