/** The options of M2 (see base/options.ts): the conditional VAE's, the classifier's layers and alpha. */
import { type ModelOptionsDescription, OPTION_RANGES, sharedOptions } from '../base/options';
import { CONDITIONAL_VAE_DEFAULTS, NUM_CLASSES_OPTION } from '../conditional-vae/conditional-vae.options';
import { checkKlOptions, klWeightOptions, vaeOptions } from '../vae/vae.options';
import type { M2Config } from './m2.config';

/** The paper's MNIST architecture: one hidden layer of 500 units in every network, a 50-dimensional z. */
export const M2_DEFAULTS: M2Config = {
  ...CONDITIONAL_VAE_DEFAULTS,
  hiddenUnits: [500],
  latentDim: 50,
  numClasses: 10,
  classifierHiddenUnits: [500],
  alpha: 1,
};

export const M2_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'M2',
  name: 'm2',
  title:
    'M2 semi-supervised VAE (Kingma et al. 2014): the label as a latent variable, observed for labelled examples (-1: unlabelled)',
  family: 'vae',
  options: [
    ...sharedOptions(M2_DEFAULTS),
    ...vaeOptions(M2_DEFAULTS),
    ...klWeightOptions(M2_DEFAULTS),
    NUM_CLASSES_OPTION,
    {
      name: 'classifierHidden',
      type: 'integer-list',
      placeholder: '<sizes>',
      help: 'hidden layer sizes of the classifier q(y|x), comma separated (none: "")',
      default: M2_DEFAULTS.classifierHiddenUnits,
      range: OPTION_RANGES.layerUnits,
      list: { minCount: 0, maxCount: 16, example: '500' },
      config: 'classifierHiddenUnits',
    },
    {
      name: 'alpha',
      type: 'number',
      placeholder: '<w>',
      help: 'weight of -log q(y|x) per labelled example (the paper: 0.1 N / labels, see m2Alpha)',
      default: M2_DEFAULTS.alpha,
      range: OPTION_RANGES.weight,
      config: 'alpha',
    },
  ],
  check: checkKlOptions,
}))();
