/**
 * Recommender metrics on held-out ratings.
 *
 * - `ratingErrors`: RMSE and MAE of predicted ratings, predictions clipped to the rating range; pairs whose user or
 *   item has no training rating get a default prediction (AutoRec's protocol: Sedhain et al., 2015, use 3 on a
 *   1-5 scale), counted apart so they can be reported.
 * - `topNMetrics`: Recall@k and NDCG@k of top-N lists with the items a user already rated in training excluded, as
 *   Liang et al., "Variational Autoencoders for Collaborative Filtering" (WWW 2018): Recall@k divides the hits by
 *   min(k, number held out); NDCG@k uses binary relevance, DCG = sum over ranks r < k of hit / log2(r + 2), divided by
 *   the DCG of an ideal list.
 */
import { checkRatingTriples, type RatingTriples } from '@vae/core';

export interface RatingErrorOptions {
  /** Ratings allowed, [min, max]: predictions are clipped to it (e.g. [1, 5]). Default: no clipping. */
  range?: readonly [number, number];
  /** The training ratings: a test pair whose user or item has none there gets `defaultRating`. */
  train?: RatingTriples;
  /** Prediction for unseen users or items. Default: the middle of `range` (3 on 1-5), else the training mean. */
  defaultRating?: number;
}

export interface RatingErrors {
  rmse: number;
  mae: number;
  /** Pairs scored. */
  count: number;
  /** Pairs that got the default because their user or item has no training rating (0 without `train`). */
  unseen: number;
}

/** RMSE and MAE of `predictions` (one per rating of `test`, in its order) against `test.ratings`. */
export function ratingErrors(
  test: RatingTriples,
  predictions: ArrayLike<number>,
  options: RatingErrorOptions = {},
): RatingErrors {
  checkRatingTriples(test, 'ratingErrors');
  if (predictions.length !== test.size) {
    throw new Error(`ratingErrors: ${predictions.length} predictions for ${test.size} test ratings.`);
  }
  if (test.size < 1) throw new Error('ratingErrors: the test ratings are empty.');
  const [low, high] = options.range ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  if (options.range && !(low <= high))
    throw new Error(`ratingErrors: range must be [min, max], got [${options.range}].`);
  const train = options.train;
  let userSeen: Uint8Array | undefined;
  let itemSeen: Uint8Array | undefined;
  let fallback = options.defaultRating;
  if (train) {
    checkRatingTriples(train, 'ratingErrors (train)');
    if (train.numUsers !== test.numUsers || train.numItems !== test.numItems) {
      throw new Error(
        `ratingErrors: train has ${train.numUsers} users x ${train.numItems} items, test ${test.numUsers} x ` +
          `${test.numItems}; split one rating set so both share its id maps.`,
      );
    }
    userSeen = new Uint8Array(train.numUsers);
    itemSeen = new Uint8Array(train.numItems);
    let sum = 0;
    for (let k = 0; k < train.size; k++) {
      userSeen[train.users[k]] = 1;
      itemSeen[train.items[k]] = 1;
      sum += train.ratings[k];
    }
    fallback ??= options.range ? (low + high) / 2 : train.size > 0 ? sum / train.size : undefined;
  }
  let squared = 0;
  let absolute = 0;
  let unseen = 0;
  for (let k = 0; k < test.size; k++) {
    let p = predictions[k];
    if (userSeen && itemSeen && (!userSeen[test.users[k]] || !itemSeen[test.items[k]])) {
      if (fallback === undefined)
        throw new Error('ratingErrors: pass defaultRating or range for unseen pairs.');
      p = fallback;
      unseen++;
    }
    if (!Number.isFinite(p)) throw new Error(`ratingErrors: prediction ${k} is ${p}, not a finite number.`);
    p = Math.min(high, Math.max(low, p));
    const error = p - test.ratings[k];
    squared += error * error;
    absolute += Math.abs(error);
  }
  return { rmse: Math.sqrt(squared / test.size), mae: absolute / test.size, count: test.size, unseen };
}

export interface TopNInput {
  /** Scores of every item, one array per evaluated user (higher is better). */
  scores: readonly ArrayLike<number>[];
  /** Held-out items of each user (the relevant ones). */
  heldOut: readonly ArrayLike<number>[];
  /** Items each user rated in training: never recommended, so never counted. */
  seen?: readonly ArrayLike<number>[];
}

export interface TopNMetrics {
  /** Recall@k per k: mean over users with held-out items of hits / min(k, held out). */
  recall: Record<number, number>;
  /** NDCG@k per k: mean over users with held-out items. */
  ndcg: Record<number, number>;
  /** Users averaged (those with at least one held-out item). */
  users: number;
}

/** The `k` best items of `scores` with `seen` excluded, best first (ties: the lower item index first). */
export function topN(scores: ArrayLike<number>, k: number, seen: ArrayLike<number> = []): number[] {
  const excluded = new Set<number>(Array.from(seen));
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (excluded.has(i)) continue;
    if (Number.isNaN(scores[i])) throw new Error(`topN: the score of item ${i} is NaN.`);
    candidates.push(i);
  }
  candidates.sort((a, b) => scores[b] - scores[a] || a - b);
  return candidates.slice(0, k);
}

