// Smoke test of `pnpm bench --quick`: it runs end to end and writes its report. It never checks speed.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

it('pnpm bench --quick runs every measurement and writes JSON and markdown', async () => {
  const out = await mkdtemp(join(tmpdir(), 'vae-bench-'));
  await promisify(execFile)(process.execPath, [join(root, 'bench/run.mjs'), '--quick', '--out', out], {
    cwd: root,
    maxBuffer: 1 << 24,
  });
  const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8'));
  for (const name of ['vae-wasm', 'peer-wasm', 'vae-cpu']) {
    expect(report.training[name].median).toBeGreaterThan(0);
  }
  expect(report.ratios['vae-wasm / peer-wasm']).toBeGreaterThan(0);
  expect(Object.keys(report.inference)).toEqual(
    ['1', '64', '256', '1000'].flatMap((b) => [`decode@${b}`, `encode@${b}`]),
  );
  expect(report.memory.peakResidentMegabytes['512']).toBeGreaterThan(0);
  // the targets of issue #10 are each evaluated (met or not; timings never decide a test)
  expect(Object.keys(report.targets)).toHaveLength(9); // + issue #23's: workers 1.7x and 0.45x, mnist-conv
  expect(report.quality['vae-wasm'][0]).toBeGreaterThan(0);
  // optional backends are either measured or skipped with a reason
  for (const name of ['vae-webgpu', 'vae-tfjs-node']) {
    expect(report.training[name] !== undefined || typeof report.skipped[name] === 'string').toBe(true);
  }
  const markdown = await readFile(join(out, 'latest.md'), 'utf8');
  expect(markdown).toMatch(/\| vae-wasm \| \d+ \|/);
});
