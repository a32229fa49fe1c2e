/** Numerically stable reductions in log space (nats). */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import { normalizeAxis } from './validation';

// tfjs types customGrad's function as variadic over Tensor | GradSaveFunc; ours take them positionally.
type CustomGradient = Parameters<typeof tf.customGrad>[0];

/**
 * `log(sum_i exp(x_i))` along `axis` (default the last), computed stably as `m + log(sum_i exp(x_i - m))` with
 * m the maximum, so large values neither overflow nor small ones underflow to log(0). Entries of -Infinity
 * (zero weight) are allowed; if all are -Infinity the result is -Infinity with a zero gradient. The gradient is
 * the softmax along `axis`, `exp(x - logSumExp(x))`. `keepDims` keeps the reduced axis with size 1.
 */
export function logSumExp(x: tf.Tensor, axis = -1, keepDims = false): tf.Tensor {
  const a = normalizeAxis('logSumExp', axis, x.rank);
  if (x.shape[a] === 0) {
    throw new Error(`logSumExp: axis ${axis} of x (shape [${x.shape}]) is empty; there is nothing to sum.`);
  }
  const op = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    const max = tf.max(input, a, true);
    const finite = tf.isFinite(max);
    const shift = tf.where(finite, max, tf.zerosLike(max));
    // Where the maximum is not finite (all -Infinity, some +Infinity, NaN), it is the answer; GPUs would
    // otherwise return log(0) as about -88 instead of -Infinity.
    const result = tf.where(
      finite,
      tf.add(tf.log(tf.sum(tf.exp(tf.sub(input, shift)), a, true)), shift),
      max,
    );
    save([input, result]);
    return {
      value: keepDims ? result : tf.squeeze(result, [a]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedInput, savedResult] = saved;
        const weights = tf.exp(tf.sub(savedInput, savedResult));
        const safeWeights = tf.where(tf.isNaN(weights), tf.zerosLike(weights), weights);
        return tf.mul(keepDims ? dy : tf.expandDims(dy, a), safeWeights);
      },
    };
  }) as CustomGradient);
  return op(x);
}

/**
 * `log(1/n sum_i exp(x_i))` along `axis` (default the last), n the axis' length: `logSumExp(x) - log(n)`. The
 * log of an average of weights given in log space, as in importance-sampled likelihoods.
 */
export function logMeanExp(x: tf.Tensor, axis = -1, keepDims = false): tf.Tensor {
  const a = normalizeAxis('logMeanExp', axis, x.rank);
  if (x.shape[a] === 0) {
    throw new Error(
      `logMeanExp: axis ${axis} of x (shape [${x.shape}]) is empty; there is nothing to average.`,
    );
  }
  return tf.tidy(() => tf.sub(logSumExp(x, a, keepDims), Math.log(x.shape[a])));
}
