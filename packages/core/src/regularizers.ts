/**
 * Regularizers of deterministic autoencoders (sparse, contractive, weight decay). Added to the reconstruction
 * loss with a weight lambda: `L'(theta) = L(theta) + lambda * Omega(theta)`.
 */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import { ACTIVATIONS, type Activation, activationSlope } from './activations';
import {
  assertBatched,
  assertInOpenInterval,
  assertRank,
  flattenRows,
  type Reduction,
  reduceBatch,
} from './validation';

export interface SparsityOptions {
  /**
   * rho-hat is clipped to [epsilon, 1 - epsilon] so that dead or saturated units give a large finite penalty
   * instead of Infinity (the gradient is zero where clipping is active). Default 1e-6; must lie in (0, 0.5).
   */
  epsilon?: number;
}

/**
 * The sparsity penalty of a sparse autoencoder with sigmoid codes:
 * `Omega = sum_l [ rho log(rho / rhoHat_l) + (1 - rho) log((1 - rho) / (1 - rhoHat_l)) ]`, the KL divergence
 * between Bernoulli(rho) and Bernoulli(rhoHat_l), summed over code units l (nats). `rhoHat_l` is the mean
 * activation of unit l over the batch, `1/m sum_i h_l(x_i)`, so the penalty is a scalar for the whole batch; it is
 * 0 exactly when every rhoHat_l = rho. `activations` are [batch, units] values in [0, 1] (sigmoid outputs);
 * `rho` is the target rate in (0, 1), typically small (0.05, or 0.005 in the notes).
 */
export function sparsityPenalty(
  activations: tf.Tensor,
  rho: number,
  options: SparsityOptions = {},
): tf.Scalar {
  const caller = 'sparsityPenalty';
  assertInOpenInterval(
    caller,
    'rho',
    rho,
    0,
    1,
    'It is the target mean activation of a sigmoid unit, e.g. 0.05.',
  );
  const epsilon = options.epsilon ?? 1e-6;
  assertInOpenInterval(caller, 'epsilon', epsilon, 0, 0.5, 'Use a small value such as 1e-6.');
  assertRank(caller, 'activations', activations, 2, '[batch, units]');
  if (activations.shape[0] < 1)
    throw new Error(`${caller}: activations has an empty batch; pass at least one row.`);
  return tf.tidy(() => {
    const rhoHat = tf.clipByValue(tf.mean(activations, 0), epsilon, 1 - epsilon);
    const active = tf.mul(rho, tf.sub(Math.log(rho), tf.log(rhoHat)));
    const inactive = tf.mul(1 - rho, tf.sub(Math.log(1 - rho), tf.log1p(tf.neg(rhoHat))));
    return tf.sum(tf.add(active, inactive)) as tf.Scalar;
  });
}

/**
 * L1 penalty on the code, `|h|_1 = sum_l |h_l|` per example (all axes but the first), then reduced over the
 * batch (`mean` by default). The notes' `L_R = L(x, g(f(x))) + lambda |h|_1`.
 */
export function l1Penalty(code: tf.Tensor, options: { reduction?: Reduction } = {}): tf.Tensor {
  assertBatched('l1Penalty', 'code', code);
  return tf.tidy(() =>
    reduceBatch(tf.sum(tf.abs(flattenRows(code)), 1), options.reduction ?? 'mean', 'l1Penalty'),
  );
}

/**
 * The contractive penalty `|J_x(h)|_F^2 = sum_j sum_l (dh_l / dx_j)^2` in closed form for a dense encoder
 * `h = activation(x W + b)`: `dh_l / dx_j = activation'(a_l) W_jl`, so the penalty is
 * `sum_l activation'(a_l)^2 sum_j W_jl^2` per example, with the derivative written in terms of h (sigmoid
 * `h (1 - h)`, tanh `1 - h^2`, relu `step(h)`, linear 1); then reduced over the batch (`mean` by default).
 * `hidden` is the encoder output h, [batch, units]; `kernel` is W, [inputSize, units]. Differentiable with respect
 * to both by first-order gradients only, so exact to train on (unlike `contractivePenalty`, see there).
 */
