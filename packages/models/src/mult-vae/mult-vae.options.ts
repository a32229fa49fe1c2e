/**
 * The options of Mult-VAE and Mult-DAE (see base/options.ts). Types only are imported: no tfjs. The defaults repeat
 * MULT_VAE_DEFAULTS and MULT_DAE_DEFAULTS of mult-vae.config.ts (a test keeps them equal).
 */
import { type ModelOptionsDescription, OPTION_RANGES, type OptionDescription } from '../base/options';

/** The options both share, with each model's weight decay default. */
export function multinomialOptions(weightDecay: number): OptionDescription[] {
  return [
    {
      name: 'hidden',
      type: 'integer-list',
      placeholder: '<sizes>',
      help: 'hidden layer sizes of the encoder (tanh), mirrored by the decoder',
      default: [600],
      range: OPTION_RANGES.layerUnits,
      list: { minCount: 0, maxCount: 16, example: '600 or 600,300' },
      config: 'hiddenUnits',
    },
    {
      name: 'latentDim',
      type: 'integer',
      placeholder: '<n>',
      help: 'size of the code or of z',
      default: 200,
      range: OPTION_RANGES.latentDim,
      config: 'latentDim',
    },
    {
      name: 'dropout',
      type: 'number',
      placeholder: '<rate>',
      help: 'dropout rate on the normalized input while training',
      default: 0.5,
      range: { min: 0, max: 1, maxExclusive: true },
      config: 'dropout',
    },
    {
      name: 'weightDecay',
      type: 'number',
      placeholder: '<lambda>',
      help: 'L2 weight decay: lambda |W|^2 over the kernels',
      default: weightDecay,
      range: OPTION_RANGES.weight,
      config: 'weightDecay',
    },
  ];
}

export const MULT_VAE_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'MultVAE',
  name: 'mult-vae',
  title:
    'Mult-VAE (Liang et al. 2018): a VAE of click rows with a multinomial likelihood, KL annealed to a cap',
  family: 'recommender',
  options: [
    ...multinomialOptions(0),
    {
      name: 'klCap',
      type: 'number',
      placeholder: '<beta>',
      help: "the KL weight's cap, reached linearly over --kl-steps (the paper: 0.2)",
      default: 0.2,
      range: OPTION_RANGES.weight,
      map: (value, values) => ({
        config: { klSchedule: { kind: 'linear', from: 0, to: value, steps: values.klSteps ?? 40000 } },
      }),
    },
    {
      name: 'klSteps',
      type: 'integer',
      placeholder: '<n>',
      help: 'optimizer steps to reach the cap (the paper: 40,000, i.e. beta = min(cap, step / 200,000))',
      default: 40000,
      range: OPTION_RANGES.steps,
      map: (value, values) => ({
        config: { klSchedule: { kind: 'linear', from: 0, to: values.klCap ?? 0.2, steps: value } },
      }),
    },
  ],
}))();
