import type { BatchSource } from '@vae/core';
import { evaluateElbo } from '@vae/metrics';
import type { AnyModel } from '@vae/models';
import { isProbabilistic } from './models';

/** Test loss and its terms: the negative ELBO (VAEs) or the training objective of an autoencoder. */
export interface TestTerms {
  loss: number;
  reconstruction: number;
  kl?: number;
  regularizer?: number;
}

export async function testTerms(model: AnyModel, data: BatchSource, seed: number): Promise<TestTerms> {
  if (isProbabilistic(model)) {
    // A conditional model's labels come from the data set (BatchSource.labels).
    const elbo = await evaluateElbo(model, data, { seed });
    return { loss: elbo.total, reconstruction: elbo.reconstruction, kl: elbo.kl };
  }
  const terms = await model.evaluate(data, { seed });
  if (!Number.isFinite(terms.total)) {
    throw new Error('the test loss is not finite; the model diverged (lower --lr).');
  }
  return { loss: terms.total, reconstruction: terms.reconstruction, regularizer: terms.regularizer };
}
