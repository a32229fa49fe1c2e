import type { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { CliError, EXIT } from './errors';
import { readSmallFile } from './files';

const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Options a file may not set: they say what may be overwritten or allocated, so only the command line says it. */
const COMMAND_LINE_ONLY = new Set(['config', 'force', 'allowLarge']);

/** A config file is small; a larger one is not a config file. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Checks the values of a record of options (a --config file, or the options a run saved in its config.json)
 * against a command's own option definitions: each value goes through the same parser and choices as its flag
 * (parse.ts), unknown names are refused with the list of known ones. `origin` starts each message, e.g.
 * "--config run.yaml". Returns the parsed values by attribute name; every problem is a usage error (exit code 2).
 */
export function checkOptionValues(
  command: Command,
  record: Record<string, unknown>,
  origin: string,
): Map<string, unknown> {
  const options = new Map<string, Option>(
    command.options
      .filter((o) => !COMMAND_LINE_ONLY.has(o.attributeName()))
      .map((o) => [o.attributeName(), o]),
  );
  const values = new Map<string, unknown>();
  for (const [rawKey, value] of Object.entries(record)) {
    const key = camel(rawKey);
    const option = options.get(key);
    if (!option) {
      const only = COMMAND_LINE_ONLY.has(key) ? ` (${rawKey} is given on the command line only)` : '';
      throw new CliError(
        `${origin}: unknown option '${rawKey}'${only}; known: ${[...options.keys()].join(', ')}.`,
        EXIT.usage,
      );
    }
    let result: unknown = value;
    if (option.required || option.optional) {
      if (value === null || (typeof value === 'object' && !Array.isArray(value))) {
        throw new CliError(`${origin}: ${rawKey} must be a value, not ${JSON.stringify(value)}.`, EXIT.usage);
      }
      const text = Array.isArray(value) ? value.join(',') : String(value);
      if (option.argChoices && !option.argChoices.includes(text)) {
        throw new CliError(
          `${origin}: ${rawKey} '${text}' is not one of ${option.argChoices.join(', ')}.`,
          EXIT.usage,
        );
      }
      try {
        result = option.parseArg ? option.parseArg(text, undefined) : text;
      } catch (error) {
        throw new CliError(`${origin}: ${rawKey}: ${(error as Error).message}`, EXIT.usage);
      }
    } else if (typeof value !== 'boolean') {
      throw new CliError(`${origin}: ${rawKey} must be true or false.`, EXIT.usage);
    }
    values.set(key, result);
  }
  return values;
}

/**
 * Applies a JSON or YAML config file to a command's options. The command's own option definitions are the
 * schema (checkOptionValues): for `vae train`, the model options among them are generated from the models' own
 * descriptions (model-options.ts), so a model's options are config-file keys (`latentDim` or `latent-dim`) with
 * its ranges and choices. Flags given on the command line win over the file. A file written by `vae train`
 * (config.json) works too: its `options` section is read. Every problem is a usage error (exit code 2).
 */
export async function applyConfigFile(command: Command, path: string): Promise<void> {
  const text = new TextDecoder().decode(
    await readSmallFile(path, {
      what: 'a --config file (JSON or YAML)',
      maxBytes: MAX_CONFIG_BYTES,
      exitCode: EXIT.usage,
    }),
  );
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `--config ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(error as Error).message.split('\n')[0]}`,
      EXIT.usage,
    );
  }
  if (parsed && typeof parsed === 'object' && 'options' in parsed)
    parsed = (parsed as { options: unknown }).options;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(
      `--config ${path} must hold an object of option names and values, e.g. {"epochs": 5}.`,
      EXIT.usage,
    );
  }
  const values = checkOptionValues(command, parsed as Record<string, unknown>, `--config ${path}`);
  for (const [key, value] of values) {
    if (command.getOptionValueSource(key) === 'cli') continue;
    command.setOptionValueWithSource(key, value, 'config');
  }
}
