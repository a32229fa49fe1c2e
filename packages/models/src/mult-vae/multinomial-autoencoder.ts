/**
 * What Mult-VAE and Mult-DAE share (Liang, Krishnan, Hoffman and Jebara, "Variational Autoencoders for Collaborative
 * Filtering", WWW 2018): user rows of clicks x (implicit feedback) are L2-normalized, dropped out while training,
 * encoded by an MLP (tanh) and decoded to logits over all items; the reconstruction loss is the multinomial
 * negative log-likelihood `-sum_i x_i log softmax(logits)_i` (core's `multinomialLogLikelihood`). Rows come in core's
 * rows layout [batch, 2, items] (ratings, observed mask; the mask is the click vector: filter the ratings first to
 * keep only positive feedback, e.g. >= 3.5 stars as the paper does) or as plain click rows [batch, items].
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type BatchSource,
  batchRanges,
  Dense,
  type LossTerms,
  l2Penalty,
  maskedRows,
  multinomialLogLikelihood,
} from '@vae/core';
import { type FitOptions, type History, train } from '../training/fit';
import type { LossTermScalars, ObjectiveContext, TrainableModel } from '../training/trainable';
import type { MultinomialAutoencoderConfig } from './mult-vae.config';

/** Per-row terms of the objective: the multinomial NLL and the KL (0 for Mult-DAE), each [batch]. */
export interface RowTerms {
  reconstruction: tf.Tensor1D;
  kl: tf.Tensor1D;
}

