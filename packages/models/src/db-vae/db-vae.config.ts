import { checkNumber, configError } from '../base/config';
import { checkVAEConfig, type VAEConfig } from '../vae/vae.config';
import { DB_VAE_DEFAULTS } from './db-vae.options';

/** Configuration of a DB-VAE: a VAE whose encoder also outputs a binary classifier's logit. */
export interface DBVAEConfig extends VAEConfig {
  /** The label that counts as positive (y = 1); every other label is negative. The VAE terms apply to positives. */
  positiveClass: number;
  /** Weight of the mean binary cross-entropy of the classifier in the objective (the paper's c1). */
  classifierWeight: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { DB_VAE_DEFAULTS };

/** Fills in defaults and checks every field, with errors that name the field and the fix. */
export function resolveDBVAEConfig(config: Partial<DBVAEConfig> = {}): DBVAEConfig {
  const resolved: DBVAEConfig = { ...DB_VAE_DEFAULTS, ...config };
  checkVAEConfig('DBVAE', resolved);
  if (!Number.isInteger(resolved.positiveClass) || resolved.positiveClass < 0) {
    configError('DBVAE', `positiveClass must be an integer label >= 0, got ${resolved.positiveClass}.`);
  }
  checkNumber('DBVAE', 'classifierWeight', resolved.classifierWeight, (v) => v >= 0, 'a finite number >= 0');
  if (resolved.samples !== 1) {
    configError(
      'DBVAE',
      `samples must be 1 (the classifier and the VAE share one encoder pass per example), got ${resolved.samples}.`,
    );
  }
  return resolved;
}
