/** The options of a linear autoencoder (see base/options.ts): its size and weight decay; the rest is fixed. */
import { AUTOENCODER_DEFAULTS, autoencoderOptions } from '../autoencoder/autoencoder.options';
import { type ModelOptionsDescription, sharedOptions } from '../base/options';
import type { LinearAutoencoderConfig } from './linear-autoencoder.config';

export const LINEAR_AUTOENCODER_DEFAULTS: LinearAutoencoderConfig =
  /* @__PURE__ */ ((): LinearAutoencoderConfig => ({
    ...AUTOENCODER_DEFAULTS,
    hiddenUnits: [],
    latentDim: 16,
    activation: 'linear',
    codeActivation: 'linear',
    data: 'real',
    center: true,
  }))();

export const LINEAR_AUTOENCODER_OPTIONS: ModelOptionsDescription =
  /* @__PURE__ */ ((): ModelOptionsDescription => ({
    className: 'LinearAutoencoder',
    name: 'linear-autoencoder',
    title: 'Linear autoencoder: one linear map each way on centred data (spans the PCA subspace)',
    family: 'autoencoder',
    options: [
      ...sharedOptions(LINEAR_AUTOENCODER_DEFAULTS, ['latentDim']),
      ...autoencoderOptions(LINEAR_AUTOENCODER_DEFAULTS, { codeActivation: false }),
    ],
  }))();
