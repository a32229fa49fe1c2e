export {
  resolveSparseAutoencoderConfig,
  SPARSE_AUTOENCODER_DEFAULTS,
  type SparseAutoencoderConfig,
} from './sparse-autoencoder.config';
export { SparseAutoencoder } from './sparse-autoencoder.model';
