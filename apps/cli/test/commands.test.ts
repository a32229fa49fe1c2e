// Every command run as a user would: a child process, real files, small real data.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodePng } from '@vae/viz';
import { beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

async function vae(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      cwd: tmpdir(),
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let run = '';
let work = '';

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error('apps/cli is not built: run `pnpm build` first.');
  work = await mkdtemp(join(tmpdir(), 'vae-commands-'));
  run = join(work, 'run');
  const trained = await vae([
    'train',
    ...['--epochs', '2', '--limit', '1500', '--test-limit', '200', '--latent-dim', '4', '--hidden', '128'],
    ...['--backend', 'wasm', '--out', run, '--quiet'],
  ]);
  expect(trained.code, trained.stderr).toBe(0);
});

describe('vae commands on a trained model', () => {
  it('eval prints the ELBO, an importance-sampled log p(x) above it, and active units', async () => {
    const result = await vae([
      'eval',
      '--model',
      run,
      '--limit',
      '200',
      '--k',
      '20',
      '--json',
      '--backend',
      'wasm',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const metrics = JSON.parse(result.stdout);
    expect(metrics).toMatchObject({ dataset: 'mnist', split: 'test', examples: 200, latentDim: 4 });
    expect(metrics.reconstruction + metrics.kl).toBeCloseTo(metrics.negativeElbo, 2);
    // the importance-weighted bound is at least the ELBO (up to sampling noise)
    expect(metrics.logLikelihood).toBeGreaterThan(-metrics.negativeElbo - 1);
    expect(metrics.activeUnits).toBeGreaterThanOrEqual(1);
    const table = await vae(['eval', '--model', join(run, 'model'), '--limit', '100', '--k', '5']);
    expect(table.stdout).toMatch(/negative ELBO \(nats\/image\)\s+\d+\.\d\d/);
    expect(table.stdout).toMatch(/active units\s+\d of 4/);
  });

  it('sample writes a square PNG grid; reconstruct writes originals above reconstructions', async () => {
    const samples = join(work, 'samples.png');
    expect((await vae(['sample', '--model', run, '-n', '9', '--out', samples])).code).toBe(0);
    const grid = decodePng(new Uint8Array(await readFile(samples)));
    expect(grid.width).toBe(grid.height);
    // --zoom auto by default: 28-pixel digits drawn 3x (84 pixels), padding included
    expect(grid.width).toBe(3 * (3 * 28 + 4 * 2));
    const small = join(work, 'samples-1x.png');
    expect((await vae(['sample', '--model', run, '-n', '9', '--zoom', '1', '--out', small])).code).toBe(0);
    expect(decodePng(new Uint8Array(await readFile(small))).width).toBe(3 * 28 + 4 * 2);
    const bad = await vae(['sample', '--model', run, '--zoom', '9', '--out', small, '--force']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--zoom/);
    const recon = join(work, 'recon.png');
    expect((await vae(['reconstruct', '--model', run, '-n', '5', '--out', recon])).code).toBe(0);
    const image = decodePng(new Uint8Array(await readFile(recon)));
    expect(image.width).toBeGreaterThanOrEqual(5 * 28);
    expect(image.height).toBeGreaterThanOrEqual(2 * 28);
  });

  it('embed writes one row of codes per image with its label, as CSV or JSON', async () => {
    const csv = join(work, 'codes.csv');
    expect((await vae(['embed', '--model', run, '--limit', '10', '--out', csv])).code).toBe(0);
    const lines = (await readFile(csv, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('index,label,z0,z1,z2,z3');
    expect(lines).toHaveLength(11);
    expect(lines[1].split(',')[1]).toBe('7'); // the first MNIST test digit
    const json = join(work, 'codes.json');
    expect((await vae(['embed', '--model', run, '--limit', '3', '--out', json])).code).toBe(0);
    const parsed = JSON.parse(await readFile(json, 'utf8'));
    expect(parsed.records).toHaveLength(3);
    expect(parsed.records[0].mean).toHaveLength(4);
  });

  it('train --config reads JSON or YAML, lets flags win, and repeats a run from its config.json', async () => {
    const yaml = join(work, 'run.yaml');
    await writeFile(yaml, 'epochs: 1\nlimit: 256\ntest-limit: 64\nlatent-dim: 3\nbackend: wasm\n');
    const out = join(work, 'from-yaml');
    const first = await vae(['train', '--config', yaml, '--latent-dim', '2', '--out', out, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.options).toMatchObject({
      epochs: 1,
      limit: 256,
      testLimit: 64,
      latentDim: 2,
      backend: 'wasm',
    });
    const again = join(work, 'again');
    const second = await vae(['train', '--config', join(out, 'config.json'), '--out', again, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).testLoss).toBe(JSON.parse(first.stdout).testLoss);
  });

  it('rejects a bad config file and a missing model in one line with the fix', async () => {
    const bad = join(work, 'bad.json');
    await writeFile(bad, '{"epoch": 3}');
    const config = await vae(['train', '--config', bad]);
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/unknown option 'epoch'; known: .*epochs/);
    const value = join(work, 'value.json');
    await writeFile(value, '{"epochs": "many"}');
    expect((await vae(['train', '--config', value])).stderr).toMatch(/epochs: --epochs must be an integer/);
    const missing = await vae(['eval', '--model', join(work, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/no trained model at .*nope; pass the --out directory/);
  });
});

describe('vae latent figures', () => {
  it('manifold, interpolate and traverse write grids of the expected size', async () => {
    const manifold = join(work, 'manifold.png');
    expect(
      (await vae(['manifold', '--model', run, '--steps', '5', '--dimensions', '1,3', '--out', manifold]))
        .code,
    ).toBe(0);
    const grid = decodePng(new Uint8Array(await readFile(manifold)));
    // --zoom auto: 3x for 28-pixel digits, no padding in a manifold
    expect(grid.width).toBe(3 * 5 * 28);
    expect(grid.height).toBe(3 * 5 * 28);
    const strip = join(work, 'strip.png');
    const interpolate = await vae([
      'interpolate',
      '--model',
      run,
      '--from',
      '0',
      '--to',
      '3',
      '--steps',
      '6',
      '--spherical',
      '--out',
      strip,
    ]);
    expect(interpolate.code, interpolate.stderr).toBe(0);
    const image = decodePng(new Uint8Array(await readFile(strip)));
    expect(image.width).toBeGreaterThanOrEqual(3 * 6 * 28);
    expect(image.height).toBeLessThan(3 * 2 * 28);
    const traversal = join(work, 'traversal.png');
    const traverse = await vae([
      'traverse',
      '--model',
      run,
      '--index',
      '2',
      '--dimensions',
      '0,2',
      '--steps',
      '5',
      '--out',
      traversal,
    ]);
    expect(traverse.code, traverse.stderr).toBe(0);
    const rows = decodePng(new Uint8Array(await readFile(traversal)));
    expect(rows.height).toBeGreaterThanOrEqual(3 * 2 * 28);
    expect(rows.height).toBeLessThan(3 * (3 * 28 + 40));
    const bad = await vae(['traverse', '--model', run, '--dimensions', '7']);
    expect(bad.code).toBe(2); // a dimension the model does not have: bad usage
    expect(bad.stderr).toMatch(/--dimensions 7 is not a latent dimension \(0 to 3\)/);
  });

  it('the training report includes the latent scatter and traversals', async () => {
    const html = await readFile(join(run, 'report.html'), 'utf8');
    expect(html).toContain('Latent space');
    expect(html).toMatch(/data-label="7"/);
    expect(existsSync(join(run, 'traversal.png'))).toBe(true);
  });
});

describe('vae anomaly', () => {
  it('trains on the normal classes and reports AUROC for the held-out ones, with the ROC and histograms', async () => {
    const out = join(work, 'anomaly');
    const result = await vae([
      'anomaly',
      ...['--normal', '1', '--epochs', '5', '--limit', '4000', '--test-limit', '600', '--hidden', '128'],
      ...['--latent-dim', '4', '--samples', '2', '--backend', 'wasm', '--out', out, '--json'],
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.trainImages).toBeGreaterThan(300); // the ones among the first 4000
    expect(report.anomalies).toBeGreaterThan(400);
    // a model of ones alone finds every other digit unusual: far better than chance
    expect(report.auroc).toBeGreaterThan(0.9);
    expect(report.operatingPoint.falsePositiveRate).toBeLessThanOrEqual(0.05);
    expect(await readFile(join(out, 'roc.svg'), 'utf8')).toMatch(/<svg/);
    expect(await readFile(join(out, 'scores.svg'), 'utf8')).toMatch(/class="threshold"/);
    const bad = await vae(['anomaly', '--normal', '0,1,2,3,4,5,6,7,8,9', '--out', join(work, 'x')]);
    expect(bad.stderr).toMatch(/leave at least one out/);
  });
});

describe('vae on dSprites', () => {
  it('trains on the procedural sprites and scores disentanglement with the five metrics', async () => {
    const out = join(work, 'sprites');
    const trained = await vae([
      'train',
      ...[
        '--dataset',
        'dsprites',
        '--limit',
        '1500',
        '--test-limit',
        '200',
        '--latent-dim',
        '4',
        '--hidden',
        '64',
      ],
      ...['--epochs', '1', '--beta', '4', '--backend', 'wasm', '--out', out, '--quiet'],
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.modelConfig.inputShape).toEqual([64, 64, 1]);
    const scores = await vae([
      'disentangle',
      '--model',
      out,
      '--scale',
      '0.02',
      '--json',
      '--backend',
      'wasm',
    ]);
    expect(scores.code, scores.stderr).toBe(0);
    const result = JSON.parse(scores.stdout);
    for (const value of [
      result.betaVae,
      result.factorVae,
      result.mig,
      result.sap,
      result.dci.disentanglement,
      result.dci.completeness,
    ]) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    expect(result.dci.informativeness).toBeLessThanOrEqual(1);
    expect(Object.keys(result.migPerFactor)).toEqual(['shape', 'scale', 'orientation', 'posX', 'posY']);
    const wrong = await vae(['disentangle', '--model', run]);
    expect(wrong.stderr).toMatch(/not dSprites' 64x64; train one with --dataset dsprites/);
  });
});

describe('vae datasets', () => {
  it('lists the known data sets and verifies local MNIST', async () => {
    const list = await vae(['datasets', '--json']);
    const names = JSON.parse(list.stdout).datasets.map((d: { name: string }) => d.name);
    expect(names).toEqual(expect.arrayContaining(['mnist', 'fashion-mnist']));
    const verify = await vae(['datasets', 'verify', 'mnist']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/mnist\/test: ok, 10000 examples, checksums verified/);
  });
});
