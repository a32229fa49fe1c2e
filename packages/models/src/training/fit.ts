/**
 * Minibatch training shared by every model: shuffling, one optimizer step per batch on the model's objective,
 * per-term losses per batch and per epoch, KL schedules, gradient clipping, validation, early stopping, checkpoints
 * that resume exactly, cancellation through an AbortSignal, and a clear stop on a non-finite loss. Between steps
 * it yields to the event loop, so a browser page never blocks for more than one batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  batchLabels,
  batchRanges,
  clipByGlobalNorm,
  type DataInput,
  FusedAdamOptimizer,
  type KlSchedule,
  type LossTerms,
  type Progress,
  Random,
  toBatchSource,
  validateSchedule,
  yieldToEventLoop,
} from '@vae/core';
import {
  type Checkpoint,
  type EpochRecord,
  optimizerFromCheckpoint,
  saveCheckpoint,
  type TrainingState,
} from './checkpoint';
import { objectiveGradients } from './gradients';
import { type ReplicaGradients, startReplicas, type WorkerOptions, workerOptions } from './parallel';
import { auxiliaryVariables, mainVariables, type TrainableModel } from './trainable';

export type { EpochRecord } from './checkpoint';

export interface History {
  /** Every epoch's record, those of earlier runs included when training resumed from a checkpoint. */
  epochs: EpochRecord[];
  /** True when training stopped because the signal was aborted. */
  aborted: boolean;
  /** True when early stopping ended training. */
  stoppedEarly: boolean;
  /** The epoch with the best monitored loss (early stopping), when it was used. */
  bestEpoch?: number;
}

/** What `onBatchEnd` receives after every optimizer step. */
export interface BatchProgress {
  /** 1-based epoch. */
  epoch: number;
  /** 1-based batch within the epoch. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** Optimizer updates done so far (this one included). */
  step: number;
  /** The batch's loss terms, nats per example. */
  losses: LossTerms;
}

/** Hooks into training. Each may return a promise, which training awaits. */
export interface FitCallbacks {
  onTrainBegin?: (info: { epoch: number; step: number; epochs: number }) => void | Promise<void>;
  onEpochBegin?: (epoch: number) => void | Promise<void>;
  onBatchEnd?: (progress: BatchProgress) => void | Promise<void>;
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
  onTrainEnd?: (history: History) => void | Promise<void>;
}

export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping. Default 5. */
  patience?: number;
  /** Smallest decrease of the monitored loss that counts as improvement. Default 0. */
  minDelta?: number;
  /** Which total loss to watch. Default 'validation' when validationData is given, else 'train'. */
  monitor?: 'validation' | 'train';
  /** Put back the weights of the best epoch when stopping. Default true. */
  restoreBestWeights?: boolean;
}

export interface CheckpointOptions {
  /**
   * Where checkpoints go: a tfjs IO handler, e.g. `checkpointDirectory(dir)` from `@vae/models/node`, or
   * `tf.io.browserIndexedDB('my-run')` in a browser. Each save replaces the previous one.
   */
  handler: tf.io.IOHandler;
  /** Save after every `every` epochs (and when training stops early or is aborted). Default 1. */
  every?: number;
}

