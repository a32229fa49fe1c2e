/**
 * The replicas of data-parallel training, the main thread's side (see parallel.ts): starting them, splitting each
 * batch into shards, adding their gradients, sending the new weights. Installed with a runtime (`@vae/models/node`),
 * so apps without workers do not carry it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, batchLabels, type KlSchedule, Random, sha256Hex } from '@vae/core';
import {
  type ReplicaArtifacts,
  type ReplicaEndpoint,
  type ReplicaGradients,
  WorkerError,
  type WorkerOptions,
  type WorkerRuntime,
} from './parallel';
import type { TrainableModel } from './trainable';

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

interface Pending {
  resolve(result: { terms: number[]; gradients: Float32Array | null }): void;
  reject(error: Error): void;
}

/** The replicas of one `fit` run. */
export class ReplicaPool implements ReplicaGradients {
  /** Replicas running. */
  get count(): number {
    return this.endpoints.length;
  }
  /** The backend the replicas run. */
  readonly backend: string;
  private readonly endpoints: ReplicaEndpoint[];
  private readonly variables: tf.Variable[];
  private readonly offsets: number[];
  private readonly weights: Float32Array;
  private readonly gradientBuffers: Float32Array[];
  private readonly pending = new Map<number, Pending>();
  private readonly shared: boolean;
  private failure: WorkerError | null = null;
  private nextId = 0;
  private version = 0;
  private dirty = false;
  private closed = false;

  private constructor(
    endpoints: ReplicaEndpoint[],
    variables: tf.Variable[],
    shared: boolean,
    weights: Float32Array,
    gradients: Float32Array[],
    backend: string,
  ) {
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
  }

  /**
   * Starts the replicas of `model` (its trainable `variables` in the optimizer's order) through `runtime`. Returns
   * null when 'auto' finds a single core (training then runs in this thread). Throws a clear error when a worker
   * cannot start; started workers are stopped again.
   */
  static async start(
    runtime: WorkerRuntime,
    model: TrainableModel,
    variables: tf.Variable[],
    requested: WorkerOptions,
    batchSize: number,
  ): Promise<ReplicaPool | null> {
    const cores = runtime.cores();
    let count = requested.count === 'auto' ? cores : requested.count;
    if (requested.count === 'auto' && count < 2) return null;
    count = Math.min(count, batchSize);
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
    };
    const total = variables.reduce((n, v) => n + v.size, 0);
    const shared = runtime.shared && typeof SharedArrayBuffer === 'function';
    const buffer = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    const weights = new Float32Array(buffer(total * 4));
    const gradients = Array.from({ length: count }, () => new Float32Array(buffer(total * 4)));
    const endpoints: ReplicaEndpoint[] = [];
    const workerRuntime = runtime;
    const pool = new ReplicaPool(endpoints, variables, shared, weights, gradients, backend);
    const ready: Promise<void>[] = [];
    try {
      for (let index = 0; index < count; index++) {
        const endpoint = workerRuntime.start(index, requested);
        endpoints.push(endpoint);
        ready.push(pool.listen(endpoint, index));
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

  /** Wires one endpoint; resolves when its replica is ready. */
  private listen(endpoint: ReplicaEndpoint, index: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const fail = (message: string) => {
        const error = new WorkerError(
          started
            ? `fit: worker ${index + 1} of ${this.endpoints.length} failed: ${message}. Training stopped before ` +
                'applying the step: the model keeps the weights of the last step done, and the last checkpoint ' +
                'stays as it was (resume from it).'
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
            started = true;
            resolve();
          } else if (message.type === 'result') {
            const p = this.pending.get(message.id);
            this.pending.delete(message.id);
            p?.resolve(message);
          } else if (message.type === 'error') fail(message.message);
        },
        failed: (error) => {
          if (!this.closed) fail(error.message);
        },
      });
    });
  }

  /** Call after the optimizer changed the weights: the next step sends them to the replicas first. */
  weightsChanged(): void {
    this.dirty = true;
  }

  /**
   * One step's gradients of the full batch `indices` of `data`, computed by the replicas on their shards and
   * averaged by rows: the batch's loss terms [5] and a gradient per trainable variable (by variable name, as `tf.variableGrads` gives them).
   */
  async gradients(
    data: BatchSource,
    indices: Int32Array,
    context: { seed: number; step: number; klSchedule?: KlSchedule },
  ): Promise<{ terms: tf.Tensor1D; grads: tf.NamedTensorMap }> {
    if (this.failure) throw this.failure;
    if (this.dirty) {
      for (let i = 0; i < this.variables.length; i++) {
        this.weights.set(await this.variables[i].data<'float32'>(), this.offsets[i]);
      }
      this.version += 1;
      this.dirty = false;
    }
    const batch = data.batch(indices);
    const shape = batch.shape;
    const values = (await batch.data()) as Float32Array;
    batch.dispose();
    const labels = batchLabels(data, indices);
    const rows = indices.length;
    const rowSize = values.length / rows;
    const shards = shardRanges(rows, this.count);
    const results = shards.map(([start, end], k) => {
      const x = values.slice(start * rowSize, end * rowSize);
      const shardLabels = labels ? Int32Array.from(Array.prototype.slice.call(labels, start, end)) : null;
      const weightValues = this.shared ? null : this.weights.slice();
      const id = this.nextId++;
      const transfer = [x.buffer as ArrayBuffer];
      if (shardLabels) transfer.push(shardLabels.buffer as ArrayBuffer);
      if (weightValues) transfer.push(weightValues.buffer as ArrayBuffer);
      return new Promise<{ terms: number[]; gradients: Float32Array | null }>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.endpoints[k].post(
          {
            type: 'step',
            id,
            x,
            shape: [end - start, ...shape.slice(1)],
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
    });
    const outcomes = await Promise.all(results);
    // The rows-weighted mean of the shards' mean gradients (each replica scaled its own), summed by the backend in
    // shard order: the same on every run.
    const terms = [0, 0, 0, 0, 0];
    outcomes.forEach((outcome, k) => {
      const weight = (shards[k][1] - shards[k][0]) / rows;
      for (let t = 0; t < 5; t++) terms[t] += weight * outcome.terms[t];
    });
    const grads: tf.NamedTensorMap = {};
    this.variables.forEach((v, i) => {
      const [from, to] = [this.offsets[i], this.offsets[i] + v.size];
      grads[v.name] = tf.tidy(() => {
        const parts = outcomes.map((outcome, k) =>
          // a copy: the shared buffers are overwritten by the next step
          tf.tensor((outcome.gradients ?? this.gradientBuffers[k]).slice(from, to), v.shape, 'float32'),
        );
        return parts.length === 1 ? parts[0] : tf.addN(parts);
      });
    });
    return { terms: tf.tensor1d(terms), grads };
  }

  /** Stops every worker (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error('fit: the workers were stopped.'));
    this.pending.clear();
    await Promise.all(this.endpoints.map((e) => e.terminate().catch(() => {})));
  }
}
