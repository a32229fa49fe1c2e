/**
 * The replicas of data-parallel training, the main thread's side (see parallel.ts): starting them, splitting each
 * batch into shards, adding their gradients, sending the new weights. Installed with a runtime (`@vae/models/node`,
 * `@vae/models/browser`), so apps without workers do not carry it.
 *
 * Without SharedArrayBuffer (a browser page that is not cross-origin isolated) the weights and gradients travel in
 * the messages: each worker gets the weights only when their version is new to it, in a buffer it hands back with
 * its result, and writes its gradients into the buffer it sent the step before (handed back with the next step), so
 * that, as with shared buffers, a step allocates no new weight or gradient arrays.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, batchLabels, type KlSchedule, Random, sha256Hex } from '@vae/core';
import { copyInto } from './buffers';
import { objectiveGradients } from './gradients';
import {
  type ReplicaArtifacts,
  type ReplicaEndpoint,
  type ReplicaGradients,
  WorkerError,
  type WorkerOptions,
  type WorkerRuntime,
} from './parallel';
import type { TrainableModel } from './trainable';

/** How long a worker may take to start by default (`WorkerOptions.startTimeout`). */
const DEFAULT_START_TIMEOUT_MS = 120_000;

/** Seed of shard `k` of a step: the step's own for the first shard (so one worker draws as `fit` without workers). */
export function shardSeed(seed: number, shard: number): number {
  return shard === 0 ? seed : new Random(seed + shard * 7919).nextSeed();
}

/** Splits `rows` into at most `count` contiguous shards, as equal as possible: [start, end) pairs. */
export function shardRanges(rows: number, count: number): Array<[number, number]> {
  const shards = Math.min(count, rows);
  const base = Math.floor(rows / shards);
  const extra = rows % shards;
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let k = 0; k < shards; k++) {
    const end = start + base + (k < extra ? 1 : 0);
    ranges.push([start, end]);
    start = end;
  }
  return ranges;
}

interface Outcome {
  terms: number[];
  gradients: Float32Array | null;
  weightValues: Float32Array | null;
  absent: number[];
}

interface Pending {
  resolve(result: Outcome): void;
  reject(error: Error): void;
}

/** The replicas of one `fit` run: this thread's model (replica 1, shard 1) and n - 1 worker threads. */
export class ReplicaPool implements ReplicaGradients {
  /** Replicas training, this thread's included. */
  get count(): number {
    return this.endpoints.length + 1;
  }
  /** The backend the worker replicas run. */
  readonly backend: string;
  private readonly model: TrainableModel;
  private readonly endpoints: ReplicaEndpoint[];
  private readonly variables: tf.Variable[];
  private readonly offsets: number[];
  private readonly weights: Float32Array;
  private readonly gradientBuffers: Float32Array[];
  private readonly pending = new Map<number, Pending>();
  private readonly shared: boolean;
  private readonly total: number;
  /** Without shared buffers, per worker: the weights version it holds, and the buffers it handed back. */
  private readonly sentVersion: number[];
  private readonly spareWeights: (Float32Array | null)[];
  private readonly spareGradients: (Float32Array | null)[];
  private failure: WorkerError | null = null;
  /** The start timeouts (cleared by close: a pending one would keep the process alive). */
  private readonly startTimers: ReturnType<typeof setTimeout>[] = [];
  private nextId = 0;
  private version = 0;
  // True at first: weights changed after the replicas were built (a callback before the first step, say) reach them.
  private dirty = true;
  private closed = false;

  private constructor(
    model: TrainableModel,
    endpoints: ReplicaEndpoint[],
    variables: tf.Variable[],
    shared: boolean,
    weights: Float32Array,
    gradients: Float32Array[],
    backend: string,
  ) {
    this.model = model;
    this.endpoints = endpoints;
    this.variables = variables;
    this.shared = shared;
    this.weights = weights;
    this.gradientBuffers = gradients;
    this.backend = backend;
    this.offsets = [];
    let offset = 0;
    for (const v of variables) {
      this.offsets.push(offset);
      offset += v.size;
    }
    this.total = offset;
    // (filled per worker as it starts: every replica starts from the weights it was built with, version 0)
    this.sentVersion = [];
    this.spareWeights = [];
    this.spareGradients = [];
  }

