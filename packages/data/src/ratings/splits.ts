/**
 * Seeded splits of a rating set into training and test ratings (both keep the full id maps, so indices agree):
 *
 * - `splitRandom`: a random fraction of all ratings is held out (AutoRec's 90/10).
 * - `splitPerUser`: a random fraction of each user's ratings is held out, at least one of every user with two
 *   ratings or more (top-N evaluation: every test user keeps some training ratings, as Mult-VAE's fold-in).
 * - `splitByTime`: the latest fraction of ratings by timestamp is held out (train on the past, test on the future);
 *   ties at the cut go to the training side.
 */
import { Random } from '@vae/core';
import type { RatingSet } from './rating-set';

export interface RatingSplit {
  train: RatingSet;
  test: RatingSet;
}

export interface RatingSplitOptions {
  /** Fraction held out for testing, in (0, 1). Default 0.1. */
  testFraction?: number;
  /** Seed of the split; the same seed gives the same split. Default 0. */
  seed?: number;
}

function checkFraction(caller: string, fraction: number): number {
  if (!(fraction > 0 && fraction < 1)) {
    throw new Error(`${caller}: testFraction must lie strictly between 0 and 1, got ${fraction}.`);
  }
  return fraction;
}

function partition(set: RatingSet, isTest: Uint8Array): RatingSplit {
  const train: number[] = [];
  const test: number[] = [];
  for (let k = 0; k < set.size; k++) (isTest[k] ? test : train).push(k);
  return { train: set.subset(train), test: set.subset(test) };
}

/** Holds out `round(testFraction * size)` ratings chosen uniformly at random. */
export function splitRandom(set: RatingSet, options: RatingSplitOptions = {}): RatingSplit {
  const fraction = checkFraction('splitRandom', options.testFraction ?? 0.1);
  const order = new Random(options.seed ?? 0).permutation(set.size);
  const testCount = Math.round(fraction * set.size);
  const isTest = new Uint8Array(set.size);
  for (let k = 0; k < testCount; k++) isTest[order[k]] = 1;
  return partition(set, isTest);
}

/**
 * Holds out `round(testFraction * n)` of each user's n ratings (at least 1 when n >= 2, never all of them), chosen at
 * random; users with one rating keep it for training.
 */
export function splitPerUser(set: RatingSet, options: RatingSplitOptions = {}): RatingSplit {
  const fraction = checkFraction('splitPerUser', options.testFraction ?? 0.1);
  const random = new Random(options.seed ?? 0);
  const counts = set.countsPerUser();
  // Ratings grouped by user (counting sort), then shuffled within each user.
  const starts = new Int32Array(set.numUsers + 1);
  for (let u = 0; u < set.numUsers; u++) starts[u + 1] = starts[u] + counts[u];
  const fill = starts.slice(0, set.numUsers);
  const byUser = new Int32Array(set.size);
  for (let k = 0; k < set.size; k++) byUser[fill[set.users[k]]++] = k;
  const isTest = new Uint8Array(set.size);
  for (let u = 0; u < set.numUsers; u++) {
    const n = counts[u];
    if (n < 2) continue;
    const own = random.shuffle(byUser.subarray(starts[u], starts[u + 1]));
    const held = Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
    for (let j = 0; j < held; j++) isTest[own[j]] = 1;
  }
  return partition(set, isTest);
}

/** Holds out the ratings after the time below which `1 - testFraction` of them lie. Needs timestamps. */
export function splitByTime(set: RatingSet, options: Omit<RatingSplitOptions, 'seed'> = {}): RatingSplit {
  const fraction = checkFraction('splitByTime', options.testFraction ?? 0.1);
  const times = set.timestamps;
  if (!times)
    throw new Error('splitByTime: this rating set has no timestamps; use splitRandom or splitPerUser.');
  const sorted = Float64Array.from(times).sort();
  const trainCount = Math.round((1 - fraction) * set.size);
  const cut = trainCount >= set.size ? Number.POSITIVE_INFINITY : sorted[Math.max(0, trainCount - 1)];
  const isTest = new Uint8Array(set.size);
  for (let k = 0; k < set.size; k++) isTest[k] = times[k] > cut ? 1 : 0;
  return partition(set, isTest);
}
