// Where a training step spends its time on one backend: kernels per step (tf.profile) and the time per kernel type
// (from an instrumented backend run), then the unprofiled wall time per step.
// usage: node bench/profile.mjs [wasm|cpu] [steps] [mlp|conv]
// mlp: ref-vae; conv: the convolutional MNIST VAE, architecture('mnist-conv') with a 20-dimensional code (the
// convolutions are core's fusedConv2d: FusedConv2D / Conv2D, VaeSubPixelInterleave, Transpose and Reverse rows).
// Absolute times move with the machine's load: compare code versions in alternating fresh processes.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelsByType } from './kernels.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'apps/cli/package.json'));
const load = (name) => import(require.resolve(name));
const tf = await load('@tensorflow/tfjs-core');
await load('@tensorflow/tfjs-backend-cpu');
const wasm = await load('@tensorflow/tfjs-backend-wasm');
const { VAE, architecture } = await load('@vae/models');
await load('@vae/models/layers');
const { loadMnist } = await import(require.resolve('@vae/data/node'));

const backend = process.argv[2] ?? 'wasm';
const steps = Number(process.argv[3] ?? 40);
const arch = process.argv[4] ?? 'mlp';
tf.env().set('PROD', true);
const quiet = console.warn;
console.warn = () => {};
if (backend === 'wasm') wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
await tf.setBackend(backend);
await tf.ready();
console.warn = quiet;
const data = await loadMnist({
  split: 'train',
  limit: 128 * steps,
  packageSearchPaths: [join(root, 'apps/cli')],
});

const model = new VAE(
  arch === 'conv' ? { ...architecture('mnist-conv'), latentDim: 20, seed: 1 } : { seed: 1 },
);
// warm up
await model.fit(data, { epochs: 1, batchSize: 128, seed: 1 });
const info = await tf.profile(() => model.fit(data, { epochs: 1, batchSize: 128, seed: 2 }));
const { total, rows } = kernelsByType(info);
// 'unnamed scope' rows are custom gradients (fusedDense, fusedConv2d, ...): their time contains the kernels they run
const scopes = rows.filter(([name]) => name === 'unnamed scope').reduce((s, [, e]) => s + e.ms, 0);
console.log(
  `kernels per step: ${(info.kernels.length / steps).toFixed(1)}; kernel ms per step ${((total - scopes) / steps).toFixed(2)} ` +
    '(not counting the custom-gradient scopes, whose time is that of the kernels inside them)',
);
for (const [name, e] of rows) {
  console.log(
    `${name.padEnd(22)} ${(e.count / steps).toFixed(1).padStart(6)}/step ${(e.ms / steps).toFixed(3).padStart(8)} ms/step`,
  );
}
const t0 = performance.now();
const h = await model.fit(data, { epochs: 2, batchSize: 128, seed: 3 });
console.log(
  `wall ms per step (unprofiled): ${((performance.now() - t0) / (2 * steps)).toFixed(2)}; img/s ${h.epochs.map((e) => e.examplesPerSecond.toFixed(0))}`,
);
