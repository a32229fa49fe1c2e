/**
 * The API reference: TypeDoc over every public entry of the five libraries (typedoc.json), with warnings as errors
 * (a public member that refers to an unexported type, a broken link), as `pnpm docs` (into docs/api) and
 * `pnpm site` (into the demo site's api/ folder, beside the built demo) build it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'vae-typedoc-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('API reference', () => {
  it('builds from every public entry with no warning, and the site script puts it beside the demo', async () => {
    const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [typedoc, '--out', out, '--treatWarningsAsErrors'],
        { cwd: root, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, output: stdout + stderr }),
      );
    });
    expect(result.code, result.output).toBe(0);
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    for (const name of ['@vae/core', '@vae/models', '@vae/data', '@vae/metrics', '@vae/viz'])
      expect(index).toContain(name);
    // The subpaths have pages of their own.
    for (const page of [
      'classes/_vae_core.layers.DenseLayer.html',
      'functions/_vae_core.index.toBatchSource.html',
      'functions/_vae_viz.umap.umapEmbedding.html',
    ]) {
      expect(existsSync(join(out, page)), page).toBe(true);
    }
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
    expect(scripts.site).toMatch(/typedoc --out apps\/demo\/dist\/api/);
  }, 300_000);
});
