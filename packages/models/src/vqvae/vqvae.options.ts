/**
 * The options of a VQ-VAE (see base/options.ts): the shared network options but the latent size (positions x
 * embeddingDim), the codebook, the commitment weight, how the codebook learns and the prior over codes. Types only
 * are imported: no tfjs.
 */
import { MODEL_DEFAULTS, type ModelOptionsDescription, OPTION_RANGES, sharedOptions } from '../base/options';
import type { VQVAEConfig } from './vqvae.config';

/** 16 code vectors of 8 values per image, a codebook of 64, the paper's beta = 0.25 and EMA decay 0.99. */
export const VQ_VAE_DEFAULTS: VQVAEConfig = /* @__PURE__ */ ((): VQVAEConfig => ({
  ...MODEL_DEFAULTS,
  likelihood: 'bernoulli',
  variance: 1,
  meanActivation: 'sigmoid',
  positions: 16,
  embeddingDim: 8,
  codebookSize: 64,
  commitment: 0.25,
  codebookUpdate: 'loss',
  emaDecay: 0.99,
  codePrior: 'categorical',
  latentDim: 128,
}))();

export const VQ_VAE_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'VQVAE',
  name: 'vqvae',
  title:
    'VQ-VAE (van den Oord et al. 2017): codes quantized to a learned codebook, straight-through gradients, a prior over codes',
  family: 'autoencoder',
  options: [
    ...sharedOptions(VQ_VAE_DEFAULTS, ['hidden', 'activation', 'network', 'filters']),
    {
      name: 'positions',
      type: 'integer',
      placeholder: '<n>',
      help: 'code vectors per example (the latent size is positions x embedding-dim)',
      default: VQ_VAE_DEFAULTS.positions,
      range: { min: 1, max: 4_096 },
      config: 'positions',
    },
    {
      name: 'embeddingDim',
      type: 'integer',
      placeholder: '<d>',
      help: 'values per code vector and codebook entry',
      default: VQ_VAE_DEFAULTS.embeddingDim,
      range: { min: 1, max: 4_096 },
      config: 'embeddingDim',
    },
    {
      name: 'codebookSize',
      type: 'integer',
      placeholder: '<K>',
      help: 'entries of the codebook',
      default: VQ_VAE_DEFAULTS.codebookSize,
      range: { min: 1, max: 65_536 },
      config: 'codebookSize',
    },
    {
      name: 'commitment',
      type: 'number',
      placeholder: '<beta>',
      help: 'weight of the commitment term ||z_e - sg[e]||^2',
      default: VQ_VAE_DEFAULTS.commitment,
      range: OPTION_RANGES.weight,
      config: 'commitment',
    },
    {
      name: 'codebookUpdate',
      type: 'choice',
      placeholder: '<kind>',
      help: 'how the codebook learns: its loss term, or moving averages (ema)',
      default: VQ_VAE_DEFAULTS.codebookUpdate,
      choices: ['loss', 'ema'],
      config: 'codebookUpdate',
    },
    {
      name: 'emaDecay',
      type: 'number',
      placeholder: '<decay>',
      help: 'decay of the codebook moving averages',
      default: VQ_VAE_DEFAULTS.emaDecay,
      range: { min: 0, max: 1, maxExclusive: true },
      config: 'emaDecay',
      requires: { option: 'codebookUpdate', values: ['ema'] },
    },
    {
      name: 'codePrior',
      type: 'choice',
      placeholder: '<kind>',
      help: 'prior over codes for sampling: one categorical per position, or autoregressive',
      default: VQ_VAE_DEFAULTS.codePrior,
      choices: ['categorical', 'autoregressive'],
      config: 'codePrior',
    },
  ],
}))();
