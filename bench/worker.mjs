// One benchmark measurement in a fresh process. Prints one JSON line on stdout.
// usage: node bench/worker.mjs '{"task":"train","backend":"wasm","impl":"vae","images":8000,"epochs":2}'
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'apps/cli/package.json'));
const load = (name) => import(require.resolve(name));
const tf = await load('@tensorflow/tfjs-core');
await load('@tensorflow/tfjs-backend-cpu');
const wasm = await load('@tensorflow/tfjs-backend-wasm');
const tfl = await load('@tensorflow/tfjs-layers');
const { VAE } = await load('@vae/models');
const { loadMnist } = await import(require.resolve('@vae/data/node'));

const spec = JSON.parse(process.argv[2]);
tf.env().set('PROD', true);
const quiet = console.warn;
console.warn = () => {};
if (spec.backend === 'wasm')
  wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
await tf.setBackend(spec.backend);
await tf.ready();
console.warn = quiet;

const data = await loadMnist({
  split: 'train',
  limit: spec.images,
  packageSearchPaths: [join(root, 'apps/cli')],
});

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
    const model = new VAE({ seed: 1 });
    const history = await model.fit(data, { epochs, batchSize: 128, seed: 1 });
    // the first epoch includes warm-up (kernel compilation, allocation): report the later ones
    const measured = history.epochs.slice(epochs > 1 ? 1 : 0);
    const seconds = measured.reduce((s, e) => s + e.seconds, 0);
    return {
      imagesPerSecond: (measured.length * data.size) / seconds,
      finalLoss: history.epochs.at(-1).train.total,
    };
  }
  const peer = peerModel();
  const optimizer = tf.train.adam(1e-3);
  let measuredSeconds = 0;
  let lastLoss = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
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
  return { imagesPerSecond: (measuredEpochs * data.size) / measuredSeconds, finalLoss: lastLoss };
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
  const model = new VAE({ seed: 1 });
  await model.fit(data, { epochs: 1, batchSize: 128, seed: 1 });
  return { peakResidentMegabytes: process.resourceUsage().maxRSS / 1024, images: data.size };
}

const run = { train, inference, memory }[spec.task];
const result = await run();
process.stdout.write(`${JSON.stringify({ spec, backend: tf.getBackend(), result })}\n`);
