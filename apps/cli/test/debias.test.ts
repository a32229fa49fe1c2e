// `vae debias` end to end: a child process on a tiny biased set, its files, and its usage errors.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng } from '@vae/viz';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, vae } from './helpers';

let work = '';
beforeAll(async () => {
  assertBuilt();
  work = await mkdtemp(join(tmpdir(), 'vae-debias-'));
});

const SMALL = [
  '--train-size',
  '240',
  '--test-size',
  '40',
  '--image-size',
  '16',
  '--rare-fraction',
  '0.1',
  '--epochs',
  '2',
  '--hidden',
  '16',
  '--latent-dim',
  '3',
  '--batch-size',
  '32',
  '--top',
  '8',
  '--backend',
  'wasm',
];

describe('vae debias', () => {
  it('trains with and without debiasing and writes subgroup accuracy, the upweighted grid and a report', async () => {
    const out = join(work, 'run');
    const run = await vae(['debias', ...SMALL, '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    for (const variant of ['biased', 'debiased']) {
      const summary = result[variant];
      expect(Object.keys(summary.groups)).toEqual([
        'heart',
        'heart (inverted)',
        'not heart',
        'not heart (inverted)',
      ]);
      const accuracies = Object.values(summary.groups) as number[];
      expect(summary.worstAccuracy).toBe(Math.min(...accuracies));
      expect(summary.gap).toBeCloseTo(Math.max(...accuracies) - Math.min(...accuracies), 3);
    }
    expect(result.data).toMatchObject({ trainSize: 240, testSize: 40, rareTrainingPositives: 12, seed: 1 });
    expect(result.training.epochs).toBe(2);
    expect(result.upweighted.count).toBe(8);
    expect(result.upweighted.indices).toHaveLength(8);
    expect(result.upweighted.rareExampleShare).toBeCloseTo(0.1, 3);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.epochs.biased).toHaveLength(2);
    expect(metrics.epochs.debiased).toHaveLength(2);
    // the same number of steps with and without resampling (equal budget)
    expect(metrics.epochs.debiased[1].step).toBe(metrics.epochs.biased[1].step);
    const png = decodePng(await readFile(join(out, 'upweighted.png')));
    expect(png.width).toBeGreaterThan(8 * 16);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Test accuracy per subgroup');
    expect(html).toContain('data:image/png;base64,');
    const saved = JSON.parse(await readFile(join(out, 'debiased', 'model.json'), 'utf8'));
    expect(JSON.stringify(saved)).toContain('DBVAE');
    // the same folder can be written again
    const again = await vae(['debias', ...SMALL, '--epochs', '1', '--out', out, '--quiet']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('refuses bad flags and a foreign --out with exit code 2', async () => {
    const bad = await vae(['debias', '--rare-fraction', '1', '--out', join(work, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--rare-fraction must be a number > 0 and < 1/);
    await writeFile(join(work, 'note.txt'), 'mine');
    const refused = await vae(['debias', ...SMALL, '--out', work]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/did not write/);
  });
});
