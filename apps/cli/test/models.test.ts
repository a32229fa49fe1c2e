// Every model of @vae/models through the CLI: train, then evaluate, on tiny real data.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DATASET_NAMES } from '@vae/data';
import { MODEL_REGISTRY } from '@vae/models';
import { MODEL_DESCRIPTIONS, optionFlag } from '@vae/models/options';
import { decodePng } from '@vae/viz';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_DATASETS, MODEL_CHOICES, MODEL_NAMES } from '../src/choices';
import { assertBuilt, bin, TINY, vae } from './helpers';

let work = '';
beforeAll(async () => {
  assertBuilt();
  work = await mkdtemp(join(tmpdir(), 'vae-models-'));
});

/** Small networks and each model's own option, so that every option reaches its model. */
const CASES: Record<string, string[]> = {
  autoencoder: ['--latent-dim', '8', '--weight-decay', '0.001'],
  'linear-autoencoder': ['--latent-dim', '4'],
  'tied-autoencoder': ['--latent-dim', '8', '--hidden', '32'],
  'sparse-autoencoder': ['--latent-dim', '32', '--sparsity-target', '0.1', '--sparsity-weight', '0.5'],
  'denoising-autoencoder': ['--latent-dim', '16', '--noise', 'masking', '--noise-level', '0.5'],
  'contractive-autoencoder': ['--latent-dim', '16', '--contractive-weight', '0.2'],
  vae: ['--latent-dim', '3', '--hidden', '32', '--kl-schedule', 'linear', '--kl-steps', '4'],
  'beta-vae': ['--latent-dim', '3', '--hidden', '32', '--beta', '4', '--decoder', 'gaussian-learned'],
  'conditional-vae': ['--latent-dim', '3', '--hidden', '32', '--num-classes', '10'],
  iwae: ['--latent-dim', '3', '--hidden', '32', '--k', '3'],
  'db-vae': ['--latent-dim', '3', '--hidden', '32', '--positive-class', '1', '--classifier-weight', '10'],
  'prior-vae': ['--latent-dim', '3', '--hidden', '32', '--prior', 'mixture', '--components', '4'],
  vqvae: [
    '--hidden',
    '32',
    '--positions',
    '4',
    '--embedding-dim',
    '2',
    '--codebook-size',
    '8',
    '--codebook-update',
    'ema',
  ],
  'beta-tcvae': ['--latent-dim', '3', '--hidden', '32', '--tc-weight', '6'],
  'dip-vae': ['--latent-dim', '3', '--hidden', '32', '--dip-type', 'ii', '--lambda-off-diagonal', '5'],
  'factor-vae': ['--latent-dim', '3', '--hidden', '32', '--gamma', '10', '--discriminator-hidden', '16,16'],
  'info-vae': ['--latent-dim', '3', '--hidden', '32', '--mmd-lambda', '50'],
  m2: ['--latent-dim', '3', '--hidden', '32', '--classifier-hidden', '16'],
};

const probabilistic = new Set([
  'vae',
  'beta-vae',
  'conditional-vae',
  'iwae',
  'prior-vae',
  'db-vae',
  'beta-tcvae',
  'dip-vae',
  'factor-vae',
  'info-vae',
  'm2',
]);

