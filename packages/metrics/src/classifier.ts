import { Random } from '@vae/core';
import { assertInRange, assertInteger } from './checks';
import type { Matrix } from './matrix';

export interface SoftmaxRegressionOptions {
  /** Passes over the training set. Default 20. */
  epochs?: number;
  /** Examples per gradient step. Default 128. */
  batchSize?: number;
  /** Adam step size. Default 0.01. */
  learningRate?: number;
  /** L2 penalty on the weights, added to the mean cross-entropy as (l2 / 2) ||W||^2. Default 1e-4. */
  l2?: number;
  /** Seed for the shuffling of the training set. Default 0. */
  seed?: number;
}

/** A trained multinomial logistic regression on standardized features. */
export interface SoftmaxRegression {
  predict(features: Matrix): Int32Array;
}

/**
 * Multinomial logistic regression trained by mini-batch gradient descent with Adam steps on the mean
 * cross-entropy, in float64 JavaScript. Features are standardized with the training set's mean and standard
 * deviation first, so the defaults work whatever the scale of the codes. `labels` are class indices 0..classes-1.
 */
export function trainSoftmaxRegression(
  features: Matrix,
  labels: Int32Array,
  classes: number,
  options: SoftmaxRegressionOptions,
  where: string,
): SoftmaxRegression {
  const epochs = options.epochs ?? 20;
  const batchSize = options.batchSize ?? 128;
  const learningRate = options.learningRate ?? 0.01;
  const l2 = options.l2 ?? 1e-4;
  assertInteger(where, 'epochs', epochs, 0);
  assertInteger(where, 'batchSize', batchSize);
  assertInRange(where, 'learningRate', learningRate, 0, Number.MAX_VALUE);
  assertInRange(where, 'l2', l2, 0, Number.MAX_VALUE);
  const random = new Random(options.seed ?? 0);
  const { rows, columns, values } = features;

  const center = new Float64Array(columns);
  const scale = new Float64Array(columns);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < columns; j++) center[j] += values[i * columns + j] / rows;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) scale[j] += (values[i * columns + j] - center[j]) ** 2 / rows;
  }
  for (let j = 0; j < columns; j++) scale[j] = scale[j] > 1e-24 ? 1 / Math.sqrt(scale[j]) : 0;
  const standardized = new Float64Array(values.length);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++)
      standardized[i * columns + j] = (values[i * columns + j] - center[j]) * scale[j];
  }

  // Parameters: weights [classes, columns] (row c scores class c) then biases [classes], with Adam moments.
  const size = (columns + 1) * classes;
  const parameters = new Float64Array(size);
  const gradient = new Float64Array(size);
  const firstMoment = new Float64Array(size);
  const secondMoment = new Float64Array(size);
  const logits = new Float64Array(classes);
  let step = 0;

  const scores = (x: Float64Array, offset: number) => {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) {
      let sum = parameters[columns * classes + c];
      const row = c * columns;
      for (let j = 0; j < columns; j++) sum += x[offset + j] * parameters[row + j];
      logits[c] = sum;
      if (sum > max) max = sum;
    }
    return max;
  };

  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = random.permutation(rows);
    for (let start = 0; start < rows; start += batchSize) {
      const end = Math.min(rows, start + batchSize);
      gradient.fill(0);
      for (let b = start; b < end; b++) {
        const offset = order[b] * columns;
        const max = scores(standardized, offset);
        let total = 0;
        for (let c = 0; c < classes; c++) {
          logits[c] = Math.exp(logits[c] - max);
          total += logits[c];
        }
        for (let c = 0; c < classes; c++) {
          const error = logits[c] / total - (labels[order[b]] === c ? 1 : 0);
          gradient[columns * classes + c] += error;
          const row = c * columns;
          for (let j = 0; j < columns; j++) gradient[row + j] += error * standardized[offset + j];
        }
      }
      const count = end - start;
      step += 1;
      const correction1 = 1 - 0.9 ** step;
      const correction2 = 1 - 0.999 ** step;
      for (let p = 0; p < size; p++) {
        const g = gradient[p] / count + (p < columns * classes ? l2 * parameters[p] : 0);
        firstMoment[p] = 0.9 * firstMoment[p] + 0.1 * g;
        secondMoment[p] = 0.999 * secondMoment[p] + 0.001 * g * g;
        parameters[p] -=
          (learningRate * (firstMoment[p] / correction1)) / (Math.sqrt(secondMoment[p] / correction2) + 1e-8);
      }
    }
  }

  return {
    predict: (test) => {
      if (test.columns !== columns) {
        throw new Error(
          `${where}: the test features have ${test.columns} columns, the training features ${columns}.`,
        );
      }
      const predictions = new Int32Array(test.rows);
      const x = new Float64Array(columns);
      for (let i = 0; i < test.rows; i++) {
        for (let j = 0; j < columns; j++) x[j] = (test.values[i * columns + j] - center[j]) * scale[j];
        scores(x, 0);
        let best = 0;
        for (let c = 1; c < classes; c++) if (logits[c] > logits[best]) best = c;
        predictions[i] = best;
      }
      return predictions;
    },
  };
}
