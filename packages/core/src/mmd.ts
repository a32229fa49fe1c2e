/**
 * Maximum mean discrepancy (Gretton et al., "A Kernel Two-Sample Test", JMLR 2012) between two samples, with the
 * kernels of the MMD-regularized autoencoders: InfoVAE (Zhao et al. 2019) and the Wasserstein autoencoder
 * (Tolstikhin et al., ICLR 2018), which compare the codes of a batch with draws from the prior.
 */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import { assertPositive, assertRank } from './validation';

/**
 * 'rbf': the Gaussian kernel `exp(-|x - y|^2 / C)`. 'imq': the inverse multiquadric `C / (C + |x - y|^2)`, whose
 * heavier tails keep gradients alive between distant samples (Tolstikhin et al. recommend it).
 */
export type MmdKernel = 'rbf' | 'imq';

export const MMD_KERNELS: readonly MmdKernel[] = ['rbf', 'imq'];

export interface KernelOptions {
  /** Default 'rbf'. */
  kernel?: MmdKernel;
  /**
   * C, the kernel's scale (a squared length). Default `2 D`: 2 D sigma^2 for a prior N(0, sigma^2 I) with sigma = 1
   * in D dimensions, as Tolstikhin et al. use.
   */
  bandwidth?: number;
  /**
   * Sum the kernel over the scales C s for each s listed (Tolstikhin et al. sum the IMQ kernel over
   * s = 0.1, 0.2, 0.5, 1, 2, 5, 10). Default [1].
   */
  scales?: readonly number[];
}

export interface MmdOptions extends KernelOptions {
  /**
   * 'unbiased' (default): the U-statistic, leaving out the k(x_i, x_i) and k(y_i, y_i) terms; it can be slightly
   * negative. 'biased': the V-statistic, means over all pairs; >= 0 and exactly 0 for identical samples.
   */
  estimator?: 'unbiased' | 'biased';
}

function checkPair(caller: string, x: tf.Tensor, y: tf.Tensor): void {
  assertRank(caller, 'x', x, 2, '[n, dimensions]');
  assertRank(caller, 'y', y, 2, '[m, dimensions]');
  if (x.shape[1] !== y.shape[1]) {
    throw new Error(
      `${caller}: x and y must have the same number of columns, got [${x.shape}] and [${y.shape}].`,
    );
  }
}

/** |x_i - y_j|^2 for every pair, [n, m], clipped at 0 against rounding. */
export function pairwiseSquaredDistances(x: tf.Tensor, y: tf.Tensor): tf.Tensor2D {
  checkPair('pairwiseSquaredDistances', x, y);
  return tf.tidy(() => {
    const xx = tf.sum(tf.square(x), 1, true); // [n, 1]
    const yy = tf.reshape(tf.sum(tf.square(y), 1), [1, -1]); // [1, m]
    const cross = tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, false, true);
    return tf.relu(tf.sub(tf.add(xx, yy), tf.mul(2, cross))) as tf.Tensor2D;
  });
}

function resolveKernel(caller: string, dims: number, options: KernelOptions) {
  const kernel = options.kernel ?? 'rbf';
  if (!MMD_KERNELS.includes(kernel)) {
    throw new Error(`${caller}: kernel '${kernel}' is not supported; use 'rbf' or 'imq'.`);
  }
  const bandwidth = options.bandwidth ?? 2 * dims;
  assertPositive(caller, 'bandwidth', bandwidth);
  const scales = options.scales ?? [1];
  if (scales.length === 0) throw new Error(`${caller}: scales is empty; pass at least one, e.g. [1].`);
  for (const s of scales) assertPositive(caller, 'scales[]', s);
  return { kernel, bandwidth, scales };
}

/** The kernel k(x_i, y_j) for every pair of rows, [n, m] (summed over `scales`). */
export function kernelMatrix(x: tf.Tensor, y: tf.Tensor, options: KernelOptions = {}): tf.Tensor2D {
  const caller = 'kernelMatrix';
  checkPair(caller, x, y);
  const { kernel, bandwidth, scales } = resolveKernel(caller, x.shape[1] as number, options);
  return tf.tidy(() => {
    const distances = pairwiseSquaredDistances(x, y);
    const terms = scales.map((s) => {
      const c = bandwidth * s;
      return kernel === 'rbf' ? tf.exp(tf.div(distances, -c)) : tf.div(c, tf.add(c, distances));
    });
    return (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Tensor2D;
  });
}

/**
 * MMD^2 between the samples x [n, D] and y [m, D] under a kernel k:
 * `E k(x, x') + E k(y, y') - 2 E k(x, y)`, the expectations over distinct pairs ('unbiased', default; n, m >= 2)
 * or over all pairs ('biased'). A scalar, differentiable in both samples.
 */
export function maximumMeanDiscrepancy(x: tf.Tensor, y: tf.Tensor, options: MmdOptions = {}): tf.Scalar {
  const caller = 'maximumMeanDiscrepancy';
  checkPair(caller, x, y);
  const estimator = options.estimator ?? 'unbiased';
  if (estimator !== 'unbiased' && estimator !== 'biased') {
    throw new Error(`${caller}: estimator '${estimator}' is not supported; use 'unbiased' or 'biased'.`);
  }
  const n = x.shape[0] as number;
  const m = y.shape[0] as number;
  const least = estimator === 'unbiased' ? 2 : 1;
  if (n < least || m < least) {
    throw new Error(
      `${caller}: the ${estimator} estimator needs at least ${least} rows in each sample, got ${n} and ${m}.`,
    );
  }
  resolveKernel(caller, x.shape[1] as number, options);
  return tf.tidy(() => {
    const kxx = kernelMatrix(x, x, options);
    const kyy = kernelMatrix(y, y, options);
    const kxy = kernelMatrix(x, y, options);
    const within = (k: tf.Tensor2D, size: number) =>
      estimator === 'biased'
        ? tf.mean(k)
        : tf.div(tf.sub(tf.sum(k), tf.sum(tf.mul(k, tf.eye(size)))), size * (size - 1));
    return tf.sub(tf.add(within(kxx, n), within(kyy, m)), tf.mul(2, tf.mean(kxy))) as tf.Scalar;
  });
}
