/** The options of a denoising autoencoder (see base/options.ts): the autoencoder's and the corruption. */
import { AUTOENCODER_DEFAULTS, autoencoderOptions } from '../autoencoder/autoencoder.options';
import { type ModelOptionsDescription, OPTION_RANGES, sharedOptions } from '../base/options';
import type { DenoisingAutoencoderConfig } from './denoising-autoencoder.config';

export const DENOISING_AUTOENCODER_DEFAULTS: DenoisingAutoencoderConfig =
  /* @__PURE__ */ ((): DenoisingAutoencoderConfig => ({
    ...AUTOENCODER_DEFAULTS,
    hiddenUnits: [],
    latentDim: 256,
    noise: 'masking',
    noiseLevel: 0.25,
  }))();

export const DENOISING_AUTOENCODER_OPTIONS: ModelOptionsDescription =
  /* @__PURE__ */ ((): ModelOptionsDescription => ({
    className: 'DenoisingAutoencoder',
    name: 'denoising-autoencoder',
    title: 'Denoising autoencoder (Vincent et al. 2008): reconstructs the clean input from a corrupted one',
    family: 'autoencoder',
    options: [
      ...sharedOptions(DENOISING_AUTOENCODER_DEFAULTS),
      ...autoencoderOptions(DENOISING_AUTOENCODER_DEFAULTS),
      {
        name: 'noise',
        type: 'choice',
        placeholder: '<kind>',
        help: 'the corruption',
        default: DENOISING_AUTOENCODER_DEFAULTS.noise,
        choices: ['masking', 'gaussian'],
        config: 'noise',
      },
      {
        name: 'noiseLevel',
        type: 'number',
        placeholder: '<q>',
        help: 'masking probability q, or Gaussian sigma',
        default: DENOISING_AUTOENCODER_DEFAULTS.noiseLevel,
        range: OPTION_RANGES.weight,
        config: 'noiseLevel',
      },
    ],
  }))();
