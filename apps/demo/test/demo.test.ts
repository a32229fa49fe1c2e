/**
 * End to end: builds the demo for production, serves it from a sub-path (/vae/) with a plain static server, and
 * drives it in headless Chromium. Needs the libraries built (`pnpm turbo run build`) and Chromium (VAE_CHROMIUM).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const demoDirectory = fileURLToPath(new URL('..', import.meta.url));
const haveChromium = process.env.VAE_HAVE_CHROMIUM === '1';
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';
if (inCi && !haveChromium) {
  throw new Error('CI is set but Chromium is missing: the demo test must run in CI (set VAE_CHROMIUM).');
}

const SUB_PATH = '/vae/';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Serves `root` under `SUB_PATH` only, like a static host serving the site from a folder. */
function serveStatic(root: string): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (!path.startsWith(SUB_PATH)) {
      response.writeHead(404).end('not found');
      return;
    }
    let file = normalize(join(root, path.slice(SUB_PATH.length)));
    if (!file.startsWith(root)) {
      response.writeHead(403).end('forbidden');
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': MIME_TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface CanvasSummary {
  width: number;
  height: number;
  distinctGreys: number;
  /** A cheap fingerprint of the pixels. */
  checksum: number;
}

function canvasSummary(page: Page): Promise<CanvasSummary> {
  return page.evaluate(() => {
    const canvas = document.getElementById('samples') as HTMLCanvasElement;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const greys = new Set<number>();
    let checksum = 0;
    for (let i = 0; i < data.length; i += 4) {
      greys.add(data[i]);
      checksum = (checksum * 31 + data[i] + i) % 2147483647;
    }
    return { width: canvas.width, height: canvas.height, distinctGreys: greys.size, checksum };
  });
}

