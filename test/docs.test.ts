/**
 * docs/setup.md, run as written: every code block marked `<!-- file: NAME -->` is written to NAME in a fresh
 * project outside the workspace whose node_modules links the built @vae packages and the workspace's tfjs, then
 * - Node: `node main.mjs` trains on the wasm backend, `node files.mjs` saves and loads a folder;
 * - Vite: the page and main.js are built with Vite and run in headless Chromium on webgl, wasm (the documented
 *   setWasmPaths with `?url` imports) and WebGPU;
 * - webpack: the documented config and entry built with webpack 5, the page run in Chromium on wasm;
 * - the plain `<script type="module">` page runs in Chromium with its import map, the CDN's URLs served by a local
 *   stand-in that builds each package the way the CDN does (one ES module per package, `?external=` kept external).
 * Needs the libraries built (`pnpm build`).
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { chromium } from 'playwright-core';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpack from 'webpack';

const root = fileURLToPath(new URL('..', import.meta.url));
const LIBRARIES = ['core', 'models', 'data', 'metrics', 'viz'];
const TFJS = [
  'tfjs-core',
  'tfjs-layers',
  'tfjs-backend-cpu',
  'tfjs-backend-wasm',
  'tfjs-backend-webgl',
  'tfjs-backend-webgpu',
];
const haveChromium =
  process.env.VAE_HAVE_CHROMIUM === '1' || existsSync(process.env.VAE_CHROMIUM ?? '/usr/bin/chromium');
const chromiumPath = process.env.VAE_CHROMIUM ?? '/usr/bin/chromium';

/** The blocks of a markdown file marked `<!-- file: NAME -->`, by NAME. */
function documentedFiles(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const match of markdown.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)^```/gm)) {
    files.set(match[1], match[2]);
  }
  return files;
}

const files = documentedFiles(readFileSync(join(root, 'docs', 'setup.md'), 'utf8'));
let project = '';

/** A fresh project with the documented files and a node_modules of the built packages and the workspace's tfjs. */
function makeProject(): string {
  const directory = mkdtempSync(join(tmpdir(), 'vae-docs-'));
  const modules = join(directory, 'node_modules');
  mkdirSync(join(modules, '@vae'), { recursive: true });
  mkdirSync(join(modules, '@tensorflow'), { recursive: true });
  for (const name of LIBRARIES) symlinkSync(join(root, 'packages', name), join(modules, '@vae', name), 'dir');
  for (const name of TFJS) {
    symlinkSync(join(root, 'node_modules', '@tensorflow', name), join(modules, '@tensorflow', name), 'dir');
  }
  writeFileSync(join(directory, 'package.json'), JSON.stringify({ name: 'docs-example', type: 'module' }));
  for (const [name, text] of files) {
    mkdirSync(dirname(join(directory, name)), { recursive: true });
    writeFileSync(join(directory, name), text);
  }
  return directory;
}

function node(script: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script], { cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr });
    });
  });
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Serves `directory` statically, and `dynamic(path)` first when it answers. */
function serve(directory: string, dynamic?: (path: string) => Promise<string | undefined>): Promise<Server> {
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    const generated = await dynamic?.(path + url.search).catch((error: Error) => {
      response.writeHead(500).end(error.message);
      return null;
    });
    if (generated === null) return;
    if (generated !== undefined) {
      response.writeHead(200, { 'content-type': MIME['.js'] }).end(generated);
      return;
    }
    const file = normalize(join(directory, path === '/' ? 'index.html' : path));
    if (!file.startsWith(directory + sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response
        .writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' })
        .end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const address = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** Opens a page in headless Chromium and returns its title once it names a backend, with any page errors. */
async function titleOf(url: string, webgpu = false): Promise<{ title: string; problems: string[] }> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', ...(webgpu ? ['--enable-unsafe-webgpu'] : [])],
  });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // Failed requests are reported below with their URL.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`console error: ${message.text()}`);
      }
    });
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (response.status() >= 400 && path !== '/favicon.ico') problems.push(`${response.status()} ${path}`);
    });
    await page.goto(url);
    await page
      .waitForFunction(() => /^(trained|decoded) /.test(document.title), null, { timeout: 90_000 })
      .catch(() => undefined);
    return { title: await page.title(), problems };
  } finally {
    await browser.close();
  }
}

beforeAll(() => {
  for (const name of LIBRARIES) {
    if (!existsSync(join(root, 'packages', name, 'dist', 'index.js'))) {
      throw new Error(`packages/${name}/dist is missing: build the libraries first (pnpm build).`);
    }
  }
  project = makeProject();
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('docs/setup.md', () => {
  it('has the files the tests below run', () => {
    expect([...files.keys()].sort()).toEqual(
      [
        'files.mjs',
        'index.html',
        'main.js',
        'main.mjs',
        'page.html',
        'src/index.js',
        'webpack.config.js',
      ].sort(),
    );
  });

  it('Node: trains on the wasm backend with progress, and saves and loads a folder typed by class', async () => {
    const trained = await node('main.mjs', project);
    expect(trained.stderr.replace(/=+\nHi, looks like.*\n=+\n/s, '').trim(), trained.stdout).toBe('');
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/step 24 of 24\nwasm: loss \d+\.\d\d, test \d+\.\d\d \(KL \d+\.\d\d\)/);
    const saved = await node('files.mjs', project);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout.trim()).toBe('2');
    expect(existsSync(join(project, 'my-model', 'model.json'))).toBe(true);
  });

  describe.skipIf(!haveChromium)('in Chromium', () => {
    it('Vite: builds, and the page trains on webgl, wasm (documented setWasmPaths) and WebGPU', async () => {
      const outDir = join(project, 'dist');
      await viteBuild({ root: project, logLevel: 'error', build: { outDir, emptyOutDir: true } });
      const built = readFileSync(join(outDir, 'index.html'), 'utf8');
      expect(built).toMatch(/<script type="module" crossorigin src="\/assets\//);
      const server = await serve(outDir);
      try {
        for (const backend of ['webgl', 'wasm', 'webgpu']) {
          const { title, problems } = await titleOf(
            `${address(server)}/?backend=${backend}`,
            backend === 'webgpu',
          );
          expect(problems, backend).toEqual([]);
          expect(title).toBe(`trained on ${backend}`);
        }
      } finally {
        server.close();
      }
    });

    it('webpack: builds with the documented config, and the page decodes on wasm with the .wasm files as assets', async () => {
      const config = (await import(join(project, 'webpack.config.js'))).default;
      const outDir = join(project, 'dist-webpack');
      const stats = await new Promise<webpack.Stats>((resolve, reject) => {
        webpack(
          {
            ...config,
            context: project,
            output: { ...config.output, path: outDir },
            infrastructureLogging: { level: 'error' },
          },
          (error, result) => (error || !result ? reject(error) : resolve(result)),
        );
      });
      expect(stats.hasErrors(), stats.toString({ all: false, errors: true })).toBe(false);
      const assets = Object.keys(stats.compilation.assets);
      expect(assets.filter((name) => name.endsWith('.wasm'))).toHaveLength(3);
      writeFileSync(join(outDir, 'index.html'), '<!doctype html><script src="main.js"></script>');
      const server = await serve(outDir);
      try {
        const { title, problems } = await titleOf(`${address(server)}/`);
        expect(problems).toEqual([]);
        expect(title).toBe('decoded 1,16 on wasm');
      } finally {
        server.close();
      }
    });

    it('a plain <script type="module"> page with the import map, the CDN served by a local stand-in', async () => {
      const cdn = 'https://esm.sh/';
      const page = files.get('page.html') as string;
      // One ES module per import-map URL, built from the project's node_modules as the CDN builds it: the package
      // bundled for browsers, the packages of `?external=` (and their subpaths) left as imports.
      const stand = async (path: string) => {
        if (!path.startsWith('/esm/')) return undefined;
        const url = new URL(path.slice('/esm/'.length), cdn);
        // `*` before the package: every dependency stays external.
        const allExternal = url.pathname.startsWith('/*');
        if (allExternal) url.pathname = url.pathname.slice(2);
        const [, name] = url.pathname.match(/^\/((?:@[^/]+\/)?[^@/]+)(?:@[^/]*)?(\/.*)?$/) ?? [];
        const subpath = url.pathname.replace(/^\/(?:@[^/]+\/)?[^@/]+(?:@[^/]*)?/, '').replace(/\/$/, '');
        const external = (url.searchParams.get('external') ?? '').split(',').filter(Boolean);
        // A file of a package imports the package's other files as the package itself (one copy per page).
        if (subpath) external.push(name);
        const result = await esbuild({
          entryPoints: [`${name}${subpath}`],
          absWorkingDir: project,
          nodePaths: [join(project, 'node_modules')],
          bundle: true,
          format: 'esm',
          platform: 'browser',
          write: false,
          logLevel: 'silent',
          plugins: [
            {
              name: 'cdn-externals',
              setup(builder) {
                builder.onResolve({ filter: /^[^./#]/ }, (args) => {
                  if (args.kind === 'entry-point') return undefined;
                  const listed = external.some((e) => args.path === e || args.path.startsWith(`${e}/`));
                  return allExternal || listed ? { path: args.path, external: true } : undefined;
                });
              },
            },
          ],
        });
        return result.outputFiles[0].text;
      };
      const server = await serve(project, stand);
      try {
        writeFileSync(join(project, 'page-local.html'), page.replaceAll(cdn, `${address(server)}/esm/`));
        const { title, problems } = await titleOf(`${address(server)}/page-local.html`);
        expect(problems).toEqual([]);
        expect(title).toBe('decoded 1,16 on webgl');
      } finally {
        server.close();
      }
    });
  });
});
