import { checkNumber, checkPositiveIntegers } from '../base/config';
import type { ConditionalVAEConfig } from '../conditional-vae/conditional-vae.config';
import { checkVAEConfig } from '../vae/vae.config';
import { M2_DEFAULTS } from './m2.options';

/** The semi-supervised VAE M2 of Kingma, Rezende, Mohamed and Welling (NeurIPS 2014). */
export interface M2Config extends ConditionalVAEConfig {
  /** Hidden layer sizes of the classifier q(y|x), an MLP on the flattened input. */
  classifierHiddenUnits: number[];
  /**
   * Weight of the classification term -log q(y|x) of each labelled example of a batch, relative to its bound
   * (`m2Alpha` converts the paper's alpha = 0.1 N; see there).
   */
  alpha: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { M2_DEFAULTS };

export function resolveM2Config(config: Partial<M2Config> = {}): M2Config {
  const resolved: M2Config = { ...M2_DEFAULTS, ...config };
  checkVAEConfig('M2', resolved);
  checkNumber(
    'M2',
    'numClasses',
    resolved.numClasses,
    (v) => Number.isInteger(v) && v >= 2,
    'an integer >= 2',
  );
  checkPositiveIntegers('M2', 'classifierHiddenUnits', resolved.classifierHiddenUnits);
  checkNumber('M2', 'alpha', resolved.alpha, (v) => v >= 0, 'a finite number >= 0');
  return resolved;
}

/**
 * The per-labelled-example `alpha` of this implementation that matches the paper's objective (eq. 9:
 * J^alpha = sum_labelled L + sum_unlabelled U + alpha E_labelled[-log q(y|x)], alpha = `paperFactor` N, with the
 * expectation a mean over the labelled set): paperFactor * examples / (labelled * repeats), where `examples` is N,
 * `labelled` the number of labels and `repeats` how often each labelled example appears per epoch
 * (`SemiSupervisedSource.repeats`). MNIST with 100 labels, N = 50 000, no repeats: 50.
 */
export function m2Alpha(options: {
  examples: number;
  labelled: number;
  repeats?: number;
  paperFactor?: number;
}): number {
  const { examples, labelled } = options;
  const repeats = options.repeats ?? 1;
  for (const [name, v] of [
    ['examples', examples],
    ['labelled', labelled],
    ['repeats', repeats],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`m2Alpha: ${name} must be a positive integer, got ${v}.`);
  }
  return ((options.paperFactor ?? 0.1) * examples) / (labelled * repeats);
}
