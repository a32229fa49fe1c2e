/**
 * End to end: builds the demo for production, serves it from a sub-path (/vae/) with a plain static server, and
 * drives it in headless Chromium: every view, every backend, a short training run. Needs the libraries built
 * (`pnpm turbo run build`) and Chromium (VAE_CHROMIUM). Screenshots of each view go to a temporary folder, printed
 * at the end. VAE_DEMO_DIST=<folder> serves an existing build instead of building (for quick reruns).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, launchChromium, serveStatic } from './serve';

const haveChromium = process.env.VAE_HAVE_CHROMIUM === '1';
/**
 * What the Debiasing view's run (seed 1, the default settings) must at least show: the worst-group accuracy up, and
 * the gap down, by this much (see the margins measured in Node for seeds 1-3 in debias-setup.ts).
 */
const DEBIAS_MARGIN = 0.2;
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';
if (inCi && !haveChromium) {
  throw new Error('CI is set but Chromium is missing: the demo test must run in CI (set VAE_CHROMIUM).');
}

interface CanvasSummary {
  width: number;
  height: number;
  distinctGreys: number;
  /** Mean brightness in [0, 255]. */
  mean: number;
  /** A cheap fingerprint of the pixels. */
  checksum: number;
}

function canvasSummary(page: Page, id = 'samples'): Promise<CanvasSummary> {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const greys = new Set<number>();
    let checksum = 0;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) {
      greys.add(data[i]);
      sum += data[i];
      checksum = (checksum * 31 + data[i] + i) % 2147483647;
    }
    return {
      width: canvas.width,
      height: canvas.height,
      distinctGreys: greys.size,
      mean: sum / (data.length / 4),
      checksum,
    };
  }, id);
}

/** Reads a number from a data attribute of an element. */
function dataNumber(page: Page, selector: string, key: string): Promise<number> {
  return page.$eval(
    selector,
    (element, name) => Number((element as HTMLElement).dataset[name] ?? 'NaN'),
    key,
  );
}

