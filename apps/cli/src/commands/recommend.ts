/**
 * `vae recommend`: trains a recommender on a rating file (any layout the readers take) or a MovieLens set of the
 * catalog, evaluates it on held-out ratings beside the baselines, lists the top items for a user, and writes a run
 * folder: the model, metrics.json (per epoch and final), the figures and report.html.
 *
 * - AutoRec (I- by default, `u-autorec` for U-): a random 90/10 split; RMSE and MAE (predictions clipped to the rating
 *   range, unseen users or items get the paper's default, the middle of the range), beside the global mean and the
 *   user/item biases; error per epoch; a histogram of predicted vs true test ratings.
 * - Mult-VAE / Mult-DAE: ratings >= --min-rating are clicks; a per-user split; Recall@20 and NDCG@100 with the
 *   training items excluded, beside popularity.
 */
import { join } from 'node:path';
import { RpropOptimizer } from '@vae/core';
import { writeFileAtomic } from '@vae/core/node';
import { RatingRows, type RatingSet, splitPerUser, splitRandom } from '@vae/data';
import { loadRatingDataset, readRatingsFile } from '@vae/data/node';
import { ratingErrors, splitTopNMetrics } from '@vae/metrics';
import {
  AUTOREC_DEFAULTS,
  AutoRec,
  BiasBaseline,
  type EpochRecord,
  GlobalMean,
  MULT_DAE_DEFAULTS,
  MULT_VAE_DEFAULTS,
  MultDAE,
  MultVAE,
  Popularity,
} from '@vae/models';
import { saveModelToDirectory } from '@vae/models/node';
import { histogramSvg, htmlReport, lineChartSvg } from '@vae/viz';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError, EXIT } from '../errors';
import { prepareOutputFolder } from '../files';
import { interruptOnSignals } from '../interrupt';
import { createProgress, epochProgress } from '../progress';
import type { RecommenderChoice } from '../recommend-command';
import { testCap } from '../shared';

export interface RecommendOptions {
  ratings?: string;
  dataset?: string;
  format?: 'movielens-100k' | 'movielens-dat' | 'movielens-csv' | 'csv' | 'tsv';
  range?: [number, number];
  duplicates: 'last' | 'first' | 'error';
  sha256?: string;
  model: RecommenderChoice;
  optimizer?: 'rprop' | 'adam';
  hidden?: number;
  latentDim?: number;
  lambda?: number;
  minRating: number;
  testFraction: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  user?: string;
  top: number;
  seed: number;
  backend: BackendChoice;
  dataDir?: string;
  download: boolean;
  out: string;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/**
 * Defaults per model. AutoRec: full-batch Rprop for 40 steps (epochs), initial step 1e-3, as tuned on MovieLens
 * latest-small (see the README and AUTOREC_DEFAULTS); with --optimizer adam, minibatches of 64 (16 for U-AutoRec).
 * Mult-*: as the paper (Adam 1e-3, batch 500).
 */
const TRAINING: Record<RecommenderChoice, { epochs: number; batchSize: number; lr: number }> = {
  autorec: { epochs: 40, batchSize: 64, lr: 1e-3 },
  'u-autorec': { epochs: 40, batchSize: 16, lr: 1e-3 },
  'mult-vae': { epochs: 50, batchSize: 500, lr: 1e-3 },
  'mult-dae': { epochs: 50, batchSize: 500, lr: 1e-3 },
};

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;

async function loadRatings(options: RecommendOptions, log: (line: string) => void): Promise<RatingSet> {
  if ((options.ratings === undefined) === (options.dataset === undefined)) {
    throw new CliError(
      options.ratings === undefined
        ? 'give the ratings: --ratings <file> or --dataset <movielens-...>.'
        : 'give --ratings or --dataset, not both.',
      EXIT.usage,
    );
  }
  if (options.dataset === undefined && options.sha256 !== undefined) {
    throw new CliError('--sha256 checks a --dataset archive; a --ratings file is read as it is.', EXIT.usage);
  }
  try {
    if (options.ratings !== undefined) {
      return await readRatingsFile(options.ratings, {
        format: options.format,
        range: options.range,
        duplicates: options.duplicates,
      });
    }
    return await loadRatingDataset(options.dataset as string, {
      dir: options.dataDir,
      download: options.download,
      expectedSha256: options.sha256,
      duplicates: options.duplicates,
      onMessage: log,
    });
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.failure);
  }
}

