// Checkpoints, Ctrl-C and --resume; the report of a saved run; export in the demo's format.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { VAE } from '@vae/models';
import { loadModelFromDirectory } from '@vae/models/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, interruptWhen, vae } from './helpers';

let work = '';
beforeAll(async () => {
  assertBuilt();
  await tf.setBackend('cpu');
  work = await mkdtemp(join(tmpdir(), 'vae-resume-'));
});

const RUN = ['--epochs', '3', '--limit', '512', '--test-limit', '100', '--latent-dim', '4', '--hidden', '64'];
const COMMON = [...RUN, '--batch-size', '32', '--seed', '7', '--backend', 'wasm'];

const interruptAfterFirstEpoch = (args: string[]) => interruptWhen(args, /^epoch 1\/3:/m);

describe('vae train checkpoints', () => {
  it('Ctrl-C saves a checkpoint and says how to resume; --resume ends where an uninterrupted run does', async () => {
    const whole = join(work, 'whole');
    const cut = join(work, 'cut');
    const [uninterrupted, interrupted] = await Promise.all([
      vae(['train', ...COMMON, '--out', whole, '--quiet']),
      interruptAfterFirstEpoch(['train', ...COMMON, '--out', cut]),
    ]);
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
    expect(existsSync(join(whole, 'checkpoint', 'checkpoint.json'))).toBe(true);
    expect(interrupted.code, interrupted.stderr).toBe(130);
    const last = interrupted.stderr.trim().split('\n').pop() as string;
    expect(last).toMatch(
      /^interrupted after \d full epochs?: checkpoint saved in .*cut\/checkpoint; resume with: vae train --resume .*cut$/,
    );
    expect(existsSync(join(cut, 'model'))).toBe(false); // stopped before the end: no final model yet
    const partial = JSON.parse(await readFile(join(cut, 'metrics.json'), 'utf8'));
    expect(partial.final).toBeUndefined();
    expect(partial.epochs.length).toBeGreaterThanOrEqual(1);

    const changed = await vae(['train', '--resume', cut, '--lr', '0.1']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/--lr cannot change/);
    const resumed = await vae(['train', '--resume', '--out', cut, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const a = JSON.parse(await readFile(join(whole, 'metrics.json'), 'utf8'));
    const b = JSON.parse(await readFile(join(cut, 'metrics.json'), 'utf8'));
    expect(b.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2, 3]);
    for (const key of ['testLoss', 'testReconstruction', 'testKl', 'trainLoss']) {
      expect(b.final[key], key).toBeCloseTo(a.final[key], 3);
    }
    for (let i = 0; i < 3; i++) expect(b.epochs[i].testLoss).toBeCloseTo(a.epochs[i].testLoss, 3);
    const missing = await vae(['train', '--resume', join(work, 'nothing')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no run to resume in .*nothing/);
  });

  it('report regenerates report.html from a saved run; export writes float16 weights the loader reads', async () => {
    const run = join(work, 'whole');
    const html = join(work, 'again.html');
    const report = await vae(['report', run, '--out', html, '--backend', 'wasm']);
    expect(report.code, report.stderr).toBe(0);
    const text = await readFile(html, 'utf8');
    const metrics = JSON.parse(await readFile(join(run, 'metrics.json'), 'utf8'));
    expect(text).toContain('data:image/png;base64,');
    expect(text).toContain(String(metrics.final.testLoss).slice(0, 5));
    expect(text).toContain('Latent space');

    const out = join(work, 'exported');
    const exported = await vae([
      'export',
      run,
      '--out',
      out,
      '--float16',
      '--codes',
      '20',
      '--backend',
      'wasm',
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect(
      json.weightsManifest[0].weights.every(
        (w: { quantization?: { dtype: string } }) => w.quantization?.dtype === 'float16',
      ),
    ).toBe(true);
    const full = (await readFile(join(run, 'model', 'weights.bin'))).byteLength;
    expect((await readFile(join(out, 'weights.bin'))).byteLength).toBe(full / 2);
    expect(JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')).final.testLoss).toBe(
      metrics.final.testLoss,
    );
    const codes = JSON.parse(await readFile(join(out, 'codes.json'), 'utf8'));
    expect(codes).toMatchObject({ latentDim: 4, count: 20 });
    expect(codes.means).toHaveLength(80);
    expect(codes.sigmas).toHaveLength(80);
    expect(codes.labels[0]).toBe(7);

    // the float16 model decodes like the original, up to half precision
    const original = (await loadModelFromDirectory(join(run, 'model'))) as VAE;
    const half = (await loadModelFromDirectory(out)) as VAE;
    const z = tf.randomNormal([8, 4], 0, 1, 'float32', 3);
    const [x1, x2] = [original.decode(z), half.decode(z)];
    const difference = tf.max(tf.abs(tf.sub(x1, x2)));
    const value = (await difference.data())[0];
    expect(value).toBeGreaterThan(0);
    expect(value).toBeLessThan(1e-2);
    tf.dispose([z, x1, x2, difference]);
    original.dispose();
    half.dispose();
  });
});
