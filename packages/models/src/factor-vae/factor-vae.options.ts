/**
 * The options of a FactorVAE (see base/options.ts): the VAE's, the weight of the total-correlation estimate and the
 * discriminator. Types only are imported: no tfjs.
 */
import { type ModelOptionsDescription, OPTION_RANGES, sharedOptions } from '../base/options';
import { checkKlOptions, klWeightOptions, VAE_DEFAULTS, vaeOptions } from '../vae/vae.options';
import type { FactorVAEConfig } from './factor-vae.config';

/**
 * Kim and Mnih's setting but narrower: gamma = 35 (their dSprites figures use gamma from 10 to 100), a discriminator of
 * 6 leaky-ReLU layers trained by Adam with learning rate 1e-4, beta1 0.5 and beta2 0.9. Their layers have 1000 units;
 * these have 256 (a fifteenth of the weights), so that it trains on a CPU alongside the VAE. Pass
 * `discriminatorUnits: [1000, 1000, 1000, 1000, 1000, 1000]` for theirs.
 */
export const FACTOR_VAE_DEFAULTS: FactorVAEConfig = /* @__PURE__ */ ((): FactorVAEConfig => ({
  ...VAE_DEFAULTS,
  gamma: 35,
  discriminatorUnits: [256, 256, 256, 256, 256, 256],
  discriminatorLearningRate: 1e-4,
  discriminatorBetas: [0.5, 0.9],
}))();

export const FACTOR_VAE_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'FactorVAE',
  name: 'factor-vae',
  title: "FactorVAE (Kim and Mnih 2018): a discriminator's estimate of the total correlation, weighted gamma",
  family: 'vae',
  options: [
    ...sharedOptions(FACTOR_VAE_DEFAULTS),
    ...vaeOptions(FACTOR_VAE_DEFAULTS),
    ...klWeightOptions(FACTOR_VAE_DEFAULTS),
    {
      name: 'gamma',
      type: 'number',
      placeholder: '<w>',
      help: "weight of the discriminator's total-correlation estimate",
      default: FACTOR_VAE_DEFAULTS.gamma,
      range: OPTION_RANGES.weight,
      config: 'gamma',
    },
    {
      name: 'discriminatorHidden',
      type: 'integer-list',
      placeholder: '<sizes>',
      help: "hidden layer sizes of FactorVAE's discriminator, comma separated",
      default: FACTOR_VAE_DEFAULTS.discriminatorUnits,
      range: OPTION_RANGES.layerUnits,
      list: { minCount: 0, maxCount: 16, example: '1000,1000 or 256' },
      config: 'discriminatorUnits',
    },
    {
      name: 'discriminatorLearningRate',
      type: 'number',
      placeholder: '<rate>',
      help: "Adam's learning rate for the discriminator",
      default: FACTOR_VAE_DEFAULTS.discriminatorLearningRate,
      range: OPTION_RANGES.positive,
      config: 'discriminatorLearningRate',
    },
  ],
  check: checkKlOptions,
}))();
