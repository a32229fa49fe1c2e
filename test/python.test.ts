/**
 * The Python side (python/vae_torch) has its own tests (unittest: losses against closed forms, models, the
 * safetensors reader on hostile files, the trainer end to end); the README's test command runs them from here.
 * Needs /usr/bin/python3 with torch and numpy (`apt-get install -y python3-torch python3-numpy`; .ci/run installs
 * them): without them the test is skipped with a message, and under CI it fails. VAE_PYTHON overrides the interpreter.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PYTHON = process.env.VAE_PYTHON ?? '/usr/bin/python3';
const PYTHON_ROOT = fileURLToPath(new URL('../python', import.meta.url));

const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 60_000 });
const missing = probe.error
  ? `${PYTHON} cannot be run (${probe.error.message})`
  : probe.status !== 0
    ? `${PYTHON} has no torch/numpy`
    : null;
if (missing && !process.env.CI) {
  console.warn(
    `\n  SKIPPING the Python tests (python/tests): ${missing}. Install them with ` +
      '`apt-get install -y python3-torch python3-numpy` (CI does).\n',
  );
}

describe.skipIf(missing !== null && !process.env.CI)('python/vae_torch', () => {
  it('passes its own tests (python3 -m unittest discover -s tests)', () => {
    expect(missing, 'PyTorch is required under CI').toBeNull();
    const run = spawnSync(PYTHON, ['-m', 'unittest', 'discover', '-s', 'tests'], {
      cwd: PYTHON_ROOT,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/Ran \d+ tests?/);
    expect(output).toMatch(/\nOK/);
  }, 300_000);
});
