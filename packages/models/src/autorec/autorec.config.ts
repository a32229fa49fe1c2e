import { checkNumber, checkOneOf } from '../base/config';

/** Configuration of AutoRec (Sedhain et al., 2015). Plain JSON: it is saved with the model. */
export interface AutoRecConfig {
  /**
   * 'item' (I-AutoRec, the paper's better variant): a row is one item's ratings by every user, so `columns` is the
   * number of users; 'user' (U-AutoRec): a row is one user's ratings of every item, `columns` the number of items.
   */
  kind: 'item' | 'user';
  /** Entries per row: users (I-AutoRec) or items (U-AutoRec). */
  columns: number;
  /** Hidden units (the paper's k). Default 500. */
  hiddenUnits: number;
  /**
   * The paper's lambda: the objective is sum over rows of ||r - h(r)||^2 on observed entries plus
   * (lambda / 2) (||W||^2 + ||V||^2) over both kernels (not the biases). `fit` minimises it divided by the number of
   * training rows, per row as every loss here. Default 300: chosen on a tuning split of the MovieLens ratings Debian's
   * r-cran-dslabs ships (671 users, 9,066 items; not the reported splits) for the paper's training, full-batch Rprop
   * (`RpropOptimizer` of @vae/core, initial step 1e-3) for 40 steps: validation RMSE 0.889 there against 0.899 for
   * user + item biases. lambda 100 reaches the same at 40 steps; both overfit after (0.97 at 100 steps for 300), so
   * the number of steps matters as much; 1,000 levels off at 0.908. Minibatch Adam did not beat the biases at any
   * lambda tried (1 to 3,000). Measured with PyTorch's Rprop and Adam on the same model (bench/autorec_tune.py).
   * Tune it for other data.
   */
  weightDecay: number;
  /** Seed of the initial weights. */
  seed?: number;
}

export const AUTOREC_DEFAULTS: Omit<AutoRecConfig, 'columns'> = {
  kind: 'item',
  hiddenUnits: 500,
  weightDecay: 300,
};

export function resolveAutoRecConfig(config: Partial<AutoRecConfig> & { columns: number }): AutoRecConfig {
  const resolved: AutoRecConfig = { ...AUTOREC_DEFAULTS, ...config };
  checkOneOf('AutoRec', 'kind', resolved.kind, ['item', 'user'] as const);
  for (const name of ['columns', 'hiddenUnits'] as const) {
    checkNumber('AutoRec', name, resolved[name], (v) => Number.isInteger(v) && v >= 1, 'a positive integer');
  }
  checkNumber('AutoRec', 'weightDecay', resolved.weightDecay, (v) => v >= 0, 'a number >= 0');
  if (resolved.seed !== undefined)
    checkNumber('AutoRec', 'seed', resolved.seed, () => true, 'a finite number');
  return resolved;
}
