/**
 * Models that describe their own options. Each model folder has a `<model>.options.ts` that exports a
 * `ModelOptionsDescription`: its command-line name, a title, its family, and one `OptionDescription` per option a user can
 * set (name, type, default, range or choices, help text, and where the value goes: a config field, a `fit` option,
 * or a mapping that writes several). The CLI's `vae train` flags and their checks, the `--config` file schema, the
 * demo's controls and docs/models.md are generated from these descriptions, so adding a model is one folder plus
 * one line in the registry (docs/adding-a-model.md).
 *
 * This file and every `*.options.ts` import types only (and each other): they are reachable through
 * `@vae/models/options` without loading tfjs, so parsing flags and printing `--help` stay fast.
 *
 * @example
 * ```ts
 * import { type ModelOptionsDescription, sharedOptions } from '../base/options';
 * import { MY_VAE_DEFAULTS } from './my-vae.defaults'; // or: defaults declared in this file
 *
 * export const MY_VAE_OPTIONS: ModelOptionsDescription = {
 *   className: 'MyVAE', // the key of MODEL_REGISTRY
 *   name: 'my-vae', // the --model name (kebab case of the class name)
 *   title: 'My VAE (Someone et al. 2024): the ELBO with a twist',
 *   family: 'vae',
 *   options: [
 *     ...sharedOptions(MY_VAE_DEFAULTS),
 *     {
 *       name: 'twist', // flag --twist <w>; config-file key twist
 *       type: 'number',
 *       placeholder: '<w>',
 *       help: 'weight of the twist',
 *       default: MY_VAE_DEFAULTS.twist,
 *       range: { min: 0, max: 1_000_000 },
 *       config: 'twist', // the value is copied into config.twist
 *     },
 *   ],
 * };
 * ```
 */
import type { ModelConfig } from './config';

/** A value as an option takes it (from a flag, a config file or a form). */
export type OptionValue = number | string | boolean | readonly number[];

/** Option values by option name; undefined (or absent): not given, the model's default applies. */
export type OptionValues = Readonly<Record<string, OptionValue | undefined>>;

