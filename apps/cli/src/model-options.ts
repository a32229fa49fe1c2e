/**
 * The model options of `vae train`, generated from the models' own option descriptions (`@vae/models/options`,
 * which loads no tfjs): the flags and their parsers, the --help groups, which options apply to which model, and the
 * checks between options. A misapplied option is a one-line usage error (exit code 2) before anything heavy loads.
 * `--config` files are checked against the same flags (config-file.ts), and models.ts maps the values into a model
 * config and `fit` options through the same descriptions.
 */

import {
  checkModelOptionValues,
  MODEL_DESCRIPTIONS,
  type ModelOptionsDescription,
  type OptionDescription,
  type OptionValues,
  optionFlag,
} from '@vae/models/options';
import { Command, Option } from 'commander';
import { MODEL_CHOICES, type ModelName } from './choices';
import { CliError, EXIT } from './errors';
import { integer, integerList, real } from './parse';

const DESCRIPTIONS: readonly ModelOptionsDescription[] = Object.values(MODEL_DESCRIPTIONS);

/** The description of a model by its command-line name. */
export function descriptionOf(model: string): ModelOptionsDescription {
  const description = DESCRIPTIONS.find((d) => d.name === model);
  if (!description)
    throw new CliError(`unknown model '${model}'; use one of ${MODEL_CHOICES.join(', ')}.`, EXIT.usage);
  return description;
}

/** Every model option (first description of each name, in registry order) and the models it applies to. */
function collectOptions(): Map<string, { option: OptionDescription; models: ModelName[] }> {
  const all = new Map<string, { option: OptionDescription; models: ModelName[] }>();
  for (const description of DESCRIPTIONS) {
    for (const option of description.options) {
      const entry = all.get(option.name) ?? { option, models: [] };
      entry.models.push(description.name);
      all.set(option.name, entry);
    }
  }
  return all;
}

const OPTIONS = collectOptions();

/** The model options of `vae train` (camel case, as commander names them) and the models they apply to. */
export const MODEL_OPTIONS: Readonly<Record<string, readonly ModelName[]>> = Object.fromEntries(
  [...OPTIONS].map(([name, { models }]) => [name, models]),
);

export type ModelOptionName = string;

/**
 * The model options as `vae train` receives them, by option name (undefined = not given: the model's default).
 * The names and value types are those of the models' descriptions; the few the CLI reads itself (sizes and the
 * rows of a training step) are typed here.
 */
export interface ModelOptions {
  model: ModelName;
  latentDim?: number;
  hidden?: number[];
  samples?: number;
  k?: number;
  [option: string]: unknown;
}

function show(value: unknown): string {
  return Array.isArray(value) ? (value.length ? value.join(',') : '""') : String(value);
}

/** "(default 1; beta-vae 4)", "(default: --beta)", "" when every model has its own. */
function defaultText(name: string, models: readonly ModelName[]): string {
  const defaults = models.map((model) => {
    const option = descriptionOf(model).options.find((o) => o.name === name) as OptionDescription;
    return option.default === undefined ? option.defaultText : show(option.default);
  });
  if (defaults.every((d) => d === undefined)) return '';
  const counts = new Map<string, number>();
  for (const d of defaults) if (d !== undefined) counts.set(d, (counts.get(d) ?? 0) + 1);
  const common = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const exceptions = models
    .map((model, i) => [model, defaults[i]] as const)
    .filter(([, d]) => d !== common)
    .map(([model, d]) => `${model} ${d ?? 'its own'}`);
  if (exceptions.length > 3) return " (default: the model's own)";
  const first = /^[0-9".-]/.test(common)
    ? `default ${common}`
    : /^none\b/.test(common)
      ? common
      : `default: ${common}`;
  return ` (${[first, ...exceptions].join('; ')})`;
}

/** The commander option of a description (flag, placeholder, parser or choices, help with its default). */
function commanderOption(option: OptionDescription, models: readonly ModelName[], family: boolean): Option {
  const flag = optionFlag(option.name);
  const prefix = family && models.length === 1 ? `${models[0]}: ` : '';
  const made = new Option(
    `${flag} ${option.placeholder}`,
    `${prefix}${option.help}${defaultText(option.name, models)}`,
  );
  const range = option.range ?? { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };
  if (option.type === 'choice') return made.choices([...(option.choices ?? [])]);
  if (option.type === 'integer') return made.argParser(integer(flag, range.min, range.max));
  if (option.type === 'number') return made.argParser(real(flag, range));
  const list = option.list ?? { minCount: 1, maxCount: 64, example: '1,2' };
  return made.argParser(integerList(flag, { ...range, ...list }));
}

/**
 * The model options of `vae train` as commander options in --help groups: options of both families first, then
 * those of the autoencoders and of the VAEs, each group naming its models.
 */
export function modelOptionGroups(): Array<{ heading: string; options: Option[] }> {
  const familyOf = (model: ModelName) => descriptionOf(model).family;
  const members = (family: 'autoencoder' | 'vae') =>
    DESCRIPTIONS.filter((d) => d.family === family).map((d) => d.name);
  const groups = [
    { key: 'all', heading: "Model options (all models; default: the model's own):", options: [] as Option[] },
    {
      key: 'autoencoder',
      heading: `Autoencoders (${members('autoencoder').join(', ')}):`,
      options: [] as Option[],
    },
    { key: 'vae', heading: `VAEs (${members('vae').join(', ')}):`, options: [] as Option[] },
  ];
  for (const { option, models } of OPTIONS.values()) {
    const families = new Set(models.map(familyOf));
    const key = families.size === 1 ? [...families][0] : 'all';
    const group = groups.find((g) => g.key === key) as (typeof groups)[number];
    group.options.push(commanderOption(option, models, key !== 'all'));
  }
  return groups.filter((g) => g.options.length > 0).map(({ heading, options }) => ({ heading, options }));
}

/** Adds the model options to a command (`vae train`), in their --help groups. */
export function addModelOptions(command: Command): Command {
  for (const { heading, options } of modelOptionGroups()) {
    for (const option of options) command.addOption(option.helpGroup(heading));
  }
  return command;
}

/** A command holding the model options alone (tests of the options and their config-file keys). */
export function modelOptionsCommand(): Command {
  return addModelOptions(new Command('train').exitOverride());
}

/** The model option values among command options (only the names the models describe). */
export function modelOptionValues(options: ModelOptions): OptionValues {
  const values: Record<string, OptionValues[string]> = {};
  for (const name of OPTIONS.keys()) {
    if (options[name] !== undefined) values[name] = options[name] as OptionValues[string];
  }
  return values;
}

/**
 * Rejects options that do not apply to the chosen model, with the models they do apply to, and values that the
 * model's description refuses together (`requires`, its `check`); every problem is a usage error (exit code 2).
 */
export function checkModelOptions(options: ModelOptions): void {
  const description = descriptionOf(options.model);
  const values = modelOptionValues(options);
  for (const name of Object.keys(values)) {
    const models = MODEL_OPTIONS[name];
    if (models.includes(options.model)) continue;
    const flag = optionFlag(name);
    throw new CliError(
      `${flag} does not apply to --model ${options.model}; it applies to ${models.join(', ')}. ` +
        `Drop ${flag} or pick one of those models.`,
      EXIT.usage,
    );
  }
  const problem = checkModelOptionValues(description, values);
  if (problem) throw new CliError(problem, EXIT.usage);
}
