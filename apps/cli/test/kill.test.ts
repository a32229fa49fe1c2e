// SIGKILL at random moments (during training, checkpoint writes and the final writes), then --resume: the checkpoint
// always loads, and the finished run is the same model, byte for byte, as a run that was never interrupted.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
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

/** The modification time of the run's checkpoint.json (0 when there is none yet). */
function checkpointTime(run: string): number {
  try {
    return statSync(join(run, 'checkpoint', 'checkpoint.json')).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Runs `vae <args>` and SIGKILLs it at a random moment: either `ms` after the start, or (`afterCheckpoint`) `ms`
 * after it has committed a checkpoint newer than the one it started from, so that a loaded machine still makes
 * progress between kills. Resolves when the process is gone.
 */
function killAt(
  args: string[],
  run: string,
  ms: number,
  afterCheckpoint: boolean,
): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: tmpdir(), stdio: 'ignore' });
    const start = checkpointTime(run);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    if (afterCheckpoint) {
      poll = setInterval(() => {
        if (checkpointTime(run) !== start) {
          clearInterval(poll);
          timer = setTimeout(() => child.kill('SIGKILL'), ms);
        }
      }, 5);
    } else {
      timer = setTimeout(() => child.kill('SIGKILL'), ms);
    }
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
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
      // Every other kill at any moment from the start-up on (possibly before any checkpoint); the others at a
      // random moment within about an epoch after a new checkpoint was committed (training, the next checkpoint
      // write or the final writes).
      const afterCheckpoint = attempt % 2 === 1;
      const ms = afterCheckpoint ? random.next() * (duration / 4) : random.next() * duration;
      const result = await killAt(args, cut, ms, afterCheckpoint);
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
    expect(checkpoints).toBeGreaterThan(0);
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
