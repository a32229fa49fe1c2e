/**
 * Data-parallel training, a worker's side: a replica of the model rebuilt from its saved form (class name, config,
 * weights, through the registry), on the backend the main thread names. Per step it takes the weights of the
 * current version, computes the gradients of its shard (`objectiveGradients`, as `fit` does) and hands them back.
 * The runtime (worker_threads, Web Workers) supplies the message port and the way to import the setup module.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWeights } from '../set-weights';
import { copyInto } from './buffers';
import { objectiveGradients } from './gradients';
import type { FromReplica, ReplicaArtifacts, ToReplica } from './parallel';
import type { TrainableModel } from './trainable';

/** A replica's model, as `rebuild` makes it. */
export type ReplicaModel = TrainableModel & { dispose(): void };

/** Rebuilds the calling thread's model in a worker from its class name, config and weights. */
export type RebuildReplica = (artifacts: ReplicaArtifacts) => Promise<ReplicaModel>;

/**
 * A `RebuildReplica` from a list of model classes (no registry, so a browser worker bundles only those): the class of
 * that name, built from the config, then given the weights (they come from the calling thread's own model).
 */
export function rebuildFromClasses(
  models: ReadonlyArray<{ readonly className: string; new (config: never): unknown }>,
): RebuildReplica {
  return async (artifacts) => {
    const ModelClass = models.find((m) => m.className === artifacts.className);
    if (!ModelClass) {
      throw new Error(
        `this worker cannot rebuild a ${artifacts.className}: pass its class to serveFitWorker({ models: [...] }) ` +
          `(it has ${models.map((m) => m.className).join(', ') || 'none'}).`,
      );
    }
    const model = new ModelClass(artifacts.config as never) as ReplicaModel;
    const weights = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
    try {
      setWeights(model, weights);
    } catch (error) {
      model.dispose();
      throw error;
    } finally {
      tf.dispose(Object.values(weights));
    }
    return model;
  };
}

export interface ReplicaPort {
  post(message: FromReplica, transfer?: ArrayBuffer[]): void;
  onMessage(handler: (message: ToReplica) => void): void;
}

/**
 * Serves one replica on `port`; `importModule` loads the setup module that registers the backend, `prepare` (when
 * given) runs after it, with the backend's name, before the backend is started, and `rebuild` makes the model.
 */
export function serveReplica(
  port: ReplicaPort,
  importModule: (specifier: string) => Promise<unknown>,
  rebuild: RebuildReplica,
  prepare?: (backend: string) => unknown,
): void {
  let model: ReplicaModel | null = null;
  let variables: tf.Variable[] = [];
  let shared: { weights: Float32Array; gradients: Float32Array } | null = null;
  let version = 0;
  const offsets: number[] = [];
  let total = 0;
  // Messages are handled one at a time, in order.
  let queue: Promise<void> = Promise.resolve();

  const init = async (message: Extract<ToReplica, { type: 'init' }>) => {
    if (message.setup) await importModule(message.setup);
    if (prepare) await prepare(message.backend);
    let ok = false;
    try {
      ok = await tf.setBackend(message.backend);
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new Error(
        `the '${message.backend}' backend did not start in the worker (registered: ` +
          `${Object.keys(tf.engine().registryFactory).join(', ') || 'none'}); pass workers.setup, a module that ` +
          'registers it, or workers.backend.',
      );
    }
    await tf.ready();
    model = await rebuild(message.artifacts);
    if (message.artifacts.state !== null && message.artifacts.state !== undefined) {
      if (!model.restoreReplicaState) {
        throw new Error(`the replica's ${model.className} cannot take the training state its caller sent.`);
      }
      model.restoreReplicaState(message.artifacts.state);
    }
    variables = message.trainable.map((name) => {
      const v = model?.variables[name];
      if (!v) throw new Error(`the replica has no variable '${name}'.`);
      offsets.push(total);
      total += v.size;
      return v;
    });
    if (message.weights && message.gradients) {
      shared = { weights: new Float32Array(message.weights), gradients: new Float32Array(message.gradients) };
    }
    port.post({ type: 'ready', backend: tf.getBackend() });
  };

  const step = async (message: Extract<ToReplica, { type: 'step' }>) => {
    if (!model) throw new Error('a step arrived before the replica was ready.');
    if (message.weightsVersion !== version) {
      const source = message.weightValues ?? shared?.weights;
      if (!source) throw new Error('new weights were announced but none arrived.');
      // wasm copies a new tensor's values into its memory at once: a view of the buffer is enough there. Elsewhere
      // (cpu keeps the array it is given) the variable gets its own copy.
      const view = tf.getBackend() === 'wasm';
      tf.tidy(() => {
        variables.forEach((v, i) => {
          const values = view
            ? source.subarray(offsets[i], offsets[i] + v.size)
            : source.slice(offsets[i], offsets[i] + v.size);
          v.assign(tf.tensor(values, v.shape, 'float32'));
        });
      });
      version = message.weightsVersion;
    }
    const trained = model;
    const { terms, grads } = tf.tidy(() => {
      const x = tf.tensor(message.x, message.shape, 'float32');
      const labels = message.labels ? tf.tensor1d(message.labels, 'int32') : undefined;
      // this shard's share of the batch mean, scaled here (in parallel) so the main thread only adds
      return objectiveGradients(
        trained,
        variables,
        x,
        { seed: message.seed, step: message.step, klSchedule: message.klSchedule, labels, training: true },
        message.weight,
      );
    });
    try {
      // without shared buffers: the buffer handed back from the step before, once there is one
      const out = shared
        ? shared.gradients
        : message.gradients?.length === total
          ? message.gradients
          : new Float32Array(total);
      const absent: number[] = [];
      for (let i = 0; i < variables.length; i++) {
        const g = grads[variables[i].name];
        if (g) await copyInto(g, out, offsets[i]);
        else {
          out.fill(0, offsets[i], offsets[i] + variables[i].size);
          absent.push(i);
        }
      }
      const values = Array.from(await terms.data());
      // The weights it came with go back too (taken into the variables above), to carry a later version.
      const weightValues = message.weightValues;
      const transfer = shared ? [] : [out.buffer as ArrayBuffer];
      if (weightValues) transfer.push(weightValues.buffer as ArrayBuffer);
      port.post(
        {
          type: 'result',
          id: message.id,
          terms: values,
          gradients: shared ? null : out,
          weightValues,
          absent,
        },
        transfer,
      );
    } finally {
      terms.dispose();
      tf.dispose(Object.values(grads));
    }
  };

  port.onMessage((message) => {
    queue = queue
      .then(() => (message.type === 'init' ? init(message) : step(message)))
      .catch((error: unknown) => {
        port.post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      });
  });
}
