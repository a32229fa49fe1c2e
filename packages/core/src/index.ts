export {
  ACTIVATIONS,
  type Activation,
  activationGradient,
  activationSlope,
  applyActivation,
} from './activations';
export { FUSED_ADAM_KERNEL, FusedAdamOptimizer, fusedAdam, fusedAdamAvailable } from './adam';
export {
  BACKEND_PACKAGES,
  type BackendName,
  type BackendPrecision,
  backendPrecision,
  registeredBackends,
  selectBackend,
} from './backend';
export {
  batchLabels,
  batchRanges,
  conditioningLabels,
  meanOverBatches,
  range,
  repeatLabels,
  tensorSource,
} from './batches';
export {
  evidenceLowerBound,
  importanceWeightedBound,
  type LogWeightTerms,
  type LossTermsOptions,
  type LossTermTensors,
  logImportanceWeights,
  logPriorOf,
  lossTerms,
  type PosteriorLogWeightsOptions,
  posteriorLogWeights,
} from './bounds';
export { clipByGlobalNorm, globalNorm } from './clipping';
export {
  type CovarianceKind,
  type DenseMatrix,
  GaussianMixture,
  type GaussianMixtureFitOptions,
  type GaussianMixtureFitReport,
  type GaussianMixtureJSON,
  type KMeansRunResult,
  kMeansRun,
} from './clustering';
export {
  conv2dFilterGradient,
  conv2dInputGradient,
  type FusedConv2dOptions,
  fusedConv2d,
} from './conv';
export {
  Dense,
  type DenseApplyOptions,
  type DenseOptions,
  type FusedDenseOptions,
  fusedDense,
} from './dense';
export { sha256Available, sha256Hex } from './digest';
export {
  type DensityOptions,
  DiagonalGaussian,
  gaussianLogDensity,
  type SampleOptions,
  standardNormalLogDensity,
} from './distributions';
export {
  type DivergenceOptions,
  klDivergenceDiagonalGaussian,
  klDivergenceDiagonalGaussianPerDimension,
  klDivergenceStandardNormal,
  klDivergenceStandardNormalPerDimension,
} from './divergences';
export {
  type ArrayData,
  type BatchInput,
  type DataInput,
  type NumericArray,
  type ToBatchSourceOptions,
  toBatchSource,
} from './inputs';
export type {
  BatchSource,
  ElboTerms,
  FactorSource,
  Labels,
  LossTerms,
  ProbabilisticAutoencoder,
  RepresentationFunction,
  RocCurve,
} from './interfaces';
export {
  type InterpolateOptions,
  interpolateLatent,
  type TraverseOptions,
  traverseLatent,
} from './latent';
export {
  cholesky,
  type PrincipalAxes,
  principalAxes,
  type SymmetricEigen,
  symmetricEigen,
} from './linear-algebra';
export { logMeanExp, logSumExp } from './log-space';
export {
  type BinaryCrossEntropyOptions,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type FixedVarianceOptions,
  gaussianNegativeLogLikelihood,
  gaussianNegativeLogLikelihoodFixedVariance,
  meanSquaredError,
  type Reduction,
  type ReductionOptions,
  type ReparameterizeOptions,
  reparameterize,
  softmaxCrossEntropyWithLogits,
  squaredError,
} from './losses';
export { maskedMeanSquaredError, maskedSquaredError } from './masked';
export { type DiagonalMixture, mixtureLogDensity } from './mixtures';
export {
  type KernelOptions,
  kernelMatrix,
  MMD_KERNELS,
  type MmdKernel,
  type MmdOptions,
  maximumMeanDiscrepancy,
  pairwiseSquaredDistances,
} from './mmd';
export { multinomialLogLikelihood } from './multinomial';
export { uniqueVariableName } from './naming';
export { gaussianNoise, maskingNoise } from './noise';
export {
  type Progress,
  type ProgressOptions,
  reportProgress,
  throwIfAborted,
  yieldToEventLoop,
} from './progress';
export {
  codebookPerplexity,
  type EmaCodebookState,
  emaCodebookUpdate,
  floatOneHot,
  nearestCodes,
  stopGradient,
  type VectorQuantization,
  vectorQuantize,
} from './quantization';
export { Random } from './random';
export { checkRatingTriples, maskedRows, type RatingTriples } from './ratings';
export {
  contractivePenalty,
  type DipCovarianceOptions,
  denseContractivePenalty,
  dipCovariancePenalty,
  l1Penalty,
  l2Penalty,
  type SparsityOptions,
  sigmoidContractivePenalty,
  sparsityPenalty,
} from './regularizers';
export {
  type DensityWeights,
  type DensityWeightsOptions,
  densityWeights,
  type LatentHistogram,
  type LatentMatrix,
  weightedSample,
} from './resampling';
export { type NamedTensor, RpropOptimizer, type RpropOptions } from './rprop';
export {
  type CapacitySchedule,
  type ConstantSchedule,
  type CosineSchedule,
  type CyclicalSchedule,
  capacityAt,
  type KlSchedule,
  klPenalty,
  klWeight,
  type LinearSchedule,
  SCHEDULE_KINDS,
  validateSchedule,
} from './schedules';
export {
  AGGREGATE_POSTERIOR_ESTIMATORS,
  type AggregatePosteriorEstimator,
  type AggregatePosteriorOptions,
  type KlDecomposition,
  klDecomposition,
  logAggregatePosterior,
  pairwiseLogDensities,
  permuteDimensions,
  totalCorrelation,
} from './total-correlation';
