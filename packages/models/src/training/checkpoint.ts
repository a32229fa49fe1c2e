/**
 * Checkpoints: a saved model plus what training needs to resume exactly where it stopped: the optimizer's state
 * (e.g. Adam's moments, through `optimizer.getWeights()` / `setWeights()`), the epoch and the batch within it, the
 * step, the KL schedule, the random state of shuffling and noise (`Random.getState()`), the epoch history and the
 * early-stopping state. Written through any tfjs IO handler (IndexedDB, downloads, http, or `checkpointDirectory`
 * from `@vae/models/node`), in the tfjs model.json layout with format 'vae-checkpoint'.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type KlSchedule, type LossTerms, sha256Hex, validateSchedule } from '@vae/core';

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
  /** The optimizer of the model's auxiliary objective (e.g. FactorVAE's discriminator), as `optimizer`. */
  auxiliaryOptimizer?: { className: string; config: tf.serialization.ConfigDict; weights: NamedTensor[] };
  dispose(): void;
}

interface CheckpointDescription {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: number;
  className: string;
  config: unknown;
  training: TrainingState;
  optimizer: { className: string; config: tf.serialization.ConfigDict; weights: number } | null;
  /** Absent in checkpoints of models without an auxiliary objective. */
  auxiliaryOptimizer?: { className: string; config: tf.serialization.ConfigDict; weights: number };
  /** SHA-256 (hex) of the weight bytes, verified on load. */
  weightsSha256?: string;
}

const OPTIMIZER = 'optimizer/';
const AUXILIARY_OPTIMIZER = 'auxiliary-optimizer/';
const BEST = 'best/';

/** Writes a checkpoint through an IO handler (weights of the model, the optimizer and the best epoch). */
export async function saveCheckpoint(
  handler: tf.io.IOHandler,
  model: { className: string; config: unknown; variables: Record<string, tf.Variable> },
  state: TrainingState,
  optimizer: tf.Optimizer | null,
  bestWeights: tf.NamedTensorMap | null,
  auxiliaryOptimizer: tf.Optimizer | null = null,
): Promise<tf.io.SaveResult> {
  if (!handler.save)
    throw new Error('checkpoint: this IO handler cannot save; pass one with a save() method.');
  const named: NamedTensor[] = Object.entries(model.variables).map(([name, tensor]) => ({ name, tensor }));
  let optimizerWeights: NamedTensor[] = [];
  let auxiliaryWeights: NamedTensor[] = [];
  if (optimizer) optimizerWeights = await optimizer.getWeights();
  if (auxiliaryOptimizer) auxiliaryWeights = await auxiliaryOptimizer.getWeights();
  try {
    optimizerWeights.forEach((w, i) => {
      named.push({ name: `${OPTIMIZER}${i}`, tensor: w.tensor });
    });
    auxiliaryWeights.forEach((w, i) => {
      named.push({ name: `${AUXILIARY_OPTIMIZER}${i}`, tensor: w.tensor });
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
        auxiliaryOptimizer: auxiliaryOptimizer
          ? {
              className: auxiliaryOptimizer.getClassName(),
              config: auxiliaryOptimizer.getConfig(),
              weights: auxiliaryWeights.length,
            }
          : undefined,
      }),
    );
    const { data, specs } = await tf.io.encodeWeights(named);
    description.weightsSha256 = await sha256Hex(data);
    return await handler.save({
      modelTopology: description as unknown as tf.io.ModelJSON['modelTopology'],
      weightSpecs: specs,
      weightData: data,
      format: CHECKPOINT_FORMAT,
      generatedBy: '@vae/models',
    });
  } finally {
    // getWeights() returns the optimizer's own variables and fresh tensors (the iteration count): free the latter.
    for (const w of [...optimizerWeights, ...auxiliaryWeights]) {
      if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
    }
  }
}

/** True for the names a checkpoint gives the optimizer's and the best epoch's weights (not the model's). */
export function isTrainingWeight(name: string): boolean {
  return name.startsWith(OPTIMIZER) || name.startsWith(AUXILIARY_OPTIMIZER) || name.startsWith(BEST);
}

/** The most epochs, batches per epoch or history records a checkpoint may claim. */
const MAX_COUNT = 1e9;

function corrupt(field: string, value: unknown, expected: string): never {
  const shown = JSON.stringify(value);
  throw new Error(
    `loadCheckpoint: the checkpoint's ${field} is ${shown === undefined ? 'missing' : shown.slice(0, 80)}, ` +
      `not ${expected}; the file is damaged or was edited. Resume from an earlier checkpoint or train afresh.`,
  );
}