  /**
   * Starts the replicas of `model` (its trainable `variables` in the optimizer's order) through `runtime`: n - 1
   * worker threads for n replicas, this thread being the first. Returns null for a single replica (n = 1, or 'auto'
   * on one core: training then runs in this thread alone). Throws a clear error when a worker cannot start; started
   * workers are stopped again.
   */
  static async start(
    runtime: WorkerRuntime,
    model: TrainableModel,
    variables: tf.Variable[],
    requested: WorkerOptions,
    batchSize: number,
  ): Promise<ReplicaPool | null> {
    const cores = runtime.cores();
    const count = Math.min(requested.count === 'auto' ? cores : requested.count, batchSize);
    if (count < 2) return null;
    const backend = requested.backend ?? tf.getBackend();
    const setup = requested.setup === undefined ? runtime.defaultSetup(backend) : String(requested.setup);
    const names = new Map<tf.Variable, string>();
    for (const [name, v] of Object.entries(model.variables)) names.set(v, name);
    const trainable = variables.map((v) => {
      const name = names.get(v);
      if (name === undefined) throw new Error('fit: a trainable variable is missing from model.variables.');
      return name;
    });
    // The saved form (the replica loads it through the registry, as loadModel does).
    const encoded = await tf.io.encodeWeights(model.variables);
    const artifacts: ReplicaArtifacts = {
      className: model.className,
      config: JSON.parse(JSON.stringify(model.config)),
      weightsSha256: await sha256Hex(encoded.data),
      weightSpecs: encoded.specs as tf.io.WeightsManifestEntry[],
      weightData: encoded.data,
      state: model.replicaState ? JSON.parse(JSON.stringify(model.replicaState())) : null,
    };
    const total = variables.reduce((n, v) => n + v.size, 0);
    const shared = runtime.shared && typeof SharedArrayBuffer === 'function';
    const buffer = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    const workers = count - 1;
    const weights = new Float32Array(buffer(total * 4));
    const gradients = Array.from({ length: workers }, () => new Float32Array(buffer(total * 4)));
    const endpoints: ReplicaEndpoint[] = [];
    const pool = new ReplicaPool(model, endpoints, variables, shared, weights, gradients, backend);
    const ready: Promise<void>[] = [];
    try {
      for (let index = 0; index < workers; index++) {
        const endpoint = runtime.start(index, requested);
        endpoints.push(endpoint);
        pool.sentVersion.push(0);
        pool.spareWeights.push(null);
        pool.spareGradients.push(null);
        ready.push(pool.listen(endpoint, index, workers, requested.startTimeout ?? DEFAULT_START_TIMEOUT_MS));
        endpoint.post({
          type: 'init',
          index,
          backend,
          setup,
          artifacts,
          trainable,
          weights: shared ? (weights.buffer as SharedArrayBuffer) : null,
          gradients: shared ? (gradients[index].buffer as SharedArrayBuffer) : null,
        });
      }
      await Promise.all(ready);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Wires one endpoint; resolves when its replica is ready (rejects if it is not within `timeout` ms). */
  private listen(endpoint: ReplicaEndpoint, index: number, workers: number, timeout: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const timer = setTimeout(
        () =>
          fail(
            `it did not start within ${timeout / 1000} s: its setup module, its backend or the model did not ` +
              'finish loading (raise workers.startTimeout for a slow device)',
          ),
        timeout,
      );
      this.startTimers.push(timer);
      const fail = (message: string) => {
        clearTimeout(timer);
        const error = new WorkerError(
          started
            ? `fit: worker ${index + 1} of ${workers} failed: ${message}. Training stopped before ` +
                'applying another step: the model keeps the weights of the last step done, and the last ' +
                'checkpoint, if the run writes them, stays as it was (resume from it).'
            : `fit: worker ${index + 1} could not start: ${message}`,
          index + 1,
        );
        this.failure ??= error;
        if (!started) reject(error);
        for (const p of this.pending.values()) p.reject(this.failure);
        this.pending.clear();
      };
      endpoint.listen({
        message: (message) => {
          if (message.type === 'ready') {
            clearTimeout(timer);
            started = true;
            resolve();
          } else if (message.type === 'result') {
            const p = this.pending.get(message.id);
            if (!p) return;
            const problem = this.checkResult(message);
            if (problem) {
              fail(problem); // rejects every pending step, this one included
              return;
            }
            this.pending.delete(message.id);
            p.resolve(message);
          } else if (message.type === 'error') fail(message.message);
          else fail(`it sent a message of unknown type ${JSON.stringify(String(message?.type))}`);
        },
        failed: (error) => {
          if (!this.closed) fail(error.message);
          else clearTimeout(timer);
        },
      });
    });
  }

