/**
 * Checkpoints: a saved model plus what training needs to resume exactly where it stopped: the optimizer's state
 * (e.g. Adam's moments, through `optimizer.getWeights()` / `setWeights()`), the epoch and the batch within it, the
 * step, the KL schedule, the random state of shuffling and noise (`Random.getState()`), the epoch history and the
 * early-stopping state. Written through any tfjs IO handler (IndexedDB, downloads, http, or `checkpointDirectory`
 * from `@vae/models/node`), in the tfjs model.json layout with format 'vae-checkpoint'.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KlSchedule, LossTerms } from '@vae/core';

export const CHECKPOINT_FORMAT = 'vae-checkpoint';

/** A tensor with a name, as optimizers' `getWeights()` returns them. */
export type NamedTensor = { name: string; tensor: tf.Tensor };
export const CHECKPOINT_FORMAT_VERSION = 1;

/** Loss terms of one epoch (see `LossTerms`), with its timing. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Loss terms averaged over the epoch's training batches (nats per example). */
  train: LossTerms;
  /** Loss terms on the validation data, when given. */
  validation?: LossTerms;
  /** Wall-clock seconds of the epoch's training steps (without validation). */
  seconds: number;
  /** Training throughput. */
  examplesPerSecond: number;
  /** Optimizer updates done by the end of the epoch. */
  step: number;
  /** True for an epoch cut short by the abort signal (its terms cover the batches done). */
  partial?: boolean;
}

/** Where training stands, as plain JSON. */
export interface TrainingState {
  /** The epoch to run next (1-based). */
  epoch: number;
  /** Batches of that epoch already done (0 at an epoch boundary). */
  batch: number;
  /** Optimizer updates done so far. */
  step: number;
  /** State of the shuffling and noise generator at the start of `epoch`, before its shuffle. */
  randomState: number;
  /** Sums of the loss terms over the done batches of `epoch` and the examples they held (resuming mid-epoch). */
  partial: { sums: number[]; seen: number; seconds: number };
  batchSize: number;
  shuffle: boolean;
  klSchedule?: KlSchedule;
  history: EpochRecord[];
  earlyStopping?: { best: number; bestEpoch: number; wait: number };
}

/** A checkpoint in memory. `dispose()` releases its tensors. */
export interface Checkpoint {
  className: string;
  config: unknown;
  state: TrainingState;
  /** The optimizer's class (tfjs serialization name), config and weights, in `getWeights()` order. */
  optimizer?: { className: string; config: tf.serialization.ConfigDict; weights: NamedTensor[] };
  /** Weights of the best epoch so far (early stopping with restoreBestWeights). */
  bestWeights?: tf.NamedTensorMap;
  dispose(): void;
}

interface CheckpointDescription {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: number;
  className: string;
  config: unknown;
  training: TrainingState;
  optimizer: { className: string; config: tf.serialization.ConfigDict; weights: number } | null;
}

const OPTIMIZER = 'optimizer/';
const BEST = 'best/';

