/**
 * The production build on the static hosts visitors' sites run on: `vite preview` (sirv: precompressed files and
 * `.gz` answered with `Content-Encoding: gzip`) and a small Node server written here that gzips every answer and
 * answers unknown paths with index.html (a single-page-app fallback, as many hosts do), both under a sub-path.
 * Every view is visited in Chromium, on a desktop and on a 390-px phone viewport (no horizontal overflow); any
 * console error, page error or failed request fails the test, and axe-core reports no violations. Also: a data file answered with a web page makes
 * that view fail alone, with a message and a retry, while the other views keep working; and the build's size
 * budget. VAE_DEMO_DIST=<folder> tests an existing build.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { extname, join, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDemo,
  demoDirectory,
  launchChromium,
  MIME_TYPES,
  requestedFile,
  SUB_PATH,
  siteAddress,
  waitForTraining,
} from './serve';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeResults {
  violations: { id: string; nodes: { target: string[] }[] }[];
}
const haveChromium = process.env.VAE_HAVE_CHROMIUM === '1';
const VIEWS = [
  'learn',
  'why',
  'explore',
  'draw',
  'interpolate',
  'sample',
  'train',
  'disentangle',
  'anomaly',
  'debias',
  'recommend',
] as const;
const PHONE = { width: 390, height: 844 };

/**
 * Budgets for the build, in bytes (measured 2026-12-03: whole dist 15.21 MB, code 4.49 MB; before dropping the threaded wasm binary and UMAP 15.76 MB). The code is
 * every file in assets/ (JavaScript, CSS, wasm): most of it is backends a visit does not load. The total grew by
 * the "Why a VAE" view's three models (784-128-2, float16: 1.22 MB; whole dist then 16.34 MB, code 4.35 MB); the
 * code budget did not.
 */
const BUDGET = { total: 16_600_000, code: 4_600_000, largestChunk: 620_000 };

/**
 * A host that compresses everything: every answer gzipped with `Content-Encoding: gzip` (when the browser accepts
 * it), `.gz` files sent as they are with `Content-Encoding: gzip` (like sirv), and any unknown path under the
 * sub-path answered with index.html and status 200 (a single-page-app fallback). Records encoded answers.
 */
