// vae train --model m2 --labelled n: semi-supervised training with n labels from the command line (the labels kept,
// the rest trained unlabelled, the setting saved with the run), and the flag refused for models that cannot use it.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, TINY, vae } from './helpers';

let work = '';
beforeAll(async () => {
  assertBuilt();
  work = await mkdtemp(join(tmpdir(), 'vae-labelled-'));
});

const SMALL = ['--latent-dim', '2', '--hidden', '16', '--seed', '3'];

describe('vae train --labelled', () => {
  it('trains M2 on every image with only n of them labelled (balanced per class), and saves the setting', async () => {
    const out = join(work, 'm2');
    const result = await vae(['train', '--model', 'm2', '--labelled', '20', ...TINY, ...SMALL, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/labels: 20 of 256 training images keep theirs/);
    expect(result.stderr).toMatch(/the other 236 train unlabelled/);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.options.labelled).toBe(20);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(Number.isFinite(metrics.epochs[0].testLoss)).toBe(true);
    // the classifier's test error, per epoch and at the end (1 - accuracy on the labelled test images)
    expect(metrics.epochs[0].testError).toBeGreaterThanOrEqual(0);
    expect(metrics.epochs[0].testError).toBeLessThanOrEqual(1);
    expect(metrics.final.testError).toBeGreaterThanOrEqual(0);
    expect(metrics.final.testError).toBeLessThanOrEqual(1);
    expect(result.stderr).toMatch(/test error \d+\.\d\d %/);
  });

  it('is a usage error (exit code 2) for a model that does not train on unlabelled examples', async () => {
    const result = await vae([
      'train',
      '--model',
      'vae',
      '--labelled',
      '20',
      ...TINY,
      '--out',
      join(work, 'vae'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--labelled .* --model m2/);
    const zero = await vae([
      'train',
      '--model',
      'm2',
      '--labelled',
      '0',
      ...TINY,
      '--out',
      join(work, 'zero'),
    ]);
    expect(zero.code).toBe(2);
  });
});
