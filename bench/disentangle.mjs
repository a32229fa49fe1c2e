// Disentanglement on the procedural dSprites (the 737,280 images of Matthey et al., drawn by @vae/data): the MIG,
// DCI, SAP, beta-VAE and FactorVAE scores of a VAE, a beta-VAE, a beta-TCVAE, a FactorVAE and a DIP-VAE trained for
// the same small budget, over seeds, with mean and spread. A benchmark, not a test: it trains every model in this
// process on the CPU (wasm by default) and writes the table (and --json) at the end.
//
//   node bench/disentangle.mjs [--seeds 2] [--steps 1500] [--batch 64] [--latent 10] [--hidden 256]
//                              [--models vae,beta-vae,beta-tcvae,factor-vae,dip-vae] [--seed-list 1,2] [--backend wasm]
//                              [--points 5000] [--score-points 500] [--size 32] [--json out.json] [--save <dir>] [--load <dir>]
//
// --size 32 (default) average-pools the 64x64 images to 32x32 before the models see them (training and scoring), a
// quarter of the work on a shared 2-core machine; --size 64 keeps them whole.
//
// --train-only trains (and saves) without scoring. --save writes each trained model to <dir>/<model>-<seed>;
// --load scores the models saved there instead of training.
// It bundles the @vae sources with esbuild through bench/bundle.mjs (the packages need no build).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadVae } from './bundle.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const seeds =
  option('seed-list', undefined)?.split(',').map(Number) ??
  Array.from({ length: Number(option('seeds', 2)) }, (_, i) => i + 1);
const steps = Number(option('steps', 1500));
const batchSize = Number(option('batch', 64));
const latentDim = Number(option('latent', 10));
const hidden = option('hidden', '256').split(',').map(Number);
const backend = option('backend', 'wasm');
const only = option('models', 'vae,beta-vae,beta-tcvae,factor-vae,dip-vae').split(',');
const points = Number(option('points', 5000));
const scorePoints = Number(option('score-points', 500));
const jsonOut = option('json', undefined);
const saveDir = option('save', undefined);
const loadDir = option('load', undefined);
const learningRate = Number(option('lr', 1e-3));
const trainOnly = args.includes('--train-only');
const size = Number(option('size', 32));
const factor = 64 / size;

const { tf, modules } = await loadVae({
  entries: {
    core: '@vae/core',
    data: '@vae/data',
    models: '@vae/models',
    metrics: '@vae/metrics',
    modelsNode: '@vae/models/node',
  },
  backend,
});
const { core, data, models, metrics, modelsNode } = modules;

const full = new data.DSprites({ labelFactor: null });
const shrink = (x) => (factor === 1 ? x : tf.tidy(() => tf.avgPool(x, factor, factor, 'valid')));
/** dSprites with its images pooled to size x size: a data source and a factor source, as the metrics take it. */
const sprites = {
  size: full.size,
  itemShape: [size, size, 1],
  factorSizes: full.factorSizes,
  factorNames: full.factorNames,
  batch: (indices) => tf.tidy(() => shrink(full.batch(indices))),
  render: (factors) => tf.tidy(() => shrink(full.render(factors))),
};
const common = { inputShape: [size, size, 1], latentDim, hiddenUnits: hidden, likelihood: 'bernoulli' };
/** The models of the table; settings from the papers' dSprites experiments where they fit the budget. */
const kinds = {
  vae: () => new models.VAE({ ...common }),
  'beta-vae': () => new models.BetaVAE({ ...common, beta: 4 }),
  'beta-tcvae': () => new models.BetaTCVAE({ ...common, beta: 6 }),
  'factor-vae': () => new models.FactorVAE({ ...common, gamma: 35 }),
  'dip-vae': () => new models.DipVAE({ ...common, dipType: 'i', lambdaOffDiagonal: 10 }),
};

/** A random subset of dSprites as the training set: steps x batch images, each seen once. */
function trainingSource(seed, size = steps * batchSize) {
  const random = new core.Random(seed);
  const indices = Int32Array.from({ length: size }, () => random.nextInt(sprites.size));
  return {
    size,
    itemShape: sprites.itemShape,
    batch: (rows) => sprites.batch(Array.from(rows, (r) => indices[r])),
  };
}

const represent = (model) => (x) => tf.tidy(() => model.encode(x).mean);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const spread = (xs) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

