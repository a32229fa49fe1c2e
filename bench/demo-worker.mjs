// The demo's Train view against the same training without the page (issue #21: "the worker within 10 % of the same
// training without the page"). One run, interleaved A/B (page, Node, Node, page, ...), so load from other processes
// hits both alike:
// - page: the production build served from /vae/, headless Debian Chromium (playwright-core, as the demo's tests),
//   the Train view at the given settings on wasm; its worker's `epoch` messages are timed on the page as they arrive
//   (a wrapper around `Worker`, installed before the page's code runs), and the exact TrainConfig it posts is kept;
// - Node: a fresh process training that same config with the same train-setup.ts (model, split, fit options: the
//   held-out evaluation after each epoch included) on Node's wasm backend, on the same files (the build's MNIST).
// Both report fit's images/s (step time only, EpochRecord.examplesPerSecond) and wall images/s from the end of the
// first epoch to the end of the last (everything per epoch: steps, callbacks, messages, previews, the held-out pass).
// usage: node bench/demo-worker.mjs [--repeats 3] [--examples 5000] [--epochs 3] [--latent 20] [--hidden 400]
//        [--batch 128] [--dist <built site>] [--out bench/results/demo-worker.json]
//   --threads: instead, wasm threads in Chromium (cross-origin isolated page, setThreadsCount 1 vs 2, interleaved)
//   for the same MLP, in a small page built by vite twice (minified, as the demo ships, and not minified).
// Needs the libraries built (the demo imports their dist/) and Chromium (VAE_CHROMIUM, else /usr/bin/chromium).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const demo = join(root, 'apps', 'demo');
const requireFromDemo = createRequire(join(demo, 'package.json'));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const cache = join(demo, 'node_modules', '.cache', 'vae-bench');
const bundlePath = join(cache, 'demo-setup.mjs');

