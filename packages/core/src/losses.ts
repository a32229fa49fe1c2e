/**
 * Reconstruction losses (negative log-likelihoods of the data under the decoder), in nats. Every function sums over
 * the pixels of one example ("per example": all axes but the first, the batch axis) and then applies its
 * `reduction` over the batch: 'none' gives one value per example, shape [batch]; 'mean' (the default) and 'sum'
 * give a scalar. The KL divergences live in divergences.ts and are re-exported here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedBceAvailable, fusedBceRows } from './bce';
import './gradients';
import {
  assertBatched,
  assertBroadcastsTo,
  assertFiniteNumber,
  assertInOpenInterval,
  assertPositive,
  assertSameShape,
  LOG_TWO_PI,
  type Reduction,
  reduceBatch,
  sumAxes,
} from './validation';

export { klDivergenceStandardNormal } from './divergences';
export type { Reduction } from './validation';

export interface ReductionOptions {
  /** 'none': one value per example, shape [batch]; 'mean' (default) or 'sum' over the batch: a scalar. */
  reduction?: Reduction;
}

/** Sums an elementwise tensor of shape [batch, ...] over all axes but the first, then reduces over the batch. */
function perExample(elementwise: tf.Tensor, reduction: Reduction, caller: string): tf.Tensor {
  const axes = Array.from({ length: elementwise.rank - 1 }, (_, i) => i + 1);
  return reduceBatch(sumAxes(elementwise, axes), reduction, caller);
}

function checkPair(caller: string, targets: tf.Tensor, predictionName: string, prediction: tf.Tensor): void {
  assertSameShape(caller, 'targets', targets, predictionName, prediction);
  assertBatched(caller, 'targets', targets);
}

/**
 * Binary cross-entropy between targets x in [0, 1] and Bernoulli logits l, computed stably:
 * `max(l, 0) - l * x + log(1 + exp(-|l|))`. Equal to `-x log sigmoid(l) - (1 - x) log(1 - sigmoid(l))`
 * without overflow for large |l|. Summed over pixels (the negative Bernoulli log-likelihood per example, in
 * nats), then reduced over the batch (`mean` by default). Prefer this to `binaryCrossEntropy` when the decoder
 * ends in a sigmoid: pass the pre-sigmoid logits.
 */
export function binaryCrossEntropyWithLogits(
  targets: tf.Tensor,
  logits: tf.Tensor,
  options: ReductionOptions = {},
): tf.Tensor {
  checkPair('binaryCrossEntropyWithLogits', targets, 'logits', logits);
  return tf.tidy(() => {
    const batch = targets.shape[0];
    const rows = (t: tf.Tensor) => (t.rank === 2 ? t : tf.reshape(t, [batch, t.size / Math.max(batch, 1)]));
    const perRow = bceWithLogitsRows(rows(targets), rows(logits));
    return reduceBatch(perRow, options.reduction ?? 'mean', 'binaryCrossEntropyWithLogits');
  });
}

/**
 * Per-row sums of the stable BCE over [batch, n] rows, with its gradient written out: d/dl = sigmoid(l) - x and
 * d/dx = -l, each times the upstream gradient of the row. Automatic differentiation of the nine element-wise ops
 * of the forward pass runs about a dozen more full-size kernels per step; this runs three for the logits.
 * (At exactly l = 0 autodiff gives -x from the subgradients of relu and |l|; the true derivative is 1/2 - x.)
 * On the wasm and cpu backends the forward pass is one fused kernel (bce.ts) that also returns sigmoid(l) - x,
 * so the backward pass only scales it.
 */
