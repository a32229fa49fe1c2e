/**
 * The one place where the CLI turns option values (flags, --config files, a resumed run's config.json) into
 * numbers. Parsing is strict and the same everywhere:
 *
 * - surrounding spaces are ignored; an empty value is refused (`--beta ''` is not 0);
 * - integers are decimal digits only: no sign, fraction, exponent (`1e3`), hex (`0x10`) or separators;
 * - real numbers are decimal with an optional exponent (`1e-3`, `.5`); no hex, `NaN` or `Infinity`;
 * - every value has a range, and the message of a refused value names the flag, the range and the value given.
 *
 * Commander turns the thrown InvalidArgumentError into a one-line usage error (exit code 2); config-file.ts does
 * the same for files. Nothing here loads tfjs, so `--help` and bad flags stay fast.
 */
import { OPTION_RANGES } from '@vae/models/options';
import { InvalidArgumentError } from 'commander';

const INTEGER = /^[0-9]+$/;
const REAL = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/** A range of allowed values; bounds are inclusive unless marked exclusive. */
export interface Range {
  min: number;
  max: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

/** The value as given, quoted for a message (long values shortened). */
function shown(value: string): string {
  const text = value.length > 40 ? `${value.slice(0, 37)}...` : value;
  return `'${text}'`;
}

/** "an integer from 1 to 100", "a number > 0 and <= 10", ... */
export function describeRange(kind: 'integer' | 'number', range: Range): string {
  const noun = kind === 'integer' ? 'an integer' : 'a number';
  if (!range.minExclusive && !range.maxExclusive) return `${noun} from ${range.min} to ${range.max}`;
  const low = `${range.minExclusive ? '>' : '>='} ${range.min}`;
  const high = `${range.maxExclusive ? '<' : '<='} ${range.max}`;
  return `${noun} ${low} and ${high}`;
}

function inRange(n: number, range: Range): boolean {
  if (range.minExclusive ? n <= range.min : n < range.min) return false;
  if (range.maxExclusive ? n >= range.max : n > range.max) return false;
  return true;
}

/** Parses one integer strictly; throws InvalidArgumentError naming `flag` and the range. */
export function parseInteger(flag: string, value: string, range: Range): number {
  const text = String(value).trim();
  const n = INTEGER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || !inRange(n, range)) {
    throw new InvalidArgumentError(
      `${flag} must be ${describeRange('integer', range)}; got ${shown(value)}.`,
    );
  }
  return n;
}

/** Parses one real number strictly; throws InvalidArgumentError naming `flag` and the range. */
export function parseReal(flag: string, value: string, range: Range): number {
  const text = String(value).trim();
  const n = REAL.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || !inRange(n, range)) {
    throw new InvalidArgumentError(`${flag} must be ${describeRange('number', range)}; got ${shown(value)}.`);
  }
  return n;
}

/** A commander argument parser for an integer option. */
export function integer(flag: string, min: number, max: number): (value: string) => number {
  return (value) => parseInteger(flag, value, { min, max });
}

/** A commander argument parser for a real option. */
export function real(flag: string, range: Range): (value: string) => number {
  return (value) => parseReal(flag, value, range);
}

/** Parses a comma-separated list with `parseOne`, checking how many items it has. */
function list<T>(
  flag: string,
  value: string,
  count: { min: number; max: number },
  what: string,
  parseOne: (item: string) => T,
): T[] {
  const text = String(value).trim();
  const items = text === '' ? [] : text.split(',');
  if (items.length < count.min || items.length > count.max) {
    const howMany = count.min === count.max ? `${count.min}` : `${count.min} to ${count.max}`;
    throw new InvalidArgumentError(
      `${flag} takes ${howMany} ${what} separated by commas; got ${shown(value)}.`,
    );
  }
  return items.map((item) => parseOne(item));
}