/** Recall@k and NDCG@k for every k in `ks` (see the module's description). */
export function topNMetrics(input: TopNInput, ks: readonly number[]): TopNMetrics {
  const { scores, heldOut, seen } = input;
  if (heldOut.length !== scores.length || (seen && seen.length !== scores.length)) {
    throw new Error('topNMetrics: scores, heldOut and seen must have one entry per user.');
  }
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1)
      throw new Error(`topNMetrics: every k must be a positive integer, got ${k}.`);
  }
  const largest = Math.max(...ks);
  const recall: Record<number, number> = {};
  const ndcg: Record<number, number> = {};
  for (const k of ks) {
    recall[k] = 0;
    ndcg[k] = 0;
  }
  let users = 0;
  for (let u = 0; u < scores.length; u++) {
    const relevant = new Set<number>(Array.from(heldOut[u]));
    if (relevant.size === 0) continue;
    users++;
    const list = topN(scores[u], largest, seen?.[u]);
    for (const k of ks) {
      let hits = 0;
      let dcg = 0;
      for (let r = 0; r < Math.min(k, list.length); r++) {
        if (relevant.has(list[r])) {
          hits++;
          dcg += 1 / Math.log2(r + 2);
        }
      }
      let ideal = 0;
      for (let r = 0; r < Math.min(k, relevant.size); r++) ideal += 1 / Math.log2(r + 2);
      recall[k] += hits / Math.min(k, relevant.size);
      ndcg[k] += dcg / ideal;
    }
  }
  if (users === 0) throw new Error('topNMetrics: no user has held-out items.');
  for (const k of ks) {
    recall[k] /= users;
    ndcg[k] /= users;
  }
  return { recall, ndcg, users };
}

/** The items of each user in `triples`, by user index, in the order of the ratings (empty for a user with none). */
export function itemsByUser(triples: RatingTriples): number[][] {
  checkRatingTriples(triples, 'itemsByUser');
  const lists: number[][] = Array.from({ length: triples.numUsers }, () => []);
  for (let k = 0; k < triples.size; k++) lists[triples.users[k]].push(triples.items[k]);
  return lists;
}

export interface SplitTopNOptions {
  /** Users per call of `scoresOf` (a large catalog never holds every user's scores at once). Default 500. */
  batchSize?: number;
}

/**
 * Recall@k and NDCG@k of a recommender on a split of one rating set (e.g. `splitPerUser` of @vae/data): every user
 * with both training and held-out items is scored by `scoresOf` (a batch of user indices -> one score array of every
 * item per user), the user's training items are excluded, the held-out ones are the relevant ones; the means are over
 * those users (`topNMetrics` per batch, weighted by users). The protocol of Liang et al. (2018) with fold-in users
 * being the training users themselves.
 */
export async function splitTopNMetrics(
  scoresOf: (users: number[]) => ArrayLike<number>[] | Promise<ArrayLike<number>[]>,
  train: RatingTriples,
  test: RatingTriples,
  ks: readonly number[],
  options: SplitTopNOptions = {},
): Promise<TopNMetrics> {
  if (train.numUsers !== test.numUsers || train.numItems !== test.numItems) {
    throw new Error(
      `splitTopNMetrics: train has ${train.numUsers} users x ${train.numItems} items, test ${test.numUsers} x ` +
        `${test.numItems}; split one rating set so both share its id maps.`,
    );
  }
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`splitTopNMetrics: batchSize must be a positive integer, got ${batchSize}.`);
  }
  const seen = itemsByUser(train);
  const held = itemsByUser(test);
  const users = held.flatMap((items, u) => (items.length > 0 && seen[u].length > 0 ? [u] : []));
  if (users.length === 0) {
    throw new Error(
      'splitTopNMetrics: no user has both training and held-out items; use more data or hold out a larger fraction.',
    );
  }
  const recall: Record<number, number> = Object.fromEntries(ks.map((k) => [k, 0]));
  const ndcg: Record<number, number> = Object.fromEntries(ks.map((k) => [k, 0]));
  for (let start = 0; start < users.length; start += batchSize) {
    const batch = users.slice(start, start + batchSize);
    const scores = await scoresOf(batch);
    if (scores.length !== batch.length) {
      throw new Error(
        `splitTopNMetrics: scoresOf gave ${scores.length} score arrays for ${batch.length} users.`,
      );
    }
    for (const [j, s] of scores.entries()) {
      if (s.length !== train.numItems) {
        throw new Error(
          `splitTopNMetrics: user ${batch[j]} got ${s.length} scores for ${train.numItems} items.`,
        );
      }
    }
    const metrics = topNMetrics(
      { scores, heldOut: batch.map((u) => held[u]), seen: batch.map((u) => seen[u]) },
      ks,
    );
    for (const k of ks) {
      recall[k] += metrics.recall[k] * metrics.users;
      ndcg[k] += metrics.ndcg[k] * metrics.users;
    }
  }
  for (const k of ks) {
    recall[k] /= users.length;
    ndcg[k] /= users.length;
  }
  return { recall, ndcg, users: users.length };
}