const bceWithLogitsRows = tf.customGrad(((...args: unknown[]) => {
  const x = args[0] as tf.Tensor2D;
  const l = args[1] as tf.Tensor2D;
  const save = args[2] as tf.GradSaveFunc;
  if (x.dtype === 'float32' && l.dtype === 'float32' && fusedBceAvailable()) {
    const [value, g] = fusedBceRows(x, l);
    save([l, g]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedL, savedG] = saved;
        const upstream = tf.reshape(dy, [dy.shape[0] ?? 0, 1]);
        return [tf.mul(tf.neg(savedL), upstream), tf.mul(savedG, upstream)];
      },
    };
  }
  save([x, l]);
  const elementwise = tf.add(tf.sub(tf.relu(l), tf.mul(l, x)), tf.log1p(tf.exp(tf.neg(tf.abs(l)))));
  return {
    value: tf.sum(elementwise, 1),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedX, savedL] = saved;
      const upstream = tf.reshape(dy, [dy.shape[0] ?? 0, 1]);
      return [tf.mul(tf.neg(savedL), upstream), tf.mul(tf.sub(tf.sigmoid(savedL), savedX), upstream)];
    },
  };
}) as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor, l: tf.Tensor) => tf.Tensor1D;

export interface BinaryCrossEntropyOptions extends ReductionOptions {
  /**
   * Probabilities are clipped to [epsilon, 1 - epsilon] before the logarithms, so that p = 0 or 1 gives a large
   * finite loss instead of Infinity or NaN. Default 1e-7 (as Keras). Where clipping is active the gradient with
   * respect to the probability is zero. Must lie in (0, 0.5).
   */
  epsilon?: number;
}

/**
 * Binary cross-entropy between targets x in [0, 1] and probabilities p (a decoder ending in a sigmoid):
 * `-x log p - (1 - x) log(1 - p)` with p clipped to [epsilon, 1 - epsilon]. Summed over pixels (nats per
 * example), then reduced over the batch (`mean` by default). Less accurate than `binaryCrossEntropyWithLogits`
 * for saturated outputs; use that one when the logits are at hand.
 */
export function binaryCrossEntropy(
  targets: tf.Tensor,
  probabilities: tf.Tensor,
  options: BinaryCrossEntropyOptions = {},
): tf.Tensor {
  const caller = 'binaryCrossEntropy';
  checkPair(caller, targets, 'probabilities', probabilities);
  const epsilon = options.epsilon ?? 1e-7;
  assertInOpenInterval(caller, 'epsilon', epsilon, 0, 0.5, 'Use a small value such as 1e-7.');
  return tf.tidy(() => {
    const p = tf.clipByValue(probabilities, epsilon, 1 - epsilon);
    const elementwise = tf.neg(
      tf.add(tf.mul(targets, tf.log(p)), tf.mul(tf.sub(1, targets), tf.log1p(tf.neg(p)))),
    );
    return perExample(elementwise, options.reduction ?? 'mean', caller);
  });
}

/**
 * Squared error summed over pixels, `sum_j (xhat_j - x_j)^2` per example (the SSD of the lecture notes), then
 * reduced over the batch (`mean` by default: the notes' `1/m sum_i sum_j (xhat_ij - x_ij)^2`). Equals twice the
 * Gaussian negative log-likelihood with unit variance, less its constant.
 */
export function squaredError(
  targets: tf.Tensor,
  predictions: tf.Tensor,
  options: ReductionOptions = {},
): tf.Tensor {
  checkPair('squaredError', targets, 'predictions', predictions);
  return tf.tidy(() =>
    perExample(tf.squaredDifference(predictions, targets), options.reduction ?? 'mean', 'squaredError'),
  );
}

/**
 * Mean squared error: the squared error averaged over the pixels of each example,
 * `1/n sum_j (xhat_j - x_j)^2`, then reduced over the batch (`mean` by default, which equals the mean over all
 * elements). Not a log-likelihood in nats; use `squaredError` or a Gaussian NLL for a VAE's reconstruction term.
 */