export interface FitOptions extends FitCallbacks {
  /** Passes over the data (in all, counting epochs done before a resumed checkpoint). Default 10. */
  epochs?: number;
  /** Examples per step. Default 128. */
  batchSize?: number;
  /** Adam's learning rate when no optimizer is given. Default 1e-3. */
  learningRate?: number;
  /** An optimizer of your own (it is not disposed). Default: Adam(learningRate, 0.9, 0.999, 1e-8), as PyTorch. */
  optimizer?: tf.Optimizer;
  /**
   * Data to evaluate after every epoch, in any form `fit` takes its training data (labels of a bare tensor: pass a
   * `BatchSource`, e.g. `tensorSource(x, labels)`, or `{ values, shape, labels }`).
   */
  validationData?: DataInput;
  /** Labels of training data given as a tensor or bare values (conditional models), one per example. */
  labels?: ArrayLike<number>;
  /**
   * Called after every optimizer step with the steps done (`done`, counting those of a resumed checkpoint) of all
   * the run's steps (`total` = epochs x batches per epoch).
   */
  onProgress?: (progress: Progress) => void;
  /** Seed for shuffling and for the random draws of every step. Default: the clock. */
  seed?: number;
  /** Shuffle the examples every epoch. Default true. */
  shuffle?: boolean;
  /**
   * The examples each epoch visits, in this order, instead of a (shuffled) pass over all of them: called before every
   * epoch, it returns indices into the training data (repeats allowed, at least one). For sampling that changes with
   * the model as it trains, e.g. DB-VAE's debiasing (`debiasingSampler`), or any weighted sampling of your own. It
   * gets a seed drawn from `seed`, so runs repeat. A run that uses it resumes from checkpoints at epoch boundaries.
   */
  epochSampler?: EpochSampler;
  /** Stops training after the current step when aborted (and saves a checkpoint, if configured). */
  signal?: AbortSignal;
  /** The KL weight over training steps (VAEs): warm-up, cyclical, or the capacity schedule. Default: the model's. */
  klSchedule?: KlSchedule;
  /** More hooks, e.g. one object per concern. */
  callbacks?: FitCallbacks | FitCallbacks[];
  /** Stop when the monitored loss stops improving. */
  earlyStopping?: EarlyStoppingOptions;
  /** Save checkpoints during training. */
  checkpoint?: CheckpointOptions;
  /** Continue the training a checkpoint recorded (load it with `loadCheckpoint`); the model holds its weights. */
  resumeFrom?: Checkpoint;
  /** Scale the gradients down when their global norm exceeds this. Default: no clipping. */
  gradientClipNorm?: number;
  /**
   * Stop when the loss explodes: a finite loss far above its running scale (see `DivergenceGuard`), as well as a
   * NaN or infinite one (always). Default `{ factor: 1000 }`; `false` turns the explosion check off.
   */
  divergence?: DivergenceGuard | false;
  /**
   * Data-parallel training on this machine: N replicas of the model, this thread's and N - 1 in workers (Node:
   * worker_threads, through `@vae/models/node`), each on its own backend; every step splits the batch between them
   * and applies the rows-weighted mean of their gradients here, so the result is the model one thread trains on the
   * same batches (up to float summation order, and to the reparameterization noise, which each shard draws from its
   * own seed). A number (1: this thread alone), 'auto' (one per core) or `WorkerOptions` (backend, setup module).
   * Default: none.
   */
  workers?: number | 'auto' | WorkerOptions;
}

/** What `FitOptions.epochSampler` gets before each epoch. */
export interface EpochSamplerInfo {
  /** 1-based epoch about to start. */
  epoch: number;
  /** Seed for the sampler's random draws (from the run's seed). */
  seed: number;
  /** Examples in the training data (valid indices are 0 .. size - 1). */
  size: number;
}

/** Chooses the examples (indices, repeats allowed) an epoch visits, in order. */
export type EpochSampler = (info: EpochSamplerInfo) => ArrayLike<number> | Promise<ArrayLike<number>>;

async function sampleEpoch(sampler: EpochSampler, info: EpochSamplerInfo): Promise<Int32Array> {
  const indices = await sampler(info);
  if (!indices || typeof indices.length !== 'number' || indices.length < 1) {
    throw new Error(`fit: epochSampler returned no indices for epoch ${info.epoch}; return at least one.`);
  }
  const order = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= info.size) {
      throw new Error(
        `fit: epochSampler returned index ${index} (position ${i}) for epoch ${info.epoch}; indices must be ` +
          `integers in [0, ${info.size}).`,
      );
    }
    order[i] = index;
  }
  return order;
}

