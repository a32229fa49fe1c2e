export {
  type CodeModel,
  GaussianMixtureSampler,
  type GaussianMixtureSamplerJSON,
  type GaussianMixtureSamplerOptions,
  type SampleOptions as SamplerSampleOptions,
  type SecondStageOptions,
  SecondStageSampler,
} from './samplers';