describe.skipIf(!haveChromium)('demo (production build in Chromium, served from a sub-path)', () => {
  let outDirectory: string;
  let builtHere = false;
  let screenshotDirectory: string;
  let server: Server;
  let browser: Browser;
  let siteUrl: string;
  /** What the status line should say about the shipped 20-D model, computed from its model.json. */
  let modelInfo: string;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const offOrigin: string[] = [];

  beforeAll(async () => {
    screenshotDirectory = mkdtempSync(join(tmpdir(), 'vae-demo-screens-'));
    ({ directory: outDirectory, built: builtHere } = buildDemo());
    for (const name of [
      'mnist-vae',
      'mnist-vae-2d',
      'fashion-vae-2d',
      'mnist-dae',
      'dsprites-vae',
      'dsprites-beta-vae',
      'mnist-ae-2d',
      'mnist-vae-2d-small',
      'mnist-beta-vae-2d',
    ]) {
      expect(existsSync(join(outDirectory, 'models', name, 'model.json')), name).toBe(true);
      expect(existsSync(join(outDirectory, 'models', name, 'weights.bin')), name).toBe(true);
    }
    expect(existsSync(join(outDirectory, 'models', 'mnist-vae-2d', 'codes.json'))).toBe(true);
    expect(existsSync(join(outDirectory, 'models', 'fashion-vae-2d', 'codes.json'))).toBe(true);
    // data under fingerprinted names that hosts do not decode (see vite-plugin-demo-data.ts)
    const dataFiles = readdirSync(join(outDirectory, 'data', 'mnist'));
    expect(dataFiles.some((name) => /^t10k-images-idx3-ubyte\.[0-9a-f]{10}\.bin$/.test(name))).toBe(true);
    expect(
      readdirSync(join(outDirectory, 'data')).some((name) => /^digits\.[0-9a-f]{10}\.png$/.test(name)),
    ).toBe(true);
    const saved = JSON.parse(await readFile(join(outDirectory, 'models', 'mnist-vae', 'model.json'), 'utf8'));
    const { inputShape, hiddenUnits, latentDim } = saved.modelTopology.config;
    const parameters = saved.weightsManifest
      .flatMap((group: { weights: { shape: number[] }[] }) => group.weights)
      .reduce((sum: number, weight: { shape: number[] }) => sum + weight.shape.reduce((a, b) => a * b, 1), 0);
    const inputSize = inputShape.reduce((a: number, b: number) => a * b, 1);
    modelInfo =
      `VAE ${[inputSize, ...hiddenUnits, latentDim].join('-')}, latent size ${latentDim}, ` +
      `${parameters.toLocaleString('en-US')} parameters`;

    ({ server, url: siteUrl } = await serveStatic(outDirectory, requests));
    browser = await launchChromium(['--enable-unsafe-webgpu']);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (builtHere && outDirectory) rmSync(outDirectory, { recursive: true, force: true });
    if (pageErrors.length) console.warn(`page errors:\n${pageErrors.join('\n')}`);
    if (screenshotDirectory) console.info(`demo screenshots kept in ${screenshotDirectory}`);
  });

  /** Records uncaught errors, console errors and requests that leave the site's origin. */
  function watch(page: Page, label: string): void {
    page.on('pageerror', (error) => pageErrors.push(`${label}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${label}: ${message.text()}`);
    });
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(siteUrl) && !/^(data|blob):/.test(url)) offOrigin.push(`${label}: ${url}`);
    });
  }

  /** Opens the demo with a query string and waits until it is ready or has failed. */
  async function open(query: string, on: Browser | BrowserContext = browser, label = query): Promise<Page> {
    const page = await on.newPage({ viewport: { width: 1200, height: 1000 } });
    watch(page, label);
    await page.goto(`${siteUrl}${query}`);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 60_000,
    });
    return page;
  }

  async function expectNoErrors(page: Page): Promise<void> {
    const error = await page.locator('#error').textContent();
    expect(await page.evaluate(() => document.body.dataset.state), `page error: ${error}`).toBe('ready');
  }

  async function expectSamplesReady(page: Page, backend: string): Promise<void> {
    const body = await page.evaluate(() => ({ ...document.body.dataset }));
    const error = await page.locator('#error').textContent();
    expect(body.state, `page error: ${error}`).toBe('ready');
    expect(body.backend).toBe(backend);
    expect(await page.locator('#backend-active').textContent()).toBe(backend);
    await expect.poll(() => page.locator('#status').textContent()).toContain(`Backend ${backend}`);
    await expect.poll(() => page.locator('#status').textContent()).toContain(modelInfo);
    const summary = await canvasSummary(page);
    expect(summary.width).toBeGreaterThan(200);
    expect(summary.distinctGreys).toBeGreaterThan(10);
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(screenshotDirectory, `${name}.png`), fullPage: true });
  }

  it('opens on the latent explorer and decodes the point under the pointer on every move', async () => {
    const page = await open('');
    await expectNoErrors(page);
    expect(await page.evaluate(() => document.body.dataset.view)).toBe('explore');
    expect(await page.evaluate(() => document.body.dataset.backend)).toBe('wasm');
    expect(await page.locator('#status').textContent()).toContain('latent size 2');
    expect(await page.locator('#status').textContent()).toContain('2,000 test digits');
    expect(await page.locator('#explore-legend button').count()).toBe(10);
    const manifold = await canvasSummary(page, 'explore-manifold');
    expect(manifold.distinctGreys).toBeGreaterThan(50);

    const map = page.locator('#explore-map');
    const box = (await map.boundingBox())!;
    const summaries: CanvasSummary[] = [];
    const zs: string[] = [];
    for (const [fx, fy] of [
      [0.3, 0.3],
      [0.7, 0.65],
      [0.5, 0.8],
    ]) {
      const renders = await dataNumber(page, '#explore-decoded', 'renders');
      await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height, { steps: 4 });
      await page.waitForFunction((count) => {
        const canvas = document.getElementById('explore-decoded') as HTMLCanvasElement;
        return Number(canvas.dataset.renders) > count;
      }, renders);
      await page.waitForTimeout(50);
      summaries.push(await canvasSummary(page, 'explore-decoded'));
      zs.push(await page.$eval('#explore-decoded', (canvas) => (canvas as HTMLElement).dataset.z ?? ''));
    }
    for (const summary of summaries) {
      expect(summary.distinctGreys).toBeGreaterThan(10); // a digit, not a blank
      expect(summary.mean).toBeGreaterThan(8);
      expect(summary.mean).toBeLessThan(160);
    }
    expect(new Set(summaries.map((summary) => summary.checksum)).size).toBe(3);
    expect(new Set(zs).size).toBe(3);
    // the latent point is shared through the URL
    const z = zs[2].split(',').map(Number);
    await expect
      .poll(() => new URL(page.url()).searchParams.get('z'))
      .toBe(`${z[0].toFixed(2)},${z[1].toFixed(2)}`);
    const shared = page.url();
    // the legend highlights a class
    await page.locator('#explore-legend button[data-label="3"]').click();
    expect(await page.locator('#explore-legend button[data-label="3"]').getAttribute('aria-pressed')).toBe(
      'true',
    );
    await screenshot(page, 'explore');
    await page.close();

    // opening the shared link decodes the same point
    const again = await open(shared.slice(siteUrl.length));
    await again.waitForFunction(
      () => Number(document.getElementById('explore-decoded')?.dataset.renders) > 0,
    );
    expect(await again.$eval('#explore-decoded', (canvas) => (canvas as HTMLElement).dataset.z)).toBe(
      `${z[0].toFixed(3)},${z[1].toFixed(3)}`,
    );
    expect((await canvasSummary(again, 'explore-decoded')).checksum).toBe(summaries[2].checksum);
    await again.close();
  });

  it('switches the explorer to Fashion-MNIST and decodes its map, keeping the point', async () => {
    const page = await open('?z=-1.00,1.00');
    await expectNoErrors(page);
    expect(await page.locator('#explore-data-mnist').getAttribute('aria-pressed')).toBe('true');
    const digit = await canvasSummary(page, 'explore-decoded');
    const digitManifold = await canvasSummary(page, 'explore-manifold');
    const renders = await dataNumber(page, '#explore-decoded', 'renders');
    await page.locator('#explore-data-fashion').click();
    await page.waitForFunction(
      (count) =>
        document.getElementById('view-explore')?.dataset.dataset === 'fashion' &&
        document.getElementById('view-explore')?.dataset.ready === 'true' &&
        Number(document.getElementById('explore-decoded')?.dataset.renders) > count,
      renders,
    );
    await expect.poll(() => page.locator('#status').textContent()).toContain('2,000 test images');
    expect(await page.locator('#explore-data-fashion').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#explore-legend button').count()).toBe(10);
    expect(await page.locator('#explore-legend').textContent()).toContain('sneaker');
    expect(await page.$eval('#explore-decoded', (canvas) => (canvas as HTMLElement).dataset.z)).toBe(
      '-1.000,1.000',
    );
    const garment = await canvasSummary(page, 'explore-decoded');
    expect(garment.distinctGreys).toBeGreaterThan(10);
    expect(garment.mean).toBeGreaterThan(8);
    expect(garment.checksum).not.toBe(digit.checksum);
    const manifold = await canvasSummary(page, 'explore-manifold');
    expect(manifold.distinctGreys).toBeGreaterThan(50);
    expect(manifold.checksum).not.toBe(digitManifold.checksum);
    // a move decodes Fashion-MNIST's decoder, and the data set is in the link
    const box = (await page.locator('#explore-map').boundingBox())!;
    const before = await dataNumber(page, '#explore-decoded', 'renders');
    await page.mouse.move(box.x + 0.3 * box.width, box.y + 0.4 * box.height, { steps: 3 });
    await page.waitForFunction(
      (count) => Number(document.getElementById('explore-decoded')?.dataset.renders) > count,
      before,
    );
    expect((await canvasSummary(page, 'explore-decoded')).checksum).not.toBe(garment.checksum);
    await expect.poll(() => new URL(page.url()).searchParams.get('data')).toBe('fashion');
    await screenshot(page, 'explore-fashion');
    await page.close();
  });

  it('encodes a drawn stroke, inpaints an erased part and cleans noise', async () => {
    const page = await open('?view=draw');
    await expectNoErrors(page);
    await page.waitForFunction(() => document.getElementById('view-draw')?.dataset.ready === 'true');
    const pad = (await page.locator('#draw-pad').boundingBox())!;
    const at = (x: number, y: number) =>
      [pad.x + (x / 280) * pad.width, pad.y + (y / 280) * pad.height] as const;
    const renders = await dataNumber(page, '#draw-reconstruction', 'renders');
    // a "7": a bar and a diagonal
    await page.mouse.move(...at(80, 70));
    await page.mouse.down();
    for (const [x, y] of [
      [130, 68],
      [200, 66],
      [175, 130],
      [150, 190],
      [130, 235],
    ]) {
      await page.mouse.move(...at(x, y), { steps: 6 });
    }
    await page.mouse.up();
    await page.waitForFunction(
      (count) => {
        const canvas = document.getElementById('draw-reconstruction') as HTMLCanvasElement;
        return Number(canvas.dataset.renders) > count && canvas.dataset.empty === 'false';
      },
      renders,
      { timeout: 30_000 },
    );
    await page.waitForTimeout(300);
    const input = await canvasSummary(page, 'draw-input');
    const reconstruction = await canvasSummary(page, 'draw-reconstruction');
    expect(input.mean).toBeGreaterThan(10);
    expect(reconstruction.distinctGreys).toBeGreaterThan(10);
    expect(reconstruction.mean).toBeGreaterThan(10);
    expect(await page.locator('#draw-stats').textContent()).toMatch(/2-D code: mean \(-?\d/);
    expect((await canvasSummary(page, 'draw-samples')).distinctGreys).toBeGreaterThan(10);
    await screenshot(page, 'draw');

    // load a test digit, erase its lower half: the erased part is inpainted
    const examples = (await page.locator('#draw-examples').boundingBox())!;
    await page.mouse.click(examples.x + (8.5 / 10) * examples.width, examples.y + examples.height / 2);
    expect(await page.locator('#draw-eraser').getAttribute('aria-pressed')).toBe('true');
    await page.mouse.move(...at(20, 200));
    await page.mouse.down();
    await page.mouse.move(...at(260, 200), { steps: 8 });
    await page.mouse.move(...at(260, 230), { steps: 2 });
    await page.mouse.move(...at(20, 230), { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(() => Number(document.getElementById('draw-inpainted')?.dataset.renders) > 0);
    expect(await page.locator('#draw-inpainted-figure').isVisible()).toBe(true);
    expect(await page.locator('#draw-stats').textContent()).toMatch(/\d+ erased pixels inpainted/);
    await screenshot(page, 'draw-inpainted');

    // noise on a fresh digit: the input gets noisy, the reconstruction stays clean
    await page.mouse.click(examples.x + (3.5 / 10) * examples.width, examples.y + examples.height / 2);
    expect(await page.locator('#draw-noise-kind').inputValue()).toBe('masking');
    await page.locator('#draw-noise-kind').selectOption('salt-and-pepper');
    await page.locator('#draw-noise').fill('0.1');
    await expect.poll(() => page.locator('#draw-stats').textContent()).toContain('10 % of pixels noisy');
    expect(await page.locator('#draw-inpainted-figure').isVisible()).toBe(false);
    const noisyError = await dataNumber(page, '#view-draw', 'noisyError');
    const cleanedError = await dataNumber(page, '#view-draw', 'cleanedError');
    expect(cleanedError).toBeLessThan(0.7 * noisyError);
    // the denoising autoencoder's output is shown beside the VAE's reconstruction
    expect(await page.locator('#draw-denoised-figure').isVisible()).toBe(true);
    expect(await dataNumber(page, '#draw-denoised', 'renders')).toBeGreaterThan(0);
    const denoised = await canvasSummary(page, 'draw-denoised');
    expect(denoised.distinctGreys).toBeGreaterThan(10);
    expect(denoised.checksum).not.toBe((await canvasSummary(page, 'draw-reconstruction')).checksum);
    expect(await page.locator('#draw-stats').textContent()).toContain(
      "the denoising autoencoder's output by",
    );
    // masking noise, as the denoiser was trained with: half the pixels blanked
    await page.locator('#draw-noise-kind').selectOption('masking');
    await page.locator('#draw-noise').fill('0.5');
    await expect.poll(() => page.locator('#draw-stats').textContent()).toContain('50 % of pixels noisy');
    const maskedError = await dataNumber(page, '#view-draw', 'noisyError');
    const maskedDenoised = await dataNumber(page, '#view-draw', 'denoisedError');
    expect(maskedDenoised).toBeLessThan(0.7 * maskedError);
    expect(maskedDenoised).toBeLessThan(await dataNumber(page, '#view-draw', 'cleanedError'));
    await screenshot(page, 'draw-noise');

    // hand the drawing to the interpolation view
    await page.locator('#draw-use').click();
    await page.waitForFunction(() => document.getElementById('view-interpolate')?.dataset.ready === 'true');
    expect(await page.evaluate(() => document.body.dataset.view)).toBe('interpolate');
    await page.close();
  });

  it('interpolates between two picked digits, linearly and spherically, and morphs with a slider', async () => {
    const page = await open('?view=interpolate&a=0.1&b=6.2');
    await expectNoErrors(page);
    await page.waitForFunction(
      () => Number(document.getElementById('interp-spherical')?.dataset.renders) > 0,
    );
    const linear = await canvasSummary(page, 'interp-linear');
    const spherical = await canvasSummary(page, 'interp-spherical');
    expect(linear.width).toBeGreaterThan(500);
    expect(linear.distinctGreys).toBeGreaterThan(10);
    expect(spherical.checksum).not.toBe(linear.checksum);
    const before = await canvasSummary(page, 'interp-morph');
    const renders = await dataNumber(page, '#interp-morph', 'renders');
    await page.locator('#interp-t').fill('0.9');
    await page.waitForFunction(
      (count) => Number(document.getElementById('interp-morph')?.dataset.renders) > count,
      renders,
    );
    expect((await canvasSummary(page, 'interp-morph')).checksum).not.toBe(before.checksum);
    // pick a new end from the palette: the strip changes and the URL follows
    const palette = (await page.locator('#interp-digits').boundingBox())!;
    const stripRenders = await dataNumber(page, '#interp-linear', 'renders');
    await page.mouse.click(palette.x + 0.35 * palette.width, palette.y + 0.45 * palette.height);
    await page.waitForFunction(
      (count) => Number(document.getElementById('interp-linear')?.dataset.renders) > count,
      stripRenders,
    );
    expect((await canvasSummary(page, 'interp-linear')).checksum).not.toBe(linear.checksum);
    await expect.poll(() => new URL(page.url()).searchParams.get('a')).toBe('4.3');
    await screenshot(page, 'interpolate');
    await page.close();
  });

  it('draws samples with the wasm backend and draws new ones on request', async () => {
    const page = await open('?view=sample&backend=wasm');
    await expectSamplesReady(page, 'wasm');
    await screenshot(page, 'sample');

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
    await expect.poll(() => new URL(page.url()).searchParams.get('t')).toBe('0.30');
    await page.close();
  });

  it('picks wasm by default here (software GPUs only) and falls back to webgl when wasm cannot load', async () => {
    const page = await open('?view=sample');
    await expectSamplesReady(page, 'wasm');
    await page.close();

    const context = await browser.newContext();
    await context.route('**/*.wasm', (route) => route.abort());
    const blocked = await open('?view=sample', context, 'wasm blocked');
    await expectSamplesReady(blocked, 'webgl');
    expect(await blocked.locator('#status').textContent()).toContain('after wasm failed');
    await context.close();
  });

  it('runs on the webgl, cpu and webgpu backends when asked, and switches backend from the picker', async () => {
    for (const backend of ['webgl', 'cpu', 'webgpu']) {
      const page = await open(`?view=sample&backend=${backend}`);
      await expectSamplesReady(page, backend);
      if (backend === 'webgpu') await screenshot(page, 'sample-webgpu');
      await page.close();
    }
    // the picker reloads the page on the chosen backend, keeping the view and its state
    const page = await open('?z=1.00,-0.50');
    await Promise.all([page.waitForURL(/backend=cpu/), page.locator('#backend-select').selectOption('cpu')]);
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    expect(await page.evaluate(() => document.body.dataset.backend)).toBe('cpu');
    expect(await page.$eval('#explore-decoded', (canvas) => (canvas as HTMLElement).dataset.z)).toBe(
      '1.000,-0.500',
    );
    await page.close();
  });

  it('trains a VAE live in a worker: the loss falls, and the model exports and opens in the explorer', async () => {
    const page = await open('?view=train');
    await expectNoErrors(page);
    await page.locator('select[name="examples"]').selectOption('1000');
    await page.locator('select[name="batch"]').selectOption('64');
    await page.locator('input[name="epochs"]').fill('1');
    await page.locator('select[name="latent"]').selectOption('2');
    // long tasks (over 50 ms) of the page's main thread while the worker trains
    await page.evaluate(() => {
      const durations: number[] = [];
      (window as unknown as { longTasks: number[] }).longTasks = durations;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) durations.push(Math.round(entry.duration));
      }).observe({ type: 'longtask' });
    });
    await page.locator('#train-start').click();
    await page.waitForFunction(
      () => ['done', 'error'].includes(document.getElementById('view-train')?.dataset.trainState ?? ''),
      null,
      { timeout: 90_000 },
    );
    expect(await page.locator('#train-log').textContent()).toContain('Finished after 16 steps');
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    console.info(`long tasks on the main thread while training: ${JSON.stringify(longTasks)}`);
    // Reported, not asserted: wall-clock long tasks depend on what else the machine runs (CI runs test projects in
    // parallel on 2 cores). Quiet runs here saw [] and [60]; under CI load [99, 64]. The charts append to kept SVG
    // nodes (live-chart.ts) rather than re-rendering; that is the structural guarantee.
    expect(Array.isArray(longTasks)).toBe(true);
    expect(await dataNumber(page, '#view-train', 'steps')).toBe(16);
    const first = await dataNumber(page, '#view-train', 'firstLoss');
    const last = await dataNumber(page, '#view-train', 'lastLoss');
    expect(first).toBeGreaterThan(400); // about 784 ln 2 = 543 nats at the start
    expect(last).toBeLessThan(first - 100);
    expect(await page.locator('#train-epochs tr').count()).toBe(1);
    // the charts grow point by point (one polyline per series, kept between frames)
    expect(await dataNumber(page, '#train-chart-reconstruction', 'points')).toBe(16);
    expect(await dataNumber(page, '#train-chart-kl', 'points')).toBe(16);
    expect(
      await page.$eval(
        '#train-chart-reconstruction polyline',
        (line) => (line as SVGPolylineElement).points.length,
      ),
    ).toBe(16);
    expect((await canvasSummary(page, 'train-preview')).distinctGreys).toBeGreaterThan(10);
    expect(await page.evaluate(() => document.getElementById('view-train')?.dataset.workerBackend)).toBe(
      'wasm',
    );

    await page.locator('#train-export').click();
    await page.waitForFunction(() => document.getElementById('view-train')?.dataset.exported === 'true');
    const links = await page.$$eval('#train-downloads a', (anchors) =>
      anchors.map((anchor) => ({
        name: (anchor as HTMLAnchorElement).download,
        bytes: Number((anchor as HTMLElement).dataset.bytes),
      })),
    );
    expect(links.map((link) => link.name)).toEqual(['model.json', 'weights.bin']);
    expect(links[1].bytes).toBe(4 * (784 * 400 + 400 + 400 * 4 + 4 + 2 * 400 + 400 + 400 * 784 + 784));
    await screenshot(page, 'train');

    await page.locator('#train-use').click();
    await page.waitForFunction(
      () =>
        document.body.dataset.view === 'explore' &&
        document.getElementById('view-explore')?.dataset.ready === 'true',
    );
    await expect.poll(() => page.locator('#status').textContent()).toContain('1,000 test digits');
    expect((await canvasSummary(page, 'explore-decoded')).distinctGreys).toBeGreaterThan(5);
    await page.close();
  });

  it('pauses, resumes and aborts a training run, in 2 replicas (nested Web Workers, transferred buffers)', async () => {
    const page = await open('?view=train&workers=2');
    await page.locator('select[name="examples"]').selectOption('1000');
    await page.locator('select[name="batch"]').selectOption('32');
    await page.locator('input[name="epochs"]').fill('5');
    await page.locator('#train-start').click();
    await page.waitForFunction(
      () => Number(document.getElementById('view-train')?.dataset.steps) >= 2,
      null,
      {
        timeout: 60_000,
      },
    );
    // the training worker and one replica worker it started (the worker chunk is in the build)
    expect(await page.evaluate(() => document.getElementById('view-train')?.dataset.replicas)).toBe('2');
    await page.locator('#train-pause').click();
    await page.waitForFunction(() => document.getElementById('view-train')?.dataset.trainState === 'paused');
    const paused = await dataNumber(page, '#view-train', 'steps');
    await page.waitForTimeout(400);
    expect(await dataNumber(page, '#view-train', 'steps')).toBe(paused);
    expect(await page.locator('#train-pause').textContent()).toBe('Resume');
    await page.locator('#train-pause').click();
    await page.waitForFunction(
      (count) => Number(document.getElementById('view-train')?.dataset.steps) > count,
      paused,
    );
    await page.locator('#train-abort').click();
    await page.waitForFunction(() => document.getElementById('view-train')?.dataset.trainState === 'aborted');
    expect(await dataNumber(page, '#view-train', 'steps')).toBeLessThan(5 * 32);
    expect(await page.locator('#train-export').isEnabled()).toBe(true);
    await page.close();
  });

  it('decodes the beta-VAE and the plain VAE live from sliders, with the KL of each latent number', async () => {
    const page = await open('?view=disentangle');
    await expectNoErrors(page);
    await page.waitForFunction(() => document.getElementById('view-disentangle')?.dataset.ready === 'true');
    expect(await page.locator('#dis-input').getAttribute('data-sprite')).toMatch(/^\d+$/);
    expect((await canvasSummary(page, 'dis-input')).distinctGreys).toBe(2); // a binary sprite
    const status = await page.locator('#status').textContent();
    expect(status).toMatch(/β-VAE: \d+ numbers used, plain VAE: \d+/);
    for (const side of ['beta', 'plain']) {
      const panel = `#dis-${side}`;
      expect(await page.locator(`${panel} input[type="range"]`).count()).toBe(10);
      const kl = (await page.$eval(
        '#view-disentangle',
        (s, key) => (s as HTMLElement).dataset[key],
        `kl${side === 'beta' ? 'Beta' : 'Plain'}`,
      ))!
        .split(',')
        .map(Number);
      expect(kl).toHaveLength(10);
      for (const value of kl) expect(value).toBeGreaterThanOrEqual(0);
      // rows are sorted by KL, most used first
      const shown = await page.$$eval(`${panel} .dis-row`, (rows) =>
        rows.map((row) => Number((row as HTMLElement).dataset.dimension)),
      );
      const sorted = shown.map((j) => kl[j]);
      expect(sorted).toEqual([...sorted].sort((a, b) => b - a));
      expect(sorted[0]).toBeGreaterThan(0.5); // at least one number carries the sprite

      // moving the most used number's slider decodes a different, non-blank sprite
      const decoded = `dis-${side}-decoded`;
      const before = await canvasSummary(page, decoded);
      expect(before.distinctGreys).toBeGreaterThan(5);
      const renders = await dataNumber(page, `#${decoded}`, 'renders');
      const slider = page.locator(`${panel} .dis-row`).first().locator('input');
      const value = Number(await slider.inputValue());
      await slider.fill(value > 0 ? '-2.5' : '2.5');
      await page.waitForFunction(
        ([id, count]) => Number(document.getElementById(id as string)?.dataset.renders) > (count as number),
        [decoded, renders],
      );
      const after = await canvasSummary(page, decoded);
      expect(after.checksum).not.toBe(before.checksum);
      expect(after.distinctGreys).toBeGreaterThan(5);
      expect(after.mean).toBeGreaterThan(2);
      expect((await page.$eval(`#${decoded}`, (c) => (c as HTMLElement).dataset.z))!.split(',')).toContain(
        value > 0 ? '-2.50' : '2.50',
      );
      // its strip decodes the number from -3 to 3: seven different sprites, not blanks
      const strip = await canvasSummary(page, `dis-${side}-strip-z${shown[0]}`);
      expect(strip.distinctGreys).toBeGreaterThan(5);
      expect(strip.mean).toBeGreaterThan(2);
    }
    // the β-TCVAE keeps less information than the plain VAE, and uses no more numbers
    const kls = async (key: string) =>
      (await page.$eval('#view-disentangle', (s, name) => (s as HTMLElement).dataset[name], key))!
        .split(',')
        .map(Number);
    const [beta, plain] = [await kls('klBeta'), await kls('klPlain')];
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(sum(beta)).toBeLessThan(0.75 * sum(plain));
    expect(await dataNumber(page, '#view-disentangle', 'activeBeta')).toBeLessThanOrEqual(
      await dataNumber(page, '#view-disentangle', 'activePlain'),
    );
    expect(await page.locator('#dis-beta-info').textContent()).toMatch(/x position 0\.\d\d, y position/);
    // rows are named from r² measured on held-out sprites (sapScore of @vae/metrics): the β-TCVAE has one number
    // for x and another for y, and its MIG (mutualInformationGap) beats the plain VAE's
    const follows = await page.$$eval('#dis-beta .dis-row', (rows) =>
      rows.map((row) => (row as HTMLElement).dataset.follows ?? ''),
    );
    for (const factor of follows) expect(['posX', 'posY', 'scale', 'mixed', 'unused']).toContain(factor);
    for (const factor of ['posX', 'posY', 'scale']) {
      expect(follows.filter((f) => f === factor).length).toBeLessThanOrEqual(1);
    }
    expect(follows.indexOf('posX')).toBeGreaterThanOrEqual(0);
    expect(follows.indexOf('posY')).toBeGreaterThanOrEqual(0);
    expect(follows.indexOf('posX')).not.toBe(follows.indexOf('posY'));
    expect(await dataNumber(page, '#view-disentangle', 'migBeta')).toBeGreaterThan(
      await dataNumber(page, '#view-disentangle', 'migPlain'),
    );
    await screenshot(page, 'disentangle');

    // another sprite sets both models' sliders and goes into the link
    const renders = await dataNumber(page, '#dis-plain-decoded', 'renders');
    await page.locator('#dis-random').click();
    await page.waitForFunction(
      (count) => Number(document.getElementById('dis-plain-decoded')?.dataset.renders) > count,
      renders,
    );
    const sprite = await page.locator('#dis-input').getAttribute('data-sprite');
    await expect.poll(() => new URL(page.url()).searchParams.get('s')).toBe(sprite);
    await page.close();
  });

  it('scores a drawing against the scores of normal digits (anomaly)', async () => {
    const page = await open('?view=anomaly');
    await expectNoErrors(page);
    await page.waitForFunction(
      () => document.getElementById('view-anomaly')?.dataset.ready === 'true',
      null,
      {
        timeout: 60_000,
      },
    );
    expect(await page.locator('#anomaly-histogram rect.bar').count()).toBeGreaterThan(20);
    const scoreAfter = async (button: string) => {
      const renders = Number(
        (await page.$eval('#view-anomaly', (s) => (s as HTMLElement).dataset.renders)) ?? 0,
      );
      await page.locator(button).click();
      await page.waitForFunction(
        (count) => Number(document.getElementById('view-anomaly')?.dataset.renders ?? 0) > count,
        renders,
      );
      return {
        score: await dataNumber(page, '#view-anomaly', 'score'),
        percentile: await dataNumber(page, '#view-anomaly', 'percentile'),
      };
    };
    const digit = await scoreAfter('#anomaly-digit');
    const turned = await scoreAfter('#anomaly-rotated');
    const noise = await scoreAfter('#anomaly-noise');
    expect(digit.percentile).toBeLessThan(95);
    expect(noise.percentile).toBeGreaterThan(99);
    expect(noise.score).toBeGreaterThan(turned.score);
    expect(turned.score).toBeGreaterThan(digit.score);
    expect(await page.locator('#anomaly-histogram line.threshold').count()).toBe(1);
    expect(await page.locator('#anomaly-verdict').textContent()).toMatch(/Unusual|not a digit/);

    // a drawn stroke gets a score too
    await page.locator('#anomaly-clear').click();
    const pad = (await page.locator('#anomaly-pad').boundingBox())!;
    await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.locator('#anomaly-score').textContent()).toMatch(/^\d+ nats$/);
    await screenshot(page, 'anomaly');
    await page.close();
  });

  it('debiasing: trains a DB-VAE without and with resampling in a worker, per-subgroup accuracy and the upweighted hearts', async () => {
    const page = await open('?view=debias');
    await expectNoErrors(page);
    await page.waitForFunction(() => document.getElementById('view-debias')?.dataset.ready === 'true');
    // the four subgroups, drawn from the generator before any training
    expect(await page.locator('#debias-groups canvas').count()).toBe(4);
    expect(await page.locator('#debias-groups figcaption').allTextContents()).toEqual([
      'heart',
      'heart (inverted)',
      'not heart',
      'not heart (inverted)',
    ]);
    // the rare kind can be small hearts instead: the examples follow, with a note on what to expect
    await page.locator('select[name="drare"]').selectOption('small');
    expect(await page.locator('#debias-small-note').isVisible()).toBe(true);
    expect(await page.locator('#debias-groups figcaption').nth(1).textContent()).toBe('heart (small)');
    await expect.poll(() => new URL(page.url()).searchParams.get('drare')).toBe('small');
    await page.locator('select[name="drare"]').selectOption('inverted');
    expect(await page.locator('#debias-small-note').isVisible()).toBe(false);
    const state = () => page.evaluate(() => document.getElementById('view-debias')?.dataset.debiasState);
    expect(await state()).toBe('idle');
    expect(await page.locator('#debias-method').textContent()).toContain('balanced test set of 800 images');

    // Stop ends a run between two steps
    await page.locator('select[name="depochs"]').selectOption('10');
    await page.locator('#debias-run').click();
    await page.waitForFunction(
      () => Number(document.getElementById('view-debias')?.dataset.steps) >= 8,
      null,
      {
        timeout: 60_000,
      },
    );
    await page.locator('#debias-stop').click();
    await page.waitForFunction(
      () => document.getElementById('view-debias')?.dataset.debiasState === 'aborted',
      null,
      { timeout: 30_000 },
    );
    expect(await page.locator('#debias-log').textContent()).toContain('Stopped');

    // a whole run, started from the keyboard, with the default settings (seed 1, 6 epochs)
    await page.locator('select[name="depochs"]').selectOption('6');
    await expect.poll(() => new URL(page.url()).searchParams.get('depochs')).toBeNull();
    await page.locator('#debias-run').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () =>
        ['done', 'error', 'aborted'].includes(
          document.getElementById('view-debias')?.dataset.debiasState ?? '',
        ),
      null,
      { timeout: 180_000 },
    );
    const log = (await page.locator('#debias-log').textContent()) ?? '';
    expect(await state(), log).toBe('done');
    console.info(`debiasing: ${log}`);
    expect(await page.evaluate(() => document.getElementById('view-debias')?.dataset.workerBackend)).toBe(
      'wasm',
    );
    // 4 subgroups, then the worst group, the gap and overall accuracy
    expect(await page.locator('#debias-results tr').count()).toBe(7);
    const cells = await page.$$eval('#debias-results tr', (rows) =>
      rows.map((row) => Array.from(row.children, (cell) => cell.textContent ?? '')),
    );
    expect(cells.slice(0, 4).map((row) => row[1])).toEqual(['200', '200', '200', '200']);
    for (const row of cells) expect(row[2]).toMatch(/^\d+\.\d %|points$/);
    const worstBiased = await dataNumber(page, '#view-debias', 'worstBiased');
    const worstDebiased = await dataNumber(page, '#view-debias', 'worstDebiased');
    const gapBiased = await dataNumber(page, '#view-debias', 'gapBiased');
    const gapDebiased = await dataNumber(page, '#view-debias', 'gapDebiased');
    console.info(
      `debiasing (seed 1): worst group ${worstBiased} -> ${worstDebiased}, gap ${gapBiased} -> ${gapDebiased}`,
    );
    for (const value of [worstBiased, worstDebiased, gapBiased, gapDebiased]) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    // what the experiment shows (measured in Node for seeds 1-3 at these settings, see debias-setup.ts)
    expect(worstDebiased).toBeGreaterThan(worstBiased + DEBIAS_MARGIN);
    expect(gapDebiased).toBeLessThan(gapBiased - DEBIAS_MARGIN);
    // the most upweighted training hearts: mostly the rare (inverted) ones
    const rareInTop = await dataNumber(page, '#view-debias', 'rareInTop');
    expect(rareInTop).toBeGreaterThanOrEqual(16);
    expect(await page.locator('#debias-upweighted-caption').textContent()).toContain(
      `${rareInTop} of 32 are heart (inverted)`,
    );
    const grid = await canvasSummary(page, 'debias-upweighted');
    expect(grid.width).toBeGreaterThan(300);
    expect(grid.distinctGreys).toBeGreaterThan(5);
    await screenshot(page, 'debias');
    // the results fit a 390-px phone
    await page.setViewportSize({ width: 390, height: 844 });
    expect(
      await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)),
    ).toBeLessThanOrEqual(390);
    await screenshot(page, 'debias-phone');
    await page.close();
  });

  it('recommendations: Mult-VAE trained in a worker beats popularity on the hidden likes; one user’s lists', async () => {
    const page = await open('?view=recommend&repochs=40');
    await expectNoErrors(page);
    const section = '#view-recommend';
    const state = () =>
      page.evaluate(() => document.getElementById('view-recommend')?.dataset.recommendState);
    expect(await state()).toBe('idle');
    // popularity is scored before any training; its top 10 for the first user with hidden likes
    expect(await page.locator('#recommend-results tr').count()).toBe(4);
    expect(await page.locator('#recommend-popular-list li').count()).toBe(10);
    expect(await page.locator('#recommend-data').textContent()).toContain('600 users, 300 items');
    // the user picker: the next button and the keyboard
    const first = await dataNumber(page, section, 'user');
    await page.locator('#recommend-next').click();
    expect(await dataNumber(page, section, 'user')).toBe(first + 1);
    await page.locator('#recommend-user').focus();
    await page.keyboard.press('ArrowUp');
    expect(await dataNumber(page, section, 'user')).toBe(first + 2);
    await expect.poll(() => new URL(page.url()).searchParams.get('ruser')).toBe(String(first + 2));

    // Stop ends a run between two steps (40 epochs from the address)
    await page.locator('#recommend-run').click();
    await page.waitForFunction(
      () => Number(document.getElementById('view-recommend')?.dataset.steps) >= 6,
      null,
      {
        timeout: 60_000,
      },
    );
    await page.locator('#recommend-stop').click();
    await page.waitForFunction(
      () => document.getElementById('view-recommend')?.dataset.recommendState === 'aborted',
      null,
      { timeout: 30_000 },
    );
    expect(await page.locator('#recommend-log').textContent()).toContain('Stopped');

    // a whole run with the default settings (seed 1, 20 epochs), started from the keyboard
    await page.locator('select[name="repochs"]').selectOption('20');
    await expect.poll(() => new URL(page.url()).searchParams.get('repochs')).toBeNull();
    await page.locator('#recommend-run').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () =>
        ['done', 'error', 'aborted'].includes(
          document.getElementById('view-recommend')?.dataset.recommendState ?? '',
        ),
      null,
      { timeout: 120_000 },
    );
    const log = (await page.locator('#recommend-log').textContent()) ?? '';
    expect(await state(), log).toBe('done');
    console.info(`recommendations: ${log}`);
    expect(await dataNumber(page, section, 'epochsDone')).toBe(20);
    const model = await dataNumber(page, section, 'modelRecall10');
    const popularity = await dataNumber(page, section, 'popularityRecall10');
    const modelNdcg = await dataNumber(page, section, 'modelNdcg10');
    const popularityNdcg = await dataNumber(page, section, 'popularityNdcg10');
    console.info(
      `recommendations (seed 1): Recall@10 ${model} vs popularity ${popularity}, NDCG@10 ${modelNdcg} vs ${popularityNdcg}`,
    );
    // measured with the worker's code in Node on wasm for seeds 1-3 (README)
    expect(model).toBeGreaterThan(popularity);
    expect(modelNdcg).toBeGreaterThan(popularityNdcg);
    // the user's lists: the model's top 10 beside popularity's, the hidden likes marked
    expect(await page.locator('#recommend-model-list li').count()).toBe(10);
    const marked = await page.locator('#recommend-model-list li.held').count();
    expect(marked).toBe(await dataNumber(page, section, 'userModelHits'));
    expect(await page.locator('#recommend-user-summary').textContent()).toContain(`finds ${marked} of them`);
    await screenshot(page, 'recommend');
    await page.setViewportSize({ width: 390, height: 844 });
    expect(
      await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)),
    ).toBeLessThanOrEqual(390);
    await page.close();

    // a shared link restores the seed, the model and the user (before any training: popularity's list)
    const shared = await open('?view=recommend&rseed=2&rmodel=mult-dae&ruser=7');
    await expectNoErrors(shared);
    expect(await dataNumber(shared, section, 'user')).toBe(7);
    expect(await shared.locator('#recommend-user').inputValue()).toBe('7');
    expect(await shared.locator('select[name="rseed"]').inputValue()).toBe('2');
    expect(await shared.locator('#recommend-model-column').textContent()).toBe('Mult-DAE');
    expect(await shared.locator('#recommend-data').textContent()).toContain('Seed 2:');
    expect(await shared.locator('#recommend-popular-list li.held').count()).toBe(
      await dataNumber(shared, section, 'userPopularityHits'),
    );
    await shared.close();
  });

  it('shows a visible error when the model is missing or the backend unknown', async () => {
    const page = await open('?view=sample&model=missing/model.json');
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('error');
    const error = page.locator('#error');
    expect(await error.isVisible()).toBe(true);
    const text = await error.textContent();
    expect(text).toContain('Could not load the model');
    expect(text).toContain('missing/model.json');
    expect(text).toContain('404');
    expect(await page.locator('#samples').isVisible()).toBe(false);
    await screenshot(page, 'missing-model');
    await page.close();

    // without ?model=, the message says how to create the shipped models
    const context = await browser.newContext();
    await context.route('**/models/mnist-vae-2d/model.json', (route) =>
      route.fulfill({ status: 404, body: '' }),
    );
    const withoutModel = await open('?backend=cpu', context, 'no 2-D model');
    expect(await withoutModel.evaluate(() => document.body.dataset.state)).toBe('error');
    expect(await withoutModel.locator('#error').textContent()).toContain(
      'node apps/demo/scripts/prepare-model.mjs',
    );
    expect(await withoutModel.locator('#explore-map').isVisible()).toBe(false);
    await context.close();

    const unknownData = await open('?data=cifar&backend=cpu');
    expect(await unknownData.evaluate(() => document.body.dataset.state)).toBe('error');
    expect(await unknownData.locator('#error').textContent()).toContain('use ?data=mnist or ?data=fashion');
    await unknownData.close();

    const unknown = await open('?backend=tpu');
    expect(await unknown.evaluate(() => document.body.dataset.state)).toBe('error');
    expect(await unknown.locator('#error').textContent()).toContain('"tpu" is not a TensorFlow.js backend');
    await unknown.close();
  });

  it('logged no errors and fetched nothing from other origins', () => {
    // the tests that block files or ask for missing ones expect the browser to log the failed requests
    const expected = (line: string) =>
      /^(wasm blocked|no 2-D model|\?view=sample&model=missing\/model\.json): Failed to load resource/.test(
        line,
      );
    expect(pageErrors).toEqual([]);
    expect(consoleErrors.filter((line) => !expected(line))).toEqual([]);
    expect(offOrigin).toEqual([]);
    expect(
      requests.some((path) => /\/data\/mnist\/t10k-images-idx3-ubyte\.[0-9a-f]{10}\.bin$/.test(path)),
    ).toBe(true);
  });
});
