/**
 * The multinomial likelihood of Mult-VAE and Mult-DAE (Liang, Krishnan, Hoffman and Jebara, "Variational
 * Autoencoders for Collaborative Filtering", WWW 2018, eq. 2): a user's click or rating counts x over I items are
 * drawn from Mult(N, pi(z)) with pi = softmax(logits), so
 *
 *   log p(x | z) = sum_i x_i log pi_i + log(N! / prod_i x_i!).
 *
 * The second term does not depend on the model and is left out, as in the paper: the functions here return
 * `sum_i x_i log softmax(logits)_i` (a weighted log-softmax), computed stably with log-sum-exp. Entries of x are
 * weights >= 0 (counts, 0/1 clicks or ratings); a row of zeros gives 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ReductionOptions } from './losses';
import { assertBatched, assertSameShape, reduceBatch } from './validation';

function rows(caller: string, counts: tf.Tensor, logits: tf.Tensor): void {
  assertBatched(caller, 'counts', counts);
  assertSameShape(caller, 'counts', counts, 'logits', logits);
  if (counts.rank !== 2) {
    throw new Error(
      `${caller}: counts and logits must be rows [batch, items], got rank ${counts.rank}; reshape them first.`,
    );
  }
}

/**
 * `sum_i x_i log softmax(logits)_i` per row of counts x [batch, items], the multinomial log-likelihood without its
 * constant (see the module's description), in nats; reduced over the batch ('mean' by default, 'sum', or 'none'
 * for shape [batch]).
 */
export function multinomialLogLikelihood(
  counts: tf.Tensor,
  logits: tf.Tensor,
  options: ReductionOptions = {},
): tf.Tensor {
  rows('multinomialLogLikelihood', counts, logits);
  return tf.tidy(() =>
    reduceBatch(
      tf.sum(tf.mul(tf.logSoftmax(logits), counts), 1),
      options.reduction ?? 'mean',
      'multinomialLogLikelihood',
    ),
  );
}
