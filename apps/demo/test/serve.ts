/** For the demo's end-to-end tests: build the site once, serve it from a sub-path, read its shipped data in Node. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { ImageDataset } from '@vae/data';
import { type Browser, chromium, type Page } from 'playwright-core';

export const demoDirectory = fileURLToPath(new URL('..', import.meta.url));
export const SUB_PATH = '/vae/';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.gz': 'application/gzip',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Debian's Chromium, headless (VAE_CHROMIUM names another), with `extraArgs` after the usual ones. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.VAE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/**
 * The file a request names under `SUB_PATH` in `root` (a folder path ending in the separator), with the decoded
 * path; or, instead of the file, the status to answer (404 outside the sub-path, 403 outside the folder).
 */
export function requestedFile(
  root: string,
  url: string | undefined,
): { path: string; file: string } | { path: string; status: 403 | 404 } {
  const path = decodeURIComponent(new URL(url ?? '/', 'http://localhost').pathname);
  if (!path.startsWith(SUB_PATH)) return { path, status: 404 };
  const file = normalize(join(root, path.slice(SUB_PATH.length)));
  return file.startsWith(root) ? { path, file } : { path, status: 403 };
}

/** The address a server listening on 127.0.0.1 serves the site at. */
export function siteAddress(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${SUB_PATH}`;
}

/**
 * The production build: `VAE_DEMO_DIST` when set, else a fresh `vite build` into a temporary folder (`built`: the
 * caller removes it).
 */
export function buildDemo(): { directory: string; built: boolean } {
  if (process.env.VAE_DEMO_DIST) return { directory: resolve(process.env.VAE_DEMO_DIST), built: false };
  const modelsDist = join(demoDirectory, '..', '..', 'packages', 'models', 'dist', 'index.js');
  if (!existsSync(modelsDist)) {
    throw new Error(
      'the @vae libraries are not built; run `pnpm turbo run build --filter=./packages/*` first.',
    );
  }
  const directory = mkdtempSync(join(tmpdir(), 'vae-demo-dist-'));
  const vite = join(demoDirectory, 'node_modules', 'vite', 'bin', 'vite.js');
  const build = spawnSync(
    process.execPath,
    [vite, 'build', '--outDir', directory, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: demoDirectory, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
  );
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
  return { directory, built: true };
}

/** Serves `root` under `SUB_PATH` only, like a static host serving the site from a folder; `requests` records paths. */
export async function serveStatic(
  root: string,
  requests: string[] = [],
): Promise<{ server: Server; url: string }> {
  const base = root.endsWith(sep) ? root : root + sep;
  const server = createServer(async (request, response) => {
    const target = requestedFile(base, request.url);
    requests.push(target.path);
    if ('status' in target) {
      response.writeHead(target.status).end(target.status === 404 ? 'not found' : 'forbidden');
      return;
    }
    let file = target.file;
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': MIME_TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: siteAddress(server) };
}

/** The MNIST test set exactly as the built site serves it (its fingerprinted, gzipped files), read in Node. */
export async function shippedMnistTest(dist: string): Promise<ImageDataset> {
  const folder = join(dist, 'data', 'mnist');
  const files = readdirSync(folder);
  const find = (prefix: string) => {
    const name = files.find((file) => file.startsWith(prefix));
    if (!name) throw new Error(`the build has no ${prefix}* in ${folder}`);
    return join(folder, name);
  };
  const read = async (path: string) => new Uint8Array(gunzipSync(await readFile(path)));
  return ImageDataset.fromIdx(
    await read(find('t10k-images-idx3-ubyte.')),
    await read(find('t10k-labels-idx1-ubyte.')),
    { name: 'mnist/test' },
  );
}

/** Waits until the Train view's run has ended (done, aborted or failed); returns the view's data attributes. */
export async function waitForTraining(page: Page, timeout: number): Promise<DOMStringMap> {
  await page.waitForFunction(
    () =>
      ['done', 'aborted', 'error'].includes(document.getElementById('view-train')?.dataset.trainState ?? ''),
    null,
    { timeout },
  );
  return page.evaluate(() => ({ ...document.getElementById('view-train')!.dataset }));
}
