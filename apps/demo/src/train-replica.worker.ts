/**
 * A replica of the Train view's data-parallel training (train-replicas.ts): a Web Worker started by `fit` in the
 * training worker. It starts the backend the training worker runs, as every thread of the demo does (backends.ts:
 * for wasm, the site's own .wasm files), and serves the replica (`serveFitWorker` of @vae/models).
 */
import { serveFitWorker } from '@vae/models/fit-worker';
import { isBackendName, startBackend } from './backends';

serveFitWorker({
  async prepareBackend(name) {
    if (!isBackendName(name)) throw new Error(`the demo cannot start the '${name}' backend in a replica.`);
    await startBackend(name);
  },
});