describe('vae train --model', () => {
  it('offers exactly the models of the registry, and the data sets of @vae/data plus dSprites', () => {
    expect(Object.values(MODEL_NAMES).sort()).toEqual(Object.keys(MODEL_REGISTRY).sort());
    expect(Object.keys(CASES).sort()).toEqual([...MODEL_CHOICES].sort());
    expect([...CLI_DATASETS]).toEqual([...DATASET_NAMES, 'dsprites']);
  });

  for (const [model, extra] of Object.entries(CASES)) {
    it.concurrent(`trains ${model}, saves its config, and evaluates it`, async () => {
      const out = join(work, model);
      const trained = await vae(['train', '--model', model, ...TINY, ...extra, '--out', out, '--json']);
      expect(trained.code, trained.stderr).toBe(0);
      const final = JSON.parse(trained.stdout);
      expect(final.model).toBe(model);
      expect(Number.isFinite(final.testLoss)).toBe(true);
      const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
      expect(config.modelClass).toBe(MODEL_NAMES[model as keyof typeof MODEL_NAMES]);
      expect(config.options.model).toBe(model);
      // the flags reached the model's config under its own field names
      const fields: Record<string, Record<string, unknown>> = {
        'sparse-autoencoder': { rho: 0.1, sparsityWeight: 0.5 },
        'denoising-autoencoder': { noise: 'masking', noiseLevel: 0.5 },
        'contractive-autoencoder': { contractiveWeight: 0.2 },
        'beta-vae': { beta: 4, likelihood: 'gaussian', variance: 'learned' },
        iwae: { importanceSamples: 3 },
        'db-vae': { positiveClass: 1, classifierWeight: 10 },
        'beta-tcvae': { beta: 6 },
        'dip-vae': { dipType: 'ii', lambdaOffDiagonal: 5 },
        'factor-vae': { gamma: 10, discriminatorUnits: [16, 16] },
        'info-vae': { lambda: 50 },
        m2: { classifierHiddenUnits: [16], numClasses: 10 },
        autoencoder: { weightDecay: 0.001 },
      };
      expect(config.modelConfig).toMatchObject(fields[model] ?? {});
      if (model === 'vae')
        expect(config.klSchedule).toEqual({ kind: 'linear', from: 0, to: 1, steps: 4, delay: 0 });

      const evaluated = await vae([
        'eval',
        '--model',
        out,
        '--limit',
        '32',
        '--k',
        '2',
        '--backend',
        'wasm',
        '--json',
      ]);
      expect(evaluated.code, evaluated.stderr).toBe(0);
      const result = JSON.parse(evaluated.stdout);
      expect(result).toMatchObject({ model, examples: 32 });
      const numbers = probabilistic.has(model)
        ? ['negativeElbo', 'reconstruction', 'kl', 'logLikelihood', 'reconstructionMsePerPixel']
        : ['loss', 'reconstruction', 'regularizer', 'reconstructionMsePerPixel'];
      for (const key of numbers) expect(Number.isFinite(result[key]), `${model} ${key}`).toBe(true);
      if (probabilistic.has(model)) {
        expect(result.reconstruction + result.kl).toBeCloseTo(result.negativeElbo, 2);
        expect(result).not.toHaveProperty('loss');
      } else expect(result).not.toHaveProperty('negativeElbo'); // no ELBO for a deterministic autoencoder
    });
  }
});

