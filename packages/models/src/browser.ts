/**
 * Data-parallel `fit` in browsers: importing `@vae/models/browser` once (where `fit` runs: a page or a dedicated
 * worker) installs the Web Worker runtime of `fit({ workers })`. Its replicas run in Web Workers that the app starts
 * with `workers.create`, from a worker module of its own that calls `serveFitWorker` (`@vae/models/fit-worker`):
 *
 * ```ts
 * import '@vae/models/browser';
 *
 * await model.fit(train, {
 *   batchSize: 128,
 *   workers: { count: 'auto', create: () => new Worker(new URL('./fit.worker.ts', import.meta.url), { type: 'module' }) },
 * });
 * ```
 *
 * Buffers are shared (SharedArrayBuffer) on cross-origin isolated pages (COOP/COEP headers), and transferred in the
 * messages elsewhere (most static hosts). Kept out of the main entry: apps that train in one thread do not carry it.
 */
import './training/parallel.browser';

export { type WebWorkerLike, WorkerError, type WorkerOptions } from './training/parallel';
export { LISTEN_TIMEOUT_MS, MAX_AUTO_REPLICAS } from './training/parallel.browser';
