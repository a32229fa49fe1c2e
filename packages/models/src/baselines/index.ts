export {
  BiasBaseline,
  BiasedMF,
  type BiasedMFOptions,
  type BiasOptions,
  GlobalMean,
  type RatingPredictor,
} from './baselines';