describe('model options', () => {
  it('come from the models’ descriptions: --help lists every option, and parsing flags loads no tfjs', async () => {
    // a module hook that reports every tfjs module resolved in the child process
    const hook = join(work, 'report-tfjs.mjs');
    const register = join(work, 'register.mjs');
    await writeFile(
      hook,
      'export async function resolve(specifier, context, next) {\n' +
        '  const result = await next(specifier, context);\n' +
        "  if (/tfjs/.test(result.url)) process.stderr.write('LOADED ' + result.url + '\\n');\n" +
        '  return result;\n}\n',
    );
    await writeFile(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`,
    );
    const env = { NODE_OPTIONS: `--import ${pathToFileURL(register).href}` };
    const help = await vae(['train', '--help'], { env });
    expect(help.code).toBe(0);
    for (const description of Object.values(MODEL_DESCRIPTIONS)) {
      for (const option of description.options) expect(help.stdout).toContain(`${optionFlag(option.name)} `);
    }
    expect(help.stderr).not.toMatch(/LOADED/);
    const misapplied = await vae(['train', '--model', 'autoencoder', '--kl-schedule', 'linear'], { env });
    expect(misapplied.code).toBe(2);
    expect(misapplied.stderr).toMatch(/--kl-schedule does not apply to --model autoencoder/);
    expect(misapplied.stderr).not.toMatch(/LOADED/);
    // the hook works: a command that reads a model loads tfjs
    const loading = await vae(['eval', '--model', join(work, 'missing')], { env });
    expect(loading.stderr).toMatch(/LOADED .*tfjs-core/);
  });

  it('refuses options of another model in one line with exit code 2, from flags and from config files', async () => {
    const beta = await vae(['train', '--model', 'autoencoder', '--beta', '4']);
    expect(beta.code).toBe(2);
    expect(beta.stderr.trim().split('\n')).toHaveLength(1);
    expect(beta.stderr).toMatch(/--beta does not apply to --model autoencoder; it applies to vae, beta-vae/);
    const noise = await vae(['train', '--model', 'vae', '--noise', 'gaussian']);
    expect(noise.code).toBe(2);
    expect(noise.stderr).toMatch(
      /--noise does not apply to --model vae; it applies to denoising-autoencoder/,
    );
    const schedule = await vae(['train', '--kl-steps', '100']);
    expect(schedule.stderr).toMatch(/add --kl-schedule linear, cyclical or cosine/);
    const level = await vae(['train', '--model', 'denoising-autoencoder', '--noise-level', '1.5', ...TINY]);
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(/noiseLevel must be q in \[0, 1\) for masking noise/);
    // webgpu in Node needs optional packages: without them, one line naming what to install
    let haveWebgpu = true;
    try {
      createRequire(bin).resolve('webgpu');
    } catch {
      haveWebgpu = false;
    }
    if (!haveWebgpu) {
      const webgpu = await vae([
        'train',
        '--backend',
        'webgpu',
        ...TINY.slice(0, 4),
        '--out',
        join(work, 'gpu'),
      ]);
      expect(webgpu.code).toBe(1);
      expect(webgpu.stderr.trim().split('\n')).toHaveLength(1);
      expect(webgpu.stderr).toMatch(
        /backend 'webgpu' needs the npm package webgpu; install it \(npm i webgpu/,
      );
    }
    const unknown = await vae(['train', '--model', 'pca']);
    expect(unknown.stderr).toMatch(/Allowed choices are autoencoder, linear-autoencoder/);
  });

  it('commands that need a prior say so for an autoencoder; the others work on it', async () => {
    const run = join(work, 'ae-commands');
    const trained = await vae([
      'train',
      '--model',
      'autoencoder',
      '--latent-dim',
      '4',
      ...TINY,
      '--out',
      run,
      '--quiet',
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    for (const command of ['sample', 'manifold']) {
      const refused = await vae([command, '--model', run, '--out', join(work, 'x.png')]);
      expect(refused.code).toBe(2); // a model unfit for the command: bad usage
      expect(refused.stderr).toMatch(
        /needs a generative model .*; the model is an autoencoder \(deterministic/,
      );
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    }
    const strip = join(work, 'ae-strip.png');
    expect((await vae(['interpolate', '--model', run, '--steps', '5', '--out', strip])).code).toBe(0);
    expect(decodePng(new Uint8Array(await readFile(strip))).width).toBeGreaterThanOrEqual(5 * 28);
    const codes = join(work, 'ae-codes.json');
    expect((await vae(['embed', '--model', run, '--limit', '3', '--out', codes])).code).toBe(0);
    const parsed = JSON.parse(await readFile(codes, 'utf8'));
    expect(parsed).toMatchObject({ latentDim: 4, probabilistic: false });
    expect(parsed.records[0]).not.toHaveProperty('logVar');
    const scored = await vae([
      'anomaly',
      '--model',
      run,
      '--normal',
      '1',
      '--limit',
      '500',
      '--test-limit',
      '100',
      '--out',
      join(work, 'ae-anomaly'),
      '--json',
    ]);
    expect(scored.code, scored.stderr).toBe(0);
    expect(JSON.parse(scored.stdout)).toMatchObject({ model: 'autoencoder', score: 'reconstruction error' });
  });
});
