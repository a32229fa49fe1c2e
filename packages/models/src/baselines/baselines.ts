/**
 * Rating baselines, so that every recommender number is read against something:
 *
 * - `GlobalMean`: every prediction is the mean training rating.
 * - `BiasBaseline`: mu + b_u + b_i (Koren, "Factor in the neighbors", 2008, section 2.1), fitted by alternating
 *   regularized least squares: b_i = sum(r - mu - b_u) / (lambda + n_i), then b_u likewise, a few sweeps.
 * - `BiasedMF`: mu + b_u + b_i + p_u . q_i trained by stochastic gradient descent with L2 regularization (Koren, Bell
 *   and Volinsky, "Matrix factorization techniques for recommender systems", 2009), seeded.
 *
 * Plain JavaScript on typed arrays (no tensors): these are small closed-form or SGD fits over the observed ratings,
 * fast on the 2 cores here up to ML-10M. Users or items without training ratings get the global mean plus the biases
 * that exist (0 for the missing side).
 */
import { checkRatingTriples, Random, type RatingTriples } from '@vae/core';

export interface RatingPredictor {
  /** Predicted ratings of pairs (user and item indices of the training set's id maps). */
  predict(users: ArrayLike<number>, items: ArrayLike<number>): Float32Array;
}

function meanRating(train: RatingTriples): number {
  if (train.size < 1) throw new Error('baselines: the training ratings are empty.');
  let sum = 0;
  for (let k = 0; k < train.size; k++) sum += train.ratings[k];
  return sum / train.size;
}

function checkIndex(k: number, index: number, n: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new Error(`baselines: pair ${k} has ${what} index ${index}, outside [0, ${n}).`);
  }
}

/** Predicts the mean training rating for every pair. */
export class GlobalMean implements RatingPredictor {
  readonly mean: number;

  constructor(train: RatingTriples) {
    checkRatingTriples(train, 'GlobalMean');
    this.mean = meanRating(train);
  }

  predict(users: ArrayLike<number>, _items: ArrayLike<number>): Float32Array {
    return new Float32Array(users.length).fill(this.mean);
  }
}

export interface BiasOptions {
  /** Regularization of the biases (shrinks those of users or items with few ratings to 0). Default 10. */
  lambda?: number;
  /** Alternating sweeps (items, then users). Default 10. */
  sweeps?: number;
}

/** mu + b_u + b_i with regularized biases. */
export class BiasBaseline implements RatingPredictor {
  readonly mean: number;
  readonly userBias: Float64Array;
  readonly itemBias: Float64Array;

  constructor(train: RatingTriples, options: BiasOptions = {}) {
    checkRatingTriples(train, 'BiasBaseline');
    const lambda = options.lambda ?? 10;
    const sweeps = options.sweeps ?? 10;
    if (!(lambda >= 0)) throw new Error(`BiasBaseline: lambda must be >= 0, got ${lambda}.`);
    if (!Number.isInteger(sweeps) || sweeps < 1)
      throw new Error(`BiasBaseline: sweeps must be >= 1, got ${sweeps}.`);
    this.mean = meanRating(train);
    this.userBias = new Float64Array(train.numUsers);
    this.itemBias = new Float64Array(train.numItems);
    const sums = { user: new Float64Array(train.numUsers), item: new Float64Array(train.numItems) };
    const counts = { user: new Float64Array(train.numUsers), item: new Float64Array(train.numItems) };
    for (let k = 0; k < train.size; k++) {
      counts.user[train.users[k]]++;
      counts.item[train.items[k]]++;
    }
    for (let s = 0; s < sweeps; s++) {
      sums.item.fill(0);
      for (let k = 0; k < train.size; k++) {
        sums.item[train.items[k]] += train.ratings[k] - this.mean - this.userBias[train.users[k]];
      }
      for (let i = 0; i < train.numItems; i++)
        this.itemBias[i] = sums.item[i] / (lambda + counts.item[i] || 1);
      sums.user.fill(0);
      for (let k = 0; k < train.size; k++) {
        sums.user[train.users[k]] += train.ratings[k] - this.mean - this.itemBias[train.items[k]];
      }
      for (let u = 0; u < train.numUsers; u++)
        this.userBias[u] = sums.user[u] / (lambda + counts.user[u] || 1);
    }
  }

  predict(users: ArrayLike<number>, items: ArrayLike<number>): Float32Array {
    const out = new Float32Array(users.length);
    for (let k = 0; k < users.length; k++) {
      checkIndex(k, users[k], this.userBias.length, 'user');
      checkIndex(k, items[k], this.itemBias.length, 'item');
      out[k] = this.mean + this.userBias[users[k]] + this.itemBias[items[k]];
    }
    return out;
  }
}

