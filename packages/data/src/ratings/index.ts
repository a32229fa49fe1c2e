export {
  RATING_DATASET_NAMES,
  RATING_DATASETS,
  type RatingDatasetInfo,
  type RatingDatasetName,
  ratingDatasetInfo,
} from './catalog';
export {
  formatRatings,
  type ParseRatingsOptions,
  parseRatings,
  RATING_FORMATS,
  RATINGS_MAX,
  type RatingFormat,
} from './parse';
export { type DuplicatePolicy, RatingSet, RatingSetBuilder, type RawRating } from './rating-set';
export { RATING_BATCH_MAX_VALUES, RatingRows, type RowKind, ratingRows } from './rows';
export { type RatingSplit, type RatingSplitOptions, splitByTime, splitPerUser, splitRandom } from './splits';
export { type SyntheticRatingsOptions, syntheticRatings } from './synthetic';