console.log(
  `dSprites (procedural, pooled to ${size}x${size}); ${backend}; MLP ${size * size}-${hidden.join('-')}-${latentDim}, Bernoulli decoder; ${steps} steps of ` +
    `${batchSize} (Adam ${learningRate}); seeds ${seeds.join(',')}; MIG/DCI/SAP on ${points} points, beta-VAE and ` +
    `FactorVAE scores on ${scorePoints} train + ${scorePoints / 2} eval points of 64`,
);
const results = [];
for (const name of only) {
  for (const seed of seeds) {
    const started = performance.now();
    let model;
    if (loadDir) {
      model = await modelsNode.loadModelFromDirectory(join(loadDir, `${name}-${seed}`));
    } else {
      model = kinds[name]();
      // seeded weights: rebuild with the seed in the config
      const config = { ...model.config, seed };
      model.dispose();
      model = new models.MODEL_REGISTRY[model.className](config);
      await model.fit(trainingSource(seed), {
        epochs: 1,
        batchSize,
        learningRate,
        seed,
        onProgress: ({ done, total }) => {
          if (done % 250 === 0) console.log(`  ${name} seed ${seed}: step ${done}/${total}`);
        },
      });
      if (saveDir) {
        mkdirSync(saveDir, { recursive: true });
        await modelsNode.saveModelToDirectory(model, join(saveDir, `${name}-${seed}`));
      }
    }
    const trainSeconds = (performance.now() - started) / 1000;
    if (trainOnly) {
      console.log(`${name} seed ${seed}: trained in ${trainSeconds.toFixed(0)} s`);
      model.dispose();
      continue;
    }
    const f = represent(model);
    const elbo = await model.evaluate(trainingSource(1000 + seed, 5000), { batchSize: 500, seed });
    const scored = performance.now();
    const sizes = { seed: 100 + seed };
    const mig = await metrics.mutualInformationGap(sprites, f, { ...sizes, points });
    const dci = metrics.dciScores ? await metrics.dciScores(sprites, f, { ...sizes, points }) : undefined;
    const sap = metrics.sapScore ? await metrics.sapScore(sprites, f, { ...sizes, points }) : undefined;
    const betaVae = await metrics.betaVaeScore(sprites, f, {
      ...sizes,
      trainPoints: scorePoints,
      evalPoints: scorePoints / 2,
    });
    const factorVae = await metrics.factorVaeScore(sprites, f, {
      ...sizes,
      trainPoints: scorePoints,
      evalPoints: scorePoints / 2,
      varianceEstimatePoints: points,
    });
    const row = {
      model: name,
      seed,
      negativeElbo: elbo.reconstruction + elbo.kl,
      kl: elbo.kl,
      mig: mig.score,
      dciDisentanglement: dci?.disentanglement,
      dciCompleteness: dci?.completeness,
      dciInformativeness: dci?.informativeness,
      sap: sap?.score,
      betaVae: betaVae.score,
      factorVae: factorVae.score,
      trainSeconds,
      scoreSeconds: (performance.now() - scored) / 1000,
    };
    results.push(row);
    console.log(JSON.stringify(row));
    model.dispose();
  }
}

const columns = [
  ['mig', 'MIG'],
  ['dciDisentanglement', 'DCI D'],
  ['dciCompleteness', 'DCI C'],
  ['dciInformativeness', 'DCI I'],
  ['sap', 'SAP'],
  ['betaVae', 'beta-VAE'],
  ['factorVae', 'FactorVAE'],
  ['negativeElbo', '-ELBO'],
];
const lines = [
  `| model | ${columns.map(([, title]) => title).join(' | ')} |`,
  `|---|${columns.map(() => '---').join('|')}|`,
];
for (const name of only) {
  const rows = results.filter((r) => r.model === name);
  const cells = columns.map(([key]) => {
    const values = rows.map((r) => r[key]).filter((v) => v !== undefined);
    if (!values.length) return 'n/a';
    const digits = key === 'negativeElbo' ? 1 : 3;
    return `${mean(values).toFixed(digits)} ± ${spread(values).toFixed(digits)}`;
  });
  lines.push(`| ${name} | ${cells.join(' | ')} |`);
}
console.log(lines.join('\n'));
console.log('(mean ± standard deviation over seeds)');
if (jsonOut)
  writeFileSync(jsonOut, JSON.stringify({ steps, batchSize, latentDim, hidden, seeds, results }, null, 2));