export function denseContractivePenalty(
  hidden: tf.Tensor,
  kernel: tf.Tensor,
  options: { activation?: Activation; reduction?: Reduction } = {},
): tf.Tensor {
  const caller = 'denseContractivePenalty';
  const activation = options.activation ?? 'sigmoid';
  if (!ACTIVATIONS.includes(activation)) {
    throw new Error(`${caller}: unknown activation '${activation}'; use one of ${ACTIVATIONS.join(', ')}.`);
  }
  assertRank(caller, 'hidden', hidden, 2, '[batch, units]');
  assertRank(caller, 'kernel', kernel, 2, `[inputSize, ${hidden.shape[1]}]`);
  if (kernel.shape[1] !== hidden.shape[1]) {
    throw new Error(
      `${caller}: kernel must have shape [inputSize, ${hidden.shape[1]}] (one column per hidden unit), got ` +
        `[${kernel.shape}].`,
    );
  }
  return tf.tidy(() => {
    const slope = tf.square(activationSlope(activation, hidden)); // [batch, units]
    const columnNorms = tf.sum(tf.square(kernel), 0, true); // [1, units]
    return reduceBatch(tf.sum(tf.mul(slope, columnNorms), 1), options.reduction ?? 'mean', caller);
  });
}

/**
 * The contractive penalty in closed form for a sigmoid dense encoder `h = sigmoid(x W + b)` (the lecture notes'
 * case): `sum_l (h_l (1 - h_l))^2 sum_j W_jl^2` per example, then reduced over the batch (`mean` by default).
 * `denseContractivePenalty` with `activation: 'sigmoid'`.
 */
export function sigmoidContractivePenalty(
  hidden: tf.Tensor,
  kernel: tf.Tensor,
  options: { reduction?: Reduction } = {},
): tf.Tensor {
  return denseContractivePenalty(hidden, kernel, { activation: 'sigmoid', reduction: options.reduction });
}

/**
 * The contractive penalty `|J_x(h)|_F^2 = sum_j sum_l (dh_l / dx_j)^2` per example for any differentiable
 * `encoder` mapping x [batch, ...] to codes [batch, units], by automatic differentiation; reduced over the batch
 * (`mean` by default). One forward and one backward pass over a batch tiled `units` times (the Jacobian's rows
 * all at once), so memory grows with units * batch. It assumes examples do not interact inside the encoder (no
 * batch statistics, e.g. batch normalization in training mode).
 *
 * The value is exact for any encoder. Training on it needs second-order gradients, and tfjs 4.22 gets those wrong
 * (silently) for ops whose gradient reuses their own output: sigmoid, tanh, exp, and the sigmoid and tanh
 * activations of `fusedDense`/`Dense`/`DenseLayer` (tfjs issue 3252). Its gradient is exact for encoders built
 * from other ops (linear maps, relu, softplus, ...). For a one-layer dense encoder use `denseContractivePenalty`, exact
 * with first-order gradients.
 */
export function contractivePenalty(
  encoder: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  options: { reduction?: Reduction } = {},
): tf.Tensor {
  const caller = 'contractivePenalty';
  assertBatched(caller, 'x', x);
  const batch = x.shape[0];
  return tf.tidy(() => {
    const probe = encoder(x);
    assertRank(caller, 'encoder(x)', probe, 2, `[${batch}, units]`);
    if (probe.shape[0] !== batch) {
      throw new Error(`${caller}: encoder(x) must keep the batch of ${batch} rows, got [${probe.shape}].`);
    }
    const units = probe.shape[1] as number;
    // Copy l of the batch selects output unit l: the gradient of sum_l sum_b h_l(x_b^(l)) with respect to the
    // tiled input holds row l of every example's Jacobian in copy l.
    const tiled = tf.tile(x, [units, ...x.shape.slice(1).map(() => 1)]);
    const selector = tf.reshape(tf.tile(tf.expandDims(tf.eye(units), 1), [1, batch, 1]), [
      units * batch,
      units,
    ]);
    const rows = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(encoder(input), selector)) as tf.Scalar)(tiled);
    const squares = tf.sum(tf.square(tf.reshape(rows, [units, batch, -1])), [0, 2]);
    return reduceBatch(squares, options.reduction ?? 'mean', caller);
  });
}

/**
 * The L2 weight penalty `|theta|^2 = sum_k sum_i theta_ki^2` over the given tensors (usually kernels, not biases):
 * a scalar to be multiplied by lambda. Pass an array or a record such as `model.variables`.
 */
