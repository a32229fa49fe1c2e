import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const libraries = ['core', 'models', 'data', 'metrics', 'viz'];
// Tests read the libraries' sources, so they need no build; the CLI and demo tests run the built apps.
const sourceAlias = libraries.flatMap((name) => [
  { find: new RegExp(`^@vae/${name}/(.*)$`), replacement: `${root}packages/${name}/src/$1.ts` },
  { find: new RegExp(`^@vae/${name}$`), replacement: `${root}packages/${name}/src/index.ts` },
]);
// core's environment-conditional import (package.json "imports"), as Node and as a bundler resolve it.
const gradients = (target: 'node' | 'browser') => ({
  find: /^#register-gradients$/,
  replacement: `${root}packages/core/src/register-gradients.${target}.ts`,
});
const alias = [...sourceAlias, gradients('node')];
const browserAlias = [...sourceAlias, gradients('browser')];

const unitTests = ['packages/*/src/**/*.test.ts'];
// Tests across packages (e.g. every metric on every model), on the libraries' sources like the unit tests.
const integrationTests = ['test/integration/**/*.test.ts'];
const chromium = process.env.VAE_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromium);
if (!haveChromium) {
  const message = `Chromium not found at ${chromium}: browser tests need it (apt-get install chromium, or set VAE_CHROMIUM).`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n  SKIPPING browser tests. ${message}\n`);
}
const chromiumArgs = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

const nodeProject = (backend: string) => ({
  resolve: { alias },
  test: {
    name: `unit:${backend}`,
    include: [...unitTests, ...integrationTests],
    exclude: ['**/*.browser.test.ts'],
    environment: 'node',
    setupFiles: ['test/setup-node.ts'],
    env: { VAE_TEST_BACKEND: backend },
    testTimeout: 60_000,
  },
});

function browserProject(backend: string, include: string[]) {
  return {
    resolve: { alias: browserAlias },
    test: {
      name: `browser:${backend}`,
      include,
      exclude: ['**/*.node.test.ts'],
      setupFiles: [`test/setup-browser${backend === 'webgl' ? '' : `-${backend}`}.ts`],
      testTimeout: 120_000,
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        provider: playwright({ launchOptions: { executablePath: chromium, args: chromiumArgs } }),
        instances: [{ browser: 'chromium' as const }],
      },
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      nodeProject('cpu'),
      nodeProject('wasm'),
      {
        test: {
          name: 'apps',
          include: ['apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: integrationTests,
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          env: { VAE_CHROMIUM: chromium, VAE_HAVE_CHROMIUM: haveChromium ? '1' : '' },
        },
      },
      ...(haveChromium
        ? [
            browserProject('webgl', unitTests),
            // The core maths also runs on wasm and WebGPU in Chromium: results must agree across backends.
            browserProject('wasm', ['packages/core/src/**/*.test.ts']),
            browserProject('webgpu', ['packages/core/src/**/*.test.ts']),
          ]
        : []),
    ],
  },
});
