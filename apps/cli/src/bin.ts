import { DATASET_NAMES, type DatasetName } from '@vae/data';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BACKENDS, type BackendChoice } from './backend';
import { CliError, EXIT } from './errors';

const VERSION = '0.0.0';

function integer(name: string, minimum = 1) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < minimum) {
      throw new InvalidArgumentError(`${name} must be an integer >= ${minimum}.`);
    }
    return n;
  };
}

function positiveNumber(name: string, allowZero = false) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
      throw new InvalidArgumentError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number.`);
    }
    return n;
  };
}

function integerList(value: string) {
  const parts = value.split(',').map((p) => Number(p.trim()));
  if (parts.length === 0 || parts.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError(
      'give layer sizes as positive integers separated by commas, e.g. 400 or 512,256.',
    );
  }
  return parts;
}

function buildProgram(): Command {
  const program = new Command('vae')
    .description('Train, evaluate and draw autoencoders and variational autoencoders (TensorFlow.js).')
    .version(VERSION)
    .option('--verbose', 'print stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    // Usage errors on one line: "error: unknown option '--epocs' (Did you mean --epochs?) (run with --help ...)".
    // commander writes the showHelpAfterError hint right after the error, ending the line.
    .configureOutput({ outputError: (text, write) => write(`${text.trim().split('\n').join(' ')} `) })
    .exitOverride();

  program
    .command('train')
    .description('Train a model and write the saved model, metrics.json, figures and report.html to --out.')
    .addOption(new Option('--model <name>', 'model to train').choices(['vae']).default('vae'))
    .addOption(new Option('--dataset <name>', 'data set').choices(DATASET_NAMES).default('mnist'))
    .option('--latent-dim <n>', 'dimension of the latent code', integer('--latent-dim'), 20)
    .option('--hidden <sizes>', 'hidden layer sizes, comma separated', integerList, [400])
    .option('--epochs <n>', 'passes over the training set', integer('--epochs'), 10)
    .option('--batch-size <n>', 'examples per step', integer('--batch-size'), 128)
    .option('--lr <rate>', 'Adam learning rate', positiveNumber('--lr'), 1e-3)
    .option('--beta <weight>', 'weight of the KL term (1 = the ELBO)', positiveNumber('--beta', true), 1)
    .addOption(
      new Option('--backend <name>', 'tfjs backend; auto = tfjs-node if installed, else wasm')
        .choices(BACKENDS)
        .default('auto'),
    )
    .option('--seed <n>', 'random seed (weights, shuffling, noise)', integer('--seed', 0), 1)
    .option('--limit <n>', 'use only the first n training images', integer('--limit'))
    .option('--test-limit <n>', 'use only the first n test images', integer('--test-limit'))
    .option('--data-dir <dir>', 'directory with the IDX files (gzipped or not)')
    .option('--no-download', 'never download data; use local copies only')
    .option('--out <dir>', 'output directory', 'vae-out')
    .option('--json', 'print the final metrics as JSON on stdout (and no progress)')
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `
Examples:
  vae train                                   # 784-400-20 VAE on MNIST, 10 epochs, into ./vae-out
  vae train --epochs 1 --limit 2000 --out /tmp/quick
  vae train --dataset fashion-mnist --latent-dim 2 --out fashion-2d
  vae train --backend cpu --seed 7 --json`,
    )
    .action(async (options) => {
      const { train } = await import('./train');
      process.exitCode = await train({
        ...options,
        model: options.model as 'vae',
        dataset: options.dataset as DatasetName,
        backend: options.backend as BackendChoice,
      });
    });

  program
    .command('info')
    .description('Print versions and the tfjs backends that work here.')
    .action(async () => {
      const { info } = await import('./info');
      await info();
    });

  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      process.exitCode = ok ? EXIT.ok : EXIT.usage;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message.split('\n')[0]}\n`);
    if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : EXIT.failure;
  }
}

await main(process.argv);
