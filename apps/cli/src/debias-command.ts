/**
 * The flags of `vae debias` (no tfjs here, so `--help` stays fast); the work is in commands/debias.ts, loaded when
 * the command runs.
 */
import { type Command, Option } from 'commander';
import { backendOption } from './flags';
import { integer, integerList, RANGES, real } from './parse';

export function addDebiasCommand(program: Command): Command {
  return program
    .command('debias')
    .description(
      'Train a DB-VAE classifier on a biased procedural data set with and without debiasing (equal budget) and report accuracy per subgroup, the worst group and the gap, with the upweighted training examples.',
    )
    .option('--train-size <n>', 'training images', integer('--train-size', 16, RANGES.limit.max), 4000)
    .option(
      '--test-size <n>',
      'test images (balanced over subgroups)',
      integer('--test-size', 8, 100_000),
      1000,
    )
    .addOption(new Option('--image-size <n>', 'side of the images').choices(['16', '32', '64']).default('32'))
    .addOption(
      new Option('--rare-attribute <name>', 'what makes the rare subgroup of the positives')
        .choices(['inverted', 'small'])
        .default('inverted'),
    )
    .option(
      '--rare-fraction <p>',
      'share of the training positives in the rare subgroup',
      real('--rare-fraction', { min: 0, max: 1, minExclusive: true, maxExclusive: true }),
      0.04,
    )
    .option(
      '--latent-dim <n>',
      'size of the latent z',
      integer('--latent-dim', RANGES.latentDim.min, RANGES.latentDim.max),
      16,
    )
    .option(
      '--hidden <sizes>',
      'hidden layer sizes, comma separated',
      integerList('--hidden', {
        ...RANGES.hiddenUnits,
        minCount: 0,
        maxCount: RANGES.hiddenLayers,
        example: '256 or 512,256',
      }),
      [256],
    )
    .option(
      '--classifier-weight <w>',
      'weight of the classification term against the VAE terms',
      real('--classifier-weight', { min: 0, max: 1_000_000 }),
      100,
    )
    .option(
      '--alpha <a>',
      'smoothing of the latent histograms (larger: gentler)',
      real('--alpha', { min: 0, max: 1e6 }),
      1,
    )
    .option('--bins <n>', 'histogram bins per latent dimension', integer('--bins', 1, 10_000), 10)
    .option(
      '--epochs <n>',
      'passes over the training set',
      integer('--epochs', RANGES.epochs.min, RANGES.epochs.max),
      10,
    )
    .option(
      '--batch-size <n>',
      'examples per step',
      integer('--batch-size', RANGES.batchSize.min, RANGES.batchSize.max),
      64,
    )
    .option('--lr <rate>', 'Adam learning rate', real('--lr', RANGES.learningRate), 1e-3)
    .option('--top <k>', 'upweighted training examples to show', integer('--top', 1, 400), 64)
    .option(
      '--seed <n>',
      'seed of the data and of training',
      integer('--seed', RANGES.seed.min, RANGES.seed.max),
      1,
    )
    .addOption(backendOption())
    .option('--out <dir>', 'output directory', 'vae-debias')
    .option('--force', 'write even where --out holds files vae did not write (nothing is deleted)')
    .option('--json', 'print the results as JSON')
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      '\nExamples:\n  vae debias\n  vae debias --rare-attribute small --epochs 20 --seed 2\n  vae debias --alpha 0.5 --json',
    )
    .action(async (options) => {
      const { debias } = await import('./commands/debias');
      process.exitCode = await debias({ ...options, imageSize: Number(options.imageSize) });
    });
}
