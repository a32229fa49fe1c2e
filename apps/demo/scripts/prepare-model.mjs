// Trains one of the demo's models with the vae CLI and copies it into public/models/<name>/, where the page loads
// it from (and `vite build` copies it to dist/models/<name>/); the model files of those the demo takes from
// @vae/pretrained (pretrained-models.json) go into that package instead, beside their cards. Weights are stored as float16 (half the bytes;
// tfjs dequantizes them on load), by `vae export`. With --codes N it also writes codes.json: the posterior means of
// the first N test images of the model's data set with their labels, rounded to 3 decimals.
//
//   node apps/demo/scripts/prepare-model.mjs [name] [--epochs 10] [--latent-dim 20] [--codes N] [--float32]
//                                            [-- <more arguments for `vae train`>]
//   node apps/demo/scripts/prepare-model.mjs --all      # every shipped model, one after the other
//
// The shipped models have their recipes below (RECIPES): `prepare-model.mjs fashion-vae-2d` makes that one, and
// options given after the name override the recipe's. Every run is seeded (`vae train --seed 1`), so it is
// reproducible on the same backend.
//
// Needs the CLI built: `pnpm turbo run build` from the repository root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const demoDirectory = fileURLToPath(new URL('..', import.meta.url));
const cli = join(demoDirectory, '..', 'cli', 'dist', 'bin.js');
/** @vae/pretrained name -> demo name of the models the demo takes from that package (see vite-plugin-pretrained.ts). */
const FROM_PRETRAINED = JSON.parse(readFileSync(join(demoDirectory, 'pretrained-models.json'), 'utf8'));

class PrepareError extends Error {}

function fail(message) {
  throw new PrepareError(message);
}

/**
 * The shipped models: the arguments each is made with (this script's options, then `vae train`'s after --).
 * Sizes and timings are in the README.
 */
export const RECIPES = {
  // 784-400-20, the Draw, Interpolate, Sample and Anomaly views
  'mnist-vae': ['--', '--seed', '1'],
  // 784-400-2, the MNIST latent map, with the codes of 2000 test digits
  'mnist-vae-2d': ['--latent-dim', '2', '--codes', '2000', '--', '--seed', '1'],
  // 784-400-2, the Fashion-MNIST latent map
  'fashion-vae-2d': [
    '--latent-dim',
    '2',
    '--codes',
    '2000',
    '--',
    '--dataset',
    'fashion-mnist',
    '--seed',
    '1',
  ],
  // 784-256-64 denoising autoencoder, half of the pixels blanked in training (the Draw view's denoiser)
  'mnist-dae': [
    '--latent-dim',
    '64',
    '--',
    '--model',
    'denoising-autoencoder',
    '--noise',
    'masking',
    '--noise-level',
    '0.5',
    '--hidden',
    '256',
    '--seed',
    '1',
  ],
  // The Disentangle view's pair, one recipe but beta: 4096-128-128-10 on 20,000 procedural sprites, batches of 32
  // (6,250 steps), seed 3 (the best of seeds 1-3 by MIG for the weight-50 model: 0.073, 0.090, 0.168), both beta-TCVAEs (Chen et al.: the KL split into index-code mutual information, total correlation
  // and dimension-wise KL). The objective is the ELBO plus (tc-weight - 1) times the TC:
  // at --tc-weight 1 it is exactly the plain VAE's. Chosen by
  // short runs of bench/dsprites-recipe.mjs and `vae train` (beta-VAE at beta 4, 8, 16 and beta-TCVAEs with one
  // hidden layer or two), scored on held-out sprites by MIG and r²: see the README.
  'dsprites-vae': [
    '--latent-dim',
    '10',
    '--',
    '--dataset',
    'dsprites',
    '--model',
    'beta-tcvae',
    '--tc-weight',
    '1',
    '--hidden',
    '128,128',
    '--batch-size',
    '32',
    '--limit',
    '20000',
    '--seed',
    '3',
  ],
  // The "Why a VAE" view's trio, one recipe but the objective: 784-128-2 on MNIST (small: 0.4 MB each), a plain
  // autoencoder (a linear code like the VAE's mean; no KL: its codes need not fill any region, so the plane has
  // holes), the VAE (beta 1) and a beta-VAE (beta 4: blurrier reconstructions, codes pressed onto the prior).
  // No codes.json: the view encodes the test digits itself (collectCodes of @vae/metrics)
  'mnist-ae-2d': [
    '--latent-dim',
    '2',
    '--',
    '--model',
    'autoencoder',
    '--code-activation',
    'linear',
    '--hidden',
    '128',
    '--seed',
    '1',
  ],
  'mnist-vae-2d-small': ['--latent-dim', '2', '--', '--hidden', '128', '--seed', '1'],
  'mnist-beta-vae-2d': [
    '--latent-dim',
    '2',
    '--',
    '--model',
    'beta-vae',
    '--beta',
    '4',
    '--hidden',
    '128',
    '--seed',
    '1',
  ],
  // the disentangling one: total correlation weighted 50 (the view's "β"; at 20, x and y stayed mixed; with 10,000
  // sprites and seed 1, scale stayed mixed)
  'dsprites-beta-vae': [
    '--latent-dim',
    '10',
    '--',
    '--dataset',
    'dsprites',
    '--model',
    'beta-tcvae',
    '--tc-weight',
    '50',
    '--hidden',
    '128,128',
    '--batch-size',
    '32',
    '--limit',
    '20000',
    '--seed',
    '3',
  ],
};