/**
 * When a finite loss counts as an explosion: after the first `warmup` steps, a batch whose |total loss| exceeds `factor`
 * times max(1, the running mean of |total loss| over earlier steps). The mean decays with `halfLife` steps, so
 * slowly rising losses (KL warm-up, capacity schedules) move the scale with them.
 */
export interface DivergenceGuard {
  /** Default 1000. */
  factor?: number;
  /** Steps whose loss only sets the scale before the check starts. Default 1. */
  warmup?: number;
  /** Half-life of the running scale, in steps. Default 50. */
  halfLife?: number;
}

/** Thrown when a batch's loss (or gradient norm) is NaN or infinite; the model keeps its last good weights. */
export class NonFiniteLossError extends Error {
  readonly epoch: number;
  readonly step: number;
  readonly losses: LossTerms;

  constructor(message: string, epoch: number, step: number, losses: LossTerms) {
    super(message);
    this.name = 'NonFiniteLossError';
    this.epoch = epoch;
    this.step = step;
    this.losses = losses;
  }
}

/** Thrown when a finite loss explodes far above its running scale (`FitOptions.divergence`). */
export class DivergenceError extends NonFiniteLossError {
  constructor(message: string, epoch: number, step: number, losses: LossTerms) {
    super(message, epoch, step, losses);
    this.name = 'DivergenceError';
  }
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`fit: ${name} must be a positive integer, got ${value}.`);
  }
}

const TERMS = ['reconstruction', 'kl', 'weightedKl', 'regularizer', 'total'] as const;

function toTerms(values: ArrayLike<number>, scale = 1): LossTerms {
  return {
    reconstruction: values[0] * scale,
    kl: values[1] * scale,
    weightedKl: values[2] * scale,
    regularizer: values[3] * scale,
    total: values[4] * scale,
  };
}

async function runHooks<K extends keyof FitCallbacks>(
  hooks: FitCallbacks[],
  name: K,
  argument: Parameters<NonNullable<FitCallbacks[K]>>[0],
): Promise<void> {
  for (const hook of hooks) {
    const fn = hook[name] as ((a: typeof argument) => void | Promise<void>) | undefined;
    if (fn) {
      const result = fn(argument);
      if (result instanceof Promise) await result;
    }
  }
}

function snapshot(variables: Record<string, tf.Variable>): tf.NamedTensorMap {
  const copy: tf.NamedTensorMap = {};
  for (const [name, v] of Object.entries(variables)) copy[name] = tf.keep(tf.clone(v));
  return copy;
}

/** An optimizer of a checkpoint, rebuilt from its class name and config (its weights are set afterwards). */
function restoreOptimizer(saved: NonNullable<Checkpoint['optimizer']>): tf.Optimizer {
  return saved.className === FusedAdamOptimizer.className
    ? (FusedAdamOptimizer.fromConfig(FusedAdamOptimizer, saved.config) as tf.Optimizer)
    : optimizerFromCheckpoint(saved);
}

/**
 * Trains `model` on `input`: a `BatchSource`, a tensor, a typed array with its shape or an iterable of batches (see
 * core's `DataInput`). See `FitOptions`; returns the epoch records.
 */