function checkInteger(field: string, value: unknown, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    corrupt(field, value, `an integer in [${min}, ${max.toLocaleString('en-US')}]`);
  }
}

function checkFinite(field: string, value: unknown, min = Number.NEGATIVE_INFINITY): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    corrupt(field, value, min === Number.NEGATIVE_INFINITY ? 'a finite number' : `a finite number >= ${min}`);
  }
}

function checkTerms(field: string, value: unknown): void {
  if (typeof value !== 'object' || value === null) corrupt(field, value, 'loss terms');
  for (const key of ['reconstruction', 'kl', 'weightedKl', 'regularizer', 'total']) {
    checkFinite(`${field}.${key}`, (value as Record<string, unknown>)[key]);
  }
}

/**
 * Checks a checkpoint's JSON (an untrusted file) field by field before anything is allocated or replayed: the
 * format version, every training-state field's type and range, the KL schedule, the epoch history, the
 * early-stopping state and the optimizer's description. `fit` checks the rest against the data it is given.
 */
export function checkCheckpointDescription(topology: unknown): void {
  const d = topology as Partial<CheckpointDescription>;
  if (typeof d.formatVersion !== 'number' || d.formatVersion > CHECKPOINT_FORMAT_VERSION) {
    throw new Error(
      `loadCheckpoint: the checkpoint has format version ${d.formatVersion}, newer than this @vae/models ` +
        `supports (${CHECKPOINT_FORMAT_VERSION}). Upgrade @vae/models.`,
    );
  }
  const t = d.training as Partial<TrainingState> | undefined;
  if (typeof t !== 'object' || t === null) corrupt('training state', t, 'an object');
  const state = t as Partial<TrainingState>;
  checkInteger('training.epoch', state.epoch, 1, MAX_COUNT);
  checkInteger('training.batch', state.batch, 0, MAX_COUNT);
  checkInteger('training.step', state.step, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('training.randomState', state.randomState, 0, 2 ** 32 - 1);
  checkInteger('training.batchSize', state.batchSize, 1, 2 ** 24);
  if (typeof state.shuffle !== 'boolean') corrupt('training.shuffle', state.shuffle, 'true or false');
  const partial = state.partial;
  if (typeof partial !== 'object' || partial === null) corrupt('training.partial', partial, 'an object');
  const p = partial as TrainingState['partial'];
  if (!Array.isArray(p.sums) || p.sums.length !== 5) corrupt('training.partial.sums', p.sums, '5 numbers');
  p.sums.forEach((v, i) => {
    checkFinite(`training.partial.sums[${i}]`, v);
  });
  checkInteger('training.partial.seen', p.seen, 0, Number.MAX_SAFE_INTEGER);
  checkFinite('training.partial.seconds', p.seconds, 0);
  if (state.batch === 0 && p.seen !== 0) corrupt('training.partial.seen', p.seen, '0 at an epoch boundary');
  if (state.klSchedule !== undefined && state.klSchedule !== null) {
    try {
      validateSchedule(state.klSchedule);
    } catch (error) {
      corrupt('training.klSchedule', state.klSchedule, `a valid schedule (${(error as Error).message})`);
    }
  }
  if (!Array.isArray(state.history) || state.history.length > MAX_COUNT) {
    corrupt('training.history', state.history, 'a list of epoch records');
  }
  const history = state.history as EpochRecord[];
  const epoch = state.epoch as number;
  if (history.length > epoch) {
    corrupt('training.history', `${history.length} records`, `at most one per epoch done (${epoch - 1})`);
  }
  history.forEach((record, i) => {
    const where = `training.history[${i}]`;
    if (typeof record !== 'object' || record === null) corrupt(where, record, 'an epoch record');
    checkInteger(`${where}.epoch`, record.epoch, 1, state.epoch as number);
    checkTerms(`${where}.train`, record.train);
    if (record.validation !== undefined) checkTerms(`${where}.validation`, record.validation);
    checkFinite(`${where}.seconds`, record.seconds, 0);
    checkFinite(`${where}.examplesPerSecond`, record.examplesPerSecond, 0);
    checkInteger(`${where}.step`, record.step, 0, state.step as number);
  });
  const stopping = state.earlyStopping;
  if (stopping !== undefined && stopping !== null) {
    if (typeof stopping !== 'object') corrupt('training.earlyStopping', stopping, 'an object');
    // JSON writes Infinity (no best epoch yet) as null.
    if (stopping.best !== null) checkFinite('training.earlyStopping.best', stopping.best);
    checkInteger('training.earlyStopping.bestEpoch', stopping.bestEpoch, 0, state.epoch as number);
    checkInteger('training.earlyStopping.wait', stopping.wait, 0, state.epoch as number);
  }
  checkOptimizerDescription('optimizer', d.optimizer);
  checkOptimizerDescription('auxiliaryOptimizer', d.auxiliaryOptimizer);
}

function checkOptimizerDescription(
  field: string,
  optimizer: CheckpointDescription['optimizer'] | undefined,
): void {
  if (optimizer !== null && optimizer !== undefined) {
    if (typeof optimizer !== 'object') corrupt(field, optimizer, 'an object or null');
    if (typeof optimizer.className !== 'string' || optimizer.className.length > 200) {
      corrupt(`${field}.className`, optimizer.className, 'a class name');
    }
    if (
      typeof optimizer.config !== 'object' ||
      optimizer.config === null ||
      Array.isArray(optimizer.config)
    ) {
      corrupt(`${field}.config`, optimizer.config, 'an object');
    }
    for (const [key, value] of Object.entries(optimizer.config)) {
      if (typeof value === 'number' && !Number.isFinite(value))
        corrupt(`${field}.config.${key}`, value, 'finite');
    }
    // the ranges every tfjs optimizer's settings keep (a negative rate would maximize the loss)
    const config = optimizer.config as Record<string, unknown>;
    const ranges: Array<[string, (v: number) => boolean, string]> = [
      ['learningRate', (v) => v > 0, 'above 0'],
      ['epsilon', (v) => v >= 0, 'at least 0'],
      ['beta1', (v) => v >= 0 && v < 1, 'in [0, 1)'],
      ['beta2', (v) => v >= 0 && v < 1, 'in [0, 1)'],
    ];
    for (const [key, ok, what] of ranges) {
      const value = config[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'number' || !ok(value)) corrupt(`${field}.config.${key}`, value, what);
    }
    checkInteger(`${field}.weights`, optimizer.weights, 0, MAX_COUNT);
  }
}

/**
 * Checks a loaded checkpoint's optimizer weights against the model's variables: after the scalar iteration count,
 * the optimizer's slots (e.g. Adam's first and second moments) come in groups with the shapes of the model's
 * trainable variables in order. Throws naming the first weight that differs.
 */
export function checkOptimizerWeights(
  checkpoint: Checkpoint,
  variables: Record<string, tf.Variable>,
  auxiliaryNames: readonly string[] = [],
): void {
  const auxiliary = new Set(auxiliaryNames);
  const main = Object.entries(variables).filter(([name, v]) => v.trainable && !auxiliary.has(name));
  checkSlots(
    checkpoint.optimizer,
    main.map(([, v]) => v),
  );
  checkSlots(
    checkpoint.auxiliaryOptimizer,
    auxiliaryNames.map((name) => variables[name]).filter((v) => v !== undefined),
  );
  // The best epoch's weights replace the model's at the end of an early-stopped run: the same names and shapes.
  const best = checkpoint.bestWeights;
  if (best) {
    const names = Object.keys(variables);
    const extra = Object.keys(best).filter((name) => !Object.hasOwn(variables, name));
    const wrong = names.find((name) => {
      const saved = Object.hasOwn(best, name) ? best[name] : undefined;
      return saved?.dtype !== 'float32' || saved.shape.join(',') !== variables[name].shape.join(',');
    });
    if (extra.length || wrong !== undefined) {
      throw new Error(
        "loadCheckpoint: the best epoch's weights do not fit the model (" +
          (wrong !== undefined
            ? `'${wrong}' is missing or has another shape`
            : `'${extra[0]}' is not a variable`) +
          '); the checkpoint is damaged or from another model. Resume from an earlier checkpoint or train afresh.',
      );
    }
  }
}

/** Optimizer slots per trainable variable, for the tfjs optimizers whose layout is fixed (others: any multiple). */
const SLOTS_PER_VARIABLE: Record<string, number> = { Adam: 2, SGD: 0, Momentum: 1, Adagrad: 1, Adadelta: 2 };

function checkSlots(optimizer: Checkpoint['optimizer'], trained: tf.Variable[]): void {
  const weights = optimizer?.weights;
  if (!optimizer || !weights || weights.length === 0) return;
  const shapes = trained.map((v) => v.shape.join(','));
  // tfjs optimizers put the iteration count, a scalar, first: a whole number of steps.
  const first = weights[0].tensor;
  if (first.rank === 0) {
    const iterations = first.dataSync()[0];
    if (!Number.isInteger(iterations) || iterations < 0) {
      throw new Error(
        `loadCheckpoint: the optimizer's iteration count is ${iterations}, not a whole number of steps; the ` +
          'checkpoint is damaged. Resume from an earlier checkpoint or train afresh.',
      );
    }
  }
  const slots = first.rank === 0 ? weights.slice(1) : weights;
  const perVariable = Object.hasOwn(SLOTS_PER_VARIABLE, optimizer.className)
    ? SLOTS_PER_VARIABLE[optimizer.className]
    : null;
  const fits =
    shapes.length > 0 &&
    slots.length % shapes.length === 0 &&
    (perVariable === null || slots.length === perVariable * shapes.length) &&
    slots.every(
      (w, i) => w.tensor.dtype === 'float32' && w.tensor.shape.join(',') === shapes[i % shapes.length],
    );
  if (!fits) {
    const first = slots.findIndex((w, i) => w.tensor.shape.join(',') !== shapes[i % shapes.length]);
    throw new Error(
      `loadCheckpoint: the optimizer's state does not fit the model (${weights.length} weights for ` +
        `${shapes.length} variables` +
        (first >= 0 ? `; weight ${first} has shape [${slots[first].tensor.shape}]` : '') +
        '); the checkpoint is damaged or from another model. Resume from an earlier checkpoint or train afresh.',
    );
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
  const auxiliaryWeights: NamedTensor[] = [];
  const declared = new Set<string>();
  for (let i = 0; i < (d.optimizer?.weights ?? 0); i++) declared.add(`${OPTIMIZER}${i}`);
  for (let i = 0; i < (d.auxiliaryOptimizer?.weights ?? 0); i++) declared.add(`${AUXILIARY_OPTIMIZER}${i}`);
  for (const [name, tensor] of Object.entries(weights)) {
    if (name.startsWith(OPTIMIZER) || name.startsWith(AUXILIARY_OPTIMIZER)) {
      if (declared.has(name)) continue;
      tf.dispose(Object.values(weights));
      throw new Error(
        `loadCheckpoint: the weights hold '${name}', an optimizer weight the checkpoint does not declare; it is ` +
          'corrupt. Resume from an earlier checkpoint or train afresh.',
      );
    }
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
  if (d.auxiliaryOptimizer) {
    for (let i = 0; i < d.auxiliaryOptimizer.weights; i++) {
      const tensor = weights[`${AUXILIARY_OPTIMIZER}${i}`];
      if (!tensor) {
        tf.dispose(Object.values(weights));
        throw new Error(
          `loadCheckpoint: auxiliary optimizer weight ${i} is missing; the checkpoint is corrupt.`,
        );
      }
      auxiliaryWeights.push({ name: `${AUXILIARY_OPTIMIZER}${i}`, tensor });
    }
  }
  const owned = [
    ...optimizerWeights.map((w) => w.tensor),
    ...auxiliaryWeights.map((w) => w.tensor),
    ...Object.values(bestWeights),
  ];
  const checkpoint: Checkpoint = {
    className: d.className as string,
    config: d.config,
    state: training,
    optimizer: d.optimizer
      ? { className: d.optimizer.className, config: d.optimizer.config, weights: optimizerWeights }
      : undefined,
    bestWeights: Object.keys(bestWeights).length ? bestWeights : undefined,
    auxiliaryOptimizer: d.auxiliaryOptimizer
      ? {
          className: d.auxiliaryOptimizer.className,
          config: d.auxiliaryOptimizer.config,
          weights: auxiliaryWeights,
        }
      : undefined,
    dispose: () => tf.dispose(owned),
  };
  return { modelWeights, checkpoint };
}

/** Rebuilds an optimizer from a checkpoint's class name and config (a class registered with tfjs). */
export function optimizerFromCheckpoint(saved: NonNullable<Checkpoint['optimizer']>): tf.Optimizer {
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  const entry = Object.hasOwn(map, saved.className) ? map[saved.className] : undefined;
  if (!entry) {
    throw new Error(
      `fit: the checkpoint's optimizer '${saved.className}' is not a registered tfjs optimizer; pass the same ` +
        'kind of optimizer as options.optimizer to resume.',
    );
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, saved.config) as tf.Optimizer;
}
