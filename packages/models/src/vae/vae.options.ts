/**
 * The options of a VAE (see base/options.ts): the shared network options, the observation model, the samples of z,
 * and the KL weight (beta, or a KL schedule for `fit`). The VAE family (beta-vae, conditional-vae, iwae) builds on
 * `vaeOptions` and `klWeightOptions`. Types only are imported: no tfjs.
 */
import type { KlSchedule } from '@vae/core';
import {
  MODEL_DEFAULTS,
  type ModelOptionsDescription,
  OPTION_RANGES,
  type OptionDescription,
  type OptionValues,
  sharedOptions,
} from '../base/options';
import type { VAEConfig } from './vae.config';

/** The classic model of the PyTorch VAE example: 784-400-20, ReLU, Bernoulli decoder. */
export const VAE_DEFAULTS: VAEConfig = /* @__PURE__ */ ((): VAEConfig => ({
  ...MODEL_DEFAULTS,
  latentDim: 20,
  likelihood: 'bernoulli',
  variance: 1,
  meanActivation: 'sigmoid',
  beta: 1,
  samples: 1,
}))();

/** The observation model and the samples of z (every VAE). */
export function vaeOptions(defaults: VAEConfig): OptionDescription[] {
  return [
    {
      name: 'decoder',
      type: 'choice',
      placeholder: '<kind>',
      help: 'observation model p(x|z)',
      default: defaults.likelihood === 'bernoulli' ? 'bernoulli' : 'gaussian',
      choices: ['bernoulli', 'gaussian', 'gaussian-learned'],
      map: (value, values) =>
        value === 'gaussian'
          ? { config: { likelihood: 'gaussian', variance: values.variance ?? 1 } }
          : value === 'gaussian-learned'
            ? { config: { likelihood: 'gaussian', variance: 'learned' } }
            : { config: { likelihood: 'bernoulli' } },
    },
    {
      name: 'variance',
      type: 'number',
      placeholder: '<v>',
      help: 'fixed variance of --decoder gaussian',
      default: typeof defaults.variance === 'number' ? defaults.variance : undefined,
      range: OPTION_RANGES.positive,
      // written by --decoder gaussian's mapping
      requires: { option: 'decoder', values: ['gaussian'] },
    },
    {
      name: 'samples',
      type: 'integer',
      placeholder: '<L>',
      help: 'samples of z per example in the reconstruction term',
      default: defaults.samples,
      range: OPTION_RANGES.samples,
      config: 'samples',
    },
  ];
}

/** The kinds of KL schedule that the options build (the capacity schedule has options of its own: beta-vae). */
export const KL_SCHEDULE_KINDS = ['constant', 'linear', 'cyclical', 'cosine'] as const;

/** The options that shape a KL schedule, besides --kl-schedule itself. */
const SCHEDULE_PARTS = ['klSteps', 'klFrom', 'klTo', 'klDelay', 'klCycles', 'klRamp'] as const;

/**
 * The KL schedule for `fit` from the options (--kl-schedule and its parts), or undefined when none is given.
 * `beta` is the weight the schedule ends at unless --kl-to says otherwise: the given --beta, else the model's
 * default. Plain JSON; `fit` validates it (validateSchedule of @vae/core).
 */
export function klScheduleFromOptions(values: OptionValues, defaultBeta: number): KlSchedule | undefined {
  const kind = values.klSchedule as (typeof KL_SCHEDULE_KINDS)[number] | undefined;
  if (kind === undefined) return undefined;
  const beta = (values.beta as number | undefined) ?? defaultBeta;
  const number = (name: string) => values[name] as number | undefined;
  const steps = number('klSteps') as number;
  if (kind === 'constant') return { kind, value: beta };
  if (kind === 'linear')
    return {
      kind,
      from: number('klFrom') ?? 0,
      to: number('klTo') ?? beta,
      steps,
      delay: number('klDelay') ?? 0,
    };
  if (kind === 'cosine') return { kind, from: number('klFrom') ?? 0, to: number('klTo') ?? beta, steps };
  const cycles = number('klCycles');
  return {
    kind,
    period: steps,
    min: number('klFrom') ?? 0,
    max: number('klTo') ?? beta,
    rampFraction: number('klRamp') ?? 0.5,
    ...(cycles === undefined ? {} : { cycles }),
  };
}

