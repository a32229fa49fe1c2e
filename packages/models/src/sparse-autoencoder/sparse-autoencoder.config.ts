import { type AutoencoderConfig, checkAutoencoderConfig } from '../autoencoder/autoencoder.config';
import { checkNumber, checkOneOf, configError } from '../base/config';
import { SPARSE_AUTOENCODER_DEFAULTS } from './sparse-autoencoder.options';

/** A sparse autoencoder: the reconstruction loss plus a sparsity penalty on the code. */
export interface SparseAutoencoderConfig extends AutoencoderConfig {
  /**
   * 'kl': sum over code units of KL(Bernoulli(rho) || Bernoulli(rho_hat)), rho_hat the unit's mean activation over
   * the batch (needs codes in [0, 1]: codeActivation 'sigmoid'). 'l1': the L1 norm of the code, lambda |h|_1.
   */
  sparsity: 'kl' | 'l1';
  /** The target mean activation rho of each code unit ('kl'), in (0, 1). */
  rho: number;
  /** The weight of the sparsity penalty. */
  sparsityWeight: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { SPARSE_AUTOENCODER_DEFAULTS };

export function resolveSparseAutoencoderConfig(
  config: Partial<SparseAutoencoderConfig> = {},
): SparseAutoencoderConfig {
  const className = 'SparseAutoencoder';
  const resolved: SparseAutoencoderConfig = { ...SPARSE_AUTOENCODER_DEFAULTS, ...config };
  checkAutoencoderConfig(className, resolved);
  checkOneOf(className, 'sparsity', resolved.sparsity, ['kl', 'l1'] as const);
  checkNumber(className, 'rho', resolved.rho, (v) => v > 0 && v < 1, 'a number in (0, 1)');
  checkNumber(className, 'sparsityWeight', resolved.sparsityWeight, (v) => v >= 0, 'a number >= 0');
  if (resolved.sparsity === 'kl' && resolved.codeActivation !== 'sigmoid') {
    configError(
      className,
      `the 'kl' sparsity penalty needs sigmoid codes (activations in [0, 1]), but codeActivation is ` +
        `'${resolved.codeActivation}'. Use codeActivation 'sigmoid', or sparsity 'l1'.`,
    );
  }
  return resolved;
}