/** Recall@k and NDCG@k over the users of the split (`splitTopNMetrics` of @vae/metrics), rounded for the report. */
async function evaluateTopN(
  scoresOf: (users: number[]) => Promise<ArrayLike<number>[]>,
  train: RatingSet,
  test: RatingSet,
  ks: number[],
): Promise<{ recall: Record<number, number>; ndcg: Record<number, number>; users: number }> {
  let metrics: Awaited<ReturnType<typeof splitTopNMetrics>>;
  try {
    metrics = await splitTopNMetrics(scoresOf, train, test, ks);
  } catch (error) {
    if (/no user has both/.test((error as Error).message)) {
      throw new CliError('no user has both training and held-out clicks; use more data.');
    }
    throw error;
  }
  const rounded = (values: Record<number, number>) =>
    Object.fromEntries(ks.map((k) => [k, round(values[k])])) as Record<number, number>;
  return { recall: rounded(metrics.recall), ndcg: rounded(metrics.ndcg), users: metrics.users };
}

export async function recommend(options: RecommendOptions): Promise<number> {
  const progress = createProgress({ quiet: Boolean(options.quiet || options.json), stream: process.stderr });
  const isAutoRec = options.model === 'autorec' || options.model === 'u-autorec';
  if (!isAutoRec && options.range !== undefined && options.minRating < options.range[0]) {
    progress.log(`note: --min-rating ${options.minRating} is below the scale: every rating is a click.`);
  }
  const all = await loadRatings(options, (line) => progress.log(line));
  if (all.size < 2) throw new CliError(`the ratings hold ${all.size} rating(s); a split needs at least 2.`);
  let userIndex: number | undefined;
  if (options.user !== undefined) {
    userIndex = all.userIds.indexOf(options.user);
    if (userIndex < 0) {
      throw new CliError(
        `--user ${options.user} has no rating in the file; give an id as written there (e.g. ${all.userIds[0]}).`,
        EXIT.usage,
      );
    }
  }
  const out = await prepareOutputFolder(options.out, 'recommend', { force: options.force });
  const backend = await selectBackend(options.backend);
  const defaults = TRAINING[options.model];
  const epochs = testCap('VAE_CLI_TEST_EPOCHS', options.epochs ?? defaults.epochs);
  const batchSize = options.batchSize ?? defaults.batchSize;
  const learningRate = options.lr ?? defaults.lr;
  const [low, high] = options.range ?? all.range();
  const source = options.ratings ?? options.dataset;
  progress.log(
    `vae recommend: ${all.size} ratings, ${all.numUsers} users, ${all.numItems} items (${source}); ${options.model}, backend ${backend}`,
  );

  const interrupt = interruptOnSignals({ progress });
  const started = performance.now();
  try {
    const epochRows: Array<Record<string, number>> = [];
    const files: Record<string, string> = {};
    let result: Record<string, unknown>;
    let topItems: Array<{ item: string; score: number }> | undefined;
    const fitOptions = {
      epochs,
      batchSize,
      learningRate,
      seed: options.seed,
      signal: interrupt.signal,
    };
    if (isAutoRec) {
      const kind = options.model === 'autorec' ? 'item' : 'user';
      const { train, test } = splitRandom(all, { testFraction: options.testFraction, seed: options.seed });
      const rows = new RatingRows(train, kind);
      const model = new AutoRec({
        kind,
        columns: rows.columns,
        hiddenUnits: options.hidden ?? AUTOREC_DEFAULTS.hiddenUnits,
        weightDecay: options.lambda ?? AUTOREC_DEFAULTS.weightDecay,
        seed: options.seed,
      });
      const range = [low, high] as const;
      const defaultRating = (low + high) / 2;
      const score = (predictions: ArrayLike<number>) =>
        ratingErrors(test, predictions, { train, range, defaultRating });
      // Rprop needs the whole gradient: one batch of every row, when it fits (256 MiB of batch values)
      const fits = rows.size * 2 * rows.columns <= 64 * 1024 * 1024;
      const rprop = options.optimizer === 'rprop' || (options.optimizer === undefined && fits);
      if (options.optimizer === undefined && !fits) {
        progress.log(
          `the ${rows.size} rows do not fit in one batch: Adam on minibatches of ${batchSize} instead of Rprop`,
        );
      }
      const optimizer = rprop ? new RpropOptimizer({ learningRate }) : undefined;
      const history = await model.fit(rows, {
        ...fitOptions,
        ...(rprop ? { batchSize: rows.size, optimizer } : {}),
        ...epochProgress(progress, epochs, async (record: EpochRecord) => {
          if (record.partial) return;
          const errors = score(await model.predict(rows, test, { range }));
          epochRows.push({
            epoch: record.epoch,
            trainLoss: round(record.train.total),
            testRmse: round(errors.rmse),
            testMae: round(errors.mae),
            seconds: round(record.seconds, 2),
          });
          progress.log(
            `epoch ${record.epoch}/${epochs}: train loss ${record.train.total.toFixed(3)}, test RMSE ${errors.rmse.toFixed(4)}`,
          );
        }),
      });
      optimizer?.dispose();
      if (history.aborted) return interrupted(out, options, progress, epochRows.length);
      const predictions = await model.predict(rows, test, { range });
      const errors = score(predictions);
      const baselines = {
        'global mean': score(new GlobalMean(train).predict(test.users, test.items)),
        'user + item biases': score(new BiasBaseline(train).predict(test.users, test.items)),
      };
      if (userIndex !== undefined) {
        const seen = new Set<number>();
        for (let k = 0; k < train.size; k++) if (train.users[k] === userIndex) seen.add(train.items[k]);
        const candidates = Array.from({ length: all.numItems }, (_, i) => i).filter((i) => !seen.has(i));
        const scores = await model.predict(
          rows,
          { users: candidates.map(() => userIndex as number), items: candidates },
          { range },
        );
        topItems = candidates
          .map((item, j) => ({ item: all.itemIds[item], score: round(scores[j], 3) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, options.top);
      }
      files['errors.svg'] = lineChartSvg({
        title: 'Error per epoch',
        xLabel: 'epoch',
        yLabel: 'test RMSE',
        series: [
          { name: `${options.model} test RMSE`, points: epochRows.map((e) => [e.epoch, e.testRmse]) },
          {
            name: 'user + item biases',
            points: epochRows.map((e) => [e.epoch, baselines['user + item biases'].rmse]),
            dashed: true,
          },
        ],
      });
      files['ratings.svg'] = histogramSvg(
        [
          { name: 'true test ratings', values: test.ratings },
          { name: 'predicted', values: predictions },
        ],
        { bins: 20, range: [low, high], title: 'Predicted vs true test ratings', xLabel: 'rating' },
      );
      result = {
        model: options.model,
        optimizer: rprop ? 'rprop (full batch)' : `adam (batch ${batchSize})`,
        ratings: source,
        train: train.size,
        test: test.size,
        rmse: round(errors.rmse),
        mae: round(errors.mae),
        unseen: errors.unseen,
        baselines: Object.fromEntries(
          Object.entries(baselines).map(([name, e]) => [name, { rmse: round(e.rmse), mae: round(e.mae) }]),
        ),
      };
      await saveModelToDirectory(model, join(out, 'model'));
      model.dispose();
    } else {
      const positives = all.subset(
        Array.from({ length: all.size }, (_, k) => k).filter((k) => all.ratings[k] >= options.minRating),
      );
      if (positives.size < 2) {
        throw new CliError(
          `no ratings at or above --min-rating ${options.minRating}; lower it (ratings lie in [${low}, ${high}]).`,
          EXIT.usage,
        );
      }
      const { train, test } = splitPerUser(positives, {
        testFraction: options.testFraction,
        seed: options.seed,
      });
      const rows = new RatingRows(train, 'user');
      const base = {
        items: all.numItems,
        hiddenUnits: options.hidden === undefined ? MULT_VAE_DEFAULTS.hiddenUnits : [options.hidden],
        latentDim: options.latentDim ?? MULT_VAE_DEFAULTS.latentDim,
        seed: options.seed,
      };
      const stepsPerEpoch = Math.ceil(rows.size / batchSize);
      const model =
        options.model === 'mult-vae'
          ? new MultVAE({
              ...base,
              weightDecay: options.lambda ?? MULT_VAE_DEFAULTS.weightDecay,
              // the paper's cap 0.2, reached after 80% of the run rather than at step 40,000 (small data sets)
              klSchedule: {
                kind: 'linear',
                from: 0,
                to: 0.2,
                steps: Math.max(1, Math.round(0.8 * epochs * stepsPerEpoch)),
              },
            })
          : new MultDAE({ ...base, weightDecay: options.lambda ?? MULT_DAE_DEFAULTS.weightDecay });
      const scoresOf = async (users: number[]) => {
        const batch = rows.batch(users);
        const s = model.scores(batch);
        batch.dispose();
        const values = await s.data();
        s.dispose();
        return users.map((_, j) => values.subarray(j * all.numItems, (j + 1) * all.numItems));
      };
      const history = await model.fit(rows, {
        ...fitOptions,
        ...epochProgress(progress, epochs, async (record: EpochRecord) => {
          if (record.partial) return;
          const metrics = await evaluateTopN(scoresOf, train, test, [20]);
          epochRows.push({
            epoch: record.epoch,
            trainLoss: round(record.train.total),
            recall20: metrics.recall[20],
            seconds: round(record.seconds, 2),
          });
          progress.log(
            `epoch ${record.epoch}/${epochs}: train loss ${record.train.total.toFixed(3)}, Recall@20 ${metrics.recall[20].toFixed(4)}`,
          );
        }),
      });
      if (history.aborted) return interrupted(out, options, progress, epochRows.length);
      const metrics = await evaluateTopN(scoresOf, train, test, [20, 100]);
      const popularity = new Popularity(train);
      const baseline = await evaluateTopN(async (users) => popularity.scores(users), train, test, [20, 100]);
      if (userIndex !== undefined) {
        const [list] = await model.recommend(rows, [userIndex], options.top);
        topItems = Array.from(list.items, (item, j) => ({
          item: all.itemIds[item],
          score: round(list.scores[j], 3),
        }));
      }
      files['errors.svg'] = lineChartSvg({
        title: 'Recall@20 per epoch',
        xLabel: 'epoch',
        yLabel: 'Recall@20 (held-out clicks)',
        series: [
          { name: options.model, points: epochRows.map((e) => [e.epoch, e.recall20]) },
          { name: 'popularity', points: epochRows.map((e) => [e.epoch, baseline.recall[20]]), dashed: true },
        ],
      });
      result = {
        model: options.model,
        ratings: source,
        minRating: options.minRating,
        train: train.size,
        test: test.size,
        users: metrics.users,
        recall20: metrics.recall[20],
        ndcg100: metrics.ndcg[100],
        baselines: { popularity: { recall20: baseline.recall[20], ndcg100: baseline.ndcg[100] } },
      };
      await saveModelToDirectory(model, join(out, 'model'));
      model.dispose();
    }
    const seconds = round((performance.now() - started) / 1000, 1);
    result = {
      ...result,
      ...(topItems ? { user: options.user, top: topItems } : {}),
      epochs: epochRows.length,
      seconds,
      backend,
      out,
    };
    const config = {
      command: 'recommend',
      options: { ...options, epochs, batchSize, lr: learningRate },
      backend,
    };
    await writeFileAtomic(join(out, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    await writeFileAtomic(
      join(out, 'metrics.json'),
      `${JSON.stringify({ epochs: epochRows, final: result }, null, 2)}\n`,
    );
    for (const [name, svg] of Object.entries(files)) await writeFileAtomic(join(out, name), svg);
    const summary = Object.entries(result)
      .filter(([, v]) => typeof v === 'number')
      .map(([label, value]) => ({ label, value: value as number }));
    const html = htmlReport({
      title: `${options.model} on ${source}`,
      subtitle: `${epochRows.length} epochs, generated ${new Date().toISOString()}`,
      summary,
      sections: [
        {
          title: isAutoRec ? 'Rating prediction' : 'Top-N recommendation',
          text: isAutoRec
            ? `Test RMSE per epoch beside the user + item biases (dashed), and the predicted test ratings against the true ones. Baselines: ${JSON.stringify(result.baselines)}.`
            : `Recall@20 per epoch beside popularity (dashed). Baselines: ${JSON.stringify(result.baselines)}.`,
          figures: Object.entries(files).map(([name, svg]) => ({ caption: name.replace('.svg', ''), svg })),
        },
      ],
      tables: [
        {
          title: 'Per epoch',
          columns: Object.keys(epochRows[0] ?? {}),
          rows: epochRows.map((row) => Object.values(row)),
        },
        ...(topItems
          ? [
              {
                title: `Top ${options.top} for user ${options.user}`,
                columns: ['item', 'score'],
                rows: topItems.map((t) => [t.item, t.score]),
              },
            ]
          : []),
      ],
      config,
    });
    await writeFileAtomic(join(out, 'report.html'), html);
    if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      progress.log(
        isAutoRec
          ? `test RMSE ${result.rmse}, MAE ${result.mae}; baselines ${JSON.stringify(result.baselines)}`
          : `Recall@20 ${result.recall20}, NDCG@100 ${result.ndcg100}; popularity ${JSON.stringify(result.baselines)}`,
      );
      if (topItems)
        progress.log(
          `top ${options.top} for user ${options.user}: ${topItems.map((t) => t.item).join(', ')}`,
        );
      progress.log(`wrote ${out}: model/, metrics.json, ${Object.keys(files).join(', ')}, report.html`);
    }
    return EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}

function interrupted(
  out: string,
  options: RecommendOptions,
  progress: ReturnType<typeof createProgress>,
  epochs: number,
): number {
  progress.log(`interrupted after ${epochs} epoch${epochs === 1 ? '' : 's'}; nothing was saved.`);
  if (options.json) process.stdout.write(`${JSON.stringify({ out, interrupted: true }, null, 2)}\n`);
  return EXIT.interrupted;
}