/** The rules between the KL options, as the user's message (flags named), or undefined. */
export function checkKlOptions(values: OptionValues): string | undefined {
  const given = SCHEDULE_PARTS.filter((name) => values[name] !== undefined);
  const kind = values.klSchedule;
  const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (given.length && (kind === undefined || kind === 'constant')) {
    return `${given.map(flag).join(', ')} shape a KL schedule; add --kl-schedule linear, cyclical or cosine.`;
  }
  if (kind === undefined) return undefined;
  if (kind !== 'constant' && values.klSteps === undefined) {
    return `--kl-schedule ${kind} needs --kl-steps <n> (optimizer steps).`;
  }
  if (kind !== 'cyclical' && values.klRamp !== undefined)
    return '--kl-ramp applies to --kl-schedule cyclical only.';
  if (kind !== 'cyclical' && values.klCycles !== undefined) {
    return '--kl-cycles applies to --kl-schedule cyclical only.';
  }
  if (kind !== 'linear' && values.klDelay !== undefined)
    return '--kl-delay applies to --kl-schedule linear only.';
  return undefined;
}

/**
 * The KL weight of the objective: beta (a config field), or a KL schedule over optimizer steps (a `fit` option,
 * which takes the place of beta while training; see `VAE.klScheduleFor`). `defaults.beta` is the weight a
 * schedule ends at when neither --kl-to nor --beta is given.
 */
export function klWeightOptions(defaults: Pick<VAEConfig, 'beta'>): OptionDescription[] {
  const weight = OPTION_RANGES.weight;
  const schedulePart = (
    name: string,
    placeholder: string,
    help: string,
    type: 'integer' | 'number',
    range: OptionDescription['range'],
    extra: Partial<OptionDescription> = {},
  ): OptionDescription => ({
    name,
    type,
    placeholder,
    help,
    range,
    requires: { option: 'klSchedule', values: ['linear', 'cyclical', 'cosine'] },
    ...extra,
  });
  return [
    {
      name: 'beta',
      type: 'number',
      placeholder: '<weight>',
      help: 'weight of the KL term (1 = the ELBO)',
      default: defaults.beta,
      range: weight,
      config: 'beta',
    },
    {
      name: 'klSchedule',
      type: 'choice',
      placeholder: '<kind>',
      help: 'KL weight over training steps',
      defaultText: 'none: --beta throughout',
      choices: KL_SCHEDULE_KINDS,
      map: (_value, values) => ({ fit: { klSchedule: klScheduleFromOptions(values, defaults.beta) } }),
    },
    schedulePart(
      'klSteps',
      '<n>',
      'ramp length (linear, cosine) or cycle period (cyclical), in steps',
      'integer',
      OPTION_RANGES.steps,
    ),
    schedulePart('klFrom', '<w>', 'weight at the start', 'number', weight, { default: 0 }),
    schedulePart('klTo', '<w>', 'weight at the end', 'number', weight, { defaultText: '--beta' }),
    schedulePart(
      'klDelay',
      '<n>',
      'linear: steps at --kl-from before the ramp',
      'integer',
      { min: 0, max: OPTION_RANGES.steps.max },
      { default: 0, requires: { option: 'klSchedule', values: ['linear'] } },
    ),
    schedulePart(
      'klCycles',
      '<n>',
      'cyclical: number of cycles',
      'integer',
      { min: 1, max: 1_000_000 },
      { defaultText: 'forever', requires: { option: 'klSchedule', values: ['cyclical'] } },
    ),
    schedulePart(
      'klRamp',
      '<fraction>',
      'cyclical: fraction of a cycle spent rising',
      'number',
      OPTION_RANGES.fraction,
      { default: 0.5, requires: { option: 'klSchedule', values: ['cyclical'] } },
    ),
  ];
}

/**
 * The options of a VAE trained on the ELBO with a KL weight: the shared network options, the observation model
 * and samples of z (`vaeOptions`), and beta with the KL schedule (`klWeightOptions`), with the model's defaults.
 * A model of the family spreads it and adds its own; pair it with `check: checkKlOptions`.
 */
export function elboModelOptions(defaults: VAEConfig): OptionDescription[] {
  return [...sharedOptions(defaults), ...vaeOptions(defaults), ...klWeightOptions(defaults)];
}

export const VAE_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'VAE',
  name: 'vae',
  title: 'Variational autoencoder (Kingma and Welling 2014): the ELBO with a Gaussian posterior',
  family: 'vae',
  options: elboModelOptions(VAE_DEFAULTS),
  check: checkKlOptions,
}))();
