/**
 * The rating-data contract (recommenders): sparse (user, item, rating) triples with dense indices, and the layout of
 * a batch of rating rows. `@vae/data` builds both (readers, splits, sparse row batching); `@vae/models` trains on the
 * rows (AutoRec) and predicts for pairs; `@vae/metrics` scores predictions against held-out triples. A users x items
 * matrix is never built densely: rows are filled per batch.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Observed ratings as parallel arrays: rating k is `ratings[k]` given by user `users[k]` to item `items[k]`. */
export interface RatingTriples {
  /** Number of users: user indices lie in [0, numUsers). */
  readonly numUsers: number;
  /** Number of items: item indices lie in [0, numItems). */
  readonly numItems: number;
  /** Number of ratings (the length of the three arrays). */
  readonly size: number;
  readonly users: ArrayLike<number>;
  readonly items: ArrayLike<number>;
  readonly ratings: ArrayLike<number>;
}

/**
 * A batch of rating rows has shape [batch, 2, columns]: `[:, 0, :]` holds the ratings (0 where nothing is observed)
 * and `[:, 1, :]` the mask (1 where a rating is observed, else 0). A row is one user's ratings of every item
 * (U-AutoRec, Mult-VAE) or one item's ratings by every user (I-AutoRec). Splits the batch into its two parts, each
 * [batch, columns].
 */
export function maskedRows(x: tf.Tensor): { values: tf.Tensor2D; mask: tf.Tensor2D } {
  if (x.rank !== 3 || x.shape[1] !== 2) {
    throw new Error(
      `maskedRows: rating rows must have shape [batch, 2, columns] (ratings, then the observed mask), got [${x.shape}].`,
    );
  }
  return tf.tidy(() => {
    const [values, mask] = tf.unstack(x, 1);
    return { values: values as tf.Tensor2D, mask: mask as tf.Tensor2D };
  });
}

/** Checks that `triples` is consistent (lengths, index ranges, finite ratings); throws naming the first problem. */
export function checkRatingTriples(triples: RatingTriples, caller: string): void {
  const { numUsers, numItems, size, users, items, ratings } = triples;
  for (const [name, n] of [
    ['numUsers', numUsers],
    ['numItems', numItems],
    ['size', size],
  ] as const) {
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`${caller}: ${name} must be a non-negative integer, got ${n}.`);
  }
  if (users.length !== size || items.length !== size || ratings.length !== size) {
    throw new Error(
      `${caller}: users, items and ratings must each hold size = ${size} values, got ${users.length}, ` +
        `${items.length} and ${ratings.length}.`,
    );
  }
  for (let k = 0; k < size; k++) {
    const u = users[k];
    const i = items[k];
    if (!Number.isInteger(u) || u < 0 || u >= numUsers) {
      throw new Error(`${caller}: rating ${k} has user index ${u}, outside [0, ${numUsers}).`);
    }
    if (!Number.isInteger(i) || i < 0 || i >= numItems) {
      throw new Error(`${caller}: rating ${k} has item index ${i}, outside [0, ${numItems}).`);
    }
    if (!Number.isFinite(ratings[k]))
      throw new Error(`${caller}: rating ${k} is ${ratings[k]}, not a finite number.`);
  }
}
