/**
 * Every TypeScript example of the main README and the libraries' READMEs typechecks against the current sources, so the docs cannot
 * drift from the API (an option renamed, a function moved to a subpath). The examples are fragments: a prelude
 * per block declares what the text leaves to the reader (a trained `model`, `testData`, ...). The runnable
 * examples are run elsewhere: docs/setup.md by test/docs.test.ts, the first of core's and models' and the Node
 * ones of data, metrics and viz by test/client.test.ts, the CLI's by apps/cli/test/readme.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const LIBRARIES = ['core', 'models', 'data', 'metrics', 'viz'];

const VAE = "import('@vae/models').VAE";
const SOURCE = "import('@vae/core').BatchSource";
const TENSOR = "import('@tensorflow/tfjs-core').Tensor";
/** Declarations per block (`library-n`, n from 1): the values an example uses without defining them. */
const PRELUDES: Record<string, string[]> = {
  'models-1': [`declare const trainingData: ${SOURCE};`],
  'models-2': [
    `declare const vae: ${VAE};`,
    "declare const cvae: import('@vae/models').ConditionalVAE;",
    `declare const testData: ${SOURCE};`,
    `declare const x: ${TENSOR};`,
    "declare const z: import('@tensorflow/tfjs-core').Tensor2D;",
    `declare const a: ${TENSOR};`,
    `declare const b: ${TENSOR};`,
  ],
  'models-4': ["import { VAE } from '@vae/models';"],
  'models-5': [
    `declare const model: ${VAE};`,
    `declare const train: ${SOURCE};`,
    `declare const test: ${SOURCE};`,
    'declare const controller: AbortController;',
  ],
  'models-6': [`declare const model: ${VAE};`, `declare const train: ${SOURCE};`],
  // 7: the worker module of fit's workers in browsers
  'models-8': [`declare const model: ${VAE};`, `declare const train: ${SOURCE};`],
  'models-9': ["import { VAE } from '@vae/models';", `declare const train: ${SOURCE};`],
  'models-11': [`declare const train: ${SOURCE};`],
  'data-2': ['declare const seed: number;'],
  'data-3': [
    `declare const mnist: ${SOURCE};`,
    'declare const indices: number[];',
    'declare const epoch: number;',
  ],
  'metrics-1': [
    `declare const model: ${VAE};`,
    `declare const trainData: ${SOURCE};`,
    `declare const testData: ${SOURCE};`,
    "declare const sprites: import('@vae/core').FactorSource;",
    `declare const decoderKernel: ${TENSOR};`,
    'declare const scores: Float32Array;',
    'declare const isAnomaly: number[];',
  ],
  'viz-1': [
    `declare const model: ${VAE};`,
    `declare const images: ${TENSOR};`,
    `declare const reconstructions: ${TENSOR};`,
    'declare const labels: number[];',
    "declare const mean: import('@tensorflow/tfjs-core').Tensor2D;",
    'declare const codeA: number[];',
    'declare const codeB: number[];',
    "declare const metrics: { epochs: import('@vae/models').EpochRecord[] };",
    "declare const rocPoints: import('@vae/core').RocCurve;",
    'declare const normalScores: number[];',
    'declare const anomalousScores: number[];',
    'declare const threshold: number;',
  ],
  'viz-2': [
    "declare const decode: (z: import('@tensorflow/tfjs-core').Tensor2D) => import('@tensorflow/tfjs-core').Tensor;",
  ],
};

// Inside the repository (under node_modules/.cache, ignored by git), so that the examples' imports of tfjs resolve.
const cache = join(root, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const directory = mkdtempSync(join(cache, 'vae-readme-types-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The ```ts blocks of the main README (`readme-n`) and of each library's README, each with its prelude, as files in `directory`. */
function exampleFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of ['readme', ...LIBRARIES]) {
    const readme = name === 'readme' ? 'README.md' : join('packages', name, 'README.md');
    const text = readFileSync(join(root, readme), 'utf8');
    [...text.matchAll(/```ts\n([\s\S]*?)```/g)].forEach((match, i) => {
      const key = `${name}-${i + 1}`;
      const file = join(directory, `${key}.ts`);
      // `export {}`: each example is a module of its own (top-level await, no clash with DOM globals).
      writeFileSync(file, [...(PRELUDES[key] ?? []), 'export {};', match[1]].join('\n'));
      files.set(key, file);
    });
  }
  return files;
}

describe('README examples', () => {
  it('typecheck against the libraries as they are', () => {
    const files = exampleFiles();
    expect(files.size).toBeGreaterThanOrEqual(10);
    const source = (path: string) => join(root, 'packages', path);
    const program = ts.createProgram([...files.values()], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      baseUrl: root,
      paths: {
        '@vae/core/testing': [source('core/src/testing.ts')],
        '@vae/core/layers': [source('core/src/layers.ts')],
        '@vae/models/layers': [source('models/src/layers.ts')],
        '@vae/models/options': [source('models/src/options.ts')],
        '@vae/models/browser': [source('models/src/browser.ts')],
        '@vae/models/fit-worker': [source('models/src/fit-worker.ts')],
        '@vae/viz/umap': [source('viz/src/umap.ts')],
        '#register-gradients': [source('core/src/register-gradients.browser.ts')],
        '@vae/*/node': [source('*/src/node.ts')],
        '@vae/*': [source('*/src/index.ts')],
      },
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName.startsWith(directory))
      .map((d) => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const name = d.file!.fileName.slice(directory.length + 1);
        return `${name}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      });
    expect(problems).toEqual([]);
  }, 120_000);
});
