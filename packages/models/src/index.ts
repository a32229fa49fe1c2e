export { DEFAULT_MAX_WEIGHT_BYTES, type LoadOptions } from './artifacts';
export {
  AUTOENCODER_DEFAULTS,
  Autoencoder,
  type AutoencoderConfig,
  type CodeDecoder,
  resolveAutoencoderConfig,
} from './autoencoder/index';
export {
  AUTOREC_DEFAULTS,
  AutoRec,
  type AutoRecConfig,
  type RatingPairs,
  resolveAutoRecConfig,
} from './autorec/index';
export { MODEL_DEFAULTS, type ModelConfig, type NetworkKind, type SerializedNetwork } from './base/config';
export type { BatchOptions, DataInput, EvaluateOptions, Labels, NetworkPart } from './base/model';
export type { BatchPosterior, ExtraTerms } from './base/regularized-vae';
export {
  BiasBaseline,
  BiasedMF,
  type BiasedMFOptions,
  type BiasOptions,
  GlobalMean,
  Popularity,
  type RatingPredictor,
} from './baselines/index';
export {
  BETA_TCVAE_DEFAULTS,
  BetaTCVAE,
  type BetaTCVAEConfig,
  resolveBetaTCVAEConfig,
} from './beta-tcvae/index';
export { BETA_VAE_DEFAULTS, BetaVAE, type BetaVAEConfig, resolveBetaVAEConfig } from './beta-vae/index';
export {
  CONDITIONAL_VAE_DEFAULTS,
  ConditionalVAE,
  type ConditionalVAEConfig,
  resolveConditionalVAEConfig,
} from './conditional-vae/index';
export {
  CONTRACTIVE_AUTOENCODER_DEFAULTS,
  ContractiveAutoencoder,
  type ContractiveAutoencoderConfig,
  resolveContractiveAutoencoderConfig,
} from './contractive-autoencoder/index';
export {
  DB_VAE_DEFAULTS,
  DBVAE,
  type DBVAEConfig,
  type DebiasingSampler,
  type DebiasingSamplerOptions,
  type DebiasingSnapshot,
  debiasingSampler,
  type EmbeddingModel,
  resolveDBVAEConfig,
} from './db-vae/index';
export {
  DENOISING_AUTOENCODER_DEFAULTS,
  DenoisingAutoencoder,
  type DenoisingAutoencoderConfig,
  resolveDenoisingAutoencoderConfig,
} from './denoising-autoencoder/index';
export {
  DIP_VAE_DEFAULTS,
  DipVAE,
  type DipVAEConfig,
  dipLambdaDiagonal,
  resolveDipVAEConfig,
} from './dip-vae/index';
export {
  FACTOR_VAE_DEFAULTS,
  FactorVAE,
  type FactorVAEConfig,
  resolveFactorVAEConfig,
} from './factor-vae/index';
export { INFO_VAE_DEFAULTS, InfoVAE, type InfoVAEConfig, resolveInfoVAEConfig } from './info-vae/index';
export {
  loadCheckpoint,
  loadModel,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelClass,
  type ModelDescription,
  type ModelSource,
  type SaveOptions,
  saveModel,
  setWeights,
} from './io';
export { IWAE, IWAE_DEFAULTS, type IWAEConfig, resolveIWAEConfig } from './iwae/index';
export {
  LINEAR_AUTOENCODER_DEFAULTS,
  LinearAutoencoder,
  type LinearAutoencoderConfig,
  resolveLinearAutoencoderConfig,
} from './linear-autoencoder/index';
export {
  M1M2,
  M2,
  M2_DEFAULTS,
  type M2BoundTerms,
  type M2Config,
  m2Alpha,
  m2ConfigForCodes,
  resolveM2Config,
} from './m2/index';
export { MULT_DAE_DEFAULTS, MultDAE, type MultDAEConfig, resolveMultDAEConfig } from './mult-dae/index';
export {
  MULT_VAE_DEFAULTS,
  type MultinomialAutoencoder,
  type MultinomialAutoencoderConfig,
  MultVAE,
  type MultVAEConfig,
  type RowTerms,
  resolveMultVAEConfig,
} from './mult-vae/index';
export {
  ARCHITECTURES,
  type Architecture,
  type ArchitectureName,
  architecture,
} from './networks/architectures';
export {
  DecoderNetwork,
  type DecoderSpec,
  EncoderNetwork,
  type EncoderSpec,
  type HeadSpec,
  type SeedSource,
} from './networks/networks';
export {
  balancedLabelSubset,
  type ClassifierTrainingOptions,
  type CodeEncoder,
  classCount,
  codeOf,
  compareLabelBudgets,
  copyModel,
  encoderVariables,
  fineTune,
  LABEL_BUDGET_METHODS,
  type LabelBudgetMethod,
  type LabelBudgetOptions,
  type LabelBudgetResult,
  LabelClassifier,
  type LabelClassifierConfig,
  type LabelClassifierOptions,
  pretrain,
  probe,
  type SemiSupervisedSource,
  type SemiSupervisedSourceOptions,
  semiSupervisedSource,
  subsetSource,
  summarizeLabelBudgets,
  trainFromScratch,
} from './pretraining/index';
export {
  PRIOR_KINDS,
  PRIOR_VAE_DEFAULTS,
  type PriorKind,
  PriorVAE,
  type PriorVAEConfig,
  resolvePriorVAEConfig,
} from './prior-vae/index';
export {
  type AnyModel,
  MODEL_REGISTRY,
  type ModelClassName,
  RECOMMENDER_REGISTRY,
  type RecommenderClassName,
  type RecommenderModel,
  SAVED_MODEL_CLASSES,
  type SavableModel,
  type SavedModel,
} from './registry';
export {
  channelsFirstOrder,
  FLOAT_DTYPES,
  type FloatDtype,
  float32ToTensor,
  fromBfloat16Bits,
  fromFloat16Bits,
  fromPytorchValues,
  MAX_SAFETENSORS_HEADER_BYTES,
  type ModelDescriptionLike,
  modelFromSafetensors,
  modelToSafetensors,
  type PytorchTensorLayout,
  pytorchLayout,
  pytorchName,
  type ReadSafetensorsOptions,
  readSafetensors,
  SAFETENSORS_DTYPE_BYTES,
  SAFETENSORS_METADATA_KEYS,
  type SafetensorsDtype,
  type SafetensorsFile,
  type SafetensorsLoadOptions,
  type SafetensorsSaveOptions,
  type SafetensorsTensor,
  safetensorsDescription,
  tensorToFloat32,
  toBfloat16Bits,
  toPytorchValues,
  writeSafetensors,
} from './safetensors/index';
export {
  type CodeModel,
  CodeSampler,
  GaussianMixtureSampler,
  type GaussianMixtureSamplerJSON,
  type GaussianMixtureSamplerOptions,
  type SamplerSampleOptions,
  type SecondStageOptions,
  SecondStageSampler,
} from './samplers/index';
export {
  resolveSparseAutoencoderConfig,
  SPARSE_AUTOENCODER_DEFAULTS,
  SparseAutoencoder,
  type SparseAutoencoderConfig,
} from './sparse-autoencoder/index';
export {
  resolveTiedAutoencoderConfig,
  TIED_AUTOENCODER_DEFAULTS,
  TiedAutoencoder,
  type TiedAutoencoderConfig,
} from './tied-autoencoder/index';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  type Checkpoint,
  type NamedTensor,
  type TrainingState,
} from './training/checkpoint';
export {
  type BatchProgress,
  type CheckpointOptions,
  DivergenceError,
  type DivergenceGuard,
  type EarlyStoppingOptions,
  type EpochRecord,
  type EpochSampler,
  type EpochSamplerInfo,
  type FitCallbacks,
  type FitOptions,
  type History,
  NonFiniteLossError,
  train,
} from './training/fit';
export { type WebWorkerLike, WorkerError, type WorkerOptions } from './training/parallel';
export {
  type AuxiliaryObjective,
  auxiliaryVariables,
  type LossTermScalars,
  mainVariables,
  type ObjectiveContext,
  type TrainableModel,
} from './training/trainable';
export {
  type CustomNetworks,
  type Likelihood,
  resolveVAEConfig,
  VAE,
  VAE_DEFAULTS,
  type VAEConfig,
} from './vae/index';
export type { DecoderOutputs } from './vae/vae.model';
export {
  type CodebookUpdate,
  type CodebookUsage,
  type CodePrior,
  resolveVQVAEConfig,
  VQ_VAE_DEFAULTS,
  VQVAE,
  type VQVAEConfig,
} from './vqvae/index';