/** Writes a checkpoint through an IO handler (weights of the model, the optimizer and the best epoch). */
export async function saveCheckpoint(
  handler: tf.io.IOHandler,
  model: { className: string; config: unknown; variables: Record<string, tf.Variable> },
  state: TrainingState,
  optimizer: tf.Optimizer | null,
  bestWeights: tf.NamedTensorMap | null,
): Promise<tf.io.SaveResult> {
  if (!handler.save)
    throw new Error('checkpoint: this IO handler cannot save; pass one with a save() method.');
  const named: NamedTensor[] = Object.entries(model.variables).map(([name, tensor]) => ({ name, tensor }));
  let optimizerWeights: NamedTensor[] = [];
  if (optimizer) optimizerWeights = await optimizer.getWeights();
  try {
    optimizerWeights.forEach((w, i) => {
      named.push({ name: `${OPTIMIZER}${i}`, tensor: w.tensor });
    });
    for (const [name, tensor] of Object.entries(bestWeights ?? {}))
      named.push({ name: `${BEST}${name}`, tensor });
    // A deep copy: the state must not change with the training that goes on after the save.
    const description: CheckpointDescription = JSON.parse(
      JSON.stringify({
        format: CHECKPOINT_FORMAT,
        formatVersion: CHECKPOINT_FORMAT_VERSION,
        className: model.className,
        config: model.config,
        training: state,
        optimizer: optimizer
          ? {
              className: optimizer.getClassName(),
              config: optimizer.getConfig(),
              weights: optimizerWeights.length,
            }
          : null,
      }),
    );
    const { data, specs } = await tf.io.encodeWeights(named);
    return await handler.save({
      modelTopology: description as unknown as tf.io.ModelJSON['modelTopology'],
      weightSpecs: specs,
      weightData: data,
      format: CHECKPOINT_FORMAT,
      generatedBy: '@vae/models',
    });
  } finally {
    // getWeights() returns the optimizer's own variables and fresh tensors (the iteration count): free the latter.
    for (const w of optimizerWeights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  }
}

/** True when `topology` describes a checkpoint. */
export function isCheckpoint(topology: unknown): boolean {
  return (topology as { format?: unknown } | undefined)?.format === CHECKPOINT_FORMAT;
}

/**
 * Splits a loaded checkpoint's weights into the model's, the optimizer's and the best epoch's. Takes ownership
 * of `weights`. Throws on a malformed or newer checkpoint.
 */
export function parseCheckpoint(
  topology: unknown,
  weights: tf.NamedTensorMap,
): { modelWeights: tf.NamedTensorMap; checkpoint: Checkpoint } {
  const d = topology as Partial<CheckpointDescription>;
  if (typeof d.formatVersion !== 'number' || d.formatVersion > CHECKPOINT_FORMAT_VERSION) {
    tf.dispose(Object.values(weights));
    throw new Error(
      `loadCheckpoint: the checkpoint has format version ${d.formatVersion}, newer than this @vae/models ` +
        `supports (${CHECKPOINT_FORMAT_VERSION}). Upgrade @vae/models.`,
    );
  }
  const training = d.training;
  if (!training || typeof training.epoch !== 'number' || typeof training.step !== 'number') {
    tf.dispose(Object.values(weights));
    throw new Error('loadCheckpoint: the checkpoint has no training state; it is corrupt. Use an older one.');
  }
  const modelWeights: tf.NamedTensorMap = {};
  const bestWeights: tf.NamedTensorMap = {};
  const optimizerWeights: NamedTensor[] = [];
  for (const [name, tensor] of Object.entries(weights)) {
    if (name.startsWith(OPTIMIZER)) continue;
    if (name.startsWith(BEST)) bestWeights[name.slice(BEST.length)] = tensor;
    else modelWeights[name] = tensor;
  }
  if (d.optimizer) {
    for (let i = 0; i < d.optimizer.weights; i++) {
      const tensor = weights[`${OPTIMIZER}${i}`];
      if (!tensor) {
        tf.dispose(Object.values(weights));
        throw new Error(`loadCheckpoint: optimizer weight ${i} is missing; the checkpoint is corrupt.`);
      }
      optimizerWeights.push({ name: `${OPTIMIZER}${i}`, tensor });
    }
  }
  const owned = [...optimizerWeights.map((w) => w.tensor), ...Object.values(bestWeights)];
  const checkpoint: Checkpoint = {
    className: d.className as string,
    config: d.config,
    state: training,
    optimizer: d.optimizer
      ? { className: d.optimizer.className, config: d.optimizer.config, weights: optimizerWeights }
      : undefined,
    bestWeights: Object.keys(bestWeights).length ? bestWeights : undefined,
    dispose: () => tf.dispose(owned),
  };
  return { modelWeights, checkpoint };
}

/** Rebuilds an optimizer from a checkpoint's class name and config (a class registered with tfjs). */
export function optimizerFromCheckpoint(saved: NonNullable<Checkpoint['optimizer']>): tf.Optimizer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[saved.className];
  if (!entry) {
    throw new Error(
      `fit: the checkpoint's optimizer '${saved.className}' is not a registered tfjs optimizer; pass the same ` +
        'kind of optimizer as options.optimizer to resume.',
    );
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, saved.config) as tf.Optimizer;
}
