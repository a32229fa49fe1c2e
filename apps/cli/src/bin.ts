import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CLI_DATASETS, MODEL_CHOICES } from './choices';
import { applyConfigFile, checkOptionValues } from './config-file';
import { addDebiasCommand } from './debias-command';
import { CliError, EXIT } from './errors';
import { backendOption } from './flags';
import { CAPS, checkSize } from './limits';
import { addModelOptions, checkModelOptions } from './model-options';
import { integer, integerList, RANGES, real, realList, zoom } from './parse';
import { addRecommendCommand } from './recommend-command';

const VERSION = '0.0.0';

const EXIT_CODES = `
Exit codes: 0 success; 1 a failure at run time (a missing or unreadable file, a model that does not load, a
failed download); 2 bad usage (a flag, a value out of range, a config file, an --out that would replace files vae
did not write, a size over a limit); 130 interrupted (Ctrl-C; \`vae train\` saves a checkpoint first).`;

/** --hidden: layer sizes; "" means no hidden layer. */
const hiddenList = integerList('--hidden', {
  ...RANGES.hiddenUnits,
  minCount: 0,
  maxCount: RANGES.hiddenLayers,
  example: '400 or 512,256',
});

const dimensionList = (flag: string, count?: number) =>
  integerList(flag, {
    ...RANGES.dimension,
    minCount: count ?? 1,
    maxCount: count ?? RANGES.latentDim.max,
    example: count === 2 ? '0,1' : '0,1,2',
  });

/** --labels of probe: numbers of labels or 'all', e.g. 100,1000,all. */
function labelBudgets(value: string): Array<number | 'all'> {
  const items = String(value)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0 || items.length > 20) {
    throw new InvalidArgumentError(`--labels takes 1 to 20 budgets, e.g. 100,1000,all; got '${value}'.`);
  }
  return items.map((item) => (item === 'all' ? 'all' : integer('--labels', 1, RANGES.limit.max)(item)));
}

/** --methods of probe: probe, fine-tune, scratch. */
function probeMethods(value: string): Array<'probe' | 'fine-tune' | 'scratch'> {
  const allowed = ['probe', 'fine-tune', 'scratch'] as const;
  const items = String(value)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const bad = items.find((item) => !(allowed as readonly string[]).includes(item));
  if (items.length === 0 || bad !== undefined) {
    throw new InvalidArgumentError(
      `--methods takes probe, fine-tune and/or scratch, comma separated; got '${bad ?? value}'.`,
    );
  }
  return [...new Set(items)] as Array<'probe' | 'fine-tune' | 'scratch'>;
}

/** --range low,high of traverse: two latent values, low <= high. */
function latentRange(value: string): number[] {
  const [low, high] = realList('--range', { ...RANGES.latentValue, count: 2, example: '-3,3' })(value);
  if (low > high)
    throw new InvalidArgumentError(`--range takes low,high with low <= high, e.g. -3,3; got '${value}'.`);
  return [low, high];
}

const seedOption = (description = 'random seed') =>
  new Option('--seed <n>', description)
    .argParser(integer('--seed', RANGES.seed.min, RANGES.seed.max))
    .default(1);
const forceOption = (what: string) =>
  new Option('--force', `write even where --out holds ${what} vae did not write (nothing is deleted)`);
