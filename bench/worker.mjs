// One benchmark measurement in a fresh process. Prints one JSON line on stdout.
// usage: node bench/worker.mjs '{"task":"train","backend":"wasm","impl":"vae","images":8000,"epochs":2}'
// Optional: "arch": "conv" (mnist-conv instead of ref-vae's MLP), "workers": n (fit's data-parallel worker threads).
// "batchSize" (training with impl "vae": default 128, ref-vae's).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'apps/cli/package.json'));
const requireFromRoot = createRequire(join(root, 'package.json'));
const load = (name) => import(require.resolve(name));
/** Ends the process with a one-line reason the parent records as the skip note. */
function fail(reason) {
  process.stdout.write(`${JSON.stringify({ error: reason })}\n`);
  process.exit(2);
}
const tf = await load('@tensorflow/tfjs-core');
await load('@tensorflow/tfjs-backend-cpu');
const wasm = await load('@tensorflow/tfjs-backend-wasm');
const tfl = await load('@tensorflow/tfjs-layers');
const { VAE, architecture } = await load('@vae/models');
// fit({ workers }) and convolutional networks (the worker_threads runtime, tfjs-layers)
await load('@vae/models/node');
const { loadMnist } = await import(require.resolve('@vae/data/node'));

const spec = JSON.parse(process.argv[2]);
tf.env().set('PROD', true);
const quiet = console.warn;
console.warn = () => {};
let device;
if (spec.backend === 'wasm')
  wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
if (spec.backend === 'webgpu') {
  // WebGPU in Node: Dawn through the `webgpu` package (optional; `pnpm add -Dw webgpu` to enable).
  const { create, globals } = await import(requireFromRoot.resolve('webgpu'));
  Object.assign(globalThis, globals);
  const gpu = create([]);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    console.warn = quiet;
    fail('no WebGPU adapter (Dawn found no usable Vulkan/GL device)');
  }
  device = [adapter.info?.vendor, adapter.info?.architecture, adapter.info?.description]
    .filter(Boolean)
    .join(' ');
  await load('@tensorflow/tfjs-backend-webgpu');
}
if (spec.backend === 'tensorflow') await import(requireFromRoot.resolve('@tensorflow/tfjs-node'));
if (!(await tf.setBackend(spec.backend))) fail(`the ${spec.backend} backend did not initialise`);
await tf.ready();
console.warn = quiet;
if (spec.task === 'probe') {
  process.stdout.write(`${JSON.stringify({ spec, backend: tf.getBackend(), result: { device } })}\n`);
  process.exit(0);
}
if (spec.task === 'autorec') {
  // One I-AutoRec epoch (500 hidden, Adam 1e-3, batch spec.batchSize) on synthetic ratings of ML-1M's size: item rows
  // of spec.users columns, built sparsely per batch by RatingRows, as bench/ref.py autorec does in PyTorch.
  const { AutoRec } = await load('@vae/models');
  const { RatingRows } = await load('@vae/data');
  const { Random } = await load('@vae/core');
  const random = new Random(spec.seed ?? 1);
  const n = spec.ratings;
  const triples = {
    numUsers: spec.users,
    numItems: spec.items,
    size: n,
    users: Int32Array.from({ length: n }, () => random.nextInt(spec.users)),
    items: Int32Array.from({ length: n }, () => random.nextInt(spec.items)),
    ratings: Float32Array.from({ length: n }, () => 1 + random.nextInt(5)),
  };
  const rows = new RatingRows(triples, 'item');
  const model = new AutoRec({ kind: 'item', columns: rows.columns, hiddenUnits: 500, seed: spec.seed ?? 1 });
  const times = [];
  await model.fit(rows, {
    epochs: spec.epochs,
    batchSize: spec.batchSize,
    learningRate: 1e-3,
    seed: 1,
    onEpochEnd: (record) => times.push(record.seconds),
  });
  model.dispose();
  // the first epoch warms up (kernels, allocations): report the later ones when there are any
  const measured = times.length > 1 ? times.slice(1) : times;
  const seconds = measured.reduce((a, b) => a + b, 0) / measured.length;
  const result = { secondsPerEpoch: seconds, rowsPerSecond: spec.items / seconds };
  process.stdout.write(`${JSON.stringify({ spec, backend: tf.getBackend(), result })}\n`);
  process.exit(0);
}