function serveCompressing(root: string, encoded: string[]): Promise<Server> {
  const server = createServer(async (request, response) => {
    const target = requestedFile(root, request.url);
    if ('status' in target) {
      response.writeHead(target.status).end(target.status === 404 ? 'not found' : 'forbidden');
      return;
    }
    const { path } = target;
    let file = target.file;
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    } catch {
      file = join(root, 'index.html'); // the fallback many hosts use for client-side routing
    }
    const body = await readFile(file);
    const gzipFile = file.endsWith('.gz');
    const type = gzipFile
      ? 'application/octet-stream'
      : (MIME_TYPES[extname(file)] ?? 'application/octet-stream');
    const accepts = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    if (gzipFile || accepts) {
      encoded.push(path);
      response.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
      response.end(gzipFile ? body : gzipSync(body, { level: 1 }));
    } else {
      response.writeHead(200, { 'content-type': type });
      response.end(body);
    }
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

/** `vite preview` of the build under the sub-path; resolves with the site's URL once it listens. */
async function vitePreview(outDirectory: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const vite = join(demoDirectory, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(
    process.execPath,
    [
      vite,
      'preview',
      '--outDir',
      outDirectory,
      '--base',
      SUB_PATH,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    { cwd: demoDirectory, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = `http://127.0.0.1:${port}${SUB_PATH}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await fetch(url)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  child.kill();
  throw new Error('vite preview did not start');
}

function filesUnder(directory: string): { path: string; bytes: number }[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .map((path) => ({ path, full: join(directory, path) }))
    .filter(({ full }) => statSync(full).isFile())
    .map(({ path, full }) => ({ path, bytes: statSync(full).size }));
}

describe.skipIf(!haveChromium)(
  'the production build on static hosts (vite preview, a compressing server)',
  () => {
    let outDirectory: string;
    let builtHere = false;
    let browser: Browser;
    let preview: { child: ChildProcess; url: string };
    let compressing: Server;
    let compressingUrl: string;
    const encoded: string[] = [];
    const problems: string[] = [];

    beforeAll(async () => {
      ({ directory: outDirectory, built: builtHere } = buildDemo());
      preview = await vitePreview(outDirectory);
      compressing = await serveCompressing(outDirectory + sep, encoded);
      compressingUrl = siteAddress(compressing);
      browser = await launchChromium();
    }, 300_000); // the build: three test files may build at once

    afterAll(async () => {
      await browser?.close();
      preview?.child.kill();
      await new Promise((done) => (compressing ? compressing.close(done) : done(undefined)));
      if (builtHere && outDirectory) rmSync(outDirectory, { recursive: true, force: true });
    });

    /** Any console error, page error, failed request or HTTP error goes to `problems` (or `expected`). */
    function watch(page: Page, label: string, expected?: string[]): void {
      const sink = expected ?? problems;
      page.on('pageerror', (error) => sink.push(`${label}: page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') sink.push(`${label}: console: ${message.text()}`);
      });
      page.on('requestfailed', (request) => {
        // ERR_ABORTED: cancelled because the test opened the next view while the page (or its service worker's
        // refetch of what it had loaded, src/offline.ts) still had requests in flight; not a host's failure
        const reason = request.failure()?.errorText ?? '';
        if (reason !== 'net::ERR_ABORTED') sink.push(`${label}: failed (${reason}): ${request.url()}`);
      });
      page.on('response', (response) => {
        if (response.status() >= 400) sink.push(`${label}: HTTP ${response.status()} ${response.url()}`);
      });
    }

    async function waitReady(page: Page, view: string): Promise<void> {
      await page.waitForFunction(
        (name) =>
          document.body.dataset.state === 'error' ||
          (document.body.dataset.state === 'ready' &&
            document.getElementById(`view-${name}`)?.dataset.ready === 'true'),
        view,
        { timeout: 90_000 },
      );
      const error = await page.locator('#error').textContent();
      expect(await page.evaluate(() => document.body.dataset.state), `${view}: ${error}`).toBe('ready');
    }

    /** Trains one short epoch on the served data (the worker loads it: 1000 images, 8 steps). */
    async function trainAFewSteps(page: Page): Promise<void> {
      await page.locator('select[name="examples"]').selectOption('1000');
      await page.locator('select[name="batch"]').selectOption('128');
      await page.locator('input[name="epochs"]').fill('1');
      await page.locator('#train-start').click();
      await waitForTraining(page, 90_000);
      const log = (await page.locator('#train-log').textContent()) ?? '';
      expect(await page.evaluate(() => document.getElementById('view-train')?.dataset.trainState), log).toBe(
        'done',
      );
      expect(log).toContain('Finished after 8 steps');
    }

    /** How it works: the digit's mu and sigma are shown; another digit (from the keyboard) moves them. */
    async function followOneDigit(page: Page): Promise<void> {
      const read = () => page.evaluate(() => ({ ...document.getElementById('view-learn')!.dataset }));
      const before = await read();
      expect(before.mu?.split(',').map(Number)).toHaveLength(2);
      expect(before.sigma?.split(',').every((value) => Number(value) > 0)).toBe(true);
      expect(before.draws).toBe('8');
      await page.locator('#learn-digits').focus();
      await page.keyboard.press('7');
      await page.waitForFunction((mu) => document.getElementById('view-learn')?.dataset.mu !== mu, before.mu);
      expect(await page.locator('#learn-terms').textContent()).toContain('nats');
      // the trade-off slider, from the keyboard: a narrower cloud reconstructs better and costs more KL; a wider one
      // reconstructs worse
      const spread = async (key: string, presses: number, factor: string) => {
        await page.locator('#learn-spread').focus();
        for (let i = 0; i < presses; i++) await page.keyboard.press(key);
        await page.waitForFunction(
          (f) => document.getElementById('view-learn')?.dataset.spread === f,
          factor,
        );
        const terms = await read();
        return { reconstruction: Number(terms.spreadReconstruction), kl: Number(terms.spreadKl) };
      };
      // the new digit's terms at the encoder's own sigma (factor 1)
      await page.waitForFunction(
        (value) => document.getElementById('view-learn')?.dataset.spreadReconstruction !== value,
        before.spreadReconstruction,
      );
      const reference = await spread('Home', 0, '1');
      const narrow = await spread('ArrowLeft', 16, '0.0625');
      expect(narrow.kl).toBeGreaterThan(reference.kl);
      expect(narrow.reconstruction).toBeLessThan(reference.reconstruction);
      const wide = await spread('ArrowRight', 24, '4');
      expect(wide.reconstruction).toBeGreaterThan(reference.reconstruction);
      expect(await page.locator('#learn-spread-terms').textContent()).toMatch(
        /reconstruction [\d.]+ \+ KL [\d.]+ = /,
      );
    }

    /** Widest layout box in the page, in CSS pixels (the document's scroll width). */
    function pageWidth(page: Page): Promise<number> {
      return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
    }

    for (const host of ['vite preview', 'compressing server'] as const) {
      it(`every view works from ${host}, on a desktop and a 390-px phone`, async () => {
        const site = host === 'vite preview' ? preview.url : compressingUrl;
        const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
        const page = await context.newPage();
        watch(page, host);
        for (const view of VIEWS) {
          await page.goto(`${site}?view=${view}&backend=wasm`);
          await waitReady(page, view);
          if (view === 'train') await trainAFewSteps(page);
          if (view === 'learn') await followOneDigit(page);
          if (host === 'compressing server') {
            await page.addScriptTag({ path: axePath });
            const violations = await page.evaluate(async () => {
              const axe = (window as unknown as { axe: { run(context: Document): Promise<AxeResults> } }).axe;
              return (await axe.run(document)).violations.map(
                (violation) =>
                  `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
              );
            });
            expect(violations, `axe on ${view}`).toEqual([]);
          }
        }
        await context.close();

        const phone = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
        const phonePage = await phone.newPage();
        watch(phonePage, `${host} (phone)`);
        const widths: Record<string, number> = {};
        for (const view of VIEWS) {
          await phonePage.goto(`${site}?view=${view}&backend=wasm`);
          await waitReady(phonePage, view);
          widths[view] = await pageWidth(phonePage);
        }
        console.info(`${host}: page widths at ${PHONE.width} px: ${JSON.stringify(widths)}`);
        for (const view of VIEWS) expect(widths[view], view).toBeLessThanOrEqual(PHONE.width);
        await phone.close();
        expect(problems).toEqual([]);
      }, 300_000);
    }

    it('the compressing server really compressed the data and the code', () => {
      expect(
        encoded.some((path) => /\/data\/mnist\/t10k-images-idx3-ubyte\.[0-9a-f]+\.bin$/.test(path)),
      ).toBe(true);
      expect(encoded.some((path) => path.endsWith('.js'))).toBe(true);
    });

    it('a data file answered with a web page fails its view alone, with a message and a retry', async () => {
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      let broken = true;
      await context.route('**/data/mnist/*.bin', async (route) => {
        if (!broken) return route.continue();
        const html = await readFile(join(outDirectory, 'index.html'));
        return route.fulfill({ status: 200, contentType: 'text/html', body: html });
      });
      const page = await context.newPage();
      const expected: string[] = [];
      watch(page, 'html fallback', expected);
      await page.goto(`${compressingUrl}?view=anomaly&backend=wasm`);
      await page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 90_000 });
      const text = await page.locator('#error').textContent();
      expect(text).toContain('with a web page');
      expect(text).toContain('t10k-');
      expect(await page.locator('#error-retry').isVisible()).toBe(true);

      // the other views still work
      await page.locator('#tab-sample').click();
      await waitReady(page, 'sample');
      expect(await page.locator('#error').isVisible()).toBe(false);
      await page.locator('#tab-anomaly').click();
      expect(await page.evaluate(() => document.body.dataset.state)).toBe('error');

      // retry once the host answers properly
      broken = false;
      await page.locator('#error-retry').click();
      await waitReady(page, 'anomaly');
      await context.close();
      expect(expected).toEqual([]);
    }, 180_000);

    it('a failed debiasing or recommendations run stops its view alone, with a message and Try again', async () => {
      // no service worker here: it would precache the chunk this test blocks
      const context = await browser.newContext({
        viewport: { width: 1200, height: 900 },
        serviceWorkers: 'block',
      });
      let broken = true;
      await context.route('**/assets/debias-run-*.js', (route) =>
        broken ? route.abort() : route.continue(),
      );
      const page = await context.newPage();
      const expected: string[] = [];
      watch(page, 'debias chunk blocked', expected);
      await page.goto(`${compressingUrl}?view=debias&backend=wasm&depochs=3`);
      await waitReady(page, 'debias');
      const state = () => page.evaluate(() => document.getElementById('view-debias')?.dataset.debiasState);
      await page.locator('#debias-run').click();
      await page.waitForFunction(
        () => ['error', 'done'].includes(document.getElementById('view-debias')?.dataset.debiasState ?? ''),
        null,
        { timeout: 90_000 },
      );
      expect(await state()).toBe('error');
      expect(await page.locator('#debias-log').textContent()).toContain('The debiasing run failed');
      expect(await page.locator('#debias-run').textContent()).toBe('Try again');
      // the other views still work, and the page is not in an error state
      await page.locator('#tab-sample').click();
      await waitReady(page, 'sample');
      await page.locator('#tab-debias').click();
      await waitReady(page, 'debias');
      // Try again once the chunk loads: a fresh worker runs the whole experiment
      broken = false;
      await page.locator('#debias-run').click();
      await page.waitForFunction(
        () => ['error', 'done'].includes(document.getElementById('view-debias')?.dataset.debiasState ?? ''),
        null,
        { timeout: 120_000 },
      );
      expect(await state(), (await page.locator('#debias-log').textContent()) ?? '').toBe('done');
      expect(await page.locator('#debias-results tr').count()).toBe(7);
      // the Recommendations view's run fails the same way, alone (its chunk blocked), keeping popularity's scores
      await context.route('**/assets/recommend-run-*.js', (route) => route.abort());
      await page.locator('#tab-recommend').click();
      await waitReady(page, 'recommend');
      await page.locator('#recommend-run').click();
      await page.waitForFunction(
        () =>
          ['error', 'done'].includes(document.getElementById('view-recommend')?.dataset.recommendState ?? ''),
        null,
        { timeout: 90_000 },
      );
      expect(await page.locator('#recommend-log').textContent()).toContain('Training the recommender failed');
      expect(await page.locator('#recommend-run').textContent()).toBe('Try again');
      expect(await page.locator('#recommend-results tr').count()).toBe(4);
      expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
      await context.close();
    }, 240_000);

    it('works offline after the first visit (service worker)', async () => {
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const page = await context.newPage();
      watch(page, 'offline');
      await page.goto(`${compressingUrl}?view=explore&backend=wasm`);
      await waitReady(page, 'explore');
      // the worker has installed, controls the page and has kept what the page loaded before it took control
      await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, {
        timeout: 60_000,
      });
      // a view visited after that is cached as it loads
      await page.locator('#tab-sample').click();
      await waitReady(page, 'sample');
      await page.waitForFunction(
        async () => {
          if (!(await caches.keys()).includes('vae-demo-models')) return false;
          const urls = (await (await caches.open('vae-demo-models')).keys()).map((request) => request.url);
          return ['mnist-vae-2d/weights.bin', 'mnist-vae-2d/codes.json', 'mnist-vae/weights.bin'].every(
            (name) => urls.some((url) => url.endsWith(name)),
          );
        },
        null,
        { timeout: 60_000 },
      );
      await context.setOffline(true);
      await page.goto(`${compressingUrl}?view=explore&backend=wasm`);
      await waitReady(page, 'explore');
      await page.locator('#tab-sample').click();
      await waitReady(page, 'sample');
      await context.close();
    }, 180_000);

    it('stays within its size budget, without the threaded wasm binary or UMAP', async () => {
      const files = filesUnder(outDirectory);
      const total = files.reduce((sum, file) => sum + file.bytes, 0);
      const code = files.filter((file) => file.path.startsWith(`assets${sep}`));
      const codeBytes = code.reduce((sum, file) => sum + file.bytes, 0);
      const largest = Math.max(...code.map((file) => file.bytes));
      console.info(
        `build: ${total} bytes in all, code ${codeBytes} bytes, largest file in assets/ ${largest} bytes`,
      );
      expect(total).toBeLessThanOrEqual(BUDGET.total);
      expect(codeBytes).toBeLessThanOrEqual(BUDGET.code);
      expect(largest).toBeLessThanOrEqual(BUDGET.largestChunk);
      expect(files.filter((file) => /threaded/.test(file.path))).toEqual([]);
      for (const file of code.filter((entry) => entry.path.endsWith('.js'))) {
        const text = await readFile(join(outDirectory, file.path), 'utf8');
        expect(/nNeighbors|umap-js/i.test(text), file.path).toBe(false);
      }
      expect(existsSync(join(outDirectory, 'index.html'))).toBe(true);
      expect(existsSync(join(outDirectory, 'sw.js'))).toBe(true);
    });
  },
);
