/**
 * The browsers' runtime for data-parallel training: Web Workers, started by the app's `workers.create` (a bundler
 * finds a worker module only where the app writes `new Worker(new URL(..., import.meta.url))`), SharedArrayBuffer on
 * cross-origin isolated pages and transferred buffers elsewhere. Works in a page and in a dedicated worker (nested
 * workers). Installed by `@vae/models/browser`; the worker side is `serveFitWorker` of `@vae/models/fit-worker`.
 */
import {
  type FromReplica,
  type ReplicaEndpoint,
  registerWorkerRuntime,
  type ToReplica,
  type WebWorkerLike,
  type WorkerOptions,
  type WorkerRuntime,
} from './parallel';
import { ReplicaPool } from './pool';

/** 'auto' starts at most this many replicas: each worker is a tfjs instance of its own (about 100 MB on wasm). */
export const MAX_AUTO_REPLICAS = 8;

/** How long a started worker may take to load its module and listen (a large bundle on a slow network). */
export const LISTEN_TIMEOUT_MS = 120_000;

const HOW_TO_CREATE =
  "pass workers.create, e.g. { count: 2, create: () => new Worker(new URL('./fit.worker.js', import.meta.url), " +
  "{ type: 'module' }) }, where fit.worker.js registers the backend and calls serveFitWorker({ models: [VAE] }) of " +
  '@vae/models/fit-worker';

/** True where buffers can be shared with workers: SharedArrayBuffer exists only on cross-origin isolated pages. */
function canShare(): boolean {
  const scope = globalThis as { crossOriginIsolated?: boolean };
  return scope.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
}

/** What a worker's `error` event says (a module that did not load is a bare Event, with no message). */
function describeError(event: Event): string {
  const message = (event as ErrorEvent).message;
  if (message) return `the worker threw: ${message}`;
  return (
    'the worker module did not load (a wrong URL, a 404, a syntax error, or a module the browser refused; the ' +
    "browser console has the details). Check workers.create's URL: " +
    "new Worker(new URL('./fit.worker.js', import.meta.url), { type: 'module' })"
  );
}

const runtime: WorkerRuntime = {
  get shared() {
    return canShare();
  },
  cores() {
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
      ?.hardwareConcurrency;
    return Math.min(
      MAX_AUTO_REPLICAS,
      Number.isInteger(cores) && (cores as number) > 0 ? (cores as number) : 1,
    );
  },
  defaultSetup: () => null,
  start(index: number, options: WorkerOptions): ReplicaEndpoint {
    if (!options.create) {
      throw new Error(`fit: workers in a browser are started by your app: ${HOW_TO_CREATE}.`);
    }
    if (typeof (globalThis as { Worker?: unknown }).Worker !== 'function') {
      throw new Error(
        'fit: this context has no Web Workers (a worklet, or a browser without nested workers); train without ' +
          'workers here.',
      );
    }
    let worker: WebWorkerLike;
    try {
      worker = options.create(index);
    } catch (error) {
      throw new Error(
        `fit: workers.create(${index}) threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!worker || typeof worker.postMessage !== 'function' || typeof worker.terminate !== 'function') {
      throw new Error(`fit: workers.create(${index}) did not return a Worker; ${HOW_TO_CREATE}.`);
    }
    const started = worker;
    // Messages wait until the worker's module listens: a module that awaits before serving would lose them.
    let queue: Array<[ToReplica, ArrayBuffer[]]> | null = [];
    let terminated = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    return {
      post(message: ToReplica, transfer: ArrayBuffer[] = []) {
        if (queue) queue.push([message, transfer]);
        else started.postMessage(message, transfer);
      },
      listen(handlers) {
        const failed = (error: Error) => {
          if (terminated) return;
          clearTimeout(timer);
          handlers.failed(error);
        };
        timer = setTimeout(
          () =>
            failed(
              new Error(
                `the worker did not start serving within ${LISTEN_TIMEOUT_MS / 1000} s: does the module that ` +
                  'workers.create starts call serveFitWorker({ models }) of @vae/models/fit-worker?',
              ),
            ),
          LISTEN_TIMEOUT_MS,
        );
        started.addEventListener('message', (event) => {
          const message = (event as MessageEvent<FromReplica>).data;
          if (message?.type === 'listening') {
            clearTimeout(timer);
            const waiting = queue ?? [];
            queue = null;
            for (const [m, t] of waiting) started.postMessage(m, t);
            return;
          }
          handlers.message(message);
        });
        started.addEventListener('error', (event) => {
          // an uncaught error inside the worker: do not let it also surface as the page's own
          event.preventDefault?.();
          failed(new Error(describeError(event)));
        });
        started.addEventListener('messageerror', () =>
          failed(new Error('a message from the worker could not be read (messageerror)')),
        );
      },
      async terminate() {
        terminated = true;
        clearTimeout(timer);
        queue = null;
        started.terminate();
      },
    };
  },
  open: (model, variables, requested, batchSize) =>
    ReplicaPool.start(runtime, model, variables, requested, batchSize),
};
registerWorkerRuntime(runtime);
