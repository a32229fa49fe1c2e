// vae train --workers: data-parallel training in worker threads from the command line (seeded runs identical,
// Ctrl-C then --resume with workers, a bad count refused).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, interruptWhen, vae } from './helpers';

let work = '';
beforeAll(async () => {
  assertBuilt();
  work = await mkdtemp(join(tmpdir(), 'vae-workers-'));
});

const RUN = [
  '--limit',
  '256',
  '--test-limit',
  '64',
  '--latent-dim',
  '4',
  '--hidden',
  '32',
  '--batch-size',
  '32',
  '--seed',
  '5',
  '--backend',
  'wasm',
  '--workers',
  '2',
];

/** The bytes of the saved model's weights. */
const savedWeights = async (run: string) => {
  const json = JSON.parse(await readFile(join(run, 'model', 'model.json'), 'utf8'));
  return readFile(join(run, 'model', json.weightsManifest[0].paths[0]));
};

describe('vae train --workers', () => {
  it('trains with 2 worker threads; the same seed gives the same model byte for byte', async () => {
    const runs = [join(work, 'a'), join(work, 'b')];
    for (const out of runs) {
      const result = await vae(['train', ...RUN, '--epochs', '1', '--quiet', '--out', out]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const metrics = JSON.parse(await readFile(join(runs[0], 'metrics.json'), 'utf8'));
    expect(Number.isFinite(metrics.epochs[0].testLoss)).toBe(true);
    expect((await savedWeights(runs[0])).equals(await savedWeights(runs[1]))).toBe(true);
    // workers shape how the run is computed, not what it is: not saved with the run's options
    const config = JSON.parse(await readFile(join(runs[0], 'config.json'), 'utf8'));
    expect(config.options.workers).toBeUndefined();
  });

  it('stops on Ctrl-C with a checkpoint, and --resume continues with workers', async () => {
    const out = join(work, 'interrupted');
    const interrupted = await interruptWhen(
      ['train', ...RUN, '--epochs', '3', '--out', out],
      /^epoch 1\/3:/m,
    );
    expect(interrupted.stderr).toMatch(/interrupted after \d full epochs?: checkpoint saved/);
    expect(interrupted.code).toBe(130);
    const resumed = await vae(['train', '--resume', out, '--workers', '2', '--quiet']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2, 3]);
  });

  it('refuses workers for a model whose objective couples the batch (exit 2, the reason and the fix)', async () => {
    const result = await vae([
      'train',
      ...RUN,
      '--model',
      'info-vae',
      '--epochs',
      '1',
      '--out',
      join(work, 'mmd'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--workers: info-vae cannot train with workers: its MMD term .* Drop --workers/,
    );
  });

  it('refuses a bad worker count naming the flag', async () => {
    const result = await vae(['train', '--workers', '0', '--out', join(work, 'bad')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--workers/);
  });
});
