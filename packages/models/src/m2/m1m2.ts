/**
 * The stacked model M1+M2 of Kingma et al. (2014): a VAE (M1) is trained on every example without labels, then M2
 * is trained on M1's codes z1 (the posterior means here; the paper draws z1 ~ q(z1|x)) with a Gaussian p(z1 | y, z2)
 * in place of the Bernoulli decoder. The classifier of the stack is M2's q(y | z1) applied to M1's code of x.
 *
 * @example
 * ```ts
 * const m1 = new VAE({ latentDim: 50, hiddenUnits: [600, 600] });
 * await m1.fit(images, { epochs: 100 });
 * const codes = await m1.embed(images); // [N, 50]
 * const m2 = new M2(m2ConfigForCodes(m1, { numClasses: 10 }));
 * await m2.fit(semiSupervisedSource(tensorSource(codes, labels), labelledIndices), { epochs: 100 });
 * const stacked = new M1M2(m1, m2);
 * const accuracy = await stacked.accuracy(tensorSource(testImages, testLabels));
 * ```
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type DataInput, toBatchSource } from '@vae/core';
import type { CodeEncoder } from '../pretraining/classifier';
import type { M2Config } from './m2.config';
import type { M2 } from './m2.model';

/** An M2 config for the codes of `m1`: input [latentDim], Gaussian with a learned variance, linear mean. */
export function m2ConfigForCodes(
  m1: { latentDim: number },
  config: Partial<M2Config> = {},
): Partial<M2Config> {
  return {
    likelihood: 'gaussian',
    variance: 'learned',
    meanActivation: 'linear',
    minLogVar: -6,
    ...config,
    inputShape: [m1.latentDim],
  };
}

/** M1+M2 as one classifier: M2's q(y | z1) on the code z1 of M1. Holds both models; `dispose` leaves them. */
export class M1M2 {
  readonly m1: CodeEncoder & {
    embed(data: DataInput, options?: { batchSize?: number }): Promise<tf.Tensor2D>;
  };
  readonly m2: M2;

  constructor(m1: M1M2['m1'], m2: M2) {
    if (m2.config.inputShape.length !== 1 || m2.config.inputShape[0] !== m1.latentDim) {
      throw new Error(
        `M1M2: M2 takes inputs of shape [${m2.config.inputShape}], M1's codes have ${m1.latentDim} dimensions; ` +
          'build M2 with m2ConfigForCodes(m1).',
      );
    }
    this.m1 = m1;
    this.m2 = m2;
  }

  /** The most probable class of every example under M2's classifier on M1's codes. */
  async predict(data: DataInput, options: { batchSize?: number } = {}): Promise<Int32Array> {
    const codes = await this.m1.embed(data, options);
    try {
      return await this.m2.predict(codes, options);
    } finally {
      codes.dispose();
    }
  }

  /** The share of labelled examples classified as their label. */
  async accuracy(
    data: DataInput,
    options: { batchSize?: number; labels?: ArrayLike<number> } = {},
  ): Promise<number> {
    const source = await toBatchSource(data, { labels: options.labels, caller: 'M1M2.accuracy' });
    if (!source.labels) throw new Error('M1M2.accuracy: the data has no labels.');
    const predicted = await this.predict(source, options);
    let correct = 0;
    for (let i = 0; i < predicted.length; i++) if (predicted[i] === source.labels[i]) correct += 1;
    return correct / Math.max(1, predicted.length);
  }
}
