export {
  LINEAR_AUTOENCODER_DEFAULTS,
  type LinearAutoencoderConfig,
  resolveLinearAutoencoderConfig,
} from './linear-autoencoder.config';
export { LinearAutoencoder } from './linear-autoencoder.model';
