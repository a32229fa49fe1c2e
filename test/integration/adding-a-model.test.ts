/**
 * Keeps docs/adding-a-model.md true: walks MODEL_REGISTRY and checks that every model has what the guide says a
 * model folder and its registry lines give it: the fixed files, an option description (well formed, defaults equal
 * to the model's own), the CLI's flags and --model name, the config-file schema, a section of docs/models.md, and
 * saving and loading. docs/models.md is generated here: `VAE_WRITE_DOCS=1` rewrites it; otherwise this test fails
 * when it is out of date.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { ACTIVATIONS } from '@vae/core';
import { type AnyModel, loadModel, MODEL_REGISTRY, saveModel } from '@vae/models';
import {
  ACTIVATION_NAMES,
  applyModelOptions,
  checkModelOptionValues,
  checkOptionValue,
  describeOptionRange,
  MODEL_DESCRIPTIONS,
  type ModelOptionsDescription,
  type OptionDescription,
  type OptionValues,
  optionFlag,
} from '@vae/models/options';
import { describe, expect, it } from 'vitest';
import { MODEL_CHOICES, MODEL_NAMES } from '../../apps/cli/src/choices';
import { checkOptionValues } from '../../apps/cli/src/config-file';
import { checkModelOptions, modelOptionsCommand } from '../../apps/cli/src/model-options';

const root = fileURLToPath(new URL('../../', import.meta.url));
const modelsDoc = `${root}docs/models.md`;
const descriptions = MODEL_DESCRIPTIONS as Record<string, ModelOptionsDescription>;
const classNames = Object.keys(MODEL_REGISTRY);

function describedAs(className: string): ModelOptionsDescription {
  const description = descriptions[className];
  if (!description) {
    throw new Error(
      `${className} is in MODEL_REGISTRY but has no option description: add <model>.options.ts and a line in ` +
        'MODEL_DESCRIPTIONS (packages/models/src/options.ts); see docs/adding-a-model.md.',
    );
  }
  return description;
}

/** The model's config with nothing given (its defaults), through its class's resolveConfig. */
function resolvedDefaults(className: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const Class = MODEL_REGISTRY[className as keyof typeof MODEL_REGISTRY] as unknown as {
    resolveConfig(config: object): Record<string, unknown>;
  };
  return Class.resolveConfig(extra);
}

function show(value: unknown): string {
  if (Array.isArray(value)) return value.length ? value.join(',') : '"" (none)';
  return String(value);
}

