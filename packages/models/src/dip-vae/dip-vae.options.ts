/**
 * The options of a DIP-VAE (see base/options.ts): the VAE's, the type and the covariance penalty's weights. Types
 * only are imported: no tfjs.
 */
import { type ModelOptionsDescription, OPTION_RANGES, sharedOptions } from '../base/options';
import { checkKlOptions, klWeightOptions, VAE_DEFAULTS, vaeOptions } from '../vae/vae.options';
import type { DipVAEConfig } from './dip-vae.config';

/** DIP-VAE-I with lambda_od = 10 (lambda_d = 100), as in Kumar et al.'s 2-D shapes experiments. */
export const DIP_VAE_DEFAULTS: DipVAEConfig = /* @__PURE__ */ ((): DipVAEConfig => ({
  ...VAE_DEFAULTS,
  dipType: 'i',
  lambdaOffDiagonal: 10,
}))();

export const DIP_VAE_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'DipVAE',
  name: 'dip-vae',
  title:
    "DIP-VAE (Kumar et al. 2018): the ELBO plus a penalty on the codes' covariance away from the identity",
  family: 'vae',
  options: [
    ...sharedOptions(DIP_VAE_DEFAULTS),
    ...vaeOptions(DIP_VAE_DEFAULTS),
    ...klWeightOptions(DIP_VAE_DEFAULTS),
    {
      name: 'dipType',
      type: 'choice',
      placeholder: '<kind>',
      help: 'i: covariance of the posterior means; ii: of the aggregate posterior',
      default: DIP_VAE_DEFAULTS.dipType,
      choices: ['i', 'ii'],
      config: 'dipType',
    },
    {
      name: 'lambdaOffDiagonal',
      type: 'number',
      placeholder: '<w>',
      help: 'lambda_od: weight of the squared off-diagonal covariances',
      default: DIP_VAE_DEFAULTS.lambdaOffDiagonal,
      range: OPTION_RANGES.weight,
      config: 'lambdaOffDiagonal',
    },
    {
      name: 'lambdaDiagonal',
      type: 'number',
      placeholder: '<w>',
      help: 'lambda_d: weight of the squared distance of the variances from 1',
      defaultText: '10 x lambda_od (type i), lambda_od (type ii)',
      range: OPTION_RANGES.weight,
      config: 'lambdaDiagonal',
    },
  ],
  check: checkKlOptions,
}))();
