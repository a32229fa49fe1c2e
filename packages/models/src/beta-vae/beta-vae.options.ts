/**
 * The options of a beta-VAE (see base/options.ts): the VAE's, with beta = 4, and the capacity schedule of Burgess
 * et al. Types only are imported: no tfjs.
 */
import { type ModelOptionsDescription, OPTION_RANGES, type OptionValues } from '../base/options';
import { checkKlOptions, elboModelOptions, VAE_DEFAULTS } from '../vae/vae.options';
import type { BetaVAEConfig } from './beta-vae.config';

/** beta = 4, as Higgins et al. use for their 2-D shapes experiments. */
export const BETA_VAE_DEFAULTS: BetaVAEConfig = /* @__PURE__ */ ((): BetaVAEConfig => ({
  ...VAE_DEFAULTS,
  beta: 4,
}))();

/** gamma and steps of the capacity schedule when --capacity is given without them. */
export const CAPACITY_OPTION_DEFAULTS = { gamma: 1000, steps: 100_000 } as const;

function checkCapacityOptions(values: OptionValues): string | undefined {
  if (values.capacity === undefined && (values.capacityGamma ?? values.capacitySteps) !== undefined) {
    return '--capacity-gamma and --capacity-steps need --capacity <nats>.';
  }
  if (values.capacity !== undefined && values.klSchedule !== undefined) {
    return '--capacity is a KL schedule of its own; drop --kl-schedule or --capacity.';
  }
  return checkKlOptions(values);
}

export const BETA_VAE_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'BetaVAE',
  name: 'beta-vae',
  title:
    'beta-VAE (Higgins et al. 2017): the KL term weighted by beta, or a rising capacity (Burgess et al. 2018)',
  family: 'vae',
  options: [
    ...elboModelOptions(BETA_VAE_DEFAULTS),
    {
      name: 'capacity',
      type: 'number',
      placeholder: '<nats>',
      help: 'gamma |KL - C| with C rising to this (Burgess et al.)',
      defaultText: 'none: beta',
      range: OPTION_RANGES.weight,
      map: (value, values) => ({
        config: {
          capacity: {
            kind: 'capacity',
            gamma: values.capacityGamma ?? CAPACITY_OPTION_DEFAULTS.gamma,
            maxCapacity: value,
            steps: values.capacitySteps ?? CAPACITY_OPTION_DEFAULTS.steps,
          },
        },
      }),
    },
    {
      name: 'capacityGamma',
      type: 'number',
      placeholder: '<g>',
      help: 'gamma of the capacity schedule',
      default: CAPACITY_OPTION_DEFAULTS.gamma,
      range: OPTION_RANGES.positive,
      requires: { option: 'capacity' },
    },
    {
      name: 'capacitySteps',
      type: 'integer',
      placeholder: '<n>',
      help: 'steps for C to reach --capacity',
      default: CAPACITY_OPTION_DEFAULTS.steps,
      range: OPTION_RANGES.steps,
      requires: { option: 'capacity' },
    },
  ],
  check: checkCapacityOptions,
}))();
