/**
 * The Train view's data-parallel training: `fit`'s `workers` run replicas of the model in Web Workers nested in the
 * training worker, with buffers shared on a cross-origin isolated page and transferred elsewhere (static hosts such
 * as GitHub Pages). A replica is the training worker's own script started again under another name (so the build
 * carries no second copy of TensorFlow.js and its backends, and the browser loads nothing new): `serveIfReplica`,
 * called first by that script, serves the replica there. Only on the CPU backends (wasm, cpu): a GPU backend is one
 * device whichever thread drives it, so it trains in the training worker alone.
 */
import '@vae/models/browser';
import { VAE, type WorkerOptions } from '@vae/models';
import { MAX_AUTO_REPLICAS } from '@vae/models/browser';
import { serveFitWorker } from '@vae/models/fit-worker';
import { isBackendName, startBackend } from './backends';

/** The name the training worker's script is started under as a replica. */
const REPLICA_NAME = 'vae-train-replica';

/**
 * In a worker started as a replica: serves it (the backend the training worker runs, started as every thread of the
 * demo starts it: backends.ts, for wasm the site's own .wasm files) and returns true. Elsewhere returns false.
 */
export function serveIfReplica(): boolean {
  if ((globalThis as { name?: string }).name !== REPLICA_NAME) return false;
  serveFitWorker({
    // the Train view trains a VAE: the worker rebuilds only that class
    models: [VAE],
    async prepareBackend(name) {
      if (!isBackendName(name)) throw new Error(`the demo cannot start the '${name}' backend in a replica.`);
      await startBackend(name);
    },
  });
  return true;
}

/** The replicas a run trains with: `fit`'s `workers` (absent: one replica), their count, and why fewer if so. */
export function replicaWorkers(
  requested: number | 'auto' | undefined,
  backend: string,
  batchSize: number,
): { workers?: WorkerOptions; replicas: number; note?: string } {
  const cores = Math.min(MAX_AUTO_REPLICAS, globalThis.navigator?.hardwareConcurrency || 1);
  const wanted = requested === 'auto' ? cores : (requested ?? 1);
  if (wanted <= 1) return { replicas: 1 };
  if (backend !== 'wasm' && backend !== 'cpu') {
    return { replicas: 1, note: `${backend} is a GPU backend: it trains in one worker` };
  }
  const script = (globalThis as { location?: { href: string } }).location?.href;
  if (typeof Worker !== 'function' || !script) {
    return { replicas: 1, note: 'this browser cannot start workers inside a worker' };
  }
  return {
    // fit splits each batch between the replicas: at most one per row
    replicas: Math.min(wanted, batchSize),
    workers: {
      count: wanted,
      // this worker's own script (a module worker, as the page starts it), named as a replica
      create: () => new Worker(script, { type: 'module', name: REPLICA_NAME }),
    },
  };
}