const allowLargeOption = () =>
  new Option('--allow-large', 'lift the size limits that keep memory under about 1 GB');

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
    .addHelpText('afterAll', EXIT_CODES)
    .exitOverride();
  const epochsOption = (fallback: number) =>
    new Option('--epochs <n>', 'passes over the training set')
      .argParser(integer('--epochs', RANGES.epochs.min, RANGES.epochs.max))
      .default(fallback);
  const batchSizeOption = () =>
    new Option('--batch-size <n>', 'examples per step')
      .argParser(integer('--batch-size', RANGES.batchSize.min, RANGES.batchSize.max))
      .default(128);
  const lrOption = () =>
    new Option('--lr <rate>', 'Adam learning rate')
      .argParser(real('--lr', RANGES.learningRate))
      .default(1e-3);
  const limitOption = (flag: '--limit' | '--test-limit', description: string) =>
    new Option(`${flag} <n>`, description).argParser(integer(flag, RANGES.limit.min, RANGES.limit.max));
  const latentDimOption = (description: string) =>
    new Option('--latent-dim <n>', description).argParser(
      integer('--latent-dim', RANGES.latentDim.min, RANGES.latentDim.max),
    );

  const train = program
    .command('train')
    .description(
      'Train a model and write the saved model, a checkpoint per epoch, metrics.json, figures and report.html to --out.',
    )
    .option('--config <file>', 'read options from a JSON or YAML file (flags override it)')
    .addOption(new Option('--model <name>', 'model to train').choices(MODEL_CHOICES).default('vae'))
    .addOption(datasetOption('mnist'))
    .addOption(epochsOption(10))
    .addOption(batchSizeOption())
    .addOption(lrOption())
    .addOption(backendOption())
    .addOption(
      new Option(
        '--workers <n>',
        "train data-parallel on n threads: this one and n - 1 worker threads ('auto': one per core)",
      ).argParser((value: string) => (value === 'auto' ? 'auto' : integer('--workers', 1, 64)(value))),
    )
    .addOption(seedOption('random seed (weights, shuffling, noise)'))
    .addOption(limitOption('--limit', 'use only the first n training images'))
    .addOption(limitOption('--test-limit', 'use only the first n test images'))
    .addOption(
      new Option(
        '--labelled <n>',
        'm2: keep the labels of only n training images (balanced per class, chosen by --seed); the rest train unlabelled',
      ).argParser(integer('--labelled', 1, 10_000_000)),
    );
  withDataOptions(train)
    .option('--out <dir>', 'output directory', 'vae-out')
    .addOption(forceOption('files'))
    .option('--resume [dir]', "continue an interrupted run from its checkpoint (default: --out's)")
    .addOption(allowLargeOption())
    .option('--json', 'print the final metrics as JSON on stdout (and no progress)')
    .option('--quiet', 'print nothing but errors');
  // the model options, generated from the models' own descriptions (model-options.ts)
  addModelOptions(train);
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
  vae train --config vae-out/config.json      # repeat an earlier run