export async function train(
  model: TrainableModel,
  input: DataInput,
  options: FitOptions = {},
): Promise<History> {
  const data = await toBatchSource(input, { labels: options.labels, caller: 'fit' });
  const validationData =
    options.validationData === undefined
      ? undefined
      : await toBatchSource(options.validationData, { caller: 'fit (validationData)' });
  const resume = options.resumeFrom;
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? resume?.state.batchSize ?? 128;
  checkPositiveInteger('epochs', epochs);
  checkPositiveInteger('batchSize', batchSize);
  if (data.size < 1) throw new Error('fit: the training data is empty.');
  const learningRate = options.learningRate ?? 1e-3;
  if (!(learningRate > 0)) throw new Error(`fit: learningRate must be > 0, got ${learningRate}.`);
  if (options.gradientClipNorm !== undefined && !(options.gradientClipNorm > 0)) {
    throw new Error(`fit: gradientClipNorm must be > 0, got ${options.gradientClipNorm}.`);
  }
  if (options.checkpoint) {
    if (!options.checkpoint.handler?.save) {
      throw new Error('fit: checkpoint.handler must be a tfjs IO handler with a save() method.');
    }
    checkPositiveInteger('checkpoint.every', options.checkpoint.every ?? 1);
  }
  const klSchedule = options.klSchedule ?? resume?.state.klSchedule;
  if (klSchedule !== undefined) validateSchedule(klSchedule);
  if (model.usesLabels && !data.labels) {
    throw new Error(
      `fit: ${model.className} needs class labels, but the training data has none (BatchSource.labels). ` +
        'Load the data with its labels, e.g. tensorSource(images, labels).',
    );
  }
  if (model.usesLabels && validationData && !validationData.labels) {
    throw new Error(`fit: ${model.className} needs labels in validationData too.`);
  }
  if (resume) {
    if (resume.className !== model.className) {
      throw new Error(
        `fit: the checkpoint is of a ${resume.className}, not a ${model.className}; load it with loadCheckpoint.`,
      );
    }
    if (resume.state.batch > 0 && options.epochSampler) {
      throw new Error(
        'fit: the checkpoint stopped within an epoch, and an epochSampler draws each epoch from the model as it is ' +
          'then, so that epoch cannot be replayed; resume from a checkpoint saved at the end of an epoch.',
      );
    }
    if (resume.state.batch > 0 && resume.state.batchSize !== batchSize) {
      throw new Error(
        `fit: the checkpoint stopped within an epoch with batchSize ${resume.state.batchSize}; resume with the ` +
          'same batchSize.',
      );
    }
  }
  const requestedWorkers = options.workers === undefined ? null : workerOptions(options.workers);
  const guard =
    options.divergence === false ? null : { factor: 1000, warmup: 1, halfLife: 50, ...options.divergence };
  if (guard && (!(guard.factor > 1) || !(guard.warmup >= 0) || !(guard.halfLife > 0))) {
    throw new Error(
      'fit: divergence needs factor > 1, warmup >= 0 and halfLife > 0 (or false to turn it off).',
    );
  }
  if (resume) {
    // A checkpoint is untrusted input: its position must exist in this data (the replay below is bounded by it).
    const batches = batchRanges(data.size, batchSize).length;
    if (resume.state.batch >= batches) {
      throw new Error(
        `fit: the checkpoint stopped after batch ${resume.state.batch} of an epoch, but this data has ` +
          `${batches} batches of ${batchSize}; resume with the data and batchSize the run was started with.`,
      );
    }
  }
  model.assertTrainable();
  if (requestedWorkers && requestedWorkers.count !== 1) {
    const obstacle = model.dataParallelObstacle?.(klSchedule) ?? null; // fit's, or the resumed run's
    if (obstacle) {
      throw new Error(
        `fit: ${model.className} cannot train with workers: ${obstacle}. Train it without workers (they would ` +
          'train another model than one thread does on the same batches).',
      );
    }
  }
  await model.prepareTraining(data);

  const hooks: FitCallbacks[] = [
    options,
    ...(options.callbacks === undefined
      ? []
      : Array.isArray(options.callbacks)
        ? options.callbacks
        : [options.callbacks]),
  ];
  const shuffle = resume?.state.shuffle ?? options.shuffle ?? true;
  const random = new Random(options.seed ?? Date.now());
  if (resume) random.setState(resume.state.randomState);
  const ownOptimizer = options.optimizer === undefined;
  // Adam with one fused update pass per variable on wasm and cpu (tfjs's Adam elsewhere): the same maths and
  // the same checkpoint format as tf.train.adam.
  const optimizer =
    options.optimizer ??
    (resume?.optimizer
      ? restoreOptimizer(resume.optimizer)
      : new FusedAdamOptimizer(learningRate, 0.9, 0.999, 1e-8));
  const variables = Object.values(mainVariables(model));
  // A second objective with its own optimizer (e.g. FactorVAE's discriminator), stepped after the main one.
  const auxiliary = model.auxiliaryObjective;
  const auxiliaryList = Object.values(auxiliaryVariables(model));
  if (auxiliary && requestedWorkers && requestedWorkers.count !== 1) {
    throw new Error(
      `fit: ${model.className} trains a second objective (${auxiliary.name}) with its own optimizer, which ` +
        'data-parallel workers do not run; train it without workers.',
    );
  }
  const auxiliaryOptimizer = auxiliary
    ? resume?.auxiliaryOptimizer
      ? restoreOptimizer(resume.auxiliaryOptimizer)
      : auxiliary.createOptimizer()
    : null;
  const stopping = options.earlyStopping;
  const monitor = stopping?.monitor ?? (validationData ? 'validation' : 'train');
  if (stopping) {
    checkPositiveInteger('earlyStopping.patience', stopping.patience ?? 5);
    if (monitor === 'validation' && !validationData) {
      throw new Error("fit: earlyStopping.monitor is 'validation' but no validationData was given.");
    }
  }
  const restoreBest = stopping !== undefined && (stopping.restoreBestWeights ?? true);
  const saved = resume?.state.earlyStopping;
  // JSON writes Infinity (no best epoch yet) as null.
  let best = saved
    ? { ...saved, best: saved.best ?? Number.POSITIVE_INFINITY }
    : { best: Number.POSITIVE_INFINITY, bestEpoch: 0, wait: 0 };
  let bestWeights: tf.NamedTensorMap | null = null;
  const history: History = {
    epochs: [...(resume?.state.history ?? [])],
    aborted: false,
    stoppedEarly: false,
  };
  let step = resume?.state.step ?? 0;
  let epoch = resume?.state.epoch ?? 1;
  let startBatch = resume?.state.batch ?? 0;
  let partial = resume?.state.partial ?? { sums: [0, 0, 0, 0, 0], seen: 0, seconds: 0 };
  // The running scale of |total loss| for the divergence guard (a decaying mean; weight = sum of decayed counts).
  let scaleSum = 0;
  let scaleWeight = 0;
  let guarded = 0;
  let pool: ReplicaGradients | null = null;

  try {
    if (requestedWorkers && requestedWorkers.count !== 1) {
      pool = await startReplicas(model, variables, requestedWorkers, batchSize);
    }
    if (resume?.optimizer) await optimizer.setWeights(resume.optimizer.weights);
    if (resume?.auxiliaryOptimizer && auxiliaryOptimizer) {
      await auxiliaryOptimizer.setWeights(resume.auxiliaryOptimizer.weights);
    }
    if (restoreBest && resume?.bestWeights) {
      bestWeights = {};
      for (const [name, t] of Object.entries(resume.bestWeights)) bestWeights[name] = tf.keep(tf.clone(t));
    }
    const state = (position: { epoch: number; batch: number; randomState: number }): TrainingState => ({
      ...position,
      step,
      partial,
      batchSize,
      shuffle,
      klSchedule,
      history: history.epochs,
      earlyStopping: stopping ? best : undefined,
    });
    const checkpointNow = (position: { epoch: number; batch: number; randomState: number }) =>
      options.checkpoint
        ? saveCheckpoint(
            options.checkpoint.handler,
            model,
            state(position),
            optimizer,
            bestWeights,
            auxiliaryOptimizer,
          )
        : Promise.resolve();

    await runHooks(hooks, 'onTrainBegin', { epoch, step, epochs });
    let lastYield = performance.now();
    for (; epoch <= epochs; epoch++) {
      const epochRandomState = random.getState();
      const order = options.epochSampler
        ? await sampleEpoch(options.epochSampler, { epoch, seed: random.nextSeed(), size: data.size })
        : shuffle
          ? random.permutation(data.size)
          : null;
      const ranges = batchRanges(order ? order.length : data.size, batchSize);
      // Replay the seeds of the batches a resumed checkpoint had done.
      for (let b = 0; b < startBatch; b++) random.nextSeed();
      await runHooks(hooks, 'onEpochBegin', epoch);
      const sums = [...partial.sums];
      let seen = partial.seen;
      let seconds = partial.seconds;
      for (let b = startBatch; b < ranges.length; b++) {
        if (options.signal?.aborted) {
          history.aborted = true;
          partial = { sums, seen, seconds };
          await checkpointNow({ epoch, batch: b, randomState: epochRandomState });
          break;
        }
        const started = performance.now();
        const [start, end] = ranges[b];
        const indices = order
          ? order.subarray(start, end)
          : Int32Array.from({ length: end - start }, (_, i) => start + i);
        const seed = random.nextSeed();
        const context = { seed, step, klSchedule, training: true };
        // One tensor read per step: the five loss terms, then the gradient norm when clipping.
        const computed = pool ? await pool.gradients(data, indices, { seed, step, klSchedule }) : null;
        const { terms, grads } = tf.tidy((): tf.TensorContainerObject => {
          let raw = computed;
          if (!raw) {
            const x = data.batch(indices);
            const indexLabels = batchLabels(data, indices);
            const labels = indexLabels && tf.tensor1d(indexLabels, 'int32');
            raw = objectiveGradients(model, variables, x, { ...context, labels });
          }
          if (options.gradientClipNorm === undefined) return { terms: raw.terms, grads: raw.grads };
          const clipped = clipByGlobalNorm(raw.grads, options.gradientClipNorm);
          const withNorm = tf.concat([raw.terms, tf.reshape(clipped.norm, [1])]);
          // kept past the gradient scope (or made outside this one); replaced by withNorm and the clipped ones
          raw.terms.dispose();
          if (computed) tf.dispose(Object.values(computed.grads));
          return { terms: withNorm, grads: clipped.gradients };
        }) as { terms: tf.Tensor; grads: tf.NamedTensorMap };
        const values = await terms.data();
        terms.dispose();
        const normValue = options.gradientClipNorm === undefined ? 0 : values[5];
        const losses = toTerms(values);
        if (!Number.isFinite(losses.total) || !Number.isFinite(normValue)) {
          tf.dispose(Object.values(grads));
          const what = Number.isFinite(losses.total)
            ? `the gradient norm became ${normValue}`
            : `the loss became ${losses.total}`;
          throw new NonFiniteLossError(
            `fit: ${what} at epoch ${epoch}, batch ${b + 1} of ${ranges.length} (step ${step + 1}; ` +
              TERMS.map((k) => `${k} ${losses[k]}`).join(', ') +
              '). Training stopped before applying that step: the model keeps its last good weights' +
              (options.checkpoint ? ' and the last checkpoint stays as it was' : '') +
              '. Lower the learning rate, set gradientClipNorm, or check the data for NaN or Inf values.',
            epoch,
            step + 1,
            losses,
          );
        }
        if (guard) {
          const scale = scaleWeight > 0 ? scaleSum / scaleWeight : 0;
          if (guarded >= guard.warmup && Math.abs(losses.total) > guard.factor * Math.max(1, scale)) {
            tf.dispose(Object.values(grads));
            throw new DivergenceError(
              `fit: the loss exploded to ${losses.total.toPrecision(4)} at epoch ${epoch}, batch ${b + 1} of ` +
                `${ranges.length} (step ${step + 1}), more than ${guard.factor}x its running scale ` +
                `${scale.toPrecision(4)}. Training stopped before applying that step: the model keeps its last ` +
                'good weights' +
                (options.checkpoint ? ' and the last checkpoint stays as it was' : '') +
                '. Lower the learning rate or set gradientClipNorm (or pass divergence: false to train on).',
              epoch,
              step + 1,
              losses,
            );
          }
          const decay = 0.5 ** (1 / guard.halfLife);
          scaleSum = scaleSum * decay + Math.abs(losses.total);
          scaleWeight = scaleWeight * decay + 1;
          guarded += 1;
        }
        optimizer.applyGradients(grads);
        tf.dispose(Object.values(grads));
        if (auxiliary && auxiliaryOptimizer) {
          // the same batch and seed, with the main step's updated weights
          const auxiliaryGrads = tf.tidy(() => {
            const x = data.batch(indices);
            const indexLabels = batchLabels(data, indices);
            const labels = indexLabels && tf.tensor1d(indexLabels, 'int32');
            const { value, grads } = tf.variableGrads(
              () => auxiliary.loss(x, { ...context, labels }),
              auxiliaryList,
            );
            value.dispose();
            return grads;
          });
          auxiliaryOptimizer.applyGradients(auxiliaryGrads);
          tf.dispose(Object.values(auxiliaryGrads));
        }
        pool?.weightsChanged();
        step += 1;
        const count = end - start;
        for (let k = 0; k < 5; k++) sums[k] += values[k] * count;
        seen += count;
        seconds += (performance.now() - started) / 1000;
        await runHooks(hooks, 'onBatchEnd', { epoch, batch: b + 1, batches: ranges.length, step, losses });
        options.onProgress?.({ done: step, total: epochs * ranges.length });
        if (performance.now() - lastYield > 50) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      startBatch = 0;
      partial = { sums: [0, 0, 0, 0, 0], seen: 0, seconds: 0 };
      if (history.aborted && seen === 0) break;
      model.trainingStep = step;
      const record: EpochRecord = {
        epoch,
        train: toTerms(sums, 1 / seen),
        seconds,
        examplesPerSecond: seen / Math.max(seconds, 1e-9),
        step,
      };
      if (history.aborted) record.partial = true;
      if (validationData) {
        record.validation = await model.evaluate(validationData, {
          seed: random.nextSeed(),
          step,
          klSchedule,
        });
      }
      history.epochs.push(record);
      let stop = false;
      if (stopping && !history.aborted) {
        const value = monitor === 'validation' ? (record.validation as LossTerms).total : record.train.total;
        if (value < best.best - (stopping.minDelta ?? 0)) {
          best = { best: value, bestEpoch: epoch, wait: 0 };
          if (restoreBest) {
            tf.dispose(Object.values(bestWeights ?? {}));
            bestWeights = snapshot(model.variables);
          }
        } else {
          best = { ...best, wait: best.wait + 1 };
          stop = best.wait >= (stopping.patience ?? 5);
        }
        history.bestEpoch = best.bestEpoch;
      }
      await runHooks(hooks, 'onEpochEnd', record);
      // An aborted epoch was checkpointed where it stopped, before its partial record.
      if (history.aborted) break;
      if (stop) {
        history.stoppedEarly = true;
        if (bestWeights) for (const [name, v] of Object.entries(model.variables)) v.assign(bestWeights[name]);
      }
      const every = options.checkpoint?.every ?? 1;
      const aborted = options.signal?.aborted === true;
      if (stop || aborted || epoch % every === 0 || epoch === epochs) {
        await checkpointNow({ epoch: epoch + 1, batch: 0, randomState: random.getState() });
      }
      if (stop) break;
      if (aborted) {
        history.aborted = true;
        break;
      }
    }
    model.trainingStep = step;
    await runHooks(hooks, 'onTrainEnd', history);
  } finally {
    await pool?.close();
    if (ownOptimizer) optimizer.dispose();
    auxiliaryOptimizer?.dispose();
    tf.dispose(Object.values(bestWeights ?? {}));
  }
  return history;
}