  /** Why a worker's result cannot be used (null when it can): what it sends is checked before it is summed. */
  private checkResult(result: Outcome): string | null {
    const terms = result.terms;
    if (!Array.isArray(terms) || terms.length !== 5 || !terms.every((t) => typeof t === 'number')) {
      return 'its result has no 5 loss terms';
    }
    if (this.shared ? result.gradients !== null : !(result.gradients instanceof Float32Array)) {
      return 'its result carries its gradients in the wrong way';
    }
    if (result.gradients && result.gradients.length !== this.total) {
      return `its result has ${result.gradients.length} gradient values for ${this.total} weights`;
    }
    if (result.weightValues !== null && !(result.weightValues instanceof Float32Array)) {
      return 'its result hands back no weight buffer';
    }
    const absent = result.absent;
    if (
      !Array.isArray(absent) ||
      !absent.every((i) => Number.isInteger(i) && i >= 0 && i < this.variables.length)
    ) {
      return 'its result lists variables without gradients wrongly';
    }
    return null;
  }

  /** Call after the optimizer changed the weights: the next step sends them to the replicas first. */
  weightsChanged(): void {
    this.dirty = true;
  }

  /**
   * One step's gradients of the full batch `indices` of `data`: the workers compute theirs on shards 2..n while this
   * thread computes shard 1's, and they are averaged by rows: the batch's loss terms [5] and a gradient per
   * trainable variable (by variable name, as `tf.variableGrads` gives them).
   */
  async gradients(
    data: BatchSource,
    indices: Int32Array,
    context: { seed: number; step: number; klSchedule?: KlSchedule },
  ): Promise<{ terms: tf.Tensor1D; grads: tf.NamedTensorMap }> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('fit: the workers were stopped.');
    if (this.dirty) {
      for (let i = 0; i < this.variables.length; i++) {
        await copyInto(this.variables[i], this.weights, this.offsets[i]);
      }
      this.version += 1;
      this.dirty = false;
    }
    const labels = batchLabels(data, indices);
    const rows = indices.length;
    const shards = shardRanges(rows, this.count);
    // The workers' shards first, so that they compute while this thread computes its own.
    const results: Promise<Outcome>[] = [];
    for (let k = 1; k < shards.length; k++) {
      const [start, end] = shards[k];
      const batch = data.batch(indices.subarray(start, end));
      const shape = batch.shape;
      let values: Float32Array;
      try {
        values = (await batch.data()) as Float32Array;
      } finally {
        batch.dispose();
      }
      // Only wasm's data() is a copy of its own: the cpu backend hands out the array it keeps (which another tensor
      // may share), webgl and tfjs-node may hand back the very array a source's tensor was made from, and a view
      // shares its buffer. Those are copied before their buffer is transferred.
      const owned = tf.getBackend() === 'wasm' && values.byteLength === values.buffer.byteLength;
      const x = owned ? values : values.slice();
      const shardLabels = labels ? Int32Array.from(Array.prototype.slice.call(labels, start, end)) : null;
      const w = k - 1;
      let weightValues: Float32Array | null = null;
      let gradientBuffer: Float32Array | null = null;
      if (!this.shared) {
        if (this.sentVersion[w] !== this.version) {
          weightValues = this.spareWeights[w] ?? new Float32Array(this.total);
          this.spareWeights[w] = null;
          weightValues.set(this.weights);
          this.sentVersion[w] = this.version;
        }
        gradientBuffer = this.spareGradients[w];
        this.spareGradients[w] = null;
      }
      const id = this.nextId++;
      const transfer = [x.buffer as ArrayBuffer];
      if (shardLabels) transfer.push(shardLabels.buffer as ArrayBuffer);
      if (weightValues) transfer.push(weightValues.buffer as ArrayBuffer);
      if (gradientBuffer) transfer.push(gradientBuffer.buffer as ArrayBuffer);
      const result = new Promise<Outcome>((resolve, reject) => {
        // a worker that failed (or a close) while this step gathered its shards gets no new request
        if (this.failure || this.closed) {
          reject(this.failure ?? new Error('fit: the workers were stopped.'));
          return;
        }
        this.pending.set(id, { resolve, reject });
        this.endpoints[w].post(
          {
            type: 'step',
            id,
            gradients: gradientBuffer,
            x,
            shape,
            labels: shardLabels,
            seed: shardSeed(context.seed, k),
            step: context.step,
            klSchedule: context.klSchedule,
            weight: (end - start) / rows,
            weightsVersion: this.version,
            weightValues,
          },
          transfer,
        );
      });
      // Handled at once: if a later shard's gathering throws, fit's close() rejects this one with nobody awaiting it.
      result.catch(() => {});
      results.push(result);
    }
    // A failing worker rejects at once; this thread still finishes its shard before it sees that.
    const settled = Promise.all(results);
    settled.catch(() => {});
    const [start, end] = shards[0];
    const weight = (end - start) / rows;
    const own = tf.tidy(() => {
      const x = data.batch(indices.subarray(start, end));
      const ownLabels = labels
        ? tf.tensor1d(Array.prototype.slice.call(labels, start, end), 'int32')
        : undefined;
      const result = objectiveGradients(
        this.model,
        this.variables,
        x,
        {
          seed: shardSeed(context.seed, 0),
          step: context.step,
          klSchedule: context.klSchedule,
          labels: ownLabels,
          training: true,
        },
        weight,
      );
      const terms = tf.mul(result.terms, weight) as tf.Tensor1D;
      result.terms.dispose(); // kept by objectiveGradients past its gradient scope
      return { terms, grads: result.grads };
    });
    let outcomes: Outcome[];
    try {
      outcomes = await settled;
    } catch (error) {
      own.terms.dispose();
      tf.dispose(Object.values(own.grads));
      throw error;
    }
    // The rows-weighted mean of the shards' mean gradients (each worker scaled its own), summed by the backend in
    // shard order: the same on every run.
    const others = [0, 0, 0, 0, 0];
    outcomes.forEach((outcome, k) => {
      const share = (shards[k + 1][1] - shards[k + 1][0]) / rows;
      for (let t = 0; t < 5; t++) others[t] += share * outcome.terms[t];
    });
    const grads: tf.NamedTensorMap = {};
    let terms: tf.Tensor1D;
    try {
      this.variables.forEach((v, i) => {
        const mine = own.grads[v.name];
        // As without workers: a variable the objective does not reach on any shard gets no gradient (the optimizer
        // leaves it and its state alone), not zeros.
        if (!mine && outcomes.every((outcome) => outcome.absent.includes(i))) return;
        const [from, to] = [this.offsets[i], this.offsets[i] + v.size];
        grads[v.name] = tf.tidy(() => {
          const parts = [
            mine ?? tf.zeros(v.shape), // already this shard's share (objectiveGradients' scale)
            // Views, not copies (a copy per step is megabytes of garbage, and its collections cost more than the
            // copy): every backend has read them by the end of addN, before the next step overwrites the buffers.
            ...outcomes.map((outcome, k) =>
              tf.tensor(
                (outcome.gradients ?? this.gradientBuffers[k]).subarray(from, to),
                v.shape,
                'float32',
              ),
            ),
          ];
          return tf.addN(parts);
        });
      });
      terms = tf.tidy(() => tf.add(own.terms, tf.tensor1d(others)) as tf.Tensor1D);
    } catch (error) {
      tf.dispose(Object.values(grads));
      throw error;
    } finally {
      own.terms.dispose();
      tf.dispose(Object.values(own.grads));
    }
    // Without shared buffers: the workers' buffers go back to them with their next step (addN has read them).
    outcomes.forEach((outcome, k) => {
      if (outcome.gradients) this.spareGradients[k] = outcome.gradients;
      if (outcome.weightValues) this.spareWeights[k] = outcome.weightValues;
    });
    return { terms, grads };
  }

  /** Stops every worker (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.startTimers) clearTimeout(timer);
    for (const p of this.pending.values()) p.reject(new Error('fit: the workers were stopped.'));
    this.pending.clear();
    await Promise.all(this.endpoints.map((e) => e.terminate().catch(() => {})));
  }
}
