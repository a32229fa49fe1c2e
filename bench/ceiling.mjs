// The ceiling of 2-replica data-parallel training here, with free communication: ref-vae's `fit` (wasm, one thread
// each) at batch 128 in one worker thread, then two worker threads at once, each training its own model at a
// 2-replica shard's 64 rows (each with its own optimizer, as every replica of PyTorch's DDP has). Combined images/s
// of the two over the one's is what 2 replicas could reach if sending shards, weights and gradients cost nothing.
// Interleaved pairs, second epoch of each. usage: node bench/ceiling.mjs [pairs] [steps]
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadVae, root } from './bundle.mjs';

if (isMainThread) {
  const pairs = Number(process.argv[2] ?? 5);
  const steps = Number(process.argv[3] ?? 60);
  const run = (rows, threads) =>
    Promise.all(
      Array.from(
        { length: threads },
        () =>
          new Promise((resolve, reject) => {
            const w = new Worker(new URL(import.meta.url), { workerData: { rows, steps } });
            w.on('message', resolve);
            w.on('error', reject);
          }),
      ),
    ).then((rates) => rates.reduce((a, b) => a + b, 0));
  const [ratios, shard, cores] = [[], [], []];
  for (let r = 0; r < pairs; r++) {
    const one = await run(128, 1);
    const half = await run(64, 1);
    const two = await run(64, 2);
    ratios.push(two / one);
    shard.push(half / one);
    cores.push(two / (2 * half));
    console.log(
      `one thread: 128 rows ${one.toFixed(0)} images/s, 64 rows ${half.toFixed(0)}; two threads at 64 rows ` +
        `${two.toFixed(0)}: x${(two / one).toFixed(2)} (64-row efficiency ${(half / one).toFixed(2)}, two cores ` +
        `x${(two / half).toFixed(2)})`,
    );
  }
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)].toFixed(2);
  console.log(
    `medians: ceiling x${median(ratios)} = 64-row efficiency ${median(shard)} x two cores x${(2 * median(cores)).toFixed(2)}`,
  );
} else {
  // the @vae sources bundled, one tfjs engine, the wasm backend started (bench/bundle.mjs)
  const { modules } = await loadVae({ entries: { models: '@vae/models', data: '@vae/data/node' } });
  const { models } = modules;
  const { loadMnist } = modules.data;
  const { rows, steps } = workerData;
  const data = await loadMnist({
    split: 'train',
    limit: 128 * steps,
    packageSearchPaths: [join(root, 'apps/cli')],
  });
  const model = new models.VAE({ seed: 1 });
  const history = await model.fit(data, { epochs: 2, batchSize: rows, seed: 1 });
  parentPort.postMessage(history.epochs[1].examplesPerSecond);
}
