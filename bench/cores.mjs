// Do two cores compute twice as fast here? The same fixed work (1,500 products [64, 784] x [784, 400] with
// @vae/core's wasm SIMD kernel, ref-vae's largest at a 2-replica shard) in one worker thread, then in two at once;
// 5 interleaved pairs. Throughput x2 means the cores scale perfectly. usage: node bench/cores.mjs
import { createRequire } from 'node:module';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

if (isMainThread) {
  const once = (n) =>
    new Promise((res) => {
      const t = performance.now();
      let left = n;
      for (let i = 0; i < n; i++)
        new Worker(new URL(import.meta.url), { workerData: 1 }).on('message', () => {
          if (--left === 0) res(performance.now() - t);
        });
    });
  for (let r = 0; r < 5; r++) {
    const a = await once(1);
    const b = await once(2);
    console.log(
      `alone ${a.toFixed(0)} ms, two at once ${b.toFixed(0)} ms: throughput x${((2 * a) / b).toFixed(2)}`,
    );
  }
} else {
  const require = createRequire(new URL('../packages/core/package.json', import.meta.url));
  const { default: initWabt } = await import(require.resolve('wabt'));
  const wabt = await initWabt();
  const { renderGemmWat } = await import('../packages/core/scripts/gemm-wat.mjs');
  const p = wabt.parseWat('g.wat', renderGemmWat(), { simd: true });
  p.resolveNames();
  const memory = new WebAssembly.Memory({ initial: 200 });
  const { gemm } = new WebAssembly.Instance(new WebAssembly.Module(p.toBinary({}).buffer), {
    env: { memory },
  }).exports;
  const F = new Float32Array(memory.buffer);
  for (let i = 0; i < F.length; i++) F[i] = (i % 7) * 0.1;
  const [M, K, N] = [64, 784, 400];
  const a = 1024,
    b = a + 4 * M * K,
    c = b + 4 * K * N;
  for (let i = 0; i < 20; i++) gemm(a, 4 * K, 4, b, 4 * N, c, 4 * N, 0, M, K, N, 1);
  for (let i = 0; i < 1500; i++) gemm(a, 4 * K, 4, b, 4 * N, c, 4 * N, 0, M, K, N, 1);
  parentPort.postMessage('done');
}
