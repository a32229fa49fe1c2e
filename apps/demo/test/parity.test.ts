/**
 * The page against the library: the production build, served from a sub-path, in headless Chromium, and the same
 * computations in Node on the same files.
 *
 * - The "Why a VAE" view's numbers (reconstruction error, -ELBO and KL of three shipped models on the first 2000
 *   test digits, by @vae/metrics in the page on the cpu backend) equal what @vae/metrics computes in Node from the
 *   built site's model files and data.
 * - A training run in the page's worker (wasm) reaches a held-out loss within 10 % of the same run in Node (cpu):
 *   the same data (the site's MNIST files: the first 1000 test images train, the last 1000 are held out), model,
 *   seed and epochs, from the same `train-setup.ts`.
 * - A drawing is kept in the address: a shared link redraws the same pad and input; hostile `?ink=` values leave
 *   the page working, with a note.
 *
 * Needs Chromium (VAE_CHROMIUM) and the libraries built; VAE_DEMO_DIST=<folder> tests an existing build.
 */
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { batchRanges } from '@vae/core';
import type { ImageDataset } from '@vae/data';
import { evaluateElbo, reconstructionError } from '@vae/metrics';
import { type AnyModel, VAE } from '@vae/models';
import { loadModelFromDirectory } from '@vae/models/node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainModel, fitOptions, splitMnistTest, type TrainSettings } from '../src/train-setup';
import { ELBO_SEED, WHY_EXAMPLES, WHY_MODELS } from '../src/why-models';
import { buildDemo, launchChromium, serveStatic, shippedMnistTest, waitForTraining } from './serve';

const haveChromium = process.env.VAE_HAVE_CHROMIUM === '1';

