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
 * - The Debiasing view's experiment (seed 1, 3 epochs) run in the page's worker on wasm reports the same numbers
 *   (loss terms every fourth step, correct answers per subgroup of both trainings, worst group, gap, upweighted
 *   rare hearts) as `debias-run.ts` itself run in Node on wasm, exactly; on WebGL its first 8 steps' loss terms are
 *   within 1e-4 of those (2e-6 measured on SwiftShader).
 * - A drawing is kept in the address: a shared link redraws the same pad and input; hostile `?ink=` values leave
 *   the page working, with a note.
 *
 * Needs Chromium (VAE_CHROMIUM) and the libraries built; VAE_DEMO_DIST=<folder> tests an existing build.
 */
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { batchRanges } from '@vae/core';
import type { ImageDataset } from '@vae/data';
import { evaluateElbo, reconstructionError } from '@vae/metrics';
import { type AnyModel, VAE } from '@vae/models';
import { loadModelFromDirectory } from '@vae/models/node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromDebiasWorker, VariantResult } from '../src/debias-messages';
import { runDebias } from '../src/debias-run';
import { DEBIAS_DEFAULTS, type DebiasSettings } from '../src/debias-setup';
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

  /**
   * Records, in the page, the Debiasing worker's step and result messages as they arrive: a script run before the
   * page's own (a string, so that no test transform touches it).
   */
  const RECORD_DEBIAS_WORKER = `
    globalThis.debiasMessages = [];
    const Native = globalThis.Worker;
    globalThis.Worker = class extends Native {
      constructor(url, options) {
        super(url, options);
        this.addEventListener('message', (event) => {
          if (['debias-step', 'debias-result', 'debias-upweighted'].includes(event.data?.type)) {
            globalThis.debiasMessages.push(event.data);
          }
        });
      }
    };`;

  /** A Debiasing run's numbers: each step report's loss terms, each training's results, the upweighted rare hearts. */
  interface DebiasRun {
    backend: string;
    steps: { variant: string; step: number; classifier: number; reconstruction: number }[];
    results: Omit<VariantResult, 'seconds'>[];
    rareInTop?: number;
  }

  function collect(messages: FromDebiasWorker[], backend: string): DebiasRun {
    const run: DebiasRun = { backend, steps: [], results: [] };
    for (const message of messages) {
      if (message.type === 'debias-step') {
        const { variant, step, classifier, reconstruction } = message;
        run.steps.push({ variant, step, classifier, reconstruction });
      }
      if (message.type === 'debias-result') {
        const { seconds, ...result } = message.result;
        run.results.push(result);
      }
      if (message.type === 'debias-upweighted') run.rareInTop = message.upweighted.rareInTop;
    }
    return run;
  }

  /**
   * Runs the Debiasing view's experiment in the page's worker (to the end, or until `stopAfter` steps, then Stop)
   * and returns what the worker reported; a whole run's table must show the worker's results.
   */
  async function debiasInPage(query: string, stopAfter?: number): Promise<DebiasRun> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    await page.addInitScript({ content: RECORD_DEBIAS_WORKER });
    page.on('pageerror', (error) => problems.push(`${query}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${query}: console: ${message.text()}`);
    });
    await page.goto(`${siteUrl}${query}`);
    await page.waitForFunction(
      () => document.getElementById('view-debias')?.dataset.debiasState === 'idle',
      null,
      {
        timeout: 180_000,
      },
    );
    await page.locator('#debias-run').click();
    if (stopAfter !== undefined) {
      await page.waitForFunction(
        (steps) => Number(document.getElementById('view-debias')?.dataset.steps) >= steps,
        stopAfter,
        {
          timeout: 180_000,
        },
      );
      await page.locator('#debias-stop').click();
    }
    await page.waitForFunction(
      () =>
        ['done', 'error', 'aborted'].includes(
          document.getElementById('view-debias')?.dataset.debiasState ?? '',
        ),
      null,
      { timeout: 180_000 },
    );
    const log = (await page.locator('#debias-log').textContent()) ?? '';
    console.info(`Debiasing view (${query}): ${log}`);
    const shown = await page.evaluate(() => ({
      state: document.getElementById('view-debias')!.dataset.debiasState,
      backend: document.getElementById('view-debias')!.dataset.workerBackend ?? '',
      messages: (globalThis as unknown as { debiasMessages: FromDebiasWorker[] }).debiasMessages,
      // subgroup, images, without debiasing, with debiasing (percent, one decimal)
      rows: Array.from(document.querySelectorAll('#debias-results tr'), (row) =>
        Array.from(row.children, (cell) => cell.textContent ?? ''),
      ),
    }));
    await page.close();
    expect(shown.state, log).toBe(stopAfter === undefined ? 'done' : 'aborted');
    const run = collect(shown.messages, shown.backend);
    if (stopAfter === undefined) {
      // the table shows the worker's results (200 images per subgroup: one decimal of a percentage is exact)
      run.results.forEach((result, column) => {
        const correct = shown.rows
          .slice(0, 4)
          .map((row) => Math.round((Number.parseFloat(row[2 + column]) * Number(row[1])) / 100));
        expect(correct).toEqual(result.groups.map((group) => group.correct));
      });
    }
    return run;
  }

  /** The same experiment in Node: debias-run.ts itself (what the worker runs), on Node's wasm backend. */
  async function debiasInNode(settings: DebiasSettings): Promise<DebiasRun> {
    const require = createRequire(import.meta.url);
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    expect(await tf.setBackend('wasm')).toBe(true);
    const messages: FromDebiasWorker[] = [];
    try {
      const before = tf.memory().numTensors;
      await runDebias(
        settings,
        { backend: 'wasm', failures: [] },
        (message) => messages.push(message),
        new AbortController().signal,
      );
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await tf.setBackend('cpu');
    }
    const done = messages.find((message) => message.type === 'debias-done');
    console.info(
      `Debiasing in Node (wasm): ${done?.type === 'debias-done' ? done.seconds.toFixed(1) : '?'} s`,
    );
    return collect(messages, 'wasm');
  }

  it("runs the Debiasing view's experiment in the page's worker as debias-run.ts runs it in Node; webgl's first steps agree", async () => {
    // seed 1, 3 epochs (the fewest the view offers; half the default's time: the CI budget)
    const settings: DebiasSettings = { ...DEBIAS_DEFAULTS, epochs: 3 };
    // the page on wasm, the page on WebGL (SwiftShader here; stopped after 8 steps) and Node, at once (wall time)
    const started = performance.now();
    const [inPage, onWebgl, inNode] = await Promise.all([
      debiasInPage(`?view=debias&backend=wasm&depochs=${settings.epochs}`),
      debiasInPage('?view=debias&backend=webgl', 8),
      debiasInNode(settings),
    ]);
    const summary = (run: DebiasRun) =>
      run.results.map(
        (result) =>
          `${result.variant}: correct ${result.groups.map((group) => group.correct).join('/')} of 200`,
      );
    console.info(
      `Debiasing, seed 1, 3 epochs: page ${summary(inPage)}; Node ${summary(inNode)} ` +
        `(the three runs: ${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    expect(inPage.backend).toBe('wasm');
    expect(inPage.results.map((result) => result.variant)).toEqual(['biased', 'debiased']);
    // the same code on the same backend binary (single-threaded SIMD), seeds and data: every number reported
    // (each fourth step's loss terms, both trainings' results per subgroup, the upweighted hearts) is equal
    expect(inPage).toEqual(inNode);
    // and the resampling changed the classifier (so the equality covers both trainings)
    expect(inNode.results[1].groups).not.toEqual(inNode.results[0].groups);

    // WebGL: the first steps' loss terms in the worker against Node's wasm (2e-6 relative measured here)
    expect(onWebgl.backend).toBe('webgl');
    const early = onWebgl.steps.filter((step) => step.step <= 8);
    expect(early.map((step) => step.step)).toEqual([4, 8]);
    for (const step of early) {
      const reference = inNode.steps.find(
        (node) => node.variant === step.variant && node.step === step.step,
      )!;
      console.info(`step ${step.step}: webgl ${JSON.stringify(step)}, wasm ${JSON.stringify(reference)}`);
      expect(Math.abs(step.classifier - reference.classifier) / reference.classifier).toBeLessThan(1e-4);
      expect(
        Math.abs(step.reconstruction - reference.reconstruction) / reference.reconstruction,
      ).toBeLessThan(1e-4);
    }
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
