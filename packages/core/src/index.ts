export { batchRanges, meanOverBatches, range, tensorSource } from './batches';
export { ACTIVATIONS, type Activation, Dense, type DenseApplyOptions, type DenseOptions } from './dense';
export type {
  BatchSource,
  ElboTerms,
  FactorSource,
  LossTerms,
  ProbabilisticAutoencoder,
  RepresentationFunction,
} from './interfaces';
export {
  binaryCrossEntropyWithLogits,
  klDivergenceStandardNormal,
  type Reduction,
  reparameterize,
} from './losses';
export { uniqueVariableName } from './naming';
export { Random } from './random';
