export {
  BiasBaseline,
  BiasedMF,
  type BiasedMFOptions,
  type BiasOptions,
  GlobalMean,
  Popularity,
  type RatingPredictor,
} from './baselines';
