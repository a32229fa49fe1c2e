/**
 * The options of a VAE with a learned prior (see base/options.ts): the VAE's, the prior ('vamp' or 'mixture') and
 * its components. Types only are imported: no tfjs.
 */
import { type ModelOptionsDescription, sharedOptions } from '../base/options';
import { checkKlOptions, klWeightOptions, VAE_DEFAULTS, vaeOptions } from '../vae/vae.options';
import type { PriorKind, PriorVAEConfig } from './prior-vae.config';

/** Components when the config gives none: Tomczak and Welling's 500 pseudo-inputs; 10 Gaussians for a mixture. */
export const PRIOR_COMPONENTS_DEFAULTS: Record<PriorKind, number> = { vamp: 500, mixture: 10 };

export const PRIOR_KINDS: readonly PriorKind[] = ['mixture', 'vamp'];

/** The VampPrior with 500 pseudo-inputs on the VAE's 784-400-20 network. */
export const PRIOR_VAE_DEFAULTS: PriorVAEConfig = /* @__PURE__ */ ((): PriorVAEConfig => ({
  ...VAE_DEFAULTS,
  prior: 'vamp',
  components: PRIOR_COMPONENTS_DEFAULTS.vamp,
}))();

export const PRIOR_VAE_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'PriorVAE',
  name: 'prior-vae',
  title:
    'VAE with a learned prior (Tomczak and Welling 2018): the VampPrior (learned pseudo-inputs) or a mixture of Gaussians',
  family: 'vae',
  options: [
    ...sharedOptions(PRIOR_VAE_DEFAULTS),
    ...vaeOptions(PRIOR_VAE_DEFAULTS),
    ...klWeightOptions(PRIOR_VAE_DEFAULTS),
    {
      name: 'prior',
      type: 'choice',
      placeholder: '<kind>',
      help: 'learned prior p(z): vamp (mixture of posteriors at pseudo-inputs) or mixture (of Gaussians)',
      default: PRIOR_VAE_DEFAULTS.prior,
      choices: PRIOR_KINDS,
      config: 'prior',
    },
    {
      name: 'components',
      type: 'integer',
      placeholder: '<K>',
      help: 'pseudo-inputs (vamp) or Gaussians (mixture) of the prior',
      defaultText: '500 (vamp) or 10 (mixture)',
      range: { min: 1, max: 100_000 },
      config: 'components',
    },
  ],
  check: checkKlOptions,
}))();
