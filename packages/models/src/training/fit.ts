import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, batchRanges, type LossTerms, Random } from '@vae/core';
import type { TrainableModel } from './trainable';

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
}

export interface History {
  epochs: EpochRecord[];
  /** True when training stopped early because the signal was aborted. */
  aborted: boolean;
}

export interface FitOptions {
  /** Passes over the data. Default 10. */
  epochs?: number;
  /** Examples per step. Default 128. */
  batchSize?: number;
  /** Adam's learning rate when no optimizer is given. Default 1e-3. */
  learningRate?: number;
  /** An optimizer of your own (it is not disposed). Default: Adam(learningRate, 0.9, 0.999, 1e-8), as PyTorch. */
  optimizer?: tf.Optimizer;
  /** Data to evaluate after every epoch. */
  validationData?: BatchSource;
  /** Seed for shuffling and for the reparameterization noise. */
  seed?: number;
  /** Shuffle the examples every epoch. Default true. */
  shuffle?: boolean;
  /** Stops training after the current step when aborted. */
  signal?: AbortSignal;
  /** Called after every step (cheap: no values are read from the backend). */
  onBatchEnd?: (progress: { epoch: number; batch: number; batches: number }) => void;
  /** Called after every epoch with its record; may be async (e.g. to write a checkpoint). */
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`fit: ${name} must be a positive integer, got ${value}.`);
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Minibatch training: every epoch shuffles the examples, takes one optimizer step per batch on the model's
 * objective, and reports the averaged loss terms. Between steps it yields to the event loop now and then, so
 * progress bars, Ctrl-C and browser pages stay responsive.
 */
export async function train(
  model: TrainableModel,
  data: BatchSource,
  options: FitOptions = {},
): Promise<History> {
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 128;
  checkPositiveInteger('epochs', epochs);
  checkPositiveInteger('batchSize', batchSize);
  if (data.size < 1) throw new Error('fit: the training data is empty.');
  const learningRate = options.learningRate ?? 1e-3;
  if (!(learningRate > 0)) throw new Error(`fit: learningRate must be > 0, got ${learningRate}.`);
  const optimizer = options.optimizer ?? tf.train.adam(learningRate, 0.9, 0.999, 1e-8);
  const random = new Random(options.seed ?? Date.now());
  const variables = Object.values(model.variables).filter((v) => v.trainable);
  const history: History = { epochs: [], aborted: false };

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = options.shuffle === false ? null : random.permutation(data.size);
      const ranges = batchRanges(data.size, batchSize);
      const started = performance.now();
      let lastYield = started;
      let sums = tf.zeros([2]);
      let seen = 0;
      for (let b = 0; b < ranges.length; b++) {
        if (options.signal?.aborted) {
          history.aborted = true;
          break;
        }
        const [start, end] = ranges[b];
        const indices = order
          ? order.subarray(start, end)
          : Array.from({ length: end - start }, (_, i) => start + i);
        const seed = random.nextSeed();
        let terms: tf.Tensor | undefined;
        const next = tf.tidy(() => {
          const x = data.batch(indices);
          const { value, grads } = tf.variableGrads(() => {
            const loss = model.trainingLoss(x, { seed });
            terms = tf.keep(tf.stack([loss.terms.reconstruction, loss.terms.kl]));
            return loss.total;
          }, variables);
          optimizer.applyGradients(grads);
          value.dispose();
          return tf.add(sums, tf.mul(terms!, end - start));
        });
        terms?.dispose();
        sums.dispose();
        sums = next;
        seen += end - start;
        options.onBatchEnd?.({ epoch, batch: b + 1, batches: ranges.length });
        const now = performance.now();
        if (now - lastYield > 100) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      const totals = await sums.data();
      sums.dispose();
      const seconds = (performance.now() - started) / 1000;
      if (seen === 0) break;
      const beta = model.config.beta;
      const reconstruction = totals[0] / seen;
      const kl = totals[1] / seen;
      const record: EpochRecord = {
        epoch,
        train: { reconstruction, kl, weightedKl: beta * kl, total: reconstruction + beta * kl },
        seconds,
        examplesPerSecond: seen / seconds,
      };
      if (options.validationData) {
        record.validation = await model.evaluate(options.validationData, { seed: random.nextSeed() });
      }
      history.epochs.push(record);
      await options.onEpochEnd?.(record);
      if (history.aborted) break;
    }
  } finally {
    if (!options.optimizer) optimizer.dispose();
  }
  return history;
}