export function meanSquaredError(
  targets: tf.Tensor,
  predictions: tf.Tensor,
  options: ReductionOptions = {},
): tf.Tensor {
  checkPair('meanSquaredError', targets, 'predictions', predictions);
  const pixels = targets.shape.slice(1).reduce((a, b) => a * b, 1);
  return tf.tidy(() =>
    tf.div(
      perExample(tf.squaredDifference(predictions, targets), options.reduction ?? 'mean', 'meanSquaredError'),
      pixels,
    ),
  );
}

export interface FixedVarianceOptions extends ReductionOptions {
  /** The fixed variance sigma^2 of every pixel, > 0. Default 1. */
  variance?: number;
}

/**
 * Negative log-likelihood of targets x under N(mean, sigma^2) with a fixed variance sigma^2 for every pixel,
 * including the normalizing constant so it is a true density:
 * `sum_j [ 1/2 log(2 pi) + 1/2 log(sigma^2) + (x_j - mean_j)^2 / (2 sigma^2) ]` per example (nats), then reduced
 * over the batch (`mean` by default). With sigma^2 = 1 this is `squaredError / 2 + n/2 log(2 pi)`.
 */
export function gaussianNegativeLogLikelihoodFixedVariance(
  targets: tf.Tensor,
  mean: tf.Tensor,
  options: FixedVarianceOptions = {},
): tf.Tensor {
  const caller = 'gaussianNegativeLogLikelihoodFixedVariance';
  checkPair(caller, targets, 'mean', mean);
  const variance = options.variance ?? 1;
  assertPositive(caller, 'variance', variance, 'Pass the variance sigma^2 itself, not its logarithm.');
  const constant = 0.5 * (LOG_TWO_PI + Math.log(variance));
  return tf.tidy(() => {
    const elementwise = tf.add(tf.div(tf.squaredDifference(targets, mean), 2 * variance), constant);
    return perExample(elementwise, options.reduction ?? 'mean', caller);
  });
}

/**
 * Negative log-likelihood of targets x under N(mean, exp(logVar)) with a learned log-variance, including the
 * normalizing constant: `sum_j [ 1/2 log(2 pi) + 1/2 logVar_j + (x_j - mean_j)^2 / (2 exp(logVar_j)) ]` per
 * example (nats), then reduced over the batch (`mean` by default). `logVar` is per pixel (the shape of `targets`)
 * or shared: any shape that broadcasts to it, e.g. [pixels...] shared over the batch, [1] or a scalar for one
 * variance for everything. The lecture notes' form omits the constant; it is included here so that values are
 * comparable with other likelihoods.
 */
export function gaussianNegativeLogLikelihood(
  targets: tf.Tensor,
  mean: tf.Tensor,
  logVar: tf.Tensor,
  options: ReductionOptions = {},
): tf.Tensor {
  const caller = 'gaussianNegativeLogLikelihood';
  checkPair(caller, targets, 'mean', mean);
  assertBroadcastsTo(caller, 'logVar', logVar, 'targets', targets);
  return tf.tidy(() => {
    const elementwise = tf.mul(
      0.5,
      tf.add(tf.add(logVar, LOG_TWO_PI), tf.mul(tf.squaredDifference(targets, mean), tf.exp(tf.neg(logVar)))),
    );
    return perExample(elementwise, options.reduction ?? 'mean', caller);
  });
}

export interface ReparameterizeOptions {
  /** Seed of the noise eps, for reproducible draws. Omit for a random one. */
  seed?: number;
  /** Scales eps (temperature 0 gives the mean). Default 1. Must be finite and >= 0. */
  temperature?: number;
}

/**
 * The reparameterization trick: `z = mean + exp(logVar / 2) * eps` with `eps ~ N(0, I)`, so gradients flow to
 * `mean` and `logVar`. `seed` makes the draw reproducible; `temperature` scales eps. Returns the shape of `mean`.
 */
