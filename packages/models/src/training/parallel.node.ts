/**
 * Node's runtime for data-parallel training: worker_threads, SharedArrayBuffer, and the backend's own package as each
 * worker's default setup module. Installed by `@vae/models/node`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type FromReplica,
  type ReplicaEndpoint,
  registerWorkerRuntime,
  type ToReplica,
  type WorkerOptions,
  type WorkerRuntime,
} from './parallel';
import { ReplicaPool } from './pool';

/** The package that registers each tfjs backend a worker can run. */
const BACKEND_PACKAGES: Record<string, string> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  tensorflow: '@tensorflow/tfjs-node',
};

/** The app's view of the packages: from the working directory, then from the main script's folder. */
function resolveFromApp(specifier: string): string | null {
  const bases = [join(process.cwd(), 'package.json')];
  if (process.argv[1]) bases.push(process.argv[1]);
  for (const base of bases) {
    try {
      return createRequire(base).resolve(specifier);
    } catch {}
  }
  return null;
}

/** An absolute path, a file URL or a package name as a URL the worker can import. */
function moduleUrl(specifier: string): string {
  if (specifier.startsWith('file:') || specifier.startsWith('data:')) return specifier;
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  const resolved = resolveFromApp(specifier);
  if (!resolved) {
    throw new Error(
      `fit: the workers' setup module '${specifier}' was not found from ${process.cwd()}; pass an absolute path ` +
        'or a file URL as workers.setup.',
    );
  }
  return pathToFileURL(resolved).href;
}

/** The worker entry the build ships in dist/training (the ESM one, whichever build starts it). */
function defaultScript(): URL {
  // CommonJS has __filename; ES modules import.meta.url (undefined in tsup's CommonJS output).
  const here = dirname(typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url));
  const candidates = [join(here, 'training', 'fit-worker.node.js'), join(here, 'fit-worker.node.js')];
  const path = candidates.find((candidate) => existsSync(candidate)) ?? candidates[0];
  if (!existsSync(path)) {
    throw new Error(
      `fit: the worker entry ${path} is missing; build @vae/models, or pass workers.script (the built ` +
        'fit-worker.node.js of @vae/models).',
    );
  }
  return pathToFileURL(path);
}

/** Exported for tests (the transferable-buffer path runs on it with `shared: false`); not public API. */
export const nodeWorkerRuntime: WorkerRuntime = {
  shared: true,
  cores: () => availableParallelism(),
  defaultSetup(backend) {
    const name = BACKEND_PACKAGES[backend];
    if (!name) {
      throw new Error(
        `fit: the workers cannot load the '${backend}' backend by themselves; pass workers.setup, a module that ` +
          'registers it (or workers.backend: cpu, wasm or tensorflow).',
      );
    }
    const resolved = resolveFromApp(name);
    if (!resolved) {
      throw new Error(
        `fit: the workers need ${name} for the '${backend}' backend, and it was not found from ` +
          `${process.cwd()}; install it, or pass workers.setup (a module that registers the backend).`,
      );
    }
    return pathToFileURL(resolved).href;
  },
  start(index: number, options: WorkerOptions): ReplicaEndpoint {
    if (options.create) {
      throw new Error(
        'fit: workers.create starts Web Workers (browsers, with @vae/models/browser); in Node fit starts its ' +
          'worker threads itself: drop create (workers.script names another entry module).',
      );
    }
    const script = options.script === undefined ? defaultScript() : options.script;
    const worker = new Worker(
      typeof script === 'string' && !script.startsWith('file:') ? script : new URL(String(script)),
      { name: `vae-fit-${index + 1}` },
    );
    let terminating = false;
    return {
      post(message: ToReplica, transfer: ArrayBuffer[] = []) {
        const setup = message.type === 'init' && message.setup ? moduleUrl(message.setup) : null;
        worker.postMessage(message.type === 'init' ? { ...message, setup } : message, transfer);
      },
      listen(handlers) {
        worker.on('message', (message: FromReplica) => handlers.message(message));
        worker.on('error', (error) => handlers.failed(error));
        worker.on('messageerror', (error) => handlers.failed(error));
        worker.on('exit', (code) => {
          if (!terminating) handlers.failed(new Error(`the worker thread exited (code ${code})`));
        });
      },
      async terminate() {
        terminating = true;
        await worker.terminate();
      },
    };
  },
  open: (model, variables, requested, batchSize) =>
    ReplicaPool.start(nodeWorkerRuntime, model, variables, requested, batchSize),
};
registerWorkerRuntime(nodeWorkerRuntime);
