import * as tf from '@tensorflow/tfjs-core';
import {
  batchRanges,
  conditioningLabels,
  type DataInput,
  type ProbabilisticAutoencoder,
  type ProgressOptions,
  posteriorLogWeights,
  Random,
  range,
  reportProgress,
  toBatchSource,
} from '@vae/core';
import { assertInteger, logAddExp } from './checks';

export interface ImportanceSampledLogLikelihoodOptions extends ProgressOptions {
  /** Labels of data given as a tensor or bare values (conditional models), one per example. */
  labels?: ArrayLike<number>;
  /** Importance samples k per example. Default 5000, the usual setting for reporting log p(x) on MNIST. */
  importanceSamples?: number;
  /** @deprecated Use `importanceSamples` (the toolkit's one name for k); kept for one minor version. */
  samples?: number;
  /** Examples encoded together. Default 100. */
  batchSize?: number;
  /**
   * Most rows (example and sample pairs) the decoder sees in one `logLikelihood` call, which bounds memory: the
   * k samples of a batch are split into chunks of `floor(rowsPerCall / batchSize)` samples. Default 10000.
   */
  rowsPerCall?: number;
  /** Seed for the samples z_k ~ q(z|x). Default 0. */
  seed?: number;
}

export interface ImportanceSampledLogLikelihood {
  /** Mean over examples of the estimate of log p(x), nats per example. */
  logLikelihood: number;
  /** Standard error of that mean over examples (sample standard deviation / sqrt(n)), nats. */
  standardError: number;
  /** The estimate of log p(x) for each example, nats. */
  perExample: Float64Array;
  /**
   * Mean over examples of the effective sample size (sum w)^2 / sum w^2 of the importance weights, between 1 and
   * k. Near k when q(z|x) matches the true posterior; near 1 when a few samples dominate (the estimate is then
   * unreliable).
   */
  effectiveSampleSize: number;
  /** Importance samples per example (k). */
  importanceSamples: number;
  /** @deprecated The same as `importanceSamples`; kept for one minor version. */
  samples: number;
  /** Number of examples evaluated. */
  examples: number;
}

/**
 * The importance-sampled estimate of the marginal log-likelihood (Burda et al. 2016), averaged over a data set:
 *
 *   log p(x) ~= log (1/k) sum_k p(x|z_k) p(z_k) / q(z_k|x),   z_k ~ q(z|x) = N(mean, exp(logVar)),
 *
 * with the model's prior p(z) (`logPrior`, N(0, I) when it has none), computed with a log-sum-exp over all k samples
 * so it neither overflows nor underflows. The log weights are core's `posteriorLogWeights`, the same as an IWAE
 * trains on. In expectation it lies below log p(x) and rises to it as k grows; with k = 1 it is a one-sample ELBO.
 * Conditional models (`usesLabels`) get each batch's labels from `data.labels`: the estimate is then log p(x|y).
 * The samples of each batch are drawn in chunks of at most `rowsPerCall` decoder rows. Values in nats.
 *
 * It is long (k = 5000 on 10,000 MNIST images is 50 million decoder rows): after every chunk it reports the
 * importance samples drawn so far (`done` of `total` = examples x k) to `onProgress`, yields to the event loop,
 * and rejects with the signal's reason once `signal` is aborted. `data` is a `BatchSource`, a tensor, a typed
 * array or an async iterable of batches (core's `DataInput`).
 */
export async function importanceSampledLogLikelihood(
  model: ProbabilisticAutoencoder,
  input: DataInput,
  options: ImportanceSampledLogLikelihoodOptions = {},
): Promise<ImportanceSampledLogLikelihood> {
  const where = 'importanceSampledLogLikelihood';
  const data = await toBatchSource(input, {
    labels: options.labels,
    itemShape: [model.inputSize],
    caller: where,
  });
  const samples = options.importanceSamples ?? options.samples ?? 5000;
  const batchSize = options.batchSize ?? 100;
  const rowsPerCall = options.rowsPerCall ?? 10000;
  assertInteger(where, 'importanceSamples (k)', samples);
  assertInteger(where, 'batchSize', batchSize);
  assertInteger(where, 'rowsPerCall', rowsPerCall);
  if (data.size < 1) throw new Error(`${where}: the data set is empty; pass at least one example.`);
  const random = new Random(options.seed ?? 0);
  const perExample = new Float64Array(data.size);
  let effectiveSum = 0;

  for (const [start, end] of batchRanges(data.size, batchSize)) {
    const rows = end - start;
    const indices = range(start, end);
    const labels = conditioningLabels(model, data, indices, where);
    const x = data.batch(indices);
    const { mean, logVar } = tf.tidy(() => model.encode(x, labels));
    try {
      if (mean.shape[0] !== rows || mean.shape[1] !== model.latentDim) {
        throw new Error(
          `${where}: encode returned a mean of shape [${mean.shape}], expected [${rows}, ${model.latentDim}].`,
        );
      }
      const logSum = new Float64Array(rows).fill(Number.NEGATIVE_INFINITY);
      const logSumSquares = new Float64Array(rows).fill(Number.NEGATIVE_INFINITY);
      // Equal chunks where possible (fewer distinct shapes for backends that compile per shape).
      const chunks = Math.ceil(samples / Math.max(1, Math.floor(rowsPerCall / rows)));
      const chunk = Math.ceil(samples / chunks);
      for (let done = 0; done < samples; done += chunk) {
        const count = Math.min(chunk, samples - done);
        const [chunkLogSum, chunkLogSumSquares] = tf.tidy(() => {
          const logWeights = posteriorLogWeights(model, x, {
            importanceSamples: count,
            seed: random.nextSeed(),
            labels,
            posterior: { mean, logVar },
          });
          return [tf.logSumExp(logWeights, 0), tf.logSumExp(tf.mul(2, logWeights), 0)];
        });
        const [sums, sumSquares] = await Promise.all([chunkLogSum.data(), chunkLogSumSquares.data()]);
        chunkLogSum.dispose();
        chunkLogSumSquares.dispose();
        for (let i = 0; i < rows; i++) {
          logSum[i] = logAddExp(logSum[i], sums[i]);
          logSumSquares[i] = logAddExp(logSumSquares[i], sumSquares[i]);
        }
        await reportProgress(options, start * samples + (done + count) * rows, data.size * samples);
      }
      for (let i = 0; i < rows; i++) {
        const estimate = logSum[i] - Math.log(samples);
        if (!Number.isFinite(estimate)) {
          throw new Error(
            `${where}: the estimate for example ${start + i} is ${estimate}; the model's log-densities are not ` +
              'finite there (a diverged model, or data outside the decoder support).',
          );
        }
        perExample[start + i] = estimate;
        effectiveSum += Math.exp(2 * logSum[i] - logSumSquares[i]);
      }
    } finally {
      x.dispose();
      mean.dispose();
      logVar.dispose();
    }
  }

  let total = 0;
  for (const value of perExample) total += value;
  const logLikelihood = total / data.size;
  let squares = 0;
  for (const value of perExample) squares += (value - logLikelihood) ** 2;
  const standardError = data.size > 1 ? Math.sqrt(squares / (data.size - 1) / data.size) : 0;
  return {
    logLikelihood,
    standardError,
    perExample,
    effectiveSampleSize: effectiveSum / data.size,
    importanceSamples: samples,
    samples,
    examples: data.size,
  };
}
