export {
  MULT_DAE_DEFAULTS,
  MULT_VAE_DEFAULTS,
  type MultDAEConfig,
  type MultinomialAutoencoderConfig,
  type MultVAEConfig,
  resolveMultDAEConfig,
  resolveMultVAEConfig,
} from './mult-vae.config';
export { MultVAE } from './mult-vae.model';
export { MultinomialAutoencoder, type RowTerms } from './multinomial-autoencoder';
