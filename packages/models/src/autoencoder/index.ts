export {
  AUTOENCODER_DEFAULTS,
  type AutoencoderConfig,
  resolveAutoencoderConfig,
} from './autoencoder.config';
export { Autoencoder, type CodeDecoder } from './autoencoder.model';
