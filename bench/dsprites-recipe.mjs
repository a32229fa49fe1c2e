// Trying recipes for the demo's Disentangle pair (apps/demo/scripts/prepare-model.mjs): trains one model on the
// procedural dSprites at 64x64, on the same training images `vae train --dataset dsprites --limit N` uses (the first
// N of a seed-12345 permutation), and scores it on held-out sprites (factors drawn afresh by the metrics): MIG with
// its per-factor gaps and I(z_j; v_k), and SAP's squared correlations, for which latent follows x, y and scale.
//
//   node bench/dsprites-recipe.mjs [--model vae|beta-vae|beta-tcvae] [--beta 4] [--capacity C --capacity-gamma g]
//                                  [--latent 10] [--hidden 128] [--limit 10000] [--epochs 10] [--batch 32]
//                                  [--network mlp|conv] [--points 2000] [--seed 1] [--save <dir>] [--json out.json]
//   node bench/dsprites-recipe.mjs --load <model folder> [--points 2000] [--json out.json]
//
// --load scores a saved or exported model, or a `vae train` run's checkpoint/ folder (e.g. apps/demo/public/models/dsprites-beta-vae, made by
// apps/demo/scripts/prepare-model.mjs) instead of training one: the numbers the demo's Disentangle view shows.
//
// A benchmark, not a test (wasm, in this process). It bundles the @vae sources through bench/bundle.mjs.
import { writeFileSync } from 'node:fs';
import { loadVae } from './bundle.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const kind = option('model', 'beta-vae');
const beta = Number(option('beta', kind === 'vae' ? 1 : 4));
const capacity = option('capacity', undefined);
const latentDim = Number(option('latent', 10));
const hidden = option('hidden', '128').split(',').map(Number);
const limit = Number(option('limit', 10000));
const epochs = Number(option('epochs', 10));
const batchSize = Number(option('batch', 32));
const network = option('network', 'mlp');
const points = Number(option('points', 2000));
const seed = Number(option('seed', 1));
const learningRate = Number(option('lr', 1e-3));
const saveDir = option('save', undefined);
const jsonOut = option('json', undefined);
const loadDir = option('load', undefined);

const { tf, modules } = await loadVae({
  entries: {
    core: '@vae/core',
    data: '@vae/data',
    models: '@vae/models',
    metrics: '@vae/metrics',
    modelsNode: '@vae/models/node',
  },
});
const { core, data, models, metrics, modelsNode } = modules;

const sprites = new data.DSprites({ labelFactor: null });
const chosen = new core.Random(12345).permutation(sprites.size).subarray(0, limit);
const train = data.subset(sprites, chosen, 'dsprites/train');
const config = {
  inputShape: [64, 64, 1],
  latentDim,
  hiddenUnits: hidden,
  network,
  likelihood: 'bernoulli',
  seed,
  ...(kind === 'vae' ? {} : { beta }),
  ...(capacity === undefined
    ? {}
    : {
        capacity: {
          kind: 'capacity',
          gamma: Number(option('capacity-gamma', 100)),
          maxCapacity: Number(capacity),
          steps: Number(option('capacity-steps', Math.ceil(limit / batchSize) * epochs)),
        },
      }),
};
const className = { vae: 'VAE', 'beta-vae': 'BetaVAE', 'beta-tcvae': 'BetaTCVAE' }[kind];
let model;
const started = performance.now();
if (loadDir) {
  // a model folder, or a run's checkpoint/ folder (to follow a `vae train` run while it trains)
  model = loadDir.replace(/\/$/, '').endsWith('checkpoint')
    ? (await modelsNode.loadCheckpointFromDirectory(loadDir)).model
    : await modelsNode.loadModelFromDirectory(loadDir);
} else {
  model = new models.MODEL_REGISTRY[className](config);
  await model.fit(train, { epochs, batchSize, learningRate, seed });
  if (saveDir) await modelsNode.saveModelToDirectory(model, saveDir);
}
const trainSeconds = (performance.now() - started) / 1000;

const represent = (x) => tf.tidy(() => model.encode(x).mean);
const mig = await metrics.mutualInformationGap(sprites, represent, { points, seed: 100 });
const sap = await metrics.sapScore(sprites, represent, { points, seed: 100 });
const held = data.subset(sprites, new core.Random(999).permutation(sprites.size).subarray(0, 2000));
const elbo = await model.evaluate(held, { batchSize: 500, seed });
const K = sprites.factorNames.length;
const factors = {};
for (const [k, name] of sprites.factorNames.entries()) {
  const column = Array.from({ length: model.latentDim }, (_, j) => sap.scores.values[j * K + k]);
  const top = column.indexOf(Math.max(...column));
  const second = Math.max(...column.filter((_, j) => j !== top));
  factors[name] = {
    migGap: Number(mig.gaps[k].toFixed(3)),
    topLatent: top,
    r2: Number(column[top].toFixed(3)),
    secondR2: Number(second.toFixed(3)),
  };
}
const result = {
  ...(loadDir
    ? { loaded: loadDir, className: model.className, config: model.config }
    : { kind, beta, capacity: config.capacity, latentDim, hidden, network, limit, epochs, batchSize, seed }),
  mig: Number(mig.score.toFixed(4)),
  sap: Number(sap.score.toFixed(4)),
  reconstruction: Number(elbo.reconstruction.toFixed(2)),
  kl: Number(elbo.kl.toFixed(2)),
  factors,
  trainSeconds: Math.round(trainSeconds),
};
console.log(JSON.stringify(result));
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(result, null, 1)}\n`);
model.dispose();
