// Where a data-parallel ref-vae step (fit's `workers`, wasm) spends its time: a timeline per step, medians over the
// steps of the second epoch. usage: node bench/profile-workers.mjs [workers] [steps per epoch] [models dist folder]
// Phases (ms): publish = from the previous step's end to the first batch gathered (the new weights written for the
// replicas, the loop's own work); post = gathering and posting the workers' shards, until this thread starts its own
// shard; to worker = message latency to the worker; worker = the worker's step (weights taken, forward/backward,
// gradients copied out); wait = from the worker's result posted to the optimizer's start (this thread's shard
// finishing, the message back, the sum); adam = the optimizer's update; callbacks = from there to onBatchEnd. Also the
// same model in this thread alone at the full batch and at a shard's rows, for the compute a step should cost.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'apps/cli/package.json'));
const load = (name) => import(require.resolve(name));
const tf = await load('@tensorflow/tfjs-core');
const wasm = await load('@tensorflow/tfjs-backend-wasm');
const { FusedAdamOptimizer } = await load('@vae/core');
const workers = Number(process.argv[2] ?? 2);
const steps = Number(process.argv[3] ?? 30);
// another build of @vae/models (a copy of its dist/ inside packages/models, so its imports resolve), to compare
const dist = process.argv[4] ? join(process.cwd(), process.argv[4]) : null;
const models = dist ? await import(pathToFileURL(join(dist, 'index.js')).href) : await load('@vae/models');
if (dist) await import(pathToFileURL(join(dist, 'node.js')).href);
else await load('@vae/models/node');
const workerEntry = dist
  ? pathToFileURL(join(dist, 'training/fit-worker.node.js')).href
  : pathToFileURL(join(dirname(require.resolve('@vae/models/node')), 'training/fit-worker.node.js')).href;
const { loadMnist } = await import(require.resolve('@vae/data/node'));

tf.env().set('PROD', true);
const quiet = console.warn;
console.warn = () => {};
wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
await tf.setBackend('wasm');
await tf.ready();
console.warn = quiet;
const data = await loadMnist({
  split: 'train',
  limit: 128 * steps,
  packageSearchPaths: [join(root, 'apps/cli')],
});

const now = () => performance.timeOrigin + performance.now();
// The workers log when a step message arrives and when their result leaves (one JSON line each, to a file).
const folder = mkdtempSync(join(tmpdir(), 'vae-profile-workers-'));
const log = join(folder, 'worker.log');
writeFileSync(log, '');
const script = join(folder, 'entry.mjs');
writeFileSync(
  script,
  [
    "import { appendFileSync } from 'node:fs';",
    "import { createRequire } from 'node:module';",
    "import { pathToFileURL } from 'node:url';",
    "import { parentPort, threadId } from 'node:worker_threads';",
    'const now = () => performance.timeOrigin + performance.now();',
    // the worker's tfjs (the one its entry imports): marks when the weights are taken and the gradients read
    `const tf = await import(pathToFileURL(createRequire(${JSON.stringify(fileURLToPath(workerEntry))}).resolve('@tensorflow/tfjs-core')).href);`,
    'let t = {};',
    'const assign = tf.Variable.prototype.assign;',
    'tf.Variable.prototype.assign = function (v) { t.assign ??= now(); const r = assign.call(this, v); t.assigned = now(); return r; };',
    'const data = tf.Tensor.prototype.data;',
    'tf.Tensor.prototype.data = function () { t.read ??= now(); return data.call(this); };',
    'const on = parentPort.on.bind(parentPort);',
    "parentPort.on = (event, handler) => on(event, event === 'message' ? (m) => { if (m.type === 'step') t = { received: now() }; handler(m); } : handler);",
    'const post = parentPort.postMessage.bind(parentPort);',
    "parentPort.postMessage = (m, transfer) => { if (m.type === 'result') appendFileSync(" +
      `${JSON.stringify(log)}, JSON.stringify({ thread: threadId, id: m.id, ...t, posted: now() }) + '\\n'); return post(m, transfer); };`,
    `await import(${JSON.stringify(workerEntry)});`,
  ].join('\n'),
);

