import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ACTIVATION_CHOICES as ACTIVATIONS, BACKENDS, CLI_DATASETS, MODEL_CHOICES } from './choices';
import { applyConfigFile } from './config-file';
import { CliError, EXIT } from './errors';
import { checkModelOptions } from './model-options';

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

function hiddenList(value: string) {
  return value.trim() === '' ? [] : integerList(value);
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

function numberList(name: string, count?: number) {
  return (value: string) => {
    const parts = value.split(',').map((p) => Number(p.trim()));
    if (parts.some((n) => !Number.isFinite(n)) || (count !== undefined && parts.length !== count)) {
      throw new InvalidArgumentError(`${name} takes ${count ?? 'some'} numbers separated by commas.`);
    }
    return parts;
  };
}

function dimensionList(value: string) {
  const parts = value.split(',').map((p) => Number(p.trim()));
  if (parts.length === 0 || parts.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new InvalidArgumentError('give latent dimensions as integers >= 0 separated by commas, e.g. 0,1.');
  }
  return parts;
}

const backendOption = () =>
  new Option(
    '--backend <name>',
    'tfjs backend; auto = tfjs-node if installed, else wasm; webgpu needs the npm package webgpu',
  )
    .choices(BACKENDS)
    .default('auto');
const datasetOption = (fallback?: string) => {
  const option = new Option('--dataset <name>', 'data set').choices(CLI_DATASETS);
  return fallback ? option.default(fallback) : option;
};
const splitOption = () =>
  new Option('--split <name>', 'which split').choices(['train', 'test']).default('test');

function withDataOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'directory with the data files (gzipped or not)')
    .option('--no-download', 'never download data; use local copies only');
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

  const train = program
    .command('train')
    .description(
      'Train a model and write the saved model, a checkpoint per epoch, metrics.json, figures and report.html to --out.',
    )
    .option('--config <file>', 'read options from a JSON or YAML file (flags override it)')
    .addOption(new Option('--model <name>', 'model to train').choices(MODEL_CHOICES).default('vae'))
    .addOption(datasetOption('mnist'))
    .option('--epochs <n>', 'passes over the training set', integer('--epochs'), 10)
    .option('--batch-size <n>', 'examples per step', integer('--batch-size'), 128)
    .option('--lr <rate>', 'Adam learning rate', positiveNumber('--lr'), 1e-3)
    .addOption(backendOption())
    .option('--seed <n>', 'random seed (weights, shuffling, noise)', integer('--seed', 0), 1)
    .option('--limit <n>', 'use only the first n training images', integer('--limit'))
    .option('--test-limit <n>', 'use only the first n test images', integer('--test-limit'));
  withDataOptions(train)
    .option('--out <dir>', 'output directory', 'vae-out')
    .option('--resume [dir]', "continue an interrupted run from its checkpoint (default: --out's)")
    .option('--json', 'print the final metrics as JSON on stdout (and no progress)')
    .option('--quiet', 'print nothing but errors');
  const group = (heading: string, options: Option[]) => {
    for (const option of options) train.addOption(option.helpGroup(heading));
  };
  const numberOption = (flags: string, description: string, parse: (v: string) => unknown) =>
    new Option(flags, description).argParser(parse);
  group("Model options (all models; default: the model's own):", [
    numberOption('--latent-dim <n>', 'size of the code / latent variable z', integer('--latent-dim')),
    numberOption('--hidden <sizes>', 'hidden layer sizes, comma separated (none: "")', hiddenList),
    new Option('--activation <name>', 'activation of the hidden layers').choices(ACTIVATIONS),
    new Option('--network <kind>', 'dense layers, or strided convolutions first').choices(['mlp', 'conv']),
    numberOption('--filters <list>', 'filters of the convolutions (--network conv), e.g. 32,64', integerList),
  ]);
  group('Autoencoders (autoencoder, linear-, tied-, sparse-, denoising-, contractive-autoencoder):', [
    new Option('--code-activation <name>', 'activation of the code').choices(ACTIVATIONS),
    numberOption(
      '--weight-decay <lambda>',
      'L2 penalty on the kernels',
      positiveNumber('--weight-decay', true),
    ),
    new Option('--noise <kind>', 'denoising-autoencoder: the corruption').choices(['masking', 'gaussian']),
    numberOption(
      '--noise-level <q>',
      'denoising-autoencoder: masking probability q, or Gaussian sigma',
      positiveNumber('--noise-level', true),
    ),
    new Option('--sparsity <kind>', 'sparse-autoencoder: the penalty').choices(['kl', 'l1']),
    numberOption(
      '--sparsity-target <rho>',
      'sparse-autoencoder: target mean activation rho (kl)',
      positiveNumber('--sparsity-target'),
    ),
    numberOption(
      '--sparsity-weight <w>',
      'sparse-autoencoder: weight of the penalty',
      positiveNumber('--sparsity-weight', true),
    ),
    numberOption(
      '--contractive-weight <lambda>',
      'contractive-autoencoder: weight of |J|_F^2',
      positiveNumber('--contractive-weight', true),
    ),
  ]);
  group('VAEs (vae, beta-vae, conditional-vae, iwae):', [
    new Option('--decoder <kind>', 'observation model p(x|z)').choices([
      'bernoulli',
      'gaussian',
      'gaussian-learned',
    ]),
    numberOption('--variance <v>', 'fixed variance of --decoder gaussian', positiveNumber('--variance')),
    numberOption(
      '--samples <L>',
      'samples of z per example in the reconstruction term',
      integer('--samples'),
    ),
    numberOption(
      '--beta <weight>',
      'weight of the KL term (1 = the ELBO; beta-vae: 4)',
      positiveNumber('--beta', true),
    ),
    numberOption(
      '--capacity <nats>',
      'beta-vae: gamma |KL - C| with C rising to this (Burgess et al.)',
      positiveNumber('--capacity', true),
    ),
    numberOption(
      '--capacity-gamma <g>',
      'beta-vae: gamma (default 1000)',
      positiveNumber('--capacity-gamma'),
    ),
    numberOption(
      '--capacity-steps <n>',
      'beta-vae: steps for C to reach --capacity (default 100000)',
      integer('--capacity-steps'),
    ),
    numberOption('--k <n>', 'iwae: importance samples per example', integer('--k')),
    numberOption(
      '--num-classes <n>',
      "conditional-vae: classes (default: the data set's)",
      integer('--num-classes', 2),
    ),
    new Option('--kl-schedule <kind>', 'KL weight over training steps').choices([
      'constant',
      'linear',
      'cyclical',
      'cosine',
    ]),
    numberOption(
      '--kl-steps <n>',
      'ramp length (linear, cosine) or cycle period (cyclical), in steps',
      integer('--kl-steps'),
    ),
    numberOption('--kl-from <w>', 'weight at the start (default 0)', positiveNumber('--kl-from', true)),
    numberOption('--kl-to <w>', 'weight at the end (default --beta)', positiveNumber('--kl-to', true)),
    numberOption('--kl-delay <n>', 'linear: steps at --kl-from before the ramp', integer('--kl-delay', 0)),
    numberOption('--kl-cycles <n>', 'cyclical: number of cycles (default: forever)', integer('--kl-cycles')),
    numberOption(
      '--kl-ramp <fraction>',
      'cyclical: fraction of a cycle spent rising (default 0.5)',
      positiveNumber('--kl-ramp'),
    ),
  ]);
  train
    .addHelpText(
      'after',
      `
Examples:
  vae train                                   # 784-400-20 VAE on MNIST, 10 epochs, into ./vae-out
  vae train --epochs 1 --limit 2000 --out /tmp/quick
  vae train --dataset dsprites --model beta-vae --beta 4 --latent-dim 10 --out sprites
  vae train --model denoising-autoencoder --noise masking --noise-level 0.5 --out dae
  vae train --kl-schedule linear --kl-steps 2000 # KL warm-up over 2000 steps
  vae train --resume vae-out                  # continue after Ctrl-C
  vae train --config run.yaml --epochs 3      # options from a file; flags win
  vae train --config vae-out/config.json      # repeat an earlier run`,
    )
    .hook('preAction', async (command) => {
      const file = command.opts().config;
      if (!file) return;
      try {
        await applyConfigFile(command, file);
      } catch (error) {
        // a bad config file is bad usage, like a bad flag
        throw error instanceof CliError ? new CliError(error.message, EXIT.usage) : error;
      }
    })
    .action(async (options, command: Command) => {
      const { config: _config, ...rest } = options;
      if (!rest.resume) checkModelOptions(rest);
      const { train: run } = await import('./commands/train');
      const given = new Set(
        Object.keys(options).filter((key) =>
          ['cli', 'config'].includes(command.getOptionValueSource(key) ?? ''),
        ),
      );
      given.delete('config');
      process.exitCode = await run(rest, given);
    });

  const evaluateCommand = program
    .command('eval')
    .description(
      'Evaluate a trained VAE: test ELBO and its terms, importance-sampled log p(x), active units.',
    )
    .requiredOption('--model <dir>', 'a `vae train` output directory (or its model/ folder)')
    .addOption(datasetOption())
    .addOption(splitOption())
    .option('--limit <n>', 'evaluate only the first n images', integer('--limit'))
    .option(
      '--k <n>',
      'importance samples per image for log p(x) (5000 is the published standard)',
      integer('--k'),
      100,
    )
    .option('--seed <n>', 'random seed', integer('--seed', 0), 1)
    .addOption(backendOption())
    .option('--json', 'print the results as JSON');
  withDataOptions(evaluateCommand)
    .addHelpText(
      'after',
      '\nExamples:\n  vae eval --model vae-out\n  vae eval --model vae-out --k 5000 --limit 1000 --json',
    )
    .action(async (options) => {
      const { evaluate } = await import('./commands/evaluate');
      process.exitCode = await evaluate(options);
    });

  program
    .command('sample')
    .description('Decode draws from the prior into a PNG grid (VAE-family models).')
    .requiredOption('--model <dir>', 'a `vae train` output directory (or its model/ folder)')
    .option('-n, --count <n>', 'number of samples', integer('--count'), 64)
    .option('--temperature <t>', 'scale of the prior draws', positiveNumber('--temperature'), 1)
    .option('--columns <n>', 'grid columns (default: square)', integer('--columns'))
    .option(
      '--label <class>',
      'conditional-vae: draw this class (default: one row per class)',
      integer('--label', 0),
    )
    .option('--seed <n>', 'random seed', integer('--seed', 0), 1)
    .addOption(backendOption())
    .option('--out <file>', 'PNG file to write', 'samples.png')
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      '\nExamples:\n  vae sample --model vae-out -n 100 --temperature 0.8 --out samples.png',
    )
    .action(async (options) => {
      const { sample } = await import('./commands/draw');
      process.exitCode = await sample(options);
    });

  const reconstructCommand = program
    .command('reconstruct')
    .description('Draw data images above their reconstructions, as a PNG.')
    .requiredOption('--model <dir>', 'a `vae train` output directory (or its model/ folder)')
    .addOption(datasetOption())
    .addOption(splitOption())
    .option('-n, --count <n>', 'number of images', integer('--count'), 16)
    .option('--seed <n>', 'random seed', integer('--seed', 0), 1)
    .addOption(backendOption())
    .option('--out <file>', 'PNG file to write', 'reconstructions.png')
    .option('--quiet', 'print nothing but errors');
  withDataOptions(reconstructCommand)
    .addHelpText('after', '\nExamples:\n  vae reconstruct --model vae-out -n 24 --out recon.png')
    .action(async (options) => {
      const { reconstruct } = await import('./commands/draw');
      process.exitCode = await reconstruct(options);
    });

  const embedCommand = program
    .command('embed')
    .description('Write the latent codes (posterior means) of a data set, with labels, as CSV or JSON.')
    .requiredOption('--model <dir>', 'a `vae train` output directory (or its model/ folder)')
    .addOption(datasetOption())
    .addOption(splitOption())
    .option('--limit <n>', 'embed only the first n images', integer('--limit'))
    .addOption(
      new Option('--format <kind>', 'output format (default: from the file name)').choices(['csv', 'json']),
    )
    .addOption(backendOption())
    .option('--out <file>', 'file to write', 'codes.csv')
    .option('--quiet', 'print nothing but errors');
  withDataOptions(embedCommand)
    .addHelpText(
      'after',
      '\nExamples:\n  vae embed --model vae-out --out codes.csv\n  vae embed --model vae-out --limit 500 --out codes.json',
    )
    .action(async (options) => {
      const { embed } = await import('./commands/embed');
      process.exitCode = await embed(options);
    });

  const latentCommand = (name: string, description: string, out: string) =>
    withDataOptions(
      program
        .command(name)
        .description(description)
        .requiredOption('--model <dir>', 'a `vae train` output directory (or its model/ folder)')
        .addOption(datasetOption())
        .addOption(splitOption())
        .addOption(backendOption())
        .option('--out <file>', 'PNG file to write', out)
        .option('--quiet', 'print nothing but errors'),
    );

  latentCommand(
    'manifold',
    'Decode a grid over the prior quantiles of two latent dimensions (Kingma & Welling, Fig. 4).',
    'manifold.png',
  )
    .option('--steps <n>', 'grid size', integer('--steps', 2), 20)
    .option('--dimensions <i,j>', 'the two latent dimensions to vary (others at 0)', dimensionList, [0, 1])
    .addHelpText('after', '\nExamples:\n  vae manifold --model vae-2d --steps 20 --out manifold.png')
    .action(async (options) => {
      const { manifold } = await import('./commands/latent');
      process.exitCode = await manifold(options);
    });

  latentCommand(
    'interpolate',
    'Decode the path between the codes of two data examples (linear or spherical).',
    'interpolation.png',
  )
    .option('--from <index>', 'first example (index in the split)', integer('--from', 0), 0)
    .option('--to <index>', 'second example', integer('--to', 0), 1)
    .option('--steps <n>', 'images along the path', integer('--steps', 2), 10)
    .option('--spherical', 'spherical interpolation (slerp) instead of linear')
    .addHelpText(
      'after',
      '\nExamples:\n  vae interpolate --model vae-out --from 0 --to 1 --steps 12 --spherical --out slerp.png',
    )
    .action(async (options) => {
      const { interpolate } = await import('./commands/latent');
      process.exitCode = await interpolate(options);
    });

  latentCommand(
    'traverse',
    'Sweep each latent dimension over a range around a code: one row per dimension.',
    'traversal.png',
  )
    .option(
      '--index <n>',
      'encode this example as the base code (default: the prior mean, 0)',
      integer('--index', 0),
    )
    .option('--range <low,high>', 'values each dimension takes', numberList('--range', 2), [-3, 3])
    .option('--steps <n>', 'values per dimension', integer('--steps', 2), 9)
    .option('--dimensions <list>', 'dimensions to traverse (default: the first 10)', dimensionList)
    .addHelpText(
      'after',
      '\nExamples:\n  vae traverse --model vae-out --index 0 --range -3,3 --steps 9 --out traversal.png',
    )
    .action(async (options) => {
      const { traverse } = await import('./commands/latent');
      process.exitCode = await traverse(options);
    });

  const anomalyCommand = program
    .command('anomaly')
    .description(
      'Train on some classes, score the test set by negative ELBO (VAEs) or reconstruction error, and report AUROC for the held-out classes.',
    )
    .option(
      '--model <name|dir>',
      "model to train (a `vae train --model` name), or a trained model's directory to score with",
      'vae',
    )
    .addOption(datasetOption('mnist'))
    .option(
      '--normal <classes>',
      'the classes treated as normal (trained on), comma separated',
      dimensionList,
      [0, 1, 2, 3, 4],
    )
    .option('--latent-dim <n>', "size of the code (default: the model's)", integer('--latent-dim'))
    .option('--hidden <sizes>', "hidden layer sizes, comma separated (default: the model's)", hiddenList)
    .option('--epochs <n>', 'passes over the normal training images', integer('--epochs'), 5)
    .option('--batch-size <n>', 'examples per step', integer('--batch-size'), 128)
    .option('--lr <rate>', 'Adam learning rate', positiveNumber('--lr'), 1e-3)
    .option(
      '--limit <n>',
      'use only the first n training images (before the class filter)',
      integer('--limit'),
    )
    .option('--test-limit <n>', 'score only the first n test images', integer('--test-limit'))
    .option('--samples <n>', 'draws of z per score', integer('--samples'), 5)
    .option(
      '--false-positive-rate <rate>',
      'where to put the threshold',
      positiveNumber('--false-positive-rate'),
      0.05,
    )
    .option('--seed <n>', 'random seed', integer('--seed', 0), 1)
    .addOption(backendOption());
  withDataOptions(anomalyCommand)
    .option('--out <dir>', 'output directory', 'vae-anomaly')
    .option('--json', 'print the results as JSON')
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      '\nExamples:\n  vae anomaly --normal 0,1,2,3,4 --epochs 5\n  vae anomaly --dataset fashion-mnist --normal 0,2,4,6 --json',
    )
    .action(async (options) => {
      const { anomaly } = await import('./commands/anomaly');
      process.exitCode = await anomaly(options);
    });

  program
    .command('disentangle')
    .description(
      'Score a model trained on the procedural dSprites: beta-VAE metric, FactorVAE metric and MIG.',
    )
    .requiredOption('--model <dir>', 'a `vae train --dataset dsprites` output directory')
    .option('--full', "disentanglement_lib's evaluation sizes (slow)")
    .option(
      '--scale <fraction>',
      "evaluation sizes as a fraction of disentanglement_lib's",
      positiveNumber('--scale'),
      0.1,
    )
    .option('--seed <n>', 'random seed', integer('--seed', 0), 1)
    .addOption(backendOption())
    .option('--json', 'print the scores as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  vae train --dataset dsprites --latent-dim 10 --beta 4 --epochs 5 --out sprites-beta4\n  vae disentangle --model sprites-beta4',
    )
    .action(async (options) => {
      const { disentangle } = await import('./commands/disentangle');
      process.exitCode = await disentangle(options);
    });

  const reportCommand = program
    .command('report')
    .description('Write the HTML report (metrics, curves, figures) of a saved `vae train` run again.')
    .argument('<run>', 'a `vae train` output directory')
    .option('--out <file>', 'HTML file to write (default: report.html in the run directory)')
    .addOption(backendOption())
    .option('--quiet', 'print nothing but errors');
  withDataOptions(reportCommand)
    .addHelpText('after', '\nExamples:\n  vae report vae-out --out vae-out-report.html')
    .action(async (run, options) => {
      const { report } = await import('./commands/report');
      process.exitCode = await report(run, options);
    });

  const exportCommand = program
    .command('export')
    .description(
      'Write a trained model as the demo page loads it: model.json + weights.bin, metrics.json, codes.json.',
    )
    .argument('<run>', 'a `vae train` output directory (or its model/ folder)')
    .requiredOption('--out <dir>', 'directory to write, e.g. apps/demo/public/models/<name>')
    .option('--float16', 'store the weights as float16 (half the bytes; tfjs dequantizes them on load)')
    .option(
      '--codes <n>',
      'also write codes.json: codes of the first n test images, with labels',
      integer('--codes'),
    )
    .addOption(backendOption())
    .option('--quiet', 'print nothing but errors');
  withDataOptions(exportCommand)
    .addHelpText(
      'after',
      '\nExamples:\n  vae export vae-out --out apps/demo/public/models/mnist-vae --float16\n  vae export vae-2d --out apps/demo/public/models/mnist-vae-2d --float16 --codes 2000',
    )
    .action(async (run, options) => {
      const { exportModel } = await import('./commands/export');
      process.exitCode = await exportModel(run, options);
    });

  const datasetsCommand = program
    .command('datasets')
    .description('List the known data sets, verify local copies, or fetch them into the cache.')
    .argument('[action]', 'list, verify or fetch', 'list')
    .argument('[name]', 'one data set (default: all)')
    .option('--json', 'print the list as JSON');
  withDataOptions(datasetsCommand)
    .addHelpText(
      'after',
      '\nExamples:\n  vae datasets\n  vae datasets verify mnist\n  vae datasets fetch fashion-mnist',
    )
    .action(async (action, name, options) => {
      const { datasets } = await import('./commands/datasets');
      process.exitCode = await datasets(action, name, options);
    });

  program
    .command('info')
    .description('Print versions and the tfjs backends that work here.')
    .action(async () => {
      const { info } = await import('./commands/info');
      await info();
    });

  return program;
}

// `vae ... | head`: a closed pipe ends the output, not in a stack trace
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.ok);
  throw error;
});

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