describe.skipIf(!haveChromium)('the page computes what the library computes in Node', () => {
  let dist: { directory: string; built: boolean };
  let server: Server;
  let siteUrl: string;
  let browser: Browser;
  let mnistTest: ImageDataset;
  const problems: string[] = [];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dist = buildDemo();
    ({ server, url: siteUrl } = await serveStatic(dist.directory));
    mnistTest = await shippedMnistTest(dist.directory);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    if (dist?.built) rmSync(dist.directory, { recursive: true, force: true });
  });

  /** Opens the page at a query, recording page errors, console errors and failed requests. */
  async function open(query: string, width = 1200): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 1000 } });
    page.on('pageerror', (error) => problems.push(`${query}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${query}: console: ${message.text()}`);
    });
    page.on('requestfailed', (request) => problems.push(`${query}: failed request ${request.url()}`));
    await page.goto(`${siteUrl}${query}`);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, {
      timeout: 180_000,
    });
    const error = await page.locator('#error').textContent();
    expect(await page.evaluate(() => document.body.dataset.state), `page error: ${error}`).toBe('ready');
    return page;
  }

  it("shows the Why view's numbers as @vae/metrics computes them in Node", async () => {
    const page = await open('?view=why&backend=cpu');
    const shown = await page.$$eval('.why-panel', (panels) =>
      panels.map((panel) => ({ ...(panel as HTMLElement).dataset })),
    );
    expect(shown.map((panel) => panel.model)).toEqual(WHY_MODELS.map((entry) => entry.key));
    const data = mnistTest.take(WHY_EXAMPLES);
    const before = tf.memory().numTensors;
    for (const [k, entry] of WHY_MODELS.entries()) {
      const model = (await loadModelFromDirectory(join(dist.directory, 'models', entry.name))) as AnyModel;
      const reconstruction = await reconstructionError((x) => model.reconstruct(x), data);
      const panel = shown[k];
      const close = (value: string | undefined, expected: number) =>
        expect(
          Math.abs(Number(value) - expected) / expected,
          `${entry.name}: ${value} vs ${expected}`,
        ).toBeLessThan(1e-5);
      close(panel.reconstruction, reconstruction.binaryCrossEntropyPerImage);
      if (model instanceof VAE) {
        const elbo = await evaluateElbo(model, data, { seed: ELBO_SEED });
        close(panel.loss, elbo.total);
        close(panel.kl, elbo.kl);
      } else {
        expect(panel.loss).toBeUndefined();
      }
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);

    // what the view teaches, measured: the autoencoder leaves more of its square empty than the VAE; beta 4
    // keeps less KL than beta 1 and reconstructs worse
    const [ae, vae, beta] = shown;
    console.info(`Why view: ${JSON.stringify(shown)}`);
    expect(Number(ae.empty)).toBeGreaterThan(Number(vae.empty));
    expect(Number(beta.kl)).toBeLessThan(Number(vae.kl));
    expect(Number(beta.reconstruction)).toBeGreaterThan(Number(vae.reconstruction));

    // pointing at a map decodes that point of that model
    const map = page.locator('.why-panel[data-model="ae"] .why-map');
    const probes = Number(
      await map.evaluate((canvas) => canvas.closest<HTMLElement>('.why-panel')!.dataset.probes),
    );
    const box = (await map.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.1);
    await page.waitForFunction(
      (before) =>
        Number(document.querySelector<HTMLElement>('.why-panel[data-model="ae"]')!.dataset.probes) > before,
      probes,
    );
    await page.close();
    expect(problems).toEqual([]);
  }, 300_000);

  it("trains in the page's worker to within 10 % of the same run in Node", async () => {
    const settings: TrainSettings = {
      latentDim: 2,
      hiddenUnits: [100],
      beta: 1,
      warmup: false,
      epochs: 2,
      examples: 1000,
      batchSize: 64,
      learningRate: 0.001,
      seed: 1,
    };
    const page = await open('?view=train&backend=wasm&hidden=100&epochs=2&examples=1000&batch=64');
    await page.locator('#train-start').click();
    const trained = await waitForTraining(page, 180_000);
    expect(trained.trainState, (await page.locator('#train-log').textContent()) ?? '').toBe('done');
    expect(trained.heldOutEpoch).toBe('2');
    const pageLoss = Number(trained.heldOutLoss);

    const { train, heldOut } = splitMnistTest(mnistTest, settings.examples);
    const model = createTrainModel(settings);
    const untrained = (await model.evaluate(heldOut)).total;
    const steps = batchRanges(train.size, settings.batchSize).length;
    const history = await model.fit(train, fitOptions(settings, steps, heldOut));
    const nodeLoss = history.epochs.at(-1)!.validation!.total;
    model.dispose();
    console.info(
      `held-out loss after ${settings.epochs} epochs on ${settings.examples} images: page (worker, wasm) ` +
        `${pageLoss.toFixed(3)}, Node (cpu) ${nodeLoss.toFixed(3)}, untrained ${untrained.toFixed(1)}`,
    );
    // the run learned (so a 10 % band means something), and the page got where Node got
    expect(nodeLoss).toBeLessThan(0.6 * untrained);
    expect(Math.abs(pageLoss - nodeLoss) / nodeLoss).toBeLessThan(0.1);
    await page.close();
    expect(problems).toEqual([]);
  }, 300_000);

  /** Pixels of a canvas, summed into a fingerprint. */
  function fingerprint(page: Page, selector: string): Promise<{ checksum: number; mean: number }> {
    return page.$eval(selector, (canvas) => {
      const { data } = (canvas as HTMLCanvasElement)
        .getContext('2d')!
        .getImageData(0, 0, (canvas as HTMLCanvasElement).width, (canvas as HTMLCanvasElement).height);
      let checksum = 0;
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) {
        checksum = (checksum * 31 + data[i] + i) % 2147483647;
        sum += data[i];
      }
      return { checksum, mean: sum / (data.length / 4) };
    });
  }

  /** Waits until the Draw view has encoded its latest drawing. */
  async function settled(page: Page): Promise<void> {
    let last = '';
    for (let round = 0; round < 40; round++) {
      await page.waitForTimeout(250);
      const renders = await page.$eval(
        '#draw-reconstruction',
        (canvas) => (canvas as HTMLElement).dataset.renders ?? '',
      );
      if (renders && renders === last) return;
      last = renders;
    }
  }

  it('keeps a drawing in the address: the link redraws it; hostile links leave the page working', async () => {
    const page = await open('?view=draw&backend=wasm');
    const pad = (await page.locator('#draw-pad').boundingBox())!;
    const at = (x: number, y: number) =>
      [pad.x + (x / 280) * pad.width, pad.y + (y / 280) * pad.height] as const;
    // a "7": a bar and a slanted stroke, then the eraser across the bar's end
    for (const stroke of [
      [
        [70, 70],
        [210, 70],
      ],
      [
        [210, 70],
        [120, 230],
      ],
    ]) {
      await page.mouse.move(...at(stroke[0][0], stroke[0][1]));
      await page.mouse.down();
      await page.mouse.move(...at(stroke[1][0], stroke[1][1]), { steps: 25 });
      await page.mouse.up();
    }
    await page.locator('#draw-eraser').click();
    await page.mouse.move(...at(60, 50));
    await page.mouse.down();
    await page.mouse.move(...at(100, 95), { steps: 8 });
    await page.mouse.up();
    await settled(page);
    await page.waitForFunction(() => new URLSearchParams(location.search).has('ink'));
    const link = page.url();
    const ink = new URL(link).searchParams.get('ink')!;
    console.info(`a drawing of three strokes: ?ink= of ${ink.length} characters`);
    expect(ink.length).toBeLessThan(600);
    const drawn = {
      pad: await fingerprint(page, '#draw-pad'),
      input: await fingerprint(page, '#draw-input'),
      inpainted: await page.locator('#draw-inpainted-figure').isVisible(),
    };
    expect(drawn.input.mean).toBeGreaterThan(5);
    expect(drawn.inpainted).toBe(true);

    const shared = await open(link.slice(siteUrl.length));
    await settled(shared);
    expect(await fingerprint(shared, '#draw-pad')).toEqual(drawn.pad);
    expect(await fingerprint(shared, '#draw-input')).toEqual(drawn.input);
    expect(await shared.locator('#draw-inpainted-figure').isVisible()).toBe(true);
    expect(await shared.locator('#draw-link-note').isVisible()).toBe(false);
    await shared.close();

    for (const hostile of [
      '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      'AQEA_____w',
      'AQP_AA',
      'Ag',
      // longer than the page reads (12,000), shorter than the test server's 16 kB request line
      'A'.repeat(13_000),
      ink.slice(0, -3),
    ]) {
      const opened = await open(`?view=draw&backend=wasm&ink=${hostile}`);
      await settled(opened);
      expect(await opened.locator('#draw-link-note').textContent(), hostile.slice(0, 20)).toContain(
        'could not be read',
      );
      expect(await opened.evaluate(() => document.body.dataset.state)).toBe('ready');
      expect((await fingerprint(opened, '#draw-input')).mean).toBe(0);
      // the address no longer carries the unreadable drawing
      await opened.waitForFunction(() => !new URLSearchParams(location.search).has('ink'));
      await opened.close();
    }
    await page.close();
    expect(problems).toEqual([]);
  }, 300_000);
});