const marks = [];
let current = null;
const batch = data.batch.bind(data);
data.batch = (indices) => {
  if (current && current.gathered === undefined) current.gathered = now();
  return batch(indices);
};
const model = new models.VAE({ seed: 1 });
const trainingLoss = model.trainingLoss.bind(model);
model.trainingLoss = (x, context) => {
  if (current && current.own === undefined) current.own = now();
  return trainingLoss(x, context);
};
const optimizer = new FusedAdamOptimizer(1e-3, 0.9, 0.999, 1e-8);
const apply = optimizer.applyGradients.bind(optimizer);
optimizer.applyGradients = (grads) => {
  current.adam = now();
  apply(grads);
  current.adamDone = now();
};
let previous = 0;
let cpu = null;
await model.fit(data, {
  epochs: 2,
  batchSize: 128,
  seed: 1,
  optimizer,
  workers: workers > 0 ? { count: workers, script: pathToFileURL(script) } : undefined,
  onEpochBegin: (epoch) => {
    previous = now();
    if (epoch === 2) cpu = process.cpuUsage();
  },
  onBatchEnd: ({ epoch }) => {
    const end = now();
    if (epoch === 2) marks.push({ ...current, start: previous, end });
    previous = end;
    current = {};
  },
  onTrainBegin: () => {
    current = {};
  },
});
const used = process.cpuUsage(cpu);
const cpuPerStep = (used.user + used.system) / 1000 / steps;
const results = readFileSync(log, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
// the second epoch's worker results, in order: one per worker thread per step
const perStep = Math.round(results.length / (2 * steps));
const workerSteps = results.slice(results.length - perStep * marks.length);
const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : Number.NaN;
};
const phases = {
  step: marks.map((m) => m.end - m.start),
  publish: marks.map((m) => m.gathered - m.start),
  post: marks.map((m) => m.own - m.gathered),
  'to worker': marks.map((m, i) => (perStep ? workerSteps[i * perStep].received - m.gathered : Number.NaN)),
  'worker: weights': marks.map((_, i) => {
    const w = workerSteps[i * perStep];
    return perStep && w.assign ? w.assigned - w.received : Number.NaN;
  }),
  'worker: compute': marks.map((_, i) => {
    const w = workerSteps[i * perStep];
    return perStep ? w.read - (w.assigned ?? w.received) : Number.NaN;
  }),
  'worker: copy out': marks.map((_, i) => {
    const w = workerSteps[i * perStep];
    return perStep ? w.posted - w.read : Number.NaN;
  }),
  worker: marks.map((_, i) => {
    if (!perStep) return Number.NaN;
    const mine = workerSteps.slice(i * perStep, (i + 1) * perStep);
    return Math.max(...mine.map((w) => w.posted - w.received));
  }),
  wait: marks.map((m, i) => {
    if (!perStep) return Number.NaN;
    const mine = workerSteps.slice(i * perStep, (i + 1) * perStep);
    return m.adam - Math.max(...mine.map((w) => w.posted));
  }),
  'own shard (to adam)': marks.map((m) => m.adam - m.own),
  adam: marks.map((m) => m.adamDone - m.adam),
  callbacks: marks.map((m) => m.end - m.adamDone),
};
console.log(
  `workers ${workers} (${perStep} worker threads${dist ? `, ${dist}` : ''}), ${marks.length} steps of 128 (medians, ms):`,
);
for (const [name, values] of Object.entries(phases)) {
  console.log(`  ${name.padEnd(20)} ${median(values).toFixed(2).padStart(7)}`);
}
console.log(
  `  images/s ${(128 / (median(phases.step) / 1000)).toFixed(0)}; CPU ms per step (all threads) ${cpuPerStep.toFixed(2)}`,
);
// This thread alone, at the full batch and at a shard's rows (second epoch, no workers).
for (const rows of [128, Math.ceil(128 / Math.max(1, workers))]) {
  const alone = new models.VAE({ seed: 1 });
  let start = null;
  const history = await alone.fit(data, {
    epochs: 2,
    batchSize: rows,
    seed: 1,
    onEpochBegin: (epoch) => {
      if (epoch === 2) start = process.cpuUsage();
    },
  });
  const { user, system } = process.cpuUsage(start);
  const record = history.epochs[1];
  const stepsDone = Math.ceil(data.size / rows);
  console.log(
    `  alone, batch ${rows}: ${((rows / record.examplesPerSecond) * 1000).toFixed(2)} ms per step, ` +
      `${record.examplesPerSecond.toFixed(0)} images/s; CPU ms per step ${((user + system) / 1000 / stepsDone).toFixed(2)}`,
  );
  alone.dispose();
}
