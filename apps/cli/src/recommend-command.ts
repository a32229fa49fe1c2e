/**
 * The flags of `vae recommend` (no tfjs here, so `--help` stays fast); the work is in commands/recommend.ts, loaded
 * when the command runs.
 */
import { type Command, Option } from 'commander';
import { backendOption } from './flags';
import { integer, RANGES, real } from './parse';

/** The recommenders `vae recommend --model` trains. */
export const RECOMMENDER_CHOICES = ['autorec', 'u-autorec', 'mult-vae', 'mult-dae'] as const;
export type RecommenderChoice = (typeof RECOMMENDER_CHOICES)[number];

/** The MovieLens sets of @vae/data's catalog (a test keeps the two lists equal). */
export const RATING_DATASET_CHOICES = [
  'movielens-100k',
  'movielens-1m',
  'movielens-10m',
  'movielens-20m',
  'movielens-25m',
  'movielens-latest-small',
] as const;

/** The layouts of @vae/data's rating readers. */
export const RATING_FORMAT_CHOICES = [
  'movielens-100k',
  'movielens-dat',
  'movielens-csv',
  'csv',
  'tsv',
] as const;

/** --range: two numbers, min,max. */
function ratingRange(value: string): [number, number] {
  const parts = String(value)
    .split(',')
    .map((part) => Number(part.trim()));
  if (parts.length !== 2 || parts.some((v) => !Number.isFinite(v)) || !(parts[0] < parts[1])) {
    throw new Error(`--range takes min,max with min < max, e.g. 1,5 or 0.5,5; got '${value}'.`);
  }
  return [parts[0], parts[1]];
}

export function addRecommendCommand(program: Command): Command {
  return program
    .command('recommend')
    .description(
      'Train AutoRec (rating prediction) or Mult-VAE / Mult-DAE (top-N) on a rating file or a MovieLens set, report RMSE/MAE or Recall@20/NDCG@100 beside the baselines, and list the top items for a user.',
    )
    .option(
      '--ratings <file>',
      'a rating file: u.data, ratings.dat (::), ratings.csv, or CSV/TSV of user,item,rating[,timestamp]',
    )
    .addOption(
      new Option(
        '--dataset <name>',
        'a MovieLens set of the catalog, downloaded and verified by SHA-256',
      ).choices(RATING_DATASET_CHOICES),
    )
    .addOption(
      new Option('--format <layout>', "the rating file's layout (default: from its name)").choices(
        RATING_FORMAT_CHOICES,
      ),
    )
    .option('--range <min,max>', 'allowed ratings; one outside is an error naming the line', ratingRange)
    .addOption(
      new Option(
        '--duplicates <policy>',
        'a (user, item) pair rated twice: keep the last, the first, or fail',
      )
        .choices(['last', 'first', 'error'])
        .default('last'),
    )
    .option('--sha256 <hex>', 'the SHA-256 the --dataset archive must have (required for movielens-10m)')
    .addOption(new Option('--model <name>', 'model to train').choices(RECOMMENDER_CHOICES).default('autorec'))
    .addOption(
      new Option(
        '--optimizer <name>',
        'AutoRec: rprop (full batch, as the paper; default when all rows fit in one batch) or adam (minibatches)',
      ).choices(['rprop', 'adam']),
    )
    .option(
      '--hidden <n>',
      "hidden units (default: AutoRec 500, Mult's 600)",
      integer('--hidden', 1, 100_000),
    )
    .option('--latent-dim <n>', 'Mult-VAE/DAE code size (default 200)', integer('--latent-dim', 1, 100_000))
    .option(
      '--lambda <w>',
      "L2 weight decay (default: the model's; AutoRec's lambda of the paper)",
      real('--lambda', { min: 0, max: 1e9 }),
    )
    .option(
      '--min-rating <r>',
      'Mult-VAE/DAE: ratings at or above this are clicks, the rest are dropped (the paper keeps >= 3.5)',
      real('--min-rating', { min: -1e9, max: 1e9 }),
      3.5,
    )
    .option(
      '--test-fraction <p>',
      'ratings held out (AutoRec: at random; Mult: per user)',
      real('--test-fraction', { min: 0, max: 1, minExclusive: true, maxExclusive: true }),
      0.1,
    )
    .option(
      '--epochs <n>',
      "passes over the rows (default: the model's)",
      integer('--epochs', RANGES.epochs.min, RANGES.epochs.max),
    )
    .option(
      '--batch-size <n>',
      "rows per step (default: the model's)",
      integer('--batch-size', RANGES.batchSize.min, RANGES.batchSize.max),
    )
    .option('--lr <rate>', "Adam learning rate (default: the model's)", real('--lr', RANGES.learningRate))
    .option('--user <id>', 'list the top items for this user (the id as written in the file)')
    .option('--top <n>', 'items to list for --user', integer('--top', 1, 10_000), 10)
    .option(
      '--seed <n>',
      'seed of the split and of training',
      integer('--seed', RANGES.seed.min, RANGES.seed.max),
      1,
    )
    .addOption(backendOption())
    .option(
      '--data-dir <dir>',
      'folder with the --dataset zip (default: the cache, VAE_DATA_DIR or ~/.cache/vae)',
    )
    .option('--no-download', 'never download --dataset; use local copies only')
    .option('--out <dir>', 'output directory', 'vae-recommend')
    .option('--force', 'write even where --out holds files vae did not write (nothing is deleted)')
    .option('--json', 'print the results as JSON')
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      '\nExit codes: 0 done; 1 a rating file that cannot be read or parsed (the error names the line), a failed ' +
        'download or checksum; 2 bad flags (no --ratings or --dataset, both, an unknown --user); 130 interrupted.\n' +
        '\nExamples:\n  vae recommend --ratings ml-latest-small/ratings.csv --range 0.5,5 --user 1\n' +
        '  vae recommend --dataset movielens-1m --model autorec --epochs 50\n' +
        '  vae recommend --ratings ratings.csv --model mult-vae --json',
    )
    .action(async (options) => {
      const { recommend } = await import('./commands/recommend');
      process.exitCode = await recommend(options);
    });
}
