// DB-VAE debiasing over seeds: runs the built CLI (`vae debias --json`) once per seed, each run training the same
// DB-VAE with and without resampling at equal budget on the biased procedural shapes, and reports the mean and
// sample standard deviation of the worst-group accuracy, the gap and the overall accuracy.
// usage: node bench/debias.mjs [seeds=1,2,3] [extra vae debias flags...]; writes bench/results/debias.json
// (debias-small.json with --rare-attribute small)
// Build first: npx -y pnpm@12.21.0 exec turbo run build --filter=vae
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'apps/cli/dist/bin.js');
const seeds = (process.argv[2] ?? '1,2,3').split(',').map(Number);
const extra = process.argv.slice(3);
const work = mkdtempSync(join(tmpdir(), 'vae-debias-bench-'));

const runs = [];
for (const seed of seeds) {
  const started = Date.now();
  const stdout = execFileSync(
    process.execPath,
    [bin, 'debias', '--seed', String(seed), '--out', join(work, `seed-${seed}`), '--json', ...extra],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const result = JSON.parse(stdout);
  result.seconds = (Date.now() - started) / 1000;
  runs.push(result);
  console.error(
    `seed ${seed}: worst group ${result.biased.worstAccuracy} -> ${result.debiased.worstAccuracy}, gap ` +
      `${result.biased.gap} -> ${result.debiased.gap} (${result.seconds.toFixed(0)} s)`,
  );
}

const stats = (values) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd =
    values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean: Math.round(mean * 1e4) / 1e4, sd: Math.round(sd * 1e4) / 1e4, values };
};
const summary = {};
for (const variant of ['biased', 'debiased']) {
  summary[variant] = {
    worstAccuracy: stats(runs.map((r) => r[variant].worstAccuracy)),
    gap: stats(runs.map((r) => r[variant].gap)),
    overall: stats(runs.map((r) => r[variant].overall)),
    rareGroupAccuracy: stats(runs.map((r) => Object.values(r[variant].groups)[1])),
  };
}
summary.rareInTopUpweighted = stats(runs.map((r) => r.upweighted.rareInTop / r.upweighted.count));
summary.rareWeightShare = stats(runs.map((r) => r.upweighted.rareWeightShare));
const report = {
  seeds,
  flags: extra,
  settings: {
    data: runs[0].data,
    model: runs[0].model,
    training: runs[0].training,
    debiasing: runs[0].debiasing,
  },
  summary,
};
const attribute = extra.includes('--rare-attribute')
  ? extra[extra.indexOf('--rare-attribute') + 1]
  : 'inverted';
const file = attribute === 'inverted' ? 'debias.json' : `debias-${attribute}.json`;
writeFileSync(join(root, 'bench/results', file), `${JSON.stringify(report, null, 2)}\n`);
const show = ({ mean, sd }) => `${(100 * mean).toFixed(1)} ± ${(100 * sd).toFixed(1)}`;
console.log('| | worst-group accuracy (%) | gap (points) | overall (%) | rare positives (%) |');
console.log('|---|---|---|---|---|');
for (const variant of ['biased', 'debiased']) {
  const s = summary[variant];
  console.log(
    `| ${variant} | ${show(s.worstAccuracy)} | ${show(s.gap)} | ${show(s.overall)} | ${show(s.rareGroupAccuracy)} |`,
  );
}
