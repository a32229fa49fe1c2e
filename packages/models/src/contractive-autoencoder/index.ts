export {
  CONTRACTIVE_AUTOENCODER_DEFAULTS,
  type ContractiveAutoencoderConfig,
  resolveContractiveAutoencoderConfig,
} from './contractive-autoencoder.config';
export { ContractiveAutoencoder } from './contractive-autoencoder.model';
