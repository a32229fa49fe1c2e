/**
 * The distributed round trip of docs/training-at-scale.md, on real MNIST, with the built CLI and python/vae_torch:
 *
 * - PyTorch -> Node: `torchrun --nproc_per_node=2` (gloo, DistributedDataParallel) trains a small VAE on an MNIST
 *   subset; `vae import` turns its folder into a run folder; `vae eval` reports the test loss PyTorch reported,
 *   and `vae sample` and `vae report` work on it.
 * - Node -> PyTorch: `vae train` trains one in Node (wasm), `vae export --format pytorch` writes its PyTorch folder,
 *   and `python3 -m vae_torch.evaluate` reports the test loss Node reported.
 *
 * Both losses are one-sample estimates of the negative ELBO on the 10,000 MNIST test images with different noise, so
 * they agree within Monte Carlo error, not exactly: on 1,000 images one estimate varied by about 2 nats from seed to
 * seed; on all 10,000 its standard error is a few tenths of a nat. The tolerance is 1 % (about 2 nats here).
 * Needs /usr/bin/python3 with torch and numpy (skipped with a message without them; under CI it fails).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PYTHON = process.env.VAE_PYTHON ?? '/usr/bin/python3';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON_ROOT = join(ROOT, 'python');
const BIN = join(ROOT, 'apps/cli/dist/bin.js');
const TOLERANCE = 0.01;

const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 60_000 });
const missing = probe.error
  ? `${PYTHON} cannot be run (${probe.error.message})`
  : probe.status !== 0
    ? `${PYTHON} has no torch/numpy`
    : null;
if (missing && !process.env.CI) {
  console.warn(
    `\n  SKIPPING the PyTorch round trip: ${missing}. Install them with ` +
      '`apt-get install -y python3-torch python3-numpy` (CI does).\n',
  );
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

function run(command: string, args: string[], cwd: string): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd,
        maxBuffer: 1 << 24,
        env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 });
      },
    );
  });
}

const vae = (args: string[]) => run(process.execPath, [BIN, ...args], ROOT);
const python = (args: string[]) => run(PYTHON, args, PYTHON_ROOT);
const ok = (result: Run) => expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);

let directory: string;

describe.skipIf(missing !== null && !process.env.CI)(
  'PyTorch round trip (torchrun, vae import, vae eval)',
  () => {
    beforeAll(async () => {
      if (missing) throw new Error(`PyTorch is required under CI: ${missing}.`);
      if (!existsSync(BIN)) throw new Error('apps/cli is not built: run `pnpm build` first.');
      directory = await mkdtemp(join(tmpdir(), 'vae-round-trip-'));
    });

    afterAll(async () => {
      if (directory) await rm(directory, { recursive: true, force: true });
    });

    it('trains with DDP on 2 processes, imports into Node, and Node reports the same test loss', async () => {
      const config = join(directory, 'vae.json');
      await writeFile(
        config,
        JSON.stringify({ className: 'VAE', config: { hiddenUnits: [200], latentDim: 10 } }),
      );
      const trained = join(directory, 'pytorch');
      const train = await python([
        '-m',
        'vae_torch.torchrun',
        '--nproc_per_node=2',
        '-m',
        'vae_torch.train',
        ...['--config', config, '--out', trained, '--limit', '4000'],
        ...['--epochs', '2', '--batch-size', '100', '--seed', '3', '--quiet'],
      ]);
      ok(train);
      const described = JSON.parse(await readFile(join(trained, 'config.json'), 'utf8'));
      expect(described.training).toMatchObject({ processes: 2, backend: 'gloo', replicasInSync: true });
      const pytorchLoss = JSON.parse(await readFile(join(trained, 'metrics.json'), 'utf8')).final.test.total;

      const home = join(directory, 'run');
      ok(await vae(['import', trained, '--out', home, '--quiet']));
      const evaluated = await vae(['eval', '--model', home, '--k', '10', '--json']);
      ok(evaluated);
      const nodeLoss = JSON.parse(evaluated.stdout).negativeElbo;
      console.log(
        `round trip PyTorch (DDP, 2 processes, ${train.seconds.toFixed(1)} s) -> Node: test loss ` +
          `${pytorchLoss.toFixed(3)} in PyTorch, ${nodeLoss.toFixed(3)} in Node`,
      );
      expect(Math.abs(nodeLoss - pytorchLoss) / pytorchLoss).toBeLessThan(TOLERANCE);
      ok(
        await vae([
          'sample',
          '--model',
          home,
          '-n',
          '16',
          '--out',
          join(directory, 'samples.png'),
          '--quiet',
        ]),
      );
      expect(existsSync(join(home, 'report.html'))).toBe(true);
    }, 240_000);

    it('trains in Node, exports for PyTorch, and PyTorch reports the same test loss', async () => {
      const run = join(directory, 'node');
      ok(
        await vae([
          'train',
          ...[
            '--hidden',
            '200',
            '--latent-dim',
            '10',
            '--epochs',
            '1',
            '--limit',
            '4000',
            '--test-limit',
            '1000',
          ],
          ...['--seed', '4', '--backend', 'wasm', '--out', run, '--quiet'],
        ]),
      );
      const evaluated = await vae(['eval', '--model', run, '--k', '10', '--json']);
      ok(evaluated);
      const nodeLoss = JSON.parse(evaluated.stdout).negativeElbo;
      const exported = join(directory, 'node-pytorch');
      ok(await vae(['export', run, '--format', 'pytorch', '--out', exported, '--quiet']));
      const result = await python(['-m', 'vae_torch.evaluate', exported, '--seed', '5']);
      ok(result);
      const pytorchLoss = JSON.parse(result.stdout).total;
      console.log(
        `round trip Node -> PyTorch: test loss ${nodeLoss.toFixed(3)} in Node, ${pytorchLoss.toFixed(3)} in PyTorch`,
      );
      expect(Math.abs(pytorchLoss - nodeLoss) / nodeLoss).toBeLessThan(TOLERANCE);
    }, 240_000);
  },
);