const data = await loadMnist({
  split: 'train',
  limit: spec.images,
  packageSearchPaths: [join(root, 'apps/cli')],
});

/** The VAE under test: ref-vae's MLP, or architecture('mnist-conv') with the same 20-dimensional code. */
const ourModel = (seed) =>
  new VAE(spec.arch === 'conv' ? { ...architecture('mnist-conv'), latentDim: 20, seed } : { seed });
const fitWorkers = spec.workers ? { workers: spec.workers } : {};

/**
 * The convolutional peer: mnist-conv as a tfjs user writes it (tf.layers conv2d / conv2dTranspose + autodiff). Only
 * backends with the convolution gradient kernels train it (cpu here; wasm has no Conv2DBackpropFilter).
 */
function peerConvModel() {
  const layer = (l, shape) => {
    l.build(shape);
    return l;
  };
  const L = tfl.layers;
  const conv1 = layer(
    L.conv2d({ filters: 32, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }),
    [null, 28, 28, 1],
  );
  const conv2 = layer(
    L.conv2d({ filters: 64, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }),
    [null, 14, 14, 32],
  );
  const hidden = layer(L.dense({ units: 256, activation: 'relu' }), [null, 3136]);
  const posterior = layer(L.dense({ units: 40 }), [null, 256]);
  const decodeHidden = layer(L.dense({ units: 256, activation: 'relu' }), [null, 20]);
  const project = layer(L.dense({ units: 3136, activation: 'relu' }), [null, 256]);
  const deconv1 = layer(
    L.conv2dTranspose({ filters: 32, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }),
    [null, 7, 7, 64],
  );
  const deconv2 = layer(L.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same' }), [
    null,
    14,
    14,
    32,
  ]);
  return {
    loss(x) {
      const n = x.shape[0];
      const h = hidden.apply(tf.reshape(conv2.apply(conv1.apply(tf.reshape(x, [n, 28, 28, 1]))), [n, 3136]));
      const [m, lv] = tf.split(posterior.apply(h), 2, 1);
      const z = tf.add(m, tf.mul(tf.exp(tf.mul(0.5, lv)), tf.randomNormal(m.shape)));
      const d = tf.reshape(project.apply(decodeHidden.apply(z)), [n, 7, 7, 64]);
      const l = tf.reshape(deconv2.apply(deconv1.apply(d)), [n, 784]);
      const bce = tf.sum(tf.add(tf.sub(tf.relu(l), tf.mul(l, x)), tf.log1p(tf.exp(tf.neg(tf.abs(l))))), 1);
      const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, lv), tf.add(tf.square(m), tf.exp(lv))), 1));
      return tf.mean(tf.add(bce, kl));
    },
  };
}

/** The peer: the same 784-400-20 VAE written as the tfjs examples write it (tf.layers + autodiff). */
function peerModel() {
  const dense = (units, activation, inputDim) => tfl.layers.dense({ units, activation, inputDim });
  const encoderHidden = dense(400, 'relu', 784);
  const mu = dense(20, 'linear', 400);
  const logVar = dense(20, 'linear', 400);
  const decoderHidden = dense(400, 'relu', 20);
  const logits = dense(784, 'linear', 400);
  for (const layer of [encoderHidden, mu, logVar, decoderHidden, logits])
    layer.build([null, layer.batchInputShape?.[1]]);
  const layers = [encoderHidden, mu, logVar, decoderHidden, logits];
  return {
    variables: layers.flatMap((l) => l.trainableWeights.map((w) => w.read())),
    loss(x) {
      const h = encoderHidden.apply(x);
      const m = mu.apply(h);
      const lv = logVar.apply(h);
      const z = tf.add(m, tf.mul(tf.exp(tf.mul(0.5, lv)), tf.randomNormal(m.shape)));
      const l = logits.apply(decoderHidden.apply(z));
      const bce = tf.sum(tf.add(tf.sub(tf.relu(l), tf.mul(l, x)), tf.log1p(tf.exp(tf.neg(tf.abs(l))))), 1);
      const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, lv), tf.add(tf.square(m), tf.exp(lv))), 1));
      return tf.mean(tf.add(bce, kl));
    },
  };
}

