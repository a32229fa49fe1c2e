/**
 * What a run of the Recommendations view is, apart from the page: the ratings (`syntheticRatings` of @vae/data,
 * seeded and free to redistribute, unlike MovieLens), the clicks (ratings of 4 or 5) split per user
 * (`splitPerUser`), the model (`MultVAE` or `MultDAE` of @vae/models) and the options `fit` gets, sized so that a
 * run takes seconds in a browser on wasm. The same steps as `vae recommend --model mult-vae`, smaller. The page
 * draws the data from the same function, so it shows what the worker trains on.
 */
import { RatingRows, type RatingSet, splitPerUser, syntheticRatings } from '@vae/data';
import { itemsByUser } from '@vae/metrics';
import { type FitOptions, MULT_VAE_DEFAULTS, MultDAE, MultVAE } from '@vae/models';

export type RecommendModelName = 'mult-vae' | 'mult-dae';

export interface RecommendSettings {
  /** Seed of the ratings, the split, the weights and the shuffling. */
  seed: number;
  model: RecommendModelName;
  epochs: number;
}

export const RECOMMEND_DEFAULTS: RecommendSettings = { seed: 1, model: 'mult-vae', epochs: 20 };

/**
 * The ratings: 600 users x 300 items, each user rating 60 (a fifth), chosen by a Zipf popularity law, on 1-5 from
 * three taste factors, an item bias and noise (`syntheticRatings`' model). A rating of 4 or 5 is a click (the
 * paper keeps >= 3.5 stars); a fifth of each user's clicks is held out.
 */
export const RECOMMEND_DATA = {
  users: 600,
  items: 300,
  rank: 3,
  density: 0.2,
  popularity: 1,
  noise: 0.5,
  minRating: 4,
  testFraction: 0.2,
} as const;

/** The network: items-100-32 (and back), tanh, dropout 0.5 on the input (the paper's 600-200, scaled down). */
export const RECOMMEND_MODEL = { hiddenUnits: [100], latentDim: 32 } as const;

/** Adam 1e-3 as the paper, batches of 50 users (12 steps an epoch); Mult-VAE's beta rises to 0.2 over 80 % of it. */
export const RECOMMEND_TRAINING = { batchSize: 50, learningRate: 1e-3, klCap: 0.2 } as const;

/** The cut-offs of the metrics, and the length of the lists shown. */
export const RECOMMEND_KS = [10, 20] as const;
export const RECOMMEND_TOP = 10;

export interface RecommendData {
  /** Every rating (1-5). */
  ratings: RatingSet;
  /** Clicks kept for training, and the held-out clicks (the same id maps). */
  train: RatingSet;
  test: RatingSet;
  /** By user index: items clicked in training, items held out. */
  trainItems: number[][];
  testItems: number[][];
}

export function recommendData(settings: Pick<RecommendSettings, 'seed'>): RecommendData {
  const { minRating, testFraction, ...shape } = RECOMMEND_DATA;
  const ratings = syntheticRatings({ ...shape, seed: settings.seed });
  const clicks = ratings.subset(
    Array.from({ length: ratings.size }, (_, k) => k).filter((k) => ratings.ratings[k] >= minRating),
  );
  const { train, test } = splitPerUser(clicks, { testFraction, seed: settings.seed });
  return { ratings, train, test, trainItems: itemsByUser(train), testItems: itemsByUser(test) };
}

/** The training rows: one row of clicks per user. */
export function recommendRows(data: RecommendData): RatingRows {
  return new RatingRows(data.train, 'user');
}

export function createRecommendModel(settings: RecommendSettings, items: number): MultVAE | MultDAE {
  const base = {
    items,
    hiddenUnits: [...RECOMMEND_MODEL.hiddenUnits],
    latentDim: RECOMMEND_MODEL.latentDim,
    seed: settings.seed,
  };
  if (settings.model === 'mult-dae') return new MultDAE(base);
  const steps = settings.epochs * Math.ceil(RECOMMEND_DATA.users / RECOMMEND_TRAINING.batchSize);
  return new MultVAE({
    ...base,
    weightDecay: MULT_VAE_DEFAULTS.weightDecay,
    // the paper's cap 0.2, reached after 80 % of the run (as `vae recommend` on small sets)
    klSchedule: {
      kind: 'linear',
      from: 0,
      to: RECOMMEND_TRAINING.klCap,
      steps: Math.max(1, Math.round(0.8 * steps)),
    },
  });
}

/** The options of `fit` (the callbacks and signal are the caller's). */
export function recommendFitOptions(settings: RecommendSettings): FitOptions {
  return {
    epochs: settings.epochs,
    batchSize: RECOMMEND_TRAINING.batchSize,
    learningRate: RECOMMEND_TRAINING.learningRate,
    seed: settings.seed,
  };
}
