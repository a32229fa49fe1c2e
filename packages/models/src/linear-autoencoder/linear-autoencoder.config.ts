import { type AutoencoderConfig, checkAutoencoderConfig } from '../autoencoder/autoencoder.config';
import { configError } from '../base/config';
import { LINEAR_AUTOENCODER_DEFAULTS } from './linear-autoencoder.options';

/**
 * A linear autoencoder: linear encoder and decoder, squared error, centred inputs. The fields fixed by that
 * definition (activations, data kind, dense network without hidden layers) are checked.
 */
export interface LinearAutoencoderConfig extends AutoencoderConfig {
  /** Subtract the mean of the training data (computed by `fit`) before encoding, add it back after decoding. */
  center: boolean;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { LINEAR_AUTOENCODER_DEFAULTS };

export function resolveLinearAutoencoderConfig(
  config: Partial<LinearAutoencoderConfig> = {},
): LinearAutoencoderConfig {
  const resolved: LinearAutoencoderConfig = { ...LINEAR_AUTOENCODER_DEFAULTS, ...config };
  const className = 'LinearAutoencoder';
  checkAutoencoderConfig(className, resolved);
  if (resolved.codeActivation !== 'linear' || resolved.activation !== 'linear' || resolved.data !== 'real') {
    configError(
      className,
      "activations must be 'linear' and data 'real' (the definition of a linear autoencoder).",
    );
  }
  if (resolved.hiddenUnits.length > 0 || resolved.network !== 'mlp' || resolved.layers) {
    configError(
      className,
      'it is one linear map each way: hiddenUnits [] and network mlp, no custom layers.',
    );
  }
  if (typeof resolved.center !== 'boolean')
    configError(className, `center must be true or false, got ${resolved.center}.`);
  return resolved;
}
