/**
 * The options of an InfoVAE (see base/options.ts): the VAE's networks and observation model, alpha, lambda and the
 * MMD's kernel. Types only are imported: no tfjs.
 */
import {
  type ModelOptionsDescription,
  OPTION_RANGES,
  type OptionValues,
  sharedOptions,
} from '../base/options';
import { VAE_DEFAULTS, vaeOptions } from '../vae/vae.options';
import type { InfoVAEConfig } from './info-vae.config';

/**
 * alpha = 1 (no KL: WAE-MMD) and lambda = 100 with Tolstikhin et al.'s inverse multiquadric kernel summed over
 * scales 0.1 to 10 of C = 2 latentDim.
 */
export const INFO_VAE_DEFAULTS: InfoVAEConfig = /* @__PURE__ */ ((): InfoVAEConfig => ({
  ...VAE_DEFAULTS,
  alpha: 1,
  lambda: 100,
  kernel: 'imq',
  kernelScales: [0.1, 0.2, 0.5, 1, 2, 5, 10],
}))();

function checkInfoOptions(values: OptionValues): string | undefined {
  const alpha = (values.infoAlpha as number | undefined) ?? INFO_VAE_DEFAULTS.alpha;
  const lambda = (values.mmdLambda as number | undefined) ?? INFO_VAE_DEFAULTS.lambda;
  return alpha + lambda >= 1
    ? undefined
    : `--info-alpha plus --mmd-lambda must be >= 1 (the MMD's weight is alpha + lambda - 1); got ${alpha + lambda}.`;
}

export const INFO_VAE_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'InfoVAE',
  name: 'info-vae',
  title:
    'InfoVAE (Zhao et al. 2019) with an MMD term; --info-alpha 1 is the WAE-MMD of Tolstikhin et al. 2018',
  family: 'vae',
  options: [
    ...sharedOptions(INFO_VAE_DEFAULTS),
    ...vaeOptions(INFO_VAE_DEFAULTS),
    {
      name: 'infoAlpha',
      type: 'number',
      placeholder: '<a>',
      help: 'alpha: the KL term is weighted 1 - alpha (1: none, WAE-MMD)',
      default: INFO_VAE_DEFAULTS.alpha,
      range: { min: -1_000_000, max: 1 },
      config: 'alpha',
    },
    {
      name: 'mmdLambda',
      type: 'number',
      placeholder: '<w>',
      help: 'lambda: the MMD term is weighted alpha + lambda - 1',
      default: INFO_VAE_DEFAULTS.lambda,
      range: OPTION_RANGES.weight,
      config: 'lambda',
    },
    {
      name: 'kernel',
      type: 'choice',
      placeholder: '<kind>',
      help: "the MMD's kernel: rbf or imq (inverse multiquadric)",
      default: INFO_VAE_DEFAULTS.kernel,
      choices: ['rbf', 'imq'],
      config: 'kernel',
    },
    {
      name: 'bandwidth',
      type: 'number',
      placeholder: '<c>',
      help: "the kernel's scale C (a squared length)",
      defaultText: '2 x latent-dim',
      range: OPTION_RANGES.positive,
      config: 'bandwidth',
    },
  ],
  check: checkInfoOptions,
}))();
