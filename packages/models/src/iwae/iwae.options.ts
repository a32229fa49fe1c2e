/**
 * The options of an IWAE (see base/options.ts): the VAE's networks and observation model and k; no beta and no KL
 * schedule (the importance-weighted bound has no separate KL term).
 */
import { type ModelOptionsDescription, OPTION_RANGES, sharedOptions } from '../base/options';
import { VAE_DEFAULTS, vaeOptions } from '../vae/vae.options';
import type { IWAEConfig } from './iwae.config';

export const IWAE_DEFAULTS: IWAEConfig = /* @__PURE__ */ ((): IWAEConfig => ({
  ...VAE_DEFAULTS,
  importanceSamples: 5,
}))();

export const IWAE_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'IWAE',
  name: 'iwae',
  title: 'Importance-weighted autoencoder (Burda et al. 2016): the k-sample bound',
  family: 'vae',
  options: [
    ...sharedOptions(IWAE_DEFAULTS),
    ...vaeOptions(IWAE_DEFAULTS),
    {
      name: 'k',
      type: 'integer',
      placeholder: '<n>',
      help: 'importance samples per example',
      default: IWAE_DEFAULTS.importanceSamples,
      range: OPTION_RANGES.samples,
      config: 'importanceSamples',
    },
  ],
}))();
