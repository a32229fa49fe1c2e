/**
 * A seeded synthetic rating set that may be redistributed (unlike MovieLens, whose licence forbids it): for demos,
 * tests and documentation of the recommenders. Users and items get `rank` taste factors from N(0, 1); a rating is
 * `midpoint + spread * (u . v) / sqrt(rank) + itemBias + noise`, rounded to the scale's steps and clipped to it.
 * Which items a user rates follows item popularity (a Zipf law with exponent `popularity`, 0 = uniform), so a
 * popularity baseline has something to find, as in real data. The same options and seed give the same set.
 */
import { Random } from '@vae/core';
import { type RatingSet, RatingSetBuilder } from './rating-set';

export interface SyntheticRatingsOptions {
  /** Number of users. Default 200. */
  users?: number;
  /** Number of items. Default 100. */
  items?: number;
  /** Number of taste factors. Default 3. */
  rank?: number;
  /** Share of the user x item pairs that are rated, in (0, 1]. Default 0.2. */
  density?: number;
  /** Zipf exponent of item popularity (0: every item equally likely to be rated). Default 1. */
  popularity?: number;
  /** Standard deviation of the rating noise, before rounding. Default 0.5. */
  noise?: number;
  /** Lowest and highest rating, in whole steps. Default [1, 5]. */
  scale?: readonly [number, number];
  /** Seed of everything. Default 0. */
  seed?: number;
}

function positiveInteger(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new Error(`syntheticRatings: ${name} must be an integer from 1 to ${max}, got ${value}.`);
  }
  return value;
}

/** A synthetic rating set (see the module's description); user ids `u0`, `u1`, ..., item ids `i0`, `i1`, .... */
export function syntheticRatings(options: SyntheticRatingsOptions = {}): RatingSet {
  const users = positiveInteger('users', options.users ?? 200, 1_000_000);
  const items = positiveInteger('items', options.items ?? 100, 1_000_000);
  const rank = positiveInteger('rank', options.rank ?? 3, 1000);
  const density = options.density ?? 0.2;
  if (!(density > 0 && density <= 1)) {
    throw new Error(`syntheticRatings: density must be in (0, 1], got ${density}.`);
  }
  if (users * items * density > 50_000_000) {
    throw new Error(
      'syntheticRatings: more than 50 million ratings asked for; lower users, items or density.',
    );
  }
  const popularity = options.popularity ?? 1;
  const noise = options.noise ?? 0.5;
  if (!(popularity >= 0 && Number.isFinite(popularity))) {
    throw new Error(`syntheticRatings: popularity must be a number >= 0, got ${popularity}.`);
  }
  if (!(noise >= 0 && Number.isFinite(noise))) {
    throw new Error(`syntheticRatings: noise must be a number >= 0, got ${noise}.`);
  }
  const [low, high] = options.scale ?? [1, 5];
  if (!(Number.isSafeInteger(low) && Number.isSafeInteger(high) && low < high)) {
    throw new Error(
      `syntheticRatings: scale must be two integers [low, high] with low < high, got [${low}, ${high}].`,
    );
  }
  const random = new Random(options.seed ?? 0);
  const gaussian = () => {
    const u = 1 - random.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
  };
  const factors = (count: number) =>
    Array.from({ length: count }, () => Array.from({ length: rank }, gaussian));
  const userTaste = factors(users);
  const itemTaste = factors(items);
  const itemBias = Array.from({ length: items }, () => 0.5 * gaussian());
  // item k's popularity weight (k + 1)^-s, in a random order so that item ids say nothing
  const order = random.permutation(items);
  const weights = Array.from({ length: items }, (_, i) => (order[i] + 1) ** -popularity);
  const perUser = Math.max(1, Math.round(density * items));
  const midpoint = (low + high) / 2;
  const spread = (high - low) / 4;
  const builder = new RatingSetBuilder({ duplicates: 'error' });
  const taken = new Uint8Array(items);
  for (let u = 0; u < users; u++) {
    taken.fill(0);
    // perUser distinct items, each drawn with probability proportional to its weight among those not yet taken
    let left = weights.reduce((a, b) => a + b, 0);
    for (let n = 0; n < perUser; n++) {
      let target = random.next() * left;
      let i = 0;
      for (; i < items - 1; i++) {
        if (taken[i]) continue;
        target -= weights[i];
        if (target < 0) break;
      }
      while (taken[i]) i -= 1; // rounding left the draw past the last free item
      taken[i] = 1;
      left -= weights[i];
      let dot = 0;
      for (let f = 0; f < rank; f++) dot += userTaste[u][f] * itemTaste[i][f];
      const score = midpoint + (spread * dot) / Math.sqrt(rank) + itemBias[i] + noise * gaussian();
      const rating = Math.min(high, Math.max(low, Math.round(score)));
      builder.add({ user: `u${u}`, item: `i${i}`, rating }, `synthetic rating ${u},${i}`);
    }
  }
  return builder.build();
}