export function reparameterize(
  mean: tf.Tensor,
  logVar: tf.Tensor,
  options: ReparameterizeOptions = {},
): tf.Tensor {
  assertSameShape('reparameterize', 'mean', mean, 'logVar', logVar);
  if (options.temperature !== undefined) {
    assertFiniteNumber('reparameterize', 'temperature', options.temperature);
    if (options.temperature < 0) {
      throw new Error(`reparameterize: temperature must be >= 0, got ${options.temperature}.`);
    }
  }
  return tf.tidy(() => {
    let eps: tf.Tensor = tf.randomNormal(mean.shape, 0, 1, 'float32', options.seed);
    if (options.temperature !== undefined && options.temperature !== 1)
      eps = tf.mul(eps, options.temperature);
    return reparameterizeWithNoise(mean, logVar, eps);
  });
}

/**
 * `mean + exp(logVar / 2) * eps` for given noise, with the gradient written out: `d/dmean = dz`,
 * `d/dlogVar = dz * exp(logVar / 2) * eps / 2` (no gradient for the noise). Autodiff of the four element-wise ops
 * runs about eight backward kernels plus the copies it saves; this runs two.
 */
function reparameterizeWithNoise(mean: tf.Tensor, logVar: tf.Tensor, eps: tf.Tensor): tf.Tensor {
  const op = tf.customGrad(((...args: unknown[]) => {
    const m = args[0] as tf.Tensor;
    const lv = args[1] as tf.Tensor;
    const save = args[2] as tf.GradSaveFunc;
    const scaledNoise = tf.mul(tf.exp(tf.mul(0.5, lv)), eps);
    save([scaledNoise]);
    return {
      value: tf.add(m, scaledNoise),
      // A new handle on dz for the mean (the engine may dispose accumulated gradients it owns).
      gradFunc: (dz: tf.Tensor, saved: tf.Tensor[]) => [
        tf.reshape(dz, dz.shape),
        tf.mul(tf.mul(dz, saved[0]), 0.5),
      ],
    };
  }) as Parameters<typeof tf.customGrad>[0]) as (m: tf.Tensor, lv: tf.Tensor) => tf.Tensor;
  return op(mean, logVar);
}

/**
 * Softmax cross-entropy between integer class labels y [batch] and class logits l [batch, classes]:
 * `-log softmax(l)_y = logSumExp(l) - l_y` per example, computed stably through `tf.logSoftmax`, in nats, then
 * reduced over the batch ('mean' by default, 'sum', or 'none' for shape [batch]). Its gradient with respect to the
 * logits is `softmax(l) - onehot(y)`. A label outside [0, classes), e.g. -1 for an unlabelled example of a
 * semi-supervised batch, contributes 0 (its one-hot row is all zeros), so a mixed batch needs no gather; with
 * 'mean' the sum is still divided by the whole batch. Labels may be an int32 tensor or an array of integers.
 */
export function softmaxCrossEntropyWithLogits(
  labels: tf.Tensor | ArrayLike<number>,
  logits: tf.Tensor,
  options: ReductionOptions = {},
): tf.Tensor {
  const caller = 'softmaxCrossEntropyWithLogits';
  if (logits.rank !== 2) {
    throw new Error(`${caller}: logits must have shape [batch, classes], got [${logits.shape}].`);
  }
  const batch = logits.shape[0];
  const count = labels instanceof tf.Tensor ? labels.size : labels.length;
  if ((labels instanceof tf.Tensor && labels.rank !== 1) || count !== batch) {
    const shape = labels instanceof tf.Tensor ? `[${labels.shape}]` : `${count} values`;
    throw new Error(`${caller}: labels must be one integer per example, [${batch}], got ${shape}.`);
  }
  return tf.tidy(() => {
    const y =
      labels instanceof tf.Tensor ? tf.cast(labels, 'int32') : tf.tensor1d(Array.from(labels), 'int32');
    const oneHot = tf.cast(tf.oneHot(y as tf.Tensor1D, logits.shape[1] as number), logits.dtype);
    const perExample = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1));
    return reduceBatch(perExample, options.reduction ?? 'mean', caller);
  });
}
