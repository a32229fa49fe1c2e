// SIGKILL at random moments (during training, checkpoint writes and the final writes), then --resume: the checkpoint
// always loads, and the finished run is the same model, byte for byte, as a run that was never interrupted.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Random } from '@vae/core';
import { loadCheckpointFromDirectory } from '@vae/models/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, bin, vae } from './helpers';

let work = '';
beforeAll(async () => {
  assertBuilt();
  await tf.setBackend('cpu');
  work = await mkdtemp(join(tmpdir(), 'vae-kill-'));
});

const RUN = [
  '--epochs',
  '6',
  '--limit',
  '512',
  '--test-limit',
  '64',
  '--latent-dim',
  '4',
  '--hidden',
  '32',
  '--batch-size',
  '16',
  '--seed',
  '3',
  '--backend',
  'wasm',
  '--quiet',
];

/** Runs `vae <args>` and SIGKILLs it after `ms` milliseconds (if it is still running). */
function killAfter(args: string[], ms: number): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: tmpdir(), stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe('vae train survives SIGKILL', () => {
  it('at random moments, a checkpoint always loads and the resumed run equals an uninterrupted one exactly', async () => {
    const whole = join(work, 'whole');
    const started = performance.now();
    const uninterrupted = await vae(['train', ...RUN, '--out', whole]);
    const duration = performance.now() - started;
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);

    const cut = join(work, 'cut');
    const random = new Random(11);
    let kills = 0;
    let checkpoints = 0;
    for (let attempt = 0; attempt < 20 && kills < 8; attempt++) {
      const resume = existsSync(join(cut, 'checkpoint', 'checkpoint.json'));
      const args = resume ? ['train', '--resume', cut, '--quiet'] : ['train', ...RUN, '--out', cut];
      // Anywhere from the start-up to past the end of a whole run.
      const result = await killAfter(args, 300 + random.next() * duration);
      if (result.signal === 'SIGKILL') kills += 1;
      else expect(result.code).toBe(0);
      if (existsSync(join(cut, 'checkpoint', 'checkpoint.json'))) {
        const loaded = await loadCheckpointFromDirectory(join(cut, 'checkpoint'));
        expect(loaded).not.toBeNull();
        loaded?.checkpoint.dispose();
        loaded?.model.dispose();
        checkpoints += 1;
      }
      if (result.code === 0) break;
    }
    console.log(
      `kill test: whole run ${Math.round(duration)} ms, ${kills} kills, ${checkpoints} checkpoints loaded`,
    );
    expect(kills).toBeGreaterThan(0);
    if (!existsSync(join(cut, 'model', 'model.json')) || !existsSync(join(cut, 'metrics.json'))) {
      const resume = existsSync(join(cut, 'checkpoint', 'checkpoint.json'));
      const last = await vae(
        resume ? ['train', '--resume', cut, '--quiet'] : ['train', ...RUN, '--out', cut],
      );
      expect(last.code, last.stderr).toBe(0);
    }
    expect(checkpoints).toBeGreaterThan(1);
    expect(await readFile(join(cut, 'model', 'weights.bin'))).toEqual(
      await readFile(join(whole, 'model', 'weights.bin')),
    );
    const a = JSON.parse(await readFile(join(whole, 'metrics.json'), 'utf8'));
    const b = JSON.parse(await readFile(join(cut, 'metrics.json'), 'utf8'));
    for (const key of ['testLoss', 'testReconstruction', 'testKl', 'trainLoss']) {
      expect(b.final[key], key).toBe(a.final[key]);
    }
  });
});
