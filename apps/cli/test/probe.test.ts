// `vae probe` run as a user would: a child process, real files, a small slice of MNIST.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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

let work = '';
const small = [
  ...['--limit', '600', '--test-limit', '200', '--latent-dim', '4', '--hidden', '32'],
  ...['--steps', '20', '--head-steps', '5', '--backend', 'wasm'],
];

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error('apps/cli is not built: run `pnpm build` first.');
  work = await mkdtemp(join(tmpdir(), 'vae-probe-'));
});

describe('vae probe', () => {
  it('pretrains, then reports probe, fine-tune and scratch accuracy per label budget, with the figure', async () => {
    const out = join(work, 'run');
    const result = await vae([
      'probe',
      ...['--epochs', '1', '--labels', '20,all', '--seeds', '2', '--out', out, '--json'],
      ...small,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ model: 'VAE', dataset: 'mnist', trainImages: 600, testImages: 200 });
    expect(
      report.summary.map(
        (s: { method: string; labels: number; runs: number }) => `${s.method}:${s.labels}:${s.runs}`,
      ),
    ).toEqual([
      'probe:20:2',
      'fine-tune:20:2',
      'scratch:20:2',
      'probe:600:2',
      'fine-tune:600:2',
      'scratch:600:2',
    ]);
    expect(report.runs).toHaveLength(12);
    for (const run of report.runs) expect(run.accuracy >= 0 && run.accuracy <= 1).toBe(true);
    // the summary is the mean over the seeds' runs (learning itself is tested on a toy set in @vae/models)
    const probe20 = report.runs.filter(
      (r: { method: string; labels: number }) => r.method === 'probe' && r.labels === 20,
    );
    expect(report.summary[0].mean).toBeCloseTo((probe20[0].accuracy + probe20[1].accuracy) / 2, 3);
    expect(JSON.parse(await readFile(join(out, 'probe.json'), 'utf8')).summary).toEqual(report.summary);
    const svg = await readFile(join(out, 'accuracy.svg'), 'utf8');
    expect(svg).toContain('<svg');
    expect(svg).toContain('linear probe');
    expect(existsSync(join(out, 'model', 'model.json'))).toBe(true);

    // the pretrained model folder can be probed again, without pretraining
    const again = await vae([
      'probe',
      ...[
        '--model',
        out,
        '--labels',
        '10',
        '--seeds',
        '1',
        '--methods',
        'probe',
        '--out',
        join(work, 'again'),
        '--json',
      ],
      ...small,
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).summary).toHaveLength(1);
  });

  it('refuses bad usage with exit code 2, naming the problem', async () => {
    const few = await vae(['probe', '--labels', '5', '--out', join(work, 'few'), ...small]);
    expect(few.code).toBe(2);
    expect(few.stderr).toMatch(/--labels 5 is fewer than the 10 classes/);
    const methods = await vae(['probe', '--methods', 'probe,guess', '--out', join(work, 'm')]);
    expect(methods.code).toBe(2);
    expect(methods.stderr).toMatch(/--methods takes probe, fine-tune and\/or scratch/);
    const conditional = await vae([
      'probe',
      '--model',
      'conditional-vae',
      '--epochs',
      '1',
      '--out',
      join(work, 'c'),
      ...small,
    ]);
    expect(conditional.code).toBe(2);
    expect(conditional.stderr).toMatch(/encodes with the label as input/);
  });
});
