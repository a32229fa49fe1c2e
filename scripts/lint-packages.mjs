#!/usr/bin/env node
/**
 * Checks what users of the @vae libraries install: packs every library (`pnpm pack`, as publishing does) and
 * runs, on each tarball, publint --strict, arethetypeswrong (every resolution mode, node10 included) and our own
 * conventions (README, LICENSE, `files`, `sideEffects`, caret tfjs peers, engines, `types` first in `exports`).
 *
 *   node scripts/lint-packages.mjs                 pack the built libraries into a temporary folder, then lint
 *   node scripts/lint-packages.mjs --tarballs DIR  lint the tarballs already in DIR (vae-<name>-<version>.tgz)
 *
 * Build first (`pnpm build`): the tarballs hold `dist`. Exits 1 when anything fails.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export const LIBRARIES = ['core', 'models', 'data', 'metrics', 'viz', 'pretrained'];
const ENGINES_NODE = '>=20.19';
const ALLOWED_FILES = new Set(['dist', 'README.md', 'LICENSE']);

/** Packs every library with pnpm into `destination`; returns the tarball paths by library name. */
export async function packLibraries(destination) {
  const tarballs = {};
  await Promise.all(
    LIBRARIES.map(async (name) => {
      const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', destination], {
        cwd: join(root, 'packages', name),
      });
      const report = JSON.parse(stdout);
      tarballs[name] = resolve(destination, report.filename);
    }),
  );
  return tarballs;
}

/** The files of a .tgz (paths without the leading `package/`) and its package.json. */
function readTarball(path) {
  const bytes = gunzipSync(readFileSync(path));
  const files = new Map();
  let offset = 0;
  while (offset + 512 <= bytes.length) {
    const header = bytes.subarray(offset, offset + 512);
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (!name) break;
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('utf8').trim() || '0', 8);
    const full = (prefix ? `${prefix}/${name}` : name).replace(/^package\//, '');
    files.set(full, bytes.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  const manifest = files.get('package.json');
  if (!manifest) throw new Error(`${path}: no package/package.json in the tarball.`);
  return { files, pkg: JSON.parse(manifest.toString('utf8')) };
}

/** Our conventions, on the packed package.json and file list. Returns problems as sentences. */
export function conventionProblems(pkg, files) {
  const problems = [];
  if (!files.has('README.md')) problems.push('no README.md in the tarball');
  if (!files.has('LICENSE')) problems.push('no LICENSE in the tarball');
  if (!pkg.license) problems.push('no "license" field');
  if (pkg.sideEffects === undefined)
    problems.push('no "sideEffects" field (bundlers then keep every module)');
  if (pkg.engines?.node !== ENGINES_NODE) problems.push(`engines.node must be "${ENGINES_NODE}"`);
  // @vae/pretrained ships its models (model.json, weights, cards) beside dist.
  const allowed = pkg.name === '@vae/pretrained' ? new Set([...ALLOWED_FILES, 'models']) : ALLOWED_FILES;
  for (const entry of pkg.files ?? []) {
    if (!allowed.has(entry)) problems.push(`"files" lists ${entry}; ship only ${[...allowed].join(', ')}`);
  }
  if (!pkg.files) problems.push('no "files" field: everything in the folder would be published');
  for (const path of files.keys()) {
    if (/(^|\/)(src|test)\//.test(path) || /\.test\.[cm]?[jt]s$/.test(path)) problems.push(`ships ${path}`);
  }
  const peers = pkg.peerDependencies ?? {};
  if (!peers['@tensorflow/tfjs-core']) problems.push('@tensorflow/tfjs-core is not a peer dependency');
  for (const [name, range] of Object.entries(peers)) {
    if (!/^\^\d/.test(range)) problems.push(`peer ${name} has range "${range}"; use a caret range`);
  }
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    if (name.startsWith('@tensorflow/')) {
      problems.push(`${name} is a dependency; tfjs must be a peer (one tfjs-core per application)`);
    }
  }
  for (const [path, target] of Object.entries(pkg.exports ?? {})) {
    for (const [condition, value] of Object.entries(typeof target === 'object' ? target : {})) {
      if (typeof value === 'object' && Object.keys(value)[0] !== 'types') {
        problems.push(`exports["${path}"].${condition}: "types" must come first`);
      }
    }
  }
  for (const range of Object.values(pkg.dependencies ?? {})) {
    if (String(range).startsWith('workspace:')) problems.push(`a "${range}" range was not replaced by pack`);
  }
  return problems;
}

async function publintProblems(tarball) {
  const { publint } = await import('publint');
  const { formatMessage } = await import('publint/utils');
  const buffer = readFileSync(tarball);
  const tarballBytes = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const { messages, pkg } = await publint({
    pack: { tarball: tarballBytes },
    strict: true,
    level: 'suggestion',
  });
  return messages.map((message) => `publint ${message.type}: ${formatMessage(message, pkg) ?? message.code}`);
}

async function attwProblems(tarball) {
  const manifest = require.resolve('@arethetypeswrong/cli/package.json');
  const bin = join(dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin.attw);
  try {
    // The default ("strict") profile: node10, node16 (from CJS and from ESM) and bundler resolution.
    await run(process.execPath, [bin, tarball, '--format', 'table-flipped', '--no-emoji', '--no-color'], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    return [];
  } catch (error) {
    return [`arethetypeswrong:\n${error.stdout || error.message}`];
  }
}

/** Lints the given tarballs; returns `{ name: problems[] }`. */
export async function lintTarballs(tarballs) {
  const entries = Object.entries(tarballs).sort(([a], [b]) => LIBRARIES.indexOf(a) - LIBRARIES.indexOf(b));
  const results = await Promise.all(
    entries.map(async ([name, tarball]) => {
      const { files, pkg } = readTarball(tarball);
      const problems = [
        ...conventionProblems(pkg, files),
        ...(await publintProblems(tarball)),
        ...(await attwProblems(tarball)),
      ];
      return [name, problems];
    }),
  );
  return Object.fromEntries(results);
}

async function main() {
  const index = process.argv.indexOf('--tarballs');
  let folder;
  let tarballs;
  if (index > 0) {
    const directory = resolve(process.argv[index + 1]);
    const found = readdirSync(directory);
    tarballs = Object.fromEntries(
      LIBRARIES.map((name) => {
        const file = found.find((f) => f.startsWith(`vae-${name}-`) && f.endsWith('.tgz'));
        if (!file) throw new Error(`no vae-${name}-*.tgz in ${directory}; pack the libraries first.`);
        return [name, join(directory, file)];
      }),
    );
  } else {
    folder = mkdtempSync(join(tmpdir(), 'vae-lint-'));
    tarballs = await packLibraries(folder);
  }
  try {
    const results = await lintTarballs(tarballs);
    let failed = false;
    for (const [name, problems] of Object.entries(results)) {
      if (problems.length === 0) {
        console.log(`ok   @vae/${name}: publint --strict, arethetypeswrong, conventions`);
      } else {
        failed = true;
        console.log(`FAIL @vae/${name}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
      }
    }
    process.exitCode = failed ? 1 : 0;
  } finally {
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
