/**
 * Reconstruction losses and divergences, in nats. Every function documents its reduction: "per example" means
 * summed over all non-batch axes, one value per row of the batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';

export type Reduction = 'none' | 'mean' | 'sum';

function reduceBatch(perExample: tf.Tensor1D, reduction: Reduction): tf.Tensor {
  if (reduction === 'none') return perExample;
  return reduction === 'mean' ? tf.mean(perExample) : tf.sum(perExample);
}

function flattenRows(t: tf.Tensor): tf.Tensor2D {
  return t.rank === 2 ? (t as tf.Tensor2D) : tf.reshape(t, [t.shape[0], -1]);
}

function assertSameShape(a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(
      `${what}: targets have shape [${a.shape}] but predictions have shape [${b.shape}]; ` +
        'reshape one of them so the two match.',
    );
  }
}

/**
 * Binary cross-entropy between targets x in [0, 1] and Bernoulli logits l, computed stably:
 * `max(l, 0) - l * x + log(1 + exp(-|l|))`. Equal to `-x log sigmoid(l) - (1 - x) log(1 - sigmoid(l))`
 * without overflow for large |l|. Summed over pixels (the negative Bernoulli log-likelihood per example),
 * then reduced over the batch (`mean` by default).
 */
export function binaryCrossEntropyWithLogits(
  targets: tf.Tensor,
  logits: tf.Tensor,
  options: { reduction?: Reduction } = {},
): tf.Tensor {
  assertSameShape(targets, logits, 'binaryCrossEntropyWithLogits');
  return tf.tidy(() => {
    const x = flattenRows(targets);
    const l = flattenRows(logits);
    const elementwise = tf.add(tf.sub(tf.relu(l), tf.mul(l, x)), tf.log1p(tf.exp(tf.neg(tf.abs(l)))));
    return reduceBatch(tf.sum(elementwise, 1) as tf.Tensor1D, options.reduction ?? 'mean');
  });
}

/**
 * KL(N(mu, diag(exp(logVar))) || N(0, I)) in closed form:
 * `-1/2 * sum_j (1 + logVar_j - mu_j^2 - exp(logVar_j))`, summed over latent dimensions, then reduced over the
 * batch (`mean` by default). Use `reduction: 'none'` for one value per example.
 */
export function klDivergenceStandardNormal(
  mean: tf.Tensor,
  logVar: tf.Tensor,
  options: { reduction?: Reduction } = {},
): tf.Tensor {
  assertSameShape(mean, logVar, 'klDivergenceStandardNormal');
  return tf.tidy(() => {
    const m = flattenRows(mean);
    const lv = flattenRows(logVar);
    const perDim = tf.mul(-0.5, tf.sub(tf.add(1, lv), tf.add(tf.square(m), tf.exp(lv))));
    return reduceBatch(tf.sum(perDim, 1) as tf.Tensor1D, options.reduction ?? 'mean');
  });
}

/**
 * The reparameterization trick: `z = mean + exp(logVar / 2) * eps` with `eps ~ N(0, I)`, so gradients flow to
 * `mean` and `logVar`. `seed` makes the draw reproducible; `temperature` scales eps.
 */
export function reparameterize(
  mean: tf.Tensor,
  logVar: tf.Tensor,
  options: { seed?: number; temperature?: number } = {},
): tf.Tensor {
  assertSameShape(mean, logVar, 'reparameterize');
  return tf.tidy(() => {
    let eps: tf.Tensor = tf.randomNormal(mean.shape, 0, 1, 'float32', options.seed);
    if (options.temperature !== undefined && options.temperature !== 1)
      eps = tf.mul(eps, options.temperature);
    return tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVar)), eps));
  });
}
