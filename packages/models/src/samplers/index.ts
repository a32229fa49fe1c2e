export {
  type CodeModel,
  CodeSampler,
  GaussianMixtureSampler,
  type GaussianMixtureSamplerJSON,
  type GaussianMixtureSamplerOptions,
  type SampleOptions as SamplerSampleOptions,
  type SecondStageOptions,
  SecondStageSampler,
} from './samplers';