const USAGE =
  'usage: node scripts/prepare-model.mjs [name] [--epochs 10] [--latent-dim 20] [--codes N] [--float32] ' +
  `[-- <more arguments for \`vae train\`>], or --all; shipped names: ${Object.keys(RECIPES).join(', ')}`;

/** A shipped model's recipe with the given arguments after it (they win: the last value of a flag counts). */
function withRecipe(name, argumentsGiven) {
  const split = (list) => {
    const separator = list.indexOf('--');
    return separator === -1 ? [list, []] : [list.slice(0, separator), list.slice(separator + 1)];
  };
  const [recipeOwn, recipeTrain] = split(RECIPES[name]);
  const [own, train] = split(argumentsGiven);
  return [...recipeOwn, ...own, '--', ...recipeTrain, ...train];
}

/** The options for a run: a shipped model's name brings its recipe. */
function optionsOf(argumentsGiven) {
  const options = parseArguments(argumentsGiven);
  if (!options || !Object.hasOwn(RECIPES, options.name)) return options;
  return parseArguments(withRecipe(options.name, argumentsGiven));
}

function parseArguments(argumentsGiven) {
  const separator = argumentsGiven.indexOf('--');
  const own = separator === -1 ? argumentsGiven : argumentsGiven.slice(0, separator);
  const passedOn = separator === -1 ? [] : argumentsGiven.slice(separator + 1);
  const options = { name: 'mnist-vae', epochs: '10', latentDim: '20', codes: '0', float32: false, passedOn };
  const valued = { '--epochs': 'epochs', '--latent-dim': 'latentDim', '--codes': 'codes' };
  let named = false;
  for (let index = 0; index < own.length; index++) {
    const argument = own[index];
    const [flag, inline] = argument.startsWith('--') ? argument.split(/=(.*)/s) : [argument];
    if (flag in valued) options[valued[flag]] = inline ?? own[++index] ?? '';
    else if (flag === '--float32') options.float32 = true;
    else if (flag === '--help' || flag === '-h') return undefined;
    else if (!argument.startsWith('-') && !named) {
      options.name = argument;
      named = true;
    } else fail(`unknown option ${argument}; put arguments for \`vae train\` after --.\n${USAGE}`);
  }
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(options.name)) {
    fail(`the model name must be a plain folder name like mnist-vae-2d, got "${options.name}".`);
  }
  for (const [flag, key] of Object.entries(valued)) {
    const pattern = key === 'codes' ? /^\d+$/ : /^[1-9]\d*$/;
    if (!pattern.test(options[key])) fail(`${flag} must be a positive integer, got "${options[key]}".`);
  }
  return options;
}

function runCli(command) {
  console.log(`prepare-model: node ${command.join(' ')}`);
  const run = spawnSync(process.execPath, command, { stdio: 'inherit' });
  if (run.status !== 0) fail(`\`vae ${command[1]}\` failed (exit status ${run.status ?? run.signal}).`);
}

function main() {
  const given = process.argv.slice(2);
  if (given[0] === '--all') {
    if (given.length > 1) fail(`--all takes no other arguments, got ${given.slice(1).join(' ')}.\n${USAGE}`);
    for (const name of Object.keys(RECIPES)) prepare(optionsOf([name]));
    return;
  }
  const options = optionsOf(given);
  if (!options) {
    console.log(USAGE);
    return;
  }
  prepare(options);
}

function prepare(options) {
  if (!existsSync(cli)) {
    fail(
      `the vae CLI is not built (${cli} is missing); run \`pnpm turbo run build\` in the repository root.`,
    );
  }
  const target = join(demoDirectory, 'public', 'models', options.name);
  const out = mkdtempSync(join(tmpdir(), 'vae-demo-model-'));
  try {
    runCli([
      cli,
      'train',
      '--epochs',
      options.epochs,
      '--latent-dim',
      options.latentDim,
      '--out',
      out,
      ...options.passedOn,
    ]);

    // `vae export` writes what the page loads: weights (float16 unless --float32), then model.json, the final
    // metrics, and the compact codes.json of the first N test images.
    runCli([
      cli,
      'export',
      out,
      '--out',
      target,
      ...(options.float32 ? [] : ['--float16']),
      ...(Number(options.codes) > 0 ? ['--codes', options.codes] : []),
    ]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  // A model the demo takes from @vae/pretrained (pretrained-models.json): its files belong to the package.
  const pretrained = Object.entries(FROM_PRETRAINED).find(([, demo]) => demo === options.name)?.[0];
  if (pretrained) {
    const home = join(demoDirectory, '..', '..', 'packages', 'pretrained', 'models', pretrained);
    for (const file of ['model.json', 'weights.bin']) renameSync(join(target, file), join(home, file));
    console.log(
      `prepare-model: ${options.name} is @vae/pretrained's ${pretrained}: its model.json and weights.bin went to ` +
        `${home}; re-measure its card with \`node packages/pretrained/scripts/build-pretrained.mjs --only ${pretrained}\`.`,
    );
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof PrepareError)) throw error;
  console.error(`prepare-model: ${error.message}`);
  process.exitCode = 1;
}