export interface BiasedMFOptions {
  /** Latent factors per user and item. Default 50. */
  factors?: number;
  /** Passes over the training ratings. Default 30. */
  epochs?: number;
  /** SGD step. Default 0.01. */
  learningRate?: number;
  /** L2 regularization of factors and biases. Default 0.05. */
  lambda?: number;
  /** Standard deviation of the initial factors. Default 0.1. */
  initScale?: number;
  /** Seed of the initial factors and the order of the ratings. Default 0. */
  seed?: number;
}

/** mu + b_u + b_i + p_u . q_i, trained by SGD over the observed ratings in a seeded random order per epoch. */
export class BiasedMF implements RatingPredictor {
  readonly mean: number;
  readonly factors: number;
  readonly userBias: Float32Array;
  readonly itemBias: Float32Array;
  /** [numUsers, factors], row-major. */
  readonly userFactors: Float32Array;
  /** [numItems, factors], row-major. */
  readonly itemFactors: Float32Array;

  constructor(train: RatingTriples, options: BiasedMFOptions = {}) {
    checkRatingTriples(train, 'BiasedMF');
    const f = options.factors ?? 50;
    const epochs = options.epochs ?? 30;
    const rate = options.learningRate ?? 0.01;
    const lambda = options.lambda ?? 0.05;
    const scale = options.initScale ?? 0.1;
    if (!Number.isInteger(f) || f < 1)
      throw new Error(`BiasedMF: factors must be a positive integer, got ${f}.`);
    if (!Number.isInteger(epochs) || epochs < 1)
      throw new Error(`BiasedMF: epochs must be >= 1, got ${epochs}.`);
    if (!(rate > 0) || !(lambda >= 0) || !(scale >= 0)) {
      throw new Error('BiasedMF: learningRate must be > 0, lambda and initScale >= 0.');
    }
    const random = new Random(options.seed ?? 0);
    // Box-Muller normals from the seeded stream.
    const normal = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
    this.mean = meanRating(train);
    this.factors = f;
    this.userBias = new Float32Array(train.numUsers);
    this.itemBias = new Float32Array(train.numItems);
    this.userFactors = Float32Array.from({ length: train.numUsers * f }, () => scale * normal());
    this.itemFactors = Float32Array.from({ length: train.numItems * f }, () => scale * normal());
    const P = this.userFactors;
    const Q = this.itemFactors;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = random.permutation(train.size);
      for (let j = 0; j < train.size; j++) {
        const k = order[j];
        const u = train.users[k];
        const i = train.items[k];
        const pu = u * f;
        const qi = i * f;
        let dot = 0;
        for (let d = 0; d < f; d++) dot += P[pu + d] * Q[qi + d];
        const error = train.ratings[k] - (this.mean + this.userBias[u] + this.itemBias[i] + dot);
        this.userBias[u] += rate * (error - lambda * this.userBias[u]);
        this.itemBias[i] += rate * (error - lambda * this.itemBias[i]);
        for (let d = 0; d < f; d++) {
          const p = P[pu + d];
          const q = Q[qi + d];
          P[pu + d] += rate * (error * q - lambda * p);
          Q[qi + d] += rate * (error * p - lambda * q);
        }
      }
    }
  }

  predict(users: ArrayLike<number>, items: ArrayLike<number>): Float32Array {
    const f = this.factors;
    const out = new Float32Array(users.length);
    for (let k = 0; k < users.length; k++) {
      const u = users[k];
      const i = items[k];
      checkIndex(k, u, this.userBias.length, 'user');
      checkIndex(k, i, this.itemBias.length, 'item');
      let dot = 0;
      for (let d = 0; d < f; d++) dot += this.userFactors[u * f + d] * this.itemFactors[i * f + d];
      out[k] = this.mean + this.userBias[u] + this.itemBias[i] + dot;
    }
    return out;
  }
}

/**
 * Top-N popularity: every user's scores are the items' training counts (how many users rated or clicked each), the
 * baseline Mult-VAE and every top-N recommender is read against. Rank with the user's own items excluded.
 */
export class Popularity {
  /** Training ratings per item. */
  readonly counts: Float32Array;

  constructor(train: RatingTriples) {
    checkRatingTriples(train, 'Popularity');
    this.counts = new Float32Array(train.numItems);
    for (let k = 0; k < train.size; k++) this.counts[train.items[k]]++;
  }

  /** The same scores (item counts) for each of `users`. */
  scores(users: ArrayLike<number>): Float32Array[] {
    return Array.from({ length: users.length }, () => this.counts);
  }
}
