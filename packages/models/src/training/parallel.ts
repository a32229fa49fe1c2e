/**
 * Data-parallel training on one machine, the main thread's side. `fit(..., { workers: n })` trains n replicas of the
 * model: the model itself in this thread, and n - 1 copies in worker threads, each on its own tfjs backend, rebuilt
 * from the model's class name, config and weights (the saving code). Every step the main thread splits the batch's
 * rows into n contiguous shards, posts shards 2..n to the workers and computes shard 1's gradients itself meanwhile
 * (a coordinator that only waited would leave a core idle); each replica's gradient is the mean over its rows scaled
 * by its share of them, so their sum is the full batch's mean up to float summation order, and `fit`'s own loop
 * clips, checks and applies it with its optimizer. Before the next step the new weights go to the workers. The
 * optimizer, checkpoints, early stopping, validation and callbacks stay on the main thread, in the one training loop.
 *
 * Buffers: a SharedArrayBuffer for the weights (written once per step, read by every worker) and one per worker for
 * its gradients, where the runtime has them; otherwise the buffers travel in the messages, transferred (never
 * copied) and handed back, so that a step allocates no new ones. The runtime itself is registered by
 * `@vae/models/node` (Node's worker_threads) or `@vae/models/browser` (Web Workers).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BatchSource, KlSchedule } from '@vae/core';
import type { TrainableModel } from './trainable';

/** Where and how `fit` runs its data-parallel replicas (`FitOptions.workers`). */
export interface WorkerOptions {
  /**
   * How many replicas train in parallel, this thread's included (n - 1 worker threads): a positive integer, or 'auto'
   * for one per core the runtime reports (Node: `availableParallelism()`; browsers: `navigator.hardwareConcurrency`,
   * at most 8). 1 trains in this thread alone.
   */
  count: number | 'auto';
  /**
   * Browsers (`@vae/models/browser`): starts the Web Worker of worker replica `index` (0-based), a module of the
   * app that registers the backend and calls `serveFitWorker({ models })` of `@vae/models/fit-worker`:
   * `create: () => new Worker(new URL('./fit.worker.js', import.meta.url), { type: 'module' })` (bundlers find
   * a worker only written so, in the app). Required there; Node starts its worker threads itself (`script`).
   */
  create?: (index: number) => WebWorkerLike;
  /**
   * The tfjs backend the workers run (their own instance of it). Default: the main thread's backend name,
   * `tf.getBackend()`. The library never picks one.
   */
  backend?: string;
  /**
   * Node: a module each worker imports before training to register (and configure) that backend: an absolute path, a
   * `file:` URL, or a package name resolved from the working directory. Default: the backend's own package
   * (`@tensorflow/tfjs-backend-cpu`, `-wasm`, `@tensorflow/tfjs-node` for 'tensorflow') as the app resolves it.
   * Browsers: none by default (the worker module of `create` registers the backend); a URL here is imported first.
   */
  setup?: string | URL;
  /**
   * Node: the worker's entry module. Default: the one shipped beside `@vae/models/node` (for bundlers that move it).
   * Browsers use `create` instead.
   */
  script?: string | URL;
  /**
   * Milliseconds a worker may take to start (load its setup module and backend, rebuild the model) before `fit`
   * gives up with an error naming it, instead of waiting forever. Default 120 000.
   */
  startTimeout?: number;
}

/** What `WorkerOptions.create` returns: a Web Worker (the DOM's `Worker`), or anything with its three methods. */
export interface WebWorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message' | 'error' | 'messageerror', listener: (event: Event) => void): void;
  terminate(): void;
}

/** What a replica is rebuilt from: the model's class name and config (as saved), and its encoded weights. */
export interface ReplicaArtifacts {
  className: string;
  config: unknown;
  /** SHA-256 (hex) of `weightData`, which loading verifies as for a saved model. */
  weightsSha256: string;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
  /** `model.replicaState()`: what the objective reads beyond config and weights (null: nothing). */
  state: unknown;
}

/** Messages from the main thread to a replica. */
export type ToReplica =
  | {
      type: 'init';
      index: number;
      backend: string;
      setup: string | null;
      artifacts: ReplicaArtifacts;
      /** Names of the trainable variables, in the order of the flat weight and gradient buffers. */
      trainable: string[];
      /** Shared buffers, when the runtime has SharedArrayBuffer (else weights and gradients travel in messages). */
      weights: SharedArrayBuffer | null;
      gradients: SharedArrayBuffer | null;
    }
  | {
      type: 'step';
      id: number;
      /**
       * Without shared buffers: the buffer this replica's gradients came in last step, handed back to be written
       * again (null the first time: the replica makes one).
       */
      gradients: Float32Array | null;
      /** The shard's rows, flattened, and its shape [rows, ...item]. */
      x: Float32Array;
      shape: number[];
      labels: Int32Array | null;
      seed: number;
      step: number;
      klSchedule?: KlSchedule;
      /** The shard's share of the batch's rows: the replica returns its mean gradient scaled by it. */
      weight: number;
      /** The version of the weights to train from; they are read from the shared buffer or from `weightValues`. */
      weightsVersion: number;
      /** Without shared buffers: the weights, when their version is new to this replica (else null). */
      weightValues: Float32Array | null;
    };