--out must be missing, empty, or an earlier \`vae train\` output (it holds .vae-run.json); --force writes into any
folder, replacing files named like the outputs and deleting nothing.`,
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
      // a resumed run's saved options pass the same checks as a config file
      const check = (saved: Record<string, unknown>, origin: string) =>
        Object.fromEntries(checkOptionValues(command, saved, origin));
      process.exitCode = await run(rest, given, check);
    });

  const evaluateCommand = program
    .command('eval')
    .description(
      'Evaluate a trained VAE: test ELBO and its terms, importance-sampled log p(x), active units.',
    )
    .requiredOption('--model <dir>', 'a `vae train` output directory (or its model/ folder)')
    .addOption(datasetOption())
    .addOption(splitOption())
    .addOption(limitOption('--limit', 'evaluate only the first n images'))
    .addOption(
      new Option('--k <n>', 'importance samples per image for log p(x) (5000 is the published standard)')
        .argParser(integer('--k', RANGES.importanceSamples.min, RANGES.importanceSamples.max))
        .default(100),
    )
    .addOption(seedOption())
    .addOption(backendOption())
    .addOption(allowLargeOption())
    .option('--json', 'print the results as JSON');
  withDataOptions(evaluateCommand)
    .addHelpText(
      'after',
      '\nExamples:\n  vae eval --model vae-out\n  vae eval --model vae-out --k 5000 --limit 1000 --json\n\n' +
        `--k times the images is at most ${CAPS.decodes.toLocaleString('en-US')} decodes without --allow-large.`,
    )
    .action(async (options) => {
      if (options.limit !== undefined)
        checkSize(
          options,
          `--k ${options.k} on ${options.limit} images`,
          options.k * options.limit,
          CAPS.decodes,
          'decodes',
        );
      const { evaluate } = await import('./commands/evaluate');
      process.exitCode = await evaluate(options);
    });

  const zoomOption = () =>
    new Option(
      '--zoom <n|auto>',
      'enlarge the figure, every pixel a block of n x n (1 to 8); auto: tiles of about 64 pixels (3x for MNIST)',
    )
      .argParser(zoom('--zoom'))
      .default('auto');

  const countOption = (fallback: number, what: string) =>
    new Option('-n, --count <n>', what)
      .argParser(integer('-n (--count)', RANGES.count.min, RANGES.count.max))
      .default(fallback);

  program
    .command('sample')
    .description('Decode draws from the prior into a PNG grid (VAE-family models).')
    .requiredOption('--model <dir>', 'a `vae train` output directory (or its model/ folder)')
    .addOption(countOption(64, 'number of samples'))
    .option('--temperature <t>', 'scale of the prior draws', real('--temperature', RANGES.temperature), 1)
    .option('--columns <n>', 'grid columns (default: square)', integer('--columns', 1, RANGES.count.max))
    .option(
      '--label <class>',
      'conditional-vae: draw this class (default: one row per class)',
      integer('--label', 0, RANGES.classes.max - 1),
    )
    .addOption(seedOption())
    .addOption(zoomOption())
    .addOption(backendOption())
    .option('--out <file>', 'PNG file to write', 'samples.png')
    .addOption(forceOption('a file'))
    .addOption(allowLargeOption())
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `\nExamples:\n  vae sample --model vae-out -n 100 --temperature 0.8 --out samples.png\n\n-n is at most ${CAPS.images} without --allow-large.`,
    )
    .action(async (options) => {
      checkSize(options, `-n ${options.count}`, options.count, CAPS.images, 'images');
      const { sample } = await import('./commands/draw');
      process.exitCode = await sample(options);
    });

  const reconstructCommand = program
    .command('reconstruct')
    .description('Draw data images above their reconstructions, as a PNG.')
    .requiredOption('--model <dir>', 'a `vae train` output directory (or its model/ folder)')
    .addOption(datasetOption())
    .addOption(splitOption())
    .addOption(countOption(16, 'number of images'))
    .addOption(seedOption())
    .addOption(zoomOption())
    .addOption(backendOption())
    .option('--out <file>', 'PNG file to write', 'reconstructions.png')
    .addOption(forceOption('a file'))
    .addOption(allowLargeOption())
    .option('--quiet', 'print nothing but errors');
  withDataOptions(reconstructCommand)
    .addHelpText(
      'after',
      `\nExamples:\n  vae reconstruct --model vae-out -n 24 --out recon.png\n\n-n is at most ${CAPS.reconstructions} without --allow-large.`,
    )
    .action(async (options) => {
      checkSize(options, `-n ${options.count}`, options.count, CAPS.reconstructions, 'images');
      const { reconstruct } = await import('./commands/draw');
      process.exitCode = await reconstruct(options);
    });

  const embedCommand = program
    .command('embed')
    .description('Write the latent codes (posterior means) of a data set, with labels, as CSV or JSON.')
    .requiredOption('--model <dir>', 'a `vae train` output directory (or its model/ folder)')
    .addOption(datasetOption())
    .addOption(splitOption())
    .addOption(limitOption('--limit', 'embed only the first n images'))
    .addOption(
      new Option('--format <kind>', 'output format (default: from the file name)').choices(['csv', 'json']),
    )
    .addOption(backendOption())
    .option('--out <file>', 'file to write', 'codes.csv')
    .addOption(forceOption('a file'))
    .addOption(allowLargeOption())
    .option('--quiet', 'print nothing but errors');
  withDataOptions(embedCommand)
    .addHelpText(
      'after',
      '\nExamples:\n  vae embed --model vae-out --out codes.csv\n  vae embed --model vae-out --limit 500 --out codes.json\n\n' +
        `Images times latent dimensions is at most ${CAPS.codeValues.toLocaleString('en-US')} without --allow-large.`,
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
        .addOption(zoomOption())
        .addOption(backendOption())
        .option('--out <file>', 'PNG file to write', out)
        .addOption(forceOption('a file'))
        .addOption(allowLargeOption())
        .option('--quiet', 'print nothing but errors'),
    );
  const gridSteps = (flag: string) => integer(flag, RANGES.gridSteps.min, RANGES.gridSteps.max);

  latentCommand(
    'manifold',
    'Decode a grid over the prior quantiles of two latent dimensions (Kingma & Welling, Fig. 4).',
    'manifold.png',
  )
    .option('--steps <n>', 'grid size', gridSteps('--steps'), 20)
    .option(
      '--dimensions <i,j>',
      'the two latent dimensions to vary (others at 0)',
      dimensionList('--dimensions', 2),
      [0, 1],
    )
    .addHelpText(
      'after',
      `\nExamples:\n  vae manifold --model vae-2d --steps 20 --out manifold.png\n\n--steps is at most ${Math.floor(Math.sqrt(CAPS.images))} (a grid of ${CAPS.images} images) without --allow-large.`,
    )
    .action(async (options) => {
      checkSize(options, `--steps ${options.steps}`, options.steps ** 2, CAPS.images, 'images');
      const { manifold } = await import('./commands/latent');
      process.exitCode = await manifold(options);
    });

  latentCommand(
    'interpolate',
    'Decode the path between the codes of two data examples (linear or spherical).',
    'interpolation.png',
  )
    .option('--from <index>', 'first example (index in the split)', integer('--from', 0, RANGES.index.max), 0)
    .option('--to <index>', 'second example', integer('--to', 0, RANGES.index.max), 1)
    .option('--steps <n>', 'images along the path', gridSteps('--steps'), 10)
    .option('--spherical', 'spherical interpolation (slerp) instead of linear')
    .addHelpText(
      'after',
      `\nExamples:\n  vae interpolate --model vae-out --from 0 --to 1 --steps 12 --spherical --out slerp.png\n\n--steps is at most ${CAPS.strip} without --allow-large.`,
    )
    .action(async (options) => {
      checkSize(options, `--steps ${options.steps}`, options.steps, CAPS.strip, 'images');
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
      integer('--index', 0, RANGES.index.max),
    )
    .option('--range <low,high>', 'values each dimension takes', latentRange, [-3, 3])
    .option('--steps <n>', 'values per dimension', gridSteps('--steps'), 9)
    .option(
      '--dimensions <list>',
      'dimensions to traverse (default: the first 10)',
      dimensionList('--dimensions'),
    )
    .addHelpText(
      'after',
      `\nExamples:\n  vae traverse --model vae-out --index 0 --range -3,3 --steps 9 --out traversal.png\n\n--steps times the dimensions is at most ${CAPS.images} images without --allow-large.`,
    )
    .action(async (options) => {
      const rows = options.dimensions?.length ?? 1;
      checkSize(
        options,
        `--steps ${options.steps} on ${rows} dimension${rows === 1 ? '' : 's'}`,
        options.steps * rows,
        CAPS.images,
        'images',
      );
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
      integerList('--normal', {
        min: 0,
        max: RANGES.classes.max - 1,
        maxCount: RANGES.classes.max,
        example: '0,1,2,3,4',
      }),
      [0, 1, 2, 3, 4],
    )
    .addOption(latentDimOption("size of the code (default: the model's)"))
    .option('--hidden <sizes>', "hidden layer sizes, comma separated (default: the model's)", hiddenList)
    .addOption(epochsOption(5).default(5, 'passes over the normal training images'))
    .addOption(batchSizeOption())
    .addOption(lrOption())
    .addOption(limitOption('--limit', 'use only the first n training images (before the class filter)'))
    .addOption(limitOption('--test-limit', 'score only the first n test images'))
    .option(
      '--samples <n>',
      'draws of z per score',
      integer('--samples', RANGES.samples.min, RANGES.samples.max),
      5,
    )
    .option(
      '--false-positive-rate <rate>',
      'where to put the threshold',
      real('--false-positive-rate', RANGES.probability),
      0.05,
    )
    .addOption(seedOption())
    .addOption(backendOption());
  withDataOptions(anomalyCommand)
    .option('--out <dir>', 'output directory', 'vae-anomaly')
    .addOption(forceOption('files'))
    .addOption(allowLargeOption())
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

  const probeCommand = program
    .command('probe')
    .description(
      'Pretrain a model without labels (or take a trained one), then report test accuracy vs number of labels for a linear probe on its codes, a fine-tuned encoder and the same network from scratch.',
    )
    .option(
      '--model <name|dir>',
      "model to pretrain (a `vae train --model` name), or a trained model's directory",
      'vae',
    )
    .addOption(datasetOption('mnist'))
    .option(
      '--labels <list>',
      'label budgets, comma separated: numbers of labels (balanced per class) or all',
      labelBudgets,
      [100, 1000],
    )
    .addOption(
      new Option('--methods <list>', 'which classifiers, comma separated: probe, fine-tune, scratch')
        .argParser(probeMethods)
        .default(['probe', 'fine-tune', 'scratch']),
    )
    .option(
      '--seeds <n>',
      'runs per budget (label subsets and initializations seeded --seed, --seed + 1, ...)',
      integer('--seeds', 1, 100),
      3,
    )
    .addOption(latentDimOption("size of the code (default: the model's)"))
    .option('--hidden <sizes>', "hidden layer sizes, comma separated (default: the model's)", hiddenList)
    .addOption(epochsOption(5).default(5, 'pretraining passes over the training images'))
    .addOption(batchSizeOption())
    .addOption(lrOption())
    .option('--steps <n>', 'optimizer steps of each classifier', integer('--steps', 1, RANGES.steps.max), 500)
    .option(
      '--head-steps <n>',
      'steps that train the head alone before fine-tuning (and from scratch); 0: none',
      integer('--head-steps', 0, RANGES.steps.max),
      200,
    )
    .addOption(limitOption('--limit', 'use only the first n training images'))
    .addOption(limitOption('--test-limit', 'score only the first n test images'))
    .addOption(seedOption())
    .addOption(backendOption());
  withDataOptions(probeCommand)
    .option('--out <dir>', 'output directory', 'vae-probe')
    .addOption(forceOption('files'))
    .addOption(allowLargeOption())
    .option('--json', 'print the results as JSON')
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      '\nExamples:\n  vae probe --labels 100,1000,all --seeds 3\n  vae probe --model vae-out --labels 100 --methods probe --json',
    )
    .action(async (options) => {
      const { probe } = await import('./commands/probe');
      process.exitCode = await probe(options);
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
      real('--scale', RANGES.fraction),
      0.1,
    )
    .addOption(seedOption())
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
    .addOption(forceOption('a file'))
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
      'Write a trained model as the demo page loads it (model.json + weights.bin, metrics.json, codes.json), or for ' +
        'PyTorch (--format safetensors or pytorch).',
    )
    .argument('<run>', 'a `vae train` or `vae import` output directory (or its model/ folder)')
    .requiredOption(
      '--out <dir>',
      'directory to write, e.g. apps/demo/public/models/<name> (a .safetensors file with --format safetensors)',
    )
    .addOption(forceOption('files'))
    .addOption(
      new Option(
        '--format <name>',
        'tfjs: model.json + weights.bin (the demo, tfjs); safetensors: one file with PyTorch state_dict names, ' +
          'the config in its metadata; pytorch: model.safetensors + config.json, the folder python/vae_torch reads',
      )
        .choices(['tfjs', 'safetensors', 'pytorch'])
        .default('tfjs'),
    )
    .addOption(
      new Option('--dtype <type>', 'weights of --format safetensors or pytorch (default: float32)').choices([
        'float32',
        'float16',
        'bfloat16',
      ]),
    )
    .option('--float16', 'store the weights as float16 (half the bytes; tfjs dequantizes them on load)')
    .option(
      '--codes <n>',
      'also write codes.json: codes of the first n test images, with labels',
      integer('--codes', RANGES.codes.min, RANGES.codes.max),
    )
    .addOption(backendOption())
    .addOption(allowLargeOption())
    .option('--quiet', 'print nothing but errors');
  withDataOptions(exportCommand)
    .addHelpText(
      'after',
      '\nExamples:\n  vae export vae-out --out apps/demo/public/models/mnist-vae --float16\n  vae export vae-2d --out apps/demo/public/models/mnist-vae-2d --float16 --codes 2000\n' +
        '  vae export vae-out --format pytorch --out vae-pytorch        # for python/vae_torch (docs/training-at-scale.md)\n' +
        '  vae export vae-out --format safetensors --dtype bfloat16 --out vae.safetensors\n\n' +
        '--out must be missing, empty, or hold only files export writes (a safetensors file that vae wrote); --force ' +
        'writes into any folder.',
    )
    .action(async (run, options) => {
      if (options.codes !== undefined)
        checkSize(options, `--codes ${options.codes}`, options.codes, CAPS.codeValues, 'code values');
      const { exportModel } = await import('./commands/export');
      process.exitCode = await exportModel(run, options);
    });

  const importCommand = program
    .command('import')
    .description(
      'Turn a model trained in PyTorch (python/vae_torch: model.safetensors + config.json) into a run folder that ' +
        'eval, sample, report, export and the demo load.',
    )
    .argument(
      '<folder>',
      'a PyTorch folder (model.safetensors + config.json, metrics.json) or a .safetensors file',
    )
    .requiredOption('--out <dir>', 'run directory to write')
    .addOption(forceOption('files'))
    .addOption(
      new Option(
        '--dataset <name>',
        "data set of the test evaluation and the report (default: the folder's config.json, else mnist)",
      ).choices(CLI_DATASETS),
    )
    .addOption(limitOption('--test-limit', 'evaluate on only the first n test images'))
    .addOption(seedOption('random seed of the test evaluation'))
    .addOption(backendOption())
    .option('--json', 'print the test metrics as JSON on stdout')
    .option('--quiet', 'print nothing but errors');
  withDataOptions(importCommand)
    .addHelpText(
      'after',
      '\nExamples:\n  vae import trained --out vae-home          # python3 -m vae_torch.train ... --out trained\n' +
        '  vae import vae.safetensors --out vae-home --test-limit 1000\n\n' +
        'The files are untrusted input: the safetensors file must match its config tensor for tensor (names, ' +
        'shapes, dtypes), hold finite values, and its size is checked first. See docs/training-at-scale.md.',
    )
    .action(async (folder, options) => {
      const { importModel } = await import('./commands/import');
      process.exitCode = await importModel(folder, options);
    });

  const datasetsCommand = program
    .command('datasets')
    .description('List the known data sets, verify local copies, or fetch them into the cache.')
    .addArgument(
      new Argument('[action]', 'list, verify or fetch').choices(['list', 'verify', 'fetch']).default('list'),
    )
    .addArgument(
      new Argument('[name]', 'one data set (default: all)').choices(
        CLI_DATASETS.filter((name) => name !== 'dsprites'),
      ),
    )
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

  addRecommendCommand(program);

  addDebiasCommand(program);

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
      // --help, --version and `vae help` succeed; help shown for a missing command is a usage error
      const ok =
        ['commander.helpDisplayed', 'commander.version'].includes(error.code) ||
        (error.code === 'commander.help' && error.exitCode === 0);
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
