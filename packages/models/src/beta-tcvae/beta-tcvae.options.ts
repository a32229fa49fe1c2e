/**
 * The options of a beta-TCVAE (see base/options.ts): the VAE's networks and observation model, and the weights of
 * the KL term's three parts. Types only are imported: no tfjs.
 */
import { type ModelOptionsDescription, OPTION_RANGES, sharedOptions } from '../base/options';
import { VAE_DEFAULTS, vaeOptions } from '../vae/vae.options';
import type { BetaTCVAEConfig } from './beta-tcvae.config';

/** alpha = gamma = 1 and beta = 6, Chen et al.'s dSprites setting; their minibatch-weighted sampling. */
export const BETA_TCVAE_DEFAULTS: BetaTCVAEConfig = /* @__PURE__ */ ((): BetaTCVAEConfig => ({
  ...VAE_DEFAULTS,
  alpha: 1,
  beta: 6,
  gamma: 1,
  estimator: 'mws',
}))();

export const BETA_TCVAE_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'BetaTCVAE',
  name: 'beta-tcvae',
  title:
    'beta-TCVAE (Chen et al. 2018): the KL split into mutual information, total correlation and dimension-wise KL',
  family: 'vae',
  options: [
    ...sharedOptions(BETA_TCVAE_DEFAULTS),
    ...vaeOptions(BETA_TCVAE_DEFAULTS),
    {
      name: 'miWeight',
      type: 'number',
      placeholder: '<w>',
      help: 'alpha: weight of the index-code mutual information',
      default: BETA_TCVAE_DEFAULTS.alpha,
      range: OPTION_RANGES.weight,
      config: 'alpha',
    },
    {
      name: 'tcWeight',
      type: 'number',
      placeholder: '<w>',
      help: 'beta: weight of the total correlation',
      default: BETA_TCVAE_DEFAULTS.beta,
      range: OPTION_RANGES.weight,
      config: 'beta',
    },
    {
      name: 'dimKlWeight',
      type: 'number',
      placeholder: '<w>',
      help: 'gamma: weight of the dimension-wise KL',
      default: BETA_TCVAE_DEFAULTS.gamma,
      range: OPTION_RANGES.weight,
      config: 'gamma',
    },
    {
      name: 'estimator',
      type: 'choice',
      placeholder: '<kind>',
      help: 'minibatch estimate of log q(z): mws (weighted) or mss (stratified)',
      default: BETA_TCVAE_DEFAULTS.estimator,
      choices: ['mws', 'mss'],
      config: 'estimator',
    },
  ],
}))();
