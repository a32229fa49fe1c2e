/**
 * Imports go one way: apps -> models, data, metrics, viz -> core -> tfjs. Libraries never pick a backend, keep
 * Node-only code behind their `./node` subpath, and declare tfjs as a peer. This test reads the sources and
 * manifests and fails on any import that breaks those rules.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const allowed: Record<string, string[]> = {
  core: [],
  models: ['core'],
  data: ['core'],
  metrics: ['core'],
  viz: ['core'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(?\s*['"]([^'"]+)['"]/g),
  ].map((m) => m[1] ?? m[2]);
}

describe('package boundaries', () => {
  for (const [name, deps] of Object.entries(allowed)) {
    it(`@vae/${name} imports only ${deps.length ? deps.map((d) => `@vae/${d}`).join(', ') : 'tfjs'}`, () => {
      const problems: string[] = [];
      for (const file of sources(join(root, 'packages', name, 'src'))) {
        const where = relative(root, file);
        const isTest = /\.test\.ts$/.test(file);
        const nodeOnly = /(^|\/)node\.ts$|\.node\.ts$|\.node\.test\.ts$/.test(file);
        for (const spec of imports(file)) {
          const vae = spec.match(/^@vae\/([^/]+)/);
          if (vae && vae[1] !== name && !deps.includes(vae[1])) problems.push(`${where} imports ${spec}`);
          if (!isTest && /^@tensorflow\/tfjs-backend-|^@tensorflow\/tfjs-node/.test(spec)) {
            problems.push(`${where} imports a backend (${spec}): only apps pick backends`);
          }
          if (!isTest && /^@tensorflow\/tfjs$/.test(spec))
            problems.push(`${where} imports the tfjs union package`);
          if (spec.startsWith('node:') && !nodeOnly)
            problems.push(`${where} uses ${spec} outside a ./node entry`);
          if (spec.startsWith('.') && /(^|\/|\.)node(\.js)?$/.test(spec) && !nodeOnly && !isTest) {
            problems.push(`${where} imports the Node-only module ${spec} from browser-safe code`);
          }
          if (/^@vae\/[^/]+\/node$/.test(spec) && !nodeOnly && !isTest) {
            problems.push(`${where} imports ${spec} from browser-safe code`);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it(`@vae/${name} declares its dependencies as the rules say`, () => {
      const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
      const runtime = Object.keys(manifest.dependencies ?? {});
      expect(runtime.filter((d) => d.startsWith('@vae/')).sort()).toEqual(
        deps.map((d) => `@vae/${d}`).sort(),
      );
      expect(runtime.filter((d) => d.startsWith('@tensorflow/'))).toEqual([]);
      expect(manifest.peerDependencies['@tensorflow/tfjs-core']).toMatch(/^\^4\./);
      expect(manifest.private).toBeUndefined();
    });
  }

  it('nothing imports an app, and models is imported by no other library', () => {
    const problems: string[] = [];
    for (const name of Object.keys(allowed)) {
      for (const file of sources(join(root, 'packages', name, 'src'))) {
        for (const spec of imports(file)) {
          if (/^(vae|@vae\/demo)(\/|$)/.test(spec) || spec.includes('apps/')) {
            problems.push(`${relative(root, file)} imports ${spec}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