/** A parser for a comma-separated list of integers, e.g. layer sizes `512,256` or dimensions `0,1`. */
export function integerList(
  flag: string,
  options: { min: number; max: number; minCount?: number; maxCount: number; example: string },
): (value: string) => number[] {
  return (value) =>
    list(
      flag,
      value,
      { min: options.minCount ?? 1, max: options.maxCount },
      `integers from ${options.min} to ${options.max} (e.g. ${options.example})`,
      (item) => {
        try {
          return parseInteger(flag, item, options);
        } catch {
          throw new InvalidArgumentError(
            `${flag} takes integers from ${options.min} to ${options.max} separated by commas (e.g. ` +
              `${options.example}); ${shown(item.trim())} in ${shown(value)} is not one.`,
          );
        }
      },
    );
}

/** A parser for a comma-separated list of `count` real numbers in a range, e.g. `--range -3,3`. */
export function realList(
  flag: string,
  options: Range & { count: number; example: string },
): (value: string) => number[] {
  return (value) =>
    list(
      flag,
      value,
      { min: options.count, max: options.count },
      `numbers (${describeRange('number', options).replace(/^a number /, '')}, e.g. ${options.example})`,
      (item) => {
        try {
          return parseReal(flag, item, options);
        } catch {
          throw new InvalidArgumentError(
            `${flag} takes ${options.count} numbers ${describeRange('number', options).replace(/^a number /, '')} ` +
              `separated by commas (e.g. ${options.example}); ${shown(item.trim())} in ${shown(value)} is not one.`,
          );
        }
      },
    );
}

/**
 * The ranges of the CLI's numeric options, in one table: the flags in bin.ts, the checks of config files and of a
 * resumed run's saved options all use these. The ranges of model options are the models' own (OPTION_RANGES of
 * `@vae/models/options`, which loads no tfjs).
 */
export const RANGES = {
  epochs: { min: 1, max: 100_000 },
  batchSize: { min: 1, max: 32_768 },
  seed: { min: 0, max: 4_294_967_295 },
  /** --limit, --test-limit: first n images (larger than any data set is allowed: it means all). */
  limit: { min: 1, max: 100_000_000 },
  latentDim: OPTION_RANGES.latentDim,
  hiddenUnits: OPTION_RANGES.layerUnits,
  hiddenLayers: 16,
  filters: OPTION_RANGES.filters,
  filterLayers: 8,
  /** Example indices (--from, --to, --index) and class labels. */
  index: { min: 0, max: 100_000_000 },
  dimension: { min: 0, max: 4_095 },
  classes: OPTION_RANGES.classes,
  /** Samples of z per example (--samples) and IWAE's importance samples in training (--k of train). */
  samples: OPTION_RANGES.samples,
  steps: OPTION_RANGES.steps,
  klCycles: { min: 1, max: 1_000_000 },
  /** The hard ceilings of the size options; the caps of limits.ts sit below them. */
  count: { min: 1, max: 1_000_000 },
  gridSteps: { min: 2, max: 100_000 },
  importanceSamples: { min: 1, max: 1_000_000 },
  codes: { min: 1, max: 10_000_000 },
  /** Weights and penalties: 0 switches them off. */
  weight: OPTION_RANGES.weight,
  learningRate: { min: 0, max: 10, minExclusive: true },
  positive: OPTION_RANGES.positive,
  probability: OPTION_RANGES.probability,
  fraction: OPTION_RANGES.fraction,
  temperature: { min: 0, max: 100, minExclusive: true },
  /** Latent values (--range of traverse): the prior is N(0, I). */
  latentValue: { min: -100, max: 100 },
} as const satisfies Record<string, Range | number>;

/** `--zoom`: 'auto' (tiles of about 64 pixels: 3x for 28-pixel digits) or an integer enlargement from 1 to 8. */
export function zoom(flag: string): (value: string) => number | 'auto' {
  return (value) =>
    String(value).trim() === 'auto' ? 'auto' : parseInteger(flag, value, { min: 1, max: 8 });
}
