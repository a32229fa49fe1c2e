/**
 * The Train view's model controls, from the VAE's own option descriptions (`@vae/models/options`, the same ones
 * that make `vae train`'s flags, the config-file keys and docs/models.md): what each control sets, its help text,
 * its default, and whether a value is valid. The page chooses only what it offers of each option (a browser trains
 * small models: a few code sizes, a short beta slider); every offered value is checked against the description, and
 * the chosen values become a model config through the description's own mapping (`applyModelOptions`), as the
 * CLI's flags do. DOM-free, so the worker, the page and the tests share it.
 */
import {
  applyModelOptions,
  checkModelOptionValues,
  checkOptionValue,
  MODEL_DESCRIPTIONS,
  type OptionDescription,
  type OptionValues,
} from '@vae/models/options';

const VAE_DESCRIPTION = MODEL_DESCRIPTIONS.VAE;

/** A select offering some values of an option, or a slider over part of its range. */
export type ModelControl =
  | { control: string; option: string; kind: 'select'; offered: readonly number[]; initial?: number }
  | {
      control: string;
      option: string;
      kind: 'slider';
      min: number;
      max: number;
      step: number;
      initial?: number;
    };

/**
 * The page's offer (`initial` absent: the description's default). A value here that the description refuses is a
 * build-time bug: `modelControls()` throws naming it, and a test calls it.
 */
const OFFER: readonly ModelControl[] = [
  { control: 'latent', option: 'latentDim', kind: 'select', offered: [2, 5, 10, 20], initial: 2 },
  { control: 'hidden', option: 'hidden', kind: 'select', offered: [100, 200, 400] },
  { control: 'beta', option: 'beta', kind: 'slider', min: 0, max: 4, step: 0.1 },
];

/** A control with what the description says of its option. */
export type DescribedControl = ModelControl & {
  initial: number;
  help: string;
  description: OptionDescription;
};

function optionOf(name: string): OptionDescription {
  const option = VAE_DESCRIPTION.options.find((o) => o.name === name);
  if (!option)
    throw new Error(`the VAE has no option '${name}'; its options are described in @vae/models/options.`);
  return option;
}

/** The option's value for a control's number (the hidden layers are a list: one layer of that many units). */
function valueFor(option: OptionDescription, n: number): OptionValues[string] {
  return option.type === 'integer-list' ? [n] : n;
}

/** The description's default as the control's number. */
function defaultOf(option: OptionDescription): number | undefined {
  const value = option.default;
  if (Array.isArray(value)) return value.length === 1 ? Number(value[0]) : undefined;
  return typeof value === 'number' ? value : undefined;
}

/** The model controls, each checked against the VAE's description (throws naming a value it refuses). */
export function modelControls(): DescribedControl[] {
  return OFFER.map((control) => {
    const description = optionOf(control.option);
    const values =
      control.kind === 'select'
        ? [...control.offered]
        : [control.min, control.max, control.min + control.step];
    const initial = control.initial ?? defaultOf(description);
    if (initial === undefined) throw new Error(`the Train view's ${control.control} needs an initial value.`);
    for (const n of [...values, initial]) {
      const problem = checkOptionValue(description, valueFor(description, n));
      if (problem)
        throw new Error(`the Train view offers ${control.control} = ${n}, which the VAE refuses: ${problem}`);
    }
    if (control.kind === 'select' && !control.offered.includes(initial)) {
      throw new Error(`the Train view's ${control.control} starts at ${initial}, which it does not offer.`);
    }
    return { ...control, initial, help: description.help, description };
  });
}

/** The model config of chosen control values (by control name), through the description's mapping and checks. */
export function modelConfigOf(chosen: Readonly<Record<string, number>>): Record<string, unknown> {
  const values: Record<string, OptionValues[string]> = {};
  for (const control of OFFER) {
    const n = chosen[control.control];
    if (n !== undefined) values[control.option] = valueFor(optionOf(control.option), n);
  }
  const problem = checkModelOptionValues(VAE_DESCRIPTION, values);
  if (problem) throw new Error(problem);
  return applyModelOptions(VAE_DESCRIPTION, values).config;
}