export function l2Penalty(weights: readonly tf.Tensor[] | Record<string, tf.Tensor>): tf.Scalar {
  const list = Array.isArray(weights) ? weights : Object.values(weights);
  if (list.length === 0) throw new Error('l2Penalty: weights is empty; pass at least one tensor.');
  return tf.tidy(() => tf.addN(list.map((w) => tf.sum(tf.square(w)))) as tf.Scalar);
}

export interface DipCovarianceOptions {
  /**
   * 'i' (DIP-VAE-I): the covariance of the posterior means over the batch, Cov[mu(x)]. 'ii' (DIP-VAE-II): the
   * covariance of the aggregate posterior, Cov[mu(x)] + E[diag(exp(logVar(x)))]; needs `logVar`. Default 'i'.
   */
  type?: 'i' | 'ii';
  /** lambda_od, the weight of the squared off-diagonal entries. Default 10. */
  lambdaOffDiagonal?: number;
  /** lambda_d, the weight of the squared distance of the diagonal from 1. Default 100 for 'i', 10 for 'ii'. */
  lambdaDiagonal?: number;
}

/**
 * The covariance penalty of DIP-VAE (Kumar et al., "Variational Inference of Disentangled Latent Concepts from
 * Unlabeled Observations", ICLR 2018): with C the covariance of the codes over the batch (see `type`; means over
 * the batch, divided by M as disentanglement_lib does),
 * `lambda_od sum_{i != j} C_ij^2 + lambda_d sum_i (C_ii - 1)^2`, pulling the aggregate posterior's covariance
 * towards the prior's identity. `mean` and `logVar` are [batch, latent]. A scalar, 0 exactly when C = I.
 */
export function dipCovariancePenalty(
  mean: tf.Tensor,
  logVar: tf.Tensor | undefined,
  options: DipCovarianceOptions = {},
): tf.Scalar {
  const caller = 'dipCovariancePenalty';
  const type = options.type ?? 'i';
  if (type !== 'i' && type !== 'ii') {
    throw new Error(`${caller}: type '${type}' is not supported; use 'i' (DIP-VAE-I) or 'ii' (DIP-VAE-II).`);
  }
  const lambdaOffDiagonal = options.lambdaOffDiagonal ?? 10;
  const lambdaDiagonal = options.lambdaDiagonal ?? (type === 'i' ? 100 : 10);
  for (const [name, value] of [
    ['lambdaOffDiagonal', lambdaOffDiagonal],
    ['lambdaDiagonal', lambdaDiagonal],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`${caller}: ${name} must be a finite number >= 0, got ${value}.`);
    }
  }
  assertRank(caller, 'mean', mean, 2, '[batch, latent]');
  if (mean.shape[0] < 1) throw new Error(`${caller}: mean has an empty batch; pass at least one row.`);
  if (type === 'ii') {
    if (!logVar) throw new Error(`${caller}: type 'ii' needs logVar (the posterior's log-variances).`);
    assertRank(caller, 'logVar', logVar, 2, `[${mean.shape}]`);
    if (logVar.shape[0] !== mean.shape[0] || logVar.shape[1] !== mean.shape[1]) {
      throw new Error(
        `${caller}: logVar must have the shape of mean [${mean.shape}], got [${logVar.shape}].`,
      );
    }
  }
  return tf.tidy(() => {
    const dims = mean.shape[1] as number;
    const centred = tf.sub(mean, tf.mean(mean, 0, true));
    let covariance = tf.div(
      tf.matMul(centred as tf.Tensor2D, centred as tf.Tensor2D, true, false),
      mean.shape[0],
    );
    const eye = tf.eye(dims);
    // DIP-II: + E[diag(exp(logVar))] (tf.diag has no gradient in tfjs 4.22)
    if (type === 'ii')
      covariance = tf.add(covariance, tf.mul(eye, tf.mean(tf.exp(logVar as tf.Tensor), 0, true)));
    const diagonal = tf.sum(tf.mul(covariance, eye), 1);
    const offDiagonal = tf.mul(covariance, tf.sub(1, eye));
    return tf.add(
      tf.mul(lambdaOffDiagonal, tf.sum(tf.square(offDiagonal))),
      tf.mul(lambdaDiagonal, tf.sum(tf.square(tf.sub(diagonal, 1)))),
    ) as tf.Scalar;
  });
}