/** serve.ts and train-setup.ts as one ES module (esbuild; the packages stay imports, resolved from apps/demo). */
async function bundleSetup() {
  const esbuild = await import(createRequire(join(root, 'package.json')).resolve('esbuild'));
  mkdirSync(cache, { recursive: true });
  const serve = join(demo, 'test', 'serve.ts');
  await esbuild.build({
    stdin: {
      contents:
        `export { buildDemo, launchChromium, MIME_TYPES, requestedFile, shippedMnistTest, siteAddress } from ${JSON.stringify(serve)};\n` +
        `export { createTrainModel, fitOptions, splitMnistTest } from ${JSON.stringify(join(demo, 'src', 'train-setup.ts'))};\n`,
      resolveDir: demo,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    outfile: bundlePath,
    // serve.ts finds the demo's folder from its own address
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(serve).href) },
    logLevel: 'warning',
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;
const load1 = () => round(loadavg()[0], 2);

/** One epoch list -> the numbers compared: fit's images/s (epochs after the first) and wall images/s. */
function summarize(epochs, examples) {
  const later = epochs.slice(1);
  const wallSeconds = (epochs.at(-1).t - epochs[0].t) / 1000;
  return {
    fitImagesPerSecond: round(median(later.map((epoch) => epoch.imagesPerSecond))),
    wallImagesPerSecond: round((examples * later.length) / wallSeconds),
    heldOut: epochs.at(-1).heldOut,
  };
}

// ---- the Node side: one training in this (fresh) process --------------------------------------------------------
if (args[0] === '--node-run') {
  const { config, dist } = JSON.parse(args[1]);
  const tf = await import(requireFromDemo.resolve('@tensorflow/tfjs-core'));
  const wasm = await import(requireFromDemo.resolve('@tensorflow/tfjs-backend-wasm'));
  wasm.setWasmPaths(`${dirname(requireFromDemo.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  const { batchRanges } = await import(requireFromDemo.resolve('@vae/core'));
  const setup = await import(pathToFileURL(bundlePath).href);
  const { train, heldOut } = setup.splitMnistTest(await setup.shippedMnistTest(dist), config.examples);
  const model = setup.createTrainModel(config);
  const steps = batchRanges(train.size, config.batchSize).length;
  const epochs = [];
  await model.fit(train, {
    ...setup.fitOptions(config, steps, heldOut),
    onEpochEnd: (record) =>
      epochs.push({
        t: performance.now(),
        imagesPerSecond: record.examplesPerSecond,
        heldOut: record.validation.total,
      }),
  });
  model.dispose();
  process.stdout.write(`${JSON.stringify({ backend: tf.getBackend(), epochs })}\n`);
  process.exit(0);
}

/** A static server for `dist` under /vae/ (serve.ts's path rules and types), with extra headers on every answer. */
async function serve(dist, setup, headers = {}) {
  const base = dist.endsWith('/') ? dist : `${dist}/`;
  const server = createServer(async (request, response) => {
    const target = setup.requestedFile(base, request.url);
    if ('status' in target) return response.writeHead(target.status, headers).end();
    let file = target.file;
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      response.writeHead(200, {
        ...headers,
        'content-type': setup.MIME_TYPES[extname(file)] ?? 'application/octet-stream',
      });
      response.end(body);
    } catch {
      response.writeHead(404, headers).end();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: setup.siteAddress(server) };
}

/** Records, in the page, the worker's messages as they arrive, and the config the page starts it with. */
function recordWorker() {
  const record = { epochs: [], config: undefined, backend: undefined };
  globalThis.__workerBench = record;
  const Native = globalThis.Worker;
  globalThis.Worker = class extends Native {
    constructor(url, options) {
      super(url, options);
      this.addEventListener('message', (event) => {
        const message = event.data;
        if (message?.type === 'ready') record.backend = message.backend;
        if (message?.type === 'epoch') {
          record.epochs.push({
            t: performance.now(),
            imagesPerSecond: message.summary.imagesPerSecond,
            heldOut: message.summary.heldOut?.total,
          });
        }
      });
    }
    postMessage(message, transfer) {
      if (message?.type === 'start') record.config = message.config;
      return super.postMessage(message, transfer);
    }
  };
}

async function pageRun(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.addInitScript(recordWorker);
  await page.goto(url);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, {
    timeout: 180_000,
  });
  await page.locator('#train-start').click();
  await page.waitForFunction(
    () =>
      ['done', 'aborted', 'error'].includes(document.getElementById('view-train')?.dataset.trainState ?? ''),
    null,
    { timeout: 600_000 },
  );
  const state = await page.evaluate(() => document.getElementById('view-train')?.dataset.trainState);
  const record = await page.evaluate(() => globalThis.__workerBench);
  await page.close();
  if (state !== 'done' || errors.length)
    throw new Error(`the page's training ended ${state}: ${errors.join('; ')}`);
  return record;
}

async function nodeRun(config, dist) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [fileURLToPath(import.meta.url), '--node-run', JSON.stringify({ config, dist })],
    { cwd: root, maxBuffer: 1 << 24 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

async function compare() {
  const repeats = Number(option('repeats', 3));
  const settings = {
    latent: option('latent', '20'),
    hidden: option('hidden', '400'),
    epochs: option('epochs', '3'),
    examples: option('examples', '5000'),
    batch: option('batch', '128'),
  };
  const examples = Number(settings.examples);
  await bundleSetup();
  const setup = await import(pathToFileURL(bundlePath).href);
  const dist = option('dist') ? { directory: resolve(option('dist')), built: false } : setup.buildDemo();
  const { server, url } = await serve(dist.directory, setup);
  const browser = await setup.launchChromium();
  const query = new URLSearchParams({ view: 'train', backend: 'wasm', ...settings });
  const runs = [];
  try {
    // the config the page trains with, so that Node trains exactly it (a first page run, not counted, also warms
    // the browser's caches of the code and data)
    const first = await pageRun(browser, `${url}?${query}`);
    const { siteUrl, dataFiles, backend, ...config } = first.config;
    console.error(`config: ${JSON.stringify(config)} (page backend ${first.backend})`);
    for (let repeat = 0; repeat < repeats; repeat++) {
      const order = repeat % 2 ? ['node', 'page'] : ['page', 'node'];
      for (const side of order) {
        const before = load1();
        const result =
          side === 'page' ? await pageRun(browser, `${url}?${query}`) : await nodeRun(config, dist.directory);
        const summary = { side, repeat, backend: result.backend, ...summarize(result.epochs, examples) };
        summary.load = [before, load1()];
        runs.push(summary);
        console.error(JSON.stringify(summary));
      }
    }
    const of = (side, key) => runs.filter((run) => run.side === side).map((run) => run[key]);
    const pairs = (key) =>
      Array.from({ length: repeats }, (_, r) => {
        const pick = (side) => runs.find((run) => run.side === side && run.repeat === r)[key];
        return round(pick('page') / pick('node'), 3);
      });
    const result = {
      date: new Date().toISOString(),
      command: `node bench/demo-worker.mjs ${args.join(' ')}`.trim(),
      machine: `${cpus().length} x ${cpus()[0]?.model}`,
      chromium: browser.version(),
      node: process.version,
      config,
      examples,
      epochsTimed: Number(settings.epochs) - 1,
      runs,
      median: {
        page: {
          fit: median(of('page', 'fitImagesPerSecond')),
          wall: median(of('page', 'wallImagesPerSecond')),
        },
        node: {
          fit: median(of('node', 'fitImagesPerSecond')),
          wall: median(of('node', 'wallImagesPerSecond')),
        },
      },
      pageOverNode: { fit: pairs('fitImagesPerSecond'), wall: pairs('wallImagesPerSecond') },
      load: [Math.min(...runs.flatMap((run) => run.load)), Math.max(...runs.flatMap((run) => run.load))],
    };
    result.pageOverNode.medianFit = median(result.pageOverNode.fit);
    result.pageOverNode.medianWall = median(result.pageOverNode.wall);
    const out = option('out', join(here, 'results', 'demo-worker.json'));
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `page worker / Node (wasm, ${examples} images, ${settings.epochs} epochs, ${repeats} interleaved pairs, load ` +
        `${result.load[0]}-${result.load[1]}): fit images/s ${result.median.page.fit} / ${result.median.node.fit} ` +
        `(pairs ${result.pageOverNode.fit.join(', ')}), wall ${result.median.page.wall} / ${result.median.node.wall} ` +
        `(pairs ${result.pageOverNode.wall.join(', ')}); written to ${out}`,
    );
  } finally {
    await browser.close();
    server.close();
    if (dist.built) rmSync(dist.directory, { recursive: true, force: true });
  }
}

// ---- wasm threads in Chromium ------------------------------------------------------------------------------------
// A module worker trains the ref-vae MLP (784-400-20, batch 128, Adam 1e-3) with fit on synthetic binary images
// (throughput does not depend on the pixels), on wasm with `threads` threads (0: the single-threaded binary, as the
// demo ships); the page is served with COOP/COEP, so it is cross-origin isolated and may use the threaded binary.
const THREADS_PAGE = {
  'index.html':
    '<!doctype html><meta charset="utf-8"><title>wasm threads</title><script type="module" src="./main.js"></script>',
  'main.js': `
// a threaded backend whose pthread workers crash never finishes starting: give up after 3 minutes
const noAnswer = () => new Promise((resolve) => setTimeout(() => resolve({ error: 'no answer in 180 s' }), 180_000));
globalThis.trainWith = (spec) => Promise.race([noAnswer(), new Promise((resolve) => {
  const worker = new Worker(new URL('./train.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event) => { worker.terminate(); resolve(event.data); };
  worker.onerror = (event) => { worker.terminate(); resolve({ error: event.message || 'the worker failed' }); };
  worker.postMessage(spec);
})]);
// the same training on the page's own thread (one run per page: the backend starts once)
globalThis.trainHere = (spec) => Promise.race([noAnswer(), import('./train.js').then((module) => module.train(spec))]);
document.body.dataset.state = 'ready';`,
  'train.js': `
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { ImageDataset } from '@vae/data';
import { VAE } from '@vae/models';
export async function train(spec) {
  try {
    const absolute = (url) => new URL(url, location.href).href;
    setWasmPaths({
      'tfjs-backend-wasm.wasm': absolute(wasmUrl),
      'tfjs-backend-wasm-simd.wasm': absolute(simdUrl),
      'tfjs-backend-wasm-threaded-simd.wasm': absolute(threadedUrl),
    });
    if (spec.threads === 0) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    else setThreadsCount(spec.threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('wasm did not start');
    const images = new Uint8Array(spec.examples * 784);
    let state = 12345;
    for (let i = 0; i < images.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      images[i] = state >>> 31 ? 255 : 0;
    }
    const data = new ImageDataset({ images, shape: [spec.examples, 28, 28, 1], name: 'synthetic' });
    const model = new VAE({ inputShape: [28, 28, 1], hiddenUnits: [400], latentDim: 20, seed: 1 });
    const epochs = [];
    await model.fit(data, {
      epochs: spec.epochs, batchSize: 128, learningRate: 1e-3, seed: 1,
      onEpochEnd: (record) => { epochs.push({ t: performance.now(), imagesPerSecond: record.examplesPerSecond }); },
    });
    model.dispose();
    return {
      threads: spec.threads === 0 ? 1 : getThreadsCount(),
      threadedBinary: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
      isolated: self.crossOriginIsolated,
      epochs,
    };
  } catch (error) {
    return { error: String(error?.stack ?? error) };
  }
}
if (typeof document === 'undefined') self.onmessage = async ({ data }) => self.postMessage(await train(data));`,
};

async function threads() {
  const repeats = Number(option('repeats', 3));
  const examples = Number(option('examples', 4096));
  const epochs = Number(option('epochs', 3));
  await bundleSetup();
  const setup = await import(pathToFileURL(bundlePath).href);
  const source = join(cache, 'threads');
  mkdirSync(source, { recursive: true });
  for (const [name, text] of Object.entries(THREADS_PAGE)) writeFileSync(join(source, name), text);
  const { build } = await import(requireFromDemo.resolve('vite'));
  const isolation = {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  };
  const browser = await setup.launchChromium();
  const result = {
    date: new Date().toISOString(),
    command: `node bench/demo-worker.mjs ${args.join(' ')}`.trim(),
    machine: `${cpus().length} x ${cpus()[0]?.model}`,
    chromium: browser.version(),
    examples,
    epochsTimed: epochs - 1,
    builds: {},
  };
  try {
    const builds = { both: [true, false], minified: [true], plain: [false] }[option('builds', 'both')];
    for (const minify of builds) {
      const out = mkdtempSync(join(tmpdir(), 'vae-threads-'));
      await build({
        root: source,
        base: './',
        logLevel: 'warn',
        configFile: false,
        build: { outDir: out, emptyOutDir: true, minify, target: 'es2022' },
        worker: { format: 'es' },
      });
      const { server, url } = await serve(out, setup, isolation);
      const runs = [];
      try {
        const page = await browser.newPage();
        const errors = [];
        page.on('pageerror', (error) => errors.push(error.message));
        page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
        page.on(
          'response',
          (response) => response.status() >= 400 && errors.push(`${response.status()} ${response.url()}`),
        );
        await page.goto(url);
        await page.waitForFunction(() => document.body.dataset.state === 'ready');
        for (let repeat = 0; repeat < repeats; repeat++) {
          const order = repeat % 2 ? [2, 1, 0] : [0, 1, 2];
          for (const threads of order) {
            const before = load1();
            const outcome = await page.evaluate((spec) => globalThis.trainWith(spec), {
              threads,
              examples,
              epochs,
            });
            const run = { requested: threads, repeat, load: [before, load1()] };
            if (outcome.error) run.error = outcome.error.split('\n')[0];
            else
              Object.assign(run, {
                threads: outcome.threads,
                threadedBinary: outcome.threadedBinary,
                isolated: outcome.isolated,
                ...summarize(outcome.epochs, examples),
              });
            runs.push(run);
            console.error(`${minify ? 'minified' : 'not minified'}: ${JSON.stringify(run)}`);
          }
        }
        await page.close();
        // once more with 2 threads on the page's own thread instead of a worker (a fresh page), unless the threaded
        // binary failed in every worker run (on the page thread it would hang, not fail)
        let pageThread = { requested: 2, skipped: 'the threaded binary failed in every worker run' };
        if (runs.some((run) => run.requested > 0 && !run.error)) {
          const own = await browser.newPage();
          await own.goto(url);
          await own.waitForFunction(() => document.body.dataset.state === 'ready');
          const here = await own.evaluate((spec) => globalThis.trainHere(spec), {
            threads: 2,
            examples,
            epochs,
          });
          await own.close();
          pageThread = here.error
            ? { requested: 2, error: here.error.split('\n')[0] }
            : {
                requested: 2,
                threads: here.threads,
                threadedBinary: here.threadedBinary,
                ...summarize(here.epochs, examples),
              };
        }
        console.error(`${minify ? 'minified' : 'not minified'}, page thread: ${JSON.stringify(pageThread)}`);
        if (errors.length) console.error(`page errors: ${errors.slice(0, 3).join(' | ')}`);
        const medians = {};
        for (const threads of [0, 1, 2]) {
          const ok = runs.filter((run) => run.requested === threads && !run.error);
          medians[threads] = ok.length ? median(ok.map((run) => run.fitImagesPerSecond)) : null;
        }
        result.builds[minify ? 'minified' : 'notMinified'] = {
          runs,
          pageThread,
          medianFitImagesPerSecond: medians,
          errors,
        };
      } finally {
        server.close();
        rmSync(out, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  const all = Object.values(result.builds).flatMap((entry) => entry.runs.flatMap((run) => run.load));
  result.load = [Math.min(...all), Math.max(...all)];
  const out = option('out', join(here, 'results', 'demo-wasm-threads.json'));
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  for (const [name, entry] of Object.entries(result.builds)) {
    console.log(
      `${name}: fit images/s (median) single-threaded binary ${entry.medianFitImagesPerSecond[0]}, ` +
        `threaded binary 1 thread ${entry.medianFitImagesPerSecond[1]}, 2 threads ${entry.medianFitImagesPerSecond[2]}` +
        (entry.runs.some((run) => run.error)
          ? ` (errors: ${entry.runs.find((run) => run.error).error})`
          : ''),
    );
  }
  console.log(`load ${result.load[0]}-${result.load[1]}; written to ${out}`);
}

await (args.includes('--threads') ? threads() : compare());
