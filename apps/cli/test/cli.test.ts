import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadMnist } from '@vae/data/node';
import type { VAE } from '@vae/models';
import { loadModelFromDirectory } from '@vae/models/node';
import { decodePng } from '@vae/viz';
import { beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const cliDir = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function vae(args: string[]): Promise<Run> {
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

describe('vae train', () => {
  beforeAll(async () => {
    if (!existsSync(bin)) throw new Error('apps/cli is not built: run `pnpm build` first.');
    await tf.setBackend('cpu');
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`trains on real MNIST on ${backend} and writes the model, metrics, figures and report`, async () => {
      const out = await mkdtemp(join(tmpdir(), `vae-cli-${backend}-`));
      const limit = backend === 'cpu' ? 256 : 1024;
      const run = await vae([
        'train',
        ...['--epochs', '2', '--limit', String(limit), '--test-limit', '200', '--batch-size', '64'],
        ...['--backend', backend, '--seed', '3', '--out', out, '--json'],
      ]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const final = JSON.parse(run.stdout);
      expect(final.out).toBe(out);
      const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
      expect(metrics.epochs).toHaveLength(2);
      for (const epoch of metrics.epochs) {
        for (const key of ['trainLoss', 'testLoss', 'seconds'])
          expect(Number.isFinite(epoch[key])).toBe(true);
        expect(epoch.test.reconstruction + epoch.test.kl).toBeCloseTo(epoch.test.loss, 2);
      }
      // training on real digits makes progress: the second epoch's test loss is lower, and well below the
      // 784 * log 2 = 543 nats of a model that predicts 0.5 everywhere
      expect(metrics.epochs[1].testLoss).toBeLessThan(metrics.epochs[0].testLoss);
      expect(metrics.final.testLoss).toBeLessThan(400);
      expect(final.testLoss).toBe(metrics.final.testLoss);
      const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
      expect(config).toMatchObject({
        backend,
        seed: 3,
        trainExamples: limit,
        testExamples: 200,
        batchSize: 64,
      });

      const reconstructions = decodePng(new Uint8Array(await readFile(join(out, 'reconstructions.png'))));
      const samples = decodePng(new Uint8Array(await readFile(join(out, 'samples.png'))));
      expect(samples.width).toBe(samples.height); // an 8x8 grid
      expect(samples.width).toBeGreaterThan(8 * 28);
      expect(reconstructions.width).toBeGreaterThan(16 * 28);
      const html = await readFile(join(out, 'report.html'), 'utf8');
      expect(html).toContain('data:image/png;base64,');
      expect(html).toContain(String(metrics.final.testLoss).slice(0, 5));

      // the saved model loads and reproduces the reconstruction of the first test image
      const model = (await loadModelFromDirectory(join(out, 'model'))) as VAE;
      const test = await loadMnist({ split: 'test', limit: 4, packageSearchPaths: [cliDir] });
      const x = test.batch([0, 1, 2, 3]);
      const values = await model.reconstruct(x).data();
      expect(values.length).toBe(4 * 784);
      expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
      model.dispose();
      x.dispose();
    });
  }

  it('is reproducible from --seed on the same backend', async () => {
    const runs = await Promise.all(
      [1, 2].map(async () => {
        const out = await mkdtemp(join(tmpdir(), 'vae-cli-seed-'));
        const run = await vae([
          'train',
          ...['--epochs', '1', '--limit', '256', '--test-limit', '100', '--backend', 'wasm', '--seed', '11'],
          ...['--out', out, '--json'],
        ]);
        return JSON.parse(run.stdout).testLoss;
      }),
    );
    expect(runs[0]).toBe(runs[1]);
  });

  it('rejects a wrong flag with a one-line error, the fix, and exit code 2', async () => {
    const run = await vae(['train', '--epocs', '3']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--epocs'/);
    expect(run.stderr).toMatch(/Did you mean --epochs\?/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1); // one line, no stack trace
  });

  it('rejects an unknown dataset and a bad number, naming the allowed values', async () => {
    const dataset = await vae(['train', '--dataset', 'cifar99']);
    expect(dataset.code).toBe(2);
    expect(dataset.stderr).toMatch(
      /argument 'cifar99' is invalid\. Allowed choices are mnist, fashion-mnist/,
    );
    expect(dataset.stderr.trim().split('\n')).toHaveLength(1);
    const epochs = await vae(['train', '--epochs', 'ten']);
    expect(epochs.code).toBe(2);
    expect(epochs.stderr).toMatch(/--epochs must be an integer from 1 to 100000; got 'ten'/);
  });

  it('rejects an unwritable --out before training, in one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vae-cli-'));
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    const run = await vae(['train', '--out', join(file, 'sub'), '--limit', '10']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: cannot write to --out .*a-file\/sub \(ENOTDIR\); choose a directory/);
  });

  it('prints help with examples', async () => {
    const run = await vae(['train', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--latent-dim <n>/);
    expect(run.stdout).toMatch(/Examples:/);
  });
});
