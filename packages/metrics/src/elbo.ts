import {
  conditioningLabels,
  type DataInput,
  meanOverBatches,
  type ProbabilisticAutoencoder,
  Random,
  toBatchSource,
} from '@vae/core';

export interface ElboEstimate {
  /**
   * Average negative ELBO (the test loss), nats per example: reconstruction + kl. The name of the same number in
   * every loss record of the toolkit (`LossTerms.total`).
   */
  total: number;
  /** @deprecated The same as `total` (one name per concept); kept for one minor version. */
  loss: number;
  /** Average ELBO, nats per example (= -loss). A lower bound on the average log p(x). */
  elbo: number;
  /** Average reconstruction term -E_q[log p(x|z)], nats per example. */
  reconstruction: number;
  /** Average KL(q(z|x) || p(z)), nats per example. */
  kl: number;
  /** Number of examples evaluated. */
  examples: number;
}

export interface ElboOptions {
  /** Examples per evaluation batch. Default 1000. */
  batchSize?: number;
  /** Seed for the reparameterization noise (one sample of z per example). Default 0. */
  seed?: number;
  /** Labels of data given as a tensor or bare values (conditional models), one per example. */
  labels?: ArrayLike<number>;
}

/**
 * The evidence lower bound of a VAE averaged over a data set, estimated with one reparameterized sample of z per
 * example, as the PyTorch VAE example reports its test loss. Values are in nats per example. Conditional models
 * (`usesLabels`) get each batch's labels from `data.labels`. `data` is a `BatchSource`, a tensor, a typed array or an
 * async iterable of batches (core's `DataInput`).
 */
export async function evaluateElbo(
  model: ProbabilisticAutoencoder,
  input: DataInput,
  options: ElboOptions = {},
): Promise<ElboEstimate> {
  const data = await toBatchSource(input, {
    labels: options.labels,
    itemShape: [model.inputSize],
    caller: 'evaluateElbo',
  });
  if (data.size < 1) throw new Error('evaluateElbo: the data set is empty; pass at least one example.');
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`evaluateElbo: batchSize must be a positive integer, got ${batchSize}.`);
  }
  const random = new Random(options.seed ?? 0);
  const means = await meanOverBatches(data, batchSize, (x, _, indices) =>
    model.elboTerms(x, {
      seed: random.nextSeed(),
      labels: conditioningLabels(model, data, indices, 'evaluateElbo'),
    }),
  );
  const loss = means.reconstruction + means.kl;
  if (!Number.isFinite(loss)) {
    throw new Error(
      'evaluateElbo: the loss is not finite; the model diverged or the data is outside [0, 1].',
    );
  }
  return {
    total: loss,
    loss,
    elbo: -loss,
    reconstruction: means.reconstruction,
    kl: means.kl,
    examples: data.size,
  };
}