/** Messages from a replica. */
export type FromReplica =
  /** Web Workers: the entry listens now (the runtime holds its messages until then: none are lost). */
  | { type: 'listening' }
  | { type: 'ready'; backend: string }
  | {
      type: 'result';
      id: number;
      terms: number[];
      /** Without shared buffers: the gradients (in the buffer the step handed over, if any). */
      gradients: Float32Array | null;
      /** Without shared buffers: the step's `weightValues` handed back, to carry the next version. */
      weightValues: Float32Array | null;
      /** Indices (in `trainable`) of the variables the shard's objective did not reach: no gradient (zeros sent). */
      absent: number[];
    }
  | { type: 'error'; message: string };

/** A worker as the pool sees it: the runtime's worker behind three calls. */
export interface ReplicaEndpoint {
  post(message: ToReplica, transfer?: ArrayBuffer[]): void;
  /** `failed` receives a crash: an uncaught error, or the worker's exit. */
  listen(handlers: { message(message: FromReplica): void; failed(error: Error): void }): void;
  terminate(): Promise<void>;
}

/** What a runtime (Node's worker_threads, browsers' Web Workers) supplies. */
export interface WorkerRuntime {
  /** True when SharedArrayBuffer can be handed to workers. */
  readonly shared: boolean;
  /** Replicas for `count: 'auto'` (the cores available). */
  cores(): number;
  /** The module that registers `backend` in a worker when the caller named none (null: the worker has it built in). */
  defaultSetup(backend: string): string | null;
  /** Starts worker thread `index` (0-based). */
  start(index: number, options: WorkerOptions): ReplicaEndpoint;
  /** Starts the replicas of a `fit` run (null: run in this thread alone, e.g. one replica, or 'auto' on one core). */
  open(
    model: TrainableModel,
    variables: tf.Variable[],
    requested: WorkerOptions,
    batchSize: number,
  ): Promise<ReplicaGradients | null>;
}

/** What `fit`'s loop needs from the replicas of a run. */
export interface ReplicaGradients {
  /** Replicas training, this thread's included. */
  readonly count: number;
  /**
   * One step's gradients of the batch `indices` of `data`, computed by the replicas (this thread's included) on their
   * shards and averaged by rows: the batch's loss terms [5] and a gradient per trainable variable (by variable name).
   */
  gradients(
    data: BatchSource,
    indices: Int32Array,
    context: { seed: number; step: number; klSchedule?: KlSchedule },
  ): Promise<{ terms: tf.Tensor1D; grads: tf.NamedTensorMap }>;
  /** Call after the optimizer changed the weights: the next step sends them to the replicas first. */
  weightsChanged(): void;
  /** Stops every worker (idempotent). */
  close(): Promise<void>;
}

let runtime: WorkerRuntime | null = null;

/**
 * Installs the runtime that starts workers (`@vae/models/node` installs worker_threads, `@vae/models/browser` Web
 * Workers).
 */
export function registerWorkerRuntime(workerRuntime: WorkerRuntime): void {
  runtime = workerRuntime;
}

/** Thrown when a worker of data-parallel training fails; training stops before applying that step. */
export class WorkerError extends Error {
  /** 1-based index of the worker thread. */
  readonly worker: number;

  constructor(message: string, worker: number) {
    super(message);
    this.name = 'WorkerError';
    this.worker = worker;
  }
}

/** Normalizes `FitOptions.workers` (throws on a bad value). */
export function workerOptions(workers: number | 'auto' | WorkerOptions): WorkerOptions {
  const options = typeof workers === 'object' && workers !== null ? workers : { count: workers };
  const count = options.count;
  if (count !== 'auto' && (!Number.isInteger(count) || count < 1)) {
    throw new Error(`fit: workers must be a positive integer or 'auto', got ${JSON.stringify(count)}.`);
  }
  const timeout = options.startTimeout;
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && timeout <= 2 ** 31 - 1)) {
    throw new Error(
      `fit: workers.startTimeout must be a number of milliseconds above 0, got ${JSON.stringify(timeout)}.`,
    );
  }
  if (options.create !== undefined && typeof options.create !== 'function') {
    throw new Error(
      'fit: workers.create must be a function that starts a Web Worker, e.g. () => new Worker(new URL(' +
        "'./fit.worker.js', import.meta.url), { type: 'module' }).",
    );
  }
  return options;
}

/** Starts the replicas of a `fit` run through the installed runtime (a clear error when there is none). */
export function startReplicas(
  model: TrainableModel,
  variables: tf.Variable[],
  requested: WorkerOptions,
  batchSize: number,
): Promise<ReplicaGradients | null> {
  if (!runtime) {
    throw new Error(
      'fit: workers need a worker runtime. In Node, load @vae/models/node once (it adds worker_threads); ' +
        'in a browser, load @vae/models/browser once (it adds Web Workers) and pass workers.create, a function ' +
        'that starts your worker module (see serveFitWorker of @vae/models/fit-worker).',
    );
  }
  return runtime.open(model, variables, requested, batchSize);
}
