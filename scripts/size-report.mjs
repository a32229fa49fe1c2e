#!/usr/bin/env node
/**
 * Size report of the @vae libraries: every entry point (`exports` subpath) of every library, bundled from its
 * built ESM file with esbuild, minified, then gzipped (level 9). tfjs (`@tensorflow/*`, the peers) is excluded.
 *
 * - "bundled": the entry with everything it imports except tfjs (other @vae packages, fast-png, umap-js, ...):
 *   what importing the whole entry adds to an application that already has tfjs.
 * - "own": the package's code alone, every bare import external.
 *
 * The whole entry is measured (every export kept); an application that imports a few functions gets less after
 * tree shaking. Root entries are bundled for the browser, `./node` entries for Node. Build first (`pnpm build`).
 *
 *   node scripts/size-report.mjs            print the table
 *   node scripts/size-report.mjs --json F   also write the numbers to F
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LIBRARIES = ['core', 'models', 'data', 'metrics', 'viz'];

async function minifiedBytes(file, platform, external) {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    ...external,
  });
  return result.outputFiles[0].contents;
}

/** Measures every entry of every library; returns rows `{ entry, bundled, bundledGzip, own, ownGzip }`. */
export async function sizeReport() {
  const rows = [];
  for (const name of LIBRARIES) {
    const directory = join(root, 'packages', name);
    const pkg = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      const file = target?.import?.default;
      if (typeof file !== 'string') continue;
      const path = join(directory, file);
      if (!existsSync(path)) throw new Error(`${path} is missing: build the libraries first (pnpm build).`);
      const platform = subpath === './node' ? 'node' : 'browser';
      const bundled = await minifiedBytes(path, platform, { external: ['@tensorflow/*'] });
      const own = await minifiedBytes(path, platform, { packages: 'external' });
      rows.push({
        entry: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
        bundled: bundled.byteLength,
        bundledGzip: gzipSync(bundled, { level: 9 }).byteLength,
        own: own.byteLength,
        ownGzip: gzipSync(own, { level: 9 }).byteLength,
      });
    }
  }
  return rows;
}

const kilobytes = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

export function formatSizeReport(rows) {
  const header = ['entry (tfjs excluded)', 'bundled min', 'bundled gzip', 'own min', 'own gzip'];
  const table = [
    header,
    ...rows.map((r) => [
      r.entry,
      kilobytes(r.bundled),
      kilobytes(r.bundledGzip),
      kilobytes(r.own),
      kilobytes(r.ownGzip),
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join('\n');
}

async function main() {
  const rows = await sizeReport();
  console.log(`\nSize of the @vae libraries (minified, gzip -9; "own" = the package alone)\n`);
  console.log(formatSizeReport(rows));
  const index = process.argv.indexOf('--json');
  if (index > 0) writeFileSync(process.argv[index + 1], `${JSON.stringify(rows, null, 2)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