export abstract class MultinomialAutoencoder<C extends MultinomialAutoencoderConfig>
  implements TrainableModel
{
  abstract readonly className: string;
  readonly config: C;
  readonly usesLabels = false;
  trainingStep = 0;
  protected readonly encoderLayers: Dense[];
  protected readonly decoderLayers: Dense[];
  private disposed = false;

  /** `codeUnits`: width of the encoder's output (2 x latentDim for the Gaussian posterior, latentDim for the DAE). */
  protected constructor(config: C, codeUnits: number, codeActivation: 'linear' | 'tanh') {
    this.config = config;
    const { items, hiddenUnits, latentDim, activation, seed } = config;
    const seedAt = (k: number) => (seed === undefined ? undefined : seed + 2 * k);
    let layer = 0;
    const encoderSizes = [items, ...hiddenUnits];
    this.encoderLayers = hiddenUnits.map(
      (units, k) =>
        new Dense(encoderSizes[k], units, { activation, name: `encoder/hidden${k}`, seed: seedAt(layer++) }),
    );
    this.encoderLayers.push(
      new Dense(encoderSizes[encoderSizes.length - 1], codeUnits, {
        activation: codeActivation,
        name: 'encoder/code',
        seed: seedAt(layer++),
      }),
    );
    const decoderSizes = [latentDim, ...[...hiddenUnits].reverse()];
    this.decoderLayers = decoderSizes.slice(1).map(
      (units, k) =>
        new Dense(decoderSizes[k], units, {
          activation,
          name: `decoder/hidden${k}`,
          seed: seedAt(layer++),
        }),
    );
    this.decoderLayers.push(
      new Dense(decoderSizes[decoderSizes.length - 1], items, {
        name: 'decoder/logits',
        seed: seedAt(layer++),
      }),
    );
  }

  get variables(): Record<string, tf.Variable> {
    return Object.assign({}, ...[...this.encoderLayers, ...this.decoderLayers].map((l) => l.variables));
  }

  /** The per-row terms of a batch of click rows; `training` turns on dropout and sampling. */
  protected abstract rowTerms(clicks: tf.Tensor2D, training: boolean, seed?: number): RowTerms;

  /** Logits of the items for codes z [batch, latentDim]. */
  protected decodeLogits(z: tf.Tensor2D): tf.Tensor2D {
    return this.decoderLayers.reduce((h, l) => l.apply(h), z);
  }

  /** The encoder's output for click rows: L2-normalized input, dropout while training, the MLP. */
  protected encoderOutput(clicks: tf.Tensor2D, training: boolean, seed?: number): tf.Tensor2D {
    const norm = tf.maximum(tf.sqrt(tf.sum(tf.square(clicks), 1, true)), 1e-12);
    let h: tf.Tensor2D = tf.div(clicks, norm);
    if (training && this.config.dropout > 0)
      h = tf.dropout(h, this.config.dropout, undefined, seed) as tf.Tensor2D;
    return this.encoderLayers.reduce((x, l, k) => l.apply(x, { inputGradient: k > 0 }), h);
  }

  protected assertAlive(): void {
    if (this.disposed)
      throw new Error(`${this.className}: this model was disposed; create or load a new one.`);
  }

  /** Click rows [batch, items] from core's rows layout [batch, 2, items] (the mask) or from click rows. */
  protected clicksOf(x: tf.Tensor, caller: string): tf.Tensor2D {
    this.assertAlive();
    const items = this.config.items;
    if (x.rank === 3 && x.shape[1] === 2 && x.shape[2] === items) return maskedRows(x).mask;
    if (x.rank === 2 && x.shape[1] === items) return x as tf.Tensor2D;
    throw new Error(
      `${this.className}.${caller}: expected user rows [batch, 2, ${items}] (ratings, mask) or click rows ` +
        `[batch, ${items}], got [${x.shape}]. Build them with ratingRows(train, 'user') of @vae/data.`,
    );
  }

  private checkSource(data: BatchSource, caller: string): void {
    const shape = data.itemShape.join();
    const items = this.config.items;
    if (shape !== `2,${items}` && shape !== `${items}`) {
      throw new Error(
        `${this.className}.${caller}: expected user rows of shape [2, ${items}] or [${items}], got ` +
          `[${data.itemShape}]. Build them with ratingRows(train, 'user') of @vae/data.`,
      );
    }
  }

  trainingLoss(x: tf.Tensor, context: ObjectiveContext = {}): { total: tf.Scalar; terms: LossTermScalars } {
    const [total, reconstruction, kl, weightedKl, regularizer] = tf.tidy(() => {
      const clicks = this.clicksOf(x, 'trainingLoss');
      const rows = this.rowTerms(clicks, context.training ?? false, context.seed);
      const { total, terms } = this.combine(tf.mean(rows.reconstruction), tf.mean(rows.kl), context);
      return [total, terms.reconstruction, terms.kl, terms.weightedKl, terms.regularizer];
    });
    return { total, terms: { reconstruction, kl, weightedKl, regularizer } };
  }

  private combine(
    reconstruction: tf.Tensor,
    kl: tf.Tensor,
    context: ObjectiveContext,
  ): { total: tf.Scalar; terms: LossTermScalars } {
    const weightedKl = this.weightedKl(kl, context);
    const kernels = [...this.encoderLayers, ...this.decoderLayers].map((l) => l.kernel);
    const regularizer =
      this.config.weightDecay > 0 ? tf.mul(l2Penalty(kernels), this.config.weightDecay) : tf.scalar(0);
    return {
      total: tf.addN([reconstruction, weightedKl, regularizer]) as tf.Scalar,
      terms: {
        reconstruction: reconstruction as tf.Scalar,
        kl: kl as tf.Scalar,
        weightedKl: weightedKl as tf.Scalar,
        regularizer: regularizer as tf.Scalar,
      },
    };
  }

  /** The KL term as it enters the objective (beta x KL for Mult-VAE, 0 for Mult-DAE). */
  protected abstract weightedKl(kl: tf.Tensor, context: ObjectiveContext): tf.Tensor;

  /**
   * The objective's terms per user over `data`, without dropout (Mult-VAE: one posterior sample per user, drawn with
   * `seed`, default 0): reconstruction (multinomial NLL), kl, weightedKl at `step`, regularizer, total.
   */
  async evaluate(
    data: BatchSource,
    options: {
      batchSize?: number;
      seed?: number;
      step?: number;
      klSchedule?: ObjectiveContext['klSchedule'];
    } = {},
  ): Promise<LossTerms> {
    this.checkSource(data, 'evaluate');
    if (data.size < 1) throw new Error(`${this.className}.evaluate: the data source is empty.`);
    let reconstruction = 0;
    let kl = 0;
    const seed = options.seed ?? 0;
    for (const [start, end] of batchRanges(data.size, options.batchSize ?? 500)) {
      const sums = tf.tidy(() => {
        const x = data.batch(Int32Array.from({ length: end - start }, (_, i) => start + i));
        const terms = this.evalTerms(this.clicksOf(x, 'evaluate'), seed + start);
        return tf.stack([tf.sum(terms.reconstruction), tf.sum(terms.kl)]);
      });
      const [r, k] = await sums.data();
      sums.dispose();
      reconstruction += r;
      kl += k;
    }
    reconstruction /= data.size;
    kl /= data.size;
    const scalars = tf.tidy(() => {
      const { terms } = this.combine(tf.scalar(reconstruction), tf.scalar(kl), {
        step: options.step ?? this.trainingStep,
        klSchedule: options.klSchedule,
      });
      return tf.stack([terms.weightedKl, terms.regularizer]);
    });
    const [weightedKl, regularizer] = await scalars.data();
    scalars.dispose();
    return { reconstruction, kl, weightedKl, regularizer, total: reconstruction + weightedKl + regularizer };
  }

  /** Terms for evaluation (no dropout); Mult-VAE samples z with `seed`. */
  protected evalTerms(clicks: tf.Tensor2D, seed: number): RowTerms {
    return this.rowTerms(clicks, false, seed);
  }

  /** `-sum_i x_i log softmax(logits)_i` per row, [batch]. */
  protected multinomialNll(clicks: tf.Tensor2D, logits: tf.Tensor2D): tf.Tensor1D {
    return tf.neg(multinomialLogLikelihood(clicks, logits, { reduction: 'none' })) as tf.Tensor1D;
  }

  /** The code of each row used for ranking: the posterior mean (Mult-VAE) or the code (Mult-DAE). */
  protected abstract codeOf(clicks: tf.Tensor2D): tf.Tensor2D;

  /**
   * Scores of every item for each user row (the logits of the multinomial, from the posterior mean, no dropout):
   * [batch, items]; higher is more likely to be clicked. Rank them with the items already seen excluded.
   */
  scores(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.decodeLogits(this.codeOf(this.clicksOf(x, 'scores'))));
  }

  /**
   * The `k` best items for each of `users` (row indices of `rows`, the training rows), best first, with the items
   * the user already has in `rows` excluded (unless `includeSeen`). Leaks no tensors.
   */
  async recommend(
    rows: BatchSource,
    users: ArrayLike<number>,
    k: number,
    options: { batchSize?: number; includeSeen?: boolean } = {},
  ): Promise<{ items: Int32Array; scores: Float32Array }[]> {
    this.checkSource(rows, 'recommend');
    if (!Number.isInteger(k) || k < 1 || k > this.config.items) {
      throw new Error(
        `${this.className}.recommend: k must be an integer in [1, ${this.config.items}], got ${k}.`,
      );
    }
    for (const u of Array.from(users)) {
      if (!Number.isInteger(u) || u < 0 || u >= rows.size) {
        throw new Error(`${this.className}.recommend: user ${u} is outside the ${rows.size} rows.`);
      }
    }
    const out: { items: Int32Array; scores: Float32Array }[] = [];
    const list = Array.from(users);
    for (const [start, end] of batchRanges(list.length, options.batchSize ?? 500)) {
      const { values, indices } = tf.tidy(() => {
        const x = rows.batch(list.slice(start, end));
        const clicks = this.clicksOf(x, 'recommend');
        let s = this.decodeLogits(this.codeOf(clicks));
        if (!options.includeSeen) s = tf.where(tf.greater(clicks, 0), tf.fill(s.shape, -Infinity), s);
        return tf.topk(s, k);
      });
      const [v, i] = await Promise.all([values.data(), indices.data()]);
      tf.dispose([values, indices]);
      for (let j = 0; j < end - start; j++) {
        const items = Int32Array.from(i.subarray(j * k, (j + 1) * k));
        const scores = Float32Array.from(v.subarray(j * k, (j + 1) * k));
        // A user who has seen all but m < k items gets m of them.
        const kept = scores.indexOf(Number.NEGATIVE_INFINITY);
        out.push(
          kept < 0 ? { items, scores } : { items: items.slice(0, kept), scores: scores.slice(0, kept) },
        );
      }
    }
    return out;
  }

  assertTrainable(): void {}

  async prepareTraining(data: BatchSource): Promise<void> {
    this.checkSource(data, 'fit');
  }

  /** Trains with the shared loop (`train` of this package); see `FitOptions` (the paper: Adam 1e-3, batch 500). */
  fit(data: BatchSource, options: FitOptions = {}): Promise<History> {
    return train(this, data, options);
  }

  dispose(): void {
    for (const l of [...this.encoderLayers, ...this.decoderLayers]) l.dispose();
    this.disposed = true;
  }
}
