// Recommenders on MovieLens "latest-small" (610 users, 9,724 movies, 100,836 ratings, 0.5-5 stars) as Debian's
// r-cran-dslabs ships it (`movielens` in R): RMSE of I-AutoRec, U-AutoRec and the baselines over seeded 90/10 random
// splits, with mean, standard deviation and range. A benchmark, not a test: the data is never shipped or downloaded.
//
//   apt-get install -y r-base-core r-cran-dslabs     # once
//   node bench/recommend.mjs [--seeds 5] [--epochs 20] [--hidden 500] [--backend wasm] [--csv ratings.csv]
//                            [--optimizer adam|rprop] [--decay 100] [--models item,user] [--no-mf]
//
// --optimizer rprop trains full batch (one step per epoch over every row) with core's RpropOptimizer, as the AutoRec
// paper did (Rprop or L-BFGS, lambda tuned); adam trains minibatches with Adam 1e-3.
//
// It converts the R data to a CSV in a temporary folder with Rscript, bundles the @vae sources with esbuild (so the
// packages need no build), and trains each model on each split in this process, one after another.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVae } from './bundle.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const seeds = Number(option('seeds', 5));
const epochs = Number(option('epochs', 20));
const hidden = Number(option('hidden', 500));
const decay = Number(option('decay', 100));
const firstSeed = Number(option('first-seed', 1));
const backend = option('backend', 'wasm');
const kinds = option('models', 'item,user').split(',').filter(Boolean);
const optimizerName = option('optimizer', 'adam');
const withMf = !args.includes('--no-mf');
const work = mkdtempSync(join(tmpdir(), 'vae-recommend-'));

let csv = option('csv', undefined);
if (!csv) {
  csv = join(work, 'ratings.csv');
  execFileSync('Rscript', [
    '-e',
    'suppressMessages(library(dslabs)); data(movielens); ' +
      `write.table(movielens[, c("userId", "movieId", "rating", "timestamp")], "${csv}", sep = ",", ` +
      'quote = FALSE, row.names = FALSE, col.names = c("userId", "movieId", "rating", "timestamp"))',
  ]);
}

// The library sources (not the built packages), bundled by bench/bundle.mjs with one tfjs engine.
const { modules } = await loadVae({
  entries: {
    core: '@vae/core',
    data: '@vae/data',
    dataNode: '@vae/data/node',
    models: '@vae/models',
    metrics: '@vae/metrics',
  },
  backend,
});
const { core, data, dataNode, models, metrics } = modules;

const set = await dataNode.readRatingsFile(csv, { format: 'movielens-csv', range: [0.5, 5] });
console.log(
  `${set.size} ratings, ${set.numUsers} users, ${set.numItems} items; ${backend}; ${epochs} epochs (${optimizerName}), ${hidden} hidden, lambda ${decay}`,
);
const range = [0.5, 5];
const results = {};
const record = (name, value) => {
  results[name] ??= [];
  results[name].push(value);
  console.log(`  ${name}: ${value.toFixed(4)}`);
};
for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
  console.log(`split ${seed}`);
  const { train, test } = data.splitRandom(set, { testFraction: 0.1, seed });
  const score = (predictions) =>
    metrics.ratingErrors(test, predictions, { train, range, defaultRating: 3 }).rmse;
  record('global mean', score(new models.GlobalMean(train).predict(test.users, test.items)));
  record('user + item biases', score(new models.BiasBaseline(train).predict(test.users, test.items)));
  if (withMf) {
    const started = performance.now();
    const mf = new models.BiasedMF(train, {
      factors: 50,
      epochs: 30,
      learningRate: 0.01,
      lambda: 0.05,
      seed,
    });
    record('biased MF (50 factors, SGD)', score(mf.predict(test.users, test.items)));
    console.log(`    ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  for (const kind of kinds) {
    const rows = new data.RatingRows(train, kind);
    const model = new models.AutoRec({
      kind,
      columns: rows.columns,
      hiddenUnits: hidden,
      weightDecay: decay,
      seed,
    });
    const begin = performance.now();
    const name = `${kind === 'item' ? 'I' : 'U'}-AutoRec`;
    // Item rows are many (9,066) and user rows few (671): smaller batches for U-AutoRec give it more steps.
    const fullBatch = optimizerName === 'rprop';
    const batchSize = fullBatch ? rows.size : kind === 'item' ? 64 : 16;
    const optimizer = fullBatch ? new core.RpropOptimizer({ learningRate: 1e-3 }) : undefined;
    await model.fit(rows, {
      epochs,
      batchSize,
      learningRate: 1e-3,
      optimizer,
      seed,
      // The test RMSE along the way (read, never used to stop or choose).
      onEpochEnd: async ({ epoch }) => {
        if (epoch % (fullBatch ? 20 : 5) === 0 && epoch < epochs)
          record(`${name} after ${epoch} epochs`, score(await model.predict(rows, test, { range })));
      },
    });
    optimizer?.dispose();
    record(
      `${name} (${fullBatch ? `Rprop full batch, ${epochs} steps` : `batch ${batchSize}, ${epochs} epochs`})`,
      score(await model.predict(rows, test, { range })),
    );
    console.log(`    ${((performance.now() - begin) / 1000).toFixed(1)} s`);
    model.dispose();
  }
}
const lines = ['| model | RMSE mean | sd | min - max | splits |', '|---|---|---|---|---|'];
for (const [name, values] of Object.entries(results)) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  lines.push(
    `| ${name} | ${mean.toFixed(4)} | ${sd.toFixed(4)} | ${Math.min(...values).toFixed(4)} - ${Math.max(...values).toFixed(4)} | ${values.length} |`,
  );
}
console.log(lines.join('\n'));