describe.skipIf(!haveChromium)('demo (production build in Chromium, served from a sub-path)', () => {
  let outDirectory: string;
  let screenshotDirectory: string;
  let server: Server;
  let browser: Browser;
  let siteUrl: string;
  /** What the status line should say about the shipped model, computed from its model.json. */
  let modelInfo: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const modelsDist = join(demoDirectory, '..', '..', 'packages', 'models', 'dist', 'index.js');
    if (!existsSync(modelsDist)) {
      throw new Error(
        'the @vae libraries are not built; run `pnpm turbo run build --filter=./packages/*` first.',
      );
    }
    outDirectory = mkdtempSync(join(tmpdir(), 'vae-demo-dist-'));
    screenshotDirectory = mkdtempSync(join(tmpdir(), 'vae-demo-screens-'));
    const vite = join(demoDirectory, 'node_modules', 'vite', 'bin', 'vite.js');
    const build = spawnSync(
      process.execPath,
      [vite, 'build', '--outDir', outDirectory, '--emptyOutDir', '--logLevel', 'warn'],
      { cwd: demoDirectory, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
    );
    if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
    expect(existsSync(join(outDirectory, 'models', 'mnist-vae', 'model.json'))).toBe(true);
    expect(existsSync(join(outDirectory, 'models', 'mnist-vae', 'weights.bin'))).toBe(true);
    const saved = JSON.parse(await readFile(join(outDirectory, 'models', 'mnist-vae', 'model.json'), 'utf8'));
    const { inputShape, hiddenUnits, latentDim } = saved.modelTopology.config;
    const parameters = saved.weightsManifest
      .flatMap((group: { weights: { shape: number[] }[] }) => group.weights)
      .reduce((sum: number, weight: { shape: number[] }) => sum + weight.shape.reduce((a, b) => a * b, 1), 0);
    const inputSize = inputShape.reduce((a: number, b: number) => a * b, 1);
    modelInfo =
      `VAE ${[inputSize, ...hiddenUnits, latentDim].join('-')}, latent size ${latentDim}, ` +
      `${parameters.toLocaleString('en-US')} parameters`;

    server = await serveStatic(outDirectory + sep);
    siteUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SUB_PATH}`;
    browser = await chromium.launch({
      executablePath: process.env.VAE_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (outDirectory) rmSync(outDirectory, { recursive: true, force: true });
    if (pageErrors.length) console.warn(`page errors:\n${pageErrors.join('\n')}`);
    if (screenshotDirectory) console.info(`demo screenshots kept in ${screenshotDirectory}`);
  });

  /** Opens the demo with a query string and waits until it is ready or has failed. */
  async function open(query: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
    page.on('pageerror', (error) => pageErrors.push(`${query}: ${error.message}`));
    await page.goto(`${siteUrl}${query}`);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 60_000,
    });
    return page;
  }

  async function expectReady(page: Page, backend: string): Promise<void> {
    const body = await page.evaluate(() => ({ ...document.body.dataset }));
    const error = await page.locator('#error').textContent();
    expect(body.state, `page error: ${error}`).toBe('ready');
    expect(body.backend).toBe(backend);
    await expect.poll(() => page.locator('#status').textContent()).toContain(`Backend ${backend}`);
    const status = await page.locator('#status').textContent();
    expect(status).toContain(modelInfo);
    const summary = await canvasSummary(page);
    expect(summary.width).toBeGreaterThan(200);
    expect(summary.distinctGreys).toBeGreaterThan(10);
  }

  it('draws samples with the wasm backend and draws new ones on request', async () => {
    const page = await open('?backend=wasm');
    await expectReady(page, 'wasm');
    await page.screenshot({ path: join(screenshotDirectory, 'wasm.png'), fullPage: true });

    const before = await canvasSummary(page);
    const renders = Number(await page.evaluate(() => document.body.dataset.renders));
    await page.getByRole('button', { name: 'New samples' }).click();
    await page.waitForFunction((count) => Number(document.body.dataset.renders) > count, renders);
    const after = await canvasSummary(page);
    expect(after.checksum).not.toBe(before.checksum);

    // the temperature slider redraws the same latent draws, scaled
    await page.locator('#temperature').fill('0.3');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('0.30'));
    expect(await page.locator('#temperature-value').textContent()).toBe('0.30');
    expect((await canvasSummary(page)).checksum).not.toBe(after.checksum);
    await page.close();
  });

  it('picks wasm by default and falls back to webgl when wasm cannot load', async () => {
    const page = await open('');
    await expectReady(page, 'wasm');
    await page.close();

    const context = await browser.newContext();
    await context.route('**/*.wasm', (route) => route.abort());
    const blocked = await context.newPage();
    await blocked.goto(siteUrl);
    await blocked.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''));
    await expectReady(blocked, 'webgl');
    expect(await blocked.locator('#status').textContent()).toContain('after wasm failed');
    await context.close();
  });

  it('runs on the webgl and cpu backends when asked', async () => {
    for (const backend of ['webgl', 'cpu']) {
      const page = await open(`?backend=${backend}`);
      await expectReady(page, backend);
      await page.close();
    }
  });

  it('shows a visible error when the model is missing or the backend unknown', async () => {
    const page = await open('?model=missing/model.json');
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('error');
    const error = page.locator('#error');
    expect(await error.isVisible()).toBe(true);
    const text = await error.textContent();
    expect(text).toContain('Could not load the model');
    expect(text).toContain('missing/model.json');
    expect(text).toContain('404');
    expect(await page.locator('#samples').isVisible()).toBe(false);
    await page.screenshot({ path: join(screenshotDirectory, 'missing-model.png'), fullPage: true });
    await page.close();

    // without ?model=, the message says how to create the shipped model
    const context = await browser.newContext();
    await context.route('**/models/mnist-vae/model.json', (route) =>
      route.fulfill({ status: 404, body: '' }),
    );
    const withoutModel = await context.newPage();
    await withoutModel.goto(`${siteUrl}?backend=cpu`);
    await withoutModel.waitForFunction(() => document.body.dataset.state === 'error');
    expect(await withoutModel.locator('#error').textContent()).toContain(
      'node apps/demo/scripts/prepare-model.mjs',
    );
    await context.close();

    const unknown = await open('?backend=tpu');
    expect(await unknown.evaluate(() => document.body.dataset.state)).toBe('error');
    expect(await unknown.locator('#error').textContent()).toContain('"tpu" is not a TensorFlow.js backend');
    await unknown.close();
  });
});
