/**
 * Vector quantization as in van den Oord, Vinyals and Kavukcuoglu, "Neural discrete representation learning"
 * (NeurIPS 2017): each encoder output z_e is replaced by its nearest codebook vector e_k, the decoder's gradient is
 * copied straight through to z_e, the codebook learns from ||sg[z_e] - e||^2 (or from exponential moving averages
 * of the codes assigned to it, the paper's appendix) and the encoder is held near its codes by the commitment term
 * beta ||z_e - sg[e]||^2. `codebookPerplexity` measures how many codes are in use.
 */
import * as tf from '@tensorflow/tfjs-core';

/** x in the forward pass, no gradient in the backward pass (the paper's sg[.]). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad(((input: tf.Tensor) => ({
    value: tf.clone(input),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  })) as Parameters<typeof tf.customGrad>[0]);
  return op(x) as T;
}

/**
 * One-hot rows of int32 indices as float32, [...indices.shape, depth]. Cast from tf.oneHot's int32: its dtype
 * argument is not honoured by the wasm backend of tfjs 4.22 (it writes integers into a float32 tensor).
 */
export function floatOneHot(indices: tf.Tensor, depth: number): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.cast(indices, 'int32'), depth), 'float32'));
}

export interface VectorQuantization {
  /** z_e + sg[e - z_e]: the codebook vectors forward, the identity backward (straight-through), [n, d]. */
  quantized: tf.Tensor2D;
  /** Index of the nearest codebook vector of each row, int32 [n]. */
  indices: tf.Tensor1D;
  /** ||sg[z_e] - e||^2 per row, [n]: moves the codebook towards the encoder outputs. */
  codebookLoss: tf.Tensor1D;
  /** ||z_e - sg[e]||^2 per row, [n]: the commitment term (weighted by beta in the objective). */
  commitmentLoss: tf.Tensor1D;
}

function checkShapes(caller: string, z: tf.Tensor, codebook: tf.Tensor): void {
  if (z.rank !== 2 || codebook.rank !== 2 || z.shape[1] !== codebook.shape[1]) {
    throw new Error(
      `${caller}: z must be [n, d] and the codebook [codes, d] with the same d, got [${z.shape}] and ` +
        `[${codebook.shape}]. Reshape the encoder output into rows of the codebook's width.`,
    );
  }
}

/** Index of the nearest codebook vector (Euclidean) of each row of z [n, d], int32 [n]. */
export function nearestCodes(z: tf.Tensor2D, codebook: tf.Tensor2D): tf.Tensor1D {
  checkShapes('nearestCodes', z, codebook);
  return tf.tidy(() => {
    // |z - e|^2 = |z|^2 - 2 z.e + |e|^2; |z|^2 does not change the argmin.
    const cross = tf.matMul(z, codebook, false, true);
    const distances = tf.sub(tf.sum(tf.square(codebook), 1), tf.mul(2, cross));
    return tf.argMin(distances, 1) as tf.Tensor1D;
  });
}

/**
 * Quantizes each row of z [n, d] to its nearest row of `codebook` [codes, d], with the straight-through output and
 * the two loss terms of the paper per row (sums over d). See `VectorQuantization`.
 */
export function vectorQuantize(z: tf.Tensor2D, codebook: tf.Tensor2D): VectorQuantization {
  checkShapes('vectorQuantize', z, codebook);
  return tf.tidy(() => {
    const indices = nearestCodes(stopGradient(z), stopGradient(codebook));
    // One-hot rows times the codebook rather than tf.gather: the gather gradient of tfjs 4.22 fails on the int32
    // indices when they are computed on the tape.
    const codes = tf.matMul(floatOneHot(indices, codebook.shape[0]), codebook) as tf.Tensor2D;
    const fixedCodes = stopGradient(codes);
    const fixedZ = stopGradient(z);
    return {
      quantized: tf.add(z, tf.sub(fixedCodes, fixedZ)) as tf.Tensor2D,
      indices,
      codebookLoss: tf.sum(tf.square(tf.sub(fixedZ, codes)), 1) as tf.Tensor1D,
      commitmentLoss: tf.sum(tf.square(tf.sub(z, fixedCodes)), 1) as tf.Tensor1D,
    };
  });
}

/** The state of an exponential-moving-average codebook: smoothed counts [codes] and sums [codes, d]. */
export interface EmaCodebookState {
  clusterSizes: tf.Tensor1D;
  sums: tf.Tensor2D;
}

/**
 * One moving-average codebook update (the paper's appendix A.1): N_k <- decay N_k + (1 - decay) n_k and
 * m_k <- decay m_k + (1 - decay) sum_{i: k_i = k} z_i, then e_k = m_k / N~_k with the Laplace-smoothed
 * N~_k = (N_k + epsilon) / (N + codes epsilon) N, so an unused code keeps a finite vector. Returns the new state and
 * codebook; the caller assigns them.
 */
export function emaCodebookUpdate(
  state: EmaCodebookState,
  z: tf.Tensor2D,
  indices: tf.Tensor1D,
  options: { decay?: number; epsilon?: number } = {},
): EmaCodebookState & { codebook: tf.Tensor2D } {
  const decay = options.decay ?? 0.99;
  const epsilon = options.epsilon ?? 1e-5;
  if (!(decay >= 0 && decay < 1))
    throw new Error(`emaCodebookUpdate: decay must be in [0, 1), got ${decay}.`);
  if (!(epsilon > 0)) throw new Error(`emaCodebookUpdate: epsilon must be > 0, got ${epsilon}.`);
  checkShapes('emaCodebookUpdate', z, state.sums);
  return tf.tidy(() => {
    const codes = state.sums.shape[0];
    const assignments = floatOneHot(indices, codes); // [n, codes]
    const clusterSizes = tf.add(
      tf.mul(decay, state.clusterSizes),
      tf.mul(1 - decay, tf.sum(assignments, 0)),
    ) as tf.Tensor1D;
    const sums = tf.add(
      tf.mul(decay, state.sums),
      tf.mul(1 - decay, tf.matMul(assignments, z, true, false)),
    ) as tf.Tensor2D;
    const total = tf.sum(clusterSizes);
    const smoothed = tf.mul(tf.div(tf.add(clusterSizes, epsilon), tf.add(total, codes * epsilon)), total);
    return { clusterSizes, sums, codebook: tf.div(sums, tf.expandDims(smoothed, 1)) as tf.Tensor2D };
  });
}

/**
 * The perplexity exp(H) of a histogram of code counts, H = -sum_k p_k log p_k with p_k = counts_k / total: the
 * number of equally used codes with the same entropy (1 when a single code is used, the codebook size when all are
 * used equally).
 */
export function codebookPerplexity(counts: ArrayLike<number>): number {
  let total = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k];
    if (!(c >= 0) || !Number.isFinite(c)) {
      throw new Error(`codebookPerplexity: counts must be finite and >= 0, got ${c} at ${k}.`);
    }
    total += c;
  }
  if (total === 0)
    throw new Error('codebookPerplexity: the counts are all zero; there is no code to measure.');
  let entropy = 0;
  for (let k = 0; k < counts.length; k++) {
    if (counts[k] > 0) {
      const p = counts[k] / total;
      entropy -= p * Math.log(p);
    }
  }
  return Math.exp(entropy);
}
