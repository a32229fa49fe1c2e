import { type AutoencoderConfig, checkAutoencoderConfig } from '../autoencoder/autoencoder.config';
import { checkNumber, configError } from '../base/config';
import { CONTRACTIVE_AUTOENCODER_DEFAULTS } from './contractive-autoencoder.options';

/** A contractive autoencoder: the reconstruction loss plus lambda |J_x(h)|_F^2. */
export interface ContractiveAutoencoderConfig extends AutoencoderConfig {
  /** lambda, the weight of the contractive penalty. */
  contractiveWeight: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { CONTRACTIVE_AUTOENCODER_DEFAULTS };

export function resolveContractiveAutoencoderConfig(
  config: Partial<ContractiveAutoencoderConfig> = {},
): ContractiveAutoencoderConfig {
  const className = 'ContractiveAutoencoder';
  const resolved: ContractiveAutoencoderConfig = { ...CONTRACTIVE_AUTOENCODER_DEFAULTS, ...config };
  checkAutoencoderConfig(className, resolved);
  checkNumber(className, 'contractiveWeight', resolved.contractiveWeight, (v) => v >= 0, 'a number >= 0');
  if (resolved.layers?.encoder)
    configError(className, 'the encoder must be built in (its Jacobian is computed from it).');
  const closedForm = resolved.network === 'mlp' && resolved.hiddenUnits.length === 0;
  const curved = (a: string) => a === 'sigmoid' || a === 'tanh';
  if (!closedForm && (curved(resolved.activation) || curved(resolved.codeActivation))) {
    configError(
      className,
      'a deeper or convolutional encoder gets its penalty by automatic differentiation, which needs second-order ' +
        'gradients, and tfjs 4.22 computes those wrongly through sigmoid and tanh. Use relu or linear ' +
        "activations there, or the notes' one-layer encoder (hiddenUnits [], network 'mlp'), whose penalty has a " +
        'closed form for any activation.',
    );
  }
  return resolved;
}