async function train() {
  const epochs = spec.epochs ?? 2;
  if (spec.impl === 'vae') {
    const model = ourModel(1);
    let cpuStart = process.cpuUsage();
    const history = await model.fit(data, {
      epochs,
      batchSize: spec.batchSize ?? 128,
      seed: 1,
      ...fitWorkers,
      onEpochEnd: (record) => {
        if (record.epoch === 1 && epochs > 1) cpuStart = process.cpuUsage();
      },
    });
    // the first epoch includes warm-up (kernel compilation, allocation): report the later ones
    const measured = history.epochs.slice(epochs > 1 ? 1 : 0);
    const seconds = measured.reduce((s, e) => s + e.seconds, 0);
    return {
      imagesPerSecond: (measured.length * data.size) / seconds,
      cpuImagesPerSecond: (measured.length * data.size) / cpuSeconds(cpuStart),
      finalLoss: history.epochs.at(-1).train.total,
    };
  }
  const peer = spec.arch === 'conv' ? peerConvModel() : peerModel();
  const optimizer = tf.train.adam(1e-3);
  let measuredSeconds = 0;
  let lastLoss = 0;
  let cpuStart = process.cpuUsage();
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (epoch === 1) cpuStart = process.cpuUsage();
    const started = performance.now();
    for (let start = 0; start < data.size; start += 128) {
      const indices = Array.from({ length: Math.min(128, data.size - start) }, (_, i) => start + i);
      const cost = tf.tidy(() => {
        const x = tf.reshape(data.batch(indices), [indices.length, 784]);
        return optimizer.minimize(() => peer.loss(x), true);
      });
      if (start + 128 >= data.size) lastLoss = (await cost.data())[0];
      cost.dispose();
    }
    if (epoch > 0 || epochs === 1) measuredSeconds += (performance.now() - started) / 1000;
  }
  const measuredEpochs = epochs > 1 ? epochs - 1 : 1;
  return {
    imagesPerSecond: (measuredEpochs * data.size) / measuredSeconds,
    cpuImagesPerSecond: (measuredEpochs * data.size) / cpuSeconds(cpuStart),
    finalLoss: lastLoss,
  };
}

/**
 * CPU seconds (user + system) of this process since `start`: with one compute thread it is the time the step
 * took when it had a core, which load on a shared machine changes far less than wall time.
 */
function cpuSeconds(start) {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
}

async function inference() {
  const model = new VAE({ seed: 1 });
  const results = {};
  for (const batch of spec.batches ?? [1, 64, 256, 1000]) {
    const x = tf.tidy(() =>
      tf.reshape(data.batch(Array.from({ length: batch }, (_, i) => i % data.size)), [batch, 784]),
    );
    const z = tf.randomNormal([batch, 20]);
    for (const [name, run] of [
      ['decode', () => model.decode(z)],
      ['encode', () => model.encode(x).mean],
    ]) {
      const timings = [];
      for (let i = 0; i < (spec.repeats ?? 20) + 3; i++) {
        const started = performance.now();
        const out = run();
        await out.data();
        tf.dispose(out);
        if (i >= 3) timings.push(performance.now() - started);
      }
      timings.sort((a, b) => a - b);
      const median = timings[Math.floor(timings.length / 2)];
      results[`${name}@${batch}`] = { milliseconds: median, imagesPerSecond: (batch * 1000) / median };
    }
    tf.dispose([x, z]);
  }
  return results;
}

async function memory() {
  const model = ourModel(1);
  await model.fit(data, { epochs: 1, batchSize: 128, seed: 1, ...fitWorkers });
  return { peakResidentMegabytes: process.resourceUsage().maxRSS / 1024, images: data.size };
}

/** Test loss (negative ELBO, nats per image, one z sample) after `epochs` epochs, as bench/ref.py reports it. */
async function quality() {
  const test = await loadMnist({
    split: 'test',
    limit: spec.testImages ?? 10000,
    packageSearchPaths: [join(root, 'apps/cli')],
  });
  const model = new VAE({ seed: spec.seed });
  const history = await model.fit(data, {
    epochs: spec.epochs,
    batchSize: 128,
    seed: spec.seed,
    ...fitWorkers,
  });
  const evaluation = await model.evaluate(test, { seed: spec.seed });
  return { testLoss: evaluation.total, trainLoss: history.epochs.at(-1).train.total, seed: spec.seed };
}

const run = { train, inference, memory, quality }[spec.task];
const result = await run();
process.stdout.write(`${JSON.stringify({ spec, backend: tf.getBackend(), device, result })}\n`);
