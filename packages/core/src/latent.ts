/**
 * Paths through a latent space: interpolation between codes (linear, or spherical as White 2016, "Sampling
 * Generative Networks", recommends for Gaussian priors) and traversal of one latent dimension with the others held
 * fixed (the "latent perturbation" of the lecture notes). Both return codes; decode them with a model.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertFiniteNumber, assertPositiveInteger, assertRank, assertSameShape } from './validation';

/** Slerp needs |cos(omega)| below this; closer to (anti)parallel the path is linear. */
const SLERP_COSINE_LIMIT = 0.9995;

export interface InterpolateOptions {
  /**
   * Spherical interpolation (slerp) along the great circle between the codes, with the norm interpolated linearly;
   * falls back to linear where the codes are (anti-)parallel (within about 1.8 degrees) or one is zero, where the
   * great circle is undefined or ill-conditioned. Default false: linear.
   */
  spherical?: boolean;
}

/**
 * Codes on the path from `a` to `b` for each row: `a` and `b` are [batch, latent], the result is
 * [batch, steps, latent]; for two single codes of shape [latent] it is [steps, latent]. `steps` is a count of evenly spaced points, both ends included (t = 0, 1 / (steps - 1),
 * ..., 1), or the values of t themselves (e.g. `[0.3]` for one point; t = 0 is `a`, t = 1 is `b`).
 * Linear: `(1 - t) a + t b`. Spherical (slerp, White 2016): the direction `sin((1 - t) omega) / sin(omega) a_hat +
 * sin(t omega) / sin(omega) b_hat`, at angle `t omega` from `a` on the great circle through both codes (omega the
 * angle between them), scaled by the linearly interpolated norm `(1 - t) |a| + t |b|`; linear where the codes are
 * (anti-)parallel or one is zero. The one slerp of the toolkit: `@vae/viz` and `@vae/models` call it.
 */
export function interpolateLatent(
  a: tf.Tensor1D,
  b: tf.Tensor1D,
  steps: number | readonly number[],
  options?: InterpolateOptions,
): tf.Tensor2D;
export function interpolateLatent(
  a: tf.Tensor,
  b: tf.Tensor,
  steps: number | readonly number[],
  options?: InterpolateOptions,
): tf.Tensor3D;
export function interpolateLatent(
  a: tf.Tensor,
  b: tf.Tensor,
  steps: number | readonly number[],
  options: InterpolateOptions = {},
): tf.Tensor {
  const caller = 'interpolateLatent';
  if (a.rank === 1 && b.rank === 1) {
    assertSameShape(caller, 'a', a, 'b', b);
    return tf.tidy(() =>
      tf.squeeze(interpolateLatent(tf.expandDims(a, 0), tf.expandDims(b, 0), steps, options), [0]),
    );
  }
  assertRank(caller, 'a', a, 2, '[batch, latent] (or [latent] for one code)');
  assertSameShape(caller, 'a', a, 'b', b);
  let t: number[];
  if (typeof steps === 'number') {
    assertPositiveInteger(caller, 'steps', steps);
    t = Array.from({ length: steps }, (_, i) => (steps === 1 ? 0 : i / (steps - 1)));
  } else {
    if (!Array.isArray(steps) || steps.length === 0) {
      throw new Error(`${caller}: steps must be a positive integer or a non-empty array of t values.`);
    }
    steps.forEach((value, i) => {
      assertFiniteNumber(caller, `steps[${i}]`, value);
    });
    t = [...steps];
  }
  const count = t.length;
  return tf.tidy(() => {
    const from = tf.expandDims(a, 1); // [batch, 1, latent]
    const to = tf.expandDims(b, 1);
    const weights = tf.reshape(tf.tensor1d(t), [1, count, 1]);
    const linear = tf.add(from, tf.mul(weights, tf.sub(to, from)));
    if (!options.spherical) return linear as tf.Tensor3D;
    const normA = tf.norm(from, 'euclidean', -1, true); // [batch, 1, 1]
    const normB = tf.norm(to, 'euclidean', -1, true);
    const unitA = tf.div(from, tf.maximum(normA, 1e-12));
    const unitB = tf.div(to, tf.maximum(normB, 1e-12));
    const cosine = tf.clipByValue(tf.sum(tf.mul(unitA, unitB), -1, true), -1, 1);
    const omega = tf.acos(cosine);
    const sinOmega = tf.sin(omega);
    // Within about 1.8 degrees of (anti)parallel, sin(omega) is so small in float32 that the weights lose their
    // digits (near-antipodal codes gave garbage): the straight line is used there, as for a zero code, which has
    // no direction (its cosine is 0, so the norms are checked as well).
    const safe = tf.logicalAnd(
      tf.less(tf.abs(cosine), SLERP_COSINE_LIMIT),
      tf.logicalAnd(tf.greater(normA, 1e-12), tf.greater(normB, 1e-12)),
    );
    const denominator = tf.where(safe, sinOmega, tf.onesLike(sinOmega));
    const wa = tf.div(tf.sin(tf.mul(tf.sub(1, weights), omega)), denominator);
    const wb = tf.div(tf.sin(tf.mul(weights, omega)), denominator);
    const norm = tf.add(normA, tf.mul(weights, tf.sub(normB, normA)));
    const spherical = tf.mul(tf.add(tf.mul(wa, unitA), tf.mul(wb, unitB)), norm);
    return tf.where(tf.broadcastTo(safe, linear.shape), spherical, linear) as tf.Tensor3D;
  });
}

export interface TraverseOptions {
  /** The values the dimension takes, [from, to]. Default [-3, 3] (three prior standard deviations). */
  range?: [number, number];
  /** Number of values, evenly spaced and including both ends. Default 10. */
  steps?: number;
}

/**
 * Traversal of one latent dimension: for each code of `z` ([batch, latent]), `steps` copies in which `dimension`
 * takes evenly spaced values over `range` while the other dimensions keep their values. Returns
 * [batch, steps, latent].
 */
export function traverseLatent(z: tf.Tensor, dimension: number, options: TraverseOptions = {}): tf.Tensor3D {
  const caller = 'traverseLatent';
  assertRank(caller, 'z', z, 2, '[batch, latent]');
  const latent = z.shape[1] as number;
  if (!Number.isInteger(dimension) || dimension < 0 || dimension >= latent) {
    throw new Error(`${caller}: dimension must be an integer in [0, ${latent - 1}], got ${dimension}.`);
  }
  const [from, to] = options.range ?? [-3, 3];
  assertFiniteNumber(caller, 'range[0]', from);
  assertFiniteNumber(caller, 'range[1]', to);
  const steps = options.steps ?? 10;
  assertPositiveInteger(caller, 'steps', steps);
  const values = Array.from({ length: steps }, (_, i) =>
    steps === 1 ? from : from + ((to - from) * i) / (steps - 1),
  );
  return tf.tidy(() => {
    const batch = z.shape[0] as number;
    const tiled = tf.tile(tf.expandDims(z, 1), [1, steps, 1]); // [batch, steps, latent]
    const mask = tf.tensor3d(
      Array.from({ length: latent }, (_, i) => (i === dimension ? 1 : 0)),
      [1, 1, latent],
    );
    const column = tf.reshape(tf.tensor1d(values), [1, steps, 1]);
    const replaced = tf.add(tf.mul(tiled, tf.sub(1, mask)), tf.mul(column, mask));
    return tf.reshape(replaced, [batch, steps, latent]) as tf.Tensor3D;
  });
}
