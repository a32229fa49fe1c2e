export {
  type AnomalyReport,
  anomalyReport,
  auprc,
  auroc,
  type BinaryLabels,
  type OperatingPoint,
  type RocCurve,
  rocCurve,
  thresholdAtFalsePositiveRate,
} from './anomaly';
export type { SoftmaxRegressionOptions } from './classifier';
export {
  type BetaVaeScore,
  type BetaVaeScoreOptions,
  betaVaeScore,
  type DciOptions,
  type DciScores,
  type DisentanglementScore,
  dciFromCodes,
  dciScores,
  type FactorVaeScore,
  type FactorVaeScoreOptions,
  factorVaeScore,
  type MutualInformationGap,
  type MutualInformationGapOptions,
  mutualInformationGap,
  type SapOptions,
  type SapScore,
  sapFromCodes,
  sapScore,
} from './disentanglement';
export { type ElboEstimate, type ElboOptions, evaluateElbo } from './elbo';
export {
  type ActiveUnits,
  activeUnits,
  type LatentHealth,
  type LatentHealthOptions,
  latentHealth,
} from './latent';
export {
  type ImportanceSampledLogLikelihood,
  type ImportanceSampledLogLikelihoodOptions,
  importanceSampledLogLikelihood,
} from './likelihood';
export { type SymmetricEigen, symmetricEigen } from './linear-algebra';
export { type CollectCodesOptions, collectCodes, type Matrix, type MatrixInput } from './matrix';
export { type PcaOptions, type PcaResult, type PrincipalAngles, pca, principalAngles } from './pca';
export {
  itemsByUser,
  type RatingErrorOptions,
  type RatingErrors,
  ratingErrors,
  type SplitTopNOptions,
  splitTopNMetrics,
  type TopNInput,
  type TopNMetrics,
  topN,
  topNMetrics,
} from './ranking';
export {
  type ReconstructFunction,
  type ReconstructionError,
  type ReconstructionErrorOptions,
  reconstructionError,
} from './reconstruction';
export {
  adjustedRandIndex,
  type ClusteringAgreement,
  type ClusteringAgreementOptions,
  clusteringAgreement,
  entropy,
  type KMeansOptions,
  type KMeansResult,
  kMeans,
  type LabelledSplit,
  type LinearProbeAccuracy,
  linearProbeAccuracy,
  mutualInformation,
  type NearestNeighbourAccuracy,
  type NearestNeighbourOptions,
  nearestNeighbourAccuracy,
  normalizedMutualInformation,
} from './representation';
export {
  type FeatureClassifier,
  type FeatureClassifierOptions,
  frechetDistance,
  frechetDistanceGaussians,
  type KernelDistance,
  type KernelDistanceOptions,
  kernelDistance,
  meanAndCovariance,
  type SampleQuality,
  type SampleQualityOptions,
  sampleQuality,
  trainFeatureClassifier,
} from './sample-quality';
export {
  type GroupAccuracy,
  type SubgroupAccuracy,
  type SubgroupAccuracyOptions,
  subgroupAccuracy,
  type UpweightedExamples,
  upweightedExamples,
} from './subgroups';
