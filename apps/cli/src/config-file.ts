import { readFile } from 'node:fs/promises';
import type { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { CliError } from './errors';

const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Applies a JSON or YAML config file to a command's options. The command's own option definitions are the
 * schema: each value goes through the same parser and choices as its flag, unknown keys are rejected with the
 * list of known ones, and flags given on the command line win over the file. A file written by `vae train`
 * (config.json) works too: its `options` section is read.
 */
export async function applyConfigFile(command: Command, path: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read --config ${path} (${(error as NodeJS.ErrnoException).code}); check the path.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `--config ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (parsed && typeof parsed === 'object' && 'options' in parsed)
    parsed = (parsed as { options: unknown }).options;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(
      `--config ${path} must hold an object of option names and values, e.g. {"epochs": 5}.`,
    );
  }
  const options = new Map<string, Option>(
    command.options.filter((o) => o.long !== '--config').map((o) => [o.attributeName(), o]),
  );
  for (const [rawKey, value] of Object.entries(parsed)) {
    const key = camel(rawKey);
    const option = options.get(key);
    if (!option) {
      throw new CliError(
        `--config ${path}: unknown option '${rawKey}'; known: ${[...options.keys()].join(', ')}.`,
      );
    }
    if (command.getOptionValueSource(key) === 'cli') continue;
    let result: unknown = value;
    if (option.required || option.optional) {
      const text = Array.isArray(value) ? value.join(',') : String(value);
      if (option.argChoices && !option.argChoices.includes(text)) {
        throw new CliError(
          `--config ${path}: ${rawKey} '${text}' is not one of ${option.argChoices.join(', ')}.`,
        );
      }
      try {
        result = option.parseArg ? option.parseArg(text, undefined) : text;
      } catch (error) {
        throw new CliError(`--config ${path}: ${rawKey}: ${(error as Error).message}`);
      }
    } else if (typeof value !== 'boolean') {
      throw new CliError(`--config ${path}: ${rawKey} must be true or false.`);
    }
    command.setOptionValueWithSource(key, result, 'config');
  }
}