/** Allowed values of a number; bounds are inclusive unless marked exclusive. */
export interface OptionRange {
  min: number;
  max: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

/** What an option's value becomes: fields of the model config and/or options of `fit`. */
export interface OptionEffect {
  config?: Record<string, unknown>;
  fit?: Record<string, unknown>;
}

/** One option of a model. */
export interface OptionDescription {
  /** camelCase name: the key in config files and the demo; the flag is its kebab case (`latentDim`: `--latent-dim`). */
  name: string;
  /**
   * 'integer' and 'number' (with `range`), 'choice' (with `choices`), 'integer-list' (comma separated on the
   * command line, with `range` for each item and `list` for how many).
   */
  type: 'integer' | 'number' | 'choice' | 'integer-list';
  /** One line for --help, the docs table and the demo's tooltip. */
  help: string;
  /** The value's placeholder in --help, e.g. '<n>', '<sizes>'. */
  placeholder: string;
  /** The model's default (what it uses when the option is not given). Omit when it is derived. */
  default?: OptionValue;
  /** Says where the default comes from when there is no `default`, e.g. "the data set's", "--beta". */
  defaultText?: string;
  range?: OptionRange;
  choices?: readonly string[];
  /** For 'integer-list': how many items, and an example for messages. */
  list?: { minCount: number; maxCount: number; example: string };
  /** The config field the value is copied into, unchanged. */
  config?: string;
  /** The `fit` option the value is copied into, unchanged. */
  fit?: string;
  /**
   * For a value that becomes several fields (or none), in place of `config`/`fit`: what it writes, given every
   * option value. Called only when the option was given. Plain objects only: no tensors, no tfjs.
   */
  map?: (value: OptionValue, values: OptionValues) => OptionEffect;
  /**
   * When not given, the application fills the value in from the training data: 'classes', its number of classes
   * (a data set without labels is then an error naming the option).
   */
  fromData?: 'classes';
  /**
   * The option only means something when another option is given, with one of `values` if listed (e.g.
   * variance: decoder gaussian). Checked after the model's `check`, which may say it in its own words.
   */
  requires?: { option: string; values?: readonly string[] };
}

/** The options of one model of the registry. */
export interface ModelOptionsDescription {
  /** The model's class name: its key in MODEL_REGISTRY and its saved `className`. */
  className: string;
  /** The command-line name (`vae train --model <name>`): kebab case of the class name. */
  name: string;
  /** One line: what the model is, and the paper. */
  title: string;
  /** 'autoencoder' (deterministic code), 'vae' (a prior and a probabilistic decoder), 'recommender' (rating rows: `vae recommend`). */
  family: 'autoencoder' | 'vae' | 'recommender';
  options: readonly OptionDescription[];
  /**
   * Rules between options (beyond `requires`), as the message for the user, or undefined when the values agree.
   * Messages name options by flag (`--kl-steps`), since the CLI shows them as they are.
   */
  check?: (values: OptionValues) => string | undefined;
}

/** The activations of @vae/core (`ACTIVATIONS`), listed without importing it; a test keeps the two equal. */
export const ACTIVATION_NAMES = ['linear', 'relu', 'sigmoid', 'tanh'] as const;

/** The configuration every model shares, defaults that models extend (re-exported by base/config.ts). */
export const MODEL_DEFAULTS: Omit<ModelConfig, 'latentDim'> = {
  inputShape: [28, 28, 1],
  hiddenUnits: [400],
  activation: 'relu',
  network: 'mlp',
  filters: [32, 64],
  kernelSize: 4,
};

/** Ranges shared by several options; the flags, config files and forms check the same numbers. */
export const OPTION_RANGES = {
  latentDim: { min: 1, max: 4_096 },
  layerUnits: { min: 1, max: 16_384 },
  filters: { min: 1, max: 4_096 },
  /** Weights and penalties: 0 switches them off. */
  weight: { min: 0, max: 1_000_000 },
  positive: { min: 0, max: 1_000_000, minExclusive: true },
  probability: { min: 0, max: 1, minExclusive: true, maxExclusive: true },
  fraction: { min: 0, max: 1, minExclusive: true },
  samples: { min: 1, max: 10_000 },
  steps: { min: 1, max: 1_000_000_000 },
  classes: { min: 2, max: 100_000 },
} as const satisfies Record<string, OptionRange>;

/** The flag of an option name: `latentDim` -> `--latent-dim`. */
export function optionFlag(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The options of `ModelConfig` that `sharedOptions` describes. */
export type SharedOptionName = 'latentDim' | 'hidden' | 'activation' | 'network' | 'filters';

/**
 * The options of `ModelConfig` that every model built on it shares (latent size, hidden layers, activation,
 * network, filters), with that model's defaults. `only` keeps a subset (a linear autoencoder has no hidden layers).
 */
export function sharedOptions(
  defaults: Pick<ModelConfig, 'latentDim' | 'hiddenUnits' | 'activation' | 'network' | 'filters'>,
  only: readonly SharedOptionName[] = ['latentDim', 'hidden', 'activation', 'network', 'filters'],
): OptionDescription[] {
  const all: Record<SharedOptionName, OptionDescription> = {
    latentDim: {
      name: 'latentDim',
      type: 'integer',
      placeholder: '<n>',
      help: 'size of the code / latent variable z',
      default: defaults.latentDim,
      range: OPTION_RANGES.latentDim,
      config: 'latentDim',
    },
    hidden: {
      name: 'hidden',
      type: 'integer-list',
      placeholder: '<sizes>',
      help: 'hidden layer sizes, comma separated (none: "")',
      default: defaults.hiddenUnits,
      range: OPTION_RANGES.layerUnits,
      list: { minCount: 0, maxCount: 16, example: '400 or 512,256' },
      config: 'hiddenUnits',
    },
    activation: {
      name: 'activation',
      type: 'choice',
      placeholder: '<name>',
      help: 'activation of the hidden layers',
      default: defaults.activation,
      choices: ACTIVATION_NAMES,
      config: 'activation',
    },
    network: {
      name: 'network',
      type: 'choice',
      placeholder: '<kind>',
      help: 'dense layers, or strided convolutions first',
      default: defaults.network,
      choices: ['mlp', 'conv'],
      config: 'network',
    },
    filters: {
      name: 'filters',
      type: 'integer-list',
      placeholder: '<list>',
      help: 'filters of the convolutions (--network conv), e.g. 32,64',
      default: defaults.filters,
      range: OPTION_RANGES.filters,
      list: { minCount: 1, maxCount: 8, example: '32,64' },
      config: 'filters',
    },
  };
  return only.map((name) => all[name]);
}

/** Where a value out of its description goes wrong, as a message naming the option and the allowed values. */
export function checkOptionValue(option: OptionDescription, value: unknown): string | undefined {
  const where = optionFlag(option.name);
  const inRange = (n: number) => {
    const r = option.range;
    if (r === undefined) return true;
    if (r.minExclusive ? n <= r.min : n < r.min) return false;
    return !(r.maxExclusive ? n >= r.max : n > r.max);
  };
  switch (option.type) {
    case 'integer':
      return Number.isSafeInteger(value) && inRange(value as number)
        ? undefined
        : `${where} must be ${describeOptionRange('integer', option.range)}; got ${JSON.stringify(value)}.`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && inRange(value)
        ? undefined
        : `${where} must be ${describeOptionRange('number', option.range)}; got ${JSON.stringify(value)}.`;
    case 'choice':
      return option.choices?.includes(value as string)
        ? undefined
        : `${where} '${value}' is not one of ${option.choices?.join(', ')}.`;
    case 'integer-list': {
      const list = option.list ?? { minCount: 0, maxCount: Number.POSITIVE_INFINITY, example: '1,2' };
      const ok =
        Array.isArray(value) &&
        value.length >= list.minCount &&
        value.length <= list.maxCount &&
        value.every((v) => Number.isSafeInteger(v) && inRange(v));
      return ok
        ? undefined
        : `${where} takes ${list.minCount} to ${list.maxCount} integers ` +
            `(${describeOptionRange('integer', option.range).replace(/^an integer /, '')}, e.g. ${list.example}); ` +
            `got ${JSON.stringify(value)}.`;
    }
  }
}

/** "an integer from 1 to 100", "a number > 0 and <= 10", ... (the wording of the CLI's messages). */
export function describeOptionRange(kind: 'integer' | 'number', range: OptionRange | undefined): string {
  const noun = kind === 'integer' ? 'an integer' : 'a number';
  if (range === undefined) return noun;
  if (!range.minExclusive && !range.maxExclusive) return `${noun} from ${range.min} to ${range.max}`;
  const low = `${range.minExclusive ? '>' : '>='} ${range.min}`;
  const high = `${range.maxExclusive ? '<' : '<='} ${range.max}`;
  return `${noun} ${low} and ${high}`;
}

/**
 * The model config fields and `fit` options that the given values set, as the description maps them. Values
 * not given are left out (the model's defaults apply); `requires` and `check` are not applied here
 * (`checkModelOptionValues` does that).
 */
export function applyModelOptions(
  description: ModelOptionsDescription,
  values: OptionValues,
): Required<OptionEffect> {
  const effect = { config: {} as Record<string, unknown>, fit: {} as Record<string, unknown> };
  for (const option of description.options) {
    const value = values[option.name];
    if (value === undefined) continue;
    if (option.config !== undefined) effect.config[option.config] = value;
    if (option.fit !== undefined) effect.fit[option.fit] = value;
    if (option.map !== undefined) {
      const mapped = option.map(value, values);
      Object.assign(effect.config, mapped.config);
      Object.assign(effect.fit, mapped.fit);
    }
  }
  return effect;
}

/**
 * Checks given values against a model's description: options it does not have, values out of range, `requires`
 * and the model's `check`. Returns the first problem as a message (options named by flag), or undefined.
 */
export function checkModelOptionValues(
  description: ModelOptionsDescription,
  values: OptionValues,
): string | undefined {
  const byName = new Map(description.options.map((o) => [o.name, o]));
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const option = byName.get(name);
    if (!option) {
      return `${optionFlag(name)} does not apply to ${description.name}; its options are ${[...byName.keys()]
        .map(optionFlag)
        .join(', ')}.`;
    }
    const problem = checkOptionValue(option, value);
    if (problem) return problem;
  }
  const problem = description.check?.(values);
  if (problem) return problem;
  for (const option of description.options) {
    const required = option.requires;
    if (values[option.name] === undefined || required === undefined) continue;
    const flag = optionFlag(required.option);
    const given = values[required.option];
    if (required.values === undefined) {
      if (given === undefined) return `${optionFlag(option.name)} needs ${flag}; add ${flag}.`;
    } else if (!required.values.includes(given as string)) {
      return (
        `${optionFlag(option.name)} applies to ${flag} ${required.values.join(' or ')} only; ` +
        `add ${flag} ${required.values[0]}.`
      );
    }
  }
  return undefined;
}
