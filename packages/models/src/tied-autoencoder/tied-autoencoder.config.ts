import { type AutoencoderConfig, checkAutoencoderConfig } from '../autoencoder/autoencoder.config';
import { configError } from '../base/config';
import { TIED_AUTOENCODER_DEFAULTS } from './tied-autoencoder.options';

/** A dense autoencoder whose decoder uses the encoder's kernels transposed (W* = W^T). */
export interface TiedAutoencoderConfig extends AutoencoderConfig {
  /** Activation of the decoder's hidden layers (when hiddenUnits is not empty). Default: `activation`. */
  decoderActivation?: AutoencoderConfig['activation'];
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { TIED_AUTOENCODER_DEFAULTS };

export function resolveTiedAutoencoderConfig(
  config: Partial<TiedAutoencoderConfig> = {},
): TiedAutoencoderConfig {
  const resolved: TiedAutoencoderConfig = { ...TIED_AUTOENCODER_DEFAULTS, ...config };
  checkAutoencoderConfig('TiedAutoencoder', resolved);
  if (resolved.network !== 'mlp' || resolved.layers) {
    configError(
      'TiedAutoencoder',
      'weights are tied between dense layers: use network mlp without custom layers.',
    );
  }
  return resolved;
}
