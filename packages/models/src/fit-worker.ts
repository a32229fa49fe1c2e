/**
 * The worker side of `fit`'s data-parallel training in browsers: a replica of the model in a Web Worker. Import from
 * `@vae/models/fit-worker` in a worker module of your app, which registers the backend the replicas run (the one the
 * calling thread trains on, `tf.getBackend()`, unless `workers.backend` names another) and then serves:
 *
 * ```ts
 * // fit.worker.ts, started by fit with `@vae/models/browser` loaded and workers: { count: 2, create: () =>
 * // new Worker(new URL('./fit.worker.ts', import.meta.url), { type: 'module' }) }. First it loads the backend's
 * // package (for wasm: @tensorflow/tfjs-backend-wasm, then setWasmPaths to where the app serves its .wasm
 * // files, as in its other threads), then:
 * serveFitWorker({ models: [VAE] }); // the classes this app trains with workers (VAE of @vae/models)
 * ```
 *
 * The README's "Data-parallel training" section has the whole module. The replica is rebuilt from the class of the
 * calling thread's model, found in `models` by name (so the worker bundles only those classes, not the registry);
 * convolutional and tfjs Layers networks also need `@vae/models/layers` loaded in the module.
 */

import type { FromReplica, ToReplica } from './training/parallel';
import { type ReplicaPort, rebuildFromClasses, serveReplica } from './training/replica';

/** Options of `serveFitWorker`. */
export interface FitWorkerOptions {
  /** The model classes this worker can rebuild: those the app trains with `workers` (e.g. `[VAE]`). */
  models: ReadonlyArray<{ readonly className: string; new (config: never): unknown }>;
  /**
   * Runs before the replica starts its backend, with the backend's name (the calling thread's, or
   * `workers.backend`): register or configure it there, e.g. load its package on demand. Optional when the module
   * registers the backend when it loads.
   */
  prepareBackend?: (backend: string) => unknown;
}

interface DedicatedScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToReplica>) => void): void;
}

/**
 * Serves one replica of `fit({ workers })` in this Web Worker: answers the calling thread's messages (the model to
 * rebuild, then one shard's gradients per step) until the worker is terminated. Call it once, in a module started by
 * `workers.create`.
 */
export function serveFitWorker(options: FitWorkerOptions): void {
  if (!Array.isArray(options?.models) || options.models.length === 0) {
    throw new Error(
      'serveFitWorker needs models: the model classes this worker rebuilds, e.g. serveFitWorker({ models: [VAE] }).',
    );
  }
  const scope = globalThis as unknown as Partial<DedicatedScope> & { document?: unknown };
  if (
    typeof scope.postMessage !== 'function' ||
    typeof scope.addEventListener !== 'function' ||
    scope.document
  ) {
    throw new Error(
      'serveFitWorker runs in a Web Worker started by workers.create of fit, not in a page or in Node ' +
        '(Node: @vae/models/node starts its own worker threads).',
    );
  }
  const self = scope as DedicatedScope;
  const port: ReplicaPort = {
    post: (message: FromReplica, transfer: ArrayBuffer[] = []) => self.postMessage(message, transfer),
    onMessage: (handler) => self.addEventListener('message', (event) => handler(event.data)),
  };
  serveReplica(
    port,
    (specifier) => import(/* @vite-ignore */ /* webpackIgnore: true */ specifier),
    rebuildFromClasses(options.models),
    options.prepareBackend,
  );
  // The calling thread holds its messages until now, so none arrive before the listener.
  port.post({ type: 'listening' });
}