/** docs/models.md, generated from the descriptions. */
function modelsMarkdown(): string {
  const where = (option: OptionDescription) =>
    [
      option.config && `config \`${option.config}\``,
      option.fit && `fit \`${option.fit}\``,
      option.map && 'mapped (see the model)',
      option.requires &&
        `with ${optionFlag(option.requires.option)}${option.requires.values ? ` ${option.requires.values.join(' or ')}` : ''}`,
      option.fromData && `from the data set's ${option.fromData}`,
    ]
      .filter(Boolean)
      .join('; ') || 'read by other options';
  const allowed = (option: OptionDescription) => {
    if (option.type === 'choice') return (option.choices ?? []).join(', ');
    const range = describeOptionRange(option.type === 'number' ? 'number' : 'integer', option.range);
    if (option.type !== 'integer-list') return range;
    const list = option.list;
    return `${list?.minCount} to ${list?.maxCount} of ${range}, e.g. ${list?.example}`;
  };
  const lines = [
    '# Models and their options',
    '',
    'Generated from the option descriptions of the model folders (`packages/models/src/<model>/<model>.options.ts`,',
    'through `MODEL_DESCRIPTIONS` of `@vae/models/options`) by `test/integration/adding-a-model.test.ts`; do not',
    'edit by hand. Regenerate with `VAE_WRITE_DOCS=1 npx -y pnpm@12.21.0 exec vitest run --project unit:cpu',
    'test/integration/adding-a-model.test.ts`. The same descriptions give the flags of `vae train` (the option',
    '`latentDim` is `--latent-dim`; a `--config` file may use either spelling), so this page and `vae train --help`',
    'agree. How to add a model: [adding-a-model.md](adding-a-model.md).',
    '',
    '| model | class | family | what it is |',
    '|---|---|---|---|',
    ...Object.values(descriptions).map(
      (d) =>
        `| [\`${d.name}\`](#${d.name}) | \`${d.className}\` | ${d.family} | ${d.title.replace(/\|/g, '\\|')} |`,
    ),
  ];
  for (const d of Object.values(descriptions)) {
    lines.push(
      '',
      `## ${d.name}`,
      '',
      `${d.title}.`,
      '',
      `Class \`${d.className}\`, family ${d.family}: \`vae train --model ${d.name}\`.`,
      '',
      '| option | flag | default | allowed | what it sets | help |',
      '|---|---|---|---|---|---|',
    );
    for (const o of d.options) {
      const fallback = o.default === undefined ? (o.defaultText ?? '') : `\`${show(o.default)}\``;
      const cells = [
        `\`${o.name}\``,
        `\`${optionFlag(o.name)} ${o.placeholder}\``,
        fallback,
        allowed(o),
        where(o),
        o.help,
      ];
      lines.push(`| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('adding a model: the registry and the option descriptions', () => {
  it('lists the same models (MODEL_REGISTRY, MODEL_DESCRIPTIONS)', () => {
    expect(Object.keys(descriptions).sort()).toEqual([...classNames].sort());
    expect([...ACTIVATION_NAMES]).toEqual([...ACTIVATIONS]);
  });

  it('gives one option name one meaning: the same option in two models agrees except for its default', () => {
    const seen = new Map<string, { model: string; option: OptionDescription }>();
    for (const description of Object.values(descriptions)) {
      for (const option of description.options) {
        const earlier = seen.get(option.name);
        if (!earlier) {
          seen.set(option.name, { model: description.className, option });
          continue;
        }
        const { default: _a, defaultText: _b, map: _c, ...mine } = option;
        const { default: _d, defaultText: _e, map: _f, ...theirs } = earlier.option;
        expect(mine, `${option.name} in ${description.className} and ${earlier.model}`).toEqual(theirs);
      }
    }
  });

  it('has docs/models.md generated from the descriptions', () => {
    const text = modelsMarkdown();
    if (process.env.VAE_WRITE_DOCS) writeFileSync(modelsDoc, text);
    const written = existsSync(modelsDoc) ? readFileSync(modelsDoc, 'utf8') : '';
    expect(written, 'docs/models.md is out of date: rerun this test with VAE_WRITE_DOCS=1').toBe(text);
  });
});

describe.each(classNames)('adding a model: %s has what docs/adding-a-model.md promises', (className) => {
  it('has an option description under its class name, named like its folder (lower case, dashes)', () => {
    const description = describedAs(className);
    expect(description.className).toBe(className);
    expect(description.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    // the plain kebab case of the class name, or the same with acronyms split (DBVAE: db-vae)
    expect(description.name.replace(/-/g, '')).toBe(className.toLowerCase());
    expect(['autoencoder', 'vae']).toContain(description.family);
    expect(description.title.length).toBeGreaterThan(10);
  });

  it('is one folder with the fixed file names; its options file loads no tfjs', () => {
    const name = describedAs(className).name;
    const folder = `${root}packages/models/src/${name}/`;
    for (const file of [
      `${name}.config.ts`,
      `${name}.options.ts`,
      `${name}.model.ts`,
      'index.ts',
      `${name}.test.ts`,
    ]) {
      expect(existsSync(folder + file), `${folder}${file}`).toBe(true);
    }
    const source = readFileSync(`${folder}${name}.options.ts`, 'utf8');
    for (const [statement, from] of source.matchAll(/^import [\s\S]*?from '([^']+)';/gm)) {
      expect(/^import type /.test(statement) || /\.options$|base\/options$/.test(from), statement).toBe(true);
    }
  });

  it('describes well-formed options whose defaults are the model’s own', () => {
    const description = describedAs(className);
    const names = description.options.map((o) => o.name);
    expect(new Set(names).size, 'option names are unique').toBe(names.length);
    // one config field, one option that copies into it
    const fields = description.options.flatMap((o) => (o.config ? [o.config] : []));
    expect(new Set(fields).size, `config fields written twice: ${fields}`).toBe(fields.length);
    const resolved = resolvedDefaults(className);
    for (const option of description.options) {
      const where = option.name;
      expect(option.name, where).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      expect(option.help.length, where).toBeGreaterThan(3);
      expect(option.placeholder, where).toMatch(/^<[a-zA-Z]+>$/);
      if (option.type === 'choice') expect(option.choices?.length, where).toBeGreaterThan(1);
      else expect(option.range, where).toBeDefined();
      if (option.type === 'integer-list') expect(option.list, where).toBeDefined();
      // a default, words for it, or an option that only means something beside another one
      expect(option.default ?? option.defaultText ?? option.requires, `${where}: a default`).toBeDefined();
      if (option.requires) expect(names, where).toContain(option.requires.option);
      if (option.default === undefined) continue;
      expect(checkOptionValue(option, option.default), where).toBeUndefined();
      // giving an option its default changes nothing in the model's config
      const { config } = applyModelOptions(description, { [option.name]: option.default });
      for (const [field, value] of Object.entries(config)) {
        expect(resolved[field], `${where}: config.${field}`).toEqual(value);
      }
    }
    // the defaults together pass the model's own checks
    const defaults: Record<string, OptionValues[string]> = {};
    for (const option of description.options) {
      if (option.default !== undefined && !option.requires) defaults[option.name] = option.default;
    }
    expect(checkModelOptionValues(description, defaults)).toBeUndefined();
  });

  it('builds, saves and loads from its options alone (no tensor left)', async () => {
    const description = describedAs(className);
    const before = tf.memory().numTensors;
    const { config } = applyModelOptions(description, { latentDim: 2 });
    for (const option of description.options) {
      if (option.fromData === 'classes') config[option.config ?? option.name] = 3;
    }
    const Class = MODEL_REGISTRY[className as keyof typeof MODEL_REGISTRY] as unknown as new (
      config: object,
    ) => AnyModel;
    const model = new Class({ inputShape: [2, 2, 1], seed: 3, ...config });
    let artifacts: tf.io.ModelArtifacts | undefined;
    const handler: tf.io.IOHandler = {
      save: async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      },
      load: async () => artifacts as tf.io.ModelArtifacts,
    };
    await saveModel(model, handler);
    const loaded = await loadModel(handler);
    expect(loaded.className).toBe(className);
    expect(loaded.config).toEqual(model.config);
    for (const [name, variable] of Object.entries(model.variables)) {
      const other = loaded.variables[name];
      expect(other, name).toBeDefined();
      expect(await other.data(), name).toEqual(await variable.data());
    }
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors, 'tensors left').toBe(before);
  });

  it('gets a vae train --model name, one flag per option, and config-file keys', () => {
    const train = modelOptionsCommand();
    const flags = new Set(train.options.map((o) => o.long));
    const description = describedAs(className);
    expect(MODEL_CHOICES).toContain(description.name);
    expect(MODEL_NAMES[description.name]).toBe(className);
    const record: Record<string, unknown> = {};
    for (const option of description.options) {
      expect(flags, optionFlag(option.name)).toContain(optionFlag(option.name));
      if (option.default === undefined || option.requires) continue;
      record[option.name] = Array.isArray(option.default) ? option.default.join(',') : option.default;
    }
    // a config file with every default is read back to the same values, which the CLI accepts for the model
    const parsed = checkOptionValues(train, record, `--config ${description.name}.yaml`);
    for (const option of description.options) {
      if (record[option.name] !== undefined) expect(parsed.get(option.name)).toEqual(option.default);
    }
    expect(() => checkModelOptions({ model: description.name, ...Object.fromEntries(parsed) })).not.toThrow();
  });

  it('has a section in docs/models.md', () => {
    const written = existsSync(modelsDoc) ? readFileSync(modelsDoc, 'utf8') : '';
    const description = describedAs(className);
    expect(written).toContain(`## ${description.name}\n`);
    for (const option of description.options) expect(written).toContain(`\`${optionFlag(option.name)} `);
  });
});
