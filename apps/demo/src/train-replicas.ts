/**
 * The Train view's data-parallel training: `fit`'s `workers` run replicas of the model in Web Workers nested in the
 * training worker (train-replica.worker.ts), with buffers shared on a cross-origin isolated page and transferred
 * elsewhere (static hosts such as GitHub Pages). Only on the CPU backends (wasm, cpu): a GPU backend is one device
 * whichever thread drives it, so it trains in the training worker alone.
 */
import '@vae/models/browser';
import type { WorkerOptions } from '@vae/models';
import { MAX_AUTO_REPLICAS } from '@vae/models/browser';

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
  if (typeof Worker !== 'function') {
    return { replicas: 1, note: 'this browser cannot start workers inside a worker' };
  }
  return {
    // fit splits each batch between the replicas: at most one per row
    replicas: Math.min(wanted, batchSize),
    workers: {
      count: wanted,
      // (static options: the bundler reads them)
      create: () =>
        new Worker(new URL('./train-replica.worker.ts', import.meta.url), {
          type: 'module',
          name: 'vae-train-replica',
        }),
    },
  };
}
