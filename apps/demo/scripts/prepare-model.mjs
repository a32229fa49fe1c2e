// Trains the demo's model with the vae CLI and copies it into public/models/mnist-vae/, where the page loads it
// from (and `vite build` copies it to dist/models/mnist-vae/).
//
//   node apps/demo/scripts/prepare-model.mjs [--epochs 10] [-- <more arguments for `vae train`>]
//
// Needs the CLI built: `pnpm turbo run build` from the repository root.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const demoDirectory = fileURLToPath(new URL('..', import.meta.url));
const cli = join(demoDirectory, '..', 'cli', 'dist', 'bin.js');
const target = join(demoDirectory, 'public', 'models', 'mnist-vae');

class PrepareError extends Error {}

function fail(message) {
  throw new PrepareError(message);
}

function main() {
  const argumentsGiven = process.argv.slice(2);
  const separator = argumentsGiven.indexOf('--');
  const own = separator === -1 ? argumentsGiven : argumentsGiven.slice(0, separator);
  const passedOn = separator === -1 ? [] : argumentsGiven.slice(separator + 1);
  let epochs = '10';
  for (let index = 0; index < own.length; index++) {
    if (own[index] === '--epochs') epochs = own[++index] ?? '';
    else if (own[index].startsWith('--epochs=')) epochs = own[index].slice('--epochs='.length);
    else if (own[index] === '--help' || own[index] === '-h') {
      console.log(
        'usage: node scripts/prepare-model.mjs [--epochs 10] [-- <more arguments for `vae train`>]',
      );
      return;
    } else fail(`unknown option ${own[index]}; put arguments for \`vae train\` after --.`);
  }
  if (!/^[1-9]\d*$/.test(epochs)) fail(`--epochs must be a positive integer, got "${epochs}".`);
  if (!existsSync(cli)) {
    fail(
      `the vae CLI is not built (${cli} is missing); run \`pnpm turbo run build\` in the repository root.`,
    );
  }

  const out = mkdtempSync(join(tmpdir(), 'vae-demo-model-'));
  try {
    const command = [cli, 'train', '--epochs', epochs, '--out', out, ...passedOn];
    console.log(`prepare-model: node ${command.join(' ')}`);
    const run = spawnSync(process.execPath, command, { stdio: 'inherit' });
    if (run.status !== 0) fail(`\`vae train\` failed (exit status ${run.status ?? run.signal}).`);

    const modelDirectory = join(out, 'model');
    const modelJson = join(modelDirectory, 'model.json');
    if (!existsSync(modelJson)) fail(`\`vae train\` wrote no ${modelJson}.`);
    const manifest = JSON.parse(readFileSync(modelJson, 'utf8')).weightsManifest ?? [];
    const weightFiles = manifest.flatMap((group) => group.paths).map((path) => basename(path));
    if (weightFiles.length === 0) fail(`${modelJson} names no weight files.`);
    for (const file of weightFiles) {
      if (!existsSync(join(modelDirectory, file))) fail(`${modelJson} names ${file}, which is missing.`);
    }

    mkdirSync(target, { recursive: true });
    // weights first, so the page never sees a model.json whose weights are not there yet
    for (const file of [...weightFiles, 'model.json']) {
      copyFileSync(join(modelDirectory, file), join(target, file));
      console.log(`prepare-model: ${join(target, file)} (${statSync(join(target, file)).size} bytes)`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof PrepareError)) throw error;
  console.error(`prepare-model: ${error.message}`);
  process.exitCode = 1;
}
